//! The life of a push-style sealer or opener behind a C handle: the core object, its
//! phase and its last error, and the one guard every call that changes it goes
//! through (`printseal_sealer` and `printseal_opener` both hold a [`PushState`]).

use printseal::{Opener, Sealer};

use crate::error::{LastError, printseal_status};
use crate::ffi::MAX_LEN;

/// Where a sealer or opener is in its life.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Active,
    Done,
    Failed,
}

/// The output bounds of a push-style core object.
pub(crate) trait PushBounds {
    fn update_output_len(&self, n: usize) -> usize;
    fn finish_output_len(&self) -> usize;
}

impl PushBounds for Sealer {
    fn update_output_len(&self, n: usize) -> usize {
        Sealer::update_output_len(self, n)
    }
    fn finish_output_len(&self) -> usize {
        Sealer::finish_output_len(self)
    }
}

impl PushBounds for Opener {
    fn update_output_len(&self, n: usize) -> usize {
        Opener::update_output_len(self, n)
    }
    fn finish_output_len(&self) -> usize {
        Opener::finish_output_len(self)
    }
}

/// A core sealer or opener with its phase and last error (the Rust side of
/// `printseal_sealer` and `printseal_opener`).
pub(crate) struct PushState<T> {
    pub(crate) inner: T,
    pub(crate) phase: Phase,
    pub(crate) last_error: LastError,
    /// "sealer" or "opener", for the misuse detail.
    what: &'static str,
}

impl<T: PushBounds> PushState<T> {
    pub(crate) fn new(inner: T, what: &'static str) -> PushState<T> {
        PushState {
            inner,
            phase: Phase::Active,
            last_error: LastError::default(),
            what,
        }
    }

    /// Runs one step. The object is marked failed first, so that a panic or an error
    /// leaves it failed (errors are final); success, or a too-small buffer (which
    /// changes nothing), puts the phase to `next` or back.
    pub(crate) fn step<R>(
        &mut self,
        next: Phase,
        f: impl FnOnce(&mut T) -> printseal::Result<R>,
    ) -> Result<R, printseal_status> {
        if self.phase != Phase::Active {
            let detail = format!("{} already finished or failed", self.what);
            return Err(self
                .last_error
                .record_status(printseal_status::InvalidState, &detail));
        }
        self.phase = Phase::Failed;
        if crate::testing::injected(printseal_status::Internal) {
            return Err(self.last_error.record(&printseal::Error::Internal(
                "fault injected by printseal_inject_fault_for_testing",
            )));
        }
        match f(&mut self.inner) {
            Ok(v) => {
                self.phase = next;
                Ok(v)
            }
            Err(e @ printseal::Error::OutputTooSmall { .. }) => {
                self.phase = Phase::Active;
                Err(self.last_error.record(&e))
            }
            Err(e) => Err(self.last_error.record(&e)),
        }
    }

    /// The core's bound, or `SIZE_MAX` for a length no call accepts.
    pub(crate) fn update_output_len(&self, n: usize) -> usize {
        if n > MAX_LEN {
            return usize::MAX;
        }
        self.inner.update_output_len(n)
    }

    pub(crate) fn finish_output_len(&self) -> usize {
        self.inner.finish_output_len()
    }
}
