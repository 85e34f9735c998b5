//! Python file objects as `std::io` readers and writers, and the stream classes
//! behind `printseal.SealWriter` and `printseal.OpenReader` (which are `io.RawIOBase`
//! subclasses written in Python around these).
//!
//! The core's io adapters do the work with the interpreter detached; each read or
//! write of the Python file object attaches for the call.

use std::io::{self, Read, Seek, SeekFrom, Write};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use printseal::Error as Core;

use crate::buf::{Buf, BufMut};
use crate::error::PsResult;
use crate::header::Header;
use crate::keys::{identity_refs, recipient_refs, recipients_use_token};
use crate::options::seal_options;
use crate::policy::{OpenPolicy, open_options};
use crate::push::{maybe_detach, private_dict};

/// A binary Python file object read through `read(n)`, and `seek` when seekable.
pub(crate) struct PyReader {
    obj: Py<PyAny>,
}

impl PyReader {
    pub(crate) fn new(obj: Py<PyAny>) -> PyReader {
        PyReader { obj }
    }
}

impl Read for PyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Python::attach(|py| {
            let data = self
                .obj
                .bind(py)
                .call_method1(intern!(py, "read"), (buf.len(),))?;
            if data.is_none() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let data = Buf::get(&data)?;
            let data = data.as_slice();
            let out = buf
                .get_mut(..data.len())
                .ok_or_else(|| io::Error::other("read() returned more bytes than asked for"))?;
            out.copy_from_slice(data);
            Ok(data.len())
        })
    }
}

impl Seek for PyReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        Python::attach(|py| {
            let (offset, whence): (i128, i32) = match pos {
                SeekFrom::Start(n) => (i128::from(n), 0),
                SeekFrom::Current(n) => (i128::from(n), 1),
                SeekFrom::End(n) => (i128::from(n), 2),
            };
            Ok(self
                .obj
                .bind(py)
                .call_method1(intern!(py, "seek"), (offset, whence))?
                .extract::<u64>()?)
        })
    }
}

/// A binary Python file object written through `write(b)`.
pub(crate) struct PyWriter {
    obj: Py<PyAny>,
}

impl PyWriter {
    pub(crate) fn new(obj: Py<PyAny>) -> PyWriter {
        PyWriter { obj }
    }
}

impl Write for PyWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Python::attach(|py| {
            let n = self
                .obj
                .bind(py)
                .call_method1(intern!(py, "write"), (PyBytes::new(py, buf),))?;
            if n.is_none() {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n: usize = n.extract()?;
            if n > buf.len() {
                return Err(io::Error::other("write() reported more bytes than given"));
            }
            Ok(n)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Python::attach(|py| {
            let obj = self.obj.bind(py);
            if obj.hasattr(intern!(py, "flush"))? {
                obj.call_method0(intern!(py, "flush"))?;
            }
            Ok(())
        })
    }
}

/// Whether a file object says it is seekable.
pub(crate) fn is_seekable(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let py = obj.py();
    if !obj.hasattr(intern!(py, "seekable"))? {
        return Ok(false);
    }
    obj.call_method0(intern!(py, "seekable"))?.is_truthy()
}

/// The engine of `printseal.SealWriter`: the core's `SealWriter` over a Python file.
#[pyclass(module = "printseal._printseal", name = "_SealWriter")]
pub(crate) struct SealWriter {
    inner: Option<printseal::io::SealWriter<PyWriter>>,
}

#[pymethods]
impl SealWriter {
    #[new]
    #[pyo3(signature = (
        fileobj,
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
    fn new(
        py: Python<'_>,
        fileobj: Py<PyAny>,
        recipients: &Bound<'_, PyAny>,
        content_type: &str,
        job_id: Option<&str>,
        expires: Option<&Bound<'_, PyAny>>,
        private: Option<&Bound<'_, PyAny>>,
        suite: &str,
        created: Option<&Bound<'_, PyAny>>,
        allow_mixed_pq: bool,
    ) -> PsResult<SealWriter> {
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
        let w = maybe_detach(py, 0, recipients_use_token(&r), || {
            printseal::io::SealWriter::new(PyWriter::new(fileobj), &opts, &recipient_refs(&r))
        })?;
        Ok(SealWriter { inner: Some(w) })
    }

    fn write(&mut self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PsResult<usize> {
        let w = self.inner.as_mut().ok_or(Core::InvalidState)?;
        let data = Buf::get(data)?;
        let input = data.as_slice();
        maybe_detach(py, input.len(), false, || w.write_all(input))?;
        Ok(input.len())
    }

    fn finish(&mut self, py: Python<'_>) -> PsResult<()> {
        let w = self.inner.take().ok_or(Core::InvalidState)?;
        py.detach(|| w.finish())?;
        Ok(())
    }

    /// Drops the job without its final chunk: what was written is a truncated job
    /// that no opener accepts.
    fn abort(&mut self) {
        self.inner = None;
    }

    #[getter]
    fn finished(&self) -> bool {
        self.inner.is_none()
    }
}

/// Both readers are boxed: they carry their buffers' state inline and differ in size.
enum Reader {
    Stream(Box<printseal::io::OpenReader<PyReader>>, u64),
    Seek(Box<printseal::io::SeekableOpenReader<PyReader>>),
}

/// The engine of `printseal.OpenReader`: the core's `OpenReader` or, on a seekable
/// file, `SeekableOpenReader`.
#[pyclass(module = "printseal._printseal", name = "_OpenReader")]
pub(crate) struct OpenReader {
    inner: Reader,
    header: Py<Header>,
    private: Py<PyDict>,
}

#[pymethods]
impl OpenReader {
    #[new]
    #[pyo3(signature = (fileobj, identities, *, policy=None))]
    fn new(
        py: Python<'_>,
        fileobj: &Bound<'_, PyAny>,
        identities: &Bound<'_, PyAny>,
        policy: Option<&OpenPolicy>,
    ) -> PsResult<OpenReader> {
        let ids = crate::keys::identities(identities)?;
        let options = open_options(policy);
        let seekable = is_seekable(fileobj)?;
        let reader = PyReader::new(fileobj.clone().unbind());
        let inner = py.detach(|| -> printseal::Result<Reader> {
            let refs = identity_refs(&ids);
            Ok(if seekable {
                Reader::Seek(Box::new(printseal::io::SeekableOpenReader::with_options(
                    reader, &refs, &options,
                )?))
            } else {
                Reader::Stream(
                    Box::new(printseal::io::OpenReader::with_options(
                        reader, &refs, &options,
                    )?),
                    0,
                )
            })
        })?;
        let (header, private) = match &inner {
            Reader::Stream(r, _) => (r.header(), r.private_metadata()),
            Reader::Seek(r) => (r.header(), r.private_metadata()),
        };
        Ok(OpenReader {
            header: Py::new(py, Header::new(header.clone()))?,
            private: private_dict(py, private)?.unbind(),
            inner,
        })
    }

    #[getter]
    fn header(&self, py: Python<'_>) -> Py<Header> {
        self.header.clone_ref(py)
    }

    #[getter]
    fn private_metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.private.bind(py).copy()
    }

    #[getter]
    fn seekable(&self) -> bool {
        matches!(self.inner, Reader::Seek(_))
    }

    fn readinto(&mut self, py: Python<'_>, buf: &Bound<'_, PyAny>) -> PsResult<usize> {
        let mut buf = BufMut::get(buf)?;
        let out = buf.as_mut_slice();
        let n = out.len();
        Ok(match &mut self.inner {
            Reader::Stream(r, pos) => {
                let k = maybe_detach(py, n, false, || r.read(out))?;
                *pos += k as u64;
                k
            }
            Reader::Seek(r) => maybe_detach(py, n, false, || r.read(out))?,
        })
    }

    /// Everything up to the end, authenticated.
    fn readall<'py>(&mut self, py: Python<'py>) -> PsResult<Bound<'py, PyBytes>> {
        let mut out = Vec::new();
        match &mut self.inner {
            Reader::Stream(r, pos) => {
                py.detach(|| r.read_to_end(&mut out))?;
                *pos += out.len() as u64;
            }
            Reader::Seek(r) => {
                py.detach(|| r.read_to_end(&mut out))?;
            }
        }
        Ok(PyBytes::new(py, &out))
    }

    #[pyo3(signature = (offset, whence=0))]
    fn seek(&mut self, py: Python<'_>, offset: i64, whence: i32) -> PsResult<u64> {
        let pos = match whence {
            0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Core::InvalidSeek)?),
            1 => SeekFrom::Current(offset),
            2 => SeekFrom::End(offset),
            _ => return Err(crate::error::usage("whence (must be 0, 1 or 2)")),
        };
        match &mut self.inner {
            Reader::Seek(r) => Ok(py.detach(|| r.seek(pos))?),
            Reader::Stream(..) => Err(pyo3::exceptions::PyOSError::new_err(
                "the source is not seekable, so neither is the reader",
            )
            .into()),
        }
    }

    fn tell(&mut self) -> PsResult<u64> {
        match &mut self.inner {
            Reader::Seek(r) => Ok(r.stream_position()?),
            Reader::Stream(_, pos) => Ok(*pos),
        }
    }

    /// The plaintext length, authenticated by decrypting the final chunk (seekable
    /// sources only).
    fn plaintext_len(&mut self, py: Python<'_>) -> PsResult<u64> {
        match &mut self.inner {
            Reader::Seek(r) => Ok(py.detach(|| r.plaintext_len())?),
            Reader::Stream(..) => Err(pyo3::exceptions::PyOSError::new_err(
                "the plaintext length needs a seekable source",
            )
            .into()),
        }
    }
}
