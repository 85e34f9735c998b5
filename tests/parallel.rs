//! Sealing and opening large runs of chunks in one call (which the `parallel` feature
//! spreads over rayon's threads from `hazmat::PARALLEL_MIN_CHUNKS` chunks on) against the
//! chunk-at-a-time path: byte-identical output for every size and split, and on a
//! tampered chunk the error names the FIRST failing chunk and nothing from it on is
//! released. Without the feature the same tests check the sequential path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::msg;

use printseal::hazmat::{
    CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, PARALLEL_MIN_CHUNKS, PREFIX_SIZE, PayloadDecryptor,
    PayloadEncryptor,
};
use printseal::{Error, Suite};

const KEY: [u8; 32] = [0x42; 32];
const SALT: [u8; 24] = [0x17; 24];
const CTX: &[u8] = b"parallel test context";

fn seal_payload(suite: Suite, data: &[u8], piece: usize) -> Vec<u8> {
    let mut e = PayloadEncryptor::new(suite, &KEY, &SALT, CTX);
    let mut out = Vec::new();
    for p in data.chunks(piece.max(1)) {
        let start = out.len();
        out.resize(start + e.update_output_len(p.len()), 0);
        let n = e.update(p, &mut out[start..]).expect("update");
        out.truncate(start + n);
    }
    let start = out.len();
    out.resize(start + e.finish_output_len(), 0);
    let n = e.finish(&mut out[start..]).expect("finish");
    out.truncate(start + n);
    out
}

/// Opens `ct` in pieces of `piece` bytes; returns what was released (whole chunks and,
/// on success, the final one) and the result.
fn open_payload(suite: Suite, ct: &[u8], piece: usize) -> (Vec<u8>, Result<(), Error>) {
    let mut d = PayloadDecryptor::new(suite, &KEY, CTX);
    let mut released = Vec::new();
    for p in ct.chunks(piece.max(1)) {
        let mut out = vec![0xa5; d.update_output_len(p.len())];
        match d.update(p, &mut out) {
            Ok(n) => released.extend_from_slice(&out[..n]),
            Err(e) => {
                // Whatever the failing call wrote: authentic chunks, then zeros.
                let good = released.len();
                released.extend_from_slice(&out);
                let end = released
                    .iter()
                    .rposition(|&b| b != 0)
                    .map_or(good, |i| i + 1);
                released.truncate(end.max(good));
                return (released, Err(e));
            }
        }
    }
    let mut out = vec![0; d.finish_output_len()];
    let res = d
        .finish(&mut out)
        .map(|n| released.extend_from_slice(&out[..n]));
    (released, res)
}

#[test]
fn large_calls_match_small_calls_every_size() {
    let sizes = [
        0,
        1,
        CHUNK_SIZE - 1,
        CHUNK_SIZE,
        PARALLEL_MIN_CHUNKS * CHUNK_SIZE - 1,
        PARALLEL_MIN_CHUNKS * CHUNK_SIZE,
        PARALLEL_MIN_CHUNKS * CHUNK_SIZE + 1,
        37 * CHUNK_SIZE + 12345,
        66 * CHUNK_SIZE,
    ];
    for suite in Suite::ALL {
        for len in sizes {
            let data = msg(len);
            // Reference: one byte short of a chunk at a time, never a run of chunks.
            let reference = seal_payload(suite, &data, CHUNK_SIZE - 1);
            for piece in [
                len.max(1),
                8 * CHUNK_SIZE,
                9 * CHUNK_SIZE + 1,
                64 * CHUNK_SIZE,
                1000,
            ] {
                assert!(
                    seal_payload(suite, &data, piece) == reference,
                    "{suite:?} len {len} piece {piece}"
                );
            }
            for piece in [
                reference.len(),
                8 * ENCRYPTED_CHUNK_SIZE + 5,
                1000,
                64 * CHUNK_SIZE,
            ] {
                let (pt, res) = open_payload(suite, &reference, piece);
                assert!(res.is_ok(), "{suite:?} len {len} piece {piece}: {res:?}");
                assert!(pt == data, "{suite:?} len {len} piece {piece}");
            }
        }
    }
}

#[test]
fn first_failing_chunk_is_reported_and_nothing_after_it_released() {
    let chunks = 24;
    let data = msg(chunks * CHUNK_SIZE + 100);
    for suite in Suite::ALL {
        let ct = seal_payload(suite, &data, data.len());
        for bad_chunks in [vec![0], vec![5], vec![7, 20], vec![23, 9, 15], vec![23]] {
            let mut bad = ct.clone();
            for &c in &bad_chunks {
                bad[PREFIX_SIZE + c * ENCRYPTED_CHUNK_SIZE + 100] ^= 0x80;
            }
            let first = *bad_chunks.iter().min().expect("one") as u64;
            for piece in [bad.len(), 16 * ENCRYPTED_CHUNK_SIZE, 3000] {
                let (released, res) = open_payload(suite, &bad, piece);
                match res {
                    Err(Error::PayloadTampered { chunk, last: false }) => {
                        assert_eq!(chunk, first, "{suite:?} {bad_chunks:?} piece {piece}")
                    }
                    other => panic!("{suite:?} {bad_chunks:?}: {other:?}"),
                }
                assert_eq!(
                    released.len() as u64,
                    first * CHUNK_SIZE as u64,
                    "{bad_chunks:?}"
                );
                assert!(data.starts_with(&released));
            }
        }
    }
}

#[test]
fn failed_run_zeroes_output_from_the_first_failure() {
    let data = msg(20 * CHUNK_SIZE + 1);
    let ct = seal_payload(Suite::Aes256Gcm, &data, data.len());
    let mut bad = ct.clone();
    bad[PREFIX_SIZE + 11 * ENCRYPTED_CHUNK_SIZE] ^= 1;
    let mut d = PayloadDecryptor::new(Suite::Aes256Gcm, &KEY, CTX);
    let mut out = vec![0xa5; d.update_output_len(bad.len())];
    let res = d.update(&bad, &mut out);
    assert!(
        matches!(
            res,
            Err(Error::PayloadTampered {
                chunk: 11,
                last: false
            })
        ),
        "{res:?}"
    );
    assert_eq!(&out[..11 * CHUNK_SIZE], &data[..11 * CHUNK_SIZE]);
    assert!(
        out[11 * CHUNK_SIZE..].iter().all(|&b| b == 0),
        "plaintext after the failure"
    );
    // Errors are final.
    assert!(matches!(d.update(&[], &mut out), Err(Error::InvalidState)));
}

#[test]
#[cfg(feature = "std")]
fn whole_jobs_and_io_adapters_match() {
    use printseal::rng::seeded_rng;
    use printseal::{Kek, Opener, SealOptions, Sealer};

    use std::io::{Read, Write};
    let k = Kek::new([3; 16], [4; 32]);
    let data = msg(1024 * 1024 + 16 * CHUNK_SIZE + 777);
    for suite in Suite::ALL {
        let opts = SealOptions::new("application/pdf")
            .suite(suite)
            .created_at(1);
        let seal = |piece: usize| {
            let mut s = Sealer::with_rng(&opts, &[&k], &mut seeded_rng([8; 32])).expect("sealer");
            let mut out = Vec::new();
            for p in data.chunks(piece) {
                s.update_to_vec(p, &mut out).expect("update");
            }
            s.finish_to_vec(&mut out).expect("finish");
            out
        };
        let reference = seal(4096);
        assert!(seal(data.len()) == reference);
        assert!(seal(1024 * 1024 + 3) == reference);

        let mut w = printseal::io::SealWriter::with_rng(Vec::new(), &opts, &[&k], &mut {
            seeded_rng([8; 32])
        })
        .expect("writer");
        w.write_all(&data).expect("write");
        assert!(w.finish().expect("finish") == reference);

        let mut r = printseal::io::OpenReader::new(&reference[..], &[&k]).expect("reader");
        let mut back = Vec::new();
        r.read_to_end(&mut back).expect("read");
        assert!(back == data);

        let mut opener = Opener::new().unlock_with(vec![printseal::boxed(k.clone())]);
        let mut out = Vec::new();
        opener.update_to_vec(&reference, &mut out).expect("update");
        opener.finish_to_vec(&mut out).expect("finish");
        assert!(out == data);
    }
}
