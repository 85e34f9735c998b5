//! Borrowed byte and string views handed to C (after rustls-ffi `rslice.rs`).

use core::ffi::c_char;
use core::ptr::null;

/// A borrowed UTF-8 string: `len` bytes at `data`, not NUL-terminated.
///
/// It points into the object it came from and is valid until that object is freed or
/// the next call that changes it (each function says which). `data` is NULL and `len`
/// 0 for an absent value.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct printseal_str {
    /// The first byte, or NULL for an absent value.
    pub data: *const c_char,
    /// The length in bytes.
    pub len: usize,
}

impl Default for printseal_str {
    fn default() -> Self {
        printseal_str {
            data: null(),
            len: 0,
        }
    }
}

impl printseal_str {
    pub(crate) fn from_str(s: &str) -> printseal_str {
        printseal_str {
            data: s.as_ptr().cast(),
            len: s.len(),
        }
    }

    pub(crate) fn from_opt(s: Option<&str>) -> printseal_str {
        s.map(printseal_str::from_str).unwrap_or_default()
    }
}

/// Borrowed bytes: `len` bytes at `data`. Same lifetime rules as [`printseal_str`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct printseal_slice {
    /// The first byte, or NULL for an absent value.
    pub data: *const u8,
    /// The length in bytes.
    pub len: usize,
}

impl Default for printseal_slice {
    fn default() -> Self {
        printseal_slice {
            data: null(),
            len: 0,
        }
    }
}

impl printseal_slice {
    pub(crate) fn from_bytes(b: &[u8]) -> printseal_slice {
        printseal_slice {
            data: b.as_ptr(),
            len: b.len(),
        }
    }
}
