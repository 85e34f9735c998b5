//! The byte layout of a sealed job (docs/FORMAT.md), apart from any key.

pub(crate) mod cursor;
pub mod header;
pub mod metadata;
pub(crate) mod sizes;
pub mod stanza;
