//! Known-answer tests of the HPKE path the public-key stanzas use:
//!
//! * RFC 9180 test vectors (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM,
//!   AES-256-GCM, ChaCha20Poly1305) from `shared/vectors/hpke`, run through
//!   `printseal::recipient::hpke_core::{setup_sender, setup_receiver}`, the functions
//!   the stanzas call, with the ephemeral key fed in as randomness;
//! * Wycheproof `x25519_test.json` (all 518 cases) through the same DHKEM, with the
//!   all-zero shared secret refused;
//! * the X-Wing KEM known-answer vectors (tests/data/xwing).
//!
//! The shared vectors are read from `$PRINTSEAL_SHARED/vectors`, by default
//! `$CARGO_MANIFEST_DIR/../shared/vectors`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::path::PathBuf;

use hkdf::Hkdf;
use hpke::aead::{Aead, AesGcm128, AesGcm256, ChaCha20Poly1305};
use hpke::kem::{Kem, X25519HkdfSha256, XWing};
use hpke::{Deserializable, Serializable};
use printseal::format::stanza::{Stanza, kind};
use printseal::recipient::hpke_core::{self, setup_receiver, setup_sender};
use printseal::{
    Error, FileKey, Identity, KeyParseError, Recipient, X25519Identity, X25519Recipient,
    XWingIdentity, XWingRecipient,
};
use rand_core::{TryCryptoRng, TryRng};
use serde_json::Value;
use sha2::Sha256;

fn shared() -> PathBuf {
    match std::env::var_os("PRINTSEAL_SHARED") {
        Some(p) => PathBuf::from(p).join("vectors"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"),
    }
}

fn json(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set PRINTSEAL_SHARED)", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn hx(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(v[key].as_str().unwrap_or_else(|| panic!("no {key}"))).unwrap()
}

/// An "RNG" that replays fixed bytes: the deterministic encapsulation the vectors need.
/// Panics if asked for more than it holds.
struct Replay(Vec<u8>);

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert!(dst.len() <= self.0.len(), "replay RNG exhausted");
        dst.copy_from_slice(&self.0[..dst.len()]);
        self.0.drain(..dst.len());
        Ok(())
    }
}
impl TryCryptoRng for Replay {}

type X = X25519HkdfSha256;

fn clamp(mut k: Vec<u8>) -> Vec<u8> {
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    k
}

/// Checks one base-mode entry with AEAD `A` through printseal's setup functions.
/// Returns the number of encryptions and exports checked.
fn base_mode_entry<A: Aead>(v: &Value) -> (usize, usize) {
    let info = hx(v, "info");
    let (sk_r, pk_r) = X::derive_keypair(&hx(v, "ikmR"));
    // The vectors give unclamped scalars; the crate serializes them clamped (RFC 9180
    // section 7.1.2: "SerializePrivateKey() MUST clamp its output").
    assert_eq!(sk_r.to_bytes().to_vec(), clamp(hx(v, "skRm")));
    assert_eq!(pk_r.to_bytes().to_vec(), hx(v, "pkRm"));
    let (sk_e, pk_e) = X::derive_keypair(&hx(v, "ikmE"));
    assert_eq!(sk_e.to_bytes().to_vec(), clamp(hx(v, "skEm")));
    assert_eq!(pk_e.to_bytes().to_vec(), hx(v, "pkEm"));

    // Sender: the ephemeral key is DeriveKeyPair(ikmE), drawn as 32 bytes of randomness.
    let mut rng = Replay(hx(v, "ikmE"));
    let (enc, mut sender) = setup_sender::<A, X>(&pk_r, &info, &mut rng).unwrap();
    assert!(rng.0.is_empty());
    assert_eq!(enc.to_bytes().to_vec(), hx(v, "enc"));
    // Receiver.
    let enc = <X as Kem>::EncappedKey::from_bytes(&hx(v, "enc")).unwrap();
    let mut receiver = setup_receiver::<A, X>(&sk_r, &enc, &info).unwrap();
    // The KEM's shared secret.
    let ss = X::decap(&sk_r, None, &enc).unwrap();
    assert_eq!(ss.0.to_vec(), hx(v, "shared_secret"));

    let encs = v["encryptions"].as_array().unwrap();
    for (i, e) in encs.iter().enumerate() {
        let (aad, pt, ct) = (hx(e, "aad"), hx(e, "pt"), hx(e, "ct"));
        assert_eq!(sender.seal(&pt, &aad).unwrap(), ct, "seal #{i}");
        assert_eq!(receiver.open(&ct, &aad).unwrap(), pt, "open #{i}");
    }
    let exps = v["exports"].as_array().unwrap();
    for x in exps {
        let mut out = vec![0u8; x["L"].as_u64().unwrap() as usize];
        receiver
            .export(&hx(x, "exporter_context"), &mut out)
            .unwrap();
        assert_eq!(out, hx(x, "exported_value"));
        sender.export(&hx(x, "exporter_context"), &mut out).unwrap();
        assert_eq!(out, hx(x, "exported_value"));
    }
    // A flipped tag bit fails (the next sequence number was not used yet).
    let mut bad = sender.seal(b"x", b"").unwrap();
    bad[0] ^= 1;
    assert!(receiver.open(&bad, b"").is_err());
    (encs.len(), exps.len())
}

#[test]
fn rfc9180_vectors_through_the_stanza_path() {
    let all = json(shared().join("hpke/test-vectors-x25519.json"));
    let all = all.as_array().unwrap();
    let (mut base, mut psk, mut encryptions, mut exports) = (0, 0, 0, 0);
    for v in all {
        assert_eq!(v["kem_id"], 32);
        assert_eq!(v["kdf_id"], 1);
        match v["mode"].as_u64().unwrap() {
            0 => {
                let (e, x) = match v["aead_id"].as_u64().unwrap() {
                    1 => base_mode_entry::<AesGcm128>(v),
                    2 => base_mode_entry::<AesGcm256>(v),
                    3 => base_mode_entry::<ChaCha20Poly1305>(v),
                    other => panic!("aead {other}"),
                };
                encryptions += e;
                exports += x;
                base += 1;
            }
            1 => {
                // PSK mode is not used by printseal; its KEM part is the same.
                let (sk_r, pk_r) = X::derive_keypair(&hx(v, "ikmR"));
                assert_eq!(pk_r.to_bytes().to_vec(), hx(v, "pkRm"));
                let enc = <X as Kem>::EncappedKey::from_bytes(&hx(v, "enc")).unwrap();
                assert_eq!(
                    X::decap(&sk_r, None, &enc).unwrap().0.to_vec(),
                    hx(v, "shared_secret")
                );
                psk += 1;
            }
            m => panic!("mode {m}"),
        }
    }
    assert_eq!((base, psk), (3, 3));
    assert_eq!(encryptions, 3 * 257);
    assert_eq!(exports, 3 * 3);
    println!(
        "RFC 9180: {base} base-mode entries ({encryptions} encryptions, {exports} exports), {psk} PSK entries (KEM only)"
    );
}

#[test]
fn rfc9180_keys_in_an_x25519_stanza() {
    // The ChaCha20Poly1305 base-mode entry's keys, used as a printseal recipient: the
    // stanza carries the vector's enc, and the vector's receiver key opens it.
    let all = json(shared().join("hpke/test-vectors-x25519.json"));
    let v = all
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["mode"] == 0 && v["aead_id"] == 3)
        .unwrap();
    let mut pk = [0u8; 32];
    pk.copy_from_slice(&hx(v, "pkRm"));
    let recipient = X25519Recipient::from_bytes(pk).unwrap();
    let mut sk = [0u8; 32];
    sk.copy_from_slice(&hx(v, "skRm"));
    let identity = X25519Identity::from_bytes(sk);
    assert_eq!(identity.to_public(), recipient);
    let fk = FileKey::from_bytes([0x11; 32]);
    let stanza = recipient
        .wrap_file_key(&fk, &mut Replay(hx(v, "ikmE")))
        .unwrap();
    assert_eq!(stanza.kind(), kind::X25519_HPKE);
    assert_eq!(&stanza.body()[..8], &recipient.key_id());
    assert_eq!(stanza.body()[8..40].to_vec(), hx(v, "enc"));
    // The ciphertext is the single HPKE seal under info "printseal.v1 stanza 0x0010".
    let enc = <X as Kem>::EncappedKey::from_bytes(&hx(v, "enc")).unwrap();
    let mut rx = setup_receiver::<ChaCha20Poly1305, X>(
        &<X as Kem>::PrivateKey::from_bytes(&sk).unwrap(),
        &enc,
        b"printseal.v1 stanza 0x0010",
    )
    .unwrap();
    assert_eq!(
        rx.open(&stanza.body()[40..], &recipient.key_id()).unwrap(),
        [0x11; 32]
    );
    let got = identity.unwrap_stanza(&stanza).unwrap().unwrap();
    assert_eq!(got.expose_secret(), &[0x11; 32]);
}

/// DHKEM(X25519, HKDF-SHA256) ExtractAndExpand (RFC 9180 section 4.1), written out
/// here independently of the `hpke` crate.
fn dhkem_shared_secret(dh: &[u8], enc: &[u8], pk_rm: &[u8]) -> Vec<u8> {
    let suite_id = [b'K', b'E', b'M', 0x00, 0x20];
    let mut ikm = b"HPKE-v1".to_vec();
    ikm.extend_from_slice(&suite_id);
    ikm.extend_from_slice(b"eae_prk");
    ikm.extend_from_slice(dh);
    let hk = Hkdf::<Sha256>::new(Some(b""), &ikm);
    let mut info = vec![0x00, 0x20];
    info.extend_from_slice(b"HPKE-v1");
    info.extend_from_slice(&suite_id);
    info.extend_from_slice(b"shared_secret");
    info.extend_from_slice(enc);
    info.extend_from_slice(pk_rm);
    let mut out = vec![0u8; 32];
    hk.expand(&info, &mut out).unwrap();
    out
}

#[test]
fn wycheproof_x25519_through_the_dhkem() {
    let w = json(shared().join("wycheproof/x25519_test.json"));
    let (mut total, mut matched, mut refused) = (0, 0, 0);
    for group in w["testGroups"].as_array().unwrap() {
        assert_eq!(group["curve"], "curve25519");
        for t in group["tests"].as_array().unwrap() {
            total += 1;
            let id = t["tcId"].as_u64().unwrap();
            let flags: Vec<&str> = t["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            let (private, public, shared) = (hx(t, "private"), hx(t, "public"), hx(t, "shared"));
            let zero = flags.contains(&"ZeroSharedSecret");
            assert_eq!(zero, shared == [0u8; 32], "tcId {id}");
            let result = t["result"].as_str().unwrap();
            assert!(result == "valid" || result == "acceptable", "tcId {id}");

            let sk = <X as Kem>::PrivateKey::from_bytes(&private).unwrap();
            let enc = <X as Kem>::EncappedKey::from_bytes(&public).unwrap();
            let setup = setup_receiver::<ChaCha20Poly1305, X>(&sk, &enc, b"wycheproof");
            let mut sk_bytes = [0u8; 32];
            sk_bytes.copy_from_slice(&private);
            let identity = X25519Identity::from_bytes(sk_bytes);
            let mut pk_bytes = [0u8; 32];
            pk_bytes.copy_from_slice(&public);
            if zero {
                // The all-zero shared secret is refused by the receiver setup...
                assert!(setup.is_err(), "tcId {id}: all-zero shared secret accepted");
                assert!(X::decap(&sk, None, &enc).is_err(), "tcId {id}");
                // ...so a stanza carrying this point fails to unwrap...
                let mut body = identity.key_id().to_vec();
                body.extend_from_slice(&public);
                body.extend_from_slice(&[0u8; 48]);
                let s = Stanza::new(kind::X25519_HPKE, body).unwrap();
                assert!(
                    matches!(identity.unwrap_stanza(&s), Some(Err(Error::StanzaUnwrap))),
                    "tcId {id}"
                );
                // ...and a recipient key that is such a point is refused when parsed.
                assert_eq!(
                    X25519Recipient::from_bytes(pk_bytes),
                    Err(KeyParseError::InvalidKey),
                    "tcId {id}"
                );
                refused += 1;
            } else {
                assert!(setup.is_ok(), "tcId {id}");
                let ss = X::decap(&sk, None, &enc).unwrap();
                let pk_rm = identity.to_public().to_bytes();
                assert_eq!(
                    ss.0.to_vec(),
                    dhkem_shared_secret(&shared, &public, &pk_rm),
                    "tcId {id} ({flags:?})"
                );
                assert!(X25519Recipient::from_bytes(pk_bytes).is_ok(), "tcId {id}");
                matched += 1;
            }
        }
    }
    assert_eq!(total, 518);
    assert_eq!(total, w["numberOfTests"].as_u64().unwrap() as usize);
    println!(
        "Wycheproof x25519: {total} cases, {matched} shared secrets matched, {refused} all-zero refused"
    );
}

#[test]
fn xwing_known_answers() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/xwing/test-vectors.json");
    let all = json(path);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 3);
    for (i, v) in all.iter().enumerate() {
        let (seed, sk, pk) = (hx(v, "seed"), hx(v, "sk"), hx(v, "pk"));
        let (eseed, ct, ss) = (hx(v, "eseed"), hx(v, "ct"), hx(v, "ss"));
        assert_eq!(seed, sk, "the X-Wing secret key is its seed");
        let mut s = [0u8; 32];
        s.copy_from_slice(&sk);
        // Key generation from the seed.
        let identity = XWingIdentity::from_bytes(s);
        assert_eq!(identity.to_public().to_bytes(), pk, "vector {i}");
        let recipient = XWingRecipient::from_bytes(&pk).unwrap();
        assert_eq!(recipient, identity.to_public());
        // Encapsulation through the stanza path, with eseed as its randomness.
        let hpk = <XWing as Kem>::PublicKey::from_bytes(&pk).unwrap();
        let mut rng = Replay(eseed.clone());
        let (enc, _) = setup_sender::<ChaCha20Poly1305, XWing>(&hpk, b"kat", &mut rng).unwrap();
        assert!(rng.0.is_empty());
        assert_eq!(enc.to_bytes().to_vec(), ct, "vector {i}");
        // Decapsulation.
        let hsk = <XWing as Kem>::PrivateKey::from_bytes(&sk).unwrap();
        let enc = <XWing as Kem>::EncappedKey::from_bytes(&ct).unwrap();
        assert_eq!(
            XWing::decap(&hsk, None, &enc).unwrap().0.to_vec(),
            ss,
            "vector {i}"
        );
        // A whole stanza: it carries ct, and the identity unwraps it.
        let fk = FileKey::from_bytes([i as u8; 32]);
        let stanza = recipient.wrap_file_key(&fk, &mut Replay(eseed)).unwrap();
        assert_eq!(stanza.kind(), kind::XWING_HPKE);
        assert_eq!(stanza.body()[8..8 + 1120].to_vec(), ct);
        assert_eq!(
            identity
                .unwrap_stanza(&stanza)
                .unwrap()
                .unwrap()
                .expose_secret(),
            &[i as u8; 32]
        );
        // The wrong identity sees another key id; a changed ciphertext byte fails.
        assert!(
            XWingIdentity::from_bytes([9; 32])
                .unwrap_stanza(&stanza)
                .is_none()
        );
        let mut body = stanza.body().to_vec();
        body[8 + 500] ^= 4;
        let bad = Stanza::new(kind::XWING_HPKE, body).unwrap();
        assert!(matches!(
            identity.unwrap_stanza(&bad),
            Some(Err(Error::StanzaUnwrap))
        ));
    }
    assert_eq!(
        hpke_core::info(kind::XWING_HPKE).as_slice(),
        b"printseal.v1 stanza 0x0011"
    );
    println!("X-Wing KATs: {} vectors", all.len());
}
