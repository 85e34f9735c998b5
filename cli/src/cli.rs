//! The command-line definitions, and nothing else: `main.rs` parses with them, and
//! `printseal man` / `printseal completions` generate the man pages and shell
//! completions from them (clap_mangen, clap_complete).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

/// Seal, inspect, open, rewrap and audit print and scan jobs.
///
/// A sealed job is encrypted for its recipients (X-Wing post-quantum or X25519 public
/// keys, or key-encryption keys) and carries a public header anyone can read. IN
/// defaults to standard input and OUT to standard output; binary output to a terminal
/// is refused unless `-o -` is given. Secrets are read from files only (`-i FILE`,
/// `-k FILE`, or `-i -` for standard input), never from the command line.
#[derive(Debug, Parser)]
#[command(name = "printseal", version, propagate_version = true)]
#[command(after_long_help = crate::error::exit_status_help())]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate an identity (X-Wing by default) or a key-encryption key.
    ///
    /// X-Wing (ML-KEM-768 + X25519) is the default because held print jobs and scan
    /// archives are kept for years: a job recorded today must stay closed to a future
    /// quantum computer, and X-Wing costs about a millisecond and a 1.2 KB key. The
    /// file is created with mode 0600 and never overwritten; the public recipient (or
    /// the KEK's key id) is printed on standard error.
    Keygen(KeygenArgs),
    /// Print the public recipients of the identities in FILE (or standard input).
    Recipient(RecipientArgs),
    /// Seal a job for one or more recipients.
    Seal(SealArgs),
    /// Open a sealed job: authenticate it and write the plaintext.
    ///
    /// Plaintext is released one 16 KiB chunk at a time, each only after it
    /// authenticated. When writing to standard output, a failure later in the job still
    /// ends with a non-zero exit status: discard what was written. A file output (-o)
    /// appears only once the whole job authenticated.
    Open(OpenArgs),
    /// Authenticate a whole sealed job without writing any plaintext.
    Verify(VerifyArgs),
    /// Show a sealed job's public header, without any key.
    ///
    /// Nothing shown is authenticated until the job is opened or verified with a key.
    Inspect(InspectArgs),
    /// Change who may open a job: new recipients, same payload bytes.
    Rewrap(RewrapArgs),
    /// List the sealed jobs under a directory, reading headers only.
    Scan(ScanArgs),
    /// Print the CycloneDX SBOM (with CBOM) of this build.
    Sbom,
    /// Print version and build information.
    Version(VersionArgs),
    /// Release a held job to a CUPS queue, or list held jobs.
    ///
    /// The job is opened with the open policy and its plaintext streamed to
    /// `lp -H hold` (which honours CUPS_SERVER), never written to disk. The CUPS job is
    /// resumed only once every chunk authenticated (else cancelled), and the sealed file
    /// removed only after that.
    Release(ReleaseArgs),
    /// Write the man pages (printseal.1 and one per command) into a directory.
    Man(ManArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// X-Wing (ML-KEM-768 + X25519) post-quantum hybrid identity (the default).
    #[arg(long, conflicts_with_all = ["x25519", "kek"])]
    pub(crate) pq: bool,
    /// Classical X25519 identity.
    #[arg(long, conflicts_with = "kek")]
    pub(crate) x25519: bool,
    /// 256-bit key-encryption key (AES-256-KWP) with a random key id.
    #[arg(long)]
    pub(crate) kek: bool,
    /// Write the key to FILE (mode 0600, never overwritten) instead of standard output.
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct RecipientArgs {
    /// Identity file (default: standard input).
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) input: Option<PathBuf>,
}

/// Who a job is sealed for.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct RecipientFlags {
    /// Public recipient: `printseal-pq1...` (X-Wing) or `printseal1...` (X25519).
    #[arg(short = 'r', long = "recipient", value_name = "RECIPIENT")]
    pub(crate) recipients: Vec<String>,
    /// Recipients file: one public recipient per line, `#` comments, blank lines.
    #[arg(short = 'R', long = "recipients-file", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) recipients_files: Vec<PathBuf>,
    /// Key-encryption key file (`PRINTSEAL-KEK-1...`), as written by `keygen --kek`, or a
    /// KEK in a PKCS#11 token as an RFC 7512 URI (`pkcs11:token=...;object=...?module-path=
    /// ...&pin-source=file:...`; the PIN comes from that file).
    #[arg(short = 'k', long = "kek", value_name = "KEKFILE", value_hint = ValueHint::FilePath)]
    pub(crate) keks: Vec<PathBuf>,
    /// Allow post-quantum and classical (X25519) recipients in one job.
    #[arg(long)]
    pub(crate) allow_mixed_pq: bool,
}

/// Payload suites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SuiteArg {
    /// AES-256-GCM (suite 1, Cobblestone-256).
    Aes,
    /// ChaCha20-Poly1305 (suite 2).
    Chacha,
}

#[derive(Debug, Args)]
pub(crate) struct SealArgs {
    #[command(flatten)]
    pub(crate) to: RecipientFlags,
    /// MIME type of the job (default: detected from its first bytes).
    #[arg(long, value_name = "TYPE")]
    pub(crate) content_type: Option<String>,
    /// The print system's job id (public).
    #[arg(long, value_name = "ID")]
    pub(crate) job_id: Option<String>,
    /// Expiry: seconds since the Unix epoch, a UTC time `YYYY-MM-DDTHH:MM:SSZ` (or a
    /// date), or a duration from now such as `30d`, `12h`, `90m`.
    #[arg(long, value_name = "TIME")]
    pub(crate) expires: Option<String>,
    /// Private (encrypted) metadata entry, such as `title=Quarterly payroll`.
    #[arg(long = "meta", value_name = "KEY=VALUE")]
    pub(crate) meta: Vec<String>,
    /// Payload suite.
    #[arg(long, value_enum, default_value_t = SuiteArg::Aes)]
    pub(crate) suite: SuiteArg,
    /// Output file (`-` for standard output, even a terminal).
    #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,
    /// The job to seal (default: standard input).
    #[arg(value_name = "IN", value_hint = ValueHint::FilePath)]
    pub(crate) input: Option<PathBuf>,
}

/// Identity files.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct IdentityFlags {
    /// Identity or KEK file (X-Wing, X25519 or KEK keys, one per line; `-` for
    /// standard input), or a `pkcs11:` URI naming a KEK in a token (as for `-k`). May be
    /// given several times; keys are matched by key id.
    #[arg(short = 'i', long = "identity", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) identities: Vec<PathBuf>,
}

/// What an opener accepts.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct PolicyFlags {
    /// Refuse jobs of producer NAME older than VERSION, as `printseal@0.1.0`.
    #[arg(long, value_name = "NAME@VERSION")]
    pub(crate) min_producer: Vec<String>,
    /// Refuse jobs whose producer is in a range, as `printseal@>=0.2.0, <0.2.5`.
    #[arg(long, value_name = "NAME@RANGE")]
    pub(crate) deny_producer: Vec<String>,
    /// Refuse jobs sealed by the build with this SBOM SHA-256 (64 hex digits).
    #[arg(long, value_name = "DIGEST")]
    pub(crate) deny_sbom: Vec<String>,
    /// Accept only these payload suites (default: any).
    #[arg(long = "suite", value_enum, value_name = "SUITE")]
    pub(crate) suites: Vec<SuiteArg>,
    /// Open jobs past their expiry time (refused by default).
    #[arg(long)]
    pub(crate) allow_expired: bool,
}

#[derive(Debug, Args)]
pub(crate) struct OpenArgs {
    #[command(flatten)]
    pub(crate) ids: IdentityFlags,
    #[command(flatten)]
    pub(crate) policy: PolicyFlags,
    /// Output file (`-` for standard output, even a terminal).
    #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,
    /// The sealed job (default: standard input).
    #[arg(value_name = "IN", value_hint = ValueHint::FilePath)]
    pub(crate) input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub(crate) ids: IdentityFlags,
    #[command(flatten)]
    pub(crate) policy: PolicyFlags,
    /// Machine-readable output (and errors) as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// The sealed job (default: standard input).
    #[arg(value_name = "IN", value_hint = ValueHint::FilePath)]
    pub(crate) input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// Machine-readable output (and errors) as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// The sealed job (default: standard input).
    #[arg(value_name = "IN", value_hint = ValueHint::FilePath)]
    pub(crate) input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct RewrapArgs {
    #[command(flatten)]
    pub(crate) ids: IdentityFlags,
    #[command(flatten)]
    pub(crate) to: RecipientFlags,
    /// Rewrite IN itself, atomically (the original stays intact on any failure).
    #[arg(long, conflicts_with = "output")]
    pub(crate) in_place: bool,
    /// Output file (`-` for standard output, even a terminal).
    #[arg(short, long, value_name = "OUT", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,
    /// The sealed job.
    #[arg(value_name = "IN", value_hint = ValueHint::FilePath)]
    pub(crate) input: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// The directory to walk.
    #[arg(value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) dir: PathBuf,
    /// List only jobs whose producer is in a range, as `printseal@>=0.2.0, <0.2.5`.
    #[arg(long, value_name = "NAME@RANGE")]
    pub(crate) producer: Vec<String>,
    /// List only jobs sealed by the build with this SBOM SHA-256 (64 hex digits).
    #[arg(long, value_name = "DIGEST")]
    pub(crate) sbom: Vec<String>,
    /// Machine-readable output (and errors) as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct VersionArgs {
    /// Also print the build: commit, compiler, target, features, crypto backend, SBOM.
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReleaseArgs {
    #[command(flatten)]
    pub(crate) ids: IdentityFlags,
    #[command(flatten)]
    pub(crate) policy: PolicyFlags,
    /// The CUPS queue to print to.
    #[arg(long, value_name = "QUEUE", required_unless_present = "list")]
    pub(crate) to: Option<String>,
    /// List the held jobs in DIR instead (private metadata too, with -i).
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath, conflicts_with_all = ["to", "held"])]
    pub(crate) list: Option<PathBuf>,
    /// The `lp` program to submit through.
    #[arg(long, value_name = "PATH", default_value = "lp")]
    pub(crate) lp: PathBuf,
    /// Machine-readable output (and errors) as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// The held job.
    #[arg(value_name = "HELD_FILE", required_unless_present = "list", value_hint = ValueHint::FilePath)]
    pub(crate) held: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Directory to write the pages into.
    #[arg(short, long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) output: PathBuf,
}

/// Shells.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ShellArg {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// Elvish.
    Elvish,
    /// PowerShell.
    Powershell,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: ShellArg,
}
