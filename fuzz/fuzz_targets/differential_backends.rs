//! RustCrypto and AWS-LC must agree on everything: raw AEAD seal and open (in/out and
//! in place) under arbitrary keys, nonces, AAD and messages, forged tags included; and
//! whole jobs sealed with each backend from the same seed, then opened with each after
//! arbitrary edits (same decision, same error, same plaintext released).
#![no_main]

use libfuzzer_sys::fuzz_target;
use printseal::hazmat::{Backend, RawAead};
use printseal::rng::seeded_rng;
use printseal::{SealOptions, Suite};
use printseal_fuzz::{Bytes, kek1, open_push, splits};

const BACKENDS: [Backend; 2] = [Backend::RustCrypto, Backend::AwsLc];

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let flags = b.u8();
    let suite = if flags & 1 == 0 {
        Suite::Aes256Gcm
    } else {
        Suite::ChaCha20Poly1305
    };
    if flags & 2 == 0 {
        raw(suite, &mut b);
    } else {
        jobs(suite, &mut b);
    }
});

fn raw(suite: Suite, b: &mut Bytes<'_>) {
    let key: [u8; 32] = b.array();
    let nonce: [u8; 12] = b.array();
    let aad_len = b.u8() as usize;
    let aad = b.take(aad_len).to_vec();
    let tag: [u8; 16] = b.array();
    let msg = b.rest();
    let mut results = Vec::new();
    for be in BACKENDS {
        let a = RawAead::new(suite, &key, be).expect("32-byte key");
        let mut ct = vec![0u8; msg.len()];
        let t1 = a.seal(&nonce, &aad, msg, &mut ct).expect("seal");
        let mut ct2 = msg.to_vec();
        let t2 = a
            .seal_in_place(&nonce, &aad, &mut ct2)
            .expect("seal in place");
        assert_eq!((&ct, t1), (&ct2, t2), "{be:?}: in/out and in place differ");
        // The sealed message opens; the fuzzer's (msg, tag) as a ciphertext is a forgery
        // attempt, which both must treat alike, zeroing the output on failure.
        let mut pt = vec![0xa5; ct.len()];
        a.open(&nonce, &aad, &ct, &t1, &mut pt).expect("open own");
        assert_eq!(pt, msg);
        let mut out = vec![0xa5; msg.len()];
        let forged = a.open(&nonce, &aad, msg, &tag, &mut out).is_ok();
        let mut inplace = msg.to_vec();
        let forged2 = a.open_in_place(&nonce, &aad, &mut inplace, &tag).is_ok();
        assert_eq!(forged, forged2);
        assert_eq!(out, inplace);
        if !forged {
            assert!(out.iter().all(|&x| x == 0), "{be:?}: not zeroed");
        }
        results.push((ct, t1, forged, out));
    }
    assert!(results[0] == results[1], "backends differ");
}

fn jobs(suite: Suite, b: &mut Bytes<'_>) {
    let len = b.u32() as usize % (12 * 16384);
    let seed: [u8; 32] = b.array();
    let plaintext: Vec<u8> = (0..len).map(|i| (i % 253) as u8 ^ seed[i % 32]).collect();
    let k = kek1();
    let sealed: Vec<Vec<u8>> = BACKENDS
        .iter()
        .map(|&be| {
            let opts = SealOptions::new("text/plain")
                .suite(suite)
                .created_at(9)
                .backend(be);
            printseal::seal_with_rng(&opts, &[&k], &plaintext, &mut seeded_rng(seed)).expect("seal")
        })
        .collect();
    assert!(
        sealed[0] == sealed[1],
        "sealed bytes differ between backends"
    );
    let mut job = sealed[0].clone();
    for _ in 0..(b.u8() % 6) {
        let at = (b.u32() as usize) % (job.len() + 1);
        match b.u8() % 3 {
            0 if at < job.len() => job[at] ^= b.u8() | 1,
            1 => job.truncate(at),
            _ => {
                let n = b.u8() as usize % 24;
                let ins = b.take(n).to_vec();
                job.splice(at..at, ins);
            }
        }
    }
    let split_seed = b.u32();
    let outcomes: Vec<_> = BACKENDS
        .iter()
        .map(|&be| open_push(&job, &k, be, splits(split_seed, 200_000)))
        .collect();
    assert_eq!(outcomes[0], outcomes[1], "backends decide differently");
    if job == sealed[0] {
        assert_eq!(outcomes[0].result, Ok(()));
        assert!(outcomes[0].released == plaintext);
    }
}
