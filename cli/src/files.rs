//! Inputs and outputs: standard streams or files, and atomic output files.
//!
//! A file output is written to a temporary file in the destination's directory,
//! created with its final mode, then `fsync`ed, renamed over the destination and the
//! directory `fsync`ed. Until [`Output::commit`] succeeds the destination is untouched;
//! on any failure (or if the output is dropped uncommitted) the temporary file is
//! removed.

use std::fs::{File, Permissions};
use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{CliError, Result};

/// Temporary output files not yet renamed into place, removed by [`on_signal`] when
/// the process is interrupted.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Installs the handler that removes pending temporary files on SIGINT, SIGTERM or
/// SIGHUP and exits with 130, so that an interrupted command leaves nothing behind.
pub(crate) fn on_signal() {
    let _ = ctrlc::set_handler(|| {
        for p in pending().drain(..) {
            let _ = std::fs::remove_file(p);
        }
        let _ = io::stderr().write_all(b"printseal: interrupted; no output was kept\n");
        std::process::exit(130);
    });
}

/// Buffer size of the hot paths. Without `parallel`, 64 KiB: the plaintext stays in the
/// core's L2 cache between the kernel's copy into it and the AEAD reading it, which
/// seals 1 GiB about 10 % faster than a 1 MiB buffer (docs/PERFORMANCE.md); the core's
/// `SealWriter` gathers the sealed bytes into large writes itself. With `parallel`,
/// 1 MiB, so that the core gets runs of 64 chunks to share among threads.
#[cfg(not(feature = "parallel"))]
pub(crate) const BUF_SIZE: usize = 64 << 10;
#[cfg(feature = "parallel")]
pub(crate) const BUF_SIZE: usize = 1 << 20;

/// An opened input: a file, or standard input as a file.
pub(crate) struct Input {
    pub(crate) file: File,
    /// "standard input" or the path, for messages.
    pub(crate) name: String,
    /// The length, for a regular file.
    pub(crate) len: Option<u64>,
}

/// Opens IN (`None` or `-` is standard input).
pub(crate) fn open_input(path: Option<&Path>) -> Result<Input> {
    match path {
        None => stdin_input(),
        Some(p) if p.as_os_str() == "-" => stdin_input(),
        Some(p) => {
            let name = p.display().to_string();
            let file = File::open(p).map_err(|e| CliError::io(&name, &e))?;
            let meta = file.metadata().map_err(|e| CliError::io(&name, &e))?;
            if meta.is_dir() {
                return Err(CliError::usage(format!("{name} is a directory"))
                    .with_remedy("pass a file as IN"));
            }
            Ok(Input {
                file,
                name,
                len: meta.is_file().then_some(meta.len()),
            })
        }
    }
}

fn stdin_input() -> Result<Input> {
    // A duplicate of descriptor 0 as a `File`: unbuffered, so large reads go straight
    // into the caller's buffer.
    let fd = io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| CliError::io("standard input", &e))?;
    let file = File::from(fd);
    let len = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    Ok(Input {
        file,
        name: "standard input".into(),
        len,
    })
}

/// Reads until `buf` is full or the input ends; returns how much was read.
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// What an output holds, which decides the terminal check and the file mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A sealed job: binary, mode 0666 less the umask.
    Sealed,
    /// Plaintext of a job: mode 0600; binary unless `text`.
    Plaintext { text: bool },
}

/// An output: standard output, or an atomic file.
pub(crate) enum Output {
    Stdout(File),
    File(AtomicFile),
}

/// Opens OUT. `None` is standard output, refused for binary output when it is a
/// terminal; `-` is standard output, always. `input` is the input path, which the
/// output may not be.
pub(crate) fn create_output(
    out: Option<&Path>,
    kind: Kind,
    input: Option<&Path>,
) -> Result<Output> {
    let binary = !matches!(kind, Kind::Plaintext { text: true });
    match out {
        None => {
            if binary && io::stdout().is_terminal() {
                return Err(
                    CliError::usage("refusing to write binary output to a terminal").with_remedy(
                        "pass -o FILE, redirect standard output, or pass -o - to force it",
                    ),
                );
            }
            stdout_output()
        }
        Some(p) if p.as_os_str() == "-" => stdout_output(),
        Some(p) => {
            if let Some(i) = input {
                if same_file(p, i) {
                    return Err(CliError::usage(format!(
                        "the output {} is the input file",
                        p.display()
                    ))
                    .with_remedy("pass another -o FILE (rewrap has --in-place for this)"));
                }
            }
            let mode = match kind {
                Kind::Sealed => 0o666,
                Kind::Plaintext { .. } => 0o600,
            };
            Ok(Output::File(AtomicFile::create(p, mode, false)?))
        }
    }
}

fn stdout_output() -> Result<Output> {
    let fd = io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| CliError::io("standard output", &e))?;
    Ok(Output::Stdout(File::from(fd)))
}

fn same_file(a: &Path, b: &Path) -> bool {
    if b.as_os_str() == "-" {
        return false;
    }
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

impl Output {
    /// Finishes the output: flushed for standard output; synced and renamed into place
    /// for a file.
    pub(crate) fn commit(self) -> Result<()> {
        match self {
            Output::Stdout(mut f) => f.flush().map_err(|e| CliError::io("standard output", &e)),
            Output::File(f) => f.commit(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(f) => f.write(buf),
            Output::File(f) => f.tmp.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(f) => f.write_all(buf),
            Output::File(f) => f.tmp.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(f) => f.flush(),
            Output::File(f) => f.tmp.flush(),
        }
    }
}

/// A file written under a temporary name next to its destination and renamed into
/// place by [`AtomicFile::commit`]; removed if dropped before.
pub(crate) struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    dest: PathBuf,
    dir: PathBuf,
    no_clobber: bool,
}

impl AtomicFile {
    /// A temporary file in `dest`'s directory, created with `mode` (less the umask).
    /// With `no_clobber`, [`AtomicFile::commit`] refuses an existing `dest`.
    pub(crate) fn create(dest: &Path, mode: u32, no_clobber: bool) -> Result<AtomicFile> {
        let name = dest
            .file_name()
            .ok_or_else(|| {
                CliError::usage(format!("{} is not a file name", dest.display()))
                    .with_remedy("pass -o with a file path")
            })?
            .to_string_lossy()
            .into_owned();
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if no_clobber && std::fs::symlink_metadata(dest).is_ok() {
            return Err(already_exists(dest));
        }
        // A short prefix keeps the temporary name within NAME_MAX for long names.
        let prefix: String = format!(".{}", name.chars().take(64).collect::<String>());
        let tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".printseal-tmp")
            .permissions(Permissions::from_mode(mode))
            .tempfile_in(&dir)
            .map_err(|e| CliError::io(&format!("creating a file in {}", dir.display()), &e))?;
        pending().push(tmp.path().to_path_buf());
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            dir,
            no_clobber,
        })
    }

    /// The file being written.
    pub(crate) fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// `fsync`, rename into place, `fsync` the directory.
    pub(crate) fn commit(mut self) -> Result<()> {
        let dest = self.dest.display().to_string();
        let tmp_path = self.tmp.path().to_path_buf();
        self.tmp
            .flush()
            .and_then(|()| self.tmp.as_file().sync_all())
            .map_err(|e| CliError::io(&dest, &e))?;
        let persisted = if self.no_clobber {
            self.tmp.persist_noclobber(&self.dest)
        } else {
            self.tmp.persist(&self.dest)
        };
        // Renamed (or removed by the error below): no longer for the signal handler.
        pending().retain(|p| *p != tmp_path);
        if let Err(e) = persisted {
            // `e.file` is dropped here, which removes the temporary file.
            if e.error.kind() == io::ErrorKind::AlreadyExists {
                return Err(already_exists(&self.dest));
            }
            return Err(CliError::io(&dest, &e.error));
        }
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| CliError::io(&format!("syncing {}", self.dir.display()), &e))
    }
}

fn already_exists(dest: &Path) -> CliError {
    CliError::usage(format!(
        "{} already exists; refusing to overwrite it",
        dest.display()
    ))
    .with_remedy("pass -o with a new file name")
}

/// `fsync`s a directory, after removing or renaming an entry in it.
pub(crate) fn sync_dir_of(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file().flush()
    }
}
