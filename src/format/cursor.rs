//! A bounds-checked reader over a byte slice that can say "give me N more bytes".

use crate::error::Error;

/// Why parsing stopped: the input ended (and how long it must be to go on), or a real
/// error.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The input must be at least this many bytes long before parsing can go further.
    Incomplete(usize),
    Fail(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Fail(e)
    }
}

pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos == self.buf.len()
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Stop> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(Stop::Fail(Error::MalformedHeader("length")))?;
        match self.buf.get(self.pos..end) {
            Some(s) => {
                self.pos = end;
                Ok(s)
            }
            None => Err(Stop::Incomplete(end)),
        }
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Stop> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Stop> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Stop> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Stop> {
        Ok(u64::from_be_bytes(self.array()?))
    }
}

/// Runs a parser over a complete block: running out of bytes inside it means the block
/// is malformed, not that more input is needed.
pub(crate) fn complete<T>(
    what: &'static str,
    buf: &[u8],
    f: impl FnOnce(&mut Cursor<'_>) -> Result<T, Stop>,
) -> Result<T, Error> {
    let mut c = Cursor::new(buf);
    let v = f(&mut c).map_err(|s| match s {
        Stop::Incomplete(_) => Error::MalformedHeader(what),
        Stop::Fail(e) => e,
    })?;
    if !c.is_empty() {
        return Err(Error::MalformedHeader(what));
    }
    Ok(v)
}
