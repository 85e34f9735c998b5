//! The public-key recipient vectors `tests/vectors/x25519_*` and `tests/vectors/xwing_*`.
//!
//! (a) `tools/src/bin/gen_vectors_recipients.rs` regenerates them in memory; the committed
//! files must be byte-identical (regenerate with
//! `cargo run -p printseal-tools --bin gen_vectors_recipients`).
//!
//! (b) Each file is read as a reader of the published vectors would: parse the
//! `key: value` lines (`x25519 identity` and `xwing identity` besides the KEK pairs),
//! open the job with the listed identities in order, one-shot and streaming, and check
//! the outcome class and the SHA-256 of the released plaintext.
#![cfg(feature = "std")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tools/src/bin/gen_vectors_recipients.rs"]
#[allow(dead_code)]
mod gen_vectors_recipients;

use std::path::PathBuf;

use gen_vectors_recipients::{Key, PREFIXES};
use printseal::{Error, Identity, Kek, Opener, X25519Identity, XWingIdentity};
use sha2::{Digest, Sha256};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn ours_on_disk() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| PREFIXES.iter().any(|p| n.starts_with(p)))
        .collect();
    v.sort();
    v
}

const REGENERATE: &str = "regenerate with `cargo run -p printseal-tools --bin gen_vectors_recipients` and review the diff";

#[test]
fn committed_recipient_vectors_match_the_generator() {
    let vectors = gen_vectors_recipients::vectors();
    let mut names: Vec<String> = vectors.iter().map(|v| v.name.clone()).collect();
    names.sort();
    assert_eq!(ours_on_disk(), names, "{REGENERATE}");
    for v in &vectors {
        let on_disk = std::fs::read(dir().join(&v.name)).unwrap();
        assert!(
            on_disk == v.to_bytes(),
            "tests/vectors/{} differs; {REGENERATE}",
            v.name
        );
    }
}

struct File {
    expect: String,
    payload: String,
    file_key: [u8; 32],
    keys: Vec<Key>,
    body: Vec<u8>,
}

fn parse(name: &str, bytes: &[u8]) -> File {
    let split = bytes.windows(2).position(|w| w == b"\n\n").unwrap();
    let text = std::str::from_utf8(&bytes[..split]).unwrap();
    let mut f = File {
        expect: String::new(),
        payload: String::new(),
        file_key: [0; 32],
        keys: Vec::new(),
        body: bytes[split + 2..].to_vec(),
    };
    let mut kek_id: Option<[u8; 16]> = None;
    for line in text.lines() {
        let (k, v) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{name}: {line:?}"));
        match k {
            "expect" => f.expect = v.to_string(),
            "payload" => f.payload = v.to_string(),
            "file key" => f.file_key = hex::decode(v).unwrap().try_into().unwrap(),
            "kek id" => kek_id = Some(hex::decode(v).unwrap().try_into().unwrap()),
            "kek" => f.keys.push(Key::Kek(Kek::new(
                kek_id.take().unwrap(),
                hex::decode(v).unwrap().try_into().unwrap(),
            ))),
            "x25519 identity" => f
                .keys
                .push(Key::X25519(v.parse::<X25519Identity>().unwrap())),
            "xwing identity" => f
                .keys
                .push(Key::XWing(Box::new(v.parse::<XWingIdentity>().unwrap()))),
            "seed" | "comment" => {}
            other => panic!("{name}: unknown key {other}"),
        }
    }
    f
}

fn class<T>(r: &Result<T, Error>) -> &'static str {
    match r {
        Ok(_) => "success",
        Err(Error::MalformedHeader(_)) => "header failure",
        Err(Error::NoMatchingRecipient) => "no match",
        Err(Error::StanzaUnwrap) => "unwrap failure",
        Err(Error::HeaderMac) => "HMAC failure",
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

fn hex_sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

#[test]
fn every_recipient_vector_has_its_expected_outcome() {
    let names = ours_on_disk();
    assert!(names.len() >= 15, "{names:?}");
    let mut seen = std::collections::BTreeSet::new();
    for name in &names {
        let f = parse(name, &std::fs::read(dir().join(name)).unwrap());
        let ids: Vec<&dyn Identity> = f.keys.iter().map(Key::identity).collect();
        // One shot.
        let r = printseal::open(&f.body, &ids);
        assert_eq!(class(&r), f.expect, "{name}");
        let released = r.as_ref().map(|o| o.plaintext.clone()).unwrap_or_default();
        assert_eq!(hex_sha256(&released), f.payload, "{name}");
        // Streaming, 1000 bytes at a time.
        let mut o = Opener::new();
        let mut out = Vec::new();
        let mut res = Ok(());
        for piece in f.body.chunks(1000) {
            let mut input = piece;
            while !input.is_empty() {
                match o.update_to_vec(input, &mut out) {
                    Ok(p) => input = &input[p.consumed..],
                    Err(e) => {
                        res = Err(e);
                        break;
                    }
                }
                if o.is_locked()
                    && let Err(e) = o.unlock(&ids)
                {
                    res = Err(e);
                    break;
                }
            }
            if res.is_err() {
                break;
            }
        }
        if res.is_ok() {
            res = o.finish_to_vec(&mut out).map(|_| ());
        }
        assert_eq!(class(&res), f.expect, "{name} (streaming)");
        assert_eq!(hex_sha256(&out), f.payload, "{name} (streaming)");
        // The file key line is the key every success unwraps.
        if f.expect == "success" {
            let h = printseal::Header::parse(&f.body).unwrap();
            let fk = h
                .stanzas()
                .iter()
                .find_map(|s| ids.iter().find_map(|i| i.unwrap_stanza(s)));
            assert_eq!(fk.unwrap().unwrap().expose_secret(), &f.file_key, "{name}");
        }
        seen.insert(f.expect.clone());
    }
    for class in ["success", "no match", "unwrap failure", "header failure"] {
        assert!(seen.contains(class), "no recipient vector for {class}");
    }
}
