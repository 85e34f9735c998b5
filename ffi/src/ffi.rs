//! Pointer plumbing between C handles and Rust values (after rustls-ffi
//! `librustls/src/ffi.rs`).
//!
//! A C handle type `printseal_x` is a zero-sized opaque struct that implements
//! [`Castable`]: its `RustType` is what the pointer really points at, and its
//! `Ownership` says how the pointer was made: `Box::into_raw` ([`OwnershipBox`]: one
//! owner, mutable, one thread at a time) or `Arc::into_raw` ([`OwnershipArc`]: shared,
//! immutable, any thread). A header borrowed from an opener is a `&Header` cast to the
//! Box-owned `printseal_header` type, which the header documents as not to be freed.
//!
//! ## Unsafety
//!
//! Every function and macro here trusts that a non-NULL pointer is what the header
//! says it is: a live handle of that type made by this library (not freed), a buffer
//! of at least the given length, an out-parameter that may be written. That is the
//! contract of every entry point, written in `include/printseal.h`. NULL pointers and
//! lengths that do not fit are checked and refused.

use std::sync::Arc;

/// The pointer was made by `Box::into_raw`.
pub(crate) struct OwnershipBox;
/// The pointer was made by `Arc::into_raw`.
pub(crate) struct OwnershipArc;

/// Marker for the ownership kinds.
pub(crate) trait OwnershipMarker {}
impl OwnershipMarker for OwnershipBox {}
impl OwnershipMarker for OwnershipArc {}

/// Ties a C handle type to the Rust type behind it and to how its pointers are made.
pub(crate) trait Castable {
    /// How pointers to this handle are made.
    type Ownership: OwnershipMarker;
    /// The Rust value the pointer points at.
    type RustType;
}

/// The longest buffer any entry point accepts: half of `isize::MAX`, so that every
/// size computed from it (output bounds, sums) fits in a `usize`.
pub(crate) const MAX_LEN: usize = (isize::MAX as usize) / 2;

/// A new `Box` handed to C.
pub(crate) fn to_boxed_mut_ptr<C: Castable<Ownership = OwnershipBox>>(v: C::RustType) -> *mut C {
    Box::into_raw(Box::new(v)).cast()
}

/// A new `Arc` handed to C.
pub(crate) fn to_arc_const_ptr<C: Castable<Ownership = OwnershipArc>>(v: C::RustType) -> *const C {
    Arc::into_raw(Arc::new(v)).cast()
}

/// Frees a Box handle; NULL does nothing.
pub(crate) fn free_box<C: Castable<Ownership = OwnershipBox>>(ptr: *mut C) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: a non-NULL `ptr` came from `to_boxed_mut_ptr::<C>` and is not used again
    // by the caller (the header says `_free` ends the handle's life).
    drop(unsafe { Box::from_raw(ptr.cast::<C::RustType>()) });
}

/// Drops one reference of an Arc handle; NULL does nothing.
pub(crate) fn free_arc<C: Castable<Ownership = OwnershipArc>>(ptr: *const C) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: a non-NULL `ptr` came from `to_arc_const_ptr::<C>`; this gives back the
    // one reference the caller owned.
    drop(unsafe { Arc::from_raw(ptr.cast::<C::RustType>()) });
}

/// A new reference to an Arc handle's value, or None for NULL.
pub(crate) fn clone_arc<C: Castable<Ownership = OwnershipArc>>(
    ptr: *const C,
) -> Option<Arc<C::RustType>> {
    if ptr.is_null() {
        return None;
    }
    let raw = ptr.cast::<C::RustType>();
    // SAFETY: a non-NULL `ptr` came from `to_arc_const_ptr::<C>` and is alive, so its
    // strong count is at least one while we add another.
    unsafe { Arc::increment_strong_count(raw) };
    // SAFETY: the count was just incremented, so this Arc owns that new reference.
    Some(unsafe { Arc::from_raw(raw) })
}

/// A shared reference to any handle's value, or None for NULL.
pub(crate) fn try_from<'a, C: Castable>(ptr: *const C) -> Option<&'a C::RustType> {
    // SAFETY: a non-NULL `ptr` points at a live `C::RustType` (module contract).
    unsafe { ptr.cast::<C::RustType>().as_ref() }
}

/// A mutable reference to a Box handle's value, or None for NULL.
pub(crate) fn try_from_mut<'a, C: Castable<Ownership = OwnershipBox>>(
    ptr: *mut C,
) -> Option<&'a mut C::RustType> {
    // SAFETY: a non-NULL `ptr` points at a live, uniquely owned `C::RustType` that
    // only the calling thread uses during this call (module contract).
    unsafe { ptr.cast::<C::RustType>().as_mut() }
}

/// `&T` from a handle pointer, or return NULL_PARAMETER (or the neutral value).
macro_rules! try_ref {
    ( $var:expr ) => {
        match $crate::ffi::try_from($var) {
            Some(c) => c,
            None => return $crate::panic::NullParameterOrDefault::value(),
        }
    };
}
pub(crate) use try_ref;

/// `&mut T` from a Box handle pointer, or return NULL_PARAMETER (or the neutral value).
macro_rules! try_mut {
    ( $var:expr ) => {
        match $crate::ffi::try_from_mut($var) {
            Some(c) => c,
            None => return $crate::panic::NullParameterOrDefault::value(),
        }
    };
}
pub(crate) use try_mut;

/// `&mut T` for an out-parameter, or return NULL_PARAMETER.
macro_rules! try_out {
    ( $var:expr ) => {{
        let p = $var;
        if p.is_null() {
            return $crate::panic::NullParameterOrDefault::value();
        }
        // SAFETY: a non-NULL out-parameter points at writable, aligned storage of its
        // type (module contract).
        unsafe { &mut *p }
    }};
}
pub(crate) use try_out;

/// Checks a (pointer, length) input buffer: NULL is allowed for length 0.
pub(crate) fn slice_in<'a>(
    ptr: *const u8,
    len: usize,
) -> Result<&'a [u8], crate::error::printseal_status> {
    use crate::error::printseal_status;
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(printseal_status::NullParameter);
    }
    if len > MAX_LEN {
        return Err(printseal_status::InvalidInput);
    }
    // SAFETY: non-NULL, `len` readable bytes (module contract), `len` <= isize::MAX.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// Checks a (pointer, length) output buffer: NULL is allowed for length 0.
pub(crate) fn slice_out<'a>(
    ptr: *mut u8,
    len: usize,
) -> Result<&'a mut [u8], crate::error::printseal_status> {
    use crate::error::printseal_status;
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(printseal_status::NullParameter);
    }
    if len > MAX_LEN {
        return Err(printseal_status::InvalidInput);
    }
    // SAFETY: non-NULL, `len` writable bytes (module contract), `len` <= isize::MAX;
    // callers check that it does not overlap an input buffer of the same call.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// Whether two buffers share a byte (an input and an output may not: Rust's `&` and
/// `&mut` may not alias).
pub(crate) fn overlap(a: *const u8, alen: usize, b: *const u8, blen: usize) -> bool {
    if alen == 0 || blen == 0 {
        return false;
    }
    let (a, b) = (a as usize, b as usize);
    a < b.saturating_add(blen) && b < a.saturating_add(alen)
}

/// `try_slice!(ptr, len)`: an input buffer, or return the status.
macro_rules! try_slice {
    ( $ptr:expr, $len:expr ) => {
        match $crate::ffi::slice_in($ptr, $len) {
            Ok(s) => s,
            Err(e) => return e,
        }
    };
}
pub(crate) use try_slice;

/// `try_slice_mut!(ptr, len)`: an output buffer, or return the status.
macro_rules! try_slice_mut {
    ( $ptr:expr, $len:expr ) => {
        match $crate::ffi::slice_out($ptr, $len) {
            Ok(s) => s,
            Err(e) => return e,
        }
    };
}
pub(crate) use try_slice_mut;

/// `try_str!(ptr, len)`: a UTF-8 string given as bytes, or return the status.
macro_rules! try_str {
    ( $ptr:expr, $len:expr ) => {
        match $crate::ffi::slice_in($ptr.cast::<u8>(), $len) {
            Ok(s) => match core::str::from_utf8(s) {
                Ok(s) => s,
                Err(_) => return $crate::error::printseal_status::InvalidInput,
            },
            Err(e) => return e,
        }
    };
}
pub(crate) use try_str;

/// Reads an array of `n` handle pointers, none NULL.
pub(crate) fn handle_array<'a, C: Castable>(
    ptr: *const *const C,
    n: usize,
) -> Result<Vec<&'a C::RustType>, crate::error::printseal_status> {
    use crate::error::printseal_status;
    if n == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(printseal_status::NullParameter);
    }
    if n > MAX_LEN / core::mem::size_of::<*const C>() {
        return Err(printseal_status::InvalidInput);
    }
    // SAFETY: non-NULL, `n` readable pointers (module contract), size checked above.
    let ptrs = unsafe { core::slice::from_raw_parts(ptr, n) };
    ptrs.iter()
        .map(|p| try_from(*p).ok_or(printseal_status::NullParameter))
        .collect()
}

/// `try_handles!(ptr, n)`: an array of handle references, or return the status.
macro_rules! try_handles {
    ( $ptr:expr, $n:expr ) => {
        match $crate::ffi::handle_array($ptr, $n) {
            Ok(v) => v,
            Err(e) => return e,
        }
    };
}
pub(crate) use try_handles;

/// Copies `src` into a caller buffer `(buf, len)` and stores the length in `out_n`.
/// If it does not fit, stores the needed length and returns BUFFER_TOO_SMALL.
pub(crate) fn copy_out(
    src: &[u8],
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> crate::error::printseal_status {
    use crate::error::printseal_status;
    let out_n = try_out!(out_n);
    if len < src.len() {
        *out_n = src.len();
        return printseal_status::BufferTooSmall;
    }
    let dst = match slice_out(buf, len) {
        Ok(d) => d,
        Err(e) => return e,
    };
    dst[..src.len()].copy_from_slice(src);
    *out_n = src.len();
    printseal_status::Ok
}
