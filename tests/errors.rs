//! The error table in docs/ERRORS.md and the `ErrorCode` / `ErrorFamily` of the crate
//! agree: every code's number, name and family, and no code is missing on either side.

#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use printseal::{Error, ErrorCode, ErrorFamily, KeyStoreError, KeyStoreFailure, Limit};

fn table() -> BTreeMap<u32, (String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ERRORS.md"))
        .expect("docs/ERRORS.md");
    let codes = text.split("## Codes").nth(1).expect("a Codes section");
    let codes = codes.split("\n## ").next().unwrap_or(codes);
    let mut rows = BTreeMap::new();
    for line in codes.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Ok(number) = cells[1].parse::<u32>() else {
            continue;
        };
        let name = cells[2].trim_matches('`').to_string();
        let family = cells[4].to_string();
        assert!(
            rows.insert(number, (name, family)).is_none(),
            "code {number} twice"
        );
    }
    rows
}

fn family_name(f: ErrorFamily) -> &'static str {
    match f {
        ErrorFamily::Format => "Format",
        ErrorFamily::Tampered => "Tampered",
        ErrorFamily::Recipient => "Recipient",
        ErrorFamily::Policy => "Policy",
        ErrorFamily::Usage => "Usage",
        ErrorFamily::Environment => "Environment",
        ErrorFamily::Internal => "Internal",
        _ => "unknown",
    }
}

#[test]
fn every_code_is_in_the_table_with_its_number_name_and_family() {
    let rows = table();
    for &code in ErrorCode::ALL {
        let (name, family) = rows
            .get(&code.as_u32())
            .unwrap_or_else(|| panic!("{code:?} ({}) missing from ERRORS.md", code.as_u32()));
        assert_eq!(name, code.name(), "name of code {}", code.as_u32());
        assert_eq!(
            family,
            family_name(code.family()),
            "family of {}",
            code.name()
        );
    }
}

#[test]
fn the_table_has_no_code_the_crate_lacks_except_the_c_only_ones() {
    let known: Vec<u32> = ErrorCode::ALL.iter().map(|c| c.as_u32()).collect();
    let c_only = [0, 1, 4];
    for (number, (name, _)) in table() {
        assert!(
            known.contains(&number) || c_only.contains(&number),
            "ERRORS.md lists {number} ({name}) but ErrorCode has no such code"
        );
    }
    // And the C-only codes do not collide with crate codes.
    for n in c_only {
        assert!(!known.contains(&n), "C-only code {n} reused by the crate");
    }
}

#[test]
fn codes_are_unique_and_in_their_family_block() {
    let mut seen = std::collections::BTreeSet::new();
    for &code in ErrorCode::ALL {
        assert!(seen.insert(code.as_u32()), "{code:?} duplicated");
        let block = match code.family() {
            ErrorFamily::Usage => 1..100,
            ErrorFamily::Format => 100..200,
            ErrorFamily::Tampered => 200..300,
            ErrorFamily::Recipient => 300..400,
            ErrorFamily::Policy => 400..500,
            ErrorFamily::Environment => 500..600,
            _ => 900..1000,
        };
        assert!(block.contains(&code.as_u32()), "{code:?} outside its block");
    }
}

#[test]
fn variants_map_to_their_codes() {
    let cases: Vec<(Error, ErrorCode)> = vec![
        (Error::NotPrintseal, ErrorCode::NotPrintseal),
        (Error::Truncated, ErrorCode::Truncated),
        (Error::TrailingData, ErrorCode::TrailingData),
        (Error::HeaderMac, ErrorCode::HeaderMac),
        (Error::UnsupportedVersion(9), ErrorCode::UnsupportedVersion),
        (Error::UnsupportedSuite(9), ErrorCode::UnsupportedSuite),
        (Error::MalformedHeader("x"), ErrorCode::MalformedHeader),
        (
            Error::LimitExceeded(Limit::StanzaCount),
            ErrorCode::LimitExceeded,
        ),
        (
            Error::PayloadTampered {
                chunk: 3,
                last: true,
            },
            ErrorCode::PayloadTampered,
        ),
        (Error::InvalidState, ErrorCode::InvalidState),
        (Error::Internal("x"), ErrorCode::Internal),
        (
            Error::OutputTooSmall { needed: 1 },
            ErrorCode::OutputTooSmall,
        ),
        (
            Error::KeyStore(KeyStoreError::new(KeyStoreFailure::PinIncorrect, "token t")),
            ErrorCode::KeyStore,
        ),
        (Error::Io(std::io::Error::other("disk")), ErrorCode::Io),
    ];
    for (e, code) in cases {
        assert_eq!(e.code(), code, "{e}");
        assert_eq!(e.family(), code.family());
    }
    assert_eq!(Error::Internal("x").family(), ErrorFamily::Internal);
    assert_ne!(Error::InvalidState.family(), Error::Internal("x").family());
}

#[test]
fn key_store_errors_say_what_failed_and_nothing_else() {
    let e: Error = KeyStoreError::new(KeyStoreFailure::PinIncorrect, "token 'print-hsm'").into();
    let text = e.to_string();
    assert!(text.contains("PIN refused"), "{text}");
    assert!(text.contains("print-hsm"), "{text}");
    let Error::KeyStore(inner) = e else {
        panic!("not a key store error")
    };
    assert_eq!(inner.failure(), KeyStoreFailure::PinIncorrect);
    assert_eq!(inner.detail(), "token 'print-hsm'");
}
