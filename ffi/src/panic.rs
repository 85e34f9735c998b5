//! The panic boundary (after rustls-ffi `librustls/src/panic.rs`).
//!
//! Every entry point's body runs inside [`ffi_panic_boundary!`]: a panic never unwinds
//! into C. A function that returns a [`printseal_status`] then returns
//! `PRINTSEAL_STATUS_PANIC`; others return their type's neutral value (0, `false`,
//! NULL, an empty string). [`NullParameterOrDefault`] is the same idea for a NULL
//! pointer argument.

use core::ptr::{null, null_mut};

use crate::error::printseal_status;
use crate::slice::{printseal_slice, printseal_str};

/// What an entry point returns when its body panicked.
pub(crate) trait PanicOrDefault {
    fn value() -> Self;
}

/// What an entry point returns when a required pointer argument was NULL.
pub(crate) trait NullParameterOrDefault {
    fn value() -> Self;
}

/// Types whose `Default` is the neutral value for both traits.
pub(crate) trait Defaultable: Default {}

impl Defaultable for () {}
impl Defaultable for bool {}
impl Defaultable for i32 {}
impl Defaultable for u16 {}
impl Defaultable for u32 {}
impl Defaultable for u64 {}
impl Defaultable for usize {}
impl Defaultable for printseal_str {}
impl Defaultable for printseal_slice {}

impl<T: Defaultable> PanicOrDefault for T {
    fn value() -> Self {
        T::default()
    }
}

impl<T: Defaultable> NullParameterOrDefault for T {
    fn value() -> Self {
        T::default()
    }
}

impl<T> PanicOrDefault for *mut T {
    fn value() -> Self {
        null_mut()
    }
}

impl<T> PanicOrDefault for *const T {
    fn value() -> Self {
        null()
    }
}

impl<T> NullParameterOrDefault for *mut T {
    fn value() -> Self {
        null_mut()
    }
}

impl<T> NullParameterOrDefault for *const T {
    fn value() -> Self {
        null()
    }
}

impl PanicOrDefault for printseal_status {
    fn value() -> Self {
        printseal_status::Panic
    }
}

impl NullParameterOrDefault for printseal_status {
    fn value() -> Self {
        printseal_status::NullParameter
    }
}

/// Runs the body, turning a panic into [`PanicOrDefault::value`].
///
/// The body is wrapped in `AssertUnwindSafe`: an object whose method panicked is left
/// marked as failed by that method (see `Poison` in `seal.rs`/`open.rs`), so a later
/// call cannot observe a half-updated state.
macro_rules! ffi_panic_boundary {
    ( $($tt:tt)* ) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| {
            $($tt)*
        })) {
            Ok(ret) => ret,
            Err(_) => return $crate::panic::PanicOrDefault::value(),
        }
    }
}

pub(crate) use ffi_panic_boundary;
