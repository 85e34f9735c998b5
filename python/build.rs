//! Puts printseal's own SBOM where maturin packs it into the wheel (PEP 770,
//! `.dist-info/sboms/printseal.cdx.json`): the core's CycloneDX 1.6 document with its
//! CBOM, byte for byte what `printseal.sbom()` returns at run time and what the
//! `sbom_sha256` of every sealed header names. The core's build script gives its path
//! (`DEP_PRINTSEAL_SBOM`, the root Cargo.toml's `links`); this copies it to
//! `python/target/sbom/printseal.cdx.json`, which `[tool.maturin.sbom] include`
//! names (maturin reads it after the cargo build, when it writes the wheel).
//!
//! Several builds (dev and release profiles, features) share that one file, so this
//! script also reruns when the file changed after its last run: it watches the file,
//! and gives its own write the time of its own invocation (cargo's
//! `invoked.timestamp`), so that the write does not count as a change next time.

use std::fs;
use std::path::{Path, PathBuf};

fn main() -> Result<(), String> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=DEP_PRINTSEAL_SBOM");
    let src = PathBuf::from(
        std::env::var_os("DEP_PRINTSEAL_SBOM")
            .ok_or("DEP_PRINTSEAL_SBOM is not set: the core's build script gives it")?,
    );
    let manifest_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("no CARGO_MANIFEST_DIR")?);
    let dst = manifest_dir
        .join("target")
        .join("sbom")
        .join("printseal.cdx.json");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed={}", dst.display());
    let doc = fs::read(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    if fs::read(&dst).ok().as_deref() != Some(&doc[..]) {
        let dir = dst.parent().ok_or("no parent")?;
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        fs::write(&dst, &doc).map_err(|e| format!("{}: {e}", dst.display()))?;
    }
    backdate(&dst);
    Ok(())
}

/// Sets `path`'s modification time to this run's invocation time, which cargo keeps
/// in `invoked.timestamp` beside `OUT_DIR`. Without that file (another cargo), the
/// write stays newer and the script reruns on the next build: slower, not wrong.
fn backdate(path: &Path) {
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let Some(stamp) = out_dir.parent().map(|d| d.join("invoked.timestamp")) else {
        return;
    };
    let Ok(when) = fs::metadata(&stamp).and_then(|m| m.modified()) else {
        return;
    };
    if let Ok(f) = fs::File::options().write(true).open(path) {
        let _ = f.set_modified(when);
    }
}
