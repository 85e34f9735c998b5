//! One initialised context per PKCS#11 module per process.
//!
//! PKCS#11 is initialised once per process (`C_Initialize`; a second call returns
//! `CKR_CRYPTOKI_ALREADY_INITIALIZED`), and a token's login state is shared by every
//! session of the process. So every [`crate::Pkcs11Kek`] on the same module shares
//! one context, kept here for the life of the process: finalising it while another
//! part of the program (or another library) uses the module would break that user.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use printseal::{Error, KeyStoreFailure};

use crate::errors::ks;

static MODULES: Mutex<Vec<(PathBuf, Pkcs11)>> = Mutex::new(Vec::new());

/// The initialised context of the module at `path` (absolute), loading and
/// initialising it on first use.
pub(crate) fn context(path: &Path) -> Result<Pkcs11, Error> {
    // Canonical, so that a symlink and its target share one context.
    let canonical = std::fs::canonicalize(path).map_err(|e| {
        ks(
            KeyStoreFailure::ModuleUnavailable,
            format!("PKCS#11 module {}: {}", path.display(), e.kind()),
        )
    })?;
    let mut modules = MODULES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, ctx)) = modules.iter().find(|(p, _)| *p == canonical) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(&canonical).map_err(|e| {
        ks(
            KeyStoreFailure::ModuleUnavailable,
            format!("cannot load PKCS#11 module {}: {e}", path.display()),
        )
    })?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        // Another part of the process initialised it: share that initialisation.
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => {
            return Err(ks(
                KeyStoreFailure::ModuleUnavailable,
                format!("C_Initialize of {} failed: {e}", path.display()),
            ));
        }
    }
    modules.push((canonical, ctx.clone()));
    Ok(ctx)
}
