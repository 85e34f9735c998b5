//! The print path against a real CUPS scheduler: a private `cupsd -f` with its own
//! configuration in a temporary directory, listening on 127.0.0.1 on a free port only,
//! `PreserveJobFiles No`, and its own ServerBin holding the printseal backend (a copy
//! of the binary under test) and a capture backend that writes what it receives to a
//! file. The scheduler is always stopped by its pid at the end (SIGTERM, then SIGKILL).
//!
//! Needs Debian's `cups-daemon` and `cups-client` (scripts/test-cli.sh installs them)
//! and root (cupsd runs backends as user `lp`). Under CI (`CI` set) a missing piece
//! fails the test; elsewhere the test says why and passes without running.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_printseal");
const PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/data/sample-job.pdf"
);
const PS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample-job.ps");

const CAPTURE_BACKEND: &str = r#"#!/bin/sh
# Test backend: writes each job (and its argv) to the directory of its device URI.
if [ $# -eq 0 ]; then echo 'direct capture "Unknown" "printseal test capture"'; exit 0; fi
dir=${DEVICE_URI#capture:}
printf '%s\n' "$@" > "$dir/.args-$1.tmp" && mv "$dir/.args-$1.tmp" "$dir/args-$1"
if [ $# -ge 6 ]; then cat "$6"; else cat; fi > "$dir/.job-$1.tmp" || exit 1
mv "$dir/.job-$1.tmp" "$dir/job-$1"
"#;

fn sh_out(cmd: &mut Command) -> Output {
    cmd.output().expect("command runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Whether this machine can run the test; `Err` says what is missing.
fn prerequisites() -> Result<(), String> {
    for tool in ["cupsd", "lp", "lpadmin", "lpstat"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Err(format!(
                "{tool} not found (apt-get install cups-daemon cups-client)"
            ));
        }
    }
    if !Path::new("/usr/lib/cups/daemon/cups-exec").exists() {
        return Err("/usr/lib/cups/daemon/cups-exec not found (cups-daemon)".into());
    }
    let uid = text(&sh_out(Command::new("id").arg("-u")).stdout);
    if uid.trim() != "0" {
        return Err("not root: cupsd runs backends as user lp only when started as root".into());
    }
    if !sh_out(Command::new("id").arg("lp")).status.success() {
        return Err("no user lp".into());
    }
    Ok(())
}

fn id_of(flag: &str) -> u32 {
    text(&sh_out(Command::new("id").args([flag, "lp"])).stdout)
        .trim()
        .parse()
        .expect("numeric id")
}

/// A private cupsd; stopped by its pid on drop.
struct Cupsd {
    root: tempfile::TempDir,
    child: Option<Child>,
    server: String,
}

impl Cupsd {
    fn p(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn start() -> Cupsd {
        // Under /tmp (mode 1777), not $TMPDIR, which may sit where lp cannot go.
        let base = if Path::new("/tmp").is_dir() {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let root = tempfile::Builder::new()
            .prefix("printseal-cups-")
            .tempdir_in(base)
            .expect("tempdir");
        let d = root.path();
        // Every directory on the way must be traversable by lp.
        for sub in [
            "",
            "etc",
            "spool",
            "cache",
            "state",
            "log",
            "bin",
            "bin/backend",
            "bin/daemon",
            "bin/filter",
            "keys",
            "held",
            "cap",
        ] {
            let p = d.join(sub);
            fs::create_dir_all(&p).expect("mkdir");
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        fs::create_dir_all(d.join("spool/tmp")).expect("mkdir");
        fs::set_permissions(d.join("spool/tmp"), fs::Permissions::from_mode(0o1777))
            .expect("chmod");
        let (uid, gid) = (id_of("-u"), id_of("-g"));
        for dir in ["held", "cap"] {
            std::os::unix::fs::chown(d.join(dir), Some(uid), Some(gid)).expect("chown");
        }
        fs::set_permissions(d.join("held"), fs::Permissions::from_mode(0o700)).expect("chmod");

        // ServerBin: cups-exec (which cupsd runs backends through), the printseal binary
        // as backend/printseal, and the capture backend. Not mode 0700, so cupsd runs
        // them as lp.
        fs::copy(
            "/usr/lib/cups/daemon/cups-exec",
            d.join("bin/daemon/cups-exec"),
        )
        .expect("copy");
        fs::copy(BIN, d.join("bin/backend/printseal")).expect("copy");
        fs::write(d.join("bin/backend/capture"), CAPTURE_BACKEND).expect("write");
        for b in [
            "bin/backend/printseal",
            "bin/backend/capture",
            "bin/daemon/cups-exec",
        ] {
            fs::set_permissions(d.join(b), fs::Permissions::from_mode(0o755)).expect("chmod");
        }

        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let root_s = d.display();
        fs::write(
            d.join("etc/cupsd.conf"),
            format!(
                "Listen 127.0.0.1:{port}\nLogLevel debug\nPreserveJobFiles No\n\
                 PreserveJobHistory Yes\nBrowsing Off\nWebInterface No\nDefaultAuthType None\n\
                 MaxJobs 100\n<Location />\n  Order allow,deny\n  Allow from 127.0.0.1\n</Location>\n\
                 <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
            ),
        )
        .expect("write");
        fs::write(
            d.join("etc/cups-files.conf"),
            format!(
                "ServerRoot {root_s}/etc\nRequestRoot {root_s}/spool\nTempDir {root_s}/spool/tmp\n\
                 CacheDir {root_s}/cache\nStateDir {root_s}/state\nServerBin {root_s}/bin\n\
                 DataDir /usr/share/cups\nErrorLog {root_s}/log/error_log\n\
                 AccessLog {root_s}/log/access_log\nPageLog {root_s}/log/page_log\n\
                 Printcap {root_s}/printcap\nFileDevice No\nUser lp\nGroup lp\nSystemGroup root\n"
            ),
        )
        .expect("write");
        let child = Command::new("cupsd")
            .arg("-f")
            .arg("-c")
            .arg(d.join("etc/cupsd.conf"))
            .arg("-s")
            .arg(d.join("etc/cups-files.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(d.join("log/stderr")).expect("log"))
            .spawn()
            .expect("cupsd starts");
        let c = Cupsd {
            root,
            child: Some(child),
            server: format!("127.0.0.1:{port}"),
        };
        // Wait until it answers.
        let start = Instant::now();
        loop {
            let o = sh_out(c.cmd("lpstat").arg("-r"));
            if text(&o.stdout).contains("scheduler is running") {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "cupsd did not answer: {}",
                c.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        c
    }

    /// A CUPS client command aimed at this scheduler only.
    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("CUPS_SERVER", &self.server)
            .env("HOME", self.root.path())
            .env_remove("DEVICE_URI");
        c
    }

    fn ok(&self, cmd: &mut Command) -> String {
        let o = sh_out(cmd);
        assert!(
            o.status.success(),
            "{cmd:?}: {}{}",
            text(&o.stderr),
            self.log_tail()
        );
        text(&o.stdout)
    }

    fn log(&self) -> String {
        fs::read_to_string(self.p("log/error_log")).unwrap_or_default()
            + &fs::read_to_string(self.p("log/stderr")).unwrap_or_default()
    }

    fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        format!(
            "\n--- cupsd log ---\n{}",
            lines[lines.len().saturating_sub(40)..].join("\n")
        )
    }

    /// Waits until `queue` has no job left that is not completed.
    fn wait_idle(&self, queue: &str) {
        let start = Instant::now();
        loop {
            let o = sh_out(self.cmd("lpstat").args(["-o", queue]));
            if o.stdout.is_empty() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "jobs still pending on {queue}: {}{}",
                text(&o.stdout),
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Regular files in a directory of the test root (sorted names).
    fn files(&self, rel: &str) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.p(rel))
            .expect("read_dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Cupsd {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn printseal(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("DEVICE_URI")
        .env_remove("CUPS_SERVERBIN")
        .output()
        .expect("printseal runs")
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).expect("JSON")
}

/// Whether any file under `dir` contains `needle`.
fn any_file_contains(dir: &Path, needle: &[u8]) -> Option<PathBuf> {
    for e in fs::read_dir(dir).ok()?.filter_map(Result::ok) {
        let p = e.path();
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            if let Some(hit) = any_file_contains(&p, needle) {
                return Some(hit);
            }
        } else if t.is_file() {
            if let Ok(b) = fs::read(&p) {
                if b.windows(needle.len()).any(|w| w == needle) {
                    return Some(p);
                }
            }
        }
    }
    None
}

#[test]
fn real_cupsd_seals_held_jobs_and_releases_them_to_a_printer() {
    if let Err(why) = prerequisites() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the CUPS test cannot run under CI: {why}"
        );
        eprintln!("skipping the real-cupsd test: {why}");
        return;
    }
    let c = Cupsd::start();
    let r = |rel: &str| c.p(rel).display().to_string();

    // Keys: the release station's identity; the spool side holds its public recipient.
    assert!(
        printseal(&["keygen", "-o", &r("keys/station.key")])
            .status
            .success()
    );
    assert!(
        printseal(&["keygen", "--x25519", "-o", &r("keys/other.key")])
            .status
            .success()
    );
    let o = printseal(&["recipient", &r("keys/station.key")]);
    fs::write(c.p("keys/recipients.txt"), &o.stdout).expect("write");
    fs::set_permissions(
        c.p("keys/recipients.txt"),
        fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");

    // The backend, run by hand with no arguments, prints its device line.
    let o = Command::new(c.p("bin/backend/printseal"))
        .output()
        .expect("runs");
    assert!(
        text(&o.stdout).starts_with("direct printseal "),
        "{}",
        text(&o.stdout)
    );

    let seal_uri = format!(
        "printseal:{}?recipients={}",
        r("held"),
        r("keys/recipients.txt")
    );
    c.ok(c
        .cmd("lpadmin")
        .args(["-p", "sealq", "-E", "-v", &seal_uri]));
    c.ok(c
        .cmd("lpadmin")
        .args(["-p", "outq", "-E", "-v", &format!("capture:{}", r("cap"))]));

    // 1. A job printed to the sealing queue rests only as one sealed file.
    let pdf = fs::read(PDF).expect("pdf");
    c.ok(c
        .cmd("lp")
        .args(["-d", "sealq", "-t", "Quarterly payroll", PDF]));
    c.wait_idle("sealq");
    let held = c.files("held");
    assert_eq!(held.len(), 1, "{held:?}{}", c.log_tail());
    let sealed = c.p("held").join(&held[0]);
    let mode = fs::metadata(&sealed).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let o = printseal(&["inspect", "--json", &sealed.display().to_string()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let h = json_of(&o);
    assert_eq!(h["content_type"], "application/pdf");
    let job_id = h["job_id"].as_str().expect("job id").to_owned();
    assert_eq!(held[0], format!("{job_id}.pseal"));
    assert_eq!(job_id.len(), 36, "a CUPS job UUID: {job_id}");
    assert!(
        c.log().contains(&format!("job-uuid=urn:uuid:{job_id}")),
        "not the CUPS job UUID"
    );
    // No plaintext of the job in the held directory or in cupsd's spool.
    let needle = &pdf[pdf.len() / 2..pdf.len() / 2 + 64];
    assert_eq!(any_file_contains(&c.p("held"), needle), None);
    assert_eq!(any_file_contains(&c.p("spool"), needle), None);
    assert!(
        !c.files("spool").iter().any(|f| f.starts_with('d')),
        "document files left in the spool: {:?}",
        c.files("spool")
    );
    // The private metadata: title, owner, originating host.
    let o = printseal(&[
        "verify",
        "--json",
        "-i",
        &r("keys/station.key"),
        &sealed.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v = json_of(&o);
    assert_eq!(v["private_metadata"]["title"], "Quarterly payroll");
    assert_eq!(v["private_metadata"]["owner"], "root");
    assert!(v["private_metadata"]["originating-host"].is_string());

    // 2. A release with the wrong identity fails and keeps the sealed file.
    let o = printseal(&[
        "release",
        &sealed.display().to_string(),
        "-i",
        &r("keys/other.key"),
        "--to",
        "outq",
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    assert!(sealed.exists());
    assert!(c.files("cap").is_empty());

    // 3. Release to the printer queue: the capture backend receives the original bytes,
    // with the original title, and the sealed file is gone.
    let mut release = c.cmd(BIN);
    release.args([
        "release",
        &sealed.display().to_string(),
        "-i",
        &r("keys/station.key"),
        "--to",
        "outq",
    ]);
    let out = c.ok(&mut release);
    assert!(out.contains("outq-"), "{out}");
    c.wait_idle("outq");
    assert!(!sealed.exists());
    let caps: Vec<String> = c
        .files("cap")
        .into_iter()
        .filter(|f| f.starts_with("job-"))
        .collect();
    assert_eq!(caps.len(), 1, "{caps:?}{}", c.log_tail());
    assert_eq!(fs::read(c.p("cap").join(&caps[0])).expect("captured"), pdf);
    let args = fs::read_to_string(c.p("cap").join(caps[0].replace("job-", "args-"))).expect("args");
    assert_eq!(args.lines().nth(2), Some("Quarterly payroll"));

    // 3b. A job whose last chunk was altered: the release fails part-way through the
    // stream; the job lp submitted on hold is cancelled, nothing is printed, the sealed
    // file is kept.
    let big: Vec<u8> = (0..400_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    fs::write(c.p("keys/big.bin"), &big).expect("write");
    let o = printseal(&[
        "seal",
        "-R",
        &r("keys/recipients.txt"),
        "--meta",
        "title=altered",
        "-o",
        &r("keys/altered.pseal"),
        &r("keys/big.bin"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let mut altered = fs::read(c.p("keys/altered.pseal")).expect("read");
    let n = altered.len();
    altered[n - 3] ^= 1;
    fs::write(c.p("keys/altered.pseal"), &altered).expect("write");
    let mut release = c.cmd(BIN);
    release.args([
        "release",
        &r("keys/altered.pseal"),
        "-i",
        &r("keys/station.key"),
        "--to",
        "outq",
    ]);
    let o = sh_out(&mut release);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    assert!(c.p("keys/altered.pseal").exists());
    std::thread::sleep(Duration::from_millis(500));
    c.wait_idle("outq");
    let caps: Vec<String> = c
        .files("cap")
        .into_iter()
        .filter(|f| f.starts_with("job-"))
        .collect();
    assert_eq!(
        caps.len(),
        1,
        "part of an unauthenticated job was printed: {caps:?}"
    );

    // 4. A missing recipients file stops the queue and keeps the job.
    let bad_uri = format!(
        "printseal:{}?recipients={}",
        r("held"),
        r("keys/missing.txt")
    );
    c.ok(c.cmd("lpadmin").args(["-p", "badq", "-E", "-v", &bad_uri]));
    c.ok(c.cmd("lp").args(["-d", "badq", "-t", "kept", PS]));
    let start = Instant::now();
    loop {
        let state = c.ok(c.cmd("lpstat").args(["-p", "badq"]));
        if state.contains("disabled") {
            assert!(state.contains("missing.txt"), "{state}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "badq not stopped: {state}{}",
            c.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let jobs = c.ok(c.cmd("lpstat").args(["-o", "badq"]));
    assert_eq!(jobs.lines().count(), 1, "the job was not kept: {jobs:?}");
    // Its document stays in cupsd's spool (as the plaintext CUPS itself received).
    let kept_num: u32 = jobs
        .split_whitespace()
        .next()
        .and_then(|id| id.strip_prefix("badq-"))
        .and_then(|n| n.parse().ok())
        .expect("badq job id");
    let kept_doc = format!("d{kept_num:05}-001");
    assert!(
        c.files("spool").contains(&kept_doc),
        "{:?}",
        c.files("spool")
    );
    assert!(c.files("held").is_empty());

    // 5. Several jobs printed at once: all sealed, none lost.
    let n = 6;
    let payloads: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            let mut b = fs::read(PS).expect("ps");
            b.extend(
                format!("% job {i}\n")
                    .bytes()
                    .cycle()
                    .take(40_000 * (i + 1)),
            );
            b
        })
        .collect();
    let mut children = Vec::new();
    for (i, p) in payloads.iter().enumerate() {
        let f = c.p(&format!("keys/job{i}.ps"));
        fs::write(&f, p).expect("write");
        let child = c
            .cmd("lp")
            .args(["-d", "sealq", "-t", &format!("burst {i}")])
            .arg(&f)
            .stdout(Stdio::null())
            .spawn()
            .expect("lp");
        children.push(child);
    }
    for mut ch in children {
        assert!(ch.wait().expect("lp").success());
    }
    c.wait_idle("sealq");
    let held = c.files("held");
    assert_eq!(held.len(), n, "{held:?}{}", c.log_tail());
    let mut opened = BTreeSet::new();
    for f in &held {
        let o = printseal(&[
            "open",
            "-i",
            &r("keys/station.key"),
            &c.p("held").join(f).display().to_string(),
        ]);
        assert!(o.status.success(), "{f}: {}", text(&o.stderr));
        opened.insert(o.stdout);
    }
    let want: BTreeSet<Vec<u8>> = payloads.into_iter().collect();
    assert_eq!(opened, want, "a job was lost or altered");
    // Of the eight documents printed, only the stopped queue's kept job is in the spool.
    let docs: Vec<String> = c
        .files("spool")
        .into_iter()
        .filter(|f| f.starts_with('d'))
        .collect();
    assert_eq!(docs, vec![kept_doc]);
}
