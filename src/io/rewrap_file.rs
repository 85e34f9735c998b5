//! [`rewrap_file`]: rewrap a sealed job in place, atomically, safely as root.
//!
//! The steps:
//!
//! 1. open the job read-only without following a symbolic link and without blocking
//!    (`O_NOFOLLOW | O_NONBLOCK`), and check on the open descriptor (`fstat`) that it
//!    is a regular file: a symbolic link, a FIFO, a device or a socket is refused, and
//!    a FIFO never blocks the call;
//! 2. take an exclusive lock on the open job (`flock(LOCK_EX)` through
//!    [`File::lock`], on the job itself, not on a lock file), waiting for any other
//!    [`rewrap_file`] of the same job to finish, then check that the path still names
//!    the file that was locked (device and inode); if another rewrap replaced it
//!    meanwhile, start again from step 1 with its output;
//! 3. create a temporary file `.printseal-XXXXXXXXXXXXXXXX.tmp` (a short name, whatever
//!    the job's name) in the job's directory with `O_CREAT | O_EXCL` and mode 0600, give
//!    it the job's owner and group (`fchown`, when they differ: a job rewrapped by root
//!    keeps its owner) and then the job's exact mode (`fchmod`): at no time can anyone
//!    the job's permissions do not allow open it;
//! 4. write the rewrapped job into it and `fsync` it: the new header (as
//!    [`crate::rewrap_header`] makes it, plus a padding stanza that keeps the old
//!    header's length modulo 4096 when there is room for one more stanza), then the
//!    payload byte for byte: its first bytes up to a 4096-byte boundary of the original
//!    through a buffer, the rest with `std::io::copy` between the two files, which on
//!    Linux is `copy_file_range`. Both files are then at 4096-byte-aligned offsets, so
//!    on XFS and btrfs the file system shares the payload's blocks (a reflink: no data
//!    is read or written, whatever the job's size); elsewhere the kernel copies them;
//! 5. check again that the path names the file that was read, and rename the
//!    temporary file over it (atomic on POSIX and on NTFS);
//! 6. `fsync` the directory, so that the rename itself is durable.
//!
//! The original is never written, linked or renamed before step 5, so a failure in
//! steps 1 to 5 removes the temporary file and leaves the original as it was, byte for
//! byte; there is no backup copy, and a crash leaves at most a temporary file holding
//! the *new* version (it never opens with a revoked key). A failure of step 6 is
//! returned as an error, but the rename has taken effect: the path names the
//! rewrapped job, and after a crash the file system shows either the old or the new
//! version, whole. Rewrapping again with the same recipients makes it durable.
//!
//! The lock is advisory: it orders [`rewrap_file`] calls (in one process or several),
//! and the device-and-inode check before the rename catches most other writers that
//! replace the job by renaming; a writer that does neither can still race with the
//! rename itself.

use std::fs::{File, Metadata, Permissions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::primitives::stream::PREFIX_SIZE;
use crate::recipient::{Identity, Recipient};
use crate::rewrap::{RewrapOptions, rewrap_head};

/// The file-system block size that [`rewrap_file`] keeps the payload aligned to: 4 KiB,
/// the block size of XFS and btrfs (and ext4) on common hardware. The rewrapped header
/// gets a padding stanza that keeps its length modulo this, so that the payload's
/// blocks can be shared.
const BLOCK: usize = 4096;

/// How many times [`rewrap_file`] starts again when the job is replaced while it waits
/// for the lock (each time by a rewrap that finished), before it gives up.
const MAX_ATTEMPTS: usize = 16;

/// How [`rewrap_file_with_options`] treats the path it is given.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct RewrapFileOptions {
    follow_symlinks: bool,
}

impl RewrapFileOptions {
    /// The defaults: a symbolic link at the path is refused.
    pub fn new() -> RewrapFileOptions {
        RewrapFileOptions::default()
    }

    /// Follows symbolic links in the path (all of them, the last one included): the
    /// file they lead to is rewrapped in its own directory, and the link stays. Off by
    /// default, since a link can lead out of the directory the caller meant (a
    /// spool directory writable by others, say).
    pub fn follow_symlinks(mut self, follow: bool) -> Self {
        self.follow_symlinks = follow;
        self
    }
}

/// The file-system steps of [`rewrap_file`] that write, so that a test can make each
/// of them fail. Not a stable API.
#[doc(hidden)]
pub trait FileOps {
    /// Step 3: creates `path`, which must not exist, readable and writable by its
    /// owner only (mode 0600), without following a symbolic link.
    fn create_new(&mut self, path: &Path) -> io::Result<File>;
    /// Step 3: gives `file` the owner, group and permissions of `original`.
    fn copy_access(&mut self, file: &File, original: &Metadata) -> io::Result<()>;
    /// Step 4: writes part of `buf` to `file`.
    fn write(&mut self, file: &mut File, buf: &[u8]) -> io::Result<usize>;
    /// Step 4: copies the rest of `from` (from its offset on) to the end of `to` (at
    /// its offset). By default `std::io::copy`, which on Linux uses
    /// `copy_file_range`: the file system shares the blocks (a reflink, on XFS and
    /// btrfs) where both offsets are block-aligned, or copies in the kernel.
    fn copy(&mut self, from: &File, to: &mut File) -> io::Result<u64> {
        io::copy(&mut &*from, to)
    }
    /// Step 4: flushes `file`'s data and metadata to disk.
    fn sync_file(&mut self, file: &File) -> io::Result<()>;
    /// Step 5: renames `from` over `to`.
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    /// Step 6: flushes the directory `dir` (its entries) to disk.
    fn sync_dir(&mut self, dir: &Path) -> io::Result<()>;
    /// Removes `path` (the temporary file after a failure).
    fn remove_file(&mut self, path: &Path) -> io::Result<()>;
}

/// The real file system.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct StdFileOps;

impl FileOps for StdFileOps {
    fn create_new(&mut self, path: &Path) -> io::Result<File> {
        let mut o = File::options();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        o.open(path)
    }

    fn copy_access(&mut self, file: &File, original: &Metadata) -> io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            let now = file.metadata()?;
            let uid = (now.uid() != original.uid()).then_some(original.uid());
            let gid = (now.gid() != original.gid()).then_some(original.gid());
            if uid.is_some() || gid.is_some() {
                std::os::unix::fs::fchown(file, uid, gid)?;
            }
            // After the owner: `fchown` clears the set-user-id and set-group-id bits.
            file.set_permissions(Permissions::from_mode(original.mode() & 0o7777))
        }
        #[cfg(not(unix))]
        {
            file.set_permissions(original.permissions())
        }
    }

    fn write(&mut self, file: &mut File, buf: &[u8]) -> io::Result<usize> {
        file.write(buf)
    }

    fn sync_file(&mut self, file: &File) -> io::Result<()> {
        file.sync_all()
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
/// either keeps its old bytes or gets the complete rewrapped job, and a failure before
/// the final rename leaves the original as it was. Randomness comes from the operating
/// system.
///
/// Concurrent calls for one job (threads or processes) take turns on an exclusive
/// lock of the job, and each one reads what the previous one wrote, so none undoes
/// another (a revocation stays revoked). The rewrapped job keeps the original's owner,
/// group and permissions. A symbolic link at `path` is refused (see
/// [`RewrapFileOptions::follow_symlinks`]), and so is anything but a regular file. The
/// steps, what happens when each fails, and the temporary file are described at
/// [`rewrap_file_with_options`]. What a rewrap does and does not do, and
/// crypto-shredding, are described at [`crate::rewrap_header`].
///
/// # Errors
/// As [`crate::rewrap_header`]; [`Error::Io`] for a file-system error, for a path that
/// is a symbolic link or not a regular file, for a job replaced by another writer
/// during the rewrap, and for an owner or group that cannot be kept;
/// [`Error::Randomness`] if the OS generator fails.
#[cfg(feature = "getrandom")]
pub fn rewrap_file(
    path: impl AsRef<Path>,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
) -> Result<()> {
    let mut rng = crate::rng::os_rng()?;
    rewrap_file_with_options(
        path,
        identities,
        recipients,
        options,
        &RewrapFileOptions::new(),
        &mut rng,
    )
}

/// [`rewrap_file`] with randomness from `rng`.
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
    rewrap_file_with_options(
        path,
        identities,
        recipients,
        options,
        &RewrapFileOptions::new(),
        rng,
    )
}

/// [`rewrap_file`] with `file_options` and randomness from `rng`.
///
/// 1. The job is opened read-only with `O_NOFOLLOW | O_NONBLOCK` and must be a regular
///    file (checked with `fstat` on the descriptor).
/// 2. It is locked exclusively (`flock`, waiting for the holder), and the path must
///    still name it (device and inode); if a rewrap replaced it while this call
///    waited, the call starts again with the new version (at most 16 times).
/// 3. A temporary file `.printseal-XXXXXXXXXXXXXXXX.tmp` (16 random hex digits) is
///    created next to the job with `O_CREAT | O_EXCL` and mode 0600, then given the
///    job's owner, group and mode.
/// 4. The rewrapped job is written into it (new header, padded to keep the old
///    header's length modulo 4096; payload copied byte for byte, through
///    `copy_file_range` from a 4096-byte boundary on, which shares the blocks on XFS
///    and btrfs) and it is `fsync`ed.
/// 5. If the path still names the job that was read, the temporary file is renamed
///    over it; else the call fails and changes nothing.
/// 6. The directory is `fsync`ed.
///
/// A failure in steps 1 to 5 removes the temporary file and leaves the original
/// untouched. A failure in step 6 is returned although the rename took effect: the
/// path names the rewrapped job, and after a crash either version, whole. A crash
/// leaves at most the temporary file, which holds the new version; delete it.
///
/// # Errors
/// As [`rewrap_file`], less [`Error::Randomness`].
pub fn rewrap_file_with_options(
    path: impl AsRef<Path>,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    file_options: &RewrapFileOptions,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<()> {
    rewrap_file_with_ops(
        &mut StdFileOps,
        path.as_ref(),
        identities,
        recipients,
        options,
        file_options,
        rng,
    )
}

/// [`rewrap_file_with_options`] through `ops`: the fault-injection hook. Not a stable
/// API.
///
/// # Errors
/// As [`rewrap_file_with_options`].
#[doc(hidden)]
pub fn rewrap_file_with_ops(
    ops: &mut dyn FileOps,
    path: &Path,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    file_options: &RewrapFileOptions,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<()> {
    let path = if file_options.follow_symlinks {
        std::fs::canonicalize(path)?
    } else {
        path.to_path_buf()
    };
    let dir = match (path.parent(), path.file_name()) {
        (Some(d), Some(_)) if d.as_os_str().is_empty() => PathBuf::from("."),
        (Some(d), Some(_)) => d.to_path_buf(),
        _ => return Err(Error::InvalidInput("rewrap_file needs a path to a file")),
    };

    let (original, meta) = lock_job(&path)?;

    // Step 3.
    let mut tag = [0u8; 8];
    rng.fill_bytes(&mut tag);
    let tag: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    let tmp = dir.join(format!(".printseal-{tag}.tmp"));
    let mut file = ops.create_new(&tmp)?;
    let written = (|| {
        // Uncontended: nobody else knows the name yet. Held until this call returns,
        // so a rewrap that opens the new version right after the rename waits for the
        // directory sync below.
        file.lock()?;
        ops.copy_access(&file, &meta)?;
        // Step 4.
        write_and_sync(
            ops, &mut file, &original, identities, recipients, options, rng,
        )?;
        // Step 5.
        if !still_names(&path, &meta)? {
            return Err(refused(
                io::ErrorKind::Other,
                Refusal::Replaced(path.clone()),
            ));
        }
        ops.rename(&tmp, &path)?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = ops.remove_file(&tmp);
        return Err(e);
    }

    // Step 6.
    if let Err(e) = ops.sync_dir(&dir) {
        return Err(refused(e.kind(), Refusal::NotDurable(path, e)));
    }
    drop(file);
    drop(original);
    Ok(())
}

/// Steps 1 and 2: the open, locked job and its metadata.
fn lock_job(path: &Path) -> Result<(File, Metadata)> {
    for _ in 0..MAX_ATTEMPTS {
        let file = open_job(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(refused(
                io::ErrorKind::InvalidInput,
                Refusal::NotRegular(path.to_path_buf()),
            ));
        }
        file.lock()?;
        if still_names(path, &meta)? {
            return Ok((file, meta));
        }
        // Replaced while this call waited for the lock: read the new version.
    }
    Err(refused(
        io::ErrorKind::Other,
        Refusal::Replaced(path.to_path_buf()),
    ))
}

fn open_job(path: &Path) -> Result<File> {
    let mut o = File::options();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        match o.open(path) {
            Ok(f) => Ok(f),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => Err(refused(
                io::ErrorKind::InvalidInput,
                Refusal::Symlink(path.to_path_buf()),
            )),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(unix))]
    {
        if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
            return Err(refused(
                io::ErrorKind::InvalidInput,
                Refusal::Symlink(path.to_path_buf()),
            ));
        }
        Ok(o.open(path)?)
    }
}

/// Whether `path` (not following a link) is still the file `meta` describes.
fn still_names(path: &Path, meta: &Metadata) -> Result<bool> {
    let now = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok(now.dev() == meta.dev() && now.ino() == meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok(now.is_file())
    }
}

fn write_and_sync(
    ops: &mut dyn FileOps,
    file: &mut File,
    original: &File,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<()> {
    let mut src = original;
    let (new, prefix, old_len) =
        rewrap_head(&mut src, identities, recipients, options, rng, Some(BLOCK))?;
    {
        let mut out = BufWriter::with_capacity(
            2 * BLOCK,
            OpsWriter {
                ops: &mut *ops,
                file: &mut *file,
            },
        );
        out.write_all(&new)?;
        out.write_all(&prefix)?;
        // Up to the original's next block boundary through the buffer: from there on,
        // both files are at multiples of the block size when the new header kept the
        // old one's length modulo BLOCK, and the file system can share the rest.
        let pos = old_len + PREFIX_SIZE;
        let to_boundary = (BLOCK - pos % BLOCK) % BLOCK;
        io::copy(&mut (&mut src).take(to_boundary as u64), &mut out)?;
        out.flush()?;
    }
    ops.copy(original, file)?;
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

fn refused(kind: io::ErrorKind, why: Refusal) -> Error {
    Error::Io(io::Error::new(kind, why))
}

/// Why [`rewrap_file`] refused or could not finish, inside an [`Error::Io`].
#[derive(Debug)]
enum Refusal {
    Symlink(PathBuf),
    NotRegular(PathBuf),
    Replaced(PathBuf),
    NotDurable(PathBuf, io::Error),
}

impl core::fmt::Display for Refusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Refusal::Symlink(p) => write!(
                f,
                "{} is a symbolic link; rewrap_file does not follow links unless \
                 RewrapFileOptions::follow_symlinks is set",
                p.display()
            ),
            Refusal::NotRegular(p) => write!(
                f,
                "{} is not a regular file (a FIFO, device, socket or directory); \
                 rewrap_file only rewraps regular files",
                p.display()
            ),
            Refusal::Replaced(p) => write!(
                f,
                "{} was replaced by another writer during the rewrap; nothing was \
                 changed, rewrap the new version",
                p.display()
            ),
            Refusal::NotDurable(p, e) => write!(
                f,
                "{} was rewrapped, but its directory could not be flushed to disk ({e}); \
                 after a crash it may hold the old version",
                p.display()
            ),
        }
    }
}

impl std::error::Error for Refusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Refusal::NotDurable(_, e) => Some(e),
            _ => None,
        }
    }
}
