//! A card's P-384 signature, from its fixed `r ‖ s` answer to the DER that X.509 and CMS carry
//! (shared/next-gen-profile.md §2.5): demand 96 bytes, parse (`r`, `s` in `1..n`), verify
//! against the certificate's key before use, then DER. And the certificate's key itself, found
//! by a minimal DER walk (this crate does not parse X.509: that is the `cert` crate's job).

use p384::ecdsa::signature::hazmat::PrehashVerifier;
use p384::ecdsa::{DerSignature, Signature, VerifyingKey};
use p384::pkcs8::DecodePublicKey;

use super::ids;
use crate::error::Error;

/// Checks a card's `r ‖ s` answer over `hash` and returns the signature as DER
/// (`SEQUENCE { INTEGER r, INTEGER s }`, usually 102–104 bytes).
///
/// ```
/// use jpki_applet::{Error, next_gen::verified_der_signature};
/// use p384::ecdsa::{SigningKey, Signature, signature::hazmat::PrehashSigner};
/// let key = SigningKey::from_slice(&[7; 48]).unwrap();
/// let hash = [0x11; 48];
/// let sig: Signature = key.sign_prehash(&hash).unwrap();
/// let der = verified_der_signature(&sig.to_bytes(), &hash, key.verifying_key()).unwrap();
/// assert_eq!(der.as_bytes()[0], 0x30);
/// let lie = verified_der_signature(&sig.to_bytes(), &[0x22; 48], key.verifying_key());
/// assert!(matches!(lie, Err(Error::CardSignatureInvalid { .. })));
/// ```
///
/// # Errors
/// [`Error::SignatureLength`] unless exactly 96 bytes; [`Error::SignatureValue`] for `r` or
/// `s` zero or not below the group order; [`Error::CardSignatureInvalid`] when it does not
/// verify with `key` (the card signed something else, with another key, or lies).
pub fn verified_der_signature(
    raw: &[u8],
    hash: &[u8],
    key: &VerifyingKey,
) -> Result<DerSignature, Error> {
    let signature = parse_raw(raw)?;
    key.verify_prehash(hash, &signature)
        .map_err(|_| Error::CardSignatureInvalid {
            what: "the signature does not verify with the certificate's key",
        })?;
    Ok(signature.to_der())
}

/// Step (1) and (2): exactly 96 bytes, `r` and `s` in `1..n`.
pub(crate) fn parse_raw(raw: &[u8]) -> Result<Signature, Error> {
    if raw.len() != ids::SIGNATURE_LEN {
        return Err(Error::SignatureLength {
            len: raw.len(),
            expected: ids::SIGNATURE_LEN,
        });
    }
    Signature::from_slice(raw).map_err(|_| Error::SignatureValue)
}

/// The P-384 public key of a DER certificate: `Certificate → tbsCertificate →
/// subjectPublicKeyInfo` (skipping `[0] version`, serial, signature, issuer, validity and
/// subject), decoded as id-ecPublicKey on secp384r1 (RFC 5480).
///
/// ```
/// use jpki_applet::{Error, next_gen::certificate_p384_key};
/// assert!(matches!(certificate_p384_key(&[0x30, 0x00]), Err(Error::CertificateKey { .. })));
/// ```
///
/// # Errors
/// [`Error::CertificateKey`] when the bytes are not a certificate or its key is not P-384.
pub fn certificate_p384_key(certificate: &[u8]) -> Result<VerifyingKey, Error> {
    let spki = subject_public_key_info(certificate).ok_or(Error::CertificateKey {
        reason: "not a DER X.509 certificate",
    })?;
    let key = p384::PublicKey::from_public_key_der(spki).map_err(|_| Error::CertificateKey {
        reason: "its key is not an uncompressed P-384 id-ecPublicKey (RFC 5480)",
    })?;
    Ok(VerifyingKey::from(&key))
}

/// The whole `SubjectPublicKeyInfo` TLV of a certificate.
fn subject_public_key_info(certificate: &[u8]) -> Option<&[u8]> {
    let (tag, certificate, _) = der_object(certificate)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, tbs, _) = der_object(certificate)?;
    if tag != 0x30 {
        return None;
    }
    let mut rest = tbs;
    if rest.first() == Some(&0xA0) {
        rest = der_object(rest)?.2;
    }
    // serial, signature, issuer, validity, subject
    for want in [0x02, 0x30, 0x30, 0x30, 0x30] {
        let (tag, _, after) = der_object(rest)?;
        if tag != want {
            return None;
        }
        rest = after;
    }
    let (tag, _, after) = der_object(rest)?;
    let len = rest.len() - after.len();
    (tag == 0x30).then(|| rest.get(..len)).flatten()
}

/// One DER object: its one-byte tag, its content, and what follows it. Definite lengths of
/// up to 3 bytes (a card file holds no more).
fn der_object(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 3 {
            return None;
        }
        let (bytes, after) = rest.split_at_checked(n)?;
        rest = after;
        bytes.iter().fold(0, |l, b| (l << 8) | usize::from(*b))
    };
    let (content, after) = rest.split_at_checked(len)?;
    Some((tag, content, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_walk_finds_the_key_after_the_subject_and_refuses_truncation() {
        // [0] v3, serial 1, alg, issuer, validity, subject, SPKI (content "K")
        let tbs = [
            0xA0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00,
            0x30, 0x00, 0x30, 0x01, b'K',
        ];
        let seq = |content: &[u8]| {
            let mut out = vec![0x30, u8::try_from(content.len()).unwrap()];
            out.extend_from_slice(content);
            out
        };
        let cert = seq(&seq(&tbs));
        assert_eq!(
            subject_public_key_info(&cert),
            Some(&[0x30, 0x01, b'K'][..])
        );
        for cut in 0..cert.len() {
            assert_eq!(subject_public_key_info(&cert[..cut]), None, "cut at {cut}");
        }
        let no_version = seq(&seq(&tbs[5..]));
        assert_eq!(
            subject_public_key_info(&no_version),
            Some(&[0x30, 0x01, b'K'][..])
        );
        // a long-form length is read too
        let mut long = vec![0x30, 0x81, u8::try_from(tbs.len() + 2).unwrap()];
        long.extend_from_slice(&seq(&tbs));
        assert_eq!(
            subject_public_key_info(&long),
            Some(&[0x30, 0x01, b'K'][..])
        );
        // a TBS without the subject is not a certificate
        assert_eq!(subject_public_key_info(&seq(&seq(&tbs[..14]))), None);
    }

    #[test]
    fn lengths_other_than_96_are_refused() {
        for len in [0, 95, 97, 102] {
            assert!(matches!(
                parse_raw(&vec![1; len]),
                Err(Error::SignatureLength { expected: 96, .. })
            ));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// The DER walk and the r ‖ s parser take any bytes without panicking.
        #[test]
        fn hostile_certificates_and_answers_never_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)
        ) {
            let _ = certificate_p384_key(&bytes);
            let _ = parse_raw(&bytes);
        }
    }
}
