//! `libprintseal`: the C ABI of printseal (after rustls-ffi's `librustls`).
//!
//! The header is `include/printseal.h`, generated from this crate by cbindgen. Every
//! entry point catches panics, checks its pointers, and writes its outputs only on
//! success. See the README's C section and `examples/c/`.

#![allow(non_camel_case_types)]

mod error;
mod ffi;
mod panic;
mod rng;
mod slice;
mod state;

pub mod identity;
pub mod inspect;
pub mod io;
pub mod keys;
pub mod lent;
pub mod open;
pub mod pkcs11;
pub mod policy;
pub mod seal;
pub mod seekable;
pub mod testing;
pub mod version;

pub use error::{printseal_status, printseal_status_str};
pub use slice::{printseal_slice, printseal_str};
