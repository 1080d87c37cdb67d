//! A minimal, panic-free DER TLV walker.
//!
//! Used where the typed `x509-cert` decode is either too costly (a CRL with a million entries)
//! or hides bytes we need verbatim (the signed `tbsCertificate`).

use crate::Error;

/// One decoded TLV: its tag byte, its content and the whole encoding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

/// A cursor over concatenated TLVs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8], what: &'static str) -> Self {
        Self { rest: input, what }
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn malformed(&self, reason: &'static str) -> Error {
        Error::MalformedDer {
            structure: self.what,
            reason,
        }
    }

    /// The tag of the next TLV, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads the next TLV of any tag.
    pub fn read_any(&mut self) -> Result<Tlv<'a>, Error> {
        let input = self.rest;
        let (&tag, after_tag) = input
            .split_first()
            .ok_or_else(|| self.malformed("unexpected end of data"))?;
        if tag & 0x1F == 0x1F {
            return Err(self.malformed("multi-byte tags are not used by X.509"));
        }
        let (&first, mut after_len) = after_tag
            .split_first()
            .ok_or_else(|| self.malformed("missing length"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7F);
            if n == 0 {
                return Err(self.malformed("indefinite length is not DER"));
            }
            if n > 4 {
                return Err(self.malformed("length too large"));
            }
            let (len_bytes, rest) = after_len
                .split_at_checked(n)
                .ok_or_else(|| self.malformed("truncated length"))?;
            if len_bytes.first() == Some(&0) {
                return Err(self.malformed("non-minimal length"));
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len < 0x80 {
                return Err(self.malformed("non-minimal length"));
            }
            after_len = rest;
            len
        };
        let (content, rest) = after_len
            .split_at_checked(len)
            .ok_or_else(|| self.malformed("truncated value"))?;
        let header_len = input.len() - after_len.len();
        let raw = input
            .get(..header_len + len)
            .ok_or_else(|| self.malformed("truncated value"))?;
        self.rest = rest;
        Ok(Tlv { tag, content, raw })
    }

    /// Reads the next TLV and checks its tag.
    pub fn read(&mut self, tag: u8, reason: &'static str) -> Result<Tlv<'a>, Error> {
        let tlv = self.read_any()?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(self.malformed(reason))
        }
    }

    /// Reads the next TLV if it has `tag`.
    pub fn read_optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, Error> {
        if self.peek_tag() == Some(tag) {
            self.read_any().map(Some)
        } else {
            Ok(None)
        }
    }

    /// A reader over the content of the next TLV, which must have `tag`.
    pub fn enter(&mut self, tag: u8, reason: &'static str) -> Result<Reader<'a>, Error> {
        let tlv = self.read(tag, reason)?;
        Ok(Reader::new(tlv.content, self.what))
    }

    /// Fails unless all input has been consumed.
    pub fn finish(&self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.malformed("trailing data"))
        }
    }
}

/// The subjectPublicKey bits of a SubjectPublicKeyInfo (the BIT STRING's content after its
/// unused-bits octet, which must be 0).
pub(crate) fn subject_public_key_bits(spki: &[u8]) -> Result<&[u8], Error> {
    let mut r = Reader::new(spki, "subjectPublicKeyInfo");
    let mut seq = r.enter(0x30, "not a SEQUENCE")?;
    seq.read(0x30, "algorithm is not a SEQUENCE")?;
    let bits = seq.read(0x03, "subjectPublicKey is not a BIT STRING")?;
    match bits.content.split_first() {
        Some((0, rest)) => Ok(rest),
        _ => Err(Error::BadPublicKey),
    }
}

/// Parses the text of a UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) into
/// Unix seconds, without allocating.
pub(crate) fn parse_time(tlv: &Tlv<'_>) -> Option<i64> {
    let (year, rest) = match tlv.tag {
        crate::der_writer::UTC_TIME => {
            let (yy, rest) = tlv.content.split_at_checked(2)?;
            let yy = digits(yy)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, rest)
        }
        crate::der_writer::GENERALIZED_TIME => {
            let (yyyy, rest) = tlv.content.split_at_checked(4)?;
            (digits(yyyy)?, rest)
        }
        _ => return None,
    };
    if rest.len() != 11 || rest.last() != Some(&b'Z') {
        return None;
    }
    let month = digits(rest.get(0..2)?)?;
    let day = digits(rest.get(2..4)?)?;
    let hour = digits(rest.get(4..6)?)?;
    let minute = digits(rest.get(6..8)?)?;
    let second = digits(rest.get(8..10)?)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_tlvs() {
        let data = [0x30, 0x03, 0x02, 0x01, 0x05];
        let mut r = Reader::new(&data, "test");
        let mut inner = r.enter(0x30, "seq").unwrap();
        let int = inner.read(0x02, "int").unwrap();
        assert_eq!(int.content, [5]);
        assert!(inner.is_empty());
        r.finish().unwrap();
    }

    #[test]
    fn rejects_truncation_and_bad_lengths() {
        for bad in [
            &[0x30, 0x05, 0x02][..],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x30, 0x81, 0x05, 0, 0, 0, 0, 0],
            &[0x30],
            &[0x1F, 0x01, 0x00],
        ] {
            assert!(Reader::new(bad, "test").read_any().is_err(), "{bad:02X?}");
        }
    }

    #[test]
    fn parses_utc_and_generalized_time() {
        let t = Tlv {
            tag: 0x17,
            content: b"330715145959Z",
            raw: &[],
        };
        assert_eq!(parse_time(&t), Some(2_005_052_399));
        let g = Tlv {
            tag: 0x18,
            content: b"20500101000000Z",
            raw: &[],
        };
        assert_eq!(parse_time(&g), Some(2_524_608_000));
        let bad = Tlv {
            tag: 0x17,
            content: b"330230145959Z",
            raw: &[],
        };
        assert_eq!(parse_time(&bad), None);
    }
}
