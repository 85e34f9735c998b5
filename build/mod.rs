//! The build script's work (`build.rs` only calls [`main`]): build information and the
//! embedded CycloneDX 1.6 SBOM + CBOM (`printseal::build_info`, `printseal::sbom_json`).
//!
//! It writes two files into `OUT_DIR`:
//! - `sbom.cdx.json`: the CycloneDX document, byte for byte what `sbom_json()` returns;
//! - `build_info.rs`: constants (SBOM digest, git commit, rustc, features, ...).
//!
//! - [`facts`]: what Cargo's environment and the toolchain say about this build;
//! - [`resolve`]: the crates compiled in, from `cargo metadata` of the workspace being
//!   built (found even when the target directory lies in another workspace), for this
//!   build's printseal features and target;
//! - [`cyclonedx`]: the document, printed by `serde_json`, and `build_info.rs`.
//!
//! The same files are compiled into `tests/build_support.rs`, which runs their unit
//! tests and checks that [`generate`] reproduces the embedded document byte for byte.

pub mod cyclonedx;
pub mod facts;
pub mod resolve;

use std::fs;
use std::path::{Path, PathBuf};

use facts::{BuildFacts, Vars, var};
use resolve::Graph;

/// Everything the build script produces, before anything is written.
#[allow(dead_code)] // `facts`, `graph`, `digest`: read by tests/build_support.rs
pub struct Output {
    pub facts: BuildFacts,
    pub graph: Graph,
    /// The CycloneDX document (`sbom.cdx.json`).
    pub json: String,
    pub digest: [u8; 32],
    /// `build_info.rs`.
    pub build_info_rs: String,
    /// `cargo:warning` lines.
    pub warnings: Vec<String>,
    /// Files whose change must rerun the build script (besides its own sources).
    pub watch: Vec<PathBuf>,
}

/// Computes everything from the environment `vars` (Cargo's, for a build script).
pub fn generate(vars: &Vars) -> Result<Output, String> {
    let out_dir = PathBuf::from(var(vars, "OUT_DIR", "."));
    let mut watch = Vec::new();
    let facts = BuildFacts::collect(vars, &mut watch);
    let resolution = resolve::resolve(&facts, vars, &out_dir);
    watch.extend(resolution.watch);
    let doc = cyclonedx::document(&facts, &resolution.graph)?;
    let (json, digest) = cyclonedx::finish(doc);
    let build_info_rs = cyclonedx::build_info_rs(&facts, &resolution.graph, &digest);
    Ok(Output {
        facts,
        graph: resolution.graph,
        json,
        digest,
        build_info_rs,
        warnings: resolution.warnings,
        watch,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    // Rewrite only on change, so that an unchanged SBOM does not rebuild the crate.
    if fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(());
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The build script. A broken build (an unwritable `OUT_DIR`, a dangling algorithm id
/// in the table) is reported by exiting with an error.
pub fn main() -> Result<(), String> {
    let vars: Vars = std::env::vars().collect();
    for f in ["build.rs", "build", "Cargo.toml", "src/sbom/algorithms.rs"] {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-env-changed=PRINTSEAL_GIT_COMMIT");
    let out = generate(&vars)?;
    for w in &out.warnings {
        println!("cargo:warning={w}");
    }
    for p in &out.watch {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    let out_dir = PathBuf::from(var(&vars, "OUT_DIR", "."));
    write(&out_dir.join("sbom.cdx.json"), out.json.as_bytes())?;
    // `DEP_PRINTSEAL_SBOM` for the build scripts of dependents (Cargo.toml `links`).
    println!("cargo:sbom={}", out_dir.join("sbom.cdx.json").display());
    write(&out_dir.join("build_info.rs"), out.build_info_rs.as_bytes())
}
