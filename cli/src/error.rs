//! The command line's errors and the one map from error family to exit code.
//!
//! Every failure of every command ends here: [`CliError`] carries the family (which
//! decides the exit code), a message saying what failed, and a remedy naming the flag
//! or step that fixes it. [`EXIT_CODES`] is the table the man page, `--help` and the
//! README print; [`family_of`] sorts the core's errors into it.
//!
//! The families follow the core's error table (issue 8, docs/ERRORS.md); until the core
//! exposes `Error::family()`, [`family_of`] is the provisional map, kept here and
//! nowhere else.

use std::fmt;
use std::io;

use printseal::Error;

/// What kind of failure an error is; decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// A bug or a failure that should not happen (randomness, broken invariant).
    Internal,
    /// The command line is wrong: bad or conflicting flags, output refused.
    Usage,
    /// Keys: a key file is unreadable or invalid, or no identity opens the job.
    Key,
    /// The input is not a printseal job this build reads, or its header is malformed.
    Format,
    /// Authentication failed: the job was tampered with, truncated or extended.
    Integrity,
    /// The open policy refused the job (producer, version, SBOM, suite, expiry).
    Policy,
    /// Reading or writing a file or a pipe failed.
    Io,
}

/// One row of the exit-code table.
pub(crate) struct ExitRow {
    /// The exit status.
    pub(crate) code: u8,
    /// The family's name, as in `--json` error output.
    pub(crate) name: &'static str,
    /// What it means.
    pub(crate) meaning: &'static str,
}

/// The exit codes, in order. 0 only on complete success.
pub(crate) const EXIT_CODES: &[ExitRow] = &[
    ExitRow {
        code: 0,
        name: "ok",
        meaning: "success: the whole job was sealed, opened or verified",
    },
    ExitRow {
        code: 1,
        name: "internal",
        meaning: "internal error (a bug, or the random number generator failed)",
    },
    ExitRow {
        code: 2,
        name: "usage",
        meaning: "bad command line: unknown or conflicting flags, invalid values, output refused (terminal, existing key file, same file as the input)",
    },
    ExitRow {
        code: 3,
        name: "key",
        meaning: "key problem: a key, identity or recipients file is missing or invalid, or no identity given opens the job",
    },
    ExitRow {
        code: 4,
        name: "format",
        meaning: "not a printseal job, an unsupported version or suite, or a malformed header",
    },
    ExitRow {
        code: 5,
        name: "integrity",
        meaning: "authentication failed: the job was tampered with, truncated, or has data appended",
    },
    ExitRow {
        code: 6,
        name: "policy",
        meaning: "refused by the open policy (producer, version, SBOM digest, suite, expiry)",
    },
    ExitRow {
        code: 7,
        name: "io",
        meaning: "reading or writing a file or pipe failed (not found, permission, disk full, broken pipe)",
    },
];

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Internal => "internal",
            Family::Usage => "usage",
            Family::Key => "key",
            Family::Format => "format",
            Family::Integrity => "integrity",
            Family::Policy => "policy",
            Family::Io => "io",
        }
    }

    /// The process exit status of this family, from [`EXIT_CODES`].
    pub(crate) fn exit_code(self) -> u8 {
        let name = self.name();
        EXIT_CODES
            .iter()
            .find(|r| r.name == name)
            .map_or(1, |r| r.code)
    }
}

/// The family of a core error (provisional until the core's `Error::family()`).
pub(crate) fn family_of(e: &Error) -> Family {
    match e {
        Error::NotPrintseal
        | Error::UnsupportedVersion(_)
        | Error::UnsupportedSuite(_)
        | Error::MalformedHeader(_)
        | Error::LimitExceeded(_) => Family::Format,
        Error::HeaderMac
        | Error::PayloadCommitment
        | Error::PayloadTampered { .. }
        | Error::Truncated
        | Error::TrailingData => Family::Integrity,
        Error::NoMatchingRecipient | Error::StanzaUnwrap => Family::Key,
        Error::PolicyViolation(_) => Family::Policy,
        Error::InvalidInput(_) | Error::MixedPostQuantum | Error::InvalidSeek => Family::Usage,
        Error::Io(_) => Family::Io,
        // InvalidState, Randomness, OutputTooSmall and future variants.
        _ => Family::Internal,
    }
}

/// A failed command: what failed, and what to do about it.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) family: Family,
    pub(crate) message: String,
    pub(crate) remedy: Option<String>,
}

pub(crate) type Result<T> = std::result::Result<T, CliError>;

impl CliError {
    pub(crate) fn new(family: Family, message: impl Into<String>) -> CliError {
        CliError {
            family,
            message: message.into(),
            remedy: None,
        }
    }

    pub(crate) fn usage(message: impl Into<String>) -> CliError {
        CliError::new(Family::Usage, message)
    }

    pub(crate) fn key(message: impl Into<String>) -> CliError {
        CliError::new(Family::Key, message)
    }

    /// An I/O error about `what` (a path, "standard input", ...).
    pub(crate) fn io(what: &str, e: &io::Error) -> CliError {
        let remedy = match e.kind() {
            io::ErrorKind::NotFound => Some("check the path"),
            io::ErrorKind::PermissionDenied => Some("check the file's permissions and owner"),
            io::ErrorKind::BrokenPipe => {
                Some("the program reading the output stopped early; the output is incomplete")
            }
            _ => None,
        };
        CliError {
            family: Family::Io,
            message: format!("{what}: {e}"),
            remedy: remedy.map(str::to_owned),
        }
    }

    /// A core error, with `context` saying what was being done ("opening job.pseal").
    pub(crate) fn core(context: &str, e: Error) -> CliError {
        let e = match e {
            Error::Io(io) => Error::from_io(io),
            other => other,
        };
        let family = family_of(&e);
        let remedy = match &e {
            Error::NotPrintseal => {
                Some("the input is not a sealed job; seal it with `printseal seal`")
            }
            Error::Truncated => Some("the job is incomplete: copy it again from its source"),
            Error::HeaderMac
            | Error::PayloadCommitment
            | Error::PayloadTampered { .. }
            | Error::TrailingData => {
                Some("do not use this job: it was altered after sealing; ask for it again")
            }
            Error::PolicyViolation(_) => Some(
                "the job breaks the open policy; relax it only if you trust the job \
                 (--allow-expired, --min-producer, --deny-producer, --suite)",
            ),
            Error::MixedPostQuantum => Some(
                "seal to post-quantum (printseal-pq1...) recipients only, or pass \
                 --allow-mixed-pq if the classical recipient is deliberate",
            ),
            _ => None,
        };
        let message = match &e {
            Error::Io(io) => format!("{context}: {io}"),
            other => format!("{context}: {other}"),
        };
        CliError {
            family,
            message,
            remedy: remedy.map(str::to_owned),
        }
    }

    pub(crate) fn with_remedy(mut self, remedy: impl Into<String>) -> CliError {
        self.remedy = Some(remedy.into());
        self
    }

    /// The process exit status.
    pub(crate) fn exit_code(&self) -> u8 {
        self.family.exit_code()
    }

    /// The error as one JSON object, for `--json`.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "family": self.family.name(),
                "exit_code": self.exit_code(),
                "message": self.message,
                "remedy": self.remedy,
            }
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(r) = &self.remedy {
            write!(f, "\nhint: {r}")?;
        }
        Ok(())
    }
}

/// The exit-code table as plain text, for `--help`.
pub(crate) fn exit_status_help() -> String {
    let mut s = String::from("Exit status:\n");
    for r in EXIT_CODES {
        s.push_str(&format!("  {:<3} {:<10} {}\n", r.code, r.name, r.meaning));
    }
    s.push_str(
        "\nWhen opening to standard output, plaintext is written one chunk at a time, each \
         only after it authenticated; a failure later in the job still gives a non-zero \
         exit status, and what was written before it must then be discarded.",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_one_distinct_code() {
        let all = [
            Family::Internal,
            Family::Usage,
            Family::Key,
            Family::Format,
            Family::Integrity,
            Family::Policy,
            Family::Io,
        ];
        let mut codes: Vec<u8> = all.iter().map(|f| f.exit_code()).collect();
        assert!(!codes.contains(&0));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert_eq!(EXIT_CODES.len(), all.len() + 1);
    }

    #[test]
    fn core_errors_sort_into_families() {
        assert_eq!(family_of(&Error::HeaderMac), Family::Integrity);
        assert_eq!(family_of(&Error::Truncated), Family::Integrity);
        assert_eq!(family_of(&Error::NotPrintseal), Family::Format);
        assert_eq!(family_of(&Error::NoMatchingRecipient), Family::Key);
        assert_eq!(family_of(&Error::Randomness), Family::Internal);
        let io = Error::Io(io::Error::other(Error::PayloadTampered {
            chunk: 3,
            last: false,
        }));
        assert_eq!(CliError::core("x", io).family, Family::Integrity);
    }
}
