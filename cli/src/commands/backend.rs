//! The CUPS backend: the same binary, installed as `backend/printseal` in CUPS's
//! ServerBin, seals each job it is given into a held directory.
//!
//! CUPS runs a backend as `printseal job user title copies options [file]`, with the
//! device URI in `DEVICE_URI` and as argv[0]. The URI is
//! `printseal:/path/to/held?recipients=/path/to/recipients.txt` (`recipients=` may be
//! repeated; `kek=/path/to/kek.txt` adds a KEK). The job is sealed to public
//! recipients, so the spool side holds no secret that opens past jobs (a KEK does:
//! prefer public keys). Run with no arguments, it prints its device line.
//!
//! Exit codes are CUPS's (`cups/backend.h`): 0 only once the sealed file is complete,
//! synced and renamed into place; a configuration or recipient error stops the queue
//! and keeps the job; a transient I/O error asks for a retry.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use printseal::SealOptions;
use printseal::io::SealWriter;
use zeroize::Zeroizing;

use crate::detect::detect;
use crate::error::CliError;
use crate::files::{AtomicFile, BUF_SIZE, read_full};
use crate::keys::{AnyRecipient, read_kek_file, read_recipients_file, recipient_refs};

/// `CUPS_BACKEND_OK`: the job was sealed and is safe on disk.
pub(crate) const CUPS_BACKEND_OK: u8 = 0;
/// `CUPS_BACKEND_FAILED`: the job failed; the printer's error policy applies.
pub(crate) const CUPS_BACKEND_FAILED: u8 = 1;
/// `CUPS_BACKEND_STOP`: stop the queue, keep the job.
pub(crate) const CUPS_BACKEND_STOP: u8 = 4;
/// `CUPS_BACKEND_RETRY`: retry the job later.
pub(crate) const CUPS_BACKEND_RETRY: u8 = 6;

/// The device line printed for discovery (`lpinfo -v`).
pub(crate) const DEVICE_LINE: &str = "direct printseal \"Unknown\" \"printseal: seal held jobs (printseal:/HELD_DIR?recipients=FILE)\"";

/// If this process is a CUPS backend invocation, runs it and returns its exit code.
pub(crate) fn maybe_run(args: &[OsString]) -> Option<u8> {
    let argv0 = args
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    let uri = std::env::var("DEVICE_URI")
        .ok()
        .filter(|u| u.starts_with("printseal:"))
        .or_else(|| argv0.starts_with("printseal:").then(|| argv0.clone()));
    if let Some(uri) = uri {
        return Some(run(&uri, &args[1..]));
    }
    let in_backend_dir = Path::new(&argv0)
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "backend");
    if args.len() == 1 && (in_backend_dir || std::env::var_os("CUPS_SERVERBIN").is_some()) {
        println!("{DEVICE_LINE}");
        return Some(CUPS_BACKEND_OK);
    }
    None
}

/// What the device URI says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Device {
    pub(crate) held: PathBuf,
    pub(crate) recipients: Vec<PathBuf>,
    pub(crate) keks: Vec<PathBuf>,
}

fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent escape in {s:?}"))?;
            out.push(h);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} is not UTF-8"))
}

/// Parses `printseal:/held?recipients=/r.txt&kek=/k.txt` (`printseal:///held` too).
pub(crate) fn parse_uri(uri: &str) -> Result<Device, String> {
    let rest = uri
        .strip_prefix("printseal:")
        .ok_or_else(|| "the device URI does not start with printseal:".to_owned())?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let held = percent_decode(path)?;
    if !held.starts_with('/') {
        return Err(format!("held directory {held:?} is not an absolute path"));
    }
    let mut d = Device {
        held: PathBuf::from(held),
        recipients: Vec::new(),
        keks: Vec::new(),
    };
    for kv in query.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("{kv:?} is not key=value"))?;
        let v = PathBuf::from(percent_decode(v)?);
        match k {
            "recipients" => d.recipients.push(v),
            "kek" => d.keks.push(v),
            other => {
                return Err(format!(
                    "unknown device URI option {other:?} (recipients=, kek=)"
                ));
            }
        }
    }
    if d.recipients.is_empty() && d.keks.is_empty() {
        return Err(
            "the device URI names no recipients (add ?recipients=/path/to/recipients.txt)".into(),
        );
    }
    Ok(d)
}

/// Splits a CUPS options string (`a=1 b='x y' c`) into pairs.
pub(crate) fn parse_options(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return out;
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            name.push(c);
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            let mut quote = None;
            while let Some(c) = chars.next() {
                match (quote, c) {
                    (None, '\'' | '"') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (_, '\\') => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    (None, c) if c.is_whitespace() => break,
                    (_, c) => value.push(c),
                }
            }
        }
        out.push((name, value));
    }
}

fn log(level: &str, msg: &str) {
    // CUPS reads "LEVEL: message" lines from a backend's standard error into its log.
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{level}: {}", msg.replace('\n', " "));
}

fn stop(msg: &str) -> u8 {
    log("ERROR", msg);
    CUPS_BACKEND_STOP
}

/// The job id recorded in the header: the CUPS job UUID (without `urn:uuid:`).
fn job_uuid(options: &[(String, String)], job: &str, printer: &str) -> String {
    let from_env = std::env::var("CUPS_JOB_UUID").ok();
    let from_opts = options
        .iter()
        .find(|(k, _)| k == "job-uuid")
        .map(|(_, v)| v.clone());
    let raw = from_env.or(from_opts).unwrap_or_default();
    let uuid = raw.strip_prefix("urn:uuid:").unwrap_or(&raw);
    let ok = !uuid.is_empty()
        && uuid.len() <= 64
        && uuid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if ok {
        uuid.to_ascii_lowercase()
    } else {
        // No UUID given: the printer and CUPS job number still name the job uniquely
        // on this server.
        let clean: String = format!("{printer}-{job}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        clean
    }
}

fn run(uri: &str, args: &[OsString]) -> u8 {
    if args.is_empty() {
        println!("{DEVICE_LINE}");
        return CUPS_BACKEND_OK;
    }
    if args.len() != 5 && args.len() != 6 {
        log(
            "ERROR",
            "usage: printseal job-id user title copies options [file]",
        );
        return CUPS_BACKEND_FAILED;
    }
    let arg = |i: usize| args[i].to_string_lossy().into_owned();
    let (job, user, title, options) = (arg(0), arg(1), arg(2), parse_options(&arg(4)));
    let device = match parse_uri(uri) {
        Ok(d) => d,
        Err(e) => return stop(&format!("printseal backend: bad device URI: {e}")),
    };
    let mut recipients: Vec<AnyRecipient> = Vec::new();
    for p in &device.recipients {
        match read_recipients_file(p, "recipients=") {
            Ok(r) => recipients.extend(r),
            Err(e) => return stop(&format!("printseal backend: {}", flat(&e))),
        }
    }
    for p in &device.keks {
        match read_kek_file(p, "kek=") {
            Ok(r) => recipients.extend(r),
            Err(e) => return stop(&format!("printseal backend: {}", flat(&e))),
        }
    }
    let printer = std::env::var("PRINTER").unwrap_or_default();
    let uuid = job_uuid(&options, &job, &printer);
    let host = options
        .iter()
        .find(|(k, _)| k == "job-originating-host-name")
        .map(|(_, v)| v.clone());

    // The job: the file CUPS names, or standard input.
    let mut input = match args.get(5) {
        Some(f) => match std::fs::File::open(f) {
            Ok(f) => f,
            Err(e) => {
                log(
                    "ERROR",
                    &format!("printseal backend: cannot open the job file: {e}"),
                );
                return CUPS_BACKEND_FAILED;
            }
        },
        None => match crate::files::open_input(None) {
            Ok(i) => i.file,
            Err(e) => {
                log("ERROR", &format!("printseal backend: {}", flat(&e)));
                return CUPS_BACKEND_FAILED;
            }
        },
    };
    let mut buf = Zeroizing::new(vec![0u8; BUF_SIZE]);
    let mut n = match read_full(&mut input, &mut buf) {
        Ok(n) => n,
        Err(e) => {
            log("ERROR", &format!("printseal backend: reading the job: {e}"));
            return CUPS_BACKEND_FAILED;
        }
    };
    let content_type = std::env::var("CONTENT_TYPE")
        .ok()
        .filter(|t| {
            t.contains('/') && t != "application/octet-stream" && t != "application/vnd.cups-raw"
        })
        .unwrap_or_else(|| detect(&buf[..n]).to_owned());
    let mut opts = SealOptions::new(&content_type).job_id(&uuid);
    let mut private = vec![("title", title), ("owner", user), ("cups-job-id", job)];
    if !printer.is_empty() {
        private.push(("printer", printer));
    }
    if let Some(h) = host {
        private.push(("originating-host", h));
    }
    for (k, v) in private {
        opts = match opts.private_entry(k, v.as_bytes()) {
            Ok(o) => o,
            Err(e) => return stop(&format!("printseal backend: metadata {k}: {e}")),
        };
    }

    let dest = device.held.join(format!("{uuid}.pseal"));
    let file = match AtomicFile::create(&dest, 0o600, false) {
        Ok(f) => f,
        Err(e) => return stop(&format!("printseal backend: held directory: {}", flat(&e))),
    };
    let refs = recipient_refs(&recipients);
    let mut w = match SealWriter::new(file, &opts, &refs) {
        Ok(w) => w,
        Err(e) => return stop(&format!("printseal backend: cannot seal: {e}")),
    };
    let retry = |what: &str, e: &dyn std::fmt::Display| {
        log(
            "ERROR",
            &format!("printseal backend: {what}: {e}; will retry"),
        );
        CUPS_BACKEND_RETRY
    };
    while n > 0 {
        if let Err(e) = w.write_all(&buf[..n]) {
            return retry("writing the sealed job", &e);
        }
        n = match read_full(&mut input, &mut buf) {
            Ok(n) => n,
            Err(e) => {
                log("ERROR", &format!("printseal backend: reading the job: {e}"));
                return CUPS_BACKEND_FAILED;
            }
        };
    }
    let file = match w.finish() {
        Ok(f) => f,
        Err(e) => return retry("writing the sealed job", &e),
    };
    if let Err(e) = file.commit() {
        return retry("saving the sealed job", &flat(&e));
    }
    log("INFO", &format!("sealed as {}", dest.display()));
    CUPS_BACKEND_OK
}

fn flat(e: &CliError) -> String {
    match &e.remedy {
        Some(r) => format!("{} ({r})", e.message),
        None => e.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_uris() {
        let d = parse_uri("printseal:/var/spool/held?recipients=/etc/r.txt&kek=/etc/k%20x.txt")
            .expect("parses");
        assert_eq!(d.held, PathBuf::from("/var/spool/held"));
        assert_eq!(d.recipients, vec![PathBuf::from("/etc/r.txt")]);
        assert_eq!(d.keks, vec![PathBuf::from("/etc/k x.txt")]);
        assert!(parse_uri("printseal:///h?recipients=/r").is_ok());
        for bad in [
            "ipp://x/y",
            "printseal:/h",
            "printseal:relative?recipients=/r",
            "printseal:/h?recipients",
            "printseal:/h?secret=/k",
            "printseal:/h%zz?recipients=/r",
        ] {
            assert!(parse_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cups_options() {
        let o = parse_options("job-uuid=urn:uuid:1234 a='x y' b=\"q\\\"r\" flag  c=3");
        let want: Vec<(String, String)> = [
            ("job-uuid", "urn:uuid:1234"),
            ("a", "x y"),
            ("b", "q\"r"),
            ("flag", ""),
            ("c", "3"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(o, want);
        assert!(parse_options("   ").is_empty());
    }
}
