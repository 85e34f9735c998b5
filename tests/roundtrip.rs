//! Seal/open round trips through the push API and the one-shot helpers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{kek, msg};

use printseal::{
    Error, Kek, Opener, SealOptions, Sealer, Suite, open, rng::seeded_rng, seal_with_rng,
};

const SIZES: [usize; 8] = [0, 1, 16383, 16384, 16385, 3 * 16384, 3 * 16384 + 7, 100_000];

#[test]
fn one_shot_round_trip_every_size_both_suites() {
    for suite in Suite::ALL {
        for len in SIZES {
            let k = kek(1);
            let opts = SealOptions::new("application/pdf")
                .suite(suite)
                .created_at(1_700_000_000);
            let sealed = seal_with_rng(&opts, &[&k], &msg(len), &mut seeded_rng([9; 32])).unwrap();
            let opened = open(&sealed, &[&k]).unwrap();
            assert_eq!(opened.plaintext, msg(len), "suite {suite:?} len {len}");
            assert_eq!(opened.header.suite(), suite);
            assert_eq!(
                opened.header.public_metadata().content_type,
                "application/pdf"
            );
        }
    }
}

#[test]
fn push_api_with_odd_splits() {
    let k = kek(2);
    let data = msg(70_000);
    let opts = SealOptions::new("application/vnd.hp-PCL")
        .private_entry("title", b"Q3 payroll")
        .unwrap();
    let mut sealer = Sealer::with_rng(&opts, &[&k], &mut seeded_rng([4; 32])).unwrap();
    let mut sealed = Vec::new();
    for piece in data.chunks(777) {
        sealer.update_to_vec(piece, &mut sealed).unwrap();
    }
    sealer.finish_to_vec(&mut sealed).unwrap();

    let mut opener = Opener::new().unlock_with(vec![printseal::boxed(k.clone())]);
    let mut out = Vec::new();
    for piece in sealed.chunks(1001) {
        let p = opener.update_to_vec(piece, &mut out).unwrap();
        assert_eq!(p.consumed, piece.len());
    }
    opener.finish_to_vec(&mut out).unwrap();
    assert_eq!(out, data);
    assert_eq!(
        opener.private_metadata().unwrap().get("title"),
        Some(&b"Q3 payroll"[..])
    );
}

#[test]
fn wrong_kek_and_truncation_fail() {
    let k = kek(3);
    let sealed = seal_with_rng(
        &SealOptions::new("text/plain"),
        &[&k],
        &msg(40_000),
        &mut seeded_rng([1; 32]),
    )
    .unwrap();
    assert!(matches!(
        open(&sealed, &[&kek(4)]),
        Err(Error::NoMatchingRecipient)
    ));
    let wrong_key_same_id = Kek::new([3; 16], [0; 32]);
    assert!(matches!(
        open(&sealed, &[&wrong_key_same_id]),
        Err(Error::StanzaUnwrap)
    ));
    assert!(matches!(
        open(&sealed[..sealed.len() - 1], &[&k]),
        Err(Error::PayloadTampered { last: true, .. })
    ));
    let mut extra = sealed.clone();
    extra.push(b'\n');
    assert!(matches!(open(&extra, &[&k]), Err(Error::TrailingData)));
    assert!(matches!(open(&sealed[..100], &[&k]), Err(Error::Truncated)));
}
