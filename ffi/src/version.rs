//! Version, build information and the embedded SBOM.

use std::sync::OnceLock;

use crate::panic::ffi_panic_boundary;
use crate::slice::printseal_str;

/// `printseal-ffi/<version>/<backend>`, made by build.rs.
const VERSION_STRING: &str = env!("PRINTSEAL_FFI_VERSION_STRING");

/// The library's version string, `printseal-ffi/<version>/<chunk AEAD backend>`, static.
/// Compare with the `PRINTSEAL_VERSION_*` macros of the header you compiled against.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_version() -> printseal_str {
    ffi_panic_boundary! {
        printseal_str::from_str(VERSION_STRING)
    }
}

/// The build information (crate and format versions, git commit, rustc, target,
/// features, crypto backend) as text, one `key: value` per line; static.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_build_info() -> printseal_str {
    ffi_panic_boundary! {
        static INFO: OnceLock<String> = OnceLock::new();
        printseal_str::from_str(INFO.get_or_init(|| printseal::build_info().to_string()))
    }
}

/// The CycloneDX 1.6 SBOM (with its CBOM) of this build as JSON; static.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_sbom_json() -> printseal_str {
    ffi_panic_boundary! {
        printseal_str::from_str(printseal::sbom_json())
    }
}

/// The SHA-256 of `printseal_sbom_json()` that this build records in every header it
/// seals (32 bytes into `out`). False if `out` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn printseal_sbom_sha256(out: *mut u8) -> bool {
    ffi_panic_boundary! {
        if out.is_null() {
            return false;
        }
        let d = printseal::sbom_sha256();
        // SAFETY: a non-NULL `out` has 32 writable bytes (header contract).
        unsafe { core::ptr::copy_nonoverlapping(d.as_ptr(), out, 32) };
        true
    }
}
