//! The command line's errors and the one map from error family to exit code.
//!
//! Every failure of every command ends here: [`CliError`] carries the family (which
//! decides the exit code), a message saying what failed, and a remedy naming the flag
//! or step that fixes it. The families and their exit codes are the core's error table
//! (`docs/ERRORS.md`, `printseal::ErrorFamily` from `Error::family()`), plus 1 for the
//! command line's own failures that have no core error. [`EXIT_CODES`] is the table the
//! man page, `--help` and the README print; [`Family::of`] is the only place a core
//! error becomes an exit code.

use std::fmt;
use std::io;

use printseal::{Error, ErrorFamily};

/// What kind of failure an error is; decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// The command line's own failure with no core error (a command it ran failed).
    Command,
    /// The command line or a value given is wrong: bad or conflicting flags, an invalid
    /// key or recipient, output refused (core family `Usage`).
    Usage,
    /// Not a printseal job this build reads, malformed, cut short or with stray bytes
    /// after it (core family `Format`).
    Format,
    /// Authentication failed: the job was altered (core family `Tampered`).
    Tampered,
    /// No given identity opens the job (core family `Recipient`).
    Recipient,
    /// The open policy refused the job (core family `Policy`).
    Policy,
    /// I/O (a file, a pipe, a key file), the random generator or a key store failed
    /// (core family `Environment`).
    Environment,
    /// A broken internal invariant: a printseal bug (core family `Internal`).
    Internal,
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

/// The exit codes, in order (docs/ERRORS.md, "Families"). 0 only on complete success.
pub(crate) const EXIT_CODES: &[ExitRow] = &[
    ExitRow {
        code: 0,
        name: "ok",
        meaning: "success: the whole job was sealed, opened, verified or released",
    },
    ExitRow {
        code: 1,
        name: "command",
        meaning: "a program the command ran failed (lp refused the job)",
    },
    ExitRow {
        code: 2,
        name: "usage",
        meaning: "bad command line or value: unknown or conflicting flags, an invalid key, recipient or metadata, mixed post-quantum and classical recipients, output refused (terminal, existing key file, the input itself)",
    },
    ExitRow {
        code: 3,
        name: "format",
        meaning: "not a printseal job, an unsupported version or suite, a malformed header, cut short, or stray bytes after it",
    },
    ExitRow {
        code: 4,
        name: "tampered",
        meaning: "authentication failed: the header, a stanza or a payload chunk was altered; treat the file as hostile",
    },
    ExitRow {
        code: 5,
        name: "recipient",
        meaning: "no identity given opens the job",
    },
    ExitRow {
        code: 6,
        name: "policy",
        meaning: "the job is authentic but the open policy refuses it (producer, version, SBOM digest, suite, expiry)",
    },
    ExitRow {
        code: 7,
        name: "environment",
        meaning: "reading or writing a file, pipe or key file failed (not found, permission, disk full, broken pipe), or the random generator or a key store failed",
    },
    ExitRow {
        code: 70,
        name: "internal",
        meaning: "a broken internal invariant: a printseal bug, please report it",
    },
];

impl Family {
    /// The family of a core error, from the core's own table.
    pub(crate) fn of(e: &Error) -> Family {
        match e.family() {
            ErrorFamily::Usage => Family::Usage,
            ErrorFamily::Format => Family::Format,
            ErrorFamily::Tampered => Family::Tampered,
            ErrorFamily::Recipient => Family::Recipient,
            ErrorFamily::Policy => Family::Policy,
            ErrorFamily::Environment => Family::Environment,
            // ErrorFamily::Internal and families a newer core may add.
            _ => Family::Internal,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Family::Command => "command",
            Family::Usage => "usage",
            Family::Format => "format",
            Family::Tampered => "tampered",
            Family::Recipient => "recipient",
            Family::Policy => "policy",
            Family::Environment => "environment",
            Family::Internal => "internal",
        }
    }

    /// The process exit status of this family, from [`EXIT_CODES`].
    pub(crate) fn exit_code(self) -> u8 {
        let name = self.name();
        EXIT_CODES
            .iter()
            .find(|r| r.name == name)
            .map_or(70, |r| r.code)
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

    /// An invalid key, identity or recipient (a usage error: the value given is wrong).
    pub(crate) fn bad_key(message: impl Into<String>) -> CliError {
        CliError::new(Family::Usage, message)
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
            family: Family::Environment,
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
        let family = Family::of(&e);
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
        s.push_str(&format!("  {:<3} {:<12} {}\n", r.code, r.name, r.meaning));
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

    const ALL: [Family; 8] = [
        Family::Command,
        Family::Usage,
        Family::Format,
        Family::Tampered,
        Family::Recipient,
        Family::Policy,
        Family::Environment,
        Family::Internal,
    ];

    #[test]
    fn every_family_has_one_distinct_code() {
        let mut codes: Vec<u8> = ALL.iter().map(|f| f.exit_code()).collect();
        assert!(!codes.contains(&0));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
        assert_eq!(EXIT_CODES.len(), ALL.len() + 1);
    }

    /// The exit codes are the ones docs/ERRORS.md gives the command line.
    #[test]
    fn codes_match_docs_errors_md() {
        let doc = include_str!("../../docs/ERRORS.md");
        let fam = doc.split("## Codes").next().expect("families section");
        let mut found = 0;
        for line in fam.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (name, code) = (cells[1].trim_matches('`').to_ascii_lowercase(), cells[4]);
            let row = EXIT_CODES.iter().find(|r| r.name == name).expect(&name);
            assert_eq!(row.code.to_string(), code, "{name}");
            found += 1;
        }
        assert_eq!(found, 7);
    }

    #[test]
    fn core_errors_sort_into_families() {
        assert_eq!(Family::of(&Error::HeaderMac), Family::Tampered);
        assert_eq!(Family::of(&Error::StanzaUnwrap), Family::Tampered);
        assert_eq!(Family::of(&Error::Truncated), Family::Format);
        assert_eq!(Family::of(&Error::NotPrintseal), Family::Format);
        assert_eq!(Family::of(&Error::NoMatchingRecipient), Family::Recipient);
        assert_eq!(Family::of(&Error::Randomness), Family::Environment);
        assert_eq!(Family::of(&Error::MixedPostQuantum), Family::Usage);
        assert_eq!(Family::Internal.exit_code(), 70);
        // A core error carried inside an io::Error (as the io adapters return it) is
        // recovered, not reported as I/O.
        let io = Error::Io(io::Error::other(Error::PayloadTampered {
            chunk: 3,
            last: false,
        }));
        assert_eq!(CliError::core("x", io).family, Family::Tampered);
    }
}
