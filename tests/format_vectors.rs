//! The format test vectors in `tests/vectors/`.
//!
//! (a) Every vector is regenerated in memory by `tools/src/bin/gen_vectors.rs` and must be
//! byte-identical to the committed file: the vectors stay generated from the code
//! (regenerate with `cargo run -p printseal-tools --bin gen_vectors`).
//!
//! (b) Every vector file is opened as a reader of the published vectors would: parse the
//! `key: value` lines, open the sealed bytes with the listed identities, and check the
//! outcome class and the SHA-256 of the released plaintext. Each file is opened by the
//! streaming [`Opener`] fed one byte at a time (which releases every chunk as soon as it
//! verifies) and in 4096-byte pieces, and by the one-shot [`printseal::open`].

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tools/src/bin/gen_vectors.rs"]
#[allow(dead_code)]
mod gen_vectors;

use std::path::PathBuf;

use printseal::format::header::Header;
use printseal::{Error, Identity, Kek, OpenOptions, OpenPolicy, Opener};
use sha2::{Digest, Sha256};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// Names of the vector files on disk (everything but README.md and dotfiles).
fn files_on_disk() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(vectors_dir())
        .expect("tests/vectors exists")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "README.md" && !n.starts_with('.'))
        // x25519_* and xwing_* belong to tools/src/bin/gen_vectors_recipients.rs and are
        // checked by tests/recipient_vectors.rs.
        .filter(|n| !n.starts_with("x25519_") && !n.starts_with("xwing_"))
        .collect();
    names.sort();
    names
}

const REGENERATE: &str =
    "regenerate with `cargo run -p printseal-tools --bin gen_vectors` and review the diff";

#[test]
fn committed_vectors_match_the_generator() {
    let vectors = gen_vectors::vectors();
    let mut generated: Vec<String> = vectors.iter().map(|v| v.name.clone()).collect();
    generated.sort();
    assert_eq!(
        files_on_disk(),
        generated,
        "vector file set differs from the generator; {REGENERATE}"
    );
    for v in &vectors {
        let committed = std::fs::read(vectors_dir().join(&v.name)).unwrap();
        assert!(
            committed == v.to_bytes(),
            "tests/vectors/{} differs from the generator; {REGENERATE}",
            v.name
        );
    }
    let readme = std::fs::read_to_string(vectors_dir().join("README.md")).unwrap();
    assert!(
        readme == gen_vectors::readme(&vectors),
        "tests/vectors/README.md is stale; {REGENERATE}"
    );
    let attrs = std::fs::read_to_string(vectors_dir().join(".gitattributes")).unwrap();
    assert_eq!(attrs, gen_vectors::GITATTRIBUTES, "{REGENERATE}");
    let total: usize = vectors.iter().map(|v| v.to_bytes().len()).sum::<usize>() + readme.len();
    assert!(
        total < 325_000,
        "tests/vectors grew to {total} bytes (keep it near 300 KB)"
    );
}

/// A parsed vector file.
struct VectorFile {
    expect: String,
    payload: String,
    file_key: Option<[u8; 32]>,
    keks: Vec<Kek>,
    now: Option<u64>,
    body: Vec<u8>,
}

fn unhex<const N: usize>(name: &str, v: &str) -> [u8; N] {
    hex::decode(v)
        .ok()
        .and_then(|b| b.try_into().ok())
        .unwrap_or_else(|| panic!("{name}: bad hex {v:?}"))
}

/// Parses a vector file; `None` if it has a key this reader does not know (skip it).
fn parse(name: &str, bytes: &[u8]) -> Option<VectorFile> {
    let split = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or_else(|| panic!("{name}: no blank line"));
    let text =
        std::str::from_utf8(&bytes[..split]).unwrap_or_else(|_| panic!("{name}: header not UTF-8"));
    let mut f = VectorFile {
        expect: String::new(),
        payload: String::new(),
        file_key: None,
        keks: Vec::new(),
        now: None,
        body: bytes[split + 2..].to_vec(),
    };
    let mut pending_id: Option<[u8; 16]> = None;
    for line in text.lines() {
        let (key, value) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{name}: bad line {line:?}"));
        match key {
            "expect" => f.expect = value.to_string(),
            "payload" => f.payload = value.to_string(),
            "file key" => f.file_key = Some(unhex(name, value)),
            "kek id" => {
                assert!(pending_id.is_none(), "{name}: kek id without kek");
                pending_id = Some(unhex(name, value));
            }
            "kek" => {
                let id = pending_id
                    .take()
                    .unwrap_or_else(|| panic!("{name}: kek without kek id"));
                f.keks.push(Kek::new(id, unhex(name, value)));
            }
            "now" => f.now = Some(value.parse().unwrap_or_else(|_| panic!("{name}: bad now"))),
            "seed" | "comment" => {}
            _ => return None,
        }
    }
    assert!(pending_id.is_none(), "{name}: kek id without kek");
    assert!(
        !f.expect.is_empty() && !f.payload.is_empty(),
        "{name}: expect and payload are required"
    );
    Some(f)
}

/// The outcome class of a result, as written on `expect:` lines.
fn class<T>(r: &Result<T, Error>) -> &'static str {
    match r {
        Ok(_) => "success",
        Err(Error::MalformedHeader(_)) => "header failure",
        Err(Error::UnsupportedVersion(_)) => "unsupported version",
        Err(Error::UnsupportedSuite(_)) => "unsupported suite",
        Err(Error::NotPrintseal) => "not printseal",
        Err(Error::LimitExceeded(_)) => "limit exceeded",
        Err(Error::HeaderMac) => "HMAC failure",
        Err(Error::NoMatchingRecipient) => "no match",
        Err(Error::StanzaUnwrap) => "unwrap failure",
        Err(Error::PayloadCommitment) => "commitment failure",
        Err(Error::PayloadTampered { .. }) => "payload failure",
        Err(Error::TrailingData) => "trailing data",
        Err(Error::Truncated) => "truncated",
        Err(Error::PolicyViolation(_)) => "policy violation",
        Err(e) => panic!("unexpected error class: {e:?}"),
    }
}

/// Opens `body` with a streaming opener fed `piece`-byte pieces; returns the outcome and
/// the plaintext released (reported as written) before it.
/// The open options of a vector: the default policy, at the vector's `now` if it has one.
fn options(now: Option<u64>) -> OpenOptions {
    match now {
        Some(t) => OpenOptions::new().policy(OpenPolicy::new().at_time(t)),
        None => OpenOptions::new(),
    }
}

fn open_streaming(
    body: &[u8],
    keks: &[Kek],
    piece: usize,
    now: Option<u64>,
) -> (Result<(), Error>, Vec<u8>) {
    let mut opener = Opener::with_options(options(now))
        .unlock_with(keks.iter().cloned().map(printseal::boxed).collect());
    let mut out = Vec::new();
    for p in body.chunks(piece) {
        match opener.update_to_vec(p, &mut out) {
            Ok(progress) => assert_eq!(progress.consumed, p.len()),
            Err(e) => return (Err(e), out),
        }
    }
    let r = opener.finish_to_vec(&mut out).map(|_| ());
    (r, out)
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[test]
fn every_vector_has_its_expected_outcome() {
    let mut checked = 0;
    let mut skipped = Vec::new();
    let mut by_class = std::collections::BTreeMap::<String, usize>::new();
    for name in files_on_disk() {
        let bytes = std::fs::read(vectors_dir().join(&name)).unwrap();
        let Some(v) = parse(&name, &bytes) else {
            skipped.push(name);
            continue;
        };
        let ids: Vec<&dyn Identity> = v.keks.iter().map(|k| k as &dyn Identity).collect();

        let (res, released) = open_streaming(&v.body, &v.keks, 1, v.now);
        assert_eq!(
            class(&res),
            v.expect,
            "{name}: streaming opener (1-byte pieces): {res:?}"
        );
        assert_eq!(
            sha256_hex(&released),
            v.payload,
            "{name}: released plaintext (1-byte pieces)"
        );

        let (res4k, released4k) = open_streaming(&v.body, &v.keks, 4096, v.now);
        assert_eq!(
            class(&res4k),
            v.expect,
            "{name}: streaming opener (4096-byte pieces): {res4k:?}"
        );
        assert!(
            released.starts_with(&released4k),
            "{name}: 4096-byte pieces released other plaintext"
        );
        if res4k.is_ok() {
            assert_eq!(released4k, released, "{name}");
        }

        let one_shot = printseal::open_with(&v.body, &ids, &options(v.now));
        assert_eq!(
            class(&one_shot),
            v.expect,
            "{name}: one-shot open: {:?}",
            one_shot.as_ref().err()
        );
        if let Ok(opened) = &one_shot {
            assert_eq!(
                sha256_hex(&opened.plaintext),
                v.payload,
                "{name}: one-shot plaintext"
            );
        }

        if v.expect == "success" {
            // The file key line is what the listed identities unwrap from the stanzas.
            let want = v
                .file_key
                .unwrap_or_else(|| panic!("{name}: success vectors list the file key"));
            let header = Header::parse(&v.body).unwrap();
            let unwrapped = header
                .stanzas()
                .iter()
                .find_map(|s| v.keks.iter().find_map(|k| k.unwrap_stanza(s)))
                .unwrap_or_else(|| panic!("{name}: no stanza for the identities"))
                .unwrap_or_else(|e| panic!("{name}: unwrap: {e:?}"));
            assert_eq!(unwrapped.expose_secret(), &want, "{name}: file key");
        }
        *by_class.entry(v.expect.clone()).or_default() += 1;
        checked += 1;
    }
    println!("checked {checked} vectors: {by_class:?}");
    assert!(
        skipped.is_empty(),
        "our own vectors use known keys only; skipped {skipped:?}"
    );
    assert!(checked >= 50, "only {checked} vectors checked");
}

/// Every expected outcome class is covered by at least one vector.
#[test]
fn every_outcome_class_has_a_vector() {
    let vectors = gen_vectors::vectors();
    for c in [
        "success",
        "header failure",
        "unsupported version",
        "unsupported suite",
        "not printseal",
        "limit exceeded",
        "HMAC failure",
        "no match",
        "unwrap failure",
        "commitment failure",
        "payload failure",
        "trailing data",
        "truncated",
    ] {
        assert!(
            vectors.iter().any(|v| v.expect == c),
            "no vector expects {c:?}"
        );
    }
}
