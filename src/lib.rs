#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

#[cfg(feature = "bytes")]
mod bytes_io;
mod error;
mod file_key;
pub mod format;
mod growable;
pub mod hazmat;
#[cfg(feature = "std")]
pub mod io;
pub mod limits;
mod open;
mod open_options;
pub mod policy;
mod policy_violation;
mod primitives;
pub mod recipient;
mod rewrap;
pub mod rng;
pub mod sbom;
mod seal;
mod simple;
mod suite;

pub use error::{Error, ErrorCode, ErrorFamily, KeyStoreError, KeyStoreFailure, Limit, Result};
pub use file_key::{FILE_KEY_SIZE, FileKey};
pub use format::header::{Header, MAGIC, VERSION as FORMAT_VERSION};
pub use format::metadata::{PrivateMetadata, PublicMetadata};
pub use format::stanza::Stanza;
pub use open::{Opener, Progress};
pub use open_options::OpenOptions;
pub use policy::{OpenPolicy, PolicyViolation, ProducerVersion, VersionRange};
pub use recipient::encoding::KeyParseError;
pub use recipient::kek::Kek;
pub use recipient::x25519::{X25519Identity, X25519Recipient};
pub use recipient::xwing::{XWingIdentity, XWingRecipient};
pub use recipient::{Identity, QuantumSecurity, Recipient};
#[cfg(all(feature = "std", feature = "getrandom"))]
pub use rewrap::rewrap;
#[cfg(feature = "std")]
pub use rewrap::rewrap_with_rng;
pub use rewrap::{RewrapOptions, RewrittenHeader, rewrap_header};
pub use sbom::{BuildInfo, algorithms, build_info, sbom_json, sbom_sha256};
pub use seal::{SealOptions, Sealer};
#[cfg(feature = "getrandom")]
pub use simple::seal;
pub use simple::{Opened, boxed, open, open_with, seal_with_rng};
pub use suite::Suite;

/// This crate's name, recorded as the producer of every job it seals.
pub const PRODUCER_NAME: &str = env!("CARGO_PKG_NAME");
/// This crate's version, recorded as the producer version of every job it seals.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
