//! `printseal._printseal`, the extension module behind the `printseal` Python
//! package: sealed print and scan jobs (see `python/README.md`).
//!
//! The layout follows pyca/cryptography's `src/rust/`: one file per concept, each
//! `#[pyclass]` holding the core object and delegating to it, the exceptions defined
//! in Python (`printseal/exceptions.py`) and raised from one map (`error.rs`).
//!
//! Free threading: the module declares `gil_used = false`. Key, header and policy
//! objects are immutable (`frozen`); `Sealer`, `Opener` and the stream engines are
//! mutable and pyo3 borrow-checks them at run time, so using one object from two
//! threads at once raises `RuntimeError` instead of racing.

mod buf;
mod error;
mod exceptions;
mod files;
mod hazmat;
mod header;
mod info;
mod keys;
mod options;
mod pkcs11;
mod policy;
mod push;
mod pyio;
mod simple;
#[cfg(feature = "test-hooks")]
mod test_hooks;

use pyo3::prelude::*;

/// The extension module.
#[pymodule(gil_used = false)]
mod _printseal {
    use super::*;

    #[pymodule_export]
    use crate::files::{inspect, open_file, rewrap_file, seal_file};
    #[pymodule_export]
    use crate::hazmat::{_payload_key_and_context, _payload_open, _payload_seal};
    #[pymodule_export]
    use crate::header::{Header, Stanza};
    #[pymodule_export]
    use crate::info::{build_info, sbom};
    #[pymodule_export]
    use crate::keys::{Kek, X25519Identity, X25519Recipient, XWingIdentity, XWingRecipient};
    #[pymodule_export]
    use crate::pkcs11::Pkcs11Kek;
    #[pymodule_export]
    use crate::policy::OpenPolicy;
    #[pymodule_export]
    use crate::push::{Opener, Sealer};
    #[pymodule_export]
    use crate::pyio::{OpenReader, SealWriter};
    #[pymodule_export]
    use crate::simple::{Opened, open, rewrap, seal};

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add("FORMAT_VERSION", printseal::FORMAT_VERSION)?;
        // Test builds only (feature `test-hooks`, see test_hooks.rs).
        #[cfg(feature = "test-hooks")]
        m.add_class::<crate::test_hooks::FailingKey>()?;
        Ok(())
    }
}
