//! The std::io adapters: SealWriter, OpenReader, SeekableOpenReader.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(all(feature = "std", feature = "getrandom"))]

mod common;

use common::{kek, msg};

use std::io::{Cursor, ErrorKind, Read, Seek, SeekFrom, Write};

use printseal::io::{OpenReader, SealWriter, SeekableOpenReader};
use printseal::rng::seeded_rng;
use printseal::{Error, SealOptions, Suite};

const CHUNK: usize = 16384;

fn seal(len: usize, suite: Suite, write_piece: usize) -> Vec<u8> {
    let opts = SealOptions::new("application/pdf")
        .suite(suite)
        .created_at(1);
    let mut w =
        SealWriter::with_rng(Vec::new(), &opts, &[&kek(5)], &mut seeded_rng([3; 32])).unwrap();
    for piece in msg(len).chunks(write_piece.max(1)) {
        w.write_all(piece).unwrap();
    }
    w.finish().unwrap()
}

fn read_all(r: &mut impl Read, piece: usize) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = vec![0; piece];
    loop {
        match r.read(&mut buf)? {
            0 => return Ok(out),
            n => out.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn writer_and_reader_round_trip() {
    for suite in Suite::ALL {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3] {
            for piece in [1000, CHUNK, 3 * CHUNK + 5] {
                let sealed = seal(len, suite, piece);
                // Writing in different pieces gives the same bytes (same RNG seed).
                assert_eq!(sealed, seal(len, suite, 7777));
                let mut r = OpenReader::new(&sealed[..], &[&kek(5)]).unwrap();
                assert_eq!(
                    read_all(&mut r, 4095).unwrap(),
                    msg(len),
                    "{suite:?} {len} {piece}"
                );
                // After EOF, EOF again.
                assert_eq!(r.read(&mut [0; 10]).unwrap(), 0);
            }
        }
    }
}

#[test]
fn reader_never_ends_cleanly_on_truncation() {
    let sealed = seal(3 * CHUNK + 100, Suite::Aes256Gcm, CHUNK);
    let header_len = printseal::Header::parse(&sealed).unwrap().len();
    for cut in [
        header_len - 1,
        header_len + 10,
        header_len + 56 + 16400,
        sealed.len() - 1,
    ] {
        let res = OpenReader::new(&sealed[..cut], &[&kek(5)])
            .map_err(std::io::Error::from)
            .and_then(|mut r| read_all(&mut r, 1 << 16));
        let err = res.unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::UnexpectedEof | ErrorKind::InvalidData
            ),
            "cut {cut}: {err}"
        );
    }
    // Truncation at a chunk boundary is reported as truncation (UnexpectedEof).
    let cut = header_len + 56 + 2 * 16400;
    let mut r = OpenReader::new(&sealed[..cut], &[&kek(5)]).unwrap();
    let err = read_all(&mut r, 1 << 16).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert!(matches!(Error::from_io(err), Error::Truncated));
}

#[test]
fn reader_errors_are_final_and_released_plaintext_is_a_verified_prefix() {
    let mut sealed = seal(3 * CHUNK + 100, Suite::ChaCha20Poly1305, CHUNK);
    let header_len = printseal::Header::parse(&sealed).unwrap().len();
    sealed[header_len + 56 + 16400 + 5] ^= 1; // inside chunk 1
    let mut r = OpenReader::new(&sealed[..], &[&kek(5)]).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1000];
    let err = loop {
        match r.read(&mut buf) {
            Ok(0) => panic!("tampered stream ended cleanly"),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => break e,
        }
    };
    assert!(matches!(
        Error::from_io(err),
        Error::PayloadTampered {
            chunk: 1,
            last: false
        }
    ));
    assert!(got.len() <= CHUNK);
    assert_eq!(got, msg(3 * CHUNK + 100)[..got.len()]);
    assert!(r.read(&mut buf).is_err(), "errors are final");
}

#[test]
fn seekable_reader_random_access() {
    let len = 4 * CHUNK + 1234;
    let data = msg(len);
    for suite in Suite::ALL {
        let sealed = seal(len, suite, CHUNK);
        let mut r = SeekableOpenReader::new(Cursor::new(&sealed), &[&kek(5)]).unwrap();
        assert_eq!(r.plaintext_len().unwrap(), len as u64);
        for &(pos, n) in &[
            (0usize, 10usize),
            (CHUNK - 3, 10),
            (3 * CHUNK + 7, CHUNK + 100),
            (len - 5, 100),
        ] {
            r.seek(SeekFrom::Start(pos as u64)).unwrap();
            let mut buf = vec![0; n];
            let mut got = 0;
            while got < n {
                let k = r.read(&mut buf[got..]).unwrap();
                if k == 0 {
                    break;
                }
                got += k;
            }
            assert_eq!(&buf[..got], &data[pos..(pos + n).min(len)]);
        }
        assert_eq!(r.seek(SeekFrom::End(-10)).unwrap(), (len - 10) as u64);
        assert_eq!(read_all(&mut r, 3).unwrap(), &data[len - 10..]);
        assert!(r.seek(SeekFrom::Current(-(len as i64) - 1)).is_err());
        // Empty payload: EOF only after the (empty) final chunk verified.
        let sealed = seal(0, suite, 1);
        let mut r = SeekableOpenReader::new(Cursor::new(&sealed), &[&kek(5)]).unwrap();
        assert_eq!(read_all(&mut r, 10).unwrap(), Vec::<u8>::new());
    }
}

#[test]
fn seekable_reader_authenticates_length_before_seek_from_end() {
    let len = 3 * CHUNK + 50;
    let mut sealed = seal(len, Suite::Aes256Gcm, CHUNK);
    let last = sealed.len() - 1;
    sealed[last] ^= 0x40; // final chunk's tag
    let mut r = SeekableOpenReader::new(Cursor::new(&sealed), &[&kek(5)]).unwrap();
    // Chunks before the damage still read (C2SP random access allows it)...
    let mut buf = vec![0; CHUNK];
    r.read_exact(&mut buf).unwrap();
    assert_eq!(buf, msg(len)[..CHUNK]);
    // ...but the length is not authentic, so seeking from the end fails...
    let err = r.seek(SeekFrom::End(0)).unwrap_err();
    assert!(matches!(
        Error::from_io(err),
        Error::PayloadTampered { last: true, .. }
    ));
    // ...and reading to the end never reports a clean EOF.
    r.seek(SeekFrom::Start(len as u64)).unwrap();
    assert!(r.read(&mut buf).is_err());
}

#[test]
fn seekable_reader_rejects_impossible_lengths() {
    let sealed = seal(2 * CHUNK + 10, Suite::Aes256Gcm, CHUNK);
    let header_len = printseal::Header::parse(&sealed).unwrap().len();
    for cut in [
        header_len + 56 + 2 * 16400,
        header_len + 56 + 16400 + 15,
        header_len + 30,
    ] {
        let err = SeekableOpenReader::new(Cursor::new(&sealed[..cut]), &[&kek(5)])
            .err()
            .unwrap();
        assert!(matches!(err, Error::Truncated), "cut {cut}: {err}");
    }
    let mut glued = sealed.clone();
    glued[header_len + 3] ^= 1; // salt: commitment no longer matches
    let err = SeekableOpenReader::new(Cursor::new(&glued), &[&kek(5)])
        .err()
        .unwrap();
    assert!(matches!(err, Error::PayloadCommitment));
}

#[test]
fn sealwriter_dropped_without_finish_gives_a_job_no_one_opens() {
    let opts = SealOptions::new("application/pdf");
    let mut out = Vec::new();
    {
        let mut w = SealWriter::new(&mut out, &opts, &[&kek(5)]).unwrap();
        w.write_all(&msg(3 * CHUNK)).unwrap();
    }
    let err = printseal::open(&out, &[&kek(5)]).unwrap_err();
    assert!(matches!(err, Error::Truncated), "{err}");
}

#[test]
fn readers_and_one_shot_enforce_an_open_policy() {
    use printseal::{OpenOptions, OpenPolicy, Suite as S};
    let sealed = seal(3 * CHUNK, Suite::ChaCha20Poly1305, CHUNK);
    let aes_only = OpenOptions::new().policy(OpenPolicy::new().accept_suites(&[S::Aes256Gcm]));
    let refused = |e: Error| matches!(e, Error::PolicyViolation(_));
    assert!(refused(
        OpenReader::with_options(&sealed[..], &[&kek(5)], &aes_only)
            .err()
            .unwrap()
    ));
    assert!(refused(
        SeekableOpenReader::with_options(Cursor::new(&sealed), &[&kek(5)], &aes_only)
            .err()
            .unwrap()
    ));
    assert!(refused(
        printseal::open_with(&sealed, &[&kek(5)], &aes_only).unwrap_err()
    ));
    let both = OpenOptions::new().policy(OpenPolicy::new().accept_suites(&S::ALL));
    let mut r = OpenReader::with_options(&sealed[..], &[&kek(5)], &both).unwrap();
    assert_eq!(read_all(&mut r, 9000).unwrap(), msg(3 * CHUNK));
    assert_eq!(
        printseal::open_with(&sealed, &[&kek(5)], &both)
            .unwrap()
            .plaintext,
        msg(3 * CHUNK)
    );
}
