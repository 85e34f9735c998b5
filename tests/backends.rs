//! Every chunk-AEAD backend compiled into this build (`hazmat::Backend::ALL`: RustCrypto,
//! and AWS-LC with the `aws-lc-rs` feature) against the same inputs, which must give
//! byte-identical output and the same accept/reject decisions:
//!
//! - every 96-bit-nonce AES-256-GCM and ChaCha20-Poly1305 case of Wycheproof, through all
//!   four calls of the seam (seal and open, in/out and in place), including that a failed
//!   open leaves the output zeroed;
//! - every format vector of `tests/vectors/`, opened with each backend;
//! - a randomized differential check of whole jobs: sealed with each backend from the
//!   same seeded RNG, opened with each, and tampered at random places.
//!
//! Without the `aws-lc-rs` feature only RustCrypto runs; `scripts/test.sh` runs this file
//! with `--features aws-lc-rs,parallel` too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{hexf, wycheproof_dir};

use std::path::PathBuf;

use printseal::hazmat::{Backend, RawAead};
use printseal::rng::seeded_rng;
use printseal::{Error, Kek, Opener, SealOptions, Sealer, Suite};
use serde_json::Value;

#[test]
fn backends_compiled_in() {
    assert_eq!(Backend::ALL[0], Backend::DEFAULT);
    assert!(Backend::ALL.contains(&Backend::RustCrypto));
    #[cfg(feature = "aws-lc-rs")]
    assert_eq!(Backend::ALL, &[Backend::AwsLc, Backend::RustCrypto]);
    #[cfg(not(feature = "aws-lc-rs"))]
    assert_eq!(Backend::ALL, &[Backend::RustCrypto]);
}

// ---------------------------------------------------------------------------------------
// Wycheproof

/// What one backend made of one Wycheproof case.
#[derive(Debug, PartialEq, Eq)]
struct AeadOutcome {
    sealed: Vec<u8>,
    sealed_tag: [u8; 16],
    sealed_in_place: Vec<u8>,
    sealed_in_place_tag: [u8; 16],
    opened: Result<Vec<u8>, Vec<u8>>,
    opened_in_place: Result<Vec<u8>, Vec<u8>>,
}

fn run_case(b: Backend, suite: Suite, t: &Value, nonce: &[u8; 12]) -> AeadOutcome {
    let key: [u8; 32] = hexf(t, "key").try_into().expect("256-bit key");
    let (aad, msg, ct) = (hexf(t, "aad"), hexf(t, "msg"), hexf(t, "ct"));
    let tag: [u8; 16] = hexf(t, "tag").try_into().expect("128-bit tag");
    let aead = RawAead::new(suite, &key, b).expect("backend takes a 256-bit key");

    let mut sealed = vec![0xa5; msg.len()];
    let sealed_tag = aead.seal(nonce, &aad, &msg, &mut sealed).expect("seal");
    let mut sealed_in_place = msg.clone();
    let sealed_in_place_tag = aead
        .seal_in_place(nonce, &aad, &mut sealed_in_place)
        .expect("seal");

    // Output buffers start non-zero, so that "zeroed on failure" is observable.
    let mut out = vec![0xa5; ct.len()];
    let opened = match aead.open(nonce, &aad, &ct, &tag, &mut out) {
        Ok(()) => Ok(out),
        Err(_) => Err(out),
    };
    let mut buf = ct.clone();
    let opened_in_place = match aead.open_in_place(nonce, &aad, &mut buf, &tag) {
        Ok(()) => Ok(buf),
        Err(_) => Err(buf),
    };
    AeadOutcome {
        sealed,
        sealed_tag,
        sealed_in_place,
        sealed_in_place_tag,
        opened,
        opened_in_place,
    }
}

fn wycheproof_file(file: &str, suite: Suite) -> usize {
    let text = std::fs::read_to_string(wycheproof_dir().join(file)).expect("vector file");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    let mut ran = 0;
    for g in v["testGroups"].as_array().expect("testGroups") {
        if g["keySize"].as_u64() != Some(256) || g["tagSize"].as_u64() != Some(128) {
            continue;
        }
        for t in g["tests"].as_array().expect("tests") {
            let id = t["tcId"].as_u64().expect("tcId");
            let Ok(nonce) = <[u8; 12]>::try_from(hexf(t, "iv")) else {
                continue; // the seam takes 96-bit nonces only
            };
            let valid = match t["result"].as_str() {
                Some("valid") => true,
                Some("invalid") => false,
                other => panic!("{file} tcId {id}: result {other:?}"),
            };
            let outcomes: Vec<AeadOutcome> = Backend::ALL
                .iter()
                .map(|&b| run_case(b, suite, t, &nonce))
                .collect();
            let o = &outcomes[0];
            let (msg, ct) = (hexf(t, "msg"), hexf(t, "ct"));
            let tag: [u8; 16] = hexf(t, "tag").try_into().expect("tag");
            if valid {
                assert_eq!((&o.sealed, o.sealed_tag), (&ct, tag), "{file} tcId {id}");
                assert_eq!(
                    (&o.sealed_in_place, o.sealed_in_place_tag),
                    (&ct, tag),
                    "{file} {id}"
                );
                assert_eq!(o.opened, Ok(msg.clone()), "{file} tcId {id}");
                assert_eq!(o.opened_in_place, Ok(msg), "{file} tcId {id}");
            } else {
                let zero = vec![0u8; ct.len()];
                assert_eq!(o.opened, Err(zero.clone()), "{file} tcId {id}: not zeroed");
                assert_eq!(o.opened_in_place, Err(zero), "{file} tcId {id}: not zeroed");
            }
            for (b, other) in Backend::ALL.iter().zip(&outcomes).skip(1) {
                assert_eq!(
                    other,
                    o,
                    "{file} tcId {id}: {} differs from {}",
                    b.name(),
                    { Backend::ALL[0].name() }
                );
            }
            ran += 1;
        }
    }
    ran
}

#[test]
fn wycheproof_aes_256_gcm_every_backend() {
    let n = wycheproof_file("aes_gcm_test.json", Suite::Aes256Gcm);
    println!(
        "aes_gcm_test.json: {n} cases x {} backends",
        Backend::ALL.len()
    );
    assert!(n >= 50, "only {n} AES-256-GCM cases ran");
}

#[test]
fn wycheproof_chacha20_poly1305_every_backend() {
    let n = wycheproof_file("chacha20_poly1305_test.json", Suite::ChaCha20Poly1305);
    println!(
        "chacha20_poly1305_test.json: {n} cases x {} backends",
        Backend::ALL.len()
    );
    assert!(n >= 50, "only {n} ChaCha20-Poly1305 cases ran");
}

// ---------------------------------------------------------------------------------------
// Format vectors

/// What an opener released and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct JobOutcome {
    released: Vec<u8>,
    result: Result<(), String>,
}

fn open_job(b: Backend, keks: &[Kek], sealed: &[u8], piece: usize) -> JobOutcome {
    let ids = keks.iter().map(|k| printseal::boxed(k.clone())).collect();
    let mut opener =
        Opener::with_options(printseal::OpenOptions::new().backend(b)).unlock_with(ids);
    let mut released = Vec::new();
    for p in sealed.chunks(piece.max(1)) {
        if let Err(e) = opener.update_to_vec(p, &mut released) {
            return JobOutcome {
                released,
                result: Err(format!("{e:?}")),
            };
        }
    }
    let result = opener
        .finish_to_vec(&mut released)
        .map(|_| ())
        .map_err(|e| format!("{e:?}"));
    JobOutcome { released, result }
}

#[test]
fn format_vectors_every_backend() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut ran = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/vectors")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.contains('.') {
            continue; // README.md and the like
        }
        let bytes = std::fs::read(e.path()).expect("vector");
        let Some(split) = bytes.windows(2).position(|w| w == b"\n\n") else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes[..split]);
        let sealed = &bytes[split + 2..];
        let mut ids = Vec::new();
        let mut keys = Vec::new();
        for line in text.lines() {
            if let Some(v) = line.strip_prefix("kek id: ") {
                ids.push(<[u8; 16]>::try_from(hex::decode(v).expect("hex")).expect("16"));
            } else if let Some(v) = line.strip_prefix("kek: ") {
                keys.push(<[u8; 32]>::try_from(hex::decode(v).expect("hex")).expect("32"));
            }
        }
        let keks: Vec<Kek> = ids
            .into_iter()
            .zip(keys)
            .map(|(i, k)| Kek::new(i, k))
            .collect();
        for piece in [sealed.len(), 1000] {
            let outcomes: Vec<JobOutcome> = Backend::ALL
                .iter()
                .map(|&b| open_job(b, &keks, sealed, piece))
                .collect();
            for o in &outcomes[1..] {
                assert_eq!(o, &outcomes[0], "vector {name}, pieces of {piece}");
            }
        }
        ran += 1;
    }
    println!("{ran} format vectors x {} backends", Backend::ALL.len());
    assert!(
        ran >= 10,
        "only {ran} format vectors found in {}",
        dir.display()
    );
}

// ---------------------------------------------------------------------------------------
// Randomized differential check of whole jobs

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn seal_job(b: Backend, suite: Suite, k: &Kek, data: &[u8], seed: u8, piece: usize) -> Vec<u8> {
    let opts = SealOptions::new("application/pdf")
        .suite(suite)
        .created_at(1_700_000_000);
    let mut sealer =
        Sealer::with_rng(&opts.backend(b), &[k], &mut seeded_rng([seed; 32])).expect("sealer");
    let mut out = Vec::new();
    for p in data.chunks(piece.max(1)) {
        sealer.update_to_vec(p, &mut out).expect("update");
    }
    sealer.finish_to_vec(&mut out).expect("finish");
    out
}

#[test]
fn random_jobs_identical_across_backends() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let k = Kek::new([7; 16], [9; 32]);
    let mut jobs = 0;
    for round in 0..24u8 {
        let suite = Suite::ALL[round as usize % Suite::ALL.len()];
        // Sizes around chunk boundaries and beyond the parallel threshold.
        let len = match round % 4 {
            0 => rng.below(100),
            1 => 16384 * (1 + rng.below(3)) + rng.below(3) - 1,
            2 => rng.below(200_000),
            _ => 16384 * (8 + rng.below(12)) + rng.below(16384),
        };
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let piece = 1 + rng.below(300_000);
        let sealed: Vec<Vec<u8>> = Backend::ALL
            .iter()
            .map(|&b| seal_job(b, suite, &k, &data, round, piece))
            .collect();
        for (b, s) in Backend::ALL.iter().zip(&sealed).skip(1) {
            assert!(
                s == &sealed[0],
                "round {round}: {} sealed different bytes",
                b.name()
            );
        }
        let job = &sealed[0];
        let read = 1 + rng.below(200_000);
        for &b in Backend::ALL {
            let o = open_job(b, std::slice::from_ref(&k), job, read);
            assert_eq!(
                o,
                JobOutcome {
                    released: data.clone(),
                    result: Ok(())
                },
                "{round}"
            );
        }
        // Tamper: flip a byte in the payload, or cut, or append; every backend must
        // give the same error and release the same plaintext.
        let header_len = printseal::Header::parse(job).expect("header").len();
        let mut bad = job.clone();
        match rng.below(3) {
            0 => {
                let at = header_len + rng.below(job.len() - header_len);
                bad[at] ^= 1 << rng.below(8);
            }
            1 => bad.truncate(header_len + rng.below(job.len() - header_len)),
            _ => bad.extend((0..1 + rng.below(40)).map(|_| rng.next() as u8)),
        }
        let outcomes: Vec<JobOutcome> = Backend::ALL
            .iter()
            .map(|&b| open_job(b, std::slice::from_ref(&k), &bad, read))
            .collect();
        assert!(
            outcomes[0].result.is_err(),
            "round {round}: tampered job opened"
        );
        assert!(
            data.starts_with(&outcomes[0].released),
            "round {round}: released garbage"
        );
        for o in &outcomes[1..] {
            assert_eq!(o, &outcomes[0], "round {round}");
        }
        jobs += 1;
    }
    assert_eq!(jobs, 24);
}

#[test]
fn forced_backend_errors_match_default() {
    // An opener with a forced backend reports the same error kinds as the default.
    let k = Kek::new([1; 16], [2; 32]);
    let job = seal_job(
        Backend::RustCrypto,
        Suite::Aes256Gcm,
        &k,
        &[5; 40_000],
        3,
        40_000,
    );
    let mut bad = job.clone();
    let n = bad.len();
    bad[n - 20] ^= 1;
    for &b in Backend::ALL {
        let o = open_job(b, std::slice::from_ref(&k), &bad, bad.len());
        let want = format!(
            "{:?}",
            Error::PayloadTampered {
                chunk: 2,
                last: true
            }
        );
        assert_eq!(o.result, Err(want), "{}", b.name());
        assert_eq!(o.released.len(), 2 * 16384);
    }
}
