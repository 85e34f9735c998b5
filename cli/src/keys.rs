//! Reading identity, KEK and recipients files, and parsing recipients.
//!
//! Files use age's syntax: one key per line, `#` comments and blank lines ignored.
//! Secrets are only ever read from files (or standard input with `-i -`): a secret
//! given where a public recipient is expected is refused, and no error message ever
//! quotes a line of a key file (it may be a secret).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use printseal::format::stanza::{Stanza, kind};
use printseal::{
    Identity, Kek, Recipient, X25519Identity, X25519Recipient, XWingIdentity, XWingRecipient,
};
use zeroize::Zeroizing;

use crate::cli::{IdentityFlags, RecipientFlags};
use crate::error::{CliError, Family, Result};

/// Largest key or recipients file read (a thousand X-Wing recipients fit in 2 MiB).
const MAX_KEY_FILE: u64 = 4 << 20;

/// An identity of any kind.
pub(crate) enum AnyIdentity {
    XWing(Box<XWingIdentity>),
    X25519(X25519Identity),
    Kek(Kek),
    /// A KEK in a PKCS#11 token (`-i pkcs11:...`).
    Pkcs11(printseal_pkcs11::Pkcs11Kek),
}

impl AnyIdentity {
    pub(crate) fn as_identity(&self) -> &dyn Identity {
        match self {
            AnyIdentity::XWing(k) => &**k,
            AnyIdentity::X25519(k) => k,
            AnyIdentity::Kek(k) => k,
            AnyIdentity::Pkcs11(k) => k,
        }
    }

    /// "X-Wing key id 0123…", for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            AnyIdentity::XWing(k) => format!("X-Wing key id {}", hex(&k.key_id())),
            AnyIdentity::X25519(k) => format!("X25519 key id {}", hex(&k.key_id())),
            AnyIdentity::Kek(k) => format!("KEK key id {}", hex(k.id())),
            AnyIdentity::Pkcs11(k) => format!(
                "PKCS#11 KEK key id {} in token {:?}",
                hex(k.key_id()),
                k.token_label()
            ),
        }
    }
}

/// A recipient of any kind.
pub(crate) enum AnyRecipient {
    XWing(Box<XWingRecipient>),
    X25519(X25519Recipient),
    Kek(Kek),
    /// A KEK in a PKCS#11 token (`-k pkcs11:...`).
    Pkcs11(printseal_pkcs11::Pkcs11Kek),
}

impl AnyRecipient {
    pub(crate) fn as_recipient(&self) -> &dyn Recipient {
        match self {
            AnyRecipient::XWing(k) => &**k,
            AnyRecipient::X25519(k) => k,
            AnyRecipient::Kek(k) => k,
            AnyRecipient::Pkcs11(k) => k,
        }
    }
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a stanza is for, as shown in messages: "X-Wing key id 0123…".
pub(crate) fn describe_stanza(s: &Stanza) -> String {
    let body = s.body();
    match s.kind() {
        kind::KEK_AES256_KWP => format!("KEK key id {}", hex(body.get(..16).unwrap_or(body))),
        kind::X25519_HPKE => format!("X25519 key id {}", hex(body.get(..8).unwrap_or(body))),
        kind::XWING_HPKE => format!("X-Wing key id {}", hex(body.get(..8).unwrap_or(body))),
        kind::PADDING => format!("padding ({} bytes, no key)", body.len()),
        other => format!("unknown stanza kind 0x{other:04x}"),
    }
}

/// The kind of a stanza, for `inspect`.
pub(crate) fn stanza_kind_name(k: u16) -> &'static str {
    match k {
        kind::KEK_AES256_KWP => "kek-aes256-kwp",
        kind::X25519_HPKE => "x25519-hpke",
        kind::XWING_HPKE => "xwing-hpke",
        kind::PADDING => "padding",
        _ => "unknown",
    }
}

/// The key id carried by a stanza, hex (empty for unknown kinds).
pub(crate) fn stanza_key_id(s: &Stanza) -> String {
    let n = match s.kind() {
        kind::KEK_AES256_KWP => 16,
        kind::X25519_HPKE | kind::XWING_HPKE => 8,
        _ => 0,
    };
    hex(s.body().get(..n).unwrap_or(&[]))
}

/// Reads a key file whole (bounded), into a buffer zeroized on drop.
fn read_key_file(path: &Path, flag: &str) -> Result<Zeroizing<String>> {
    let display = path.display();
    let read = |r: &mut dyn Read| -> std::io::Result<Zeroizing<Vec<u8>>> {
        let mut buf = Zeroizing::new(Vec::new());
        r.take(MAX_KEY_FILE + 1).read_to_end(&mut buf)?;
        Ok(buf)
    };
    let bytes = if path.as_os_str() == "-" {
        read(&mut std::io::stdin().lock())
    } else {
        File::open(path).and_then(|mut f| read(&mut f))
    }
    .map_err(|e| {
        CliError::new(
            Family::Environment,
            format!("cannot read key file {display}: {e}"),
        )
        .with_remedy(format!("check the path given to {flag}"))
    })?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(CliError::bad_key(format!(
            "{display} is larger than {MAX_KEY_FILE} bytes: not a key file"
        ))
        .with_remedy(format!("pass a key file to {flag}")));
    }
    let mut text = Zeroizing::new(String::new());
    match std::str::from_utf8(&bytes) {
        Ok(s) => text.push_str(s),
        Err(_) => {
            return Err(
                CliError::bad_key(format!("{display} is not a text key file")).with_remedy(
                    format!("pass a key file written by `printseal keygen` to {flag}"),
                ),
            );
        }
    }
    Ok(text)
}

/// The key lines of a file: (line number, trimmed line), comments and blanks skipped.
fn key_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn is_secret(s: &str) -> bool {
    starts_with_ci(s, "PRINTSEAL-SECRET-KEY-") || starts_with_ci(s, "PRINTSEAL-KEK-")
}

fn is_public(s: &str) -> bool {
    starts_with_ci(s, "printseal1") || starts_with_ci(s, "printseal-pq1")
}

/// Parses one identity line of `path`.
fn parse_identity(line: &str, path: &Path, n: usize) -> Result<AnyIdentity> {
    let at = || format!("{} line {n}", path.display());
    let bad = |e: printseal::KeyParseError| {
        CliError::bad_key(format!("{}: invalid key: {e}", at()))
            .with_remedy("check the file, or generate a new key with `printseal keygen`")
    };
    if starts_with_ci(line, "PRINTSEAL-SECRET-KEY-PQ-1") {
        line.parse()
            .map(|k| AnyIdentity::XWing(Box::new(k)))
            .map_err(bad)
    } else if starts_with_ci(line, "PRINTSEAL-SECRET-KEY-1") {
        line.parse().map(AnyIdentity::X25519).map_err(bad)
    } else if starts_with_ci(line, "PRINTSEAL-KEK-1") {
        line.parse().map(AnyIdentity::Kek).map_err(bad)
    } else if is_public(line) {
        Err(
            CliError::bad_key(format!("{} is a public recipient, not an identity", at()))
                .with_remedy(
                    "pass the secret key file to -i; public recipients go to -r or -R when sealing",
                ),
        )
    } else {
        Err(
            CliError::bad_key(format!("{} is not a printseal identity", at())).with_remedy(
                "an identity file holds PRINTSEAL-SECRET-KEY-PQ-1, PRINTSEAL-SECRET-KEY-1 or \
             PRINTSEAL-KEK-1 lines, as written by `printseal keygen`",
            ),
        )
    }
}

/// Reads every identity from the `-i` files. At most one of them may be `-`.
pub(crate) fn read_identities(flags: &IdentityFlags) -> Result<Vec<AnyIdentity>> {
    if flags.identities.is_empty() {
        return Err(CliError::bad_key("no identity given")
            .with_remedy("pass -i FILE with an identity or KEK file (from `printseal keygen`)"));
    }
    if flags
        .identities
        .iter()
        .filter(|p| p.as_os_str() == "-")
        .count()
        > 1
    {
        return Err(CliError::usage("standard input given twice as -i -")
            .with_remedy("pass -i - at most once"));
    }
    let mut out = Vec::new();
    for path in &flags.identities {
        if let Some(kek) = pkcs11_uri(path, "-i")? {
            out.push(AnyIdentity::Pkcs11(kek));
            continue;
        }
        let text = read_key_file(path, "-i")?;
        let before = out.len();
        for (n, line) in key_lines(&text) {
            out.push(parse_identity(line, path, n)?);
        }
        if out.len() == before {
            return Err(
                CliError::bad_key(format!("{} holds no identity", path.display()))
                    .with_remedy("pass -i with a file written by `printseal keygen`"),
            );
        }
    }
    Ok(out)
}

/// Parses one public recipient (from `-r` or a recipients file).
pub(crate) fn parse_recipient(s: &str, origin: &str) -> Result<AnyRecipient> {
    let s = s.trim();
    if is_secret(s) {
        return Err(
            CliError::usage(format!("{origin} is a secret key, not a public recipient"))
                .with_remedy(
                    "never put secret keys on the command line or in a recipients file: pass the \
             public recipient (`printseal recipient FILE`), or a KEK file with -k",
                ),
        );
    }
    let bad = |e: printseal::KeyParseError| {
        CliError::bad_key(format!("{origin}: invalid recipient: {e}"))
            .with_remedy("recipients start with printseal-pq1 (X-Wing) or printseal1 (X25519)")
    };
    if starts_with_ci(s, "printseal-pq1") {
        s.parse()
            .map(|k| AnyRecipient::XWing(Box::new(k)))
            .map_err(bad)
    } else if starts_with_ci(s, "printseal1") {
        s.parse().map(AnyRecipient::X25519).map_err(bad)
    } else {
        Err(
            CliError::bad_key(format!("{origin} is not a printseal recipient"))
                .with_remedy("recipients start with printseal-pq1 (X-Wing) or printseal1 (X25519)"),
        )
    }
}

/// Reads a recipients file: public recipients only.
pub(crate) fn read_recipients_file(path: &Path, flag: &str) -> Result<Vec<AnyRecipient>> {
    let text = read_key_file(path, flag)?;
    let mut out = Vec::new();
    for (n, line) in key_lines(&text) {
        out.push(parse_recipient(
            line,
            &format!("{} line {n}", path.display()),
        )?);
    }
    if out.is_empty() {
        return Err(CliError::bad_key(format!(
            "recipients file {} holds no recipient",
            path.display()
        ))
        .with_remedy(format!(
            "add public recipients to it, one per line ({flag})"
        )));
    }
    Ok(out)
}

/// Reads a KEK file: `PRINTSEAL-KEK-1` lines only.
pub(crate) fn read_kek_file(path: &Path, flag: &str) -> Result<Vec<AnyRecipient>> {
    let text = read_key_file(path, flag)?;
    let mut out = Vec::new();
    for (n, line) in key_lines(&text) {
        match parse_identity(line, path, n)? {
            AnyIdentity::Kek(k) => out.push(AnyRecipient::Kek(k)),
            _ => {
                return Err(CliError::bad_key(format!(
                    "{} line {n} is not a KEK",
                    path.display()
                ))
                .with_remedy(format!(
                    "{flag} takes KEK files (`printseal keygen --kek`); seal to a public key \
                     with -r or -R"
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(
            CliError::bad_key(format!("{} holds no KEK", path.display())).with_remedy(format!(
                "pass {flag} a file written by `printseal keygen --kek`"
            )),
        );
    }
    Ok(out)
}

/// Every recipient of `-r`, `-R` and `-k`.
pub(crate) fn collect_recipients(flags: &RecipientFlags) -> Result<Vec<AnyRecipient>> {
    let mut out = Vec::new();
    for (i, r) in flags.recipients.iter().enumerate() {
        out.push(parse_recipient(r, &format!("-r argument {}", i + 1))?);
    }
    for p in &flags.recipients_files {
        out.extend(read_recipients_file(p, "-R")?);
    }
    for p in &flags.keks {
        match pkcs11_uri(p, "-k")? {
            Some(kek) => out.push(AnyRecipient::Pkcs11(kek)),
            None => out.extend(read_kek_file(p, "-k")?),
        }
    }
    if out.is_empty() {
        return Err(CliError::usage("no recipients given").with_remedy(
            "pass -r RECIPIENT, -R RECIPIENTS_FILE or -k KEK_FILE (each may be repeated)",
        ));
    }
    Ok(out)
}

/// A `-k`/`-i` argument that is an RFC 7512 `pkcs11:` URI: the KEK in that token
/// (the PIN comes from the URI's `pin-source` file, never from the command line).
fn pkcs11_uri(arg: &Path, flag: &str) -> Result<Option<printseal_pkcs11::Pkcs11Kek>> {
    let Some(uri) = arg.to_str().filter(|s| s.starts_with("pkcs11:")) else {
        return Ok(None);
    };
    printseal_pkcs11::Pkcs11Kek::from_uri(uri)
        .map(Some)
        .map_err(|e| CliError::core(&format!("{flag} pkcs11: key"), e))
}

/// The identities as trait objects.
pub(crate) fn identity_refs(ids: &[AnyIdentity]) -> Vec<&dyn Identity> {
    ids.iter().map(AnyIdentity::as_identity).collect()
}

/// The recipients as trait objects.
pub(crate) fn recipient_refs(rs: &[AnyRecipient]) -> Vec<&dyn Recipient> {
    rs.iter().map(AnyRecipient::as_recipient).collect()
}

/// The "no identity matches" error, naming the job's key ids and the ones given.
pub(crate) fn no_match(header: &printseal::Header, ids: &[AnyIdentity]) -> CliError {
    let wanted: Vec<String> = header
        .stanzas()
        .iter()
        .filter(|s| s.kind() != kind::PADDING)
        .map(describe_stanza)
        .collect();
    let given: Vec<String> = ids.iter().map(AnyIdentity::describe).collect();
    CliError::new(
        Family::Recipient,
        format!(
            "no identity matches: the job is sealed to {}; given: {}",
            wanted.join(", "),
            given.join(", ")
        ),
    )
    .with_remedy("pass -i with the identity or KEK file for one of the job's key ids")
}

/// Whether `path` names standard input.
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The identity paths (for the "stdin used twice" check).
pub(crate) fn uses_stdin(flags: &IdentityFlags) -> bool {
    flags.identities.iter().any(|p: &PathBuf| is_stdin(p))
}
