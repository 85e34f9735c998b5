//! Opening arbitrary bytes under a known KEK, both suites, every opening API.
//!
//! The first byte picks how the rest is used, so that the fuzzer reaches the payload
//! layer and not only the header parser:
//! - `0` (and anything not below): the rest is a whole file (the seeds are the format
//!   vectors, sealed to this KEK);
//! - `1`/`2`: a valid AES-256-GCM / ChaCha20-Poly1305 header and payload prefix (sealed
//!   with a fixed RNG seed) followed by the rest as the chunks;
//! - `3`/`4`: a valid job of either suite (a few chunks long) with the rest applied as
//!   edits (flip, truncate, append, splice), which reaches late chunks and the final one.
//!
//! Every way of opening must agree (see `open_all_ways`), and none may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use printseal::Suite;
use printseal::hazmat::{Backend, PREFIX_SIZE};
use printseal_fuzz::{Bytes, kek1, open_all_ways, sealed_job};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let mode = b.u8();
    let seed = b.u32();
    let file = match mode {
        1 | 2 => {
            let suite = if mode == 1 {
                Suite::Aes256Gcm
            } else {
                Suite::ChaCha20Poly1305
            };
            let job = sealed_job(suite, 0);
            let h = printseal::Header::parse(&job).expect("fixed job").len();
            let mut f = job[..h + PREFIX_SIZE].to_vec();
            f.extend_from_slice(b.rest());
            f
        }
        3 | 4 => {
            let suite = if mode == 3 {
                Suite::Aes256Gcm
            } else {
                Suite::ChaCha20Poly1305
            };
            let mut f = sealed_job(suite, 3 * 16384 + 1000);
            for _ in 0..(b.u8() % 8) {
                let at = (b.u32() as usize) % (f.len() + 1);
                match b.u8() % 4 {
                    0 if at < f.len() => f[at] ^= b.u8() | 1,
                    1 => f.truncate(at),
                    2 => {
                        let n = b.u8() as usize % 40;
                        let ins: Vec<u8> = b.take(n).to_vec();
                        f.splice(at..at, ins);
                    }
                    _ => {
                        let n = b.u8() as usize % 40;
                        let end = (at + n).min(f.len());
                        f.drain(at..end);
                    }
                }
            }
            f
        }
        _ => b.rest().to_vec(),
    };
    let _ = open_all_ways(&file, &kek1(), Backend::RustCrypto, seed);
});
