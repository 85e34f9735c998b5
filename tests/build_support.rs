//! The build script's code (`build/`), compiled here a second time: its unit tests run
//! with `cargo test`, and [`generate_reproduces_the_embedded_sbom`] checks that this
//! code, run now for the same build, prints exactly what `sbom_json()` embeds.

#[allow(dead_code)]
#[path = "../build/mod.rs"]
mod build_support;

use build_support::facts::Vars;

/// The environment `build.rs` saw, rebuilt from what the test binary knows.
fn build_script_vars() -> Vars {
    let info = printseal::build_info();
    let mut vars: Vars = std::env::vars()
        .filter(|(k, _)| !k.starts_with("CARGO_FEATURE_") && !k.starts_with("CARGO_CFG_"))
        .collect();
    for (k, v) in [
        ("CARGO_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR")),
        ("CARGO_PKG_NAME", env!("CARGO_PKG_NAME")),
        ("CARGO_PKG_VERSION", env!("CARGO_PKG_VERSION")),
        ("CARGO_PKG_LICENSE", env!("CARGO_PKG_LICENSE")),
        ("CARGO_PKG_DESCRIPTION", env!("CARGO_PKG_DESCRIPTION")),
        ("CARGO_PKG_REPOSITORY", env!("CARGO_PKG_REPOSITORY")),
        ("OUT_DIR", env!("OUT_DIR")),
        ("TARGET", info.target),
        ("PROFILE", info.profile),
    ] {
        vars.insert(k.into(), v.into());
    }
    vars.insert("CARGO_CFG_FEATURE".into(), info.features.join(","));
    vars
}

#[test]
fn generate_reproduces_the_embedded_sbom() {
    let vars = build_script_vars();
    let out = build_support::generate(&vars).expect("generate");
    let embedded = printseal::sbom_json();
    if out.json != embedded {
        let diff: Vec<String> = out
            .json
            .lines()
            .zip(embedded.lines())
            .filter(|(a, b)| a != b)
            .take(10)
            .map(|(a, b)| format!("now:      {a}\nembedded: {b}"))
            .collect();
        assert_eq!(
            out.json.len(),
            embedded.len(),
            "build/ no longer produces the embedded SBOM:\n{}",
            diff.join("\n")
        );
        assert!(
            diff.is_empty(),
            "build/ no longer produces the embedded SBOM:\n{}",
            diff.join("\n")
        );
    }
    assert_eq!(out.digest, printseal::sbom_sha256());
    assert_eq!(out.facts.features, printseal::build_info().features);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}
