//! Text form of public-key recipients and identities: Bech32 (BIP-173) with a distinct
//! human-readable prefix per key type and role.
//!
//! | what                         | prefix (HRP + `1`)             | data            |
//! |------------------------------|--------------------------------|-----------------|
//! | X25519 recipient (public)    | `printseal1`                   | 32-byte key     |
//! | X-Wing recipient (public)    | `printseal-pq1`                | 1216-byte key   |
//! | X25519 identity (secret)     | `PRINTSEAL-SECRET-KEY-1`       | 32-byte scalar  |
//! | X-Wing identity (secret)     | `PRINTSEAL-SECRET-KEY-PQ-1`    | 32-byte seed    |
//! | KEK (secret, symmetric)      | `PRINTSEAL-KEK-1`              | 16-byte key id, 32-byte key |
//!
//! Public keys are written in lower case, secret keys in upper case (so that a secret
//! key stands out in a config file); either case parses, mixed case does not. A parser
//! checks the prefix first, so that a post-quantum key given where a classical one is
//! expected (or a secret key where a public one is) gets an error that says so.
//!
//! Why Bech32: its BCH checksum catches typos and truncation, the prefix tells key
//! types apart, and the alphabet survives copy and paste, e-mail and QR codes. BIP-173
//! caps strings at 90 characters and the BCH code is designed for at most 1023; an
//! X-Wing public key needs about 1960. Like age's post-quantum keys, printseal uses
//! the Bech32 checksum without the length cap. Past 1023 characters the checksum
//! still misses a random corruption with probability about 2^-30, but it loses the
//! guarantee of catching every error of up to four characters. The 32-byte keys stay
//! far inside the guaranteed range.
//!
//! Every accepted string is canonical: decoding and re-encoding gives it back (in
//! either case), so one key has exactly one lower-case and one upper-case form.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use bech32::primitives::decode::UncheckedHrpstring;
use bech32::{Checksum, Fe32, Fe1024, Hrp};
use zeroize::Zeroizing;

/// Human-readable part of X25519 recipients: `printseal1…`.
pub const HRP_X25519_RECIPIENT: &str = "printseal";
/// Human-readable part of X-Wing (post-quantum hybrid) recipients: `printseal-pq1…`.
pub const HRP_XWING_RECIPIENT: &str = "printseal-pq";
/// Human-readable part of X25519 identities: `PRINTSEAL-SECRET-KEY-1…`.
pub const HRP_X25519_IDENTITY: &str = "printseal-secret-key-";
/// Human-readable part of X-Wing identities: `PRINTSEAL-SECRET-KEY-PQ-1…`.
pub const HRP_XWING_IDENTITY: &str = "printseal-secret-key-pq-";

/// Human-readable part of key-encryption keys: `PRINTSEAL-KEK-1…` (key id, then key).
pub const HRP_KEK: &str = "printseal-kek-";

/// Longest key string a parser looks at: an X-Wing public key is about 1960
/// characters. Longer input is refused before any decoding.
const MAX_KEY_STRING: usize = 4096;

/// The Bech32 checksum (BIP-173: generator and target residue 1) without the
/// 1023-character code length, for X-Wing public keys. See the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Bech32Unbounded {}

impl Checksum for Bech32Unbounded {
    type MidstateRepr = u32;
    type CorrectionField = Fe1024;
    const ROOT_GENERATOR: Self::CorrectionField = Fe1024::new([Fe32::P, Fe32::X]);
    const ROOT_EXPONENTS: core::ops::RangeInclusive<usize> = 24..=26;
    const CODE_LENGTH: usize = MAX_KEY_STRING;
    const CHECKSUM_LENGTH: usize = 6;
    // BIP-173's generator coefficients (the same as Bitcoin Core's src/bech32.cpp).
    const GENERATOR_SH: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    const TARGET_RESIDUE: u32 = 1;
}

/// Why a key string or key bytes were refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyParseError {
    /// The string is not Bech32 at all: no `1` separator, a character outside the
    /// Bech32 alphabet, mixed case, or longer than any key.
    NotBech32,
    /// The prefix names another kind of key than the one asked for.
    WrongPrefix {
        /// The prefix this parser accepts (human-readable part and `1`).
        expected: &'static str,
        /// What a key with the prefix found is: "X-Wing (post-quantum) recipient",
        /// "X25519 identity (secret key)", or "unknown".
        found: &'static str,
    },
    /// The Bech32 checksum does not match: a typo, or a truncated or damaged key.
    BadChecksum,
    /// The checksum matches but the string is not the canonical encoding of its bytes
    /// (non-zero or excess padding bits).
    NonCanonical,
    /// The key has the wrong number of bytes.
    WrongLength {
        /// Bytes a key of this kind has.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
    /// The bytes are not a valid key of this kind (an X25519 public key of small
    /// order, or an X-Wing public key whose ML-KEM part is not reduced).
    InvalidKey,
}

impl fmt::Display for KeyParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyParseError::NotBech32 => f.write_str("not a printseal key (not valid Bech32)"),
            KeyParseError::WrongPrefix { expected, found } => write!(
                f,
                "wrong key prefix: expected a key starting with {expected}, found a {found} key"
            ),
            KeyParseError::BadChecksum => {
                f.write_str("bad key checksum (typo, or the key was truncated or damaged)")
            }
            KeyParseError::NonCanonical => f.write_str("non-canonical key encoding"),
            KeyParseError::WrongLength { expected, found } => {
                write!(
                    f,
                    "wrong key length: expected {expected} bytes, found {found}"
                )
            }
            KeyParseError::InvalidKey => f.write_str("invalid key for its kind"),
        }
    }
}

impl core::error::Error for KeyParseError {}

impl From<KeyParseError> for crate::Error {
    fn from(e: KeyParseError) -> crate::Error {
        crate::Error::InvalidInput(match e {
            KeyParseError::NotBech32 => "key is not valid Bech32",
            KeyParseError::WrongPrefix { .. } => "wrong key prefix",
            KeyParseError::BadChecksum => "bad key checksum",
            KeyParseError::NonCanonical => "non-canonical key encoding",
            KeyParseError::WrongLength { .. } => "wrong key length",
            KeyParseError::InvalidKey => "invalid key",
        })
    }
}

/// The prefix as users see it, for error messages.
fn display_prefix(hrp: &'static str) -> &'static str {
    match hrp {
        HRP_X25519_RECIPIENT => "printseal1",
        HRP_XWING_RECIPIENT => "printseal-pq1",
        HRP_X25519_IDENTITY => "PRINTSEAL-SECRET-KEY-1",
        HRP_XWING_IDENTITY => "PRINTSEAL-SECRET-KEY-PQ-1",
        HRP_KEK => "PRINTSEAL-KEK-1",
        _ => "?",
    }
}

fn describe(hrp_lower: &str) -> &'static str {
    match hrp_lower {
        HRP_X25519_RECIPIENT => "X25519 recipient (public)",
        HRP_XWING_RECIPIENT => "X-Wing (post-quantum) recipient (public)",
        HRP_X25519_IDENTITY => "X25519 identity (secret)",
        HRP_XWING_IDENTITY => "X-Wing (post-quantum) identity (secret)",
        HRP_KEK => "key-encryption key (secret)",
        _ => "unknown",
    }
}

/// Encodes `data` under `hrp`. Upper case for secrets. The string is built in a
/// buffer of its final size, so that no reallocation leaves a copy of a secret behind.
///
/// Infallible by construction: `hrp` is checked when its constant is evaluated (at
/// compile time, see [`hrp`]), and the checksummed character iterator cannot fail (the
/// unbounded checksum has no length limit).
pub(crate) fn encode(hrp: &Hrp, data: &[u8], upper: bool) -> Zeroizing<String> {
    use bech32::{ByteIterExt, Fe32IterExt};
    let len = hrp.len() + 1 + (data.len() * 8).div_ceil(5) + Bech32Unbounded::CHECKSUM_LENGTH;
    let mut s = Zeroizing::new(String::with_capacity(len));
    let chars = data
        .iter()
        .copied()
        .bytes_to_fes()
        .with_checksum::<Bech32Unbounded>(hrp)
        .chars();
    s.extend(chars.map(|c| if upper { c.to_ascii_uppercase() } else { c }));
    s
}

/// The human-readable parts as [`Hrp`] values, built at compile time (a constant that
/// did not fit would fail the build, not a call).
pub(crate) mod hrp {
    use bech32::Hrp;

    /// [`super::HRP_X25519_RECIPIENT`].
    pub(crate) const X25519_RECIPIENT: Hrp = Hrp::parse_unchecked(super::HRP_X25519_RECIPIENT);
    /// [`super::HRP_XWING_RECIPIENT`].
    pub(crate) const XWING_RECIPIENT: Hrp = Hrp::parse_unchecked(super::HRP_XWING_RECIPIENT);
    /// [`super::HRP_X25519_IDENTITY`].
    pub(crate) const X25519_IDENTITY: Hrp = Hrp::parse_unchecked(super::HRP_X25519_IDENTITY);
    /// [`super::HRP_XWING_IDENTITY`].
    pub(crate) const XWING_IDENTITY: Hrp = Hrp::parse_unchecked(super::HRP_XWING_IDENTITY);
    /// [`super::HRP_KEK`].
    pub(crate) const KEK: Hrp = Hrp::parse_unchecked(super::HRP_KEK);
}

/// Decodes a key string whose human-readable part must be `hrp` and whose data must
/// be `len` bytes. Surrounding ASCII white space is ignored.
pub(crate) fn decode(
    s: &str,
    hrp: &'static str,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, KeyParseError> {
    let s = s.trim_ascii();
    if s.len() > MAX_KEY_STRING {
        return Err(KeyParseError::NotBech32);
    }
    let unchecked = UncheckedHrpstring::new(s).map_err(|_| KeyParseError::NotBech32)?;
    // Equal to `hrp` but for case once checked below; the canonical re-encoding uses it.
    let parsed = unchecked.hrp();
    let found = Zeroizing::new(parsed.to_lowercase());
    if found.as_str() != hrp {
        return Err(KeyParseError::WrongPrefix {
            expected: display_prefix(hrp),
            found: describe(&found),
        });
    }
    let checked = unchecked
        .validate_and_remove_checksum::<Bech32Unbounded>()
        .map_err(|_| KeyParseError::BadChecksum)?;
    let mut data = Zeroizing::new(Vec::with_capacity(len));
    data.extend(checked.byte_iter());
    if data.len() != len {
        return Err(KeyParseError::WrongLength {
            expected: len,
            found: data.len(),
        });
    }
    let again = encode(&parsed, &data, false);
    if !again.eq_ignore_ascii_case(s) {
        return Err(KeyParseError::NonCanonical);
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hrp_constant_is_valid_bech32_and_round_trips() {
        for (text, hrp) in [
            (HRP_X25519_RECIPIENT, hrp::X25519_RECIPIENT),
            (HRP_XWING_RECIPIENT, hrp::XWING_RECIPIENT),
            (HRP_X25519_IDENTITY, hrp::X25519_IDENTITY),
            (HRP_XWING_IDENTITY, hrp::XWING_IDENTITY),
        ] {
            assert_eq!(Hrp::parse(text), Ok(hrp), "{text}");
            let data = [0xa5u8; 1216];
            for upper in [false, true] {
                let s = encode(&hrp, &data, upper);
                assert_eq!(s.len(), s.capacity(), "exact capacity");
                assert_eq!(&*decode(&s, text, data.len()).expect("decodes"), &data[..]);
            }
        }
    }
}
