//! A small DER writer for the issuing side.
//!
//! Issuance writes every byte itself so the JPKI profile is byte-exact (two OUs in one name,
//! PrintableString `C`, UTF8String elsewhere, extension order as on real cards). The parsing side
//! uses `x509-cert`/`der`, so the two sides are independent readings of one profile.

use der::asn1::ObjectIdentifier;
use time::OffsetDateTime;

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
pub(crate) const BOOLEAN: u8 = 0x01;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const ENUMERATED: u8 = 0x0A;
pub(crate) const UTF8_STRING: u8 = 0x0C;
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
pub(crate) const IA5_STRING: u8 = 0x16;
pub(crate) const UTC_TIME: u8 = 0x17;
pub(crate) const GENERALIZED_TIME: u8 = 0x18;

/// Appends a DER definite length.
pub(crate) fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or_default();
    out.push(0x80 | u8::try_from(significant.len()).unwrap_or(8));
    out.extend_from_slice(significant);
}

/// One TLV with the given tag byte and content.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    push_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// A constructed TLV whose content is the concatenation of `parts`.
pub(crate) fn cons(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    cons(SEQUENCE, parts)
}

pub(crate) fn oid(oid: &ObjectIdentifier) -> Vec<u8> {
    tlv(OID, oid.as_bytes())
}

pub(crate) fn utf8(s: &str) -> Vec<u8> {
    tlv(UTF8_STRING, s.as_bytes())
}

pub(crate) fn octets(b: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, b)
}

pub(crate) fn boolean_true() -> Vec<u8> {
    vec![BOOLEAN, 1, 0xFF]
}

pub(crate) fn null() -> Vec<u8> {
    vec![NULL, 0]
}

/// BIT STRING with no unused bits.
pub(crate) fn bit_string(b: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(b.len() + 1);
    content.push(0);
    content.extend_from_slice(b);
    tlv(BIT_STRING, &content)
}

/// A named-bit BIT STRING (keyUsage): `bits` lists the bit numbers set; trailing zero bits are
/// removed as DER requires.
pub(crate) fn named_bits(bits: &[u8]) -> Vec<u8> {
    let mut value: u16 = 0;
    for &b in bits {
        value |= 0x8000 >> (b & 15);
    }
    if value == 0 {
        return tlv(BIT_STRING, &[0]);
    }
    let unused = value.trailing_zeros();
    let used_bits = 16 - unused;
    let bytes = value.to_be_bytes();
    let n = if used_bits > 8 { 2 } else { 1 };
    let mut content = vec![u8::try_from(unused % 8).unwrap_or(0)];
    content.extend_from_slice(bytes.get(..n).unwrap_or_default());
    tlv(BIT_STRING, &content)
}

/// INTEGER from an unsigned big-endian magnitude (leading zeros stripped, sign byte added).
pub(crate) fn uint(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let m = magnitude.get(skip..).unwrap_or_default();
    let mut content = Vec::with_capacity(m.len() + 1);
    if m.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(m);
    tlv(INTEGER, &content)
}

/// Appends an RFC 5280 Time: UTCTime for 1950–2049, GeneralizedTime otherwise. Seconds precision.
pub(crate) fn push_time(out: &mut Vec<u8>, t: OffsetDateTime) {
    let t = t.to_offset(time::UtcOffset::UTC);
    let year = t.year();
    let (tag, text) = if (1950..2050).contains(&year) {
        (
            UTC_TIME,
            format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}Z",
                year % 100,
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        )
    } else {
        (
            GENERALIZED_TIME,
            format!(
                "{:04}{:02}{:02}{:02}{:02}{:02}Z",
                year,
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        )
    };
    out.push(tag);
    push_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

pub(crate) fn time(t: OffsetDateTime) -> Vec<u8> {
    let mut out = Vec::with_capacity(17);
    push_time(&mut out, t);
    out
}

/// `AlgorithmIdentifier` for sha256WithRSAEncryption (NULL parameters, as on real JPKI certs).
pub(crate) fn sha256_with_rsa() -> Vec<u8> {
    seq(&[&oid(&crate::oid::SHA256_WITH_RSA), &null()])
}

/// One extension: `SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }`.
pub(crate) fn extension(id: &ObjectIdentifier, critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        seq(&[&oid(id), &boolean_true(), &octets(value)])
    } else {
        seq(&[&oid(id), &octets(value)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_short_and_long_forms() {
        let mut v = Vec::new();
        push_len(&mut v, 0x7F);
        push_len(&mut v, 0x80);
        push_len(&mut v, 0x1234);
        assert_eq!(v, [0x7F, 0x81, 0x80, 0x82, 0x12, 0x34]);
    }

    #[test]
    fn key_usage_bits_match_real_ca_encoding() {
        // keyCertSign (5) + cRLSign (6): real J-LIS CA encodes 03 02 01 06.
        assert_eq!(named_bits(&[5, 6]), [0x03, 0x02, 0x01, 0x06]);
        // digitalSignature (0) + nonRepudiation (1): 03 02 06 C0.
        assert_eq!(named_bits(&[0, 1]), [0x03, 0x02, 0x06, 0xC0]);
        // digitalSignature alone: 03 02 07 80.
        assert_eq!(named_bits(&[0]), [0x03, 0x02, 0x07, 0x80]);
    }

    #[test]
    fn uint_adds_sign_byte_and_strips_zeros() {
        assert_eq!(uint(&[0x00, 0x01]), [0x02, 0x01, 0x01]);
        assert_eq!(uint(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[]), [0x02, 0x01, 0x00]);
    }
}
