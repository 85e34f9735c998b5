//! Seal/open round trips with arbitrary write and read splits and seeks: whatever the
//! plaintext length, suite, write pieces (through `Sealer::update` or `SealWriter`),
//! read pieces and seeks (through `Opener`, `OpenReader` and `SeekableOpenReader`),
//! what comes out is what went in, and the sealed bytes do not depend on the splits.
#![no_main]

use std::io::{Read, Seek, SeekFrom, Write};

use libfuzzer_sys::fuzz_target;
use printseal::hazmat::Backend;
use printseal::io::{OpenReader, SealWriter, SeekableOpenReader};
use printseal::rng::seeded_rng;
use printseal::{SealOptions, Sealer, Suite};
use printseal_fuzz::{Bytes, kek1, open_push, read_at, splits};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let flags = b.u8();
    let suite = if flags & 1 == 0 {
        Suite::Aes256Gcm
    } else {
        Suite::ChaCha20Poly1305
    };
    // Up to 20 chunks, so that the runs of 8 chunks and more (parallel) are reached.
    let len = match flags >> 6 {
        0 => b.u8() as usize,
        1 => b.u16() as usize,
        _ => b.u32() as usize % (20 * 16384 + 1),
    };
    let fill = b.u8();
    let plaintext: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(fill) ^ (i >> 8) as u8)
        .collect();
    let write_seed = b.u32();
    let write_max = 1 + b.u32() as usize % (10 * 16384);
    let read_seed = b.u32();
    let read_max = 1 + b.u32() as usize % (10 * 16384);
    let opts = SealOptions::new("application/pdf")
        .suite(suite)
        .created_at(7);
    let k = kek1();

    // Reference: one call.
    let reference =
        printseal::seal_with_rng(&opts, &[&k], &plaintext, &mut seeded_rng([1; 32])).expect("seal");

    // Push API in pieces.
    let mut s = Sealer::with_rng(&opts, &[&k], &mut seeded_rng([1; 32])).expect("sealer");
    let mut pushed = Vec::new();
    let mut next = splits(write_seed, write_max);
    let mut rest = &plaintext[..];
    while !rest.is_empty() {
        let (p, r) = rest.split_at(next().min(rest.len()));
        rest = r;
        s.update_to_vec(p, &mut pushed).expect("update");
    }
    s.finish_to_vec(&mut pushed).expect("finish");
    assert!(pushed == reference, "push sealing depends on the splits");

    // SealWriter in pieces.
    if flags & 2 != 0 {
        let mut w = SealWriter::with_rng(Vec::new(), &opts, &[&k], &mut seeded_rng([1; 32]))
            .expect("writer");
        let mut next = splits(write_seed ^ 0x55, write_max);
        let mut rest = &plaintext[..];
        while !rest.is_empty() {
            let n = next().min(rest.len());
            let took = w.write(&rest[..n]).expect("write");
            assert!(took > 0 && took <= n);
            rest = &rest[took..];
        }
        assert!(
            w.finish().expect("finish") == reference,
            "SealWriter differs"
        );
    }

    // Opener in pieces.
    let o = open_push(
        &reference,
        &k,
        Backend::RustCrypto,
        splits(read_seed, read_max),
    );
    assert_eq!(o.result, Ok(()));
    assert!(o.released == plaintext);

    // OpenReader with odd read sizes.
    if flags & 4 != 0 {
        let mut r = OpenReader::new(&reference[..], &[&k]).expect("reader");
        let mut got = Vec::new();
        let mut next = splits(read_seed ^ 0xaa, read_max);
        loop {
            let mut buf = vec![0u8; next()];
            match r.read(&mut buf).expect("read") {
                0 => break,
                n => got.extend_from_slice(&buf[..n]),
            }
        }
        assert!(got == plaintext);
    }

    // Seeks: the rest of the input is a list of (whence, offset, length).
    let mut r = SeekableOpenReader::new(std::io::Cursor::new(&reference[..]), &[&k]).expect("seek");
    assert_eq!(r.plaintext_len().expect("len"), len as u64);
    for _ in 0..16 {
        if b.0.is_empty() {
            break;
        }
        let whence = b.u8();
        let off = b.u32() as usize % (len + 100);
        let n = b.u16() as usize;
        let (pos, start) = match whence % 3 {
            0 => (SeekFrom::Start(off as u64), off),
            1 => (SeekFrom::End(-((off.min(len)) as i64)), len - off.min(len)),
            _ => {
                let cur = r.stream_position().expect("position") as usize;
                let back = off.min(cur);
                (SeekFrom::Current(-(back as i64)), cur - back)
            }
        };
        let got = read_at(&mut r, pos, n).expect("read at");
        let want = plaintext
            .get(start..(start + n).min(len))
            .unwrap_or_default();
        assert!(got == want, "seek {whence}/{off} read {n}: wrong bytes");
    }
});
