//! [`rewrap_file`]: rewrap a sealed job in place, atomically.
//!
//! The steps, each of which may fail without losing the original:
//!
//! 1. create a temporary file next to the job (same directory, so the rename below
//!    stays inside one file system), with the job's permissions;
//! 2. write the rewrapped job into it ([`crate::rewrap_with_rng`]: new header, payload
//!    copied byte for byte);
//! 3. `fsync` the temporary file, so that its bytes are on disk before its name is;
//! 4. hard-link the original to a backup name (skipped on file systems without hard
//!    links);
//! 5. rename the temporary file over the original (atomic on POSIX and on NTFS);
//! 6. `fsync` the directory, so that the rename itself is durable;
//! 7. remove the backup name and `fsync` the directory again (best effort).
//!
//! If any of steps 1 to 5 fails, the temporary file (and the backup link) is removed
//! and the original is untouched. If step 6 fails, the backup is renamed back over the
//! job, so that the original is in place again, and the error is returned. On a file
//! system without hard links a failure at step 6 is still returned, but the new
//! version stays in place. If removing the backup fails (step 7), the job has been
//! rewrapped and an error names the leftover backup, which still opens with the old
//! recipients' keys: delete it.

use std::fs::{File, Permissions};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::recipient::{Identity, Recipient};
use crate::rewrap::{RewrapOptions, rewrap_with_rng};

/// The file-system steps of [`rewrap_file`], so that a test can make each of them
/// fail. Not a stable API.
#[doc(hidden)]
pub trait FileOps {
    /// Step 1: creates `path`, which must not exist, with `permissions`.
    fn create_new(&mut self, path: &Path, permissions: Permissions) -> io::Result<File>;
    /// Step 2: writes part of `buf` to `file`.
    fn write(&mut self, file: &mut File, buf: &[u8]) -> io::Result<usize>;
    /// Step 3: flushes `file`'s data and metadata to disk.
    fn sync_file(&mut self, file: &File) -> io::Result<()>;
    /// Step 4: a second name `link` for `original`.
    fn hard_link(&mut self, original: &Path, link: &Path) -> io::Result<()>;
    /// Step 5 (and the restore after a failed step 6): renames `from` over `to`.
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    /// Step 6: flushes the directory `dir` (its entries) to disk.
    fn sync_dir(&mut self, dir: &Path) -> io::Result<()>;
    /// Removes `path` (the temporary file after a failure, the backup link at step 7).
    fn remove_file(&mut self, path: &Path) -> io::Result<()>;
}

/// The real file system.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct StdFileOps;

impl FileOps for StdFileOps {
    fn create_new(&mut self, path: &Path, permissions: Permissions) -> io::Result<File> {
        let file = File::options().write(true).create_new(true).open(path)?;
        file.set_permissions(permissions)?;
        Ok(file)
    }

    fn write(&mut self, file: &mut File, buf: &[u8]) -> io::Result<usize> {
        file.write(buf)
    }

    fn sync_file(&mut self, file: &File) -> io::Result<()> {
        file.sync_all()
    }

    fn hard_link(&mut self, original: &Path, link: &Path) -> io::Result<()> {
        std::fs::hard_link(original, link)
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn sync_dir(&mut self, dir: &Path) -> io::Result<()> {
        sync_dir(dir)
    }

    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    // Windows cannot open a directory as a file without extra flags, and NTFS journals
    // the rename (MoveFileEx) itself; there is nothing more to flush.
    Ok(())
}

/// Rewraps the sealed job at `path` in place for `recipients`, atomically: the file
/// either keeps its old bytes or gets the complete rewrapped job, and a failure at any
/// step leaves the original as it was. Randomness comes from the operating system.
///
/// The steps and what happens when each fails are in [`rewrap_file_with_rng`]. A
/// symbolic link at `path` is followed: its target is rewrapped and the link stays.
/// What a rewrap does and does not do, and crypto-shredding, are described at
/// [`crate::rewrap_header`].
///
/// # Errors
/// As [`crate::rewrap_header`]; [`Error::Io`] for a file-system error;
/// [`Error::Randomness`] if the OS generator fails.
#[cfg(feature = "getrandom")]
pub fn rewrap_file(
    path: impl AsRef<Path>,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
) -> Result<()> {
    let mut rng = crate::rng::os_rng()?;
    rewrap_file_with_rng(path, identities, recipients, options, &mut rng)
}

/// [`rewrap_file`] with randomness from `rng`.
///
/// 1. A temporary file `.NAME.XXXXXXXXXXXXXXXX.printseal-tmp` is created next to the
///    job, with the job's permissions.
/// 2. The rewrapped job is written into it (new header, payload copied byte for byte).
/// 3. The temporary file is `fsync`ed.
/// 4. The original gets a second name `.NAME.XXXXXXXXXXXXXXXX.printseal-old` (a hard
///    link; skipped where hard links are not supported).
/// 5. The temporary file is renamed over the original.
/// 6. The directory is `fsync`ed.
/// 7. The backup name is removed, and the directory `fsync`ed again (best effort).
///
/// A failure in steps 1 to 5 removes the temporary file and the backup name and leaves
/// the original untouched. A failure in step 6 renames the backup back over the job,
/// so the original is in place again (without a backup, the new version stays and the
/// error is returned). A failure to remove the backup name in step 7 is returned after
/// the rewrap took effect; the leftover backup still opens with the old keys.
///
/// # Errors
/// As [`rewrap_file`], less [`Error::Randomness`].
pub fn rewrap_file_with_rng(
    path: impl AsRef<Path>,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<()> {
    rewrap_file_with_ops(
        &mut StdFileOps,
        path.as_ref(),
        identities,
        recipients,
        options,
        rng,
    )
}

/// [`rewrap_file_with_rng`] through `ops`: the fault-injection hook. Not a stable API.
///
/// # Errors
/// As [`rewrap_file_with_rng`].
#[doc(hidden)]
pub fn rewrap_file_with_ops(
    ops: &mut dyn FileOps,
    path: &Path,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<()> {
    let path = std::fs::canonicalize(path)?;
    let (dir, name) = match (path.parent(), path.file_name()) {
        (Some(d), Some(n)) => (d.to_path_buf(), n.to_string_lossy().into_owned()),
        _ => return Err(Error::InvalidInput("rewrap_file needs a path to a file")),
    };
    let original = File::open(&path)?;
    let permissions = original.metadata()?.permissions();
    let mut tag = [0u8; 8];
    rng.fill_bytes(&mut tag);
    let tag: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    let tmp = dir.join(format!(".{name}.{tag}.printseal-tmp"));
    let backup = dir.join(format!(".{name}.{tag}.printseal-old"));

    // Steps 1 to 3.
    let mut file = ops.create_new(&tmp, permissions)?;
    let written = write_and_sync(
        ops, &mut file, original, identities, recipients, options, rng,
    );
    drop(file);
    if let Err(e) = written {
        let _ = ops.remove_file(&tmp);
        return Err(e);
    }

    // Step 4: a backup name for the original, to restore it if step 6 fails.
    let have_backup = ops.hard_link(&path, &backup).is_ok();

    // Step 5.
    if let Err(e) = ops.rename(&tmp, &path) {
        let _ = ops.remove_file(&tmp);
        if have_backup {
            let _ = ops.remove_file(&backup);
        }
        return Err(e.into());
    }

    // Step 6.
    if let Err(e) = ops.sync_dir(&dir) {
        if have_backup && ops.rename(&backup, &path).is_ok() {
            let _ = ops.sync_dir(&dir);
        }
        return Err(e.into());
    }

    // Step 7.
    if have_backup {
        if let Err(e) = ops.remove_file(&backup) {
            return Err(Error::Io(io::Error::new(
                e.kind(),
                Leftover { backup, source: e },
            )));
        }
        let _ = ops.sync_dir(&dir);
    }
    Ok(())
}

fn write_and_sync(
    ops: &mut dyn FileOps,
    file: &mut File,
    original: File,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<()> {
    {
        let mut out = BufWriter::with_capacity(
            64 * 1024,
            OpsWriter {
                ops: &mut *ops,
                file: &mut *file,
            },
        );
        rewrap_with_rng(
            BufReader::new(original),
            identities,
            recipients,
            options,
            &mut out,
            rng,
        )?;
        out.flush()?;
    }
    ops.sync_file(file)?;
    Ok(())
}

/// Writes through [`FileOps::write`].
struct OpsWriter<'a> {
    ops: &'a mut dyn FileOps,
    file: &'a mut File,
}

impl Write for OpsWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.ops.write(self.file, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The error of a rewrap that took effect but left its backup name behind.
#[derive(Debug)]
struct Leftover {
    backup: PathBuf,
    source: io::Error,
}

impl core::fmt::Display for Leftover {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "the job was rewrapped, but the backup of the old version at {} could not be \
             removed ({}); it still opens with the old keys: delete it",
            self.backup.display(),
            self.source
        )
    }
}

impl std::error::Error for Leftover {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
