//! The checked-in header against the crate: version macros against the crate version,
//! and every code of the core's error table (`docs/ERRORS.md`) as a
//! `PRINTSEAL_STATUS_*` constant with the same number, mapped the same way.

use printseal::ErrorCode;
use printseal_ffi::{printseal_status, printseal_status_str};

fn header() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../include/printseal.h");
    std::fs::read_to_string(path).expect("include/printseal.h")
}

fn define(h: &str, name: &str) -> Option<String> {
    h.lines()
        .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
        .map(|v| v.trim().to_string())
}

#[test]
fn version_macros_match_the_crate_version() {
    let h = header();
    let parts: Vec<&str> = env!("CARGO_PKG_VERSION").split('.').collect();
    assert_eq!(parts.len(), 3);
    for (name, want) in ["MAJOR", "MINOR", "PATCH"].iter().zip(&parts) {
        let got = define(&h, &format!("PRINTSEAL_VERSION_{name}"));
        assert_eq!(got.as_deref(), Some(*want), "PRINTSEAL_VERSION_{name}");
    }
    // NUMBER is built from MAJOR, MINOR and PATCH (not MINOR twice).
    let start = h
        .find("#define PRINTSEAL_VERSION_NUMBER")
        .expect("NUMBER macro");
    let body: String = h[start..].lines().take(3).collect::<Vec<_>>().join(" ");
    for (part, shift) in [("MAJOR", 24), ("MINOR", 16), ("PATCH", 8)] {
        assert!(
            body.contains(&format!("(PRINTSEAL_VERSION_{part} << {shift})")),
            "PRINTSEAL_VERSION_NUMBER lacks {part} << {shift}: {body}"
        );
    }
}

#[test]
fn every_error_code_is_a_status_with_the_same_number() {
    let h = header();
    for code in ErrorCode::ALL {
        let upper = code.name().to_ascii_uppercase();
        let line = format!("PRINTSEAL_STATUS_{upper} = {},", code.as_u32());
        assert!(h.contains(&line), "header lacks `{line}`");
        // SAFETY: printseal_status_str returns a static NUL-terminated string.
        let text = unsafe { std::ffi::CStr::from_ptr(printseal_status_str(code.as_u32())) };
        let text = text.to_str().expect("UTF-8");
        assert!(text.starts_with(&format!("{upper}:")), "{text}");
    }
    // The C-only codes of the table.
    assert!(h.contains("PRINTSEAL_STATUS_OK = 0,"));
    assert!(h.contains("PRINTSEAL_STATUS_NULL_PARAMETER = 1,"));
    assert!(h.contains("PRINTSEAL_STATUS_PANIC = 4,"));
    assert_eq!(printseal_status::Panic as u32, 4);
    // Nothing else: every constant in the header is in the table or C-only.
    let n = h.matches("  PRINTSEAL_STATUS_").count();
    assert_eq!(
        n,
        ErrorCode::ALL.len() + 3,
        "status constants not in docs/ERRORS.md"
    );
}

#[test]
fn status_str_refuses_unknown_numbers() {
    for code in [8u32, 99, 107, 204, 301, 503, 899, 901, u32::MAX] {
        // SAFETY: as above.
        let text = unsafe { std::ffi::CStr::from_ptr(printseal_status_str(code)) };
        assert!(text.to_bytes().starts_with(b"UNKNOWN"), "{code}");
    }
}
