//! Appending push-API output to growable buffers (`Vec<u8>`, and `BytesMut` with the
//! `bytes` feature): grow by the call's exact output bound, let the call write, keep
//! exactly what it wrote (nothing on error).

use alloc::vec::Vec;

use crate::error::Result;

/// A byte buffer that can grow at its end.
pub(crate) trait Growable {
    fn len(&self) -> usize;
    fn resize_zeroed(&mut self, new_len: usize);
    fn truncate_to(&mut self, len: usize);
    fn tail_mut(&mut self, start: usize) -> &mut [u8];
}

impl Growable for Vec<u8> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn resize_zeroed(&mut self, new_len: usize) {
        self.resize(new_len, 0);
    }
    fn truncate_to(&mut self, len: usize) {
        self.truncate(len);
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
    fn resize_zeroed(&mut self, new_len: usize) {
        self.resize(new_len, 0);
    }
    fn truncate_to(&mut self, len: usize) {
        self.truncate(len);
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
    out.resize_zeroed(start + room);
    let res = write(out.tail_mut(start));
    out.truncate_to(start + res.as_ref().map_or(0, written));
    res
}
