//! Rewrap: new recipients, same payload bytes; every failure kind. The file helper
//! (`io::rewrap_file`) is tested in tests/rewrap_file.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "std")]

mod common;

use common::{kek, msg, x25519, xwing};

use std::io::{self, Read};

use printseal::rng::seeded_rng;
use printseal::{
    Error, Header, Identity, Kek, Recipient, RewrapOptions, SealOptions, open, rewrap_header,
    rewrap_with_rng, seal_with_rng,
};

fn opts() -> SealOptions {
    SealOptions::new("application/postscript")
        .created_at(1_700_000_000)
        .job_id("job-42")
        .private_entry("title", b"Quarterly report")
        .unwrap()
}

/// A job sealed to KEK 1 and X25519 key 2.
fn job(len: usize) -> (Vec<u8>, Vec<u8>) {
    let data = msg(len);
    let sealed = seal_with_rng(
        &opts(),
        &[&kek(1), &x25519(2).to_public()],
        &data,
        &mut seeded_rng([7; 32]),
    )
    .unwrap();
    (data, sealed)
}

fn rewrap_vec(
    sealed: &[u8],
    ids: &[&dyn Identity],
    to: &[&dyn Recipient],
    o: &RewrapOptions,
) -> printseal::Result<Vec<u8>> {
    let mut out = Vec::new();
    rewrap_with_rng(sealed, ids, to, o, &mut out, &mut seeded_rng([8; 32]))?;
    Ok(out)
}

#[test]
fn rewrap_keeps_the_payload_bytes_and_changes_who_opens() {
    let (data, sealed) = job(200_000);
    let old_len = Header::parse(&sealed).unwrap().len();
    // Remove the X25519 recipient, keep the KEK, add an X-Wing key (migration to PQ).
    let q = xwing(3);
    let to: [&dyn Recipient; 2] = [&kek(1), &q.to_public()];
    let new = rewrap_vec(&sealed, &[&x25519(2)], &to, &RewrapOptions::new()).unwrap();
    let new_header = Header::parse(&new).unwrap();
    // The payload bytes are identical, byte for byte.
    assert_eq!(&new[new_header.len()..], &sealed[old_len..]);
    assert_ne!(new_header.as_bytes(), &sealed[..old_len]);
    assert_eq!(new.len() - new_header.len(), sealed.len() - old_len);
    // The new recipients open it, with the same metadata.
    for id in [&q as &dyn Identity, &kek(1)] {
        let opened = open(&new, &[id]).unwrap();
        assert_eq!(opened.plaintext, data);
        assert_eq!(
            opened.header.public_metadata().job_id.as_deref(),
            Some("job-42")
        );
        assert_eq!(
            opened.private_metadata.get("title"),
            Some(&b"Quarterly report"[..])
        );
    }
    // The removed one no longer can.
    assert!(matches!(
        open(&new, &[&x25519(2)]),
        Err(Error::NoMatchingRecipient)
    ));
    // The old copy is unchanged, and still opens with the old keys.
    assert_eq!(open(&sealed, &[&x25519(2)]).unwrap().plaintext, data);
    // A second rewrap (rotate the KEK) keeps the same payload again.
    let newer = rewrap_vec(
        &new,
        &[&q],
        &[&kek(9), &q.to_public()],
        &RewrapOptions::new(),
    )
    .unwrap();
    assert_eq!(
        &newer[Header::parse(&newer).unwrap().len()..],
        &sealed[old_len..]
    );
    assert_eq!(open(&newer, &[&kek(9)]).unwrap().plaintext, data);
    assert!(matches!(
        open(&newer, &[&kek(1)]),
        Err(Error::NoMatchingRecipient)
    ));
}

#[test]
fn rewrap_header_is_the_streaming_rewrap_without_the_copy() {
    let (_, sealed) = job(50_000);
    let to: [&dyn Recipient; 1] = [&x25519(4).to_public()];
    let streamed = rewrap_vec(&sealed, &[&kek(1)], &to, &RewrapOptions::new()).unwrap();
    // Only the header and the 56-byte prefix are needed.
    let old_len = Header::parse(&sealed).unwrap().len();
    let r = rewrap_header(
        &sealed[..old_len + 56],
        &[&kek(1)],
        &to,
        &RewrapOptions::new(),
        &mut seeded_rng([8; 32]),
    )
    .unwrap();
    assert_eq!(r.payload_offset, old_len);
    assert_eq!(&streamed[..r.header.len()], &r.header[..]);
    let mut glued = r.header.clone();
    glued.extend_from_slice(&sealed[r.payload_offset..]);
    assert_eq!(glued, streamed);
    // One byte short of the prefix.
    assert!(matches!(
        rewrap_header(
            &sealed[..old_len + 55],
            &[&kek(1)],
            &to,
            &RewrapOptions::new(),
            &mut seeded_rng([8; 32])
        ),
        Err(Error::Truncated)
    ));
}

#[test]
fn the_payload_is_copied_not_decrypted() {
    // A real header and prefix followed by 3 MiB that are not ciphertext at all: the
    // rewrap copies them through untouched (payload damage is found when opening).
    let (_, sealed) = job(10);
    let start = Header::parse(&sealed).unwrap().len() + 56;
    let junk = 3 << 20;
    let input = io::Read::chain(&sealed[..start], io::repeat(0xa5).take(junk));
    let mut out = Vec::new();
    let n = rewrap_with_rng(
        input,
        &[&kek(1)],
        &[&kek(2)],
        &RewrapOptions::new(),
        &mut out,
        &mut seeded_rng([1; 32]),
    )
    .unwrap();
    assert_eq!(n, out.len() as u64);
    let h = Header::parse(&out).unwrap().len();
    assert_eq!(out.len(), h + 56 + junk as usize);
    assert_eq!(&out[h..h + 56], &sealed[start - 56..start]);
    assert!(out[h + 56..].iter().all(|&b| b == 0xa5));
}

/// A reader that returns at most one byte per call.
struct Trickle<'a>(&'a [u8]);
impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0.is_empty() || buf.is_empty() {
            return Ok(0);
        }
        buf[0] = self.0[0];
        self.0 = &self.0[1..];
        Ok(1)
    }
}

#[test]
fn rewrap_from_a_trickling_reader() {
    let (data, sealed) = job(40_000);
    let mut out = Vec::new();
    rewrap_with_rng(
        Trickle(&sealed),
        &[&kek(1)],
        &[&kek(5)],
        &RewrapOptions::new(),
        &mut out,
        &mut seeded_rng([1; 32]),
    )
    .unwrap();
    assert_eq!(open(&out, &[&kek(5)]).unwrap().plaintext, data);
}

#[test]
fn every_failure_kind() {
    let (_, sealed) = job(30_000);
    let o = RewrapOptions::new();
    let to: [&dyn Recipient; 1] = [&kek(6)];
    // No identity matches.
    assert!(matches!(
        rewrap_vec(&sealed, &[&kek(3), &x25519(9)], &to, &o),
        Err(Error::NoMatchingRecipient)
    ));
    // The right key id with the wrong key.
    let wrong = Kek::new([1; 16], [0; 32]);
    assert!(matches!(
        rewrap_vec(&sealed, &[&wrong], &to, &o),
        Err(Error::StanzaUnwrap)
    ));
    // A header byte changed (the job id in the public metadata): the MAC fails.
    let pos = sealed.windows(6).position(|w| w == b"job-42").unwrap();
    let mut bad = sealed.clone();
    bad[pos] = b'J';
    assert!(matches!(
        rewrap_vec(&bad, &[&kek(1)], &to, &o),
        Err(Error::HeaderMac)
    ));
    // The header glued to another job's payload: the key commitment fails.
    let other = seal_with_rng(
        &opts(),
        &[&kek(1), &x25519(2).to_public()],
        &msg(30_000),
        &mut seeded_rng([70; 32]),
    )
    .unwrap();
    let h = Header::parse(&sealed).unwrap().len();
    let oh = Header::parse(&other).unwrap().len();
    let mut glued = sealed[..h].to_vec();
    glued.extend_from_slice(&other[oh..]);
    assert!(matches!(
        rewrap_vec(&glued, &[&kek(1)], &to, &o),
        Err(Error::PayloadCommitment)
    ));
    // A damaged commitment byte.
    let mut bad = sealed.clone();
    bad[h + 30] ^= 1;
    assert!(matches!(
        rewrap_vec(&bad, &[&kek(1)], &to, &o),
        Err(Error::PayloadCommitment)
    ));
    // Truncated in the header, and in the prefix.
    assert!(matches!(
        rewrap_vec(&sealed[..h - 1], &[&kek(1)], &to, &o),
        Err(Error::Truncated)
    ));
    assert!(matches!(
        rewrap_vec(&sealed[..h + 10], &[&kek(1)], &to, &o),
        Err(Error::Truncated)
    ));
    // Not a printseal job.
    assert!(matches!(
        rewrap_vec(b"%PDF-1.7 ...", &[&kek(1)], &to, &o),
        Err(Error::NotPrintseal)
    ));
    // No recipients, or too many.
    assert!(matches!(
        rewrap_vec(&sealed, &[&kek(1)], &[], &o),
        Err(Error::LimitExceeded(_))
    ));
    let many: Vec<Kek> = (0..65).map(kek).collect();
    let many: Vec<&dyn Recipient> = many.iter().map(|k| k as &dyn Recipient).collect();
    assert!(matches!(
        rewrap_vec(&sealed, &[&kek(1)], &many, &o),
        Err(Error::LimitExceeded(_))
    ));
    // Nothing is written when the header cannot be rewritten.
    let mut out = Vec::new();
    assert!(
        rewrap_with_rng(
            &sealed[..],
            &[&kek(3)],
            &to,
            &o,
            &mut out,
            &mut seeded_rng([1; 32])
        )
        .is_err()
    );
    assert!(out.is_empty());
}

#[test]
fn mixing_policy_applies_to_rewrap() {
    let (data, sealed) = job(1000);
    let mixed: [&dyn Recipient; 2] = [&xwing(10).to_public(), &x25519(11).to_public()];
    assert!(matches!(
        rewrap_vec(&sealed, &[&kek(1)], &mixed, &RewrapOptions::new()),
        Err(Error::MixedPostQuantum)
    ));
    let new = rewrap_vec(
        &sealed,
        &[&kek(1)],
        &mixed,
        &RewrapOptions::new().allow_mixed_pq(true),
    )
    .unwrap();
    assert_eq!(open(&new, &[&x25519(11)]).unwrap().plaintext, data);
    assert_eq!(open(&new, &[&xwing(10)]).unwrap().plaintext, data);
}
