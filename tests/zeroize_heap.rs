//! Plaintext and private metadata never go back to the heap unwiped from the
//! library's own copies (issue 8 §3): output growth in `update_to_vec` and
//! `finish_to_vec` (and `BytesMut` with the `bytes` feature), `OpenReader`'s internal
//! buffer, `SealWriter`'s staging buffer, `SeekableOpenReader`'s chunk cache, and a replaced
//! private-metadata value.
//!
//! A checking global allocator: while a thread checks, every block it frees (and every
//! block it reallocates, which may move and free the old one) is scanned for a marker
//! that the test writes only into plaintext and private values, and a hit is counted.
//! The test wraps its own copies in `Zeroizing`, so a hit is a library copy. Counting
//! is per thread (const-initialized thread-locals), as in tests/alloc_steady_state.rs.
//! Rayon's threads (runs of many chunks with the `parallel` feature) and AWS-LC's
//! C allocations are not seen; the buffers checked here are all the calling thread's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The checking allocator reads freed blocks; the library under test stays
// `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]
#![cfg(feature = "std")]

mod common;
use common::kek;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Read, Seek, SeekFrom, Write};

use printseal::hazmat::CHUNK_SIZE;
use printseal::io::{OpenReader, SealWriter, SeekableOpenReader};
use printseal::rng::seeded_rng;
use printseal::{Opener, PrivateMetadata, SealOptions, Sealer, open, seal_with_rng};
use zeroize::Zeroizing;

/// Written only into plaintext and private values. Not a pattern ciphertext, keys or
/// the allocator's own bookkeeping can contain by chance.
const MARKER: [u8; 16] = *b"\xa5PLAINTEXT-MARK\x5a";

struct Checking;

thread_local! {
    static CHECKING: Cell<bool> = const { Cell::new(false) };
    static LEAKS: Cell<usize> = const { Cell::new(0) };
    static LARGEST_LEAK: Cell<usize> = const { Cell::new(0) };
}

/// Whether the `len` bytes at `ptr` contain [`MARKER`]. Allocates nothing.
///
/// # Safety
/// `ptr` must be valid for reads of `len` bytes.
unsafe fn holds_marker(ptr: *const u8, len: usize) -> bool {
    if len < MARKER.len() {
        return false;
    }
    // SAFETY: the caller's guarantee.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    bytes.windows(MARKER.len()).any(|w| w == MARKER)
}

/// Counts a leak if this thread checks and the block being given back holds the marker.
///
/// # Safety
/// `ptr` must be valid for reads of `len` bytes.
unsafe fn check(ptr: *const u8, len: usize) {
    if CHECKING.try_with(Cell::get).unwrap_or(false) {
        // SAFETY: the caller's guarantee.
        if unsafe { holds_marker(ptr, len) } {
            let _ = LEAKS.try_with(|n| n.set(n.get() + 1));
            let _ = LARGEST_LEAK.try_with(|n| n.set(n.get().max(len)));
        }
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees hold. Before a block is freed or reallocated, it is only read
// (within its layout's size, which the caller guarantees is its size); the bookkeeping
// touches only `const`-initialized thread-local `Cell`s without destructors, which do
// not allocate.
unsafe impl GlobalAlloc for Checking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes until freed below.
        unsafe { check(ptr, layout.size()) };
        // SAFETY: `ptr` came from `System` through this wrapper, with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A reallocation may move the block and free the old one, contents and all.
        // SAFETY: `ptr` is a live block of `layout.size()` bytes until reallocated.
        unsafe { check(ptr, layout.size()) };
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Checking = Checking;

/// Runs `f` checking this thread's frees; returns the leaks seen and the size of the
/// largest leaked block.
fn leaks<T>(f: impl FnOnce() -> T) -> (usize, usize, T) {
    LEAKS.with(|n| n.set(0));
    LARGEST_LEAK.with(|n| n.set(0));
    CHECKING.with(|c| c.set(true));
    let out = f();
    CHECKING.with(|c| c.set(false));
    (LEAKS.with(Cell::get), LARGEST_LEAK.with(Cell::get), out)
}

fn assert_no_leak<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (n, largest, out) = leaks(f);
    assert_eq!(
        n, 0,
        "{what}: {n} freed blocks held plaintext or private values (largest {largest} bytes)"
    );
    out
}

/// `len` bytes of plaintext made of the marker.
fn plaintext(len: usize) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(MARKER.iter().copied().cycle().take(len).collect())
}

/// A job of `len` bytes of marker plaintext, with a private value holding the marker.
fn job(len: usize) -> Vec<u8> {
    let pt = plaintext(len);
    let value = plaintext(40);
    let opts = SealOptions::new("application/pdf")
        .private_entry("title", &value)
        .unwrap();
    let sealed = seal_with_rng(&opts, &[&kek(4)], &pt, &mut seeded_rng([1; 32])).unwrap();
    drop(opts);
    sealed
}

#[test]
fn the_checker_sees_a_leak() {
    // The check itself: a plain `Vec` holding the marker, freed unwiped, is seen; the
    // same wrapped in `Zeroizing` is not; growing a plain `Vec` leaks the old block.
    let (n, _, ()) = leaks(|| drop(plaintext(100).to_vec()));
    assert_eq!(n, 1);
    let (n, _, ()) = leaks(|| drop(plaintext(100)));
    assert_eq!(n, 0);
    let (n, _, ()) = leaks(|| {
        let mut v = Vec::with_capacity(16);
        v.extend_from_slice(&MARKER);
        v.extend_from_slice(&[0; 4096]);
        drop(Zeroizing::new(v));
    });
    assert_eq!(n, 1);
}

#[test]
fn opening_into_growing_vecs_wipes_what_it_outgrows() {
    let sealed = job(5 * CHUNK_SIZE + 123);
    // One shot: `open` appends to one `Vec` in two steps.
    assert_no_leak("open", || {
        let opened = open(&sealed, &[&kek(4)]).unwrap();
        assert!(opened.plaintext.starts_with(&MARKER));
        drop(Zeroizing::new(opened.plaintext));
    });
    // The push API in small pieces, into a `Vec` that grows many times.
    assert_no_leak("Opener::update_to_vec", || {
        let mut out = Zeroizing::new(Vec::new());
        let mut opener = Opener::new();
        let mut rest = &sealed[..];
        while !rest.is_empty() {
            let piece = &rest[..rest.len().min(1000)];
            let p = opener.update_to_vec(piece, &mut out).unwrap();
            rest = &rest[p.consumed..];
            if opener.is_locked() {
                opener.unlock(&[&kek(4)]).unwrap();
            }
        }
        opener.finish_to_vec(&mut out).unwrap();
        assert_eq!(out.len(), 5 * CHUNK_SIZE + 123);
        assert!(out.starts_with(&MARKER));
    });
    // Sealing marker plaintext into a growing `Vec` (its output is ciphertext, but the
    // sealer's own chunk buffer holds plaintext).
    assert_no_leak("Sealer::update_to_vec", || {
        let pt = plaintext(3 * CHUNK_SIZE + 5);
        let mut out = Vec::new();
        let mut s = Sealer::with_rng(
            &SealOptions::new("text/plain"),
            &[&kek(4)],
            &mut seeded_rng([2; 32]),
        )
        .unwrap();
        for piece in pt.chunks(777) {
            s.update_to_vec(piece, &mut out).unwrap();
        }
        s.finish_to_vec(&mut out).unwrap();
        out.len()
    });
}

#[cfg(feature = "bytes")]
#[test]
fn opening_into_a_growing_bytes_mut_wipes_what_it_outgrows() {
    let sealed = job(4 * CHUNK_SIZE + 9);
    assert_no_leak("Opener::update_bytes", || {
        let mut out = bytes::BytesMut::new();
        let mut opener = Opener::new();
        let mut rest = &sealed[..];
        while !rest.is_empty() {
            let piece = &rest[..rest.len().min(1000)];
            let p = opener.update_bytes(piece, &mut out).unwrap();
            rest = &rest[p.consumed..];
            if opener.is_locked() {
                opener.unlock(&[&kek(4)]).unwrap();
            }
        }
        opener.finish_bytes(&mut out).unwrap();
        assert!(out.starts_with(&MARKER));
        // The test's own copy: wiped before it is freed.
        zeroize::Zeroize::zeroize(&mut out[..]);
    });
}

#[test]
fn the_stream_reader_wipes_its_buffer() {
    let sealed = job(6 * CHUNK_SIZE + 7);
    assert_no_leak("OpenReader", || {
        let mut r = OpenReader::new(&sealed[..], &[&kek(4)]).unwrap();
        // Small reads go through the internal buffer; a large one goes direct.
        let mut small = Zeroizing::new([0u8; 100]);
        let mut large = Zeroizing::new(vec![0u8; 8 * CHUNK_SIZE]);
        let mut total = 0;
        for i in 0.. {
            let n = if i % 3 == 2 {
                r.read(&mut large).unwrap()
            } else {
                r.read(&mut small[..]).unwrap()
            };
            if n == 0 {
                break;
            }
            total += n;
        }
        assert_eq!(total, 6 * CHUNK_SIZE + 7);
        assert!(
            r.private_metadata()
                .get("title")
                .unwrap()
                .starts_with(&MARKER)
        );
        drop(r);
    });
}

#[test]
fn the_stream_writer_wipes_its_staging_buffer() {
    let pt = plaintext(40 * CHUNK_SIZE + 9);
    assert_no_leak("SealWriter", || {
        let mut w = SealWriter::with_rng(
            Vec::new(),
            &SealOptions::new("application/pdf"),
            &[&kek(4)],
            &mut seeded_rng([2; 32]),
        )
        .unwrap();
        // Small writes are staged; large ones are sealed from the caller's slice.
        for (i, piece) in pt.chunks(8192).enumerate() {
            w.write_all(piece).unwrap();
            if i % 7 == 0 {
                w.flush().unwrap();
            }
        }
        w.write_all(&pt[..3 * CHUNK_SIZE]).unwrap();
        drop(w.finish().unwrap());
    });
}

#[test]
fn the_seekable_reader_wipes_its_cache() {
    let sealed = job(3 * CHUNK_SIZE + 50);
    assert_no_leak("SeekableOpenReader", || {
        let mut r = SeekableOpenReader::new(std::io::Cursor::new(&sealed), &[&kek(4)]).unwrap();
        // The short final chunk first (the length check), then full chunks: the cache
        // must not outgrow its first allocation.
        r.seek(SeekFrom::End(-10)).unwrap();
        let mut buf = Zeroizing::new([0u8; 64]);
        assert_eq!(r.read(&mut buf[..]).unwrap(), 10);
        for chunk in [0u64, 2, 1] {
            r.seek(SeekFrom::Start(chunk * CHUNK_SIZE as u64)).unwrap();
            assert_eq!(r.read(&mut buf[..]).unwrap(), 64);
            assert_eq!(&buf[..16], &MARKER);
        }
        drop(r);
    });
}

#[test]
fn a_replaced_private_value_is_wiped() {
    assert_no_leak("PrivateMetadata::insert", || {
        let mut m = PrivateMetadata::new();
        m.insert("title", &plaintext(64)).unwrap();
        // Replaced: the old value goes.
        m.insert("title", &plaintext(200)).unwrap();
        // Refused as too large overall: the value put back, the refused one dropped.
        for i in 0..4 {
            let _ = m.insert(&format!("k{i}"), &plaintext(60_000));
        }
        // Through the seal options too.
        let opts = SealOptions::new("text/plain")
            .private_entry("owner", &plaintext(32))
            .unwrap()
            .private_entry("owner", &plaintext(48))
            .unwrap();
        let c = m.clone();
        drop((m, c, opts));
    });
}
