//! Wycheproof test vectors (C2SP/wycheproof, format v1) for every primitive the core
//! uses, each run through the same code the core runs:
//!
//! - AES-256-GCM and ChaCha20-Poly1305 through `hazmat::aead_seal_in_place` /
//!   `aead_open_in_place` (the chunk AEAD seam), and through `hazmat::RawAead` with every
//!   backend compiled in (`Backend::ALL`);
//! - HKDF-SHA-256 and HMAC-SHA-256 through `hazmat::hkdf_sha256` / `hmac_sha256` (the
//!   file-key schedule and the header MAC);
//! - AES-256-KWP through `hazmat::kwp_wrap` / `kwp_unwrap` (KEK stanzas);
//! - Cobblestone-256 (C2SP chunked encryption) through `hazmat::PayloadDecryptor`,
//!   `PayloadEncryptor` and `chunked_derive` (the payload layer), with the default
//!   backend and with each backend forced.
//!
//! The vectors are read at test time from `$PRINTSEAL_SHARED/vectors/wycheproof`
//! (default `$CARGO_MANIFEST_DIR/../shared`); they are not copied into the repository.
//! Every test counts the cases it runs and asserts the counts, so that a missing file
//! or a filter that matches nothing fails instead of passing with zero cases. Run with
//! `--nocapture` to see the per-file counts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{hexf, wycheproof_dir};

use std::io::Read;

use printseal::Suite;
use printseal::hazmat::{
    self, Backend, CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, PREFIX_SIZE, PayloadDecryptor,
    PayloadEncryptor, RawAead, SALT_SIZE,
};
use serde_json::Value;
use sha2::{Digest, Sha512};

// ---------------------------------------------------------------------------------------
// Loading

fn load(name: &str) -> Value {
    let path = wycheproof_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).expect("vector file is JSON");
    // The file's own test count must match what its groups hold.
    let declared = v["numberOfTests"].as_u64().expect("numberOfTests");
    let held: usize = groups(&v).iter().map(|g| tests(g).len()).sum();
    assert_eq!(held as u64, declared, "{name}: numberOfTests");
    v
}

fn groups(v: &Value) -> &Vec<Value> {
    v["testGroups"].as_array().expect("testGroups")
}

fn tests(g: &Value) -> &Vec<Value> {
    g["tests"].as_array().expect("tests")
}

fn num(v: &Value, k: &str) -> u64 {
    v[k].as_u64()
        .unwrap_or_else(|| panic!("missing number {k}"))
}

fn tc(t: &Value) -> u64 {
    num(t, "tcId")
}

fn has_flag(t: &Value, flag: &str) -> bool {
    t["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .any(|f| f.as_str() == Some(flag))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    Valid,
    Invalid,
}

/// The expected result. No file used here has `acceptable` cases; one showing up
/// (after an upstream update) must be looked at, not silently counted either way.
fn expect(t: &Value) -> Expect {
    match t["result"].as_str() {
        Some("valid") => Expect::Valid,
        Some("invalid") => Expect::Invalid,
        other => panic!("tcId {}: unhandled result {other:?}", tc(t)),
    }
}

/// Per-file tallies, printed and asserted.
#[derive(Default, Debug, PartialEq, Eq)]
struct Counts {
    /// `valid` cases that passed.
    valid: usize,
    /// `invalid` cases the code under test rejected.
    invalid: usize,
    /// Cases the harness refuses before calling the library because the library's API
    /// cannot take them (key or nonce of another size than it uses), named per file.
    refused: usize,
    /// Cases of groups this crate does not use (other key sizes), not run.
    not_used: usize,
    /// Cases also run through `RawAead` with each backend (AEAD files only).
    backend_runs: usize,
}

fn report(file: &str, c: &Counts) {
    let backends = if c.backend_runs > 0 {
        format!(
            "; {} runs through RawAead with {:?}",
            c.backend_runs,
            Backend::ALL
        )
    } else {
        String::new()
    };
    println!(
        "wycheproof {file}: {} valid passed, {} invalid rejected, {} refused by the harness \
         (size the API cannot take), {} not used{backends}",
        c.valid, c.invalid, c.refused, c.not_used
    );
}

// ---------------------------------------------------------------------------------------
// AEADs

/// Runs every 96-bit-nonce case of an AEAD file through the hazmat chunk AEAD seam.
fn aead_file(file: &str, suite: Suite) -> Counts {
    let v = load(file);
    let mut c = Counts::default();
    for g in groups(&v) {
        assert_eq!(g["type"], "AeadTest");
        if num(g, "keySize") != 256 {
            // AES-128/192-GCM: the core only uses AES-256.
            c.not_used += tests(g).len();
            continue;
        }
        assert_eq!(num(g, "tagSize"), 128, "{file}: only 128-bit tags are used");
        for t in tests(g) {
            let id = tc(t);
            let key: [u8; 32] = hexf(t, "key").try_into().expect("256-bit group key");
            let Ok(nonce) = <[u8; 12]>::try_from(hexf(t, "iv")) else {
                // The API takes `&[u8; 12]`: other nonce sizes cannot reach it. They are
                // `invalid` (InvalidNonceSize) for ChaCha20-Poly1305, and `valid`
                // AES-GCM with a nonce size the core never uses.
                assert_ne!(num(g, "ivSize"), 96, "{file} tcId {id}");
                c.refused += 1;
                continue;
            };
            assert_eq!(num(g, "ivSize"), 96, "{file} tcId {id}");
            let aad = hexf(t, "aad");
            let msg = hexf(t, "msg");
            let ct = hexf(t, "ct");
            let tag: [u8; 16] = hexf(t, "tag").try_into().expect("128-bit tag");

            let mut sealed = msg.clone();
            let sealed_tag = hazmat::aead_seal_in_place(suite, &key, &nonce, &aad, &mut sealed)
                .unwrap_or_else(|e| panic!("{file} tcId {id}: seal failed: {e}"));
            let mut opened = ct.clone();
            let res = hazmat::aead_open_in_place(suite, &key, &nonce, &aad, &mut opened, &tag);
            // Every backend compiled in gives the same bytes and the same decision as the
            // default path (which is checked against the vector below).
            for &backend in Backend::ALL {
                let aead = RawAead::new(suite, &key, backend).expect("backend takes the key");
                let mut b_sealed = msg.clone();
                let b_tag = aead
                    .seal_in_place(&nonce, &aad, &mut b_sealed)
                    .expect("backend seal");
                assert!(
                    b_sealed == sealed && b_tag == sealed_tag,
                    "{file} tcId {id}: backend {backend:?} seals differently"
                );
                let mut b_opened = ct.clone();
                let b_res = aead.open_in_place(&nonce, &aad, &mut b_opened, &tag);
                assert_eq!(b_res.is_ok(), res.is_ok(), "{file} tcId {id}: {backend:?}");
                assert!(
                    b_opened == opened,
                    "{file} tcId {id}: {backend:?} plaintext"
                );
                c.backend_runs += 1;
            }
            match expect(t) {
                Expect::Valid => {
                    assert_eq!(sealed, ct, "{file} tcId {id}: ciphertext");
                    assert_eq!(sealed_tag, tag, "{file} tcId {id}: tag");
                    assert!(res.is_ok(), "{file} tcId {id}: open failed");
                    assert_eq!(opened, msg, "{file} tcId {id}: plaintext");
                    c.valid += 1;
                }
                Expect::Invalid => {
                    assert!(res.is_err(), "{file} tcId {id}: forged message opened");
                    assert!(
                        opened.iter().all(|&b| b == 0),
                        "{file} tcId {id}: buffer not zeroed after a failed open"
                    );
                    assert!(
                        sealed != ct || sealed_tag != tag,
                        "{file} tcId {id}: sealing reproduced an invalid vector"
                    );
                    c.invalid += 1;
                }
            }
        }
    }
    c
}

#[test]
fn aes_256_gcm() {
    let c = aead_file("aes_gcm_test.json", Suite::Aes256Gcm);
    report("aes_gcm_test.json (keySize 256, ivSize 96)", &c);
    // README: keySize 256 and ivSize 96 hold 39 valid and 27 invalid cases. The other
    // 256-bit groups (IV sizes 0..2056 bits except 96) hold 19 + 1 + 1 + 1 + 1 + 1 + 1
    // + 6 * 2 + 2 = 39 cases; the 128- and 192-bit groups 108 + 103.
    assert_eq!(
        c,
        Counts {
            valid: 39,
            invalid: 27,
            refused: 39,
            not_used: 211,
            backend_runs: 66 * Backend::ALL.len(),
        }
    );
}

#[test]
fn chacha20_poly1305() {
    let c = aead_file("chacha20_poly1305_test.json", Suite::ChaCha20Poly1305);
    report("chacha20_poly1305_test.json (ivSize 96)", &c);
    // README: 256 valid and 60 invalid with 96-bit nonces; 9 InvalidNonceSize cases.
    assert_eq!(
        c,
        Counts {
            valid: 256,
            invalid: 60,
            refused: 9,
            not_used: 0,
            backend_runs: 316 * Backend::ALL.len(),
        }
    );
}

// ---------------------------------------------------------------------------------------
// HKDF-SHA-256 and HMAC-SHA-256

#[test]
fn hkdf_sha256() {
    let v = load("hkdf_sha256_test.json");
    let mut c = Counts::default();
    for g in groups(&v) {
        for t in tests(g) {
            let id = tc(t);
            let size = num(t, "size") as usize;
            let mut out = vec![0u8; size];
            let res = hazmat::hkdf_sha256(
                &hexf(t, "salt"),
                &hexf(t, "ikm"),
                &hexf(t, "info"),
                &mut out,
            );
            match expect(t) {
                Expect::Valid => {
                    assert!(res.is_ok(), "tcId {id}: {res:?}");
                    assert_eq!(out, hexf(t, "okm"), "tcId {id}: okm");
                    c.valid += 1;
                }
                Expect::Invalid => {
                    assert!(size > 255 * 32, "tcId {id}: unexpected invalid case");
                    assert!(res.is_err(), "tcId {id}: {size}-byte output accepted");
                    assert!(
                        out.iter().all(|&b| b == 0),
                        "tcId {id}: output written on error"
                    );
                    c.invalid += 1;
                }
            }
        }
    }
    report("hkdf_sha256_test.json", &c);
    // 86 cases; the 3 invalid ones ask for 8161 bytes (> 255 * 32).
    assert_eq!(
        c,
        Counts {
            valid: 83,
            invalid: 3,
            refused: 0,
            not_used: 0,
            backend_runs: 0,
        }
    );
}

#[test]
fn hmac_sha256() {
    let v = load("hmac_sha256_test.json");
    let mut c = Counts::default();
    for g in groups(&v) {
        let tag_len = num(g, "tagSize") as usize / 8;
        for t in tests(g) {
            let id = tc(t);
            let want = hexf(t, "tag");
            assert_eq!(want.len(), tag_len, "tcId {id}");
            let full = hazmat::hmac_sha256(&hexf(t, "key"), &hexf(t, "msg"));
            // Truncated tags (tagSize 128) are the first bytes of the full MAC.
            let matches = full[..tag_len] == want[..];
            match expect(t) {
                Expect::Valid => {
                    assert!(matches, "tcId {id}: MAC mismatch");
                    c.valid += 1;
                }
                Expect::Invalid => {
                    assert!(!matches, "tcId {id}: modified tag matched");
                    c.invalid += 1;
                }
            }
        }
    }
    report("hmac_sha256_test.json", &c);
    // 174 cases: 27 + 27 valid and 54 + 54 invalid in the 256-bit-key groups, plus
    // 4 groups of 3 valid cases with 128- and 520-bit keys.
    assert_eq!(
        c,
        Counts {
            valid: 66,
            invalid: 108,
            refused: 0,
            not_used: 0,
            backend_runs: 0,
        }
    );
}

// ---------------------------------------------------------------------------------------
// AES-KWP

/// AES-256-KWP, the KEK stanza wrap. Only the keySize 256 group runs: the core wraps
/// under 256-bit KEKs only. The RFC 5649 section 6 examples (tcId 159 and 160) use a
/// 192-bit KEK, so they sit in the keySize 192 group and are not run here.
#[test]
fn aes_256_kwp() {
    let v = load("aes_kwp_test.json");
    let mut c = Counts::default();
    let mut rfc_examples_seen = 0;
    for g in groups(&v) {
        assert_eq!(g["type"], "KeywrapTest");
        if num(g, "keySize") != 256 {
            for t in tests(g) {
                if [159, 160].contains(&tc(t)) {
                    assert_eq!(
                        num(g, "keySize"),
                        192,
                        "RFC 5649 examples use a 192-bit KEK"
                    );
                    rfc_examples_seen += 1;
                }
            }
            c.not_used += tests(g).len();
            continue;
        }
        for t in tests(g) {
            let id = tc(t);
            // `key` is the KEK, `msg` the key data, `ct` the wrapped output.
            let kek: [u8; 32] = hexf(t, "key").try_into().expect("256-bit KEK");
            let msg = hexf(t, "msg");
            let ct = hexf(t, "ct");
            let unwrapped = hazmat::kwp_unwrap(&kek, &ct);
            match expect(t) {
                Expect::Valid => {
                    let wrapped = hazmat::kwp_wrap(&kek, &msg)
                        .unwrap_or_else(|e| panic!("tcId {id}: wrap failed: {e}"));
                    assert_eq!(wrapped, ct, "tcId {id}: wrapped key");
                    assert_eq!(
                        unwrapped.unwrap_or_else(|e| panic!("tcId {id}: unwrap failed: {e}")),
                        msg,
                        "tcId {id}: unwrapped key"
                    );
                    c.valid += 1;
                }
                Expect::Invalid => {
                    assert!(
                        unwrapped.is_err(),
                        "tcId {id} ({}): invalid wrapped key unwrapped",
                        t["comment"]
                    );
                    c.invalid += 1;
                }
            }
        }
    }
    assert_eq!(rfc_examples_seen, 2);
    // Beyond the vectors: the bare RFC 5649 integrity block (AIV with a zero length) is
    // one semiblock, which `aes-kw` 0.3.1 "unwraps" to empty key data under any KEK;
    // printseal refuses inputs shorter than two semiblocks, and refuses to wrap nothing.
    let bare_aiv = [0xa6, 0x59, 0x59, 0xa6, 0, 0, 0, 0];
    assert!(hazmat::kwp_unwrap(&[7; 32], &bare_aiv).is_err());
    assert!(hazmat::kwp_wrap(&[7; 32], &[]).is_err());
    report("aes_kwp_test.json (keySize 256)", &c);
    assert_eq!(
        c,
        Counts {
            valid: 25,
            invalid: 69,
            refused: 0,
            not_used: 75 + 85,
            backend_runs: 0,
        }
    );
}

// ---------------------------------------------------------------------------------------
// Cobblestone-256 (C2SP chunked encryption)

const CHUNKED_FILE: &str = "c2sp_chunked_encryption_aes_256_gcm_test.json";

/// The outcome of one streaming decryption.
struct Run {
    /// Plaintext the decryptor released through `Ok` returns, in order.
    released: Vec<u8>,
    /// The first error, if any.
    error: Option<printseal::Error>,
}

/// Feeds `pieces` to a fresh decryptor, then `finish`, stopping at the first error.
/// After an error, checks that every further call errors too (errors are final).
fn decrypt_stream<'a>(
    key: &[u8; 32],
    ctx: &[u8],
    backend: Option<Backend>,
    pieces: impl Iterator<Item = &'a [u8]>,
) -> Run {
    let mut dec = match backend {
        None => PayloadDecryptor::new(Suite::Aes256Gcm, key, ctx),
        Some(b) => PayloadDecryptor::with_backend(Suite::Aes256Gcm, key, ctx, b),
    };
    let mut released = Vec::new();
    let mut error = None;
    for piece in pieces {
        let mut out = vec![0u8; dec.update_output_len(piece.len())];
        match dec.update(piece, &mut out) {
            Ok(n) => released.extend_from_slice(&out[..n]),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    if error.is_none() {
        let mut out = vec![0u8; dec.finish_output_len()];
        match dec.finish(&mut out) {
            Ok(n) => released.extend_from_slice(&out[..n]),
            Err(e) => error = Some(e),
        }
    }
    // Whether it failed or finished, the decryptor takes no more input: no later call
    // may release bytes or end cleanly.
    let mut big = vec![0u8; 4 * ENCRYPTED_CHUNK_SIZE];
    assert!(dec.update(&[], &mut big).is_err(), "update after the end");
    assert!(
        dec.update(&[0u8; ENCRYPTED_CHUNK_SIZE + 1], &mut big)
            .is_err(),
        "update after the end"
    );
    assert!(dec.finish(&mut big).is_err(), "finish after the end");
    assert!(dec.finish(&mut big).is_err(), "finish after the end, twice");
    Run { released, error }
}

/// A small deterministic generator for the split patterns.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % bound as u64) as usize
    }
}

/// Whether a vector is one of the multi-MiB CounterRollover ones. They are cut fewer
/// ways: 1- and 7-byte pieces would be millions of calls, and the debug-build software
/// AES makes every extra pass cost seconds; the small vectors cover every split size at
/// every boundary.
fn is_big(ct: &[u8]) -> bool {
    ct.len() > 4 * ENCRYPTED_CHUNK_SIZE
}

/// The ways each ciphertext is cut before it is fed to the decryptor: whole, in pieces
/// of one fixed size, and in pseudo-random sizes (empty pieces included). The first
/// pattern is "whole" and the last "random pieces".
fn split_patterns(ct: &[u8], seed: u64) -> Vec<(String, Vec<&[u8]>)> {
    let mut out = vec![("whole".to_string(), vec![ct])];
    let sizes: &[usize] = if is_big(ct) {
        &[16401]
    } else {
        &[1, 7, 4096, 16400, 16401]
    };
    for &size in sizes {
        out.push((format!("{size}-byte pieces"), ct.chunks(size).collect()));
    }
    let mut rng = Lcg(seed);
    let mut pieces = Vec::new();
    let mut rest = ct;
    while !rest.is_empty() {
        let n = match rng.next(4) {
            0 => rng.next(64),
            1 => rng.next(2 * ENCRYPTED_CHUNK_SIZE + 1),
            2 => ENCRYPTED_CHUNK_SIZE - 8 + rng.next(17),
            _ => rng.next(5 * ENCRYPTED_CHUNK_SIZE),
        }
        .min(rest.len());
        let (a, b) = rest.split_at(n);
        pieces.push(a);
        rest = b;
    }
    out.push(("random pieces".to_string(), pieces));
    out
}

/// Raw mode, as Wycheproof's note describes it, written here apart from the library's
/// stream code: the ciphertext after the 56-byte header, opened chunk by chunk with
/// `aeadKey` and `baseNonce` through the hazmat chunk AEAD. `Err` carries the index of
/// the chunk that failed.
fn raw_decrypt(aead_key: &[u8; 32], base_nonce: &[u8; 12], ct: &[u8]) -> Result<Vec<u8>, u64> {
    let body = ct.get(PREFIX_SIZE..).ok_or(0u64)?;
    let mut msg = Vec::new();
    let mut rest = body;
    let mut counter = 0u64;
    loop {
        let n = rest.len().min(ENCRYPTED_CHUNK_SIZE);
        let (chunk, tail) = rest.split_at(n);
        if chunk.len() < 16 {
            return Err(counter);
        }
        let mut nonce = *base_nonce;
        for (b, c) in nonce[4..].iter_mut().zip(counter.to_be_bytes()) {
            *b ^= c;
        }
        let (pt, tag) = chunk.split_at(chunk.len() - 16);
        let mut buf = pt.to_vec();
        let tag: [u8; 16] = tag.try_into().expect("16 bytes");
        hazmat::aead_open_in_place(Suite::Aes256Gcm, aead_key, &nonce, &[], &mut buf, &tag)
            .map_err(|_| counter)?;
        msg.extend_from_slice(&buf);
        counter += 1;
        rest = tail;
        if chunk.len() < ENCRYPTED_CHUNK_SIZE {
            // The short final chunk: nothing may follow it.
            return if rest.is_empty() {
                Ok(msg)
            } else {
                Err(counter)
            };
        }
    }
}

#[derive(Default, Debug, PartialEq, Eq)]
struct ChunkedCounts {
    valid: usize,
    invalid: usize,
    refused_key_size: usize,
    derivation_checked: usize,
    raw_mode_checked: usize,
    reencrypted: usize,
    decryptions: usize,
    partial_prefix_released: usize,
}

#[test]
fn cobblestone_256_chunked_encryption() {
    let v = load(CHUNKED_FILE);
    assert_eq!(v["algorithm"], "Cobblestone-256");
    let mut c = ChunkedCounts::default();
    for g in groups(&v) {
        assert_eq!(g["type"], "ChunkedEncryption");
        assert_eq!(g["aead"], Suite::Aes256Gcm.aead_name());
        assert_eq!(g["sha"], "SHA-512");
        for t in tests(g) {
            chunked_case(t, &mut c);
        }
    }
    println!(
        "wycheproof {CHUNKED_FILE}: {} valid passed, {} invalid rejected by the payload \
         decryptor, {} InvalidKeySize refused by the harness's key length check; derivation \
         checked on {}, raw mode on {}, salt-injected re-encryption matched on {}; {} \
         streaming decryptions in all; {} PartialPlaintext prefixes released and matched",
        c.valid,
        c.invalid,
        c.refused_key_size,
        c.derivation_checked,
        c.raw_mode_checked,
        c.reencrypted,
        c.decryptions,
        c.partial_prefix_released,
    );
    // 35 cases: 10 valid, 25 invalid (2 of them InvalidKeySize). The 10 HeaderFailure
    // cases carry no aeadKey/baseNonce: the other 25 check the derivation and raw mode.
    // 9 invalid cases have PartialPlaintext (each with a one-chunk valid prefix).
    assert_eq!(
        (c.valid, c.invalid, c.refused_key_size),
        (10, 23, 2),
        "{c:?}"
    );
    assert_eq!(c.derivation_checked, 25, "{c:?}");
    assert_eq!(c.raw_mode_checked, 25, "{c:?}");
    assert_eq!(c.reencrypted, 10, "{c:?}");
    assert_eq!(c.partial_prefix_released, 9, "{c:?}");
}

fn chunked_case(t: &Value, c: &mut ChunkedCounts) {
    let id = tc(t);
    let what = format!("tcId {id} ({})", t["comment"].as_str().unwrap_or(""));
    let expected = expect(t);

    // The API takes `&[u8; 32]`: a key of any other size is refused here, before use.
    let key_bytes = hexf(t, "key");
    let Ok(key) = <[u8; 32]>::try_from(key_bytes.as_slice()) else {
        assert!(has_flag(t, "InvalidKeySize"), "{what}: key size");
        assert_eq!(expected, Expect::Invalid, "{what}");
        c.refused_key_size += 1;
        return;
    };
    assert!(
        !has_flag(t, "InvalidKeySize"),
        "{what}: 32-byte key flagged"
    );

    let ctx = hexf(t, "ctx");
    let mut ct = Vec::new();
    flate2::read::ZlibDecoder::new(&hexf(t, "ct")[..])
        .read_to_end(&mut ct)
        .expect("zlib ciphertext");
    // The longest valid prefix: the message for valid cases, and for invalid ones the
    // plaintext a streaming decryptor may release (none when msgLength is absent).
    let msg_len = t["msgLength"].as_u64().map_or(0, |n| n as usize);
    let msg_sha = t.get("msgSha512").map(|_| hexf(t, "msgSha512"));
    if expected == Expect::Valid {
        assert!(msg_sha.is_some(), "{what}: valid case without msgSha512");
    }

    // The derivation, apart from the chunk layer.
    let header_failure = has_flag(t, "HeaderFailure");
    let mut raw_msg = None;
    if header_failure {
        assert!(t.get("aeadKey").is_none(), "{what}");
        // Whatever the header failure, the commitment cannot match: the input is too
        // short to hold one, or the derivation from this key, salt and context
        // disagrees with it.
        if ct.len() >= PREFIX_SIZE {
            let salt: [u8; SALT_SIZE] = ct[..SALT_SIZE].try_into().expect("salt");
            let (_, _, commitment) = hazmat::chunked_derive(Suite::Aes256Gcm, &key, &salt, &ctx);
            assert_ne!(
                commitment[..],
                ct[SALT_SIZE..PREFIX_SIZE],
                "{what}: commitment"
            );
        }
    } else {
        let salt: [u8; SALT_SIZE] = ct[..SALT_SIZE].try_into().expect("salt");
        let (aead_key, base_nonce, commitment) =
            hazmat::chunked_derive(Suite::Aes256Gcm, &key, &salt, &ctx);
        assert_eq!(aead_key.to_vec(), hexf(t, "aeadKey"), "{what}: aeadKey");
        assert_eq!(
            base_nonce.to_vec(),
            hexf(t, "baseNonce"),
            "{what}: baseNonce"
        );
        assert_eq!(
            commitment[..],
            ct[SALT_SIZE..PREFIX_SIZE],
            "{what}: commitment"
        );
        c.derivation_checked += 1;

        let raw = raw_decrypt(&aead_key, &base_nonce, &ct);
        match expected {
            Expect::Valid => {
                raw_msg = Some(raw.unwrap_or_else(|i| panic!("{what}: raw chunk {i}")))
            }
            Expect::Invalid => assert!(raw.is_err(), "{what}: raw mode accepted"),
        }
        c.raw_mode_checked += 1;
    }

    // The streaming decryptor with the default backend, fed every split pattern, then
    // with each backend forced, fed the whole input and (small vectors) random pieces.
    let mut longest: Vec<u8> = Vec::new();
    let patterns = split_patterns(&ct, id);
    let forced_patterns = if is_big(&ct) {
        vec![&patterns[0]]
    } else {
        vec![&patterns[0], &patterns[patterns.len() - 1]]
    };
    let forced = Backend::ALL
        .iter()
        .flat_map(|&b| forced_patterns.iter().map(move |&p| (Some(b), p)));
    for (backend, (pattern, pieces)) in patterns.iter().map(|p| (None, p)).chain(forced) {
        let name = format!("{pattern}, backend {backend:?}");
        let run = decrypt_stream(&key, &ctx, backend, pieces.iter().copied());
        c.decryptions += 1;
        match expected {
            Expect::Valid => {
                if let Some(e) = &run.error {
                    panic!("{what}, {name}: valid ciphertext failed: {e}");
                }
                assert_eq!(run.released.len(), msg_len, "{what}, {name}: length");
            }
            Expect::Invalid => {
                assert!(
                    run.error.is_some(),
                    "{what}, {name}: invalid ciphertext decrypted ({} bytes)",
                    run.released.len()
                );
                assert!(
                    run.released.len() <= msg_len,
                    "{what}, {name}: released {} bytes, the valid prefix is {msg_len}",
                    run.released.len()
                );
                // Only authenticated chunks come out, and the final chunk never does.
                assert_eq!(run.released.len() % CHUNK_SIZE, 0, "{what}, {name}");
                // Header failures come before any chunk is decrypted.
                if header_failure {
                    assert!(
                        matches!(
                            run.error,
                            Some(printseal::Error::PayloadCommitment | printseal::Error::Truncated)
                        ),
                        "{what}, {name}: {:?}",
                        run.error
                    );
                }
            }
        }
        // Every release is a prefix of the same plaintext.
        let common = run.released.len().min(longest.len());
        assert_eq!(
            run.released[..common],
            longest[..common],
            "{what}, {name}: releases disagree"
        );
        if run.released.len() > longest.len() {
            longest = run.released;
        }
    }

    match expected {
        Expect::Valid => {
            let sha = msg_sha.expect("msgSha512");
            assert_eq!(
                Sha512::digest(&longest)[..],
                sha[..],
                "{what}: plaintext SHA-512"
            );
            if let Some(raw) = &raw_msg {
                assert_eq!(raw, &longest, "{what}: raw mode plaintext");
            }
            reencrypt(&what, &key, &ctx, &ct, &longest);
            c.reencrypted += 1;
            c.valid += 1;
        }
        Expect::Invalid => {
            if has_flag(t, "PartialPlaintext") {
                // A push decryptor releases each full chunk as soon as its tag verifies,
                // so byte-at-a-time feeding must have released the whole valid prefix
                // before the error; check it is the right one.
                assert_eq!(longest.len(), msg_len, "{what}: prefix length");
                let sha = msg_sha.expect("PartialPlaintext case without msgSha512");
                assert_eq!(
                    Sha512::digest(&longest)[..],
                    sha[..],
                    "{what}: prefix SHA-512"
                );
                c.partial_prefix_released += 1;
            } else {
                assert!(longest.is_empty(), "{what}: released plaintext");
            }
            c.invalid += 1;
        }
    }
}

/// Option 2 of Wycheproof's note: `PayloadEncryptor::new` takes the salt, so sealing the
/// recovered message again with the vector's key, context and salt must reproduce the
/// ciphertext byte for byte, however the message is split, and with every backend.
fn reencrypt(what: &str, key: &[u8; 32], ctx: &[u8], ct: &[u8], msg: &[u8]) {
    let salt: [u8; SALT_SIZE] = ct[..SALT_SIZE].try_into().expect("salt");
    let sizes: &[usize] = if is_big(ct) {
        &[usize::MAX, CHUNK_SIZE + 1]
    } else {
        &[usize::MAX, 1, 1000, CHUNK_SIZE, CHUNK_SIZE + 1]
    };
    let default_runs = sizes.iter().map(|&n| (None, n));
    let forced = Backend::ALL.iter().map(|&b| (Some(b), CHUNK_SIZE + 1));
    for (backend, piece_size) in default_runs.chain(forced) {
        let mut enc = match backend {
            None => PayloadEncryptor::new(Suite::Aes256Gcm, key, &salt, ctx),
            Some(b) => PayloadEncryptor::with_backend(Suite::Aes256Gcm, key, &salt, ctx, b)
                .expect("backend takes the key"),
        };
        let mut out = Vec::new();
        for piece in msg.chunks(piece_size.min(msg.len().max(1))) {
            let mut buf = vec![0u8; enc.update_output_len(piece.len())];
            let n = enc.update(piece, &mut buf).expect("encrypt update");
            assert_eq!(n, buf.len(), "{what}: update_output_len is exact");
            out.extend_from_slice(&buf[..n]);
        }
        let mut buf = vec![0u8; enc.finish_output_len()];
        let n = enc.finish(&mut buf).expect("encrypt finish");
        assert_eq!(n, buf.len(), "{what}: finish_output_len is exact");
        out.extend_from_slice(&buf[..n]);
        assert!(
            out == ct,
            "{what}: re-encryption ({piece_size}-byte pieces, backend {backend:?}) differs"
        );
    }
}
