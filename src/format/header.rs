//! The header: fixed prefix, metadata, recipient stanzas and the header MAC.
//!
//! ```text
//! magic[8] | version u8 | suite u16
//! public_len u16 | public metadata
//! private_len u16 | private metadata ciphertext (AEAD, tag included)
//!                                      <- end of the payload context
//! stanza_count u8 | stanza*            (kind u16 | body_len u16 | body)
//! mac[32]                              HMAC-SHA-256 over every byte before it
//! ```
//! Integers are big-endian. See docs/FORMAT.md for every rule.

use alloc::vec::Vec;

use hmac::Mac;
use zeroize::Zeroizing;

use crate::error::{Error, Limit, Result};
use crate::format::cursor::{Cursor, Stop};
use crate::format::metadata::{PrivateMetadata, PublicMetadata};
use crate::format::stanza::{Stanza, known_body_len};
use crate::limits::{MAX_PRIVATE_METADATA, MAX_PUBLIC_METADATA, MAX_STANZA_BODY, MAX_STANZAS};
use crate::primitives::aead::{ChunkAead, TAG_SIZE};
use crate::primitives::kdf::KeySchedule;
use crate::suite::Suite;

/// The 8 magic bytes that start every sealed job: `\x89PSEAL\r\n`. The high byte and
/// the CR LF pair make text-mode transfers that mangle the file fail at once.
pub const MAGIC: [u8; 8] = *b"\x89PSEAL\r\n";
/// The format version this build reads and writes.
pub const VERSION: u8 = 1;
/// Magic, version and suite.
pub(crate) const FIXED_SIZE: usize = crate::format::sizes::HEADER_FIXED;
/// Size of the header MAC.
pub(crate) const MAC_SIZE: usize = crate::format::sizes::HEADER_MAC;

/// A parsed header. Parsing needs no key; nothing in it is authenticated until an
/// [`crate::Opener`] has verified the header MAC with the file key.
#[derive(Clone, Debug)]
pub struct Header {
    suite: Suite,
    public: PublicMetadata,
    stanzas: Vec<Stanza>,
    bytes: Vec<u8>,
    private_start: usize,
    context_end: usize,
}

impl Header {
    /// Parses the header at the start of `input`, which may go on with the payload.
    ///
    /// # Errors
    /// [`Error::NotPrintseal`], [`Error::UnsupportedVersion`],
    /// [`Error::UnsupportedSuite`], [`Error::MalformedHeader`],
    /// [`Error::LimitExceeded`], or [`Error::Truncated`] if `input` ends inside the
    /// header.
    pub fn parse(input: &[u8]) -> Result<Header> {
        match parse(input) {
            Ok(h) => Ok(h),
            Err(Stop::Incomplete(_)) => Err(Error::Truncated),
            Err(Stop::Fail(e)) => Err(e),
        }
    }

    /// The payload suite.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The public metadata.
    pub fn public_metadata(&self) -> &PublicMetadata {
        &self.public
    }

    /// The recipient stanzas, in header order.
    pub fn stanzas(&self) -> &[Stanza] {
        &self.stanzas
    }

    /// The header's bytes, MAC included; the payload starts right after them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Length of the header in bytes (where the payload starts).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always false: a header has at least its fixed fields.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The payload's chunked-encryption context: the header bytes from the magic to
    /// the end of the private metadata, everything that a rewrap keeps.
    pub(crate) fn context(&self) -> &[u8] {
        &self.bytes[..self.context_end]
    }

    /// Verifies the header MAC in constant time with the key schedule of a candidate
    /// file key.
    pub(crate) fn verify_mac(&self, ks: &KeySchedule) -> Result<()> {
        let (input, mac) = self.bytes.split_at(self.bytes.len() - MAC_SIZE);
        let mut h = ks.header_mac();
        h.update(input);
        h.verify_slice(mac).map_err(|_| Error::HeaderMac)
    }

    /// Decrypts and parses the private metadata. Call only after [`Self::verify_mac`].
    pub(crate) fn private_metadata(&self, ks: &KeySchedule) -> Result<PrivateMetadata> {
        let aad = &self.bytes[..self.private_start];
        let ct = &self.bytes[self.private_start..self.context_end];
        let (body, tag) = ct.split_at(ct.len() - TAG_SIZE);
        let mut t = [0u8; TAG_SIZE];
        t.copy_from_slice(tag);
        let mut pt = Zeroizing::new(alloc::vec![0u8; body.len()]);
        ChunkAead::new(self.suite, &ks.metadata_key)
            .open(&ks.metadata_nonce, aad, body, &t, &mut pt)
            // The MAC verified, so the sealer itself wrote a ciphertext that does not
            // decrypt under the key it committed to.
            .map_err(|()| Error::MalformedHeader("private metadata does not decrypt"))?;
        PrivateMetadata::decode(&pt)
    }
}

/// Builds the part of a header that a rewrap keeps: fixed fields, public metadata and
/// the encrypted private metadata.
pub(crate) fn build_context(
    suite: Suite,
    public: &PublicMetadata,
    private: &PrivateMetadata,
    ks: &KeySchedule,
) -> Result<Vec<u8>> {
    public.validate()?;
    let mut pub_block = Vec::new();
    public.encode(&mut pub_block);
    if pub_block.len() > MAX_PUBLIC_METADATA {
        return Err(Error::LimitExceeded(Limit::PublicMetadataSize));
    }
    let pt = Zeroizing::new(private.encode());
    if pt.len() > MAX_PRIVATE_METADATA {
        return Err(Error::LimitExceeded(Limit::PrivateMetadataSize));
    }
    let mut h = Vec::with_capacity(FIXED_SIZE + 4 + pub_block.len() + pt.len() + TAG_SIZE);
    h.extend_from_slice(&MAGIC);
    h.push(VERSION);
    h.extend_from_slice(&suite.id().to_be_bytes());
    h.extend_from_slice(&(pub_block.len() as u16).to_be_bytes());
    h.extend_from_slice(&pub_block);
    h.extend_from_slice(&((pt.len() + TAG_SIZE) as u16).to_be_bytes());
    let private_start = h.len();
    h.resize(private_start + pt.len(), 0);
    let (aad, body) = h.split_at_mut(private_start);
    let tag = ChunkAead::new(suite, &ks.metadata_key).seal(&ks.metadata_nonce, aad, &pt, body)?;
    h.extend_from_slice(&tag);
    Ok(h)
}

/// Appends the stanzas and the MAC to a header context.
/// The length of the header [`assemble`] makes from `context_len` context bytes and
/// `stanzas`: context, stanza count, the stanzas, the MAC.
pub(crate) fn assembled_len(context_len: usize, stanzas: &[Stanza]) -> usize {
    context_len + 1 + stanzas.iter().map(Stanza::encoded_len).sum::<usize>() + MAC_SIZE
}

pub(crate) fn assemble(context: &[u8], stanzas: &[Stanza], ks: &KeySchedule) -> Result<Vec<u8>> {
    if stanzas.is_empty() || stanzas.len() > MAX_STANZAS {
        return Err(Error::LimitExceeded(Limit::StanzaCount));
    }
    let mut h = context.to_vec();
    h.push(stanzas.len() as u8);
    for s in stanzas {
        s.encode(&mut h);
    }
    let mut mac = ks.header_mac();
    mac.update(&h);
    h.extend_from_slice(&mac.finalize().into_bytes());
    Ok(h)
}

/// One step of incremental header parsing, for the openers that collect a header
/// piece by piece: the header, or the total input length needed to go on.
pub(crate) enum Step {
    /// Boxed: the opener keeps the header boxed anyway.
    Done(alloc::boxed::Box<Header>),
    Need(usize),
}

/// Parses what `input` holds so far. A requested length past [`MAX_HEADER`] is refused
/// here, in one place, so no caller can be made to buffer more than that.
///
/// [`MAX_HEADER`]: crate::limits::MAX_HEADER
pub(crate) fn parse_step(input: &[u8]) -> Result<Step> {
    match parse(input) {
        Ok(h) => Ok(Step::Done(alloc::boxed::Box::new(h))),
        Err(Stop::Incomplete(n)) if n <= crate::limits::MAX_HEADER => Ok(Step::Need(n)),
        Err(Stop::Incomplete(_)) => Err(Error::MalformedHeader("length")),
        Err(Stop::Fail(e)) => Err(e),
    }
}

/// Parses a header from the start of `input`. `Stop::Incomplete(n)` means the input
/// must be at least `n` bytes long to go on; every length is checked against its limit
/// before it is asked for, so `n` never exceeds [`crate::limits::MAX_HEADER`].
pub(crate) fn parse(input: &[u8]) -> core::result::Result<Header, Stop> {
    let mut c = Cursor::new(input);
    let magic = c.take(MAGIC.len()).map_err(|s| early_magic(input, s))?;
    if magic != MAGIC {
        return Err(Stop::Fail(Error::NotPrintseal));
    }
    let version = c.u8()?;
    if version != VERSION {
        return Err(Stop::Fail(Error::UnsupportedVersion(version)));
    }
    let suite = Suite::from_id(c.u16()?)?;

    let pub_len = c.u16()? as usize;
    if pub_len > MAX_PUBLIC_METADATA {
        return Err(Stop::Fail(Error::LimitExceeded(Limit::PublicMetadataSize)));
    }
    let public = PublicMetadata::decode(c.take(pub_len)?)?;

    let priv_len = c.u16()? as usize;
    if priv_len > MAX_PRIVATE_METADATA + TAG_SIZE {
        return Err(Stop::Fail(Error::LimitExceeded(Limit::PrivateMetadataSize)));
    }
    if priv_len < 1 + TAG_SIZE {
        return Err(Stop::Fail(Error::MalformedHeader(
            "private metadata length",
        )));
    }
    let private_start = c.pos();
    c.take(priv_len)?;
    let context_end = c.pos();

    let count = c.u8()? as usize;
    if count == 0 || count > MAX_STANZAS {
        return Err(Stop::Fail(Error::LimitExceeded(Limit::StanzaCount)));
    }
    let mut stanzas = Vec::with_capacity(count);
    for _ in 0..count {
        let kind = c.u16()?;
        let len = c.u16()? as usize;
        if len > MAX_STANZA_BODY {
            return Err(Stop::Fail(Error::LimitExceeded(Limit::StanzaBody)));
        }
        if known_body_len(kind).is_some_and(|n| n != len) {
            return Err(Stop::Fail(Error::MalformedHeader(
                "stanza body size for its kind",
            )));
        }
        let body = c.take(len)?.to_vec();
        stanzas.push(Stanza::new(kind, body)?);
    }
    c.take(MAC_SIZE)?;
    let end = c.pos();
    Ok(Header {
        suite,
        public,
        stanzas,
        bytes: input[..end].to_vec(),
        private_start,
        context_end,
    })
}

/// A short input that is not a prefix of the magic is not a printseal file, whatever
/// follows; say so at once rather than waiting for more bytes.
fn early_magic(input: &[u8], stop: Stop) -> Stop {
    if could_be_magic(input) {
        stop
    } else {
        Stop::Fail(Error::NotPrintseal)
    }
}

/// Whether `input` may still be the start of a printseal job: it starts with the
/// magic, or is a proper prefix of it.
pub(crate) fn could_be_magic(input: &[u8]) -> bool {
    if input.len() >= MAGIC.len() {
        input.starts_with(&MAGIC)
    } else {
        MAGIC.starts_with(input)
    }
}
