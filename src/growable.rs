//! Appending push-API output to growable buffers (`Vec<u8>`, and `BytesMut` with the
//! `bytes` feature): grow by the call's exact output bound, let the call write, keep
//! exactly what it wrote (nothing on error).
//!
//! The output is plaintext when opening, so a buffer never grows by reallocation,
//! which would give the old block back to the allocator with its bytes in it: it grows
//! into a fresh allocation (at least twice the old capacity, so appends stay linear
//! overall), and the old one is wiped, spare capacity included, before it is freed.
//! What the call reserved but did not write is wiped before the length is cut back.

use alloc::vec::Vec;

use zeroize::Zeroize;

use crate::error::Result;

/// A byte buffer that can grow at its end.
pub(crate) trait Growable {
    fn len(&self) -> usize;
    /// Grows to `new_len` bytes (zeros at the end), moving the contents into a fresh
    /// allocation and wiping the old one if the capacity does not suffice.
    fn grow_zeroed(&mut self, new_len: usize);
    /// Wipes the bytes from `len` on, then cuts the length back to `len`.
    fn wipe_truncate(&mut self, len: usize);
    fn tail_mut(&mut self, start: usize) -> &mut [u8];
}

/// The capacity to move to when `needed` bytes do not fit in `capacity`.
fn next_capacity(capacity: usize, needed: usize) -> usize {
    needed.max(capacity.saturating_mul(2))
}

/// Resizes `v` to `new_len` (zeros at the end) without ever giving a block that held
/// its bytes back to the allocator unwiped: if the capacity does not suffice, the
/// bytes move to a fresh allocation and the old one is zeroized. Shrinking wipes the
/// bytes cut off.
pub(crate) fn resize_wiping(v: &mut Vec<u8>, new_len: usize) {
    if new_len <= v.len() {
        v[new_len..].zeroize();
        v.truncate(new_len);
        return;
    }
    if new_len > v.capacity() {
        let mut fresh = Vec::with_capacity(next_capacity(v.capacity(), new_len));
        fresh.extend_from_slice(v);
        // Zeroizes the whole capacity, not only the length.
        v.zeroize();
        *v = fresh;
    }
    // Within the capacity now: no reallocation.
    v.resize(new_len, 0);
}

impl Growable for Vec<u8> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn grow_zeroed(&mut self, new_len: usize) {
        resize_wiping(self, new_len);
    }
    fn wipe_truncate(&mut self, len: usize) {
        resize_wiping(self, len);
    }
    fn tail_mut(&mut self, start: usize) -> &mut [u8] {
        &mut self[start..]
    }
}

#[cfg(feature = "bytes")]
impl Growable for bytes::BytesMut {
    fn len(&self) -> usize {
        bytes::BytesMut::len(self)
    }
    fn grow_zeroed(&mut self, new_len: usize) {
        if new_len > self.capacity() {
            let mut fresh = bytes::BytesMut::with_capacity(next_capacity(self.capacity(), new_len));
            fresh.extend_from_slice(self);
            // Within the capacity: `resize` does not reallocate here.
            let cap = self.capacity();
            self.resize(cap, 0);
            self[..].zeroize();
            *self = fresh;
        }
        self.resize(new_len, 0);
    }
    fn wipe_truncate(&mut self, len: usize) {
        if len < bytes::BytesMut::len(self) {
            self[len..].zeroize();
            self.truncate(len);
        }
    }
    fn tail_mut(&mut self, start: usize) -> &mut [u8] {
        &mut self[start..]
    }
}

/// Grows `out` by `room` bytes, runs `write` on them, and keeps the `written(&result)`
/// bytes it wrote.
pub(crate) fn append<B: Growable, T>(
    out: &mut B,
    room: usize,
    write: impl FnOnce(&mut [u8]) -> Result<T>,
    written: impl FnOnce(&T) -> usize,
) -> Result<T> {
    let start = out.len();
    out.grow_zeroed(start.saturating_add(room));
    let res = write(out.tail_mut(start));
    let kept = res.as_ref().map_or(0, written).min(room);
    out.wipe_truncate(start + kept);
    res
}
