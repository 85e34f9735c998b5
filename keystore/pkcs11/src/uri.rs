//! PKCS#11 URIs (RFC 7512) naming a KEK in a token.
//!
//! ```text
//! pkcs11:token=print01;id=%70%72...;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/printseal/pin
//! ```
//!
//! RFC 7512 §2.3: `pk11-URI = "pkcs11:" pk11-path [ "?" pk11-query ]`, the path a list
//! of `name=value` attributes separated by `;`, the query a list separated by `&`,
//! values percent-encoded (§2.3: "percent-encoding ... MUST be used for any octet that
//! is not allowed"). Each attribute may appear once.
//!
//! What this crate reads:
//!
//! | attribute | where | meaning |
//! |---|---|---|
//! | `token`, `manufacturer`, `serial`, `model` | path | select the token by its `CK_TOKEN_INFO` fields |
//! | `slot-id`, `slot-description`, `slot-manufacturer` | path | select the slot |
//! | `id` | path | the key's `CKA_ID` (binary, percent-encoded) |
//! | `object` | path | the key's `CKA_LABEL` |
//! | `type` | path | must be `secret-key` when present |
//! | `module-path` | query | absolute path of the PKCS#11 module (required) |
//! | `pin-source` | query | `file:/absolute/path` (or `/absolute/path`): the user PIN is the file's first line |
//!
//! Refused: `pin-value` (a PIN in a URI ends up on command lines, in shell history and
//! in process listings: give a `pin-source` file, or the PIN through the API),
//! `module-name` (no module search path: name the module by its absolute path),
//! `library-*` attributes, and attributes this crate does not know (a URI is a filter,
//! and ignoring part of it could select another key). Vendor attributes (`x-...`) in
//! the query are ignored, as RFC 7512 §2.3 allows.

use std::fmt;
use std::path::{Path, PathBuf};

use printseal::Error;

/// Longest URI accepted, in bytes.
pub const MAX_URI_LEN: usize = 4096;
/// Longest `CKA_ID` accepted in a URI, in bytes.
pub const MAX_ID_LEN: usize = 255;

/// Where the user PIN comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum PinSource {
    /// The first line of this file (a final `\n` or `\r\n` is dropped).
    File(PathBuf),
}

impl fmt::Debug for PinSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinSource::File(p) => f.debug_tuple("File").field(p).finish(),
        }
    }
}

/// A parsed PKCS#11 URI naming a secret key: which module, which token, which key,
/// and where the PIN comes from. Holds no PIN.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    pub(crate) token: Option<String>,
    pub(crate) manufacturer: Option<String>,
    pub(crate) serial: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) slot_id: Option<u64>,
    pub(crate) slot_description: Option<String>,
    pub(crate) slot_manufacturer: Option<String>,
    pub(crate) id: Option<Vec<u8>>,
    pub(crate) object: Option<String>,
    pub(crate) module_path: Option<PathBuf>,
    pub(crate) pin_source: Option<PinSource>,
}

fn invalid(what: &'static str) -> Error {
    Error::InvalidInput(what)
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes one attribute value (RFC 3986 §2.1).
fn pct_decode(v: &str) -> Result<Vec<u8>, Error> {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hi = b.get(i + 1).copied().and_then(hex_val);
                let lo = b.get(i + 2).copied().and_then(hex_val);
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push(h << 4 | l),
                    _ => return Err(invalid("PKCS#11 URI: bad percent-encoding")),
                }
                i += 3;
            }
            c if c <= b' ' || c == 0x7f => {
                return Err(invalid(
                    "PKCS#11 URI: space or control character (percent-encode it)",
                ));
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn text(v: &str) -> Result<String, Error> {
    String::from_utf8(pct_decode(v)?).map_err(|_| invalid("PKCS#11 URI: value is not UTF-8"))
}

fn set<T>(slot: &mut Option<T>, v: T) -> Result<(), Error> {
    if slot.is_some() {
        return Err(invalid("PKCS#11 URI: attribute given twice"));
    }
    *slot = Some(v);
    Ok(())
}

fn absolute(p: &str, what: &'static str) -> Result<PathBuf, Error> {
    let path = PathBuf::from(p);
    if !path.is_absolute() {
        return Err(invalid(what));
    }
    Ok(path)
}

impl Pkcs11Uri {
    /// Parses an RFC 7512 URI naming a secret key.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the problem: not a `pkcs11:` URI, longer than
    /// [`MAX_URI_LEN`], bad percent-encoding, an attribute given twice or unknown,
    /// `type` other than `secret-key`, neither `id` nor `object`, a `pin-value`, a
    /// missing or relative `module-path`, or a `pin-source` that is not an absolute file.
    pub fn parse(uri: &str) -> Result<Pkcs11Uri, Error> {
        if uri.len() > MAX_URI_LEN {
            return Err(invalid("PKCS#11 URI: longer than 4096 bytes"));
        }
        let rest = uri
            .strip_prefix("pkcs11:")
            .ok_or(invalid("PKCS#11 URI: does not start with pkcs11:"))?;
        if rest.contains('#') {
            return Err(invalid("PKCS#11 URI: fragment (#) not allowed"));
        }
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let mut u = Pkcs11Uri::default();
        for attr in path.split(';').filter(|a| !a.is_empty()) {
            let (name, value) = attr
                .split_once('=')
                .ok_or(invalid("PKCS#11 URI: path attribute without ="))?;
            match name {
                "token" => set(&mut u.token, text(value)?)?,
                "manufacturer" => set(&mut u.manufacturer, text(value)?)?,
                "serial" => set(&mut u.serial, text(value)?)?,
                "model" => set(&mut u.model, text(value)?)?,
                "slot-description" => set(&mut u.slot_description, text(value)?)?,
                "slot-manufacturer" => set(&mut u.slot_manufacturer, text(value)?)?,
                "slot-id" => {
                    let n = text(value)?
                        .parse::<u64>()
                        .map_err(|_| invalid("PKCS#11 URI: slot-id is not a decimal number"))?;
                    set(&mut u.slot_id, n)?;
                }
                "object" => set(&mut u.object, text(value)?)?,
                "id" => {
                    let id = pct_decode(value)?;
                    if id.is_empty() || id.len() > MAX_ID_LEN {
                        return Err(invalid("PKCS#11 URI: id must be 1 to 255 bytes"));
                    }
                    set(&mut u.id, id)?;
                }
                "type" => {
                    if text(value)? != "secret-key" {
                        return Err(invalid(
                            "PKCS#11 URI: a KEK is a secret key: type must be secret-key",
                        ));
                    }
                }
                "library-manufacturer" | "library-description" | "library-version" => {
                    return Err(invalid(
                        "PKCS#11 URI: library-* attributes are not supported (name the module by module-path)",
                    ));
                }
                _ => {
                    return Err(invalid("PKCS#11 URI: unknown path attribute"));
                }
            }
        }
        let mut seen_pin_source = false;
        let mut seen_module = false;
        for attr in query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|a| !a.is_empty())
        {
            let (name, value) = attr
                .split_once('=')
                .ok_or(invalid("PKCS#11 URI: query attribute without ="))?;
            match name {
                "module-path" => {
                    if std::mem::replace(&mut seen_module, true) {
                        return Err(invalid("PKCS#11 URI: attribute given twice"));
                    }
                    u.module_path = Some(absolute(
                        &text(value)?,
                        "PKCS#11 URI: module-path must be an absolute path",
                    )?);
                }
                "pin-source" => {
                    if std::mem::replace(&mut seen_pin_source, true) {
                        return Err(invalid("PKCS#11 URI: attribute given twice"));
                    }
                    let v = text(value)?;
                    let p = v
                        .strip_prefix("file://")
                        .or_else(|| v.strip_prefix("file:"))
                        .unwrap_or(&v);
                    u.pin_source = Some(PinSource::File(absolute(
                        p,
                        "PKCS#11 URI: pin-source must be file:/absolute/path",
                    )?));
                }
                "pin-value" => {
                    return Err(invalid(
                        "PKCS#11 URI: pin-value refused (a PIN must not be in a URI): use pin-source=file:/path",
                    ));
                }
                "module-name" => {
                    return Err(invalid(
                        "PKCS#11 URI: module-name is not supported: give module-path=/absolute/path",
                    ));
                }
                n if n.starts_with("x-") => {}
                _ => return Err(invalid("PKCS#11 URI: unknown query attribute")),
            }
        }
        if u.id.is_none() && u.object.is_none() {
            return Err(invalid(
                "PKCS#11 URI: name the key with id= (its CKA_ID) or object= (its CKA_LABEL)",
            ));
        }
        if u.module_path.is_none() {
            return Err(invalid(
                "PKCS#11 URI: module-path=/absolute/path/to/module.so is required",
            ));
        }
        Ok(u)
    }

    /// The key's `CKA_ID` (`id=`), if the URI gives one.
    pub fn id(&self) -> Option<&[u8]> {
        self.id.as_deref()
    }

    /// The key's `CKA_LABEL` (`object=`), if the URI gives one.
    pub fn object(&self) -> Option<&str> {
        self.object.as_deref()
    }

    /// The token label (`token=`), if the URI gives one.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The module (`module-path=`).
    pub fn module_path(&self) -> &Path {
        self.module_path.as_deref().unwrap_or(Path::new(""))
    }

    /// Where the PIN comes from (`pin-source=`), if anywhere.
    pub fn pin_source(&self) -> Option<&PinSource> {
        self.pin_source.as_ref()
    }

    /// A short description of the key for error details: token label and id or label.
    pub(crate) fn describe_key(&self) -> String {
        let mut s = String::new();
        if let Some(id) = &self.id {
            s.push_str("id=");
            for b in id {
                s.push_str(&format!("%{b:02x}"));
            }
        }
        if let Some(o) = &self.object {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&format!("object={o:?}"));
        }
        s
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    const M: &str = "module-path=/usr/lib/softhsm/libsofthsm2.so";

    fn err(uri: &str) -> &'static str {
        match Pkcs11Uri::parse(uri) {
            Err(Error::InvalidInput(w)) => w,
            other => panic!("{uri}: {other:?}"),
        }
    }

    #[test]
    fn full_uri() {
        let u = Pkcs11Uri::parse(&format!(
            "pkcs11:token=print%2001;manufacturer=SoftHSM%20project;serial=abc;model=SoftHSM%20v2;\
             slot-id=7;object=kek;id=%01%ff;type=secret-key?{M}&pin-source=file:/etc/pin&x-vendor=1"
        ))
        .unwrap();
        assert_eq!(u.token(), Some("print 01"));
        assert_eq!(u.manufacturer.as_deref(), Some("SoftHSM project"));
        assert_eq!(u.serial.as_deref(), Some("abc"));
        assert_eq!(u.model.as_deref(), Some("SoftHSM v2"));
        assert_eq!(u.slot_id, Some(7));
        assert_eq!(u.object(), Some("kek"));
        assert_eq!(u.id(), Some(&[0x01, 0xff][..]));
        assert_eq!(
            u.module_path(),
            Path::new("/usr/lib/softhsm/libsofthsm2.so")
        );
        assert_eq!(
            u.pin_source(),
            Some(&PinSource::File(PathBuf::from("/etc/pin")))
        );
        assert_eq!(u.describe_key(), "id=%01%ff object=\"kek\"");
    }

    #[test]
    fn pin_source_forms() {
        for (src, want) in [
            ("file:/run/pin", "/run/pin"),
            ("file:///run/pin", "/run/pin"),
            ("/run/pin", "/run/pin"),
            ("file:/run/my%20pin", "/run/my pin"),
        ] {
            let u = Pkcs11Uri::parse(&format!("pkcs11:id=%01?{M}&pin-source={src}")).unwrap();
            assert_eq!(u.pin_source(), Some(&PinSource::File(want.into())), "{src}");
        }
        let u = Pkcs11Uri::parse(&format!("pkcs11:object=k?{M}")).unwrap();
        assert_eq!(u.pin_source(), None);
        assert_eq!(u.id(), None);
    }

    #[test]
    fn refused_uris() {
        let cases = [
            ("pkcs12:id=%01", "does not start with pkcs11:"),
            ("id=%01", "does not start with pkcs11:"),
            (
                &format!("pkcs11:id=%01?{M}&pin-value=1234"),
                "pin-value refused",
            ),
            ("pkcs11:id=%01?module-name=softhsm2", "module-name"),
            ("pkcs11:id=%01", "module-path"),
            ("pkcs11:id=%01?module-path=libsofthsm2.so", "absolute"),
            (
                &format!("pkcs11:id=%01?{M}&pin-source=pin.txt"),
                "pin-source",
            ),
            (
                &format!("pkcs11:id=%01?{M}&pin-source=|/bin/cat"),
                "pin-source",
            ),
            (&format!("pkcs11:token=a?{M}"), "id= (its CKA_ID)"),
            (
                &format!("pkcs11:id=%01;type=private?{M}"),
                "type must be secret-key",
            ),
            (&format!("pkcs11:id=%01;id=%02?{M}"), "given twice"),
            (&format!("pkcs11:id=%01?{M}&{M}"), "given twice"),
            (&format!("pkcs11:id=%0?{M}"), "percent-encoding"),
            (&format!("pkcs11:id=%zz?{M}"), "percent-encoding"),
            (
                &format!("pkcs11:id=%01;colour=blue?{M}"),
                "unknown path attribute",
            ),
            (
                &format!("pkcs11:id=%01?{M}&colour=blue"),
                "unknown query attribute",
            ),
            (&format!("pkcs11:id=%01;library-version=1?{M}"), "library-*"),
            (&format!("pkcs11:id=%01;slot-id=x?{M}"), "slot-id"),
            (&format!("pkcs11:id=?{M}"), "1 to 255 bytes"),
            (&format!("pkcs11:id=%01;token?{M}"), "without ="),
            (&format!("pkcs11:id=%01;token=a b?{M}"), "space or control"),
            (&format!("pkcs11:id=%01;token=%ff?{M}"), "not UTF-8"),
            (&format!("pkcs11:id=%01?{M}#frag"), "fragment"),
        ];
        for (uri, want) in cases {
            let got = err(uri);
            assert!(got.contains(want), "{uri}: {got}");
        }
        let long = format!("pkcs11:id=%01;token={}?{M}", "a".repeat(MAX_URI_LEN));
        assert!(err(&long).contains("4096"));
        let big_id = format!("pkcs11:id={}?{M}", "%01".repeat(MAX_ID_LEN + 1));
        assert!(err(&big_id).contains("1 to 255"));
        let max_id = format!("pkcs11:id={}?{M}", "%01".repeat(MAX_ID_LEN));
        assert_eq!(
            Pkcs11Uri::parse(&max_id).unwrap().id().map(<[u8]>::len),
            Some(MAX_ID_LEN)
        );
    }
}
