//! The batching of the std::io adapters (issue 14): `SealWriter` gathers small writes
//! and seals large ones straight from the caller's slice, `OpenReader` reads whole
//! chunks ahead and opens straight into large caller buffers. What must not change:
//! the bytes (identical to the push API for every split of the input), errors final,
//! truncation never a clean end, tampering caught with nothing unverified released.
//! What must: the inner writer gets large writes, not one per chunk.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(all(feature = "std", feature = "getrandom"))]

mod common;

use common::{kek, msg};

use std::io::{self, Read, Write};

use printseal::io::{OpenReader, SealWriter};
use printseal::rng::seeded_rng;
use printseal::{Error, Header, SealOptions, Sealer, Suite};

const CHUNK: usize = 16384;
const ENC: usize = CHUNK + 16;

fn opts(suite: Suite) -> SealOptions {
    SealOptions::new("application/pdf")
        .suite(suite)
        .created_at(1)
}

/// The job the push API makes from `data` in one call (seed 3).
fn push_seal(data: &[u8], suite: Suite) -> Vec<u8> {
    let mut s = Sealer::with_rng(&opts(suite), &[&kek(5)], &mut seeded_rng([3; 32])).unwrap();
    let mut out = Vec::new();
    s.update_to_vec(data, &mut out).unwrap();
    s.finish_to_vec(&mut out).unwrap();
    out
}

/// Records the size of every write it gets.
#[derive(Default)]
struct Recording {
    bytes: Vec<u8>,
    writes: Vec<usize>,
    flushes: usize,
}

impl Write for Recording {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        self.writes.push(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

/// Seals `data` through a SealWriter, writing the sizes of `pattern` in turn.
fn writer_seal(data: &[u8], suite: Suite, pattern: &[usize]) -> Recording {
    let mut w = SealWriter::with_rng(
        Recording::default(),
        &opts(suite),
        &[&kek(5)],
        &mut seeded_rng([3; 32]),
    )
    .unwrap();
    let mut rest = data;
    for &p in pattern.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let n = p.min(rest.len());
        w.write_all(&rest[..n]).unwrap();
        rest = &rest[n..];
    }
    w.finish().unwrap()
}

/// Job lengths: empty, around one chunk, and runs of several batches.
const LENS: [usize; 7] = [
    0,
    1,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    40 * CHUNK + 3,
    70 * CHUNK,
];

const PATTERNS: &[&[usize]] = &[
    &[1],
    &[7, 8192],
    &[8192],
    &[CHUNK - 1],
    &[CHUNK],
    &[CHUNK + 1],
    &[3 * CHUNK + 5, 100],
    &[65536],
    &[256 * 1024],
    &[256 * 1024 + 1],
    &[1 << 20],
    &[5, 1 << 20, 8192, 300_000, 1],
    &[16 << 20],
];

#[test]
fn sealwriter_output_is_the_push_apis_for_every_write_pattern() {
    for len in LENS {
        let data = msg(len);
        for suite in Suite::ALL {
            let want = push_seal(&data, suite);
            for pattern in PATTERNS {
                // 1-byte writes only for the shorter jobs, to keep the test quick.
                if pattern == &[1] && len > 2 * CHUNK {
                    continue;
                }
                let got = writer_seal(&data, suite, pattern);
                assert!(got.bytes == want, "{suite:?} {len} {pattern:?}");
            }
        }
    }
}

#[test]
fn sealwriter_makes_large_writes_whatever_the_caller_writes() {
    let data = msg(4 << 20);
    for pattern in [
        &[8192][..],
        &[CHUNK],
        &[1 << 20],
        &[16 << 20],
        &[1000, 70_000],
    ] {
        let rec = writer_seal(&data, Suite::Aes256Gcm, pattern);
        // Every write but the last holds at least 256 KiB (a batch of 16 chunks):
        // no more one write per 16 KiB chunk.
        let (last, rest) = rec.writes.split_last().unwrap();
        assert!(*last > 0);
        assert!(
            rest.iter().all(|&n| n >= 256 * 1024),
            "{pattern:?}: {:?}",
            rec.writes
        );
        assert!(
            rec.writes.len() <= (4 << 20) / (256 * 1024) + 1,
            "{pattern:?}"
        );
    }
}

#[test]
fn sealwriter_flush_writes_every_whole_chunk_and_keeps_the_bytes() {
    let data = msg(5 * CHUNK + 10);
    let want = push_seal(&data, Suite::Aes256Gcm);
    let mut w = SealWriter::with_rng(
        Recording::default(),
        &opts(Suite::Aes256Gcm),
        &[&kek(5)],
        &mut seeded_rng([3; 32]),
    )
    .unwrap();
    w.write_all(&data[..2 * CHUNK + 100]).unwrap();
    w.flush().unwrap();
    // Flush put the header, the prefix and both whole chunks out, not the partial one.
    let header_len = Header::parse(&want).unwrap().len();
    w.write_all(&data[2 * CHUNK + 100..3 * CHUNK]).unwrap();
    w.write_all(&data[3 * CHUNK..]).unwrap();
    w.flush().unwrap();
    let rec = w.finish().unwrap();
    assert_eq!(rec.bytes, want);
    assert_eq!(rec.writes[0], header_len + 56 + 2 * ENC);
    assert_eq!(rec.writes[1], 3 * ENC);
    assert!(rec.flushes >= 3);
}

/// A writer that fails after `ok` bytes.
struct FailingAfter {
    ok: usize,
}

impl Write for FailingAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.ok == 0 {
            return Err(io::Error::other("disk full"));
        }
        let n = buf.len().min(self.ok);
        self.ok -= n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn sealwriter_errors_are_final() {
    for (ok, piece) in [(0, 8192), (1000, 8192), (300_000, 8192), (300_000, 1 << 20)] {
        let mut w = SealWriter::with_rng(
            FailingAfter { ok },
            &opts(Suite::Aes256Gcm),
            &[&kek(5)],
            &mut seeded_rng([3; 32]),
        )
        .unwrap();
        let data = msg(2 << 20);
        let mut failed = false;
        for p in data.chunks(piece) {
            if w.write_all(p).is_err() {
                failed = true;
                break;
            }
        }
        // Buffered bytes meet the failure at the latest when flushed.
        if !failed {
            assert!(w.flush().is_err(), "{ok} {piece}");
        }
        let e = w.write(b"more").unwrap_err();
        assert!(matches!(Error::from_io(e), Error::InvalidState), "{ok}");
        assert!(w.flush().is_err());
        assert!(w.finish().is_err());
    }
}

/// Yields its bytes in pieces of the sizes of `pattern` in turn.
struct Pieces<'a> {
    data: &'a [u8],
    pattern: &'a [usize],
    i: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let p = self.pattern[self.i % self.pattern.len()];
        self.i += 1;
        let n = p.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Reads `r` to the end with reads of `piece` bytes; checks that reads of a chunk or
/// more return whole chunks (all but the end).
fn read_all(r: &mut impl Read, piece: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; piece];
    let mut short = false;
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        if piece >= CHUNK {
            assert!(!short, "only the final chunk is short");
            short = n % CHUNK != 0;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

const READS: &[usize] = &[
    1,
    100,
    8192,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    50_000,
    1 << 20,
    16 << 20,
];
const SOURCES: &[&[usize]] = &[&[usize::MAX], &[1000], &[ENC], &[ENC + 1, 7, 65536]];

#[test]
fn openreader_gives_the_plaintext_for_every_read_size_and_source_pattern() {
    for len in LENS {
        let data = msg(len);
        for suite in Suite::ALL {
            let sealed = push_seal(&data, suite);
            for &piece in READS {
                for source in SOURCES {
                    if piece == 1 && len > 2 * CHUNK {
                        continue;
                    }
                    let src = Pieces {
                        data: &sealed,
                        pattern: source,
                        i: 0,
                    };
                    let mut r = OpenReader::new(src, &[&kek(5)]).unwrap();
                    let got = read_all(&mut r, piece).unwrap();
                    assert!(got == data, "{suite:?} {len} {piece} {source:?}");
                    assert_eq!(r.read(&mut [0; 10]).unwrap(), 0, "EOF again");
                }
            }
        }
    }
}

#[test]
fn openreader_never_ends_cleanly_when_truncated() {
    let data = msg(20 * CHUNK + 300);
    let sealed = push_seal(&data, Suite::Aes256Gcm);
    let h = Header::parse(&sealed).unwrap().len();
    let p = h + 56;
    let mut cuts = vec![h, h + 1, p - 1, p, p + 15, p + 16, p + ENC - 1, p + ENC];
    cuts.extend((1..=20).map(|k| p + k * ENC));
    cuts.extend((1..=20).map(|k| p + k * ENC + 17));
    cuts.extend((1..=17).map(|k| sealed.len() - k));
    for cut in cuts {
        for &piece in &[8192, CHUNK, 1 << 20] {
            let r = OpenReader::new(&sealed[..cut], &[&kek(5)]);
            let res = r
                .map_err(io::Error::from)
                .and_then(|mut r| read_all(&mut r, piece));
            let err = res.expect_err("a truncated job never reads to a clean end");
            let e = Error::from_io(err);
            assert!(
                matches!(
                    e,
                    Error::Truncated | Error::PayloadTampered { .. } | Error::TrailingData
                ),
                "{cut} {piece}: {e:?}"
            );
        }
    }
}

#[test]
fn openreader_trailing_bytes_are_never_ok() {
    let data = msg(9 * CHUNK + 5);
    let sealed = push_seal(&data, Suite::ChaCha20Poly1305);
    for extra in [1usize, 2, 16, 17, 100, ENC, ENC + 3] {
        let mut job = sealed.clone();
        job.extend(std::iter::repeat_n(b'\n', extra));
        for &piece in &[8192, 1 << 20] {
            let mut r = OpenReader::new(&job[..], &[&kek(5)]).unwrap();
            let e = Error::from_io(read_all(&mut r, piece).unwrap_err());
            if extra <= 16 {
                assert!(matches!(e, Error::TrailingData), "{extra} {piece}: {e:?}");
            } else {
                assert!(matches!(e, Error::PayloadTampered { .. }), "{extra}: {e:?}");
            }
        }
    }
}

#[test]
fn openreader_releases_nothing_of_a_tampered_chunk_and_errors_are_final() {
    let data = msg(40 * CHUNK + 77);
    let sealed = push_seal(&data, Suite::Aes256Gcm);
    let h = Header::parse(&sealed).unwrap().len();
    for bad in [0usize, 1, 15, 16, 17, 39, 40] {
        let mut job = sealed.clone();
        let body = if bad == 40 { 77 } else { CHUNK };
        job[h + 56 + bad * ENC + body / 2] ^= 0x20;
        for &piece in &[1000, 8192, CHUNK, 100_000, 1 << 20] {
            let mut r = OpenReader::new(&job[..], &[&kek(5)]).unwrap();
            let mut got = Vec::new();
            let mut buf = vec![0xAAu8; piece];
            let err = loop {
                buf.fill(0xAA);
                match r.read(&mut buf) {
                    Ok(0) => panic!("chunk {bad} tampered, but the job read to its end"),
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) => break e,
                }
            };
            let e = Error::from_io(err);
            assert!(
                matches!(e, Error::PayloadTampered { chunk, .. } if chunk == bad as u64),
                "{bad} {piece}: {e:?}"
            );
            // Released: authentic plaintext before the bad chunk, nothing of it.
            assert!(got.len() <= bad * CHUNK, "{bad} {piece}");
            assert_eq!(got, data[..got.len()]);
            // What the failed call left in the caller's buffer: authentic plaintext of
            // the chunks before the bad one, then zeros (or bytes it never touched).
            let start = got.len();
            let authentic = (bad * CHUNK - start).min(piece);
            let kept = buf[..authentic].iter().zip(&data[start..]);
            assert!(
                kept.into_iter()
                    .all(|(&b, &d)| b == d || b == 0 || b == 0xAA),
                "{bad} {piece}"
            );
            assert!(
                buf[authentic..].iter().all(|&b| b == 0 || b == 0xAA),
                "{bad} {piece}: unverified bytes left in the buffer"
            );
            let again = r.read(&mut buf).unwrap_err();
            assert!(matches!(Error::from_io(again), Error::InvalidState));
        }
    }
}
