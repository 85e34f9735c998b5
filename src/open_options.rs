//! [`OpenOptions`]: how every open path (the push [`crate::Opener`], the one-shot
//! [`crate::open_with`], the `std::io` readers) and rewrap open a job.

use crate::policy::OpenPolicy;
use crate::primitives::aead::Backend;

/// How a job is opened: the [`OpenPolicy`] checked once the header MAC verified, and
/// the chunk AEAD backend. Every open path and rewrap take these, and run them through
/// one unlock (stanza choice, header MAC, policy, payload commitment).
///
/// [`OpenOptions::new`] applies [`OpenPolicy::new`]: a job past its `expires` time is
/// refused ([`crate::PolicyViolation::Expired`]) unless the caller opts out with
/// [`OpenPolicy::allow_expired`].
///
/// ```
/// use printseal::{OpenOptions, OpenPolicy, Suite};
///
/// let options = OpenOptions::new()
///     .policy(OpenPolicy::new().accept_suites(&[Suite::Aes256Gcm]).allow_expired(true));
/// # let _ = options;
/// ```
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    policy: OpenPolicy,
    backend: Option<Backend>,
}

impl OpenOptions {
    /// The defaults: [`OpenPolicy::new`] (expired jobs refused), the default backend.
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Replaces the open policy.
    pub fn policy(mut self, policy: OpenPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Forces the implementation of the chunk AEAD (by default AWS-LC when the
    /// `aws-lc-rs` feature is on, else RustCrypto). Both accept and reject exactly the
    /// same inputs: this is for benchmarks and cross-checks.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// The open policy these options apply.
    pub fn open_policy(&self) -> &OpenPolicy {
        &self.policy
    }

    /// The forced backend, if any.
    pub fn forced_backend(&self) -> Option<Backend> {
        self.backend
    }
}
