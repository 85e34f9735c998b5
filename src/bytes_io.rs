//! Push-API methods that write into a [`bytes::BytesMut`] (feature `bytes`).

use bytes::BytesMut;

use crate::error::Result;
use crate::open::{Opener, Progress};
use crate::seal::Sealer;

impl Sealer {
    /// [`Sealer::update`] appending to a `BytesMut`, which grows as needed.
    ///
    /// # Errors
    /// As [`Sealer::update`], less `OutputTooSmall`.
    pub fn update_bytes(&mut self, input: &[u8], out: &mut BytesMut) -> Result<usize> {
        self.update_growable(input, out)
    }

    /// [`Sealer::finish`] appending to a `BytesMut`.
    ///
    /// # Errors
    /// As [`Sealer::finish`], less `OutputTooSmall`.
    pub fn finish_bytes(&mut self, out: &mut BytesMut) -> Result<usize> {
        self.finish_growable(out)
    }
}

impl Opener {
    /// [`Opener::update`] appending plaintext to a `BytesMut`.
    ///
    /// # Errors
    /// As [`Opener::update`], less `OutputTooSmall`.
    pub fn update_bytes(&mut self, input: &[u8], out: &mut BytesMut) -> Result<Progress> {
        self.update_growable(input, out)
    }

    /// [`Opener::finish`] appending plaintext to a `BytesMut`.
    ///
    /// # Errors
    /// As [`Opener::finish`], less `OutputTooSmall`.
    pub fn finish_bytes(&mut self, out: &mut BytesMut) -> Result<usize> {
        self.finish_growable(out)
    }
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;

    use crate::rng::seeded_rng;
    use crate::{Kek, Opener, SealOptions, Sealer};

    #[test]
    fn bytes_round_trip() {
        let kek = Kek::new([1; 16], [2; 32]);
        let opts = SealOptions::new("image/pwg-raster").created_at(7);
        let mut sealer = Sealer::with_rng(&opts, &[&kek], &mut seeded_rng([0; 32]))
            .unwrap_or_else(|e| unreachable!("{e}"));
        let data: alloc::vec::Vec<u8> = (0..50_000u32).map(|i| i as u8).collect();
        let mut sealed = BytesMut::new();
        for piece in data.chunks(9000) {
            assert!(sealer.update_bytes(piece, &mut sealed).is_ok());
        }
        assert!(sealer.finish_bytes(&mut sealed).is_ok());
        let mut opener = Opener::new();
        let mut plain = BytesMut::new();
        let p = opener.update_bytes(&sealed, &mut plain);
        assert!(p.is_ok() && opener.is_locked());
        let consumed = p.map_or(0, |p| p.consumed);
        assert!(opener.unlock(&[&kek]).is_ok());
        assert!(opener.update_bytes(&sealed[consumed..], &mut plain).is_ok());
        assert!(opener.finish_bytes(&mut plain).is_ok());
        assert_eq!(&plain[..], &data[..]);
    }
}
