//! No allocation per `update` call in steady state through the C ABI: the entry points
//! add nothing to the core's push API (no boxing, no error strings on success), counted
//! by a global allocator wrapper on the calling thread. Calls stay below the `parallel`
//! feature's run size (8 chunks), as in the core's `tests/alloc_steady_state.rs`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr::{null, null_mut};

use printseal_ffi::keys::{printseal_identity, printseal_key_kind, printseal_recipient};
use printseal_ffi::open::printseal_opener;
use printseal_ffi::printseal_status;
use printseal_ffi::seal::{printseal_seal_options, printseal_sealer};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counting touches only `const`-initialized thread-local `Cell`s, which do not allocate.
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

fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (r, ALLOCATIONS.with(Cell::get))
}

#[test]
fn update_calls_do_not_allocate() {
    let mut id: *const printseal_identity = null();
    assert_eq!(
        printseal_identity::printseal_identity_generate(printseal_key_kind::Kek as u32, &mut id),
        printseal_status::Ok
    );
    let mut r: *const printseal_recipient = null();
    assert_eq!(
        printseal_identity::printseal_identity_to_recipient(id, &mut r),
        printseal_status::Ok
    );
    let ct = "application/pdf";
    let mut opts: *mut printseal_seal_options = null_mut();
    assert_eq!(
        printseal_seal_options::printseal_seal_options_new(ct.as_ptr().cast(), ct.len(), &mut opts),
        printseal_status::Ok
    );
    let mut s: *mut printseal_sealer = null_mut();
    assert_eq!(
        printseal_sealer::printseal_sealer_new(opts, &r, 1, &mut s),
        printseal_status::Ok
    );
    let input = vec![7u8; 3 * 16384 + 5];
    let mut out = vec![0u8; 200_000];
    let mut job = Vec::with_capacity(2_000_000);
    let mut w = 0;
    for round in 0..20 {
        let (st, n) = counted(|| {
            printseal_sealer::printseal_sealer_update(
                s,
                input.as_ptr(),
                input.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut w,
            )
        });
        assert_eq!(st, printseal_status::Ok);
        if round >= 2 {
            assert_eq!(n, 0, "sealer update {round} allocated {n} times");
        }
        job.extend_from_slice(&out[..w]);
    }
    assert_eq!(
        printseal_sealer::printseal_sealer_finish(s, out.as_mut_ptr(), out.len(), &mut w),
        printseal_status::Ok
    );
    job.extend_from_slice(&out[..w]);

    let mut o: *mut printseal_opener = null_mut();
    assert_eq!(
        printseal_opener::printseal_opener_new(null(), &id, 1, &mut o),
        printseal_status::Ok
    );
    let (mut c, mut written) = (0, 0);
    for (i, piece) in job.chunks(3 * 16400 + 11).enumerate() {
        let (st, n) = counted(|| {
            printseal_opener::printseal_opener_update(
                o,
                piece.as_ptr(),
                piece.len(),
                out.as_mut_ptr(),
                out.len(),
                &mut c,
                &mut written,
            )
        });
        assert_eq!(st, printseal_status::Ok);
        if i >= 3 {
            assert_eq!(n, 0, "opener update {i} allocated {n} times");
        }
    }
    assert_eq!(
        printseal_opener::printseal_opener_finish(o, out.as_mut_ptr(), out.len(), &mut written),
        printseal_status::Ok
    );
    printseal_opener::printseal_opener_free(o);
    printseal_sealer::printseal_sealer_free(s);
    printseal_seal_options::printseal_seal_options_free(opts);
    printseal_recipient::printseal_recipient_free(r);
    printseal_identity::printseal_identity_free(id);
}
