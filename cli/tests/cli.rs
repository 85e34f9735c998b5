//! The `printseal` command line, end to end: every command, pipes and files, every
//! exit code that can be provoked, atomic outputs under injected faults, the terminal
//! check under a real pseudo-terminal (util-linux `script`), content-type detection on
//! the sample jobs in `tests/data`, and `--json` output parsed.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const PDF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/data/sample-job.pdf"
);
const PS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample-job.ps");
const PCL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample-job.pcl");
const PCL_BARE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sample-bare.pcl");
const BIN: &str = env!("CARGO_BIN_EXE_printseal");

// The exit codes of docs/ERRORS.md, as the command line documents them.
const USAGE: i32 = 2;
const FORMAT: i32 = 3;
const TAMPERED: i32 = 4;
const RECIPIENT: i32 = 5;
const POLICY: i32 = 6;
const ENVIRONMENT: i32 = 7;

fn ps() -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("DEVICE_URI").env_remove("CUPS_SERVERBIN");
    c
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn run(args: &[&str], dir: &Path) -> Output {
    ps().args(args).current_dir(dir).output().expect("runs")
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

/// A directory with keys: `pq.key` (X-Wing), `x.key` (X25519), `kek.key` (KEK).
struct Keys {
    dir: TempDir,
    pq: String,
    x: String,
}

impl Keys {
    fn new() -> Keys {
        let dir = tempfile::tempdir().expect("tempdir");
        let keygen = |flag: &str, name: &str| {
            let o = run(&["keygen", flag, "-o", name], dir.path());
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            stderr(&o)
        };
        let pq = keygen("--pq", "pq.key");
        let x = keygen("--x25519", "x.key");
        let k = keygen("--kek", "kek.key");
        assert!(k.starts_with("KEK key id: "), "{k}");
        let public = |s: &str| {
            s.trim()
                .strip_prefix("Public key: ")
                .expect("public key line")
                .to_owned()
        };
        Keys {
            pq: public(&pq),
            x: public(&x),
            dir,
        }
    }

    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.p(name).display().to_string()
    }

    /// Seals `input` to the X-Wing key and the KEK into `name`.
    fn seal(&self, input: &str, name: &str, extra: &[&str]) -> PathBuf {
        let (kek, out) = (self.s("kek.key"), self.s(name));
        let mut args = vec!["seal", "-r", &self.pq, "-k", &kek, "-o", &out];
        args.extend_from_slice(extra);
        args.push(input);
        let o = run(&args, self.dir.path());
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        self.p(name)
    }

    fn inspect(&self, path: &Path) -> Value {
        let o = ps()
            .args(["inspect", "--json"])
            .arg(path)
            .output()
            .expect("runs");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        json(&o.stdout)
    }

    fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.p(name);
        fs::write(&p, data).expect("write");
        p
    }

    /// Names in the directory, for "nothing left behind" checks.
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// Deterministic, incompressible-looking test data.
fn data(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[test]
fn keygen_writes_0600_refuses_overwrite_and_prints_the_recipient() {
    let k = Keys::new();
    for (name, prefix) in [
        ("pq.key", "PRINTSEAL-SECRET-KEY-PQ-1"),
        ("x.key", "PRINTSEAL-SECRET-KEY-1"),
        ("kek.key", "PRINTSEAL-KEK-1"),
    ] {
        let meta = fs::metadata(k.p(name)).expect("exists");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
        let text = fs::read_to_string(k.p(name)).expect("text");
        assert_eq!(
            text.lines().filter(|l| l.starts_with(prefix)).count(),
            1,
            "{name}: {text}"
        );
    }
    assert!(k.pq.starts_with("printseal-pq1"));
    assert!(k.x.starts_with("printseal1"));
    // The recipient printed on stderr is the one in the file's comment.
    let pq_text = fs::read_to_string(k.p("pq.key")).expect("text");
    assert!(pq_text.contains(&format!("# recipient: {}", k.pq)));

    // Never overwritten: exit 2, the old key intact.
    let before = fs::read(k.p("pq.key")).expect("read");
    let o = run(&["keygen", "-o", "pq.key"], k.dir.path());
    assert_eq!(code(&o), USAGE, "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to overwrite"));
    assert_eq!(fs::read(k.p("pq.key")).expect("read"), before);
    // Nor through a dangling symlink.
    std::os::unix::fs::symlink(k.p("nowhere"), k.p("link.key")).expect("symlink");
    let o = run(&["keygen", "-o", "link.key"], k.dir.path());
    assert_eq!(code(&o), USAGE, "{}", stderr(&o));
    assert!(!k.p("nowhere").exists());

    // Conflicting kinds are a usage error; a missing directory an environment error
    // that leaves nothing behind.
    assert_eq!(
        code(&run(&["keygen", "--kek", "--pq"], k.dir.path())),
        USAGE
    );
    let o = run(&["keygen", "-o", "missing/dir/k.key"], k.dir.path());
    assert_eq!(code(&o), ENVIRONMENT, "{}", stderr(&o));

    // To standard output (a pipe here): the key itself, and the recipient on stderr.
    let o = run(&["keygen", "--x25519"], k.dir.path());
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).contains("\nPRINTSEAL-SECRET-KEY-1"));
    assert!(stderr(&o).starts_with("Public key: printseal1"));
}

#[test]
fn recipient_prints_public_keys_from_files_and_stdin() {
    let k = Keys::new();
    let o = run(&["recipient", "pq.key"], k.dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), k.pq);
    let o = ps()
        .arg("recipient")
        .write_stdin(fs::read(k.p("x.key")).expect("read"))
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), k.x);

    // Several identities in one file, comments and blank lines between them.
    let both = format!(
        "# two keys\n\n{}\n   \n# and\n{}",
        fs::read_to_string(k.p("pq.key")).expect("read"),
        fs::read_to_string(k.p("x.key")).expect("read")
    );
    k.write("both.key", both.as_bytes());
    let o = run(&["recipient", "both.key"], k.dir.path());
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        vec![k.pq.as_str(), k.x.as_str()]
    );

    // A KEK has no public form; a public key is not an identity; garbage is refused
    // without quoting it.
    let o = run(&["recipient", "kek.key"], k.dir.path());
    assert_eq!(code(&o), USAGE, "{}", stderr(&o));
    k.write("pub.txt", k.pq.as_bytes());
    let o = run(&["recipient", "pub.txt"], k.dir.path());
    assert_eq!(code(&o), USAGE);
    assert!(stderr(&o).contains("public recipient, not an identity"));
    k.write("junk.key", b"PRINTSEAL-SECRET-KEY-1QQQQQQTOPSECRET\n");
    let o = run(&["recipient", "junk.key"], k.dir.path());
    assert_eq!(code(&o), USAGE);
    assert!(!stderr(&o).contains("TOPSECRET"), "{}", stderr(&o));
    let o = run(&["recipient", "absent.key"], k.dir.path());
    assert_eq!(code(&o), ENVIRONMENT);
}

#[test]
fn seal_and_open_files_and_pipes_with_every_key_kind() {
    let k = Keys::new();
    let job = data(300_000);
    let input = k.write("job.bin", &job);
    // Recipients file with comments and blank lines, X25519 next to a KEK.
    k.write(
        "recipients.txt",
        format!("# the release station\n\n{}\n  # trailing comment\n", k.x).as_bytes(),
    );
    let kek = k.s("kek.key");
    let o = run(
        &[
            "seal",
            "-R",
            "recipients.txt",
            "-k",
            &kek,
            "--suite",
            "chacha",
            "-o",
            "j.pseal",
            "job.bin",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let h = k.inspect(&k.p("j.pseal"));
    assert_eq!(h["suite_id"], 2);
    let kinds: Vec<&str> = h["recipients"]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, vec!["x25519-hpke", "kek-aes256-kwp"]);

    // Open with each identity, file to file and pipe to pipe.
    for id in ["x.key", "kek.key"] {
        let o = run(
            &["open", "-i", id, "-o", "out.bin", "j.pseal"],
            k.dir.path(),
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(fs::read(k.p("out.bin")).expect("read"), job);
        assert_eq!(
            fs::metadata(k.p("out.bin"))
                .expect("m")
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
        fs::remove_file(k.p("out.bin")).expect("rm");
        let o = ps()
            .current_dir(k.dir.path())
            .args(["open", "-i", id])
            .write_stdin(fs::read(k.p("j.pseal")).expect("read"))
            .output()
            .expect("runs");
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(o.stdout, job);
    }

    // Seal from a pipe to a pipe, identity from standard input.
    let o = ps()
        .args(["seal", "-r", &k.pq])
        .write_stdin(job.clone())
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0);
    let piped = k.write("piped.pseal", &o.stdout);
    let o = ps()
        .args(["open", "-i", "-"])
        .arg(&piped)
        .write_stdin(fs::read(k.p("pq.key")).expect("read"))
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, job);
    // `-i -` and the job both on standard input is refused.
    let o = ps()
        .args(["open", "-i", "-"])
        .write_stdin(Vec::new())
        .output()
        .expect("runs");
    assert_eq!(code(&o), USAGE);

    // Several -i files, matched by key id; a second file that does not match is fine.
    let o = run(
        &[
            "open",
            "-i",
            "x.key",
            "-i",
            "pq.key",
            "-o",
            "o2.bin",
            "piped.pseal",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // Mixed post-quantum and classical recipients need --allow-mixed-pq.
    let o = run(
        &[
            "seal",
            "-r",
            &k.pq,
            "-r",
            &k.x,
            "-o",
            "mixed.pseal",
            "job.bin",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), USAGE, "{}", stderr(&o));
    assert!(stderr(&o).contains("--allow-mixed-pq"));
    assert!(!k.p("mixed.pseal").exists());
    let o = run(
        &[
            "seal",
            "-r",
            &k.pq,
            "-r",
            &k.x,
            "--allow-mixed-pq",
            "-o",
            "mixed.pseal",
            "job.bin",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The output may not be the input.
    let o = run(
        &["seal", "-r", &k.pq, "-o", "job.bin", "job.bin"],
        k.dir.path(),
    );
    assert_eq!(code(&o), USAGE);
    assert_eq!(fs::read(&input).expect("read"), job);
}

#[test]
fn seal_refuses_secrets_and_bad_values_on_the_command_line() {
    let k = Keys::new();
    let secret = fs::read_to_string(k.p("x.key")).expect("read");
    let secret = secret.lines().last().expect("key line");
    let cases: Vec<Vec<String>> = vec![
        vec!["seal".into(), PDF.into()],
        vec!["seal".into(), "-r".into(), secret.into(), PDF.into()],
        vec!["seal".into(), "-r".into(), "age1qqqq".into(), PDF.into()],
        vec![
            "seal".into(),
            "-r".into(),
            k.pq.clone(),
            "--meta".into(),
            "novalue".into(),
            PDF.into(),
        ],
        vec![
            "seal".into(),
            "-r".into(),
            k.pq.clone(),
            "--expires".into(),
            "soon".into(),
            PDF.into(),
        ],
        vec![
            "seal".into(),
            "-r".into(),
            k.pq.clone(),
            "--content-type".into(),
            "pdf".into(),
            "-o".into(),
            "x".into(),
            PDF.into(),
        ],
        vec![
            "seal".into(),
            "-r".into(),
            k.pq.clone(),
            "--suite".into(),
            "des".into(),
            PDF.into(),
        ],
        vec!["seal".into(), "-R".into(), k.s("pq.key"), PDF.into()],
        vec!["seal".into(), "-k".into(), k.s("pq.key"), PDF.into()],
        vec!["frobnicate".into()],
    ];
    for args in cases {
        let o = ps()
            .args(&args)
            .current_dir(k.dir.path())
            .output()
            .expect("runs");
        assert_eq!(code(&o), USAGE, "{args:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains(secret),
            "secret echoed: {}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    assert!(!k.p("x").exists());
    // Every message says what to do.
    let o = ps().args(["seal", PDF]).output().expect("runs");
    assert!(
        stderr(&o).contains("hint: pass -r RECIPIENT"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn content_type_is_detected_from_the_sample_jobs() {
    let k = Keys::new();
    for (file, want) in [
        (PDF, "application/pdf"),
        (PS, "application/postscript"),
        (PCL, "application/vnd.hp-pcl"),
        (PCL_BARE, "application/vnd.hp-pcl"),
        (BIN, "application/octet-stream"),
    ] {
        let sealed = k.seal(file, "t.pseal", &[]);
        assert_eq!(k.inspect(&sealed)["content_type"], want, "{file}");
    }
    let sealed = k.seal(
        PS,
        "t.pseal",
        &["--content-type", "application/vnd.cups-postscript"],
    );
    assert_eq!(
        k.inspect(&sealed)["content_type"],
        "application/vnd.cups-postscript"
    );
}

#[test]
fn inspect_shows_the_public_header_and_not_the_private_one() {
    let k = Keys::new();
    let sealed = k.seal(
        PDF,
        "p.pseal",
        &[
            "--job-id",
            "spool-42",
            "--expires",
            "2099-01-01",
            "--meta",
            "title=Quarterly payroll",
        ],
    );
    let h = k.inspect(&sealed);
    assert_eq!(h["job_id"], "spool-42");
    assert_eq!(h["authenticated"], false);
    assert_eq!(h["expires_utc"], "2099-01-01T00:00:00Z");
    assert_eq!(h["producer"]["name"], "printseal");
    assert_eq!(h["sbom_sha256"].as_str().map(str::len), Some(64));
    let text = run(&["inspect", "p.pseal"], k.dir.path());
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("job id:        spool-42"), "{text}");
    assert!(!text.contains("Quarterly"), "{text}");
    // From a pipe too; and a non-job is a format error, as JSON with --json.
    let o = ps()
        .arg("inspect")
        .write_stdin(fs::read(&sealed).expect("read"))
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0);
    let o = run(&["inspect", "--json", PDF], k.dir.path());
    assert_eq!(code(&o), FORMAT);
    let e = json(&o.stderr);
    assert_eq!(e["error"]["family"], "format");
    assert_eq!(e["error"]["exit_code"], FORMAT);
}

#[test]
fn verify_authenticates_and_reports_json() {
    let k = Keys::new();
    let job = data(70_000);
    k.write("v.bin", &job);
    let sealed = k.seal(
        &k.s("v.bin"),
        "v.pseal",
        &["--meta", "title=Scan 7", "--meta", "owner=alice"],
    );
    let o = run(
        &["verify", "-i", "kek.key", "--json", "v.pseal"],
        k.dir.path(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o.stdout);
    assert_eq!(v["ok"], true);
    assert_eq!(v["plaintext_len"], job.len());
    assert_eq!(v["private_metadata"]["title"], "Scan 7");
    assert_eq!(v["private_metadata"]["owner"], "alice");
    let o = run(&["verify", "-i", "pq.key", "v.pseal"], k.dir.path());
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("OK: "));

    // Wrong key: recipient family, naming the job's key ids, as JSON.
    let o = run(
        &["verify", "-i", "x.key", "--json", "v.pseal"],
        k.dir.path(),
    );
    assert_eq!(code(&o), RECIPIENT);
    let e = json(&o.stderr);
    let msg = e["error"]["message"].as_str().expect("message");
    let h = k.inspect(&sealed);
    for r in h["recipients"].as_array().expect("array") {
        assert!(msg.contains(r["key_id"].as_str().expect("id")), "{msg}");
    }
    assert!(
        e["error"]["remedy"]
            .as_str()
            .expect("remedy")
            .contains("-i")
    );

    // Every kind of damage, and its exit code.
    let good = fs::read(&sealed).expect("read");
    let header_len = h["header_len"].as_u64().expect("len") as usize;
    let mut flipped = good.clone();
    flipped[header_len + 100] ^= 1;
    let mut header_flip = good.clone();
    header_flip[header_len - 1] ^= 0x80; // inside the header MAC
    let cases: Vec<(&str, Vec<u8>, i32)> = vec![
        ("payload bit flip", flipped, TAMPERED),
        ("header MAC flip", header_flip, TAMPERED),
        (
            "cut at a chunk boundary",
            good[..header_len + 56 + 16400].to_vec(),
            FORMAT,
        ),
        (
            "cut inside the header",
            good[..header_len / 2].to_vec(),
            FORMAT,
        ),
        ("empty", Vec::new(), FORMAT),
        (
            "cut inside the last chunk",
            good[..good.len() - 5].to_vec(),
            TAMPERED,
        ),
        (
            "one byte appended",
            [good.as_slice(), b"\n"].concat(),
            FORMAT,
        ),
        ("not printseal", b"%PDF-1.7 plain".to_vec(), FORMAT),
    ];
    for (what, bytes, want) in cases {
        k.write("bad.pseal", &bytes);
        let o = run(&["verify", "-i", "kek.key", "bad.pseal"], k.dir.path());
        assert_eq!(code(&o), want, "{what}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{what}");
        assert!(
            !stderr(&o).contains("Error {"),
            "debug dump: {}",
            stderr(&o)
        );
    }
}

#[test]
fn open_policy_flags_and_expiry() {
    let k = Keys::new();
    // Expired a second after the epoch's first day.
    k.seal(PDF, "old.pseal", &["--expires", "1970-01-02"]);
    let o = run(
        &["open", "-i", "kek.key", "-o", "o.pdf", "old.pseal"],
        k.dir.path(),
    );
    assert_eq!(code(&o), POLICY, "{}", stderr(&o));
    assert!(stderr(&o).contains("--allow-expired"));
    assert!(!k.p("o.pdf").exists());
    let o = run(
        &[
            "open",
            "-i",
            "kek.key",
            "--allow-expired",
            "-o",
            "o.pdf",
            "old.pseal",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        fs::read(k.p("o.pdf")).expect("read"),
        fs::read(PDF).expect("read")
    );

    k.seal(PDF, "j.pseal", &[]);
    let sbom = k.inspect(&k.p("j.pseal"))["sbom_sha256"]
        .as_str()
        .expect("digest")
        .to_owned();
    for (flags, want) in [
        (vec!["--min-producer", "printseal@99.0.0"], POLICY),
        (vec!["--min-producer", "printseal@0.0.1"], 0),
        (vec!["--min-producer", "other@99.0.0"], 0),
        (vec!["--deny-producer", "printseal@>=0.1.0, <1.0.0"], POLICY),
        (vec!["--deny-producer", "printseal@<0.0.1"], 0),
        (vec!["--deny-sbom", sbom.as_str()], POLICY),
        (vec!["--suite", "chacha"], POLICY),
        (vec!["--suite", "aes"], 0),
        (vec!["--min-producer", "printseal"], USAGE),
        (vec!["--deny-producer", "printseal@>>1"], USAGE),
        (vec!["--deny-sbom", "abcd"], USAGE),
    ] {
        let mut args = vec!["verify", "-i", "pq.key"];
        args.extend_from_slice(&flags);
        args.push("j.pseal");
        let o = run(&args, k.dir.path());
        assert_eq!(code(&o), want, "{flags:?}: {}", stderr(&o));
    }
}

#[test]
fn failed_open_or_seal_leaves_no_output_file() {
    let k = Keys::new();
    let job = data(200_000);
    k.write("big.bin", &job);
    let sealed = k.seal(&k.s("big.bin"), "big.pseal", &[]);
    let mut bad = fs::read(&sealed).expect("read");
    let n = bad.len();
    bad[n - 10] ^= 1; // the final chunk: everything before it opens first
    k.write("bad.pseal", &bad);
    let before = k.names();
    let o = run(
        &["open", "-i", "kek.key", "-o", "out.bin", "bad.pseal"],
        k.dir.path(),
    );
    assert_eq!(code(&o), TAMPERED, "{}", stderr(&o));
    assert_eq!(k.names(), before, "an output or temporary file was left");

    // To standard output: the authenticated chunks before the failure, then a
    // non-zero exit (as documented).
    let o = run(&["open", "-i", "kek.key", "bad.pseal"], k.dir.path());
    assert_eq!(code(&o), TAMPERED);
    assert!(o.stdout.len() < job.len());
    assert_eq!(o.stdout.len() % 16384, 0);
    assert_eq!(o.stdout[..], job[..o.stdout.len()]);

    // A write fault (file-size limit, EFBIG) while sealing and while opening: no file.
    for args in [
        format!("{BIN} seal -k kek.key -o out.pseal big.bin"),
        format!("{BIN} open -i kek.key -o out.bin big.pseal"),
    ] {
        let o = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("trap '' XFSZ; ulimit -f 64; exec {args}"))
            .current_dir(k.dir.path())
            .output()
            .expect("sh");
        assert_eq!(code(&o), ENVIRONMENT, "{args}: {}", stderr(&o));
        assert_eq!(k.names(), before, "{args}: a file was left");
    }
    // An output directory that does not exist.
    let o = run(
        &[
            "seal",
            "-k",
            "kek.key",
            "-o",
            "no/such/dir/o.pseal",
            "big.bin",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), ENVIRONMENT);
}

/// Runs `cmd` under a pseudo-terminal (util-linux `script`), so that its standard
/// output is a terminal; returns the exit status and what the terminal showed.
fn under_pty(cmd: &str, dir: &Path) -> (i32, Vec<u8>) {
    let o = std::process::Command::new("script")
        .args(["-q", "-e", "-c", cmd, "/dev/null"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux script(1) is needed for the terminal test");
    (code(&o), o.stdout)
}

#[test]
fn binary_output_to_a_terminal_is_refused_unless_forced() {
    let k = Keys::new();
    let job = data(5000);
    k.write("t.bin", &job);
    let sealed = k.seal(&k.s("t.bin"), "t.pseal", &[]);
    let (c, shown) = under_pty(&format!("{BIN} open -i kek.key t.pseal"), k.dir.path());
    assert_eq!(c, USAGE, "{}", String::from_utf8_lossy(&shown));
    assert!(
        String::from_utf8_lossy(&shown).contains("refusing to write binary output to a terminal")
    );
    assert!(
        !shown.windows(64).any(|w| w == &job[..64]),
        "plaintext reached the terminal"
    );
    let (c, _) = under_pty(&format!("{BIN} seal -k kek.key t.bin"), k.dir.path());
    assert_eq!(c, USAGE);
    // Forced with -o -.
    let (c, shown) = under_pty(&format!("{BIN} open -i kek.key -o - t.pseal"), k.dir.path());
    assert_eq!(c, 0);
    assert!(shown.len() >= job.len());
    // Text is not binary: a text/plain job opens to the terminal.
    k.write("note.txt", b"held job note\n");
    let text = k.seal(
        &k.s("note.txt"),
        "n.pseal",
        &["--content-type", "text/plain"],
    );
    let (c, shown) = under_pty(
        &format!("{BIN} open -i kek.key {}", text.display()),
        k.dir.path(),
    );
    assert_eq!(c, 0);
    assert!(String::from_utf8_lossy(&shown).contains("held job note"));
    drop(sealed);
}

#[test]
fn rewrap_to_a_file_and_in_place_keeps_the_payload() {
    let k = Keys::new();
    let job = data(100_000);
    k.write("r.bin", &job);
    let sealed = k.seal(&k.s("r.bin"), "r.pseal", &[]);
    let old = fs::read(&sealed).expect("read");
    let old_hlen = k.inspect(&sealed)["header_len"].as_u64().expect("len") as usize;

    let o = run(
        &[
            "rewrap", "-i", "pq.key", "-r", &k.x, "-o", "r2.pseal", "r.pseal",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let new = fs::read(k.p("r2.pseal")).expect("read");
    let new_hlen = k.inspect(&k.p("r2.pseal"))["header_len"]
        .as_u64()
        .expect("len") as usize;
    assert_eq!(new[new_hlen..], old[old_hlen..], "payload bytes changed");
    assert_eq!(
        code(&run(&["verify", "-i", "x.key", "r2.pseal"], k.dir.path())),
        0
    );
    assert_eq!(
        code(&run(&["verify", "-i", "pq.key", "r2.pseal"], k.dir.path())),
        RECIPIENT
    );

    // In place, atomically, through the core's rewrap_file.
    let o = run(
        &[
            "rewrap",
            "-i",
            "kek.key",
            "-r",
            &k.x,
            "--in-place",
            "r.pseal",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        code(&run(&["verify", "-i", "x.key", "r.pseal"], k.dir.path())),
        0
    );
    assert_eq!(
        code(&run(&["verify", "-i", "kek.key", "r.pseal"], k.dir.path())),
        RECIPIENT
    );

    // A fault in the middle (file-size limit while writing the temporary file): the
    // original is intact and nothing is left behind.
    let before_bytes = fs::read(&sealed).expect("read");
    let before = k.names();
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 64; exec {BIN} rewrap -i x.key -r {} --in-place r.pseal",
            k.pq
        ))
        .current_dir(k.dir.path())
        .output()
        .expect("sh");
    assert_eq!(code(&o), ENVIRONMENT, "{}", stderr(&o));
    assert_eq!(fs::read(&sealed).expect("read"), before_bytes);
    assert_eq!(k.names(), before);
    // Wrong identity and missing recipients leave it intact too.
    let o = run(
        &[
            "rewrap",
            "-i",
            "pq.key",
            "-r",
            &k.pq,
            "--in-place",
            "r.pseal",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), RECIPIENT);
    assert_eq!(
        code(&run(
            &["rewrap", "-i", "x.key", "--in-place", "r.pseal"],
            k.dir.path()
        )),
        USAGE
    );
    assert_eq!(
        code(&run(
            &[
                "rewrap",
                "-i",
                "x.key",
                "-r",
                &k.x,
                "--in-place",
                "-o",
                "z",
                "r.pseal"
            ],
            k.dir.path()
        )),
        USAGE
    );
    assert_eq!(fs::read(&sealed).expect("read"), before_bytes);
}

#[test]
fn scan_lists_jobs_and_filters_by_producer_and_sbom() {
    let k = Keys::new();
    let spool = k.p("spool");
    fs::create_dir_all(spool.join("sub")).expect("mkdir");
    k.seal(PDF, "spool/a.pseal", &["--job-id", "job-a"]);
    k.seal(PS, "spool/sub/b.pseal", &["--job-id", "job-b"]);
    fs::copy(PDF, spool.join("plain.pdf")).expect("copy");
    let sbom = k.inspect(&spool.join("a.pseal"))["sbom_sha256"]
        .as_str()
        .expect("d")
        .to_owned();
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "--json", "spool"];
        args.extend_from_slice(extra);
        let o = run(&args, k.dir.path());
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        json(&o.stdout)
    };
    let all = scan(&[]);
    let ids: Vec<&str> = all["matches"]
        .as_array()
        .expect("array")
        .iter()
        .map(|m| m["header"]["job_id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, vec!["job-a", "job-b"]);
    assert_eq!(all["not_printseal"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        scan(&["--producer", "printseal@>=0.1.0, <0.2.0"])["matches"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let none = scan(&["--producer", "printseal@<0.1.0"]);
    assert_eq!(none["matches"].as_array().map(Vec::len), Some(0));
    assert_eq!(none["other_jobs"], 2);
    assert_eq!(
        scan(&["--sbom", &sbom])["matches"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        scan(&["--sbom", &"0".repeat(64)])["matches"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    // Text output: one line per job with producer, content type and job id.
    let o = run(&["scan", "spool"], k.dir.path());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("printseal 0.1.0\tapplication/postscript\tjob-b"),
        "{text}"
    );
    // A damaged job is reported and the exit is non-zero.
    fs::write(
        spool.join("cut.pseal"),
        &fs::read(spool.join("a.pseal")).expect("r")[..20],
    )
    .expect("w");
    let o = run(&["scan", "--json", "spool"], k.dir.path());
    assert_eq!(code(&o), FORMAT, "{}", stderr(&o));
    assert_eq!(json(&o.stdout)["errors"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        code(&run(&["scan", "no-such-dir"], k.dir.path())),
        ENVIRONMENT
    );
    assert_eq!(
        code(&run(
            &["scan", "spool", "--producer", "printseal"],
            k.dir.path()
        )),
        USAGE
    );
}

#[test]
fn sbom_version_man_and_completions() {
    let o = ps().arg("sbom").output().expect("runs");
    assert_eq!(code(&o), 0);
    let sbom = json(&o.stdout);
    assert_eq!(sbom["bomFormat"], "CycloneDX");
    let o = ps().arg("--version").output().expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("printseal {}", env!("CARGO_PKG_VERSION"))
    );
    let o = ps().args(["version", "--verbose"]).output().expect("runs");
    let v = String::from_utf8_lossy(&o.stdout).into_owned();
    // The command line builds the core with aws-lc-rs and parallel by default.
    assert!(v.contains("crypto backend: aws-lc-rs"), "{v}");
    assert!(v.contains("parallel"), "{v}");

    let dir = tempfile::tempdir().expect("tempdir");
    let o = ps()
        .args(["man", "-o"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = fs::read_to_string(dir.path().join("printseal.1")).expect("page");
    assert!(page.contains("EXIT STATUS"));
    for c in ["70 (internal)", "5 (recipient)", "4 (tampered)"] {
        assert!(page.contains(c), "{c}");
    }
    assert!(dir.path().join("printseal-seal.1").exists());
    assert!(dir.path().join("printseal-release.1").exists());
    let o = ps().args(["completions", "bash"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&o.stdout).contains("printseal"));
    assert_eq!(
        code(&ps().args(["completions", "tcsh"]).output().expect("runs")),
        USAGE
    );
}

/// The exit-code table in `printseal --help` is the one in cli/README.md.
#[test]
fn readme_documents_the_exit_codes_of_help() {
    let o = ps().arg("--help").output().expect("runs");
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    let readme =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let section = help
        .split("Exit status:")
        .nth(1)
        .expect("exit status in --help");
    let mut rows = 0;
    for line in section
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|c| c.parse::<u8>().is_ok())
        })
    {
        let mut parts = line.split_whitespace();
        let (code, name) = (parts.next().expect("code"), parts.next().expect("name"));
        let row = format!("| {code} | `{name}` |");
        assert!(readme.contains(&row), "README lacks {row}");
        rows += 1;
    }
    assert_eq!(rows, 9);
}

#[test]
fn release_streams_to_lp_and_removes_the_job_only_on_success() {
    let k = Keys::new();
    let job = data(150_000);
    k.write("rel.bin", &job);
    k.seal(
        &k.s("rel.bin"),
        "held.pseal",
        &["--meta", "title=Payroll Q3"],
    );
    // Stand-ins for lp and cancel that record what they are asked.
    let d = k.dir.path().display().to_string();
    let fake = k.write(
        "fake-lp",
        format!(
            "#!/bin/sh\nif [ \"$1\" = -i ]; then echo \"$@\" >> {d}/lp-resume; exit 0; fi\n\
             printf '%s\\n' \"$@\" > {d}/lp-args\ncat > {d}/lp-data\n\
             echo 'request id is outq-1 (0 file(s))'\n"
        )
        .as_bytes(),
    );
    let cancel = k.write(
        "cancel",
        format!("#!/bin/sh\necho \"$@\" >> {d}/cancelled\n").as_bytes(),
    );
    for f in [&fake, &cancel] {
        fs::set_permissions(f, fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    // Listing, without and with an identity.
    let o = run(&["release", "--list", ".", "--json"], k.dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let l = json(&o.stdout);
    assert_eq!(l["jobs"].as_array().map(Vec::len), Some(1));
    assert!(l["jobs"][0].get("private_metadata").is_none());
    let o = run(
        &["release", "--list", ".", "-i", "kek.key", "--json"],
        k.dir.path(),
    );
    assert_eq!(
        json(&o.stdout)["jobs"][0]["private_metadata"]["title"],
        "Payroll Q3"
    );

    // Wrong identity: nothing submitted, the job kept.
    let o = run(
        &[
            "release",
            "held.pseal",
            "-i",
            "x.key",
            "--to",
            "outq",
            "--lp",
            "./fake-lp",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), RECIPIENT);
    assert!(!k.p("lp-data").exists());
    // lp fails: the job kept, exit 1.
    let o = run(
        &[
            "release",
            "held.pseal",
            "-i",
            "kek.key",
            "--to",
            "outq",
            "--lp",
            "/bin/false",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(k.p("held.pseal").exists());
    // No lp at all.
    let o = run(
        &[
            "release",
            "held.pseal",
            "-i",
            "kek.key",
            "--to",
            "outq",
            "--lp",
            "./nope",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), ENVIRONMENT);
    assert!(k.p("held.pseal").exists());

    let o = run(
        &[
            "release",
            "held.pseal",
            "-i",
            "kek.key",
            "--to",
            "outq",
            "--lp",
            "./fake-lp",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fs::read(k.p("lp-data")).expect("data"), job);
    let args = fs::read_to_string(k.p("lp-args")).expect("args");
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        vec!["-d", "outq", "-t", "Payroll Q3", "-H", "hold"]
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("outq-1"));
    // Released from hold only after the whole job authenticated.
    let resumed = fs::read_to_string(k.p("lp-resume")).expect("resume");
    assert_eq!(resumed.trim(), "-i outq-1 -H resume");
    assert!(!k.p("held.pseal").exists());
    assert!(!k.p("cancelled").exists());

    // A job whose last chunk was altered: lp got the authenticated chunks before it, on
    // hold; that job is cancelled, never resumed, and the sealed file is kept.
    fs::remove_file(k.p("lp-resume")).expect("rm");
    k.seal(&k.s("rel.bin"), "alt.pseal", &[]);
    let mut alt = fs::read(k.p("alt.pseal")).expect("read");
    let n = alt.len();
    alt[n - 2] ^= 1;
    k.write("alt.pseal", &alt);
    let o = run(
        &[
            "release",
            "alt.pseal",
            "-i",
            "kek.key",
            "--to",
            "outq",
            "--lp",
            "./fake-lp",
        ],
        k.dir.path(),
    );
    assert_eq!(code(&o), TAMPERED, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("outq-1 was cancelled"),
        "{}",
        stderr(&o)
    );
    let cancelled = fs::read_to_string(k.p("cancelled")).expect("cancel");
    assert_eq!(cancelled.trim(), "outq-1");
    assert!(!k.p("lp-resume").exists());
    assert!(k.p("alt.pseal").exists());
    assert!(fs::read(k.p("lp-data")).expect("data").len() < job.len());
}

/// The CUPS backend run directly, as cupsd runs it: exit codes for success, a
/// configuration error (stop), a write fault (retry), and the device line.
#[test]
fn backend_exit_codes_follow_cups() {
    let k = Keys::new();
    fs::create_dir(k.p("held")).expect("mkdir");
    k.write(
        "recipients.txt",
        format!("# station\n{}\n", k.pq).as_bytes(),
    );
    let job = data(300_000);
    k.write("job.bin", &job);
    let uri = format!(
        "printseal:{}?recipients={}",
        k.s("held"),
        k.s("recipients.txt")
    );
    let opts =
        "job-uuid=urn:uuid:0d1e2f30-4a5b-6c7d-8e9f-a0b1c2d3e4f5 job-originating-host-name=ws7";
    let backend = |uri: &str, file: Option<&str>| {
        let mut c = Command::new(BIN);
        c.env("DEVICE_URI", uri)
            .env("CONTENT_TYPE", "application/postscript")
            .env("PRINTER", "sealq")
            .args(["17", "alice", "Payroll", "1", opts]);
        match file {
            Some(f) => {
                c.arg(f);
            }
            None => {
                c.write_stdin(job.clone());
            }
        }
        c.current_dir(k.dir.path()).output().expect("runs")
    };

    // From standard input, then from a file: CUPS_BACKEND_OK and one sealed file.
    let o = backend(&uri, None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sealed = k.p("held/0d1e2f30-4a5b-6c7d-8e9f-a0b1c2d3e4f5.pseal");
    assert_eq!(
        fs::metadata(&sealed).expect("sealed").permissions().mode() & 0o777,
        0o600
    );
    let h = k.inspect(&sealed);
    assert_eq!(h["content_type"], "application/postscript");
    assert_eq!(h["job_id"], "0d1e2f30-4a5b-6c7d-8e9f-a0b1c2d3e4f5");
    let o = run(
        &[
            "verify",
            "--json",
            "-i",
            "pq.key",
            &sealed.display().to_string(),
        ],
        k.dir.path(),
    );
    let v = json(&o.stdout);
    assert_eq!(v["plaintext_len"], job.len());
    let private = &v["private_metadata"];
    assert_eq!(
        (
            &private["title"],
            &private["owner"],
            &private["originating-host"],
            &private["printer"]
        ),
        (
            &Value::from("Payroll"),
            &Value::from("alice"),
            &Value::from("ws7"),
            &Value::from("sealq")
        )
    );
    fs::remove_file(&sealed).expect("rm");
    assert_eq!(code(&backend(&uri, Some("job.bin"))), 0);
    assert!(sealed.exists());
    fs::remove_file(&sealed).expect("rm");

    // Configuration errors stop the queue (4) and write nothing.
    let missing = format!("printseal:{}?recipients={}", k.s("held"), k.s("nope.txt"));
    let no_dir = format!(
        "printseal:{}?recipients={}",
        k.s("no-dir"),
        k.s("recipients.txt")
    );
    let secret = format!("printseal:{}?recipients={}", k.s("held"), k.s("pq.key"));
    for bad in [
        missing.as_str(),
        no_dir.as_str(),
        secret.as_str(),
        "printseal:relative?recipients=x",
    ] {
        let o = backend(bad, None);
        assert_eq!(code(&o), 4, "{bad}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("ERROR: "), "{}", stderr(&o));
    }
    assert!(fs::read_dir(k.p("held")).expect("held").next().is_none());

    // A write fault (file-size limit): retry (6), nothing left in the held directory.
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 64; exec {BIN} 17 alice Payroll 1 '{opts}' job.bin"
        ))
        .env("DEVICE_URI", &uri)
        .current_dir(k.dir.path())
        .output()
        .expect("sh");
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(fs::read_dir(k.p("held")).expect("held").next().is_none());

    // Wrong argument count: failed (1). No arguments: the device line.
    let o = Command::new(BIN)
        .env("DEVICE_URI", &uri)
        .args(["1", "2"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 1);
    let o = Command::new(BIN)
        .env("DEVICE_URI", &uri)
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("direct printseal "));
}

/// An interrupted command (SIGTERM, as CUPS sends to cancel a job, or Ctrl-C) removes
/// its temporary output file and exits with 130.
#[test]
fn interrupted_output_leaves_nothing_behind() {
    use std::io::Write as _;
    let k = Keys::new();
    let out_dir = k.p("out");
    fs::create_dir(&out_dir).expect("mkdir");
    let mut child = std::process::Command::new(BIN)
        .args(["seal", "-k"])
        .arg(k.p("kek.key"))
        .arg("-o")
        .arg(out_dir.join("job.pseal"))
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    // More than the first read buffer, so that sealing has begun; the pipe stays open.
    stdin.write_all(&data(3 << 20)).expect("write");
    let start = std::time::Instant::now();
    while fs::read_dir(&out_dir).expect("dir").next().is_none() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let o = child.wait_with_output().expect("wait");
    drop(stdin);
    assert_eq!(code(&o), 130, "{}", stderr(&o));
    let left: Vec<_> = fs::read_dir(&out_dir).expect("dir").collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
