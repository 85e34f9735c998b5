//! Build script of the core crate: build information and the embedded CycloneDX 1.6
//! SBOM + CBOM. The work is in `build/` (see `build/mod.rs`), which
//! `tests/build_support.rs` also compiles and tests.

#[path = "build/mod.rs"]
mod build_support;

fn main() -> Result<(), String> {
    build_support::main()
}
