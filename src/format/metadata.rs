//! Public metadata (authenticated, readable without a key) and private metadata
//! (encrypted under the file key).

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, Limit, Result};
use crate::format::cursor::{Cursor, Stop, complete};
use crate::limits::{
    MAX_CONTENT_TYPE, MAX_PRIVATE_ENTRIES, MAX_PRIVATE_KEY, MAX_PRIVATE_METADATA,
    MAX_PRIVATE_VALUE, MAX_SHORT_TEXT,
};

/// The metadata anyone can read from a sealed job's header. It is covered by the header
/// MAC and bound into the payload key, so it cannot be changed without detection by
/// anyone who opens the job; without a key it is readable but not yet authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PublicMetadata {
    /// Name of the software that sealed the job (for example `printseal`).
    pub producer_name: String,
    /// Version of that software (SemVer by convention).
    pub producer_version: String,
    /// SHA-256 of the producer's embedded SBOM, if it recorded one.
    pub sbom_sha256: Option<[u8; 32]>,
    /// MIME type of the payload, such as `application/pdf`.
    pub content_type: String,
    /// When the job was sealed, in seconds since the Unix epoch.
    pub created: u64,
    /// After this time (seconds since the Unix epoch) the job should not be opened.
    pub expires: Option<u64>,
    /// The print system's job identifier, if any.
    pub job_id: Option<String>,
}

/// Checks a short human-readable text field: UTF-8 (guaranteed by `&str`), no control
/// characters, within `max` bytes, and non-empty when `required`.
pub(crate) fn check_text(s: &str, max: usize, required: bool) -> Result<()> {
    if s.len() > max {
        return Err(Error::LimitExceeded(Limit::MetadataField));
    }
    if (required && s.is_empty()) || s.chars().any(char::is_control) {
        return Err(Error::InvalidInput(
            "metadata text (empty or control character)",
        ));
    }
    Ok(())
}

/// RFC 6838 `restricted-name` characters, for both halves of `type/subtype`.
fn check_content_type(s: &str) -> Result<()> {
    if s.len() > MAX_CONTENT_TYPE {
        return Err(Error::LimitExceeded(Limit::MetadataField));
    }
    let ok_part = |p: &str| {
        !p.is_empty()
            && p.len() <= 63
            && p.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match s.split_once('/') {
        Some((t, st)) if ok_part(t) && ok_part(st) => Ok(()),
        _ => Err(Error::InvalidInput(
            "content type (expected MIME type/subtype)",
        )),
    }
}

impl PublicMetadata {
    pub(crate) fn validate(&self) -> Result<()> {
        check_text(&self.producer_name, MAX_SHORT_TEXT, true)?;
        check_text(&self.producer_version, MAX_SHORT_TEXT, true)?;
        check_content_type(&self.content_type)?;
        if let Some(id) = &self.job_id {
            check_text(id, MAX_SHORT_TEXT, true)?;
        }
        if self.expires == Some(0) {
            return Err(Error::InvalidInput("expiry time 0 (0 encodes 'never')"));
        }
        Ok(())
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let short = |out: &mut Vec<u8>, s: &str| {
            out.push(s.len() as u8);
            out.extend_from_slice(s.as_bytes());
        };
        short(out, &self.producer_name);
        short(out, &self.producer_version);
        out.extend_from_slice(&self.sbom_sha256.unwrap_or([0; 32]));
        short(out, &self.content_type);
        out.extend_from_slice(&self.created.to_be_bytes());
        out.extend_from_slice(&self.expires.unwrap_or(0).to_be_bytes());
        short(out, self.job_id.as_deref().unwrap_or(""));
    }

    pub(crate) fn decode(block: &[u8]) -> Result<PublicMetadata> {
        let m = complete("public metadata", block, |c| {
            let producer_name = text(c, "producer name")?;
            let producer_version = text(c, "producer version")?;
            let sbom = c.array::<32>()?;
            let content_type = text(c, "content type")?;
            let created = c.u64()?;
            let expires = c.u64()?;
            let job_id = text(c, "job id")?;
            Ok(PublicMetadata {
                producer_name,
                producer_version,
                sbom_sha256: (sbom != [0; 32]).then_some(sbom),
                content_type,
                created,
                expires: (expires != 0).then_some(expires),
                job_id: (!job_id.is_empty()).then_some(job_id),
            })
        })?;
        m.validate()
            .map_err(|_| Error::MalformedHeader("public metadata field"))?;
        Ok(m)
    }
}

fn text(c: &mut Cursor<'_>, what: &'static str) -> core::result::Result<String, Stop> {
    let n = c.u8()? as usize;
    let bytes = c.take(n)?;
    core::str::from_utf8(bytes)
        .map(ToString::to_string)
        .map_err(|_| Stop::Fail(Error::MalformedHeader(what)))
}

/// Key/value pairs encrypted under the file key, such as the job title and owner.
///
/// Values are zeroized when dropped or replaced, and `Debug` shows the keys only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PrivateMetadata {
    /// Each value in an exact-size allocation of its own, wiped when it goes.
    entries: BTreeMap<String, Zeroizing<Vec<u8>>>,
}

impl PrivateMetadata {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces an entry.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty key or one with a control character;
    /// [`Error::LimitExceeded`] past the key, value, entry-count or total-size limits.
    pub fn insert(&mut self, key: &str, value: &[u8]) -> Result<()> {
        check_text(key, MAX_PRIVATE_KEY, true)?;
        if value.len() > MAX_PRIVATE_VALUE {
            return Err(Error::LimitExceeded(Limit::MetadataField));
        }
        if !self.entries.contains_key(key) && self.entries.len() >= MAX_PRIVATE_ENTRIES {
            return Err(Error::LimitExceeded(Limit::PrivateMetadataEntries));
        }
        // The replaced value (if any) is wiped when `old` goes.
        let old = self
            .entries
            .insert(key.to_string(), Zeroizing::new(value.to_vec()));
        if self.encoded_len() > MAX_PRIVATE_METADATA {
            match old {
                Some(v) => self.entries.insert(key.to_string(), v),
                None => self.entries.remove(key),
            };
            return Err(Error::LimitExceeded(Limit::PrivateMetadataSize));
        }
        Ok(())
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.entries.get(key).map(|v| v.as_slice())
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn encoded_len(&self) -> usize {
        1 + self
            .entries
            .iter()
            .map(|(k, v)| 1 + k.len() + 2 + v.len())
            .sum::<usize>()
    }

    /// `count u8`, then per entry in ascending byte order of the key:
    /// `key_len u8 | key | value_len u16 | value`.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.push(self.entries.len() as u8);
        for (k, v) in &self.entries {
            out.push(k.len() as u8);
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(&(v.len() as u16).to_be_bytes());
            out.extend_from_slice(v);
        }
        out
    }

    pub(crate) fn decode(plaintext: &[u8]) -> Result<PrivateMetadata> {
        if plaintext.len() > MAX_PRIVATE_METADATA {
            return Err(Error::LimitExceeded(Limit::PrivateMetadataSize));
        }
        complete("private metadata", plaintext, |c| {
            let count = c.u8()? as usize;
            if count > MAX_PRIVATE_ENTRIES {
                return Err(Stop::Fail(Error::LimitExceeded(
                    Limit::PrivateMetadataEntries,
                )));
            }
            let mut m = PrivateMetadata::new();
            let mut last: Option<String> = None;
            for _ in 0..count {
                let key = text(c, "private metadata key")?;
                let vlen = c.u16()? as usize;
                if vlen > MAX_PRIVATE_VALUE {
                    return Err(Stop::Fail(Error::LimitExceeded(Limit::MetadataField)));
                }
                let value = c.take(vlen)?;
                // Strictly ascending keys: one encoding per set, no duplicates.
                if last
                    .as_deref()
                    .is_some_and(|l| l.as_bytes() >= key.as_bytes())
                {
                    return Err(Stop::Fail(Error::MalformedHeader(
                        "private metadata key order",
                    )));
                }
                check_text(&key, MAX_PRIVATE_KEY, true)
                    .map_err(|_| Stop::Fail(Error::MalformedHeader("private metadata key")))?;
                m.entries
                    .insert(key.clone(), Zeroizing::new(value.to_vec()));
                last = Some(key);
            }
            Ok(m)
        })
    }
}

impl fmt::Debug for PrivateMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateMetadata")
            .field("keys", &self.entries.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
