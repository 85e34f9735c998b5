//! One file per command.

pub(crate) mod backend;
pub(crate) mod completions;
pub(crate) mod inspect;
pub(crate) mod keygen;
pub(crate) mod man;
pub(crate) mod open;
pub(crate) mod recipient;
pub(crate) mod release;
pub(crate) mod rewrap;
pub(crate) mod sbom;
pub(crate) mod scan;
pub(crate) mod seal;
pub(crate) mod verify;
pub(crate) mod version;
