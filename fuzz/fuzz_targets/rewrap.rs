//! Rewrapping arbitrary bytes from KEK 1 to KEK 2: never panics; a rewrap succeeds only
//! for a job whose header KEK 1 opens and whose payload prefix belongs to it; the
//! rewrapped job opens under KEK 2 exactly as the original does under KEK 1 (same
//! decision, same plaintext), no longer under KEK 1, and `rewrap_header` and the
//! streaming `rewrap_with_rng` write the same bytes.
//!
//! The first byte picks the input as in `open_arbitrary`: `0` a whole file (the format
//! vectors as seeds), `1`/`2` a valid job of either suite with the rest as edits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use printseal::hazmat::Backend;
use printseal::rng::seeded_rng;
use printseal::{RewrapOptions, Suite, rewrap_header, rewrap_with_rng};
use printseal_fuzz::{Bytes, kek1, kek2, open_push, sealed_job};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let mode = b.u8();
    let file = match mode {
        1 | 2 => {
            let suite = if mode == 1 {
                Suite::Aes256Gcm
            } else {
                Suite::ChaCha20Poly1305
            };
            let mut f = sealed_job(suite, 20_000);
            for _ in 0..(b.u8() % 4) {
                let at = (b.u32() as usize) % (f.len() + 1);
                match b.u8() % 3 {
                    0 if at < f.len() => f[at] ^= b.u8() | 1,
                    1 => f.truncate(at),
                    _ => {
                        let n = b.u8() as usize % 40;
                        let ins = b.take(n).to_vec();
                        f.splice(at..at, ins);
                    }
                }
            }
            f
        }
        _ => b.rest().to_vec(),
    };
    let (k1, k2) = (kek1(), kek2());
    let opts = RewrapOptions::new();
    let res = rewrap_header(&file, &[&k1], &[&k2], &opts, &mut seeded_rng([3; 32]));
    let mut streamed = Vec::new();
    let sres = rewrap_with_rng(
        &file[..],
        &[&k1],
        &[&k2],
        &opts,
        &mut streamed,
        &mut seeded_rng([3; 32]),
    );
    let before = open_push(&file, &k1, Backend::RustCrypto, || usize::MAX);
    match res {
        Ok(new) => {
            let mut job = new.header.clone();
            job.extend_from_slice(&file[new.payload_offset..]);
            assert!(sres.is_ok(), "streaming rewrap refused: {sres:?}");
            assert!(streamed == job, "rewrap_header and rewrap_with_rng differ");
            let after = open_push(&job, &k2, Backend::RustCrypto, || usize::MAX);
            assert_eq!(after, before, "rewrapped job opens differently");
            let old_key = open_push(&job, &k1, Backend::RustCrypto, || usize::MAX);
            assert!(
                old_key.result.is_err(),
                "the old KEK still opens the rewrapped job"
            );
        }
        Err(_) => {
            assert!(
                sres.is_err(),
                "streaming rewrap accepted what rewrap_header refused"
            );
            // The header or the payload prefix failed: no opener gets to the chunks.
            assert!(
                before.result.is_err(),
                "rewrap refused a job that opens: {before:?}"
            );
            assert!(before.released.is_empty());
        }
    }
});
