//! The repository layout (issue 8, item 4): `quickstart` is the one example and shows
//! what a user sees, the vector generators are tools (`printseal-tools`), and the test
//! helpers several files need are defined once, in `tests/common/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The example's own required features.
#[cfg(all(feature = "std", feature = "getrandom"))]
#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[cfg(all(feature = "std", feature = "getrandom"))]
#[test]
fn quickstart_seals_inspects_opens_and_names_its_backend() {
    let mut out = Vec::new();
    quickstart::run(&mut out).expect("quickstart runs");
    let text = String::from_utf8(out).expect("UTF-8");
    println!("{text}");
    let backend = printseal::build_info().crypto_backend;
    for part in [
        &format!("{backend} crypto backend") as &str,
        &format!("opened with the KEK ({backend} backend)"),
        "header, read without any key:",
        "content type    application/pdf",
        "job id          spool-000042",
        "title           Quarterly payroll summary",
        "tampered copy refused:",
        "another KEK refused:",
        "round trip OK",
    ] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
    // The teaching example measures nothing.
    for word in ["MB/s", "throughput", "MiB"] {
        assert!(!text.contains(word), "{word:?} in:\n{text}");
    }
}

#[test]
fn quickstart_is_the_only_example_and_the_generators_are_tools() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(root().join("Cargo.toml"))
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let targets = |pkg: &str, kind: &str| -> BTreeSet<String> {
        meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == pkg)
            .unwrap_or_else(|| panic!("{pkg} is not in the workspace"))["targets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == kind))
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        targets("printseal", "example"),
        BTreeSet::from(["quickstart".into()])
    );
    assert!(
        targets("printseal", "bin").is_empty(),
        "the library has no binaries"
    );
    assert_eq!(
        targets("printseal-tools", "bin"),
        BTreeSet::from(["gen_vectors".into(), "gen_vectors_recipients".into()])
    );
    let tools = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "printseal-tools")
        .unwrap();
    assert_eq!(
        tools["publish"],
        serde_json::json!([]),
        "printseal-tools is never published"
    );
}

#[test]
fn shared_test_helpers_are_defined_once_in_tests_common() {
    let helpers = ["kek", "msg", "hexf", "x25519", "xwing", "wycheproof_dir"];
    let common = std::fs::read_to_string(root().join("tests/common/mod.rs")).expect("common");
    for h in helpers {
        assert!(
            common.contains(&format!("pub fn {h}(")),
            "tests/common lacks {h}"
        );
    }
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("tests")).expect("tests/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for h in helpers {
            assert!(
                !text.contains(&format!("\nfn {h}(")),
                "{} defines its own {h}: use tests/common",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked > 10, "only {checked} test files seen");
}
