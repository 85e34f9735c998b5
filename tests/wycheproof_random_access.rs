//! Wycheproof's Cobblestone-256 vectors through the random-access payload reader
//! (`hazmat::SeekablePayload`), with the semantics of Wycheproof's
//! doc/c2sp_chunked_encryption.md, "Random access decryption":
//! - reading the whole message succeeds for `valid` vectors and fails for `invalid` ones;
//! - authenticating the length (decrypting the final chunk) succeeds for `valid`
//!   vectors and fails for `invalid` ones, except those flagged `ValidFinalChunk`, for
//!   which it may succeed;
//! - reading a range covered by validly encrypted chunks of a `PartialPlaintext` vector
//!   succeeds and matches the valid prefix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "std")]

mod common;

use common::hexf;

use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::PathBuf;

use printseal::hazmat::SeekablePayload;
use printseal::{Error, Suite};
use serde_json::Value;
use sha2::{Digest, Sha512};

fn vectors() -> Value {
    let shared = std::env::var_os("PRINTSEAL_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let path = shared.join("vectors/wycheproof/c2sp_chunked_encryption_aes_256_gcm_test.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

fn read_to_end_or_err<R: Read>(r: &mut R) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 5000];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return Err(Error::from_io(e)),
        }
    }
}

#[test]
fn cobblestone_256_vectors_through_random_access() {
    let v = vectors();
    let (mut valid, mut invalid, mut partial_prefix_reads, mut bad_key) = (0, 0, 0, 0);
    for group in v["testGroups"].as_array().expect("groups") {
        for t in group["tests"].as_array().expect("tests") {
            let id = t["tcId"].as_u64().expect("tcId");
            let flags: Vec<&str> = t["flags"]
                .as_array()
                .expect("flags")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let is_valid = t["result"] == "valid";
            let key = hexf(t, "key");
            let Ok(key) = <[u8; 32]>::try_from(key.as_slice()) else {
                assert!(!is_valid && flags.contains(&"InvalidKeySize"), "tc {id}");
                bad_key += 1;
                continue;
            };
            let ctx = hexf(t, "ctx");
            let mut ct = Vec::new();
            flate2::read::ZlibDecoder::new(&hexf(t, "ct")[..])
                .read_to_end(&mut ct)
                .expect("zlib");
            // Given for valid vectors and for the valid prefix of PartialPlaintext ones.
            let msg_len = t["msgLength"].as_u64().unwrap_or(0);
            let msg_sha = t
                .get("msgSha512")
                .map(|_| hexf(t, "msgSha512"))
                .unwrap_or_default();

            let open = || SeekablePayload::new(Cursor::new(&ct), 0, Suite::Aes256Gcm, &key, &ctx);
            if is_valid {
                let mut r = open().unwrap_or_else(|e| panic!("tc {id}: {e}"));
                assert_eq!(
                    r.plaintext_len().expect("length authenticates"),
                    msg_len,
                    "tc {id}"
                );
                let pt = read_to_end_or_err(&mut r).unwrap_or_else(|e| panic!("tc {id}: {e}"));
                assert_eq!(Sha512::digest(&pt).as_slice(), msg_sha, "tc {id}");
                // Seek from the end and read the tail again.
                let back = 100.min(msg_len) as i64;
                r.seek(SeekFrom::End(-back)).expect("seek from end");
                let tail = read_to_end_or_err(&mut r).expect("tail");
                assert_eq!(tail, pt[pt.len() - back as usize..], "tc {id}");
                valid += 1;
                continue;
            }
            invalid += 1;
            // Reading the whole message must fail, at construction or while reading.
            let whole = open().and_then(|mut r| read_to_end_or_err(&mut r));
            assert!(
                whole.is_err(),
                "tc {id} ({flags:?}) read whole message as Ok"
            );
            // Length authentication fails unless the final chunk itself is valid.
            if !flags.contains(&"ValidFinalChunk") {
                let len = open().and_then(|mut r| r.plaintext_len());
                assert!(len.is_err(), "tc {id} ({flags:?}) authenticated its length");
            }
            // The valid prefix of a PartialPlaintext vector MAY read back (the reader is
            // allowed to refuse a file whose length no payload can have up front); when
            // it does, it must be exactly the valid prefix.
            if flags.contains(&"PartialPlaintext") && msg_len > 0 {
                let mut prefix = vec![0u8; msg_len as usize];
                let got =
                    open().and_then(|mut r| r.read_exact(&mut prefix).map_err(Error::from_io));
                if got.is_ok() {
                    assert_eq!(Sha512::digest(&prefix).as_slice(), msg_sha, "tc {id}");
                    partial_prefix_reads += 1;
                }
            }
        }
    }
    println!(
        "random access: {valid} valid read, {invalid} invalid refused \
         ({partial_prefix_reads} valid prefixes read back), {bad_key} bad key sizes"
    );
    assert_eq!((valid, invalid, bad_key), (10, 23, 2));
    assert!(partial_prefix_reads > 0);
}
