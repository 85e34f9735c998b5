//! Rewrap: the same job for a new set of recipients, rewriting only the header.
//!
//! A sealed job is `header | payload`, and the payload is encrypted under a key derived
//! from the file key and the header's *context* (fixed fields, public metadata and
//! encrypted private metadata, everything before the stanzas). The stanzas and the
//! header MAC are not part of that context. So whoever can unwrap the file key can
//! write a new stanza list, recompute the MAC, and keep every payload byte as it is:
//! adding or removing a recipient, rotating a KEK or migrating a job to post-quantum
//! recipients costs one unwrap, one wrap per new recipient and one HMAC, however large
//! the job.
//!
//! The user-facing documentation (what a rewrap does not do, crypto-shredding) is in
//! `rewrap.md`, included in the rustdoc of [`rewrap_header`], [`rewrap`] and
//! [`rewrap_with_rng`].

use alloc::vec::Vec;

use crate::error::{Error, Limit, Result};
use crate::format::header::{Header, assemble, assembled_len};
use crate::format::stanza::{Stanza, kind};
use crate::limits::{MAX_STANZA_BODY, MAX_STANZAS};
use crate::open::unlock;
use crate::open_options::OpenOptions;
use crate::primitives::stream::{PREFIX_SIZE, keys_for_prefix};
use crate::recipient::{Identity, Recipient, check_pq_mix, wrap_all};

/// Options of a rewrap: how the job is opened ([`OpenOptions`]: the open policy,
/// expired jobs refused by default) and the post-quantum mixing rule for the new
/// recipients, as for sealing.
#[derive(Clone, Debug, Default)]
pub struct RewrapOptions {
    open: OpenOptions,
    allow_mixed_pq: bool,
}

impl RewrapOptions {
    /// The defaults: the default [`OpenOptions`], and post-quantum and classical
    /// recipients may not be mixed.
    pub fn new() -> RewrapOptions {
        RewrapOptions::default()
    }

    /// How the job is opened before its header is rewritten: the policy is checked
    /// after the old header MAC verified, as by every opener.
    pub fn open_options(mut self, options: OpenOptions) -> Self {
        self.open = options;
        self
    }

    /// Allows post-quantum and classical recipients in the new header; see
    /// [`crate::SealOptions::allow_mixed_pq`] for why this is refused by default.
    pub fn allow_mixed_pq(mut self, allow: bool) -> Self {
        self.allow_mixed_pq = allow;
        self
    }
}

/// A rewritten header, from [`rewrap_header`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RewrittenHeader {
    /// The new header, MAC included. Write it, then the old job's bytes from
    /// `payload_offset` on, unchanged.
    pub header: Vec<u8>,
    /// Length of the old header: where the payload starts in the old job.
    pub payload_offset: usize,
}

/// Rewrites the header of a sealed job for `recipients`, without touching the payload.
///
/// `sealed` is the start of the job: its header followed by at least the payload's
/// 56-byte prefix (salt and key commitment); any further bytes are ignored. The file
/// key is unwrapped with the first of `identities` that matches a stanza, the old
/// header MAC and private metadata are verified, and the payload's key commitment is
/// checked, so that a header glued to a foreign payload is refused. The cost does not
/// depend on the payload's size. For a job in a `Read`, use [`rewrap`]; for a file,
/// [`crate::io::rewrap_file`].
///
#[doc = include_str!("rewrap.md")]
///
/// # Errors
/// [`Error::Truncated`] if `sealed` ends before the end of the payload prefix; any
/// header error; [`Error::NoMatchingRecipient`] or the first unwrap error if no
/// identity opens the job; [`Error::HeaderMac`]; [`Error::PayloadCommitment`] if the
/// payload does not belong to the header; [`Error::LimitExceeded`] for no recipients or
/// more than [`MAX_STANZAS`]; [`Error::MixedPostQuantum`] (see
/// [`RewrapOptions::allow_mixed_pq`]); any error a recipient's wrap returns.
pub fn rewrap_header(
    sealed: &[u8],
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<RewrittenHeader> {
    check_recipients(recipients, options)?;
    let header = Header::parse(sealed)?;
    let prefix = sealed
        .get(header.len()..header.len() + PREFIX_SIZE)
        .ok_or(Error::Truncated)?;
    let mut p = [0u8; PREFIX_SIZE];
    p.copy_from_slice(prefix);
    let new = rewrap_parsed(&header, &p, identities, recipients, options, rng, None)?;
    Ok(RewrittenHeader {
        header: new,
        payload_offset: header.len(),
    })
}

fn check_recipients(recipients: &[&dyn Recipient], options: &RewrapOptions) -> Result<()> {
    if recipients.is_empty() || recipients.len() > MAX_STANZAS {
        return Err(Error::LimitExceeded(Limit::StanzaCount));
    }
    check_pq_mix(recipients, options.allow_mixed_pq)
}

/// The work of a rewrap on a parsed header and the payload prefix. With
/// `keep_len_mod = Some(m)`, a padding stanza (docs/FORMAT.md §8.4, §9) makes the new
/// header's length congruent to the old one's modulo `m` when the stanza count allows
/// it, so that the payload keeps its offset within `m`-byte blocks.
fn rewrap_parsed(
    header: &Header,
    prefix: &[u8; PREFIX_SIZE],
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    rng: &mut dyn rand_core::CryptoRng,
    keep_len_mod: Option<usize>,
) -> Result<Vec<u8>> {
    let unlocked = unlock(header, identities, &options.open)?;
    let ks = &unlocked.keys;
    keys_for_prefix(
        header.suite(),
        &ks.payload_key,
        prefix,
        header.context(),
        options.open.forced_backend(),
    )?;
    let mut stanzas = wrap_all(&unlocked.file_key, recipients, rng)?;
    if let Some(m) = keep_len_mod
        && let Some(pad) = padding(header.context().len(), &stanzas, header.len(), m)?
    {
        stanzas.push(pad);
    }
    assemble(header.context(), &stanzas, ks)
}

/// The padding stanza that makes a header of `context_len` context bytes and
/// `stanzas` (plus the padding) as long as `old_len` modulo `m`, or `None` if there is
/// no room for one more stanza (or `m` is 0 or larger than a stanza body can pad).
fn padding(
    context_len: usize,
    stanzas: &[Stanza],
    old_len: usize,
    m: usize,
) -> Result<Option<Stanza>> {
    if stanzas.len() >= MAX_STANZAS || m == 0 || m > MAX_STANZA_BODY {
        return Ok(None);
    }
    // The header with an empty padding stanza; its body then makes up the difference.
    let empty = Stanza::new(kind::PADDING, Vec::new())?;
    let without_body = assembled_len(context_len, stanzas) + empty.encoded_len();
    let body = (old_len % m + m - without_body % m) % m;
    Stanza::new(kind::PADDING, alloc::vec![0; body]).map(Some)
}

/// Reads the header and the payload prefix of a sealed job from `input` and rewrites
/// the header as [`rewrap_header`] does (padded as [`rewrap_parsed`] says); returns
/// the new header, the prefix and the old header's length.
#[cfg(feature = "std")]
pub(crate) fn rewrap_head<R: std::io::Read + ?Sized>(
    input: &mut R,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    rng: &mut dyn rand_core::CryptoRng,
    keep_len_mod: Option<usize>,
) -> Result<(Vec<u8>, [u8; PREFIX_SIZE], usize)> {
    check_recipients(recipients, options)?;
    let header = crate::io::read_header(input)?;
    let mut prefix = [0u8; PREFIX_SIZE];
    crate::io::read_exact_or_truncated(input, &mut prefix)?;
    let new = rewrap_parsed(
        &header,
        &prefix,
        identities,
        recipients,
        options,
        rng,
        keep_len_mod,
    )?;
    Ok((new, prefix, header.len()))
}

/// Size of the buffer [`rewrap`] copies the payload through.
#[cfg(feature = "std")]
const COPY_BUF: usize = 64 * 1024;

/// Reads a sealed job from `input` and writes the same job for `recipients` to
/// `output`, with randomness from the operating system: the header is rewritten as
/// by [`rewrap_header`], then the payload is copied byte for byte, see
/// [`rewrap_with_rng`].
///
#[doc = include_str!("rewrap.md")]
///
/// # Errors
/// As [`rewrap_with_rng`], and [`Error::Randomness`] if the OS generator fails.
#[cfg(all(feature = "std", feature = "getrandom"))]
pub fn rewrap<R: std::io::Read, W: std::io::Write>(
    input: R,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    output: W,
) -> Result<u64> {
    let mut rng = crate::rng::os_rng()?;
    rewrap_with_rng(input, identities, recipients, options, output, &mut rng)
}

/// Reads a sealed job from `input` and writes the same job for `recipients` to
/// `output`: the header is rewritten as by [`rewrap_header`], then the payload is
/// copied through a 64 KiB buffer, byte for byte, without being decrypted. Returns the
/// number of bytes written.
///
/// Only the header and the payload's key commitment are verified: a payload damaged
/// after its first 56 bytes is copied as it is, and fails when the job is opened, as
/// it would have before. Nothing is written unless the header was rewritten.
///
#[doc = include_str!("rewrap.md")]
///
/// # Errors
/// As [`rewrap_header`]; [`Error::Truncated`] if `input` ends inside the header or
/// the payload prefix; [`Error::Io`] for a read or write error (then `output` holds a
/// partial job, which no opener accepts).
#[cfg(feature = "std")]
pub fn rewrap_with_rng<R: std::io::Read, W: std::io::Write>(
    mut input: R,
    identities: &[&dyn Identity],
    recipients: &[&dyn Recipient],
    options: &RewrapOptions,
    mut output: W,
    rng: &mut dyn rand_core::CryptoRng,
) -> Result<u64> {
    use std::io::ErrorKind;

    let (new, prefix, _) = rewrap_head(&mut input, identities, recipients, options, rng, None)?;
    output.write_all(&new)?;
    output.write_all(&prefix)?;
    let mut written = (new.len() + PREFIX_SIZE) as u64;
    let mut buf = alloc::vec![0u8; COPY_BUF];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        output.write_all(&buf[..n])?;
        written += n as u64;
    }
    output.flush()?;
    Ok(written)
}
