//! A small DER writer: what is left of the hand-written encoder now that certificates are issued
//! with rcgen (extension contents with `der`).
//!
//! It serves three things: [`crate::DistinguishedName::to_der`] (the profile's name bytes, which
//! tests compare verbatim with the real CA certificates), the one-pass CRL writer of
//! `CertificateAuthority::issue_crl`, kept because rcgen's CRL builder cannot express the
//! profile (see there), and the CA certificate (`issue::ca`), whose extension order rcgen cannot
//! write. The parsing side uses `x509-cert`/`der` and [`crate::der_reader`].

use der::asn1::ObjectIdentifier;
#[cfg(feature = "issue")]
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

/// A SEQUENCE whose content is the concatenation of `parts`.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

pub(crate) fn oid(oid: &ObjectIdentifier) -> Vec<u8> {
    tlv(OID, oid.as_bytes())
}

#[cfg(feature = "issue")]
pub(crate) fn octets(b: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, b)
}

#[cfg(feature = "issue")]
pub(crate) fn null() -> Vec<u8> {
    vec![NULL, 0]
}

/// BIT STRING with no unused bits.
#[cfg(feature = "issue")]
pub(crate) fn bit_string(b: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(b.len() + 1);
    content.push(0);
    content.extend_from_slice(b);
    tlv(BIT_STRING, &content)
}

/// INTEGER from an unsigned big-endian magnitude (leading zeros stripped, sign byte added).
#[cfg(feature = "issue")]
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
#[cfg(feature = "issue")]
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

/// `AlgorithmIdentifier` for sha256WithRSAEncryption (NULL parameters, as on real JPKI certs).
#[cfg(feature = "issue")]
pub(crate) fn sha256_with_rsa() -> Vec<u8> {
    seq(&[&oid(&crate::oid::SHA256_WITH_RSA), &null()])
}

/// The signatureAlgorithm `AlgorithmIdentifier` a CA key of `algorithm` writes:
/// sha256WithRSAEncryption with NULL parameters, or ecdsa-with-SHA384 with parameters absent
/// (RFC 5758 §3.2).
#[cfg(feature = "issue")]
pub(crate) fn signature_algorithm(algorithm: crate::key_algorithm::Algorithm) -> Vec<u8> {
    match algorithm {
        crate::key_algorithm::Algorithm::Rsa2048 => sha256_with_rsa(),
        crate::key_algorithm::Algorithm::EcdsaP384 => seq(&[&oid(&crate::oid::ECDSA_WITH_SHA384)]),
    }
}

/// One non-critical extension: `SEQUENCE { extnID, extnValue OCTET STRING }` (the CRL and
/// CRL-entry extensions of the profile are all non-critical).
#[cfg(feature = "issue")]
pub(crate) fn extension(id: &ObjectIdentifier, value: &[u8]) -> Vec<u8> {
    seq(&[&oid(id), &octets(value)])
}

/// One critical extension: `SEQUENCE { extnID, critical TRUE, extnValue OCTET STRING }` (the
/// CA certificate's keyUsage and basicConstraints).
#[cfg(feature = "issue")]
pub(crate) fn critical_extension(id: &ObjectIdentifier, value: &[u8]) -> Vec<u8> {
    seq(&[&oid(id), &[BOOLEAN, 0x01, 0xFF], &octets(value)])
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
    fn uint_adds_sign_byte_and_strips_zeros() {
        assert_eq!(uint(&[0x00, 0x01]), [0x02, 0x01, 0x01]);
        assert_eq!(uint(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[]), [0x02, 0x01, 0x00]);
    }
}
