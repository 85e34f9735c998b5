//! docs/FORMAT.md and the code state the same constants.

use printseal::limits::*;

const SPEC: &str = include_str!("../docs/FORMAT.md");

#[test]
fn limits_match_the_spec() {
    assert_eq!(MAX_HEADER, 279_872);
    assert!(
        SPEC.contains(&format!("= {MAX_HEADER} bytes")),
        "whole-header limit"
    );
    let rows = [
        ("`public_len`", MAX_PUBLIC_METADATA),
        ("private metadata entries", MAX_PRIVATE_ENTRIES),
        ("private metadata key", MAX_PRIVATE_KEY),
        ("private metadata value", MAX_PRIVATE_VALUE),
        ("`body_len`", MAX_STANZA_BODY),
        ("`content_type`", MAX_CONTENT_TYPE),
    ];
    let table = &SPEC[SPEC.find("## 11. Limits").unwrap()..];
    for (name, value) in rows {
        let line = table
            .lines()
            .find(|l| l.starts_with(&format!("| {name}")))
            .unwrap_or_else(|| panic!("no row {name}"));
        assert!(line.contains(&format!("| {value}")), "{name}: {line}");
    }
    assert!(table.contains(&format!(
        "| {} bytes (16384 + tag)",
        MAX_PRIVATE_METADATA + 16
    )));
    assert!(table.contains(&format!("1 to {MAX_STANZAS}")));
    assert_eq!(MAX_SHORT_TEXT, 64);
}

#[test]
fn magic_suites_and_labels_match_the_spec() {
    assert_eq!(
        printseal::MAGIC,
        [0x89, 0x50, 0x53, 0x45, 0x41, 0x4c, 0x0d, 0x0a]
    );
    assert!(SPEC.contains("`89 50 53 45 41 4c 0d 0a`"));
    for suite in printseal::Suite::ALL {
        let row = format!("| `0x{:04x}` |", suite.id());
        let line = SPEC
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("suite {suite:?}"));
        assert!(line.contains(suite.aead_name()), "{line}");
    }
    for label in [
        "\"printseal.v1\"",
        "\"printseal.v1 header-mac\"",
        "\"printseal.v1 private-metadata\"",
        "\"printseal.v1 payload\"",
    ] {
        assert!(SPEC.contains(label), "{label}");
    }
}
