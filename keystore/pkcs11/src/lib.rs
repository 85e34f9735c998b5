#![doc = include_str!("../README.md")]

mod errors;
mod module;
pub mod uri;

use std::fmt;
use std::sync::{Arc, Mutex};

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::RawAuthPin;
use printseal::format::stanza::{Stanza, kind};
use printseal::recipient::kek::{KEY_ID_SIZE, STANZA_BODY_LEN, WRAPPED_SIZE};
use printseal::{
    Error, FileKey, Identity, Kek, KeyStoreFailure, QuantumSecurity, Recipient, Result,
};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::errors::{from_cryptoki, is_bad_wrap, is_vague, ks, session_broken};
pub use crate::uri::{PinSource, Pkcs11Uri};

/// The domain-separation prefix of a key id derived from a `CKA_ID` that is not
/// 16 bytes long (see [`key_id_for_cka_id`]).
pub const DERIVED_KEY_ID_LABEL: &[u8] = b"printseal.v1 pkcs11 CKA_ID";

/// Longest PIN file read, in bytes.
pub const MAX_PIN_FILE: u64 = 1024;

/// Most idle sessions a [`Pkcs11Kek`] keeps open for reuse; threads beyond that open
/// a session for their call and close it after.
pub const MAX_IDLE_SESSIONS: usize = 4;

/// The stanza key id of a token key whose `CKA_ID` is `cka_id`.
///
/// A KEK stanza (`docs/FORMAT.md` §8.1) carries a 16-byte key id. A `CKA_ID` of
/// exactly 16 bytes *is* the key id, byte for byte, so a KEK imported into a token
/// with `CKA_ID` = the software [`Kek`]'s id opens (and writes) the very same stanzas.
/// Any other length (tokens and tools often use short ids such as `%01`) maps to the
/// first 16 bytes of `SHA-256(DERIVED_KEY_ID_LABEL || cka_id)`; a software `Kek`
/// with that id and the same key value is again byte-compatible. Returns `None` for
/// an empty `CKA_ID`, which names nothing.
pub fn key_id_for_cka_id(cka_id: &[u8]) -> Option<[u8; KEY_ID_SIZE]> {
    if cka_id.is_empty() {
        return None;
    }
    if let Ok(id) = <[u8; KEY_ID_SIZE]>::try_from(cka_id) {
        return Some(id);
    }
    let digest = Sha256::new()
        .chain_update(DERIVED_KEY_ID_LABEL)
        .chain_update(cka_id)
        .finalize();
    let mut id = [0u8; KEY_ID_SIZE];
    id.copy_from_slice(&digest[..KEY_ID_SIZE]);
    Some(id)
}

/// A 256-bit AES key-encryption key that lives in a PKCS#11 token (an HSM, a smart
/// card, SoftHSM2) and never leaves it: a [`Recipient`] and an [`Identity`] for the
/// KEK stanza kind `0x0001` (AES-256-KWP, RFC 5649).
///
/// Sealing creates the file key as a short-lived session object and asks the token
/// to wrap it (`C_WrapKey` with `CKM_AES_KEY_WRAP_PAD`); opening asks the token to
/// unwrap the stanza into a session object (`C_UnwrapKey`, no `CKA_VALUE_LEN`: the
/// wrap carries the length), reads it and destroys it. Both give stanzas
/// byte-identical to the software [`Kek`] with the same key value and id.
///
/// A stanza of another kind or another key id is skipped (`None`) without any call
/// to the token. A token failure (module gone, token removed, PIN refused, key not
/// permitted) is [`Error::KeyStore`], never [`Error::NoMatchingRecipient`].
///
/// `Send + Sync` and cheap to clone (the clones share one logged-in token and a pool
/// of up to [`MAX_IDLE_SESSIONS`] idle sessions; cryptoki's `Session` is `Send` but
/// not `Sync`, so each call takes a session of its own from the pool). `Debug` shows
/// the token and key ids, never the PIN, which is not kept after login.
#[derive(Clone)]
pub struct Pkcs11Kek {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: Pkcs11,
    slot: Slot,
    token_label: String,
    key: ObjectHandle,
    cka_id: Vec<u8>,
    key_id: [u8; KEY_ID_SIZE],
    can_wrap: bool,
    can_unwrap: bool,
    idle: Mutex<Vec<Session>>,
    /// Never used for operations: holds the login, which PKCS#11 drops when the
    /// process's last session on the token closes. In a mutex only to be `Sync`.
    _login: Mutex<Session>,
}

impl fmt::Debug for Pkcs11Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Pkcs11Kek")
            .field("token", &i.token_label)
            .field("slot", &i.slot.id())
            .field("cka_id", &Hex(&i.cka_id))
            .field("key_id", &Hex(&i.key_id))
            .field("wrap", &i.can_wrap)
            .field("unwrap", &i.can_unwrap)
            .finish_non_exhaustive()
    }
}

struct Hex<'a>(&'a [u8]);
impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// A logged-in token: its context, slot, label and the session that holds the login.
struct Token {
    ctx: Pkcs11,
    slot: Slot,
    label: String,
    login: Session,
    logged_in: bool,
    login_required: bool,
}

fn read_pin(source: &PinSource) -> Result<RawAuthPin> {
    use std::io::Read;
    let PinSource::File(path) = source;
    let fail = |what: String| ks(KeyStoreFailure::Other, what);
    let file = std::fs::File::open(path)
        .map_err(|e| fail(format!("pin-source {}: {}", path.display(), e.kind())))?;
    let mut buf = Zeroizing::new(Vec::new());
    file.take(MAX_PIN_FILE + 1)
        .read_to_end(&mut buf)
        .map_err(|e| fail(format!("pin-source {}: {}", path.display(), e.kind())))?;
    if buf.len() as u64 > MAX_PIN_FILE {
        return Err(fail(format!(
            "pin-source {}: longer than {MAX_PIN_FILE} bytes",
            path.display()
        )));
    }
    let line_end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    let mut line = &buf[..line_end];
    if let Some(l) = line.strip_suffix(b"\r") {
        line = l;
    }
    if std::str::from_utf8(line).is_err() {
        return Err(fail(format!("pin-source {}: not UTF-8", path.display())));
    }
    Ok(RawAuthPin::new(Box::new(line.to_vec())))
}

fn tokens_match(uri: &Pkcs11Uri, ctx: &Pkcs11, slot: Slot) -> std::result::Result<bool, CkError> {
    if uri.slot_id.is_some_and(|id| id != slot.id()) {
        return Ok(false);
    }
    if uri.slot_description.is_some() || uri.slot_manufacturer.is_some() {
        let info = ctx.get_slot_info(slot)?;
        if uri
            .slot_description
            .as_deref()
            .is_some_and(|d| d != info.slot_description())
            || uri
                .slot_manufacturer
                .as_deref()
                .is_some_and(|m| m != info.manufacturer_id())
        {
            return Ok(false);
        }
    }
    let info = ctx.get_token_info(slot)?;
    let ok = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    Ok(ok(&uri.token, info.label())
        && ok(&uri.manufacturer, info.manufacturer_id())
        && ok(&uri.serial, info.serial_number())
        && ok(&uri.model, info.model()))
}

fn describe_token(uri: &Pkcs11Uri) -> String {
    let mut parts = Vec::new();
    for (name, v) in [
        ("token", &uri.token),
        ("manufacturer", &uri.manufacturer),
        ("serial", &uri.serial),
        ("model", &uri.model),
        ("slot-description", &uri.slot_description),
        ("slot-manufacturer", &uri.slot_manufacturer),
    ] {
        if let Some(v) = v {
            parts.push(format!("{name}={v:?}"));
        }
    }
    if let Some(id) = uri.slot_id {
        parts.push(format!("slot-id={id}"));
    }
    if parts.is_empty() {
        "any token".to_owned()
    } else {
        parts.join(" ")
    }
}

impl Token {
    /// Loads the module, finds the one token the URI selects, opens a session and
    /// logs in with `pin` (or the URI's `pin-source`).
    fn connect(uri: &Pkcs11Uri, pin: Option<&[u8]>, read_write: bool) -> Result<Token> {
        let pin: Option<RawAuthPin> = match (pin, uri.pin_source()) {
            (Some(_), Some(_)) => {
                return Err(Error::InvalidInput(
                    "PKCS#11: a PIN was given and the URI has a pin-source: give one of them",
                ));
            }
            (Some(p), None) => Some(RawAuthPin::new(Box::new(p.to_vec()))),
            (None, Some(src)) => Some(read_pin(src)?),
            (None, None) => None,
        };
        let ctx = module::context(uri.module_path())?;
        let slots = ctx
            .get_slots_with_token()
            .map_err(|e| from_cryptoki("C_GetSlotList", &e))?;
        let mut found = Vec::new();
        for slot in slots {
            match tokens_match(uri, &ctx, slot) {
                Ok(true) => found.push(slot),
                Ok(false) => {}
                // A token that went away between the slot list and its info.
                Err(CkError::Pkcs11(
                    RvError::TokenNotPresent | RvError::TokenNotRecognized | RvError::SlotIdInvalid,
                    _,
                )) => {}
                Err(e) => return Err(from_cryptoki("C_GetTokenInfo", &e)),
            }
        }
        let slot = match found[..] {
            [slot] => slot,
            [] => {
                return Err(ks(
                    KeyStoreFailure::TokenAbsent,
                    format!(
                        "no token matching {} in {}",
                        describe_token(uri),
                        uri.module_path().display()
                    ),
                ));
            }
            _ => {
                return Err(ks(
                    KeyStoreFailure::Other,
                    format!(
                        "{} tokens match {}: add token= or serial= to the URI",
                        found.len(),
                        describe_token(uri)
                    ),
                ));
            }
        };
        let info = ctx
            .get_token_info(slot)
            .map_err(|e| from_cryptoki("C_GetTokenInfo", &e))?;
        let label = info.label().to_owned();
        let login = if read_write {
            ctx.open_rw_session(slot)
        } else {
            ctx.open_ro_session(slot)
        }
        .map_err(|e| from_cryptoki(&format!("C_OpenSession on token {label:?}"), &e))?;
        let logged_in = match &pin {
            Some(pin) => login_user(&login, Some(pin), &label)?,
            None if info.protected_authentication_path() => login_user(&login, None, &label)?,
            None => false,
        };
        Ok(Token {
            ctx,
            slot,
            label,
            login,
            logged_in,
            login_required: info.login_required(),
        })
    }

    /// The one secret key the URI names.
    fn find_key(&self, uri: &Pkcs11Uri) -> Result<Option<ObjectHandle>> {
        let mut template = vec![Attribute::Class(ObjectClass::SECRET_KEY)];
        if let Some(id) = uri.id() {
            template.push(Attribute::Id(id.to_vec()));
        }
        if let Some(label) = uri.object() {
            template.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        let found = self
            .login
            .find_objects(&template)
            .map_err(|e| from_cryptoki("C_FindObjects", &e))?;
        match found[..] {
            [] => Ok(None),
            [key] => Ok(Some(key)),
            _ => Err(ks(
                KeyStoreFailure::Other,
                format!(
                    "{} secret keys match {} in token {:?}: make the URI name one",
                    found.len(),
                    uri.describe_key(),
                    self.label
                ),
            )),
        }
    }

    fn not_found(&self, uri: &Pkcs11Uri) -> Error {
        if !self.logged_in && self.login_required {
            ks(
                KeyStoreFailure::PinIncorrect,
                format!(
                    "no secret key {} visible in token {:?} without login, and no PIN given: \
                     add pin-source=file:/path to the URI",
                    uri.describe_key(),
                    self.label
                ),
            )
        } else {
            ks(
                KeyStoreFailure::KeyNotFound,
                format!(
                    "no secret key {} in token {:?}",
                    uri.describe_key(),
                    self.label
                ),
            )
        }
    }
}

/// `C_Login` as the user; `Ok(true)` when logged in (also when the process already was).
///
/// The PIN is passed as bytes (`C_Login` takes `CK_UTF8CHAR`s; some tokens accept
/// PINs that are not UTF-8). `None` logs in through a protected authentication path.
fn login_user(session: &Session, pin: Option<&RawAuthPin>, label: &str) -> Result<bool> {
    let done = match pin {
        Some(pin) => session.login_with_raw(UserType::User, pin),
        None => session.login(UserType::User, None),
    };
    match done {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(true),
        Err(e) => Err(from_cryptoki(&format!("C_Login to token {label:?}"), &e)),
    }
}

fn bool_attr(attrs: &[Attribute], ty: AttributeType) -> Option<bool> {
    attrs.iter().find_map(|a| match (a, ty) {
        (Attribute::Wrap(b), AttributeType::Wrap)
        | (Attribute::Unwrap(b), AttributeType::Unwrap) => Some(*b),
        _ => None,
    })
}

impl Pkcs11Kek {
    /// Opens the key named by an RFC 7512 URI (see [`uri`] for the attributes read),
    /// with the PIN from the URI's `pin-source` file, if any.
    ///
    /// Loads the module, selects the one token the URI matches, logs in, finds the one
    /// secret key and checks that it is an AES-256 key allowed to wrap or unwrap
    /// (`CKA_WRAP`, `CKA_UNWRAP`) and that the token offers `CKM_AES_KEY_WRAP_PAD`.
    ///
    /// ```no_run
    /// let kek = printseal_pkcs11::Pkcs11Kek::from_uri(
    ///     "pkcs11:token=print01;id=%01;type=secret-key\
    ///      ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/printseal/pin",
    /// )?;
    /// let job = printseal::seal(&printseal::SealOptions::new("application/pdf"), &[&kek], b"%PDF")?;
    /// assert_eq!(printseal::open(&job, &[&kek])?.plaintext, b"%PDF");
    /// # Ok::<(), printseal::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URI this crate refuses ([`Pkcs11Uri::parse`]);
    /// [`Error::KeyStore`] with [`KeyStoreFailure::ModuleUnavailable`] (module missing
    /// or not a PKCS#11 module), [`KeyStoreFailure::TokenAbsent`] (no token matches),
    /// [`KeyStoreFailure::PinIncorrect`] (PIN refused or locked, or needed and not
    /// given), [`KeyStoreFailure::KeyNotFound`], [`KeyStoreFailure::KeyNotPermitted`]
    /// (not AES-256, or neither `CKA_WRAP` nor `CKA_UNWRAP`), or
    /// [`KeyStoreFailure::Other`] (several tokens or keys match, PIN file unreadable,
    /// mechanism missing, any other token error).
    pub fn from_uri(uri: &str) -> Result<Pkcs11Kek> {
        Pkcs11Kek::open(&Pkcs11Uri::parse(uri)?, None)
    }

    /// Like [`Pkcs11Kek::from_uri`], with the user PIN given by the caller (from a
    /// prompt, a secrets manager, a binding's argument) instead of a `pin-source`.
    ///
    /// # Errors
    /// As [`Pkcs11Kek::from_uri`]; also [`Error::InvalidInput`] if the URI has a
    /// `pin-source` as well.
    pub fn from_uri_with_pin(uri: &str, pin: &str) -> Result<Pkcs11Kek> {
        Pkcs11Kek::open(&Pkcs11Uri::parse(uri)?, Some(pin))
    }

    /// Like [`Pkcs11Kek::from_uri_with_pin`], with the PIN as bytes: what `C_Login`
    /// takes, for callers that hold the PIN in a buffer they wipe (a binding's
    /// `bytes`/`bytearray`, a C `uint8_t *`) or a token whose PINs are not UTF-8.
    /// A `&str` PIN and its UTF-8 bytes log in alike. The bytes are copied into a
    /// buffer that is zeroized after login; the caller's buffer is not kept.
    ///
    /// # Errors
    /// As [`Pkcs11Kek::from_uri_with_pin`].
    pub fn from_uri_with_pin_bytes(uri: &str, pin: &[u8]) -> Result<Pkcs11Kek> {
        Pkcs11Kek::open_with_pin_bytes(&Pkcs11Uri::parse(uri)?, Some(pin))
    }

    /// Opens the key named by a parsed URI, with `pin` or the URI's `pin-source`.
    ///
    /// # Errors
    /// As [`Pkcs11Kek::from_uri_with_pin`].
    pub fn open(uri: &Pkcs11Uri, pin: Option<&str>) -> Result<Pkcs11Kek> {
        Pkcs11Kek::open_with_pin_bytes(uri, pin.map(str::as_bytes))
    }

    /// Opens the key named by a parsed URI, with a PIN given as bytes (see
    /// [`Pkcs11Kek::from_uri_with_pin_bytes`]) or the URI's `pin-source`.
    ///
    /// # Errors
    /// As [`Pkcs11Kek::from_uri_with_pin`].
    pub fn open_with_pin_bytes(uri: &Pkcs11Uri, pin: Option<&[u8]>) -> Result<Pkcs11Kek> {
        let token = Token::connect(uri, pin, false)?;
        let key = token.find_key(uri)?.ok_or_else(|| token.not_found(uri))?;
        Pkcs11Kek::from_handle(token, key, uri)
    }

    /// Generates a fresh AES-256 KEK inside the token and opens it: `CKA_TOKEN`,
    /// `CKA_PRIVATE`, `CKA_SENSITIVE`, not `CKA_EXTRACTABLE` (its value can never be
    /// read or wrapped out), `CKA_WRAP` and `CKA_UNWRAP` only (no encrypt, decrypt,
    /// sign or derive). The URI must give `id=` (16 bytes recommended: it is then the
    /// stanza key id as is) and may give `object=` as its label.
    ///
    /// # Errors
    /// As [`Pkcs11Kek::from_uri_with_pin`]; [`Error::InvalidInput`] without `id=`;
    /// [`Error::KeyStore`] with [`KeyStoreFailure::Other`] if a secret key with that
    /// id (or label) already exists, or the token refuses to generate it.
    pub fn generate_in_token(uri: &Pkcs11Uri, pin: Option<&str>) -> Result<Pkcs11Kek> {
        let id = uri.id().ok_or(Error::InvalidInput(
            "PKCS#11: generating a KEK needs id= in the URI",
        ))?;
        let token = Token::connect(uri, pin.map(str::as_bytes), true)?;
        let mut template = key_template(id, uri.object());
        template.push(Attribute::ValueLen(32.into()));
        token.refuse_existing(uri)?;
        let key = token
            .login
            .generate_key(&Mechanism::AesKeyGen, &template)
            .map_err(|e| from_cryptoki(&format!("C_GenerateKey in token {:?}", token.label), &e))?;
        Pkcs11Kek::from_handle(token, key, uri)
    }

    /// Imports a software [`Kek`] into the token as a non-extractable key with
    /// `CKA_ID` = the KEK's 16-byte id (so stanzas sealed to the software KEK open
    /// through the token, and the reverse), and opens it. Attributes as
    /// [`Pkcs11Kek::generate_in_token`]; `CKA_LOCAL` is false and
    /// `CKA_NEVER_EXTRACTABLE` too, since the value existed outside the token.
    /// Destroy the software copy afterwards if the token is to be its only home.
    ///
    /// # Errors
    /// As [`Pkcs11Kek::generate_in_token`]; [`Error::InvalidInput`] if the URI's
    /// `id=` is not the KEK's id.
    pub fn import_kek(uri: &Pkcs11Uri, pin: Option<&str>, kek: &Kek) -> Result<Pkcs11Kek> {
        if uri.id().is_some_and(|id| id != kek.id()) {
            return Err(Error::InvalidInput(
                "PKCS#11: the URI's id= differs from the imported KEK's id",
            ));
        }
        let mut uri = uri.clone();
        uri.id = Some(kek.id().to_vec());
        let token = Token::connect(&uri, pin.map(str::as_bytes), true)?;
        token.refuse_existing(&uri)?;
        let mut template = key_template(kek.id(), uri.object());
        template.push(Attribute::Value(kek.expose_secret().to_vec()));
        let created = token.login.create_object(&template);
        wipe(&mut template);
        let key = created.map_err(|e| {
            from_cryptoki(&format!("C_CreateObject in token {:?}", token.label), &e)
        })?;
        Pkcs11Kek::from_handle(token, key, &uri)
    }

    fn from_handle(token: Token, key: ObjectHandle, uri: &Pkcs11Uri) -> Result<Pkcs11Kek> {
        let attrs = token
            .login
            .get_attributes(
                key,
                &[
                    AttributeType::KeyType,
                    AttributeType::ValueLen,
                    AttributeType::Id,
                    AttributeType::Wrap,
                    AttributeType::Unwrap,
                ],
            )
            .map_err(|e| from_cryptoki("C_GetAttributeValue", &e))?;
        let what = format!("key {} in token {:?}", uri.describe_key(), token.label);
        let mut cka_id = Vec::new();
        let (mut key_type, mut value_len) = (None, None);
        for a in &attrs {
            match a {
                Attribute::KeyType(t) => key_type = Some(*t),
                Attribute::ValueLen(n) => value_len = Some(u64::from(*n)),
                Attribute::Id(id) => cka_id.clone_from(id),
                _ => {}
            }
        }
        // The stanza is AES-256-KWP: an AES-128 or AES-192 KEK would also give a
        // 40-byte wrap, of another algorithm. A token that hides the type or the
        // length is refused rather than trusted.
        match (key_type, value_len) {
            (Some(t), Some(32)) if t == KeyType::AES => {}
            (Some(t), _) if t != KeyType::AES => {
                return Err(ks(
                    KeyStoreFailure::KeyNotPermitted,
                    format!("{what} is a {t} key, not AES: the KEK stanza is AES-256-KWP"),
                ));
            }
            (Some(_), Some(n)) => {
                return Err(ks(
                    KeyStoreFailure::KeyNotPermitted,
                    format!(
                        "{what} is AES-{}, not AES-256: the KEK stanza is AES-256-KWP",
                        n.saturating_mul(8)
                    ),
                ));
            }
            _ => {
                return Err(ks(
                    KeyStoreFailure::Other,
                    format!("{what}: the token does not tell its CKA_KEY_TYPE and CKA_VALUE_LEN"),
                ));
            }
        }
        let key_id = key_id_for_cka_id(&cka_id).ok_or_else(|| {
            ks(
                KeyStoreFailure::KeyNotFound,
                format!("{what} has no CKA_ID: give it one (16 bytes are the stanza key id)"),
            )
        })?;
        let can_wrap = bool_attr(&attrs, AttributeType::Wrap).unwrap_or(false);
        let can_unwrap = bool_attr(&attrs, AttributeType::Unwrap).unwrap_or(false);
        if !can_wrap && !can_unwrap {
            return Err(ks(
                KeyStoreFailure::KeyNotPermitted,
                format!("{what} has neither CKA_WRAP nor CKA_UNWRAP"),
            ));
        }
        match token
            .ctx
            .get_mechanism_info(token.slot, Mechanism::AesKeyWrapPad.mechanism_type())
        {
            Ok(_) => {}
            Err(e) => {
                return Err(from_cryptoki(
                    &format!("token {:?} offers no CKM_AES_KEY_WRAP_PAD", token.label),
                    &e,
                ));
            }
        }
        Ok(Pkcs11Kek {
            inner: Arc::new(Inner {
                ctx: token.ctx,
                slot: token.slot,
                token_label: token.label,
                key,
                cka_id,
                key_id,
                can_wrap,
                can_unwrap,
                idle: Mutex::new(Vec::new()),
                _login: Mutex::new(token.login),
            }),
        })
    }

    /// The 16-byte key id its stanzas carry ([`key_id_for_cka_id`] of its `CKA_ID`).
    pub fn key_id(&self) -> &[u8; KEY_ID_SIZE] {
        &self.inner.key_id
    }

    /// The token object's `CKA_ID`.
    pub fn cka_id(&self) -> &[u8] {
        &self.inner.cka_id
    }

    /// The token's label.
    pub fn token_label(&self) -> &str {
        &self.inner.token_label
    }

    /// Whether the key may seal (`CKA_WRAP`).
    pub fn can_wrap(&self) -> bool {
        self.inner.can_wrap
    }

    /// Whether the key may open (`CKA_UNWRAP`).
    pub fn can_unwrap(&self) -> bool {
        self.inner.can_unwrap
    }

    fn session(&self) -> Result<PooledSession<'_>> {
        let idle = self
            .inner
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        let session = match idle {
            Some(s) => s,
            None => self
                .inner
                .ctx
                .open_ro_session(self.inner.slot)
                .map_err(|e| {
                    from_cryptoki(
                        &format!("C_OpenSession on token {:?}", self.inner.token_label),
                        &e,
                    )
                })?,
        };
        Ok(PooledSession {
            session: Some(session),
            inner: &self.inner,
            broken: false,
        })
    }

    /// `C_WrapKey(CKM_AES_KEY_WRAP_PAD)` of `file_key` (as a session object).
    fn wrap(&self, file_key: &FileKey) -> Result<Vec<u8>> {
        if !self.inner.can_wrap {
            return Err(ks(
                KeyStoreFailure::KeyNotPermitted,
                format!(
                    "key id {:?} in token {:?} has no CKA_WRAP: it may open jobs, not seal them",
                    Hex(&self.inner.key_id),
                    self.inner.token_label
                ),
            ));
        }
        let mut s = self.session()?;
        let mut template = vec![
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::Token(false),
            Attribute::Sensitive(true),
            Attribute::Extractable(true),
            Attribute::Value(file_key.expose_secret().to_vec()),
        ];
        let created = s.get().create_object(&template);
        wipe(&mut template);
        let object = created.map_err(|e| s.failed("C_CreateObject (file key)", &e))?;
        let wrapped = s
            .get()
            .wrap_key(&Mechanism::AesKeyWrapPad, self.inner.key, object);
        s.destroy(object);
        let wrapped = wrapped.map_err(|e| s.failed("C_WrapKey", &e))?;
        if wrapped.len() != WRAPPED_SIZE {
            return Err(ks(
                KeyStoreFailure::Other,
                format!(
                    "C_WrapKey(CKM_AES_KEY_WRAP_PAD) gave {} bytes, not {WRAPPED_SIZE}: \
                     the token's mechanism is not RFC 5649",
                    wrapped.len()
                ),
            ));
        }
        Ok(wrapped)
    }

    /// `C_UnwrapKey(CKM_AES_KEY_WRAP_PAD)` of `wrapped` into a session object, read
    /// and destroyed.
    fn unwrap(&self, wrapped: &[u8]) -> Result<FileKey> {
        if !self.inner.can_unwrap {
            return Err(ks(
                KeyStoreFailure::KeyNotPermitted,
                format!(
                    "key id {:?} in token {:?} has no CKA_UNWRAP: it may seal jobs, not open them",
                    Hex(&self.inner.key_id),
                    self.inner.token_label
                ),
            ));
        }
        let mut s = self.session()?;
        // No CKA_VALUE_LEN: the RFC 5649 wrap carries the length (and checks it).
        let template = [
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::Token(false),
            Attribute::Sensitive(false),
            Attribute::Extractable(true),
        ];
        let object = match s.get().unwrap_key(
            &Mechanism::AesKeyWrapPad,
            self.inner.key,
            wrapped,
            &template,
        ) {
            Ok(o) => o,
            Err(e) if is_bad_wrap(&e) => return Err(Error::StanzaUnwrap),
            // SoftHSM2 (2.6) reports a failed RFC 5649 integrity check as
            // CKR_GENERAL_ERROR rather than CKR_WRAPPED_KEY_INVALID. When the session
            // and the token still answer, the failure was the stanza's, as for the
            // software KEK; otherwise it is the token's.
            Err(e) if is_vague(&e) && s.token_answers() => return Err(Error::StanzaUnwrap),
            Err(e) => return Err(s.failed("C_UnwrapKey", &e)),
        };
        let read = s.get().get_attributes(object, &[AttributeType::Value]);
        s.destroy(object);
        let mut attrs = read.map_err(|e| s.failed("C_GetAttributeValue (file key)", &e))?;
        let mut key = None;
        for a in &mut attrs {
            if let Attribute::Value(v) = a {
                if let Ok(k) = <[u8; 32]>::try_from(v.as_slice()) {
                    key = Some(FileKey::from_bytes(k));
                }
            }
        }
        wipe(&mut attrs);
        // Another length under our KEK: someone who holds it wrapped something else.
        key.ok_or(Error::StanzaUnwrap)
    }
}

/// The template of a KEK made in (or imported into) the token.
fn key_template(id: &[u8], label: Option<&str>) -> Vec<Attribute> {
    let mut t = vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::AES),
        Attribute::Id(id.to_vec()),
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Wrap(true),
        Attribute::Unwrap(true),
        Attribute::Encrypt(false),
        Attribute::Decrypt(false),
        Attribute::Sign(false),
        Attribute::Verify(false),
        Attribute::Derive(false),
    ];
    if let Some(l) = label {
        t.push(Attribute::Label(l.as_bytes().to_vec()));
    }
    t
}

impl Token {
    fn refuse_existing(&self, uri: &Pkcs11Uri) -> Result<()> {
        let mut probe = uri.clone();
        probe.object = None;
        let by_id = self.find_key(&probe);
        let by_label = match uri.object() {
            Some(_) => {
                probe.object = uri.object.clone();
                probe.id = None;
                self.find_key(&probe)
            }
            None => Ok(None),
        };
        if !matches!(by_id, Ok(None)) || !matches!(by_label, Ok(None)) {
            return Err(ks(
                KeyStoreFailure::Other,
                format!(
                    "token {:?} already holds a secret key {}: refusing to add another",
                    self.label,
                    uri.describe_key()
                ),
            ));
        }
        Ok(())
    }
}

/// Zeroizes the values of key attributes in a template or a read-back.
fn wipe(attrs: &mut [Attribute]) {
    for a in attrs {
        if let Attribute::Value(v) = a {
            v.zeroize();
        }
    }
}

/// A session taken from the pool, returned to it on drop unless a call broke it
/// (then it is closed, which also destroys any session object left in it).
struct PooledSession<'a> {
    session: Option<Session>,
    inner: &'a Inner,
    broken: bool,
}

impl PooledSession<'_> {
    fn get(&self) -> &Session {
        // Only `Drop` takes the session out.
        self.session.as_ref().unwrap_or_else(|| unreachable!())
    }

    fn failed(&mut self, what: &str, e: &CkError) -> Error {
        if session_broken(e) {
            self.broken = true;
        }
        from_cryptoki(&format!("{what} in token {:?}", self.inner.token_label), e)
    }

    /// Whether the session and its token still answer (`C_GetSessionInfo`,
    /// `C_GetTokenInfo`), after a vague failure.
    fn token_answers(&mut self) -> bool {
        let ok = self.get().get_session_info().is_ok()
            && self.inner.ctx.get_token_info(self.inner.slot).is_ok();
        if !ok {
            self.broken = true;
        }
        ok
    }

    /// Destroys a session object; if the token refuses, closes the session instead,
    /// which destroys its session objects (PKCS#11 v2.40 §4.4).
    fn destroy(&mut self, object: ObjectHandle) {
        if self.get().destroy_object(object).is_err() {
            self.broken = true;
        }
    }
}

impl Drop for PooledSession<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            if !self.broken {
                let mut idle = self.inner.idle.lock().unwrap_or_else(|p| p.into_inner());
                if idle.len() < MAX_IDLE_SESSIONS {
                    idle.push(s);
                }
            }
        }
    }
}

impl Recipient for Pkcs11Kek {
    fn wrap_file_key(
        &self,
        file_key: &FileKey,
        _rng: &mut dyn rand_core::CryptoRng,
    ) -> Result<Stanza> {
        let wrapped = self.wrap(file_key)?;
        let mut body = Vec::with_capacity(STANZA_BODY_LEN);
        body.extend_from_slice(&self.inner.key_id);
        body.extend_from_slice(&wrapped);
        Stanza::new(kind::KEK_AES256_KWP, body)
    }

    /// A symmetric AES-256 key, like the software [`Kek`].
    fn quantum_security(&self) -> QuantumSecurity {
        QuantumSecurity::Symmetric
    }
}

impl Identity for Pkcs11Kek {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey>> {
        // Kind, size and key id are checked here, before any token call.
        if stanza.kind() != kind::KEK_AES256_KWP || stanza.body().len() != STANZA_BODY_LEN {
            return None;
        }
        let (id, wrapped) = stanza.body().split_at(KEY_ID_SIZE);
        if id != self.inner.key_id {
            return None;
        }
        Some(self.unwrap(wrapped))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_from_cka_ids() {
        // 16 bytes: the key id itself.
        assert_eq!(
            key_id_for_cka_id(b"printseal kek #1"),
            Some(*b"printseal kek #1")
        );
        // Other lengths: SHA-256("printseal.v1 pkcs11 CKA_ID" || CKA_ID)[..16], values
        // from Python's hashlib.
        let derived = |hex: &str| <[u8; 16]>::try_from(hex::decode(hex).unwrap()).unwrap();
        assert_eq!(
            key_id_for_cka_id(&[1]),
            Some(derived("b5d62e1def3f6a3fda2d8bf5059191e7"))
        );
        let seventeen: Vec<u8> = (0..17).collect();
        assert_eq!(
            key_id_for_cka_id(&seventeen),
            Some(derived("66edd639e4add446c1d3ea0a06920889"))
        );
        // 15 and 17 bytes are derived, not truncated or padded.
        assert_ne!(
            key_id_for_cka_id(&seventeen[..15]).unwrap()[..15],
            seventeen[..15]
        );
        assert_ne!(key_id_for_cka_id(&seventeen).unwrap()[..], seventeen[..16]);
        assert_eq!(key_id_for_cka_id(&[]), None);
    }

    #[test]
    fn pkcs11_kek_is_send_and_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Pkcs11Kek>();
    }
}
