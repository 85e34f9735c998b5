//! Buffer-protocol arguments: any object that exports a contiguous byte buffer
//! (`bytes`, `bytearray`, `memoryview`, `array`, `mmap`), without a copy.
//!
//! pyo3 exposes the buffer protocol only where it is in the limited API (CPython
//! 3.11 on), and this module is built for the stable ABI from 3.9. So it declares the
//! two functions itself. `PyObject_GetBuffer`, `PyBuffer_Release` and the `Py_buffer`
//! layout are the same in every CPython 3 (they entered the stable ABI unchanged in
//! 3.11), and every CPython 3.9+ exports them.
//!
//! Like pyca/cryptography's `CffiBuf` (and CPython's own `hashlib` and `FileIO`,
//! which release the GIL while they work on such buffers), this trusts the caller not
//! to mutate a buffer while a call that was given it runs: a buffer export stops the
//! exporter from resizing or freeing the memory, not from writing to it.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// `Py_buffer` (Include/pybuffer.h), unchanged since CPython 3.3.
#[repr(C)]
struct RawBuffer {
    buf: *mut c_void,
    obj: *mut ffi::PyObject,
    len: ffi::Py_ssize_t,
    itemsize: ffi::Py_ssize_t,
    readonly: c_int,
    ndim: c_int,
    format: *mut c_char,
    shape: *mut ffi::Py_ssize_t,
    strides: *mut ffi::Py_ssize_t,
    suboffsets: *mut ffi::Py_ssize_t,
    internal: *mut c_void,
}

/// `PyBUF_SIMPLE`: a contiguous buffer of bytes, no shape or strides needed.
const PYBUF_SIMPLE: c_int = 0;
/// `PyBUF_WRITABLE`.
const PYBUF_WRITABLE: c_int = 0x0001;

unsafe extern "C" {
    fn PyObject_GetBuffer(obj: *mut ffi::PyObject, view: *mut RawBuffer, flags: c_int) -> c_int;
    fn PyBuffer_Release(view: *mut RawBuffer);
}

/// An exported buffer, released on drop (which happens while attached: the value
/// never leaves the `'py` scope it was made in).
pub(crate) struct Export<'py> {
    _obj: Bound<'py, PyAny>,
    // Boxed: the exporter may keep pointers into the view (`internal`).
    view: Box<RawBuffer>,
}

impl<'py> Export<'py> {
    fn get(obj: &Bound<'py, PyAny>, flags: c_int) -> PyResult<Export<'py>> {
        let mut view = Box::new(RawBuffer {
            buf: std::ptr::null_mut(),
            obj: std::ptr::null_mut(),
            len: 0,
            itemsize: 0,
            readonly: 0,
            ndim: 0,
            format: std::ptr::null_mut(),
            shape: std::ptr::null_mut(),
            strides: std::ptr::null_mut(),
            suboffsets: std::ptr::null_mut(),
            internal: std::ptr::null_mut(),
        });
        // SAFETY: `obj` is a live object (we hold a reference while attached), `view`
        // is a writable Py_buffer with the C layout; on success the exporter fills it
        // and it must be released once (Drop), on failure it is left unfilled and an
        // exception is set, which PyErr::fetch takes.
        let rc = unsafe { PyObject_GetBuffer(obj.as_ptr(), &mut *view, flags) };
        if rc != 0 {
            return Err(PyErr::fetch(obj.py()));
        }
        Ok(Export {
            _obj: obj.clone(),
            view,
        })
    }

    fn len(&self) -> usize {
        usize::try_from(self.view.len).unwrap_or(0)
    }
}

impl Drop for Export<'_> {
    fn drop(&mut self) {
        // SAFETY: the view was filled by a successful PyObject_GetBuffer and is
        // released exactly once, while attached to the interpreter (an Export lives
        // only inside the `'py` scope that made it).
        unsafe { PyBuffer_Release(&mut *self.view) }
    }
}

/// A read-only byte buffer argument.
pub(crate) enum Buf<'py> {
    /// A `bytes` object: immutable, so its bytes cannot change under us.
    Bytes(Bound<'py, PyBytes>),
    /// Any other buffer exporter.
    Export(Export<'py>),
}

impl<'py> Buf<'py> {
    /// Takes the buffer of `obj`.
    ///
    /// # Errors
    /// `TypeError` if `obj` does not export a contiguous buffer.
    pub(crate) fn get(obj: &Bound<'py, PyAny>) -> PyResult<Buf<'py>> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Buf::Bytes(b.clone()));
        }
        Ok(Buf::Export(Export::get(obj, PYBUF_SIMPLE)?))
    }

    /// The bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Buf::Bytes(b) => b.as_bytes(),
            Buf::Export(e) => {
                let len = e.len();
                if len == 0 || e.view.buf.is_null() {
                    return &[];
                }
                // SAFETY: a PyBUF_SIMPLE export is `len` contiguous bytes at `buf`,
                // valid until the export is released, which the borrow of `self`
                // outlives. Concurrent mutation by the caller is not excluded (see
                // the module docs).
                unsafe { std::slice::from_raw_parts(e.view.buf.cast::<u8>(), len) }
            }
        }
    }
}

/// A writable byte buffer argument (the output of `update_into` and `readinto`).
pub(crate) struct BufMut<'py> {
    export: Export<'py>,
}

impl<'py> BufMut<'py> {
    /// Takes the writable buffer of `obj`.
    ///
    /// # Errors
    /// `TypeError` or `BufferError` if `obj` does not export a contiguous writable
    /// buffer (a `bytes` object, a read-only `memoryview`).
    pub(crate) fn get(obj: &Bound<'py, PyAny>) -> PyResult<BufMut<'py>> {
        Ok(BufMut {
            export: Export::get(obj, PYBUF_WRITABLE)?,
        })
    }

    /// The bytes, for writing.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        let len = self.export.len();
        if len == 0 || self.export.view.buf.is_null() {
            return &mut [];
        }
        // SAFETY: a PyBUF_WRITABLE export is `len` contiguous writable bytes at `buf`,
        // valid until the export is released, which the borrow of `self` outlives;
        // `&mut self` makes this the only slice made from it.
        unsafe { std::slice::from_raw_parts_mut(self.export.view.buf.cast::<u8>(), len) }
    }
}

/// Whether two slices share memory (an `update_into` whose output overlaps its
/// input must work from a copy of the input).
pub(crate) fn overlaps(a: &[u8], b: &[u8]) -> bool {
    let (a0, b0) = (a.as_ptr() as usize, b.as_ptr() as usize);
    a0 < b0.saturating_add(b.len()) && b0 < a0.saturating_add(a.len())
}

/// Inputs at least this long are processed with the interpreter detached (other
/// Python threads run meanwhile); shorter ones are not worth the switch.
pub(crate) const DETACH_MIN: usize = 16 * 1024;

/// A new `bytes` of `len` bytes, filled by `fill` with the interpreter detached, for
/// the large outputs of the one-shot functions. Returns the object and what `fill`
/// returned.
///
/// The object is made as Python's `bytes(len)` makes it: `calloc`, which for a large
/// size maps fresh zero pages without writing them. The first write to each page then
/// takes its page fault inside `fill`, on whichever of the core's rayon threads seals
/// or opens that chunk, instead of in a zeroing pass of its own before any chunk is
/// sealed (`PyBytes::new_with` zero-fills on one thread with the interpreter
/// attached). On the development VM the faults of a fresh GiB in 4 KiB pages cost about
/// as much as sealing it (0.35-0.45 s, 262,144 faults) and do not go faster on two
/// threads; skipping the extra pass saved 3-5% of CPU time in an A/B run. On Linux the
/// 2 MiB-aligned part of the buffer is also advised as huge pages (see
/// [`advise_huge_pages`]), so that a GiB takes 512 faults (docs in python/README.md,
/// Performance).
///
/// Only for `len >= 2` (smaller `bytes` objects are shared singletons); the callers
/// use it from 1 MiB on.
///
/// # Errors
/// `MemoryError` if the object cannot be allocated, `OverflowError` for a length
/// over `isize::MAX`.
pub(crate) fn bytes_detached<'py, T: Send>(
    py: Python<'py>,
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> T + Send,
) -> PyResult<(Bound<'py, PyBytes>, T)> {
    if len < 2 {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "bytes_detached: a large output expected",
        ));
    }
    let n = ffi::Py_ssize_t::try_from(len)
        .map_err(|_| pyo3::exceptions::PyOverflowError::new_err("output too large"))?;
    // `bytes(n)`: a new object (n >= 2 is never a cached singleton) of n zero bytes.
    let obj = py
        .get_type::<PyBytes>()
        .call1((n,))?
        .cast_into::<PyBytes>()?;
    // SAFETY: `obj` is a bytes object; its buffer holds n bytes (and a NUL).
    let base = unsafe { ffi::PyBytes_AsString(obj.as_ptr()) } as usize;
    if base == 0 {
        return Err(PyErr::fetch(py));
    }
    advise_huge_pages(base, len);
    let result = py.detach(move || {
        // SAFETY: the n bytes at `base` are initialised (calloc'd zeros) and belong to
        // a new object that no Python code can see until this function returns it, so
        // this is the only reference to them while `fill` runs.
        let out = unsafe { std::slice::from_raw_parts_mut(base as *mut u8, len) };
        fill(out)
    });
    Ok((obj, result))
}

/// Asks Linux to back the whole 2 MiB pages inside `[base, base + len)` with transparent
/// huge pages (`madvise(MADV_HUGEPAGE)`), for a fresh buffer that is about to be written
/// once from start to end: where the kernel's THP mode is `madvise` (Debian's default
/// on this VM) the buffer otherwise faults in 4 KiB pages. Advice only: contents and
/// validity do not change, and a refusal (THP off, an old kernel) is ignored.
#[cfg(target_os = "linux")]
fn advise_huge_pages(base: usize, len: usize) {
    const HUGE: usize = 2 << 20;
    // Smaller outputs take few faults either way.
    const HUGE_PAGE_MIN: usize = 8 << 20;
    if len < HUGE_PAGE_MIN {
        return;
    }
    let start = base.next_multiple_of(HUGE);
    let end = (base + len) / HUGE * HUGE;
    if end > start {
        // SAFETY: [start, end) lies inside the `len` bytes at `base`, which this
        // process owns (a new bytes object); MADV_HUGEPAGE is advisory and neither
        // moves, frees nor changes the memory.
        let _ =
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_base: usize, _len: usize) {}
