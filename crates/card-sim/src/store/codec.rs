//! Length-prefixed fields: the building blocks of the card file.

use zeroize::Zeroizing;

use crate::error::Corruption;

/// Appends fields to a zeroizing buffer (the file holds PINs and private keys).
pub(crate) struct Writer {
    buf: Zeroizing<Vec<u8>>,
}

impl Writer {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Writer {
            buf: Zeroizing::new(Vec::with_capacity(capacity)),
        }
    }

    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.raw(&v.to_be_bytes());
    }

    /// A `u32` big-endian length, then the bytes. Lengths are bounded by the card's own limits
    /// (EF sizes, key sizes), far below `u32::MAX`; a longer field saturates and then fails to
    /// load rather than being silently truncated.
    pub(crate) fn bytes(&mut self, v: &[u8]) {
        let len = u32::try_from(v.len()).unwrap_or(u32::MAX);
        self.raw(&len.to_be_bytes());
        self.raw(v);
    }

    pub(crate) fn finish(self) -> Zeroizing<Vec<u8>> {
        self.buf
    }
}

/// Reads fields back; every read is bounds-checked.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Corruption> {
        let (head, tail) = self.rest.split_at_checked(n).ok_or(Corruption::Truncated)?;
        self.rest = tail;
        Ok(head)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Corruption> {
        let [b] = self.array::<1>()?;
        Ok(b)
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Corruption> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Corruption> {
        let bytes = self.take(N)?;
        bytes.try_into().map_err(|_| Corruption::Truncated)
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], Corruption> {
        let len = u32::from_be_bytes(self.array()?);
        let len = usize::try_from(len).map_err(|_| Corruption::Truncated)?;
        self.take(len)
    }

    /// A presence flag: 0 absent, 1 present.
    pub(crate) fn flag(&mut self, field: &'static str) -> Result<bool, Corruption> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Corruption::BadField { field }),
        }
    }

    pub(crate) fn finish(self) -> Result<(), Corruption> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Corruption::TrailingBytes {
                extra: self.rest.len(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_and_truncation_is_detected() {
        let mut w = Writer::with_capacity(16);
        w.u8(7);
        w.u16(0x1234);
        w.bytes(b"hello");
        let buf = w.finish();
        let mut r = Reader::new(&buf);
        assert_eq!(r.u8().unwrap(), 7);
        assert_eq!(r.u16().unwrap(), 0x1234);
        assert_eq!(r.bytes().unwrap(), b"hello");
        r.finish().unwrap();
        for cut in 0..buf.len() {
            let mut r = Reader::new(&buf[..cut]);
            let res = (|| {
                r.u8()?;
                r.u16()?;
                r.bytes()?;
                Ok::<_, Corruption>(())
            })();
            assert_eq!(res, Err(Corruption::Truncated), "cut at {cut}");
        }
    }
}
