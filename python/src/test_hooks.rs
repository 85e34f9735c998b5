//! TEST ONLY: compiled with the `test-hooks` feature, which scripts/test-python.sh
//! turns on for the test wheel and no shipped wheel has (`pip install ./python` and a
//! plain `maturin build` leave it off).
//!
//! `_FailingKey()` is a recipient and an identity whose wrap and unwrap fail with
//! `Error::Internal`. It injects exactly that: an `Err` returned by a key, at the
//! point where a key store (a PKCS#11 token, an HSM callback) would return one.
//! Everything after it is the real path: the core's seal/open/rewrap, the one error
//! map (`error.rs`) and the exception class. It exists because `InternalError` (a
//! broken invariant of the core) has no input that provokes it. `RandomnessError`
//! has a real path and is tested without a hook: an OS generator that fails
//! (python/tests/test_errors.py).

use pyo3::prelude::*;

use printseal::format::stanza::Stanza as CoreStanza;
use printseal::{Error as Core, FileKey, Identity, QuantumSecurity, Recipient};

/// A key whose wrap and unwrap fail with `Error::Internal` (test builds only).
#[pyclass(frozen, module = "printseal._printseal", name = "_FailingKey")]
#[derive(Clone, Copy)]
pub(crate) struct FailingKey;

fn injected() -> Core {
    Core::Internal("injected by the test hook _FailingKey")
}

#[pymethods]
impl FailingKey {
    #[new]
    fn new() -> FailingKey {
        FailingKey
    }
}

impl Recipient for FailingKey {
    fn wrap_file_key(
        &self,
        _file_key: &FileKey,
        _rng: &mut dyn rand_core::CryptoRng,
    ) -> printseal::Result<CoreStanza> {
        Err(injected())
    }

    fn quantum_security(&self) -> QuantumSecurity {
        QuantumSecurity::Symmetric
    }
}

impl Identity for FailingKey {
    fn unwrap_stanza(&self, _stanza: &CoreStanza) -> Option<printseal::Result<FileKey>> {
        Some(Err(injected()))
    }
}
