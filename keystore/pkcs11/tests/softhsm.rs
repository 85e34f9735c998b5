//! `Pkcs11Kek` against a real SoftHSM2 token.
//!
//! PKCS#11 is initialised once per process and SoftHSM2 reads `SOFTHSM2_CONF` at that
//! moment, so every test runs in a child process of its own: the test function
//! (parent) makes a temporary directory with a SoftHSM2 configuration and token
//! directory, then runs this test binary again for that one test with `SOFTHSM2_CONF`
//! pointing there; the child initialises a token through PKCS#11 (`C_InitToken`,
//! `C_InitPIN`) and runs the case. The parent checks that the child ran exactly that
//! test and passed.
//!
//! The module is `PRINTSEAL_PKCS11_MODULE` or Debian's `libsofthsm2.so`. Without it
//! the tests say so and pass, except under `CI=true`, where they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use printseal::rng::seeded_rng;
use printseal::{
    Error, Identity, Kek, KeyStoreFailure, Recipient, RewrapOptions, SealOptions, X25519Identity,
    XWingIdentity,
};
use printseal_pkcs11::{Pkcs11Kek, Pkcs11Uri, key_id_for_cka_id};
use sha2::{Digest, Sha256};

const LABEL: &str = "printseal-test";
const USER_PIN: &str = "4711-user-pin";
const SO_PIN: &str = "0815-so-pin";
const CHILD: &str = "PRINTSEAL_PKCS11_CHILD";
const DIR: &str = "PRINTSEAL_PKCS11_TEST_DIR";
const MODULE: &str = "PRINTSEAL_PKCS11_MODULE";

const CANDIDATES: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

fn find_module() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(MODULE) {
        return Some(PathBuf::from(p));
    }
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.exists())
}

/// The token a child test works with.
struct Hsm {
    module: PathBuf,
    dir: PathBuf,
    pin_file: PathBuf,
    admin: Pkcs11,
    slot: Slot,
}

/// Runs `body` in a child process with a fresh SoftHSM2 token.
fn isolated(name: &str, body: fn(&Hsm)) {
    if std::env::var(CHILD).as_deref() == Ok(name) {
        let hsm = Hsm::setup();
        body(&hsm);
        return;
    }
    let Some(module) = find_module() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "SoftHSM2 is not installed (apt-get install softhsm2) and CI=true: failing"
        );
        eprintln!("{name}: SoftHSM2 not installed (apt-get install softhsm2): not run");
        return;
    };
    assert!(module.exists(), "{} does not exist", module.display());
    let dir = TempDir::new(name);
    std::fs::create_dir(dir.0.join("tokens")).unwrap();
    let conf = dir.0.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n\
             slots.removable = false\n",
            dir.0.display()
        ),
    )
    .unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, name)
        .env(DIR, &dir.0)
        .env(MODULE, &module)
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed; 0 failed"),
        "child for {name} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        use std::os::unix::fs::DirBuilderExt;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let p = std::env::temp_dir().join(format!(
            "printseal-pkcs11-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::DirBuilder::new().mode(0o700).create(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A PKCS#11 context of the test's own, as an administrator's tool would have (the
/// crate's context is another; the module is initialised once for both).
fn admin_context(module: &Path) -> Pkcs11 {
    let ctx = Pkcs11::new(module).unwrap();
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => panic!("C_Initialize: {e}"),
    }
    ctx
}

impl Hsm {
    fn setup() -> Hsm {
        let module = PathBuf::from(std::env::var_os(MODULE).unwrap());
        let dir = PathBuf::from(std::env::var_os(DIR).unwrap());
        let admin = admin_context(&module);
        let slot = admin.get_all_slots().unwrap()[0];
        admin
            .init_token(slot, &AuthPin::from(SO_PIN), LABEL)
            .unwrap();
        // SoftHSM2 moves an initialised token to a slot of its own.
        let slot = admin
            .get_slots_with_initialized_token()
            .unwrap()
            .into_iter()
            .find(|s| admin.get_token_info(*s).unwrap().label() == LABEL)
            .unwrap();
        {
            let s = admin.open_rw_session(slot).unwrap();
            s.login(UserType::So, Some(&AuthPin::from(SO_PIN))).unwrap();
            s.init_pin(&AuthPin::from(USER_PIN)).unwrap();
            s.logout().unwrap();
        }
        let pin_file = dir.join("user.pin");
        write_private(&pin_file, format!("{USER_PIN}\n").as_bytes());
        Hsm {
            module,
            dir,
            pin_file,
            admin,
            slot,
        }
    }

    /// A URI for the test token with the given path attributes.
    fn uri(&self, path: &str) -> String {
        format!(
            "pkcs11:token={LABEL};{path};type=secret-key?module-path={}&pin-source=file:{}",
            self.module.display(),
            self.pin_file.display()
        )
    }

    /// Runs `f` in a logged-in read/write session of the test's own, closed after
    /// (the process's login ends with its last session).
    fn admin<T>(&self, f: impl FnOnce(&Session) -> T) -> T {
        let s = self.admin.open_rw_session(self.slot).unwrap();
        match s.login(UserType::User, Some(&AuthPin::from(USER_PIN))) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => panic!("C_Login: {e}"),
        }
        f(&s)
    }

    /// Creates an AES key object with a known value, as `pkcs11-tool --write-object`
    /// or a key ceremony would.
    fn import(&self, id: &[u8], label: &str, value: &[u8], wrap: bool, unwrap: bool) {
        self.admin(|s| {
            s.create_object(&[
                Attribute::Class(ObjectClass::SECRET_KEY),
                Attribute::KeyType(KeyType::AES),
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Wrap(wrap),
                Attribute::Unwrap(unwrap),
                Attribute::Id(id.to_vec()),
                Attribute::Label(label.as_bytes().to_vec()),
                Attribute::Value(value.to_vec()),
            ])
            .unwrap();
        });
    }
}

fn write_private(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

fn pct(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02x}")).collect()
}

fn key_store_failure<T: std::fmt::Debug>(r: printseal::Result<T>) -> KeyStoreFailure {
    match r {
        Err(Error::KeyStore(e)) => {
            assert!(!e.detail().is_empty());
            assert!(!e.detail().contains(USER_PIN), "PIN in the error: {e}");
            e.failure()
        }
        other => panic!("expected a key-store error, got {other:?}"),
    }
}

/// KEK `n` of tests/vectors (tests/vectors/README.md, "How the vectors are made").
fn vector_kek(n: u8) -> Kek {
    let id: [u8; 16] = format!("printseal kek #{n}").as_bytes().try_into().unwrap();
    let key: [u8; 32] = Sha256::digest(format!("printseal test vector kek {n}")).into();
    Kek::new(id, key)
}

fn options() -> SealOptions {
    SealOptions::new("application/pdf").job_id("spool-000042")
}

fn plaintext(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

struct Vector {
    name: String,
    expect: String,
    payload: String,
    file_key: Option<[u8; 32]>,
    keks: Vec<Kek>,
    body: Vec<u8>,
}

/// The KEK-only vectors of tests/vectors (those that name no public-key identity).
fn kek_vectors() -> Vec<Vector> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "README.md" && !n.starts_with('.'))
        .collect();
    names.sort();
    'files: for name in names {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let split = bytes.windows(2).position(|w| w == b"\n\n").unwrap();
        let text = std::str::from_utf8(&bytes[..split]).unwrap();
        let mut v = Vector {
            name: name.clone(),
            expect: String::new(),
            payload: String::new(),
            file_key: None,
            keks: Vec::new(),
            body: bytes[split + 2..].to_vec(),
        };
        let mut id: Option<[u8; 16]> = None;
        for line in text.lines() {
            let (k, val) = line.split_once(": ").unwrap();
            match k {
                "expect" => v.expect = val.to_owned(),
                "payload" => v.payload = val.to_owned(),
                "file key" => v.file_key = Some(hex::decode(val).unwrap().try_into().unwrap()),
                "kek id" => id = Some(hex::decode(val).unwrap().try_into().unwrap()),
                "kek" => v.keks.push(Kek::new(
                    id.take().unwrap(),
                    hex::decode(val).unwrap().try_into().unwrap(),
                )),
                "seed" | "comment" => {}
                _ => continue 'files, // a public-key identity: not a KEK-only vector
            }
        }
        out.push(v);
    }
    out
}

fn class<T>(r: &printseal::Result<T>) -> &'static str {
    match r {
        Ok(_) => "success",
        Err(Error::NotPrintseal) => "not printseal",
        Err(Error::UnsupportedVersion(_)) => "unsupported version",
        Err(Error::UnsupportedSuite(_)) => "unsupported suite",
        Err(Error::MalformedHeader(_)) => "header failure",
        Err(Error::LimitExceeded(_)) => "limit exceeded",
        Err(Error::HeaderMac) => "HMAC failure",
        Err(Error::NoMatchingRecipient) => "no match",
        Err(Error::StanzaUnwrap) => "unwrap failure",
        Err(Error::PayloadCommitment) => "commitment failure",
        Err(Error::PayloadTampered { .. }) => "payload failure",
        Err(Error::TrailingData) => "trailing data",
        Err(Error::Truncated) => "truncated",
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

macro_rules! softhsm_test {
    ($(#[$m:meta])* $name:ident, $body:expr) => {
        $(#[$m])*
        #[test]
        fn $name() {
            isolated(stringify!($name), $body);
        }
    };
}

// --- A KEK imported with a known value -------------------------------------------

softhsm_test!(
    /// Every KEK-only vector of tests/vectors opens through the token with the outcome
    /// and plaintext it names, and the token unwraps the vector's file key; KEK 1
    /// and 2 in the token are the vectors' KEKs (checked against the README's rule).
    vectors_open_through_the_token,
    |hsm| {
        let vectors = kek_vectors();
        assert!(vectors.len() >= 50, "{} KEK vectors", vectors.len());
        // Every distinct (id, key) of the vectors goes into the token, labelled by
        // the key's hash (tests/vectors uses KEK 1's id with a wrong key too).
        let mut tokens: BTreeMap<([u8; 16], [u8; 32]), Pkcs11Kek> = BTreeMap::new();
        for kek in vectors.iter().flat_map(|v| &v.keks) {
            let k = (*kek.id(), *kek.expose_secret());
            if tokens.contains_key(&k) {
                continue;
            }
            let label = hex::encode(&Sha256::digest(kek.expose_secret())[..8]);
            hsm.import(kek.id(), &label, kek.expose_secret(), true, true);
            let tk = Pkcs11Kek::from_uri(&hsm.uri(&format!(
                "id={};object={label}",
                pct(kek.id())
            )))
            .unwrap();
            assert_eq!(tk.key_id(), kek.id());
            tokens.insert(k, tk);
        }
        for n in [1, 2] {
            let kek = vector_kek(n);
            assert!(tokens.contains_key(&(*kek.id(), *kek.expose_secret())), "KEK {n}");
        }
        let mut seen = std::collections::BTreeSet::new();
        for v in &vectors {
            let ids: Vec<&dyn Identity> = v
                .keks
                .iter()
                .map(|k| &tokens[&(*k.id(), *k.expose_secret())] as &dyn Identity)
                .collect();
            let soft: Vec<&dyn Identity> = v.keks.iter().map(|k| k as &dyn Identity).collect();
            let r = printseal::open(&v.body, &ids);
            assert_eq!(class(&r), v.expect, "{}", v.name);
            assert_eq!(class(&printseal::open(&v.body, &soft)), v.expect, "{}", v.name);
            if let Ok(opened) = &r {
                assert_eq!(
                    hex::encode(Sha256::digest(&opened.plaintext)),
                    v.payload,
                    "{}",
                    v.name
                );
                let header = printseal::Header::parse(&v.body).unwrap();
                let fk = header
                    .stanzas()
                    .iter()
                    .find_map(|s| ids.iter().find_map(|i| i.unwrap_stanza(s)))
                    .unwrap()
                    .unwrap();
                assert_eq!(Some(*fk.expose_secret()), v.file_key, "{}", v.name);
            }
            seen.insert(v.expect.clone());
        }
        for c in ["success", "unwrap failure", "no match", "HMAC failure"] {
            assert!(seen.contains(c), "no KEK vector for {c}");
        }
    }
);

softhsm_test!(
    /// Sealed through the token, a job is byte-identical to the same job sealed with
    /// the software KEK of the same value (same RNG seed), and each opens the other's.
    known_value_kek_both_directions,
    |hsm| {
        let soft = vector_kek(1);
        hsm.import(soft.id(), "kek1", soft.expose_secret(), true, true);
        let tk = Pkcs11Kek::from_uri(&hsm.uri(&format!("id={}", pct(soft.id())))).unwrap();
        assert_eq!(tk.cka_id(), soft.id());
        assert_eq!(tk.key_id(), soft.id());
        assert_eq!(tk.token_label(), LABEL);
        assert!(tk.can_wrap() && tk.can_unwrap());
        for (i, len) in [0usize, 1, 16383, 16384, 40000].into_iter().enumerate() {
            let pt = plaintext(len);
            let seed = [i as u8; 32];
            let by_token =
                printseal::seal_with_rng(&options(), &[&tk], &pt, &mut seeded_rng(seed)).unwrap();
            let by_soft =
                printseal::seal_with_rng(&options(), &[&soft], &pt, &mut seeded_rng(seed))
                    .unwrap();
            assert!(by_token == by_soft, "{len}: token and software jobs differ");
            assert_eq!(printseal::open(&by_token, &[&soft]).unwrap().plaintext, pt);
            assert_eq!(printseal::open(&by_soft, &[&tk]).unwrap().plaintext, pt);
        }
        // Stanza level: the token's wrap is the software RFC 5649 wrap.
        let fk = printseal::FileKey::generate(&mut seeded_rng([9; 32]));
        let a = tk.wrap_file_key(&fk, &mut seeded_rng([0; 32])).unwrap();
        let b = soft.wrap_file_key(&fk, &mut seeded_rng([0; 32])).unwrap();
        assert_eq!(a.body(), b.body());
        assert_eq!(a.kind(), b.kind());
        // A stanza with our id and a flipped bit: an unwrap failure, not a key-store
        // error, and not a match for anyone else.
        let mut body = a.body().to_vec();
        body[30] ^= 1;
        let bad = printseal::Stanza::new(a.kind(), body).unwrap();
        let r = tk.unwrap_stanza(&bad);
        assert!(matches!(r, Some(Err(Error::StanzaUnwrap))), "{r:?}");
        assert!(matches!(soft.unwrap_stanza(&bad), Some(Err(Error::StanzaUnwrap))));
        // The same value under another CKA_ID is another key id: no match.
        let other = Kek::new([7; 16], *soft.expose_secret());
        let job = printseal::seal(&options(), &[&other], b"x").unwrap();
        assert!(matches!(
            printseal::open(&job, &[&tk]),
            Err(Error::NoMatchingRecipient)
        ));
    }
);

softhsm_test!(
    /// A short CKA_ID (`%01`) maps to the derived key id, and a software KEK with that
    /// id and value writes the same bytes; `Pkcs11Kek::import_kek` puts a software KEK
    /// in the token under its own 16-byte id.
    short_cka_id_and_import,
    |hsm| {
        let value = [0x5a; 32];
        hsm.import(&[1], "short", &value, true, true);
        let tk = Pkcs11Kek::from_uri(&hsm.uri("id=%01")).unwrap();
        let derived = key_id_for_cka_id(&[1]).unwrap();
        assert_eq!(tk.key_id(), &derived);
        assert_ne!(&derived[..], &[1u8; 16][..]);
        assert_eq!(tk.cka_id(), &[1]);
        let soft = Kek::new(derived, value);
        let a = printseal::seal_with_rng(&options(), &[&tk], b"%PDF", &mut seeded_rng([1; 32]))
            .unwrap();
        let b = printseal::seal_with_rng(&options(), &[&soft], b"%PDF", &mut seeded_rng([1; 32]))
            .unwrap();
        assert!(a == b);
        // Found by label alone, the key reads its CKA_ID from the token.
        let by_label = Pkcs11Kek::from_uri(&hsm.uri("object=short")).unwrap();
        assert_eq!(by_label.key_id(), &derived);

        let sw = vector_kek(2);
        let uri = Pkcs11Uri::parse(&hsm.uri("object=imported")).unwrap();
        let imported = Pkcs11Kek::import_kek(&uri, None, &sw).unwrap();
        assert_eq!(imported.key_id(), sw.id());
        let job = printseal::seal(&options(), &[&sw], b"payroll").unwrap();
        assert_eq!(printseal::open(&job, &[&imported]).unwrap().plaintext, b"payroll");
        // Imported keys are not readable either.
        let attrs = hsm.admin(|s| {
            let h = s
                .find_objects(&[Attribute::Label(b"imported".to_vec())])
                .unwrap();
            s.get_attributes(h[0], &[AttributeType::Value, AttributeType::Extractable])
                .unwrap()
        });
        assert!(!attrs.iter().any(|a| matches!(a, Attribute::Value(_))));
        assert!(attrs.contains(&Attribute::Extractable(false)));
        // A second import under the same id is refused; so is an id= that is not the KEK's.
        assert_eq!(
            key_store_failure(Pkcs11Kek::import_kek(&uri, None, &sw)),
            KeyStoreFailure::Other
        );
        let wrong = Pkcs11Uri::parse(&hsm.uri("id=%02")).unwrap();
        assert!(matches!(
            Pkcs11Kek::import_kek(&wrong, None, &sw),
            Err(Error::InvalidInput(_))
        ));
    }
);

softhsm_test!(
    /// A KEK imported by SoftHSM2's own tool (`softhsm2-util --import --aes`, as an
    /// operator would move an existing key in) from another process: found by its
    /// label, it opens the format vector sealed to KEK 2 and seals byte-identically
    /// to the software KEK. (KEK 2, not KEK 1: softhsm2-util 2.6 records the length
    /// of a key file up to its first zero byte as CKA_VALUE_LEN, and KEK 1 has one;
    /// `Pkcs11Kek` refuses such a key as not AES-256.)
    key_imported_by_softhsm2_util,
    |hsm| {
        let tool = ["/usr/bin/softhsm2-util", "/usr/local/bin/softhsm2-util"]
            .into_iter()
            .find(|p| Path::new(p).exists());
        let Some(tool) = tool else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "softhsm2-util missing under CI"
            );
            eprintln!("softhsm2-util not installed: case not run");
            return;
        };
        let kek = vector_kek(2);
        assert!(!kek.expose_secret().contains(&0));
        let key_file = hsm.dir.join("kek2.bin");
        write_private(&key_file, kek.expose_secret());
        // The tool takes the PIN as an argument: a test PIN, in a test only.
        let out = Command::new(tool)
            .arg("--import")
            .arg(&key_file)
            .args(["--aes", "--token", LABEL, "--label", "tool-kek", "--id"])
            .arg(hex::encode(kek.id()))
            .args(["--pin", USER_PIN])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let tk = Pkcs11Kek::from_uri(&hsm.uri("object=tool-kek")).unwrap();
        assert_eq!(tk.key_id(), kek.id());
        let two_keks = kek_vectors()
            .into_iter()
            .find(|v| v.name == "two_keks")
            .unwrap();
        assert_eq!(two_keks.keks.len(), 1);
        assert_eq!(two_keks.keks[0].expose_secret(), kek.expose_secret());
        let o = printseal::open(&two_keks.body, &[&tk]).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&o.plaintext)), two_keks.payload);
        let pt = plaintext(20_000);
        let a = printseal::seal_with_rng(&options(), &[&tk], &pt, &mut seeded_rng([2; 32]))
            .unwrap();
        let b = printseal::seal_with_rng(&options(), &[&kek], &pt, &mut seeded_rng([2; 32]))
            .unwrap();
        assert!(a == b);
    }
);

// --- A KEK generated inside the token ---------------------------------------------

fn find(s: &Session, id: &[u8]) -> ObjectHandle {
    let h = s
        .find_objects(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::Id(id.to_vec()),
        ])
        .unwrap();
    assert_eq!(h.len(), 1);
    h[0]
}

softhsm_test!(
    /// Generated in the token, not extractable: jobs round-trip, the value cannot be
    /// read or wrapped out, and the extractable flag cannot be turned back on.
    generated_kek_round_trip_and_value_unreadable,
    |hsm| {
        let id = *b"print01 kek 2026";
        let uri = Pkcs11Uri::parse(&hsm.uri(&format!("id={};object=gen", pct(&id)))).unwrap();
        let tk = Pkcs11Kek::generate_in_token(&uri, None).unwrap();
        assert_eq!(tk.key_id(), &id);
        let pt = plaintext(50_000);
        let job = printseal::seal(&options(), &[&tk], &pt).unwrap();
        assert_eq!(printseal::open(&job, &[&tk]).unwrap().plaintext, pt);
        // A fresh handle (another process, say) opens it too.
        let again = Pkcs11Kek::from_uri(&hsm.uri("object=gen")).unwrap();
        assert_eq!(printseal::open(&job, &[&again]).unwrap().plaintext, pt);
        // A software KEK with the same id and a guessed value does not.
        let guess = Kek::new(id, [0; 32]);
        assert!(matches!(printseal::open(&job, &[&guess]), Err(Error::StanzaUnwrap)));

        hsm.import(b"another kek 0001", "other", &[3; 32], true, true);
        hsm.admin(|s| {
            let key = find(s, &id);
            let attrs = s
                .get_attributes(
                    key,
                    &[
                        AttributeType::Value,
                        AttributeType::Sensitive,
                        AttributeType::Extractable,
                        AttributeType::NeverExtractable,
                        AttributeType::AlwaysSensitive,
                        AttributeType::Local,
                        AttributeType::Encrypt,
                        AttributeType::Decrypt,
                    ],
                )
                .unwrap();
            // CKA_VALUE of a sensitive key: CKR_ATTRIBUTE_SENSITIVE, left out.
            assert!(!attrs.iter().any(|a| matches!(a, Attribute::Value(_))), "{attrs:?}");
            for want in [
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::NeverExtractable(true),
                Attribute::AlwaysSensitive(true),
                Attribute::Local(true),
                Attribute::Encrypt(false),
                Attribute::Decrypt(false),
            ] {
                assert!(attrs.contains(&want), "{want:?} not in {attrs:?}");
            }
            // Wrapped out under another key: refused.
            let other = find(s, b"another kek 0001");
            match s.wrap_key(&Mechanism::AesKeyWrapPad, other, key) {
                Err(CkError::Pkcs11(RvError::KeyUnextractable | RvError::KeyNotWrappable, _)) => {}
                r => panic!("wrapping the KEK out: {r:?}"),
            }
            // Made extractable again: refused.
            assert!(s.update_attributes(key, &[Attribute::Extractable(true)]).is_err());
            assert!(s.update_attributes(key, &[Attribute::Sensitive(false)]).is_err());
        });
        // Generating a second key under the same id is refused.
        assert_eq!(
            key_store_failure(Pkcs11Kek::generate_in_token(&uri, None)),
            KeyStoreFailure::Other
        );
        let no_id = Pkcs11Uri::parse(&hsm.uri("object=gen2")).unwrap();
        assert!(matches!(
            Pkcs11Kek::generate_in_token(&no_id, None),
            Err(Error::InvalidInput(_))
        ));
    }
);

// --- Skipping, and the key-store errors ---------------------------------------------

softhsm_test!(
    /// Stanzas of another kind or key id are skipped without a token call: after the
    /// module is finalised under the crate's feet (every token call now fails with
    /// CKR_CRYPTOKI_NOT_INITIALIZED), jobs for other keys still give "no matching
    /// recipient" and open through a software identity next to the token's, while a
    /// stanza with the token key's id gives the key-store error, proving the token
    /// would have been noticed.
    other_key_ids_are_skipped_without_a_token_call,
    |hsm| {
        let soft = vector_kek(1);
        hsm.import(soft.id(), "kek1", soft.expose_secret(), true, true);
        let tk = Pkcs11Kek::from_uri(&hsm.uri(&format!("id={}", pct(soft.id())))).unwrap();
        let ours = printseal::seal(&options(), &[&tk], b"ours").unwrap();
        let kek2 = vector_kek(2);
        let x = X25519Identity::generate().unwrap();
        let theirs = printseal::seal(&options(), &[&kek2], b"theirs").unwrap();
        let public = printseal::seal(&options(), &[&x.to_public()], b"public").unwrap();
        let both = printseal::seal(&options(), &[&kek2, &x.to_public()], b"both").unwrap();

        hsm.admin.clone().finalize().unwrap();

        assert!(matches!(
            printseal::open(&theirs, &[&tk]),
            Err(Error::NoMatchingRecipient)
        ));
        assert!(matches!(
            printseal::open(&public, &[&tk]),
            Err(Error::NoMatchingRecipient)
        ));
        assert_eq!(printseal::open(&both, &[&tk, &x]).unwrap().plaintext, b"both");
        assert_eq!(printseal::open(&theirs, &[&tk, &kek2]).unwrap().plaintext, b"theirs");
        // Our own stanza does reach the (now failing) token.
        assert_eq!(
            key_store_failure(printseal::open(&ours, &[&tk])),
            KeyStoreFailure::ModuleUnavailable
        );
        assert_eq!(
            key_store_failure(printseal::seal(&options(), &[&tk], b"x")),
            KeyStoreFailure::ModuleUnavailable
        );
        // The software KEK of the same value still opens it: the stanza is sound.
        assert_eq!(printseal::open(&ours, &[&soft]).unwrap().plaintext, b"ours");
    }
);

softhsm_test!(
    /// A wrong PIN, a missing PIN, an unreadable PIN file: key-store errors (and the
    /// right PIN still works afterwards).
    wrong_pin_is_a_key_store_error,
    |hsm| {
        hsm.import(&[1], "k", &[1; 32], true, true);
        let wrong = hsm.dir.join("wrong.pin");
        write_private(&wrong, b"0000\n");
        let uri = hsm
            .uri("id=%01")
            .replace(&hsm.pin_file.display().to_string(), &wrong.display().to_string());
        assert_eq!(
            key_store_failure(Pkcs11Kek::from_uri(&uri)),
            KeyStoreFailure::PinIncorrect
        );
        let no_pin = format!(
            "pkcs11:token={LABEL};id=%01?module-path={}",
            hsm.module.display()
        );
        assert_eq!(
            key_store_failure(Pkcs11Kek::from_uri_with_pin(&no_pin, "1234")),
            KeyStoreFailure::PinIncorrect
        );
        // A wrong PIN given as bytes, not even UTF-8: refused by the token alike.
        assert_eq!(
            key_store_failure(Pkcs11Kek::from_uri_with_pin_bytes(&no_pin, b"\xff0000")),
            KeyStoreFailure::PinIncorrect
        );
        // No PIN at all: the private key is not visible, and the error says why.
        assert_eq!(
            key_store_failure(Pkcs11Kek::from_uri(&no_pin)),
            KeyStoreFailure::PinIncorrect
        );
        let missing = hsm.uri("id=%01").replace(
            &hsm.pin_file.display().to_string(),
            &hsm.dir.join("nope.pin").display().to_string(),
        );
        assert_eq!(
            key_store_failure(Pkcs11Kek::from_uri(&missing)),
            KeyStoreFailure::Other
        );
        // Both a PIN and a pin-source: refused before anything is loaded.
        assert!(matches!(
            Pkcs11Kek::from_uri_with_pin(&hsm.uri("id=%01"), USER_PIN),
            Err(Error::InvalidInput(_))
        ));
        // The right PIN, from the file and from the caller.
        Pkcs11Kek::from_uri(&hsm.uri("id=%01")).unwrap();
        let tk = Pkcs11Kek::from_uri_with_pin(&no_pin, USER_PIN).unwrap();
        assert!(!format!("{tk:?}").contains(USER_PIN));
        // The same PIN as bytes logs in alike (and a pin-source beside it is refused).
        // Dropping the only Pkcs11Kek closes the process's last session, which logs
        // it out: the login below is a real one.
        drop(tk);
        let tk = Pkcs11Kek::from_uri_with_pin_bytes(&no_pin, USER_PIN.as_bytes()).unwrap();
        assert_eq!(printseal::open(&printseal::seal(&options(), &[&tk], b"pin bytes").unwrap(), &[&tk]).unwrap().plaintext, b"pin bytes");
        assert!(matches!(
            Pkcs11Kek::from_uri_with_pin_bytes(&hsm.uri("id=%01"), USER_PIN.as_bytes()),
            Err(Error::InvalidInput(_))
        ));
    }
);

softhsm_test!(
    /// A token the URI does not match, a module that is missing or is not a PKCS#11
    /// module, a key that is not there: key-store errors.
    missing_token_module_or_key_is_a_key_store_error,
    |hsm| {
        hsm.import(&[1], "k", &[1; 32], true, true);
        for token in ["token=absent", "serial=0000000000000000", "slot-id=999999"] {
            let uri = hsm.uri("id=%01").replace(&format!("token={LABEL}"), token);
            assert_eq!(
                key_store_failure(Pkcs11Kek::from_uri(&uri)),
                KeyStoreFailure::TokenAbsent,
                "{token}"
            );
        }
        let module = hsm.module.display().to_string();
        let not_a_module = hsm.dir.join("softhsm2.conf");
        for m in [
            "/nonexistent/libpkcs11.so".to_owned(),
            not_a_module.display().to_string(),
        ] {
            let uri = hsm.uri("id=%01").replace(&module, &m);
            assert_eq!(
                key_store_failure(Pkcs11Kek::from_uri(&uri)),
                KeyStoreFailure::ModuleUnavailable,
                "{m}"
            );
        }
        // A real shared library without the PKCS#11 entry points.
        if let Some(libc) = ["/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1"]
            .into_iter()
            .find(|p| Path::new(p).exists())
        {
            let uri = hsm.uri("id=%01").replace(&module, libc);
            assert_eq!(
                key_store_failure(Pkcs11Kek::from_uri(&uri)),
                KeyStoreFailure::ModuleUnavailable
            );
        }
        for key in ["id=%02", "object=nope", "id=%01;object=nope"] {
            assert_eq!(
                key_store_failure(Pkcs11Kek::from_uri(&hsm.uri(key))),
                KeyStoreFailure::KeyNotFound,
                "{key}"
            );
        }
        // Two keys under one id: ambiguous, refused.
        hsm.import(&[1], "k-twin", &[2; 32], true, true);
        assert_eq!(
            key_store_failure(Pkcs11Kek::from_uri(&hsm.uri("id=%01"))),
            KeyStoreFailure::Other
        );
        Pkcs11Kek::from_uri(&hsm.uri("id=%01;object=k-twin")).unwrap();
    }
);

softhsm_test!(
    /// Keys that may not wrap or unwrap, or are not AES-256: key-store errors. An
    /// unwrap-only key opens jobs and refuses to seal; a wrap-only key the reverse.
    key_without_permission_is_a_key_store_error,
    |hsm| {
        hsm.import(&[1], "none", &[1; 32], false, false);
        assert_eq!(
            key_store_failure(Pkcs11Kek::from_uri(&hsm.uri("id=%01"))),
            KeyStoreFailure::KeyNotPermitted
        );
        hsm.import(&[2], "unwrap-only", &[2; 32], false, true);
        let opener = Pkcs11Kek::from_uri(&hsm.uri("id=%02")).unwrap();
        assert!(!opener.can_wrap() && opener.can_unwrap());
        let soft = Kek::new(*opener.key_id(), [2; 32]);
        let job = printseal::seal(&options(), &[&soft], b"held job").unwrap();
        assert_eq!(printseal::open(&job, &[&opener]).unwrap().plaintext, b"held job");
        assert_eq!(
            key_store_failure(printseal::seal(&options(), &[&opener], b"x")),
            KeyStoreFailure::KeyNotPermitted
        );
        hsm.import(&[3], "wrap-only", &[3; 32], true, false);
        let sealer = Pkcs11Kek::from_uri(&hsm.uri("id=%03")).unwrap();
        let job = printseal::seal(&options(), &[&sealer], b"to escrow").unwrap();
        assert_eq!(
            key_store_failure(printseal::open(&job, &[&sealer])),
            KeyStoreFailure::KeyNotPermitted
        );
        let soft = Kek::new(*sealer.key_id(), [3; 32]);
        assert_eq!(printseal::open(&job, &[&soft]).unwrap().plaintext, b"to escrow");
        // AES-128 and a generic secret: not the stanza's AES-256.
        hsm.import(&[4], "aes128", &[4; 16], true, true);
        assert_eq!(
            key_store_failure(Pkcs11Kek::from_uri(&hsm.uri("id=%04"))),
            KeyStoreFailure::KeyNotPermitted
        );
        hsm.admin(|s| {
            s.create_object(&[
                Attribute::Class(ObjectClass::SECRET_KEY),
                Attribute::KeyType(KeyType::GENERIC_SECRET),
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Wrap(true),
                Attribute::Unwrap(true),
                Attribute::Id(vec![5]),
                Attribute::Value(vec![5; 32]),
            ])
            .unwrap();
        });
        assert_eq!(
            key_store_failure(Pkcs11Kek::from_uri(&hsm.uri("id=%05"))),
            KeyStoreFailure::KeyNotPermitted
        );
    }
);

// --- Rewrap, threads ------------------------------------------------------------------

softhsm_test!(
    /// Rewrap from the token's KEK to an X-Wing recipient and back: the payload bytes
    /// are kept, the old recipient no longer opens the moved job.
    rewrap_from_token_kek_to_xwing,
    |hsm| {
        let tk = Pkcs11Kek::generate_in_token(
            &Pkcs11Uri::parse(&hsm.uri("id=%10%20%30;object=escrow")).unwrap(),
            None,
        )
        .unwrap();
        let bob = XWingIdentity::generate().unwrap();
        let pt = plaintext(70_000);
        let job = printseal::seal(&options(), &[&tk], &pt).unwrap();
        let mut moved = Vec::new();
        printseal::rewrap(
            &job[..],
            &[&tk],
            &[&bob.to_public()],
            &RewrapOptions::new(),
            &mut moved,
        )
        .unwrap();
        assert_eq!(printseal::open(&moved, &[&bob]).unwrap().plaintext, pt);
        assert!(matches!(
            printseal::open(&moved, &[&tk]),
            Err(Error::NoMatchingRecipient)
        ));
        // The payload is copied through untouched.
        let tail = |j: &[u8]| j[printseal::Header::parse(j).unwrap().len()..].to_vec();
        assert_eq!(tail(&job), tail(&moved));
        // And back, to the token KEK plus the X-Wing key.
        let mut back = Vec::new();
        printseal::rewrap(
            &moved[..],
            &[&bob],
            &[&tk, &bob.to_public()],
            &RewrapOptions::new(),
            &mut back,
        )
        .unwrap();
        assert_eq!(printseal::open(&back, &[&tk]).unwrap().plaintext, pt);
        // Rewrapping with a token that cannot unwrap: the key-store error.
        hsm.import(&[0x10, 0x20, 0x31], "wrap-only", &[1; 32], true, false);
        let wrap_only = Pkcs11Kek::from_uri(&hsm.uri("id=%10%20%31")).unwrap();
        let job2 = printseal::seal(&options(), &[&wrap_only], b"x").unwrap();
        let r = printseal::rewrap(
            &job2[..],
            &[&wrap_only],
            &[&bob.to_public()],
            &RewrapOptions::new(),
            &mut Vec::new(),
        );
        assert_eq!(key_store_failure(r), KeyStoreFailure::KeyNotPermitted);
    }
);

softhsm_test!(
    /// Eight threads share one `Pkcs11Kek` (sessions from its pool); every job opens,
    /// and afterwards the token has at most the pool's idle sessions plus the login
    /// session open for it.
    threads_share_one_kek,
    |hsm| {
        let tk = Pkcs11Kek::generate_in_token(
            &Pkcs11Uri::parse(&hsm.uri("id=%aa")).unwrap(),
            None,
        )
        .unwrap();
        std::thread::scope(|scope| {
            for t in 0..8u8 {
                let tk = tk.clone();
                scope.spawn(move || {
                    for i in 0..10u8 {
                        let pt = vec![t ^ i; 100 + usize::from(i)];
                        let job = printseal::seal(&options(), &[&tk], &pt).unwrap();
                        assert_eq!(printseal::open(&job, &[&tk]).unwrap().plaintext, pt);
                    }
                });
            }
        });
        let info = hsm.admin.get_token_info(hsm.slot).unwrap();
        if let Some(n) = info.session_count() {
            assert!(
                n <= (printseal_pkcs11::MAX_IDLE_SESSIONS + 1) as u64,
                "{n} sessions open"
            );
        }
    }
);
