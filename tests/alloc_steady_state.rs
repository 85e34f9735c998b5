//! No allocation per chunk in steady state: `Sealer::update` and `Opener::update` into
//! preallocated buffers, counted by a global allocator wrapper.
//!
//! Counting is per thread (a `const`-initialized thread-local flag and counter), so that
//! the test harness's own threads and the other test here do not disturb the count. Runs of at least
//! `hazmat::PARALLEL_MIN_CHUNKS` chunks with the `parallel` feature go to rayon's
//! threads, which this counter does not see; the calls below stay below that size,
//! which is the sequential path every build has. Allocations inside AWS-LC (C `malloc`)
//! are not Rust allocations and are not counted either; AWS-LC's AEAD seal and open do
//! not allocate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// A global allocator cannot be written without `unsafe`; each block says why it holds.
// The library under test stays `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use printseal::hazmat::{Backend, CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE};
use printseal::rng::seeded_rng;
use printseal::{Kek, Opener, SealOptions, Sealer, Suite};

struct Counting;

/// Update calls made before counting starts.
const WARM_UP_CALLS: usize = 4;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    // Per thread, so that tests counting at the same time do not see each other's.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: the thread-locals may already be gone while a thread exits.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees hold; the counting touches only `const`-initialized thread-local
// `Cell`s without destructors, which do not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this wrapper, with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations this thread made meanwhile.
fn count<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (ALLOCATIONS.with(Cell::get) - before, out)
}

/// Seals `rounds` pieces of `piece` bytes (the first one warms up: header, buffers) and
/// opens the result, counting the allocations of the steady-state calls only.
fn steady_state(suite: Suite, backend: Backend, piece: usize, rounds: usize) -> (usize, usize) {
    let k = Kek::new([1; 16], [2; 32]);
    let opts = SealOptions::new("application/pdf")
        .suite(suite)
        .created_at(1)
        .backend(backend);
    let mut sealer = Sealer::with_rng(&opts, &[&k], &mut seeded_rng([3; 32])).expect("sealer");
    let input = vec![0x5a; piece];
    let mut sealed = vec![0u8; sealer.header_bytes().len() + (rounds + 2) * 2 * piece];
    // Warm-up over several calls, uncounted: the header, the one-chunk buffer, and any
    // one-time lazy initialisation (seen once under heavy load on a shared machine).
    let mut w = 0;
    for _ in 0..WARM_UP_CALLS {
        w += sealer.update(&input, &mut sealed[w..]).expect("warm-up");
    }
    let (seal_allocs, ()) = count(|| {
        for _ in WARM_UP_CALLS..rounds {
            w += sealer.update(&input, &mut sealed[w..]).expect("update");
        }
    });
    w += sealer.finish(&mut sealed[w..]).expect("finish");
    sealed.truncate(w);

    let mut opener = Opener::with_options(printseal::OpenOptions::new().backend(backend))
        .unlock_with(vec![printseal::boxed(k)]);
    let mut out = vec![0u8; 4 * piece];
    // Warm-up: the header, the unlock, and the first chunk (the decryptor's buffer).
    let header_len = printseal::Header::parse(&sealed).expect("header").len();
    let first = header_len + ENCRYPTED_CHUNK_SIZE + 1000;
    opener.update(&sealed[..first], &mut out).expect("warm-up");
    let body = &sealed[first..sealed.len() - 2000];
    let mut pieces = body.chunks(piece);
    for p in pieces.by_ref().take(WARM_UP_CALLS) {
        opener.update(p, &mut out).expect("warm-up");
    }
    let (open_allocs, ()) = count(|| {
        for p in pieces {
            opener.update(p, &mut out).expect("update");
        }
    });
    opener
        .update(&sealed[sealed.len() - 2000..], &mut out)
        .expect("update");
    let mut tail = vec![0u8; opener.finish_output_len()];
    opener.finish(&mut tail).expect("finish");
    (seal_allocs, open_allocs)
}

#[test]
fn no_allocation_per_chunk_in_steady_state() {
    for &backend in Backend::ALL {
        for suite in Suite::ALL {
            // Whole chunks per call, and odd pieces that go through the one-chunk buffer.
            for piece in [4 * CHUNK_SIZE, 7 * CHUNK_SIZE, 5000, CHUNK_SIZE + 1] {
                let rounds = 48;
                let (seal, open) = steady_state(suite, backend, piece, rounds);
                println!(
                    "{} {suite:?} pieces of {piece}: {seal} allocations sealing, {open} opening \
                     ({} chunks)",
                    backend.name(),
                    rounds * piece / CHUNK_SIZE
                );
                assert_eq!(
                    seal,
                    0,
                    "{} {suite:?} piece {piece}: sealing allocated",
                    backend.name()
                );
                assert_eq!(
                    open,
                    0,
                    "{} {suite:?} piece {piece}: opening allocated",
                    backend.name()
                );
            }
        }
    }
}

/// The one-shot `seal` allocates its output once, whatever the length: a job whose last
/// chunk is partial (100 KiB) used to outgrow its first allocation in `finish`, and the
/// output moved (copied, the old block wiped), at twice the cost of the push API.
#[test]
fn one_shot_seal_allocates_its_output_once() {
    let k = Kek::new([1; 16], [2; 32]);
    let opts = SealOptions::new("application/pdf").created_at(1);
    let data = vec![0x5a; 7 * CHUNK_SIZE + 5];
    let lens = [
        0,
        1,
        CHUNK_SIZE - 1,
        CHUNK_SIZE,
        CHUNK_SIZE + 1,
        4 * CHUNK_SIZE,
        100 * 1024,
        7 * CHUNK_SIZE + 5,
    ];
    let counts: Vec<(usize, usize)> = lens
        .iter()
        .map(|&len| {
            let (n, sealed) = count(|| {
                printseal::seal_with_rng(&opts, &[&k], &data[..len], &mut seeded_rng([3; 32]))
                    .unwrap()
            });
            assert_eq!(
                printseal::open(&sealed, &[&k]).unwrap().plaintext,
                &data[..len]
            );
            (len, n)
        })
        .collect();
    assert!(
        counts.iter().all(|&(_, n)| n == counts[0].1),
        "allocations per length: {counts:?}"
    );
}

#[test]
fn the_counter_sees_allocations() {
    let (n, v) = count(|| vec![1u8; 100]);
    assert_eq!(n, 1);
    assert_eq!(v.len(), 100);
}
