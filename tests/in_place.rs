//! In-place sealing and opening through the push API (`Sealer::update_in_place`,
//! `Opener::update_in_place` / `finish_in_place`): byte-identical to the out-of-place
//! path for every size and split, the same errors for tampered, truncated and extended
//! jobs, and exact buffer bounds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::msg;
use printseal::hazmat::{Backend, CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE};
use printseal::{Error, Kek, OpenOptions, Opener, SealOptions, Sealer, Suite, rng::seeded_rng};

const SIZES: [usize; 10] = [
    0,
    1,
    16383,
    16384,
    16385,
    2 * 16384 - 1,
    3 * 16384,
    3 * 16384 + 7,
    100_000,
    300_001,
];

fn key() -> Kek {
    common::kek(3)
}

fn opts(suite: Suite, b: Backend) -> SealOptions {
    SealOptions::new("application/pdf")
        .suite(suite)
        .backend(b)
        .created_at(1_700_000_000)
}

/// The reference: out of place, one update.
fn seal_out_of_place(o: &SealOptions, data: &[u8]) -> Vec<u8> {
    let mut s = Sealer::with_rng(o, &[&key()], &mut seeded_rng([8; 32])).unwrap();
    let mut out = Vec::new();
    s.update_to_vec(data, &mut out).unwrap();
    s.finish_to_vec(&mut out).unwrap();
    out
}

/// In place, fed in pieces of `piece` bytes: each piece is copied into a work buffer
/// of exactly `update_in_place_len` bytes and sealed there.
fn seal_in_place(o: &SealOptions, data: &[u8], piece: usize) -> Vec<u8> {
    let mut s = Sealer::with_rng(o, &[&key()], &mut seeded_rng([8; 32])).unwrap();
    let mut out = Vec::new();
    let mut pieces: Vec<&[u8]> = data.chunks(piece.max(1)).collect();
    if pieces.is_empty() {
        pieces.push(&[]);
    }
    for p in pieces {
        let mut buf = vec![0u8; s.update_in_place_len(p.len())];
        buf[..p.len()].copy_from_slice(p);
        let n = s.update_in_place(&mut buf, p.len()).unwrap();
        out.extend_from_slice(&buf[..n]);
    }
    let mut tail = vec![0u8; s.finish_output_len()];
    let n = s.finish(&mut tail).unwrap();
    out.extend_from_slice(&tail[..n]);
    out
}

/// Opens `sealed` in place, reading it `read` bytes at a time into a work buffer, as a
/// caller streaming from a file would (compacting the unconsumed tail to the front).
fn open_in_place(sealed: &[u8], read: usize, b: Backend) -> Result<Vec<u8>, Error> {
    let mut o = Opener::with_options(OpenOptions::new().backend(b))
        .unlock_with(vec![printseal::boxed(key())]);
    let mut plain = Vec::new();
    let mut work: Vec<u8> = Vec::new();
    let mut src = sealed;
    loop {
        let take = read.min(src.len());
        work.extend_from_slice(&src[..take]);
        src = &src[take..];
        let p = o.update_in_place(&mut work)?;
        assert!(p.written <= p.consumed);
        plain.extend_from_slice(&work[..p.written]);
        work.drain(..p.consumed);
        assert!(work.len() <= ENCRYPTED_CHUNK_SIZE + 16 + read);
        if src.is_empty() {
            break;
        }
    }
    let n = o.finish_in_place(&mut work)?;
    plain.extend_from_slice(&work[..n]);
    Ok(plain)
}

fn open_out_of_place(sealed: &[u8]) -> Result<Vec<u8>, Error> {
    let mut o = Opener::new().unlock_with(vec![printseal::boxed(key())]);
    let mut out = Vec::new();
    o.update_to_vec(sealed, &mut out)?;
    o.finish_to_vec(&mut out)?;
    Ok(out)
}

#[test]
fn in_place_seal_is_byte_identical_for_every_size_split_suite_and_backend() {
    for suite in Suite::ALL {
        for &b in Backend::ALL {
            let o = opts(suite, b);
            for len in SIZES {
                let data = msg(len);
                let reference = seal_out_of_place(&o, &data);
                for piece in [
                    len.max(1),
                    1000,
                    CHUNK_SIZE,
                    CHUNK_SIZE + 1,
                    5 * CHUNK_SIZE - 3,
                ] {
                    let got = seal_in_place(&o, &data, piece);
                    assert!(got == reference, "{suite:?} {b:?} len {len} piece {piece}");
                }
            }
        }
    }
}

#[test]
fn in_place_open_round_trips_for_every_size_and_read_size() {
    for suite in Suite::ALL {
        for &b in Backend::ALL {
            let o = opts(suite, b);
            for len in SIZES {
                let data = msg(len);
                let sealed = seal_out_of_place(&o, &data);
                for read in [sealed.len(), 1, 4096, ENCRYPTED_CHUNK_SIZE, 70_000] {
                    if read == 1 && len > 20_000 {
                        continue; // quadratic compaction in this test only
                    }
                    let got = open_in_place(&sealed, read, b).unwrap();
                    assert!(got == data, "{suite:?} {b:?} len {len} read {read}");
                }
            }
        }
    }
}

#[test]
fn mixed_sealing_in_place_and_out_of_place_gives_the_same_job() {
    let o = opts(Suite::Aes256Gcm, Backend::DEFAULT);
    let data = msg(200_000);
    let reference = seal_out_of_place(&o, &data);
    let mut s = Sealer::with_rng(&o, &[&key()], &mut seeded_rng([8; 32])).unwrap();
    let mut out = Vec::new();
    let (a, rest) = data.split_at(5000);
    s.update_to_vec(a, &mut out).unwrap();
    let (bb, c) = rest.split_at(100_000);
    let mut buf = vec![0u8; s.update_in_place_len(bb.len())];
    buf[..bb.len()].copy_from_slice(bb);
    let n = s.update_in_place(&mut buf, bb.len()).unwrap();
    out.extend_from_slice(&buf[..n]);
    s.update_to_vec(c, &mut out).unwrap();
    s.finish_to_vec(&mut out).unwrap();
    assert!(out == reference);
    assert!(open_in_place(&out, 9999, Backend::DEFAULT).unwrap() == data);
}

#[test]
fn in_place_seal_refuses_a_short_buffer_and_consumes_nothing() {
    let o = opts(Suite::Aes256Gcm, Backend::DEFAULT);
    let data = msg(3 * CHUNK_SIZE + 5);
    let mut s = Sealer::with_rng(&o, &[&key()], &mut seeded_rng([8; 32])).unwrap();
    let needed = s.update_in_place_len(data.len());
    assert_eq!(needed, s.update_output_len(data.len()));
    let mut buf = vec![0u8; needed - 1];
    buf[..data.len()].copy_from_slice(&data);
    match s.update_in_place(&mut buf, data.len()) {
        Err(Error::OutputTooSmall { needed: n }) => assert_eq!(n, needed),
        other => panic!("expected OutputTooSmall, got {other:?}"),
    }
    // `len` past the buffer is refused the same way.
    let mut small = vec![0u8; 10];
    assert!(matches!(
        s.update_in_place(&mut small, 11),
        Err(Error::OutputTooSmall { .. })
    ));
    // Nothing was consumed: the sealer still produces the reference job.
    let mut buf = vec![0u8; needed];
    buf[..data.len()].copy_from_slice(&data);
    let n = s.update_in_place(&mut buf, data.len()).unwrap();
    let mut out = buf[..n].to_vec();
    s.finish_to_vec(&mut out).unwrap();
    assert!(out == seal_out_of_place(&o, &data));
}

#[test]
fn in_place_open_of_tampered_jobs_fails_like_out_of_place() {
    let o = opts(Suite::Aes256Gcm, Backend::DEFAULT);
    let data = msg(5 * CHUNK_SIZE + 100);
    let sealed = seal_out_of_place(&o, &data);
    let header = printseal::Header::parse(&sealed).unwrap().len();
    // One flipped bit in the header, the prefix, each chunk body and each tag.
    let mut positions = vec![0, 9, header - 1, header, header + 40];
    for k in 0..6 {
        let start = header + 56 + k * ENCRYPTED_CHUNK_SIZE;
        positions.extend([
            start,
            start + 77,
            (start + ENCRYPTED_CHUNK_SIZE - 1).min(sealed.len() - 1),
        ]);
    }
    positions.push(sealed.len() - 1);
    for pos in positions {
        let mut bad = sealed.clone();
        bad[pos] ^= 0x20;
        let reference = open_out_of_place(&bad).unwrap_err();
        for read in [bad.len(), 4096, 50_000] {
            let e = open_in_place(&bad, read, Backend::DEFAULT).unwrap_err();
            assert_eq!(
                e.code(),
                reference.code(),
                "bit flip at {pos} read {read}: {e:?}"
            );
        }
    }
}

#[test]
fn in_place_open_of_truncated_and_extended_jobs_fails_like_out_of_place() {
    let o = opts(Suite::ChaCha20Poly1305, Backend::DEFAULT);
    let data = msg(3 * CHUNK_SIZE);
    let sealed = seal_out_of_place(&o, &data);
    let header = printseal::Header::parse(&sealed).unwrap().len();
    let mut cases: Vec<Vec<u8>> = Vec::new();
    for cut in [
        1,
        16,
        17,
        ENCRYPTED_CHUNK_SIZE,
        ENCRYPTED_CHUNK_SIZE + 16,
        sealed.len() - header,
    ] {
        cases.push(sealed[..sealed.len() - cut].to_vec());
    }
    for extra in [1usize, 2, 16, 17, 100, ENCRYPTED_CHUNK_SIZE] {
        let mut v = sealed.clone();
        v.extend(std::iter::repeat_n(0x0a, extra));
        cases.push(v);
    }
    for bad in cases {
        let reference = open_out_of_place(&bad).unwrap_err();
        for read in [bad.len(), 1000, 40_000] {
            let e = open_in_place(&bad, read, Backend::DEFAULT).unwrap_err();
            assert_eq!(
                e.code(),
                reference.code(),
                "len {} read {read}: {e:?}",
                bad.len()
            );
        }
    }
}

#[test]
fn in_place_open_refuses_a_partial_chunk_left_by_update() {
    let o = opts(Suite::Aes256Gcm, Backend::DEFAULT);
    let sealed = seal_out_of_place(&o, &msg(4 * CHUNK_SIZE));
    let mut op = Opener::new().unlock_with(vec![printseal::boxed(key())]);
    let mut out = Vec::new();
    // Header, prefix and part of the first chunk through the buffered path.
    let header = printseal::Header::parse(&sealed).unwrap().len();
    op.update_to_vec(&sealed[..header + 56 + 100], &mut out)
        .unwrap();
    let mut rest = sealed[header + 56 + 100..].to_vec();
    assert!(matches!(
        op.update_in_place(&mut rest),
        Err(Error::InvalidState)
    ));
    // Errors are final.
    assert!(op.finish_to_vec(&mut out).is_err());
}

#[test]
fn in_place_open_of_a_locked_opener_stops_after_the_header() {
    let o = opts(Suite::Aes256Gcm, Backend::DEFAULT);
    let data = msg(2 * CHUNK_SIZE + 3);
    let sealed = seal_out_of_place(&o, &data);
    let mut op = Opener::new();
    let mut buf = sealed.clone();
    let p = op.update_in_place(&mut buf).unwrap();
    assert!(op.is_locked());
    assert_eq!(p.written, 0);
    assert_eq!(p.consumed, printseal::Header::parse(&sealed).unwrap().len());
    op.unlock(&[&key()]).unwrap();
    let rest = &mut buf[p.consumed..];
    let q = op.update_in_place(rest).unwrap();
    let mut plain = rest[..q.written].to_vec();
    let tail = &mut rest[q.consumed..];
    let n = op.finish_in_place(tail).unwrap();
    plain.extend_from_slice(&tail[..n]);
    assert!(plain == data);
    // Wrong key: no plaintext.
    let mut buf = sealed.clone();
    let mut op = Opener::new().unlock_with(vec![printseal::boxed(Kek::new([3; 16], [5; 32]))]);
    assert!(op.update_in_place(&mut buf).is_err());
}
