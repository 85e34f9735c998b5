//! docs/FORMAT.md and the code state the same constants.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

/// The points an independent implementer found missing from FORMAT.md are stated
/// (each is also enforced by a behaviour test: tests/open_paths.rs, tests/errors.rs).
#[test]
fn the_spec_answers_the_review_questions() {
    // Compared with white space folded, so that line wrapping does not matter.
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let spec = fold(SPEC);
    let opening = &spec[spec.find("## 10. Opening a job").unwrap()..spec.find("## 11.").unwrap()];
    for needle in [
        "`89 50 58` is not printseal",
        "(including the empty input) is [`truncated`]",
        "*before* reading or allocating",
        "MUST NOT be asked again",
        "[`policy violation`]",
        "refuses a job whose\n   `expires` is non-zero",
        "an opener MUST follow",
        "at most 16 − *k* further bytes follow",
        "A random-access opener",
    ] {
        assert!(opening.contains(&fold(needle)), "§10 lacks {needle:?}");
    }
    for needle in [
        "The unwrapped key MUST be\n  exactly 32 bytes",
        "revision -06",
        "| `printseal-secret-key-pq-` |",
        "never canonicalises it",
        "371\nbytes",
        "`expires` at or before `created` is not malformed",
        "**A job proves nothing about who sealed it.**",
        "| `private_len` below 17 | (no tag) | header failure |",
    ] {
        assert!(spec.contains(&fold(needle)), "FORMAT.md lacks {needle:?}");
    }
    // The HRPs in the spec are the code's.
    use printseal::recipient::encoding::*;
    for hrp in [
        HRP_X25519_RECIPIENT,
        HRP_XWING_RECIPIENT,
        HRP_X25519_IDENTITY,
        HRP_XWING_IDENTITY,
        HRP_KEK,
    ] {
        assert!(SPEC.contains(&format!("| `{hrp}` |")), "HRP {hrp}");
    }
}
