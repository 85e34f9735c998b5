//! `-k pkcs11:...` and `-i pkcs11:...` against a real SoftHSM2 token: a token made
//! with `softhsm2-util` in a temporary directory (`SOFTHSM2_CONF`), a KEK imported
//! with `softhsm2-util --import --aes`, a job sealed through the token and opened
//! through it, and by the software KEK file of the same value. Without SoftHSM2 the
//! test says so and passes, except under `CI=true`, where it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_printseal");
const PIN: &str = "4711-cli-pin";
const ENVIRONMENT: i32 = 7;

fn module() -> Option<&'static str> {
    [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
}

#[test]
fn seal_and_open_through_a_softhsm2_kek() {
    let (Some(module), true) = (module(), Path::new("/usr/bin/softhsm2-util").exists()) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "SoftHSM2 missing under CI (apt-get install softhsm2)"
        );
        eprintln!("SoftHSM2 not installed: not run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("tokens")).unwrap();
    let conf = d.join("softhsm2.conf");
    fs::write(
        &conf,
        format!(
            "directories.tokendir = {}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n",
            d.display()
        ),
    )
    .unwrap();
    let util = |args: &[&str]| {
        let o = Command::new("/usr/bin/softhsm2-util")
            .args(args)
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    // Test PINs on the test tool's command line only; printseal reads them from files.
    util(&[
        "--init-token",
        "--free",
        "--label",
        "cli",
        "--so-pin",
        "0815",
        "--pin",
        PIN,
    ]);
    // A KEK from `printseal keygen --kek`: its value goes into the token.
    let ps = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(d)
            .env("SOFTHSM2_CONF", &conf)
            .env_remove("DEVICE_URI")
            .env_remove("CUPS_SERVERBIN")
            .output()
            .unwrap()
    };
    let value: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) | 1);
    fs::write(d.join("kek.bin"), value).unwrap();
    let id = "0102030405060708090a0b0c0d0e0f10";
    util(&[
        "--import",
        &d.join("kek.bin").display().to_string(),
        "--aes",
        "--token",
        "cli",
        "--label",
        "spool-kek",
        "--id",
        id,
        "--pin",
        PIN,
    ]);
    fs::write(d.join("pin"), format!("{PIN}\n")).unwrap();
    fs::write(d.join("wrong.pin"), "0000\n").unwrap();
    let uri = |pin: &str| {
        format!(
            "pkcs11:token=cli;object=spool-kek;type=secret-key?module-path={module}&pin-source=file:{}",
            d.join(pin).display()
        )
    };
    let job = b"%PDF-1.7 payroll run".repeat(1000);
    fs::write(d.join("job.pdf"), &job).unwrap();

    let o = ps(&["seal", "-k", &uri("pin"), "-o", "job.pseal", "job.pdf"]);
    assert!(
        o.status.success(),
        "seal: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = ps(&["open", "-i", &uri("pin"), "-o", "out.pdf", "job.pseal"]);
    assert!(
        o.status.success(),
        "open: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(fs::read(d.join("out.pdf")).unwrap(), job);

    // A wrong PIN: the key-store error, exit code 7 (Environment), not "no recipient".
    let o = ps(&[
        "open",
        "-i",
        &uri("wrong.pin"),
        "-o",
        "out2.pdf",
        "job.pseal",
    ]);
    assert_eq!(
        o.status.code(),
        Some(ENVIRONMENT),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("PIN"), "{err}");
    assert!(!err.contains("0000"), "{err}");
    assert!(!d.join("out2.pdf").exists());
    // A job for another KEK: no matching recipient (exit 5), the token is not blamed.
    let o = ps(&["keygen", "--kek", "-o", "other.key"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = ps(&["seal", "-k", "other.key", "-o", "other.pseal", "job.pdf"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = ps(&["open", "-i", &uri("pin"), "-o", "out3.pdf", "other.pseal"]);
    assert_eq!(
        o.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
