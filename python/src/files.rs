//! File helpers: `seal_file`, `open_file`, `inspect`, `rewrap_file`. Paths are
//! opened in Rust and the whole job runs with the interpreter detached; a path output
//! is written atomically (a temporary file in the same directory, created `0600`,
//! `fsync`, rename, directory `fsync`) and never appears half-written.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyString;

use printseal::RewrapOptions;

use crate::buf::Buf;
use crate::error::{PsResult, usage};
use crate::header::Header;
use crate::keys::{identity_refs, recipient_refs, recipients_use_token};
use crate::options::seal_options;
use crate::policy::{OpenPolicy, open_options};
use crate::push::maybe_detach;
use crate::pyio::{PyReader, PyWriter};

/// Bytes moved per read: 64 chunks, so that the `parallel` core seals and opens on
/// several threads.
const COPY_BUF: usize = 1 << 20;

/// A path argument: `str` or `os.PathLike`.
fn as_path(obj: &Bound<'_, PyAny>) -> PyResult<Option<PathBuf>> {
    if obj.is_instance_of::<PyString>() || obj.hasattr(intern!(obj.py(), "__fspath__"))? {
        return Ok(Some(obj.extract::<PathBuf>()?));
    }
    Ok(None)
}

enum Input {
    File(File, PathBuf),
    Py(PyReader),
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::File(f, _) => f.read(buf),
            Input::Py(r) => r.read(buf),
        }
    }
}

fn input(obj: &Bound<'_, PyAny>) -> PyResult<Input> {
    if let Some(p) = as_path(obj)? {
        return Ok(Input::File(File::open(&p)?, p));
    }
    if obj.hasattr(intern!(obj.py(), "read"))? {
        return Ok(Input::Py(PyReader::new(obj.clone().unbind())));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(
        "expected a path (str or os.PathLike) or a binary file object with read()",
    ))
}

/// A file written under a temporary name and renamed over its final name only once
/// complete. Dropped before `commit`, it removes the temporary file.
pub(crate) struct AtomicFile {
    file: Option<File>,
    tmp: PathBuf,
    dst: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file next to `dst`, mode `0600`, refusing to follow a
    /// symbolic link (`O_CREAT | O_EXCL`).
    pub(crate) fn create(dst: &Path) -> io::Result<AtomicFile> {
        let dir = match dst.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if dst.file_name().is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "output path has no file name",
            ));
        }
        let mut rnd = [0u8; 8];
        getrandom::fill(&mut rnd)
            .map_err(|_| io::Error::other("random number generator failed"))?;
        let name: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
        let tmp = dir.join(format!(".printseal-{name}.tmp"));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        Ok(AtomicFile {
            file: Some(file),
            tmp,
            dst: dst.to_path_buf(),
        })
    }

    /// `fsync`, rename over the final name, `fsync` the directory.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        let file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("already committed"))?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&self.tmp, &self.dst)?;
        self.tmp = PathBuf::new();
        let dir = match self.dst.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

enum Output {
    File(AtomicFile),
    Py(PyWriter),
}

impl Output {
    fn commit(self) -> io::Result<()> {
        match self {
            Output::File(f) => f.commit(),
            Output::Py(mut w) => w.flush(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::File(f) => f.write(buf),
            Output::Py(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::File(f) => f.flush(),
            Output::Py(w) => w.flush(),
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

fn output(obj: &Bound<'_, PyAny>, src: &Input) -> PsResult<Output> {
    if let Some(p) = as_path(obj)? {
        if let Input::File(_, s) = src {
            if same_file(s, &p) {
                return Err(usage("output path (it is the input file)"));
            }
        }
        return Ok(Output::File(AtomicFile::create(&p)?));
    }
    if obj.hasattr(intern!(obj.py(), "write"))? {
        return Ok(Output::Py(PyWriter::new(obj.clone().unbind())));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(
        "expected a path (str or os.PathLike) or a binary file object with write()",
    )
    .into())
}

fn pump(r: &mut dyn Read, w: &mut dyn Write) -> io::Result<u64> {
    let mut buf = vec![0u8; COPY_BUF];
    let mut total = 0u64;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        w.write_all(&buf[..n])?;
        total += n as u64;
    }
}

/// Seals `src` into `dst` and returns the job's header.
#[pyfunction]
#[pyo3(signature = (
    src,
    dst,
    recipients,
    *,
    content_type="application/octet-stream",
    job_id=None,
    expires=None,
    private=None,
    suite="aes-256-gcm",
    created=None,
    allow_mixed_pq=false,
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn seal_file(
    py: Python<'_>,
    src: &Bound<'_, PyAny>,
    dst: &Bound<'_, PyAny>,
    recipients: &Bound<'_, PyAny>,
    content_type: &str,
    job_id: Option<&str>,
    expires: Option<&Bound<'_, PyAny>>,
    private: Option<&Bound<'_, PyAny>>,
    suite: &str,
    created: Option<&Bound<'_, PyAny>>,
    allow_mixed_pq: bool,
) -> PsResult<Header> {
    let opts = seal_options(
        content_type,
        job_id,
        expires,
        private,
        suite,
        created,
        allow_mixed_pq,
    )?;
    let r = crate::keys::recipients(recipients)?;
    let sealer = maybe_detach(py, 0, recipients_use_token(&r), || {
        printseal::Sealer::new(&opts, &recipient_refs(&r))
    })?;
    let header = printseal::Header::parse(sealer.header_bytes())?;
    let mut inp = input(src)?;
    let out = output(dst, &inp)?;
    py.detach(|| -> PsResult<()> {
        let mut w = printseal::io::SealWriter::from_sealer(out, sealer);
        pump(&mut inp, &mut w)?;
        w.finish()?.commit()?;
        Ok(())
    })?;
    Ok(Header::new(header))
}

/// Opens the job `src` into `dst` and returns its authenticated header. A path `dst`
/// appears only once the whole job verified.
#[pyfunction]
#[pyo3(signature = (src, dst, identities, *, policy=None))]
pub(crate) fn open_file(
    py: Python<'_>,
    src: &Bound<'_, PyAny>,
    dst: &Bound<'_, PyAny>,
    identities: &Bound<'_, PyAny>,
    policy: Option<&OpenPolicy>,
) -> PsResult<Header> {
    let ids = crate::keys::identities(identities)?;
    let options = open_options(policy);
    let inp = input(src)?;
    let mut out = output(dst, &inp)?;
    let header = py.detach(|| -> PsResult<printseal::Header> {
        let mut r = printseal::io::OpenReader::with_options(inp, &identity_refs(&ids), &options)?;
        pump(&mut r, &mut out)?;
        out.commit()?;
        Ok(r.header().clone())
    })?;
    Ok(Header::new(header))
}

/// Reads the header of a job without a key: from `bytes`-like data, a path or a
/// binary file object (read up to the end of the header, no further).
#[pyfunction]
pub(crate) fn inspect(py: Python<'_>, source: &Bound<'_, PyAny>) -> PsResult<Header> {
    if as_path(source)?.is_some() || source.hasattr(intern!(py, "read"))? {
        let mut inp = input(source)?;
        let h = py.detach(|| printseal::io::read_header(&mut inp))?;
        return Ok(Header::new(h));
    }
    let data = Buf::get(source)?;
    Ok(Header::new(printseal::Header::parse(data.as_slice())?))
}

/// Rewraps the job at `path` in place for `recipients`, atomically (the core's
/// `rewrap_file`).
#[pyfunction]
#[pyo3(signature = (path, identities, recipients, *, policy=None, allow_mixed_pq=false))]
pub(crate) fn rewrap_file(
    py: Python<'_>,
    path: PathBuf,
    identities: &Bound<'_, PyAny>,
    recipients: &Bound<'_, PyAny>,
    policy: Option<&OpenPolicy>,
    allow_mixed_pq: bool,
) -> PsResult<()> {
    let ids = crate::keys::identities(identities)?;
    let r = crate::keys::recipients(recipients)?;
    let opts = RewrapOptions::new()
        .open_options(open_options(policy))
        .allow_mixed_pq(allow_mixed_pq);
    py.detach(|| {
        printseal::io::rewrap_file(&path, &identity_refs(&ids), &recipient_refs(&r), &opts)
    })?;
    Ok(())
}
