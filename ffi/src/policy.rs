//! The open policy: which producers, versions, suites, stanza kinds and expiry an
//! opener accepts.

use core::ffi::c_char;

use printseal::{OpenPolicy, Suite, VersionRange};

use crate::error::{map_error, printseal_status};
use crate::ffi::{
    Castable, OwnershipBox, free_box, to_boxed_mut_ptr, try_mut, try_out, try_slice, try_str,
};
use crate::panic::ffi_panic_boundary;
use crate::seal::parse_suite;

/// An open policy being put together. New policies refuse expired jobs and nothing
/// else; each call narrows it. `printseal_opener_set_policy` (and the whole-stream
/// helpers) copy it, so it may be reused and freed at any time.
///
/// Owned by the caller (a `Box` around printseal's `OpenPolicy` and the lists added
/// so far); one thread at a time.
pub struct printseal_policy {
    _private: [u8; 0],
}

/// The Rust side of a `printseal_policy`.
#[derive(Clone, Default)]
pub struct PolicyState {
    pub(crate) policy: OpenPolicy,
    producers: Option<Vec<String>>,
    suites: Option<Vec<Suite>>,
    kinds: Option<Vec<u16>>,
}

impl Castable for printseal_policy {
    type Ownership = OwnershipBox;
    type RustType = PolicyState;
}

fn edit(p: &mut OpenPolicy, f: impl FnOnce(OpenPolicy) -> OpenPolicy) {
    let taken = core::mem::take(p);
    *p = f(taken);
}

impl printseal_policy {
    /// A new policy that refuses expired jobs only. `*out` is owned by the caller
    /// (`printseal_policy_free`).
    ///
    /// Errors: `NULL_PARAMETER`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_new(out: *mut *mut printseal_policy) -> printseal_status {
        ffi_panic_boundary! {
            let out = try_out!(out);
            *out = to_boxed_mut_ptr(PolicyState::default());
            printseal_status::Ok
        }
    }

    /// Accepts jobs whose producer name is exactly `name`; once one producer is
    /// accepted, all others are refused. Call once per accepted name.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not UTF-8).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_accept_producer(
        policy: *mut printseal_policy,
        name: *const c_char,
        name_len: usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let p = try_mut!(policy);
            let name = try_str!(name, name_len);
            let list = p.producers.get_or_insert_with(Vec::new);
            list.push(name.to_string());
            let names: Vec<&str> = list.iter().map(String::as_str).collect();
            edit(&mut p.policy, |o| o.accept_producers(&names));
            printseal_status::Ok
        }
    }

    /// Refuses jobs of `producer` below version `minimum` (SemVer); such a job whose
    /// version is not SemVer is refused too.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not UTF-8, or
    /// (`minimum` not SemVer; the policy is unchanged).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_min_producer_version(
        policy: *mut printseal_policy,
        producer: *const c_char,
        producer_len: usize,
        minimum: *const c_char,
        minimum_len: usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let p = try_mut!(policy);
            let producer = try_str!(producer, producer_len);
            let minimum = try_str!(minimum, minimum_len);
            match p.policy.clone().min_producer_version(producer, minimum) {
                Ok(np) => {
                    p.policy = np;
                    printseal_status::Ok
                }
                Err(e) => map_error(&e),
            }
        }
    }

    /// Refuses jobs of `producer` whose version is in the SemVer range `range` (for
    /// example `">=0.2.0, <0.2.5"`, a build with a known flaw).
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not UTF-8, or not
    /// a range; the policy is unchanged).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_deny_versions(
        policy: *mut printseal_policy,
        producer: *const c_char,
        producer_len: usize,
        range: *const c_char,
        range_len: usize,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let p = try_mut!(policy);
            let producer = try_str!(producer, producer_len);
            let range = try_str!(range, range_len);
            match VersionRange::new(producer, range) {
                Ok(r) => {
                    edit(&mut p.policy, |o| o.deny(r));
                    printseal_status::Ok
                }
                Err(e) => map_error(&e),
            }
        }
    }

    /// Refuses jobs whose header records the SBOM SHA-256 `digest` (32 bytes).
    ///
    /// Errors: `NULL_PARAMETER`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_deny_sbom_sha256(
        policy: *mut printseal_policy,
        digest: *const u8,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let p = try_mut!(policy);
            if digest.is_null() {
                return printseal_status::NullParameter;
            }
            let d = try_slice!(digest, 32);
            let mut a = [0u8; 32];
            a.copy_from_slice(d);
            edit(&mut p.policy, |o| o.deny_sbom_sha256(a));
            printseal_status::Ok
        }
    }

    /// Accepts payload suite `suite` (a `printseal_suite`); once one is accepted, the
    /// others are refused.
    ///
    /// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (not a suite).
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_accept_suite(
        policy: *mut printseal_policy,
        suite: u32,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let p = try_mut!(policy);
            let Some(suite) = parse_suite(suite) else {
                return printseal_status::InvalidInput;
            };
            let list = p.suites.get_or_insert_with(Vec::new);
            list.push(suite);
            let list = list.clone();
            edit(&mut p.policy, |o| o.accept_suites(&list));
            printseal_status::Ok
        }
    }

    /// Accepts recipient stanzas of kind `kind` (a `printseal_key_kind` or a key
    /// store's kind); once one is accepted, a job with any stanza of another kind is
    /// refused (a job is as confidential as its weakest stanza).
    ///
    /// Errors: `NULL_PARAMETER`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_accept_stanza_kind(
        policy: *mut printseal_policy,
        kind: u16,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let p = try_mut!(policy);
            let list = p.kinds.get_or_insert_with(Vec::new);
            list.push(kind);
            let list = list.clone();
            edit(&mut p.policy, |o| o.accept_stanza_kinds(&list));
            printseal_status::Ok
        }
    }

    /// Whether jobs past their expiry time may open (default: refused).
    ///
    /// Errors: `NULL_PARAMETER`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_allow_expired(
        policy: *mut printseal_policy,
        allow: bool,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let p = try_mut!(policy);
            edit(&mut p.policy, |o| o.allow_expired(allow));
            printseal_status::Ok
        }
    }

    /// Checks expiry against `unix_seconds` instead of the system clock.
    ///
    /// Errors: `NULL_PARAMETER`.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_at_time(
        policy: *mut printseal_policy,
        unix_seconds: u64,
    ) -> printseal_status {
        ffi_panic_boundary! {
            let p = try_mut!(policy);
            edit(&mut p.policy, |o| o.at_time(unix_seconds));
            printseal_status::Ok
        }
    }

    /// Frees the policy. NULL does nothing.
    #[unsafe(no_mangle)]
    pub extern "C" fn printseal_policy_free(policy: *mut printseal_policy) {
        ffi_panic_boundary! {
            free_box(policy)
        }
    }
}
