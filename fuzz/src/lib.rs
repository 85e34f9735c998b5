//! Helpers shared by the fuzz targets: fixed keys, a byte reader for structured
//! inputs, and "open these bytes every way the crate can" with cross-checks.

use std::io::{Read, Seek, SeekFrom};

use printseal::hazmat::Backend;
use printseal::io::{OpenReader, SeekableOpenReader};
use printseal::rng::seeded_rng;
use printseal::{Error, Kek, Opener, SealOptions, Suite};

/// The KEK the format vectors (tests/vectors/) are sealed to: `kek id` / `kek` of
/// "printseal kek #1", so that seeds made from the vectors open under it.
pub fn kek1() -> Kek {
    Kek::new(
        *b"printseal kek #1",
        [
            0xed, 0xff, 0x00, 0x3c, 0x71, 0x78, 0x2f, 0x04, 0xd9, 0x2e, 0x74, 0x1d, 0xf4, 0xd2,
            0x22, 0xb2, 0x9b, 0x95, 0x14, 0xc9, 0x67, 0xc6, 0x49, 0x45, 0xaa, 0xea, 0x03, 0xf3,
            0x08, 0x6e, 0xf3, 0x0b,
        ],
    )
}

/// A second KEK, for rewrapping to.
pub fn kek2() -> Kek {
    Kek::new(*b"printseal kek #2", [0x22; 32])
}

/// Reads structured values off the front of a fuzz input; runs dry into zeros.
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    pub fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.0.split_at(n.min(self.0.len()));
        self.0 = b;
        a
    }

    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        for b in &mut a {
            *b = self.u8();
        }
        a
    }

    pub fn rest(&mut self) -> &'a [u8] {
        self.take(self.0.len())
    }
}

/// Piece sizes from a seed: 1 up to `max` bytes, deterministic.
pub fn splits(seed: u32, max: usize) -> impl FnMut() -> usize {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        1 + (s as usize) % max.max(1)
    }
}

/// A small sealed job (the same for a given suite and length), for targets that mutate
/// valid input.
pub fn sealed_job(suite: Suite, len: usize) -> Vec<u8> {
    let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
    let opts = SealOptions::new("application/pdf")
        .suite(suite)
        .created_at(1_700_000_000);
    match printseal::seal_with_rng(&opts, &[&kek1()], &data, &mut seeded_rng([0x5e; 32])) {
        Ok(v) => v,
        Err(e) => panic!("sealing a fixed job failed: {e}"),
    }
}

/// What opening some bytes gave: the plaintext released, and the outcome.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub released: Vec<u8>,
    pub result: Result<(), String>,
}

/// Opens `sealed` with the push API in pieces from `split`, with `backend`.
pub fn open_push(
    sealed: &[u8],
    kek: &Kek,
    backend: Backend,
    mut split: impl FnMut() -> usize,
) -> Outcome {
    let mut o = Opener::with_options(printseal::OpenOptions::new().backend(backend))
        .unlock_with(vec![printseal::boxed(kek.clone())]);
    let mut released = Vec::new();
    let mut rest = sealed;
    while !rest.is_empty() {
        let (p, r) = rest.split_at(split().min(rest.len()));
        rest = r;
        match o.update_to_vec(p, &mut released) {
            // Consumed all: the opener unlocks itself with its identities.
            Ok(prog) => assert_eq!(prog.consumed, p.len(), "input left unconsumed"),
            Err(e) => {
                return Outcome {
                    released,
                    result: Err(kind(&e)),
                };
            }
        }
    }
    let result = o
        .finish_to_vec(&mut released)
        .map(|_| ())
        .map_err(|e| kind(&e));
    Outcome { released, result }
}

/// The error's variant, with the fields that must agree across ways of opening.
pub fn kind(e: &Error) -> String {
    match e {
        Error::Io(io) => format!("Io({:?}: {io})", io.kind()),
        other => format!("{other:?}"),
    }
}

/// Opens `sealed` every way the crate can (push API in two splits, one-shot,
/// `OpenReader`, `SeekableOpenReader`) and checks that they agree: the same accept or
/// reject decision, the whole plaintext on success, and never plaintext that is not a
/// prefix of what an accepting opener returns. Returns the push outcome.
pub fn open_all_ways(sealed: &[u8], kek: &Kek, backend: Backend, seed: u32) -> Outcome {
    let whole = open_push(sealed, kek, backend, || usize::MAX);
    let split = open_push(sealed, kek, backend, splits(seed, 40_000));
    assert_eq!(
        whole.result.is_ok(),
        split.result.is_ok(),
        "{whole:?} / {split:?}"
    );
    let one_shot = printseal::open(sealed, &[kek]);
    assert_eq!(
        one_shot.is_ok(),
        whole.result.is_ok(),
        "one-shot disagrees: {one_shot:?}"
    );

    let mut stream = Vec::new();
    let stream_ok = OpenReader::new(sealed, &[kek]).and_then(|mut r| {
        r.read_to_end(&mut stream).map_err(Error::Io)?;
        Ok(())
    });
    assert_eq!(
        stream_ok.is_ok(),
        whole.result.is_ok(),
        "OpenReader: {stream_ok:?}"
    );

    let mut seek = Vec::new();
    let seek_ok =
        SeekableOpenReader::new(std::io::Cursor::new(sealed), &[kek]).and_then(|mut r| {
            r.read_to_end(&mut seek).map_err(Error::Io)?;
            Ok(())
        });
    assert_eq!(
        seek_ok.is_ok(),
        whole.result.is_ok(),
        "SeekableOpenReader: {seek_ok:?}"
    );

    if whole.result.is_ok() {
        let pt = &whole.released;
        assert_eq!(&split.released, pt);
        assert_eq!(one_shot.as_ref().map(|o| &o.plaintext).ok(), Some(pt));
        assert_eq!(&stream, pt);
        assert_eq!(&seek, pt);
    } else {
        // A failed open may have released whole authentic chunks, all from the same
        // (unknown) plaintext: the released streams agree on their common prefix.
        for other in [&split.released, &stream] {
            let n = other.len().min(whole.released.len());
            assert_eq!(
                &other[..n],
                &whole.released[..n],
                "released plaintexts disagree"
            );
        }
    }
    whole
}

/// Reads `len` bytes at `pos` through a `SeekableOpenReader`, seeking first.
pub fn read_at<R: Read + Seek>(r: &mut R, pos: SeekFrom, len: usize) -> std::io::Result<Vec<u8>> {
    r.seek(pos)?;
    let mut out = vec![0u8; len];
    let mut got = 0;
    while got < len {
        match r.read(&mut out[got..])? {
            0 => break,
            n => got += n,
        }
    }
    out.truncate(got);
    Ok(out)
}
