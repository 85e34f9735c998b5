//! Helpers shared by the integration tests (`mod common;` at the top of a test file).
//! Each test file uses some of them.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use printseal::Kek;
use printseal::rng::seeded_rng;
use printseal::{X25519Identity, XWingIdentity};
use serde_json::Value;

/// KEK number `n`: key id `[n; 16]`, key `[n ^ 0x5a; 32]` (distinct for distinct `n`).
pub fn kek(n: u8) -> Kek {
    Kek::new([n; 16], [n ^ 0x5a; 32])
}

/// X25519 identity number `n`, generated from the seed `[n; 32]`.
pub fn x25519(n: u8) -> X25519Identity {
    X25519Identity::generate_with_rng(&mut seeded_rng([n; 32]))
}

/// X-Wing identity number `n`, generated from the seed `[n; 32]`.
pub fn xwing(n: u8) -> XWingIdentity {
    XWingIdentity::generate_with_rng(&mut seeded_rng([n; 32]))
}

/// `len` bytes of a message whose 16 KiB chunks all differ (not periodic at any
/// power-of-two size), so that a swapped or repeated chunk changes the plaintext.
pub fn msg(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(2654435761) >> 7) as u8)
        .collect()
}

/// The hex field `k` of a vector-file test case, decoded.
pub fn hexf(t: &Value, k: &str) -> Vec<u8> {
    hex::decode(
        t[k].as_str()
            .unwrap_or_else(|| panic!("missing hex field {k}")),
    )
    .expect("hex field")
}

/// The Wycheproof directory. `PRINTSEAL_SHARED` names the shared directory (the one
/// holding `vectors/`); a path that is itself the `vectors/` directory is accepted too.
pub fn wycheproof_dir() -> PathBuf {
    let shared = std::env::var_os("PRINTSEAL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let candidates = [
        shared.join("vectors").join("wycheproof"),
        shared.join("wycheproof"),
    ];
    for dir in &candidates {
        if dir.is_dir() {
            return dir.clone();
        }
    }
    panic!(
        "Wycheproof vectors not found (looked in {candidates:?}); set PRINTSEAL_SHARED to \
         the shared directory that holds vectors/wycheproof"
    );
}
