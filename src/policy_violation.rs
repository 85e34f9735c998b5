//! [`PolicyViolation`]: which rule of an [`crate::OpenPolicy`] refused a job. A leaf
//! module, so that the error type can name it without depending on the policy engine
//! (which depends on the error type and the header).

use alloc::string::String;
use core::fmt;

/// Why a policy refused a job ([`crate::Error::PolicyViolation`]). Names and versions are the
/// ones in the header (public data).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyViolation {
    /// The payload suite (header id) is not one the policy accepts.
    Suite(u16),
    /// The header carries a recipient stanza of a kind the policy does not accept.
    StanzaKind(u16),
    /// The producer name is not one the policy accepts.
    Producer {
        /// The producer name in the header.
        name: String,
    },
    /// The producer version is below the policy's minimum for that producer.
    ProducerVersionTooOld {
        /// The producer name in the header.
        name: String,
        /// The producer version in the header.
        version: String,
        /// The minimum version.
        minimum: String,
    },
    /// The producer version is inside a denied range.
    ProducerVersionDenied {
        /// The producer name in the header.
        name: String,
        /// The producer version in the header.
        version: String,
        /// The range it fell in.
        range: String,
    },
    /// A version rule applies to the producer, but its version is not SemVer, so the
    /// rule cannot be decided (the policy fails closed).
    ProducerVersionUnparsable {
        /// The producer name in the header.
        name: String,
        /// The producer version in the header.
        version: String,
    },
    /// The SHA-256 of the producer's SBOM is on the policy's deny list.
    SbomDenied,
    /// The job expired (`now` is past `expires`, both in seconds since the Unix epoch).
    Expired {
        /// The job's expiry time.
        expires: u64,
        /// The time the policy checked against.
        now: u64,
    },
    /// The job has an expiry time, expired jobs are refused, and the policy has no
    /// time to check against (no `std` clock, and no [`OpenPolicy::at_time`]).
    NoClock,
}

impl fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyViolation::Suite(id) => write!(f, "payload suite 0x{id:04x} is not accepted"),
            PolicyViolation::StanzaKind(k) => {
                write!(f, "recipient stanza kind 0x{k:04x} is not accepted")
            }
            PolicyViolation::Producer { name } => write!(f, "producer {name:?} is not accepted"),
            PolicyViolation::ProducerVersionTooOld {
                name,
                version,
                minimum,
            } => {
                write!(
                    f,
                    "producer {name} {version} is older than the minimum {minimum}"
                )
            }
            PolicyViolation::ProducerVersionDenied {
                name,
                version,
                range,
            } => {
                write!(
                    f,
                    "producer {name} {version} is in the denied range {range}"
                )
            }
            PolicyViolation::ProducerVersionUnparsable { name, version } => write!(
                f,
                "producer {name} version {version:?} is not SemVer, so the version rules cannot be checked"
            ),
            PolicyViolation::SbomDenied => f.write_str("the producer's SBOM digest is denied"),
            PolicyViolation::Expired { expires, now } => {
                write!(f, "job expired at {expires} (now {now}, unix seconds)")
            }
            PolicyViolation::NoClock => {
                f.write_str("job has an expiry time and no clock is available to check it")
            }
        }
    }
}
