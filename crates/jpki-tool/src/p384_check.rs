//! ECDSA P-384 / SHA-384 verification for the next-generation card's signatures (CMS and
//! login), from a certificate's subjectPublicKeyInfo DER: the only ECDSA this tool accepts
//! (shared/next-gen-profile.md §2.5, §2.7). The RSA path stays in [`crate::cms`] and
//! [`crate::login`] with the `cert` crate's key.

use p384::ecdsa::signature::Verifier;
use p384::ecdsa::{Signature, VerifyingKey};
use p384::pkcs8::DecodePublicKey;

/// id-ecPublicKey (RFC 5480): the algorithm of a next-generation certificate's key.
pub const ID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";

/// Why a P-384 signature does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum P384Error {
    /// The certificate's key is not an uncompressed P-384 id-ecPublicKey.
    #[error(
        "the signer's key is not ECDSA P-384 (id-ecPublicKey on secp384r1): the only curve this tool accepts"
    )]
    NotP384,
    /// The signature is not a DER ECDSA-Sig-Value with `r`, `s` in range.
    #[error("the ECDSA signature is not a DER ECDSA-Sig-Value with r and s in range")]
    Malformed,
    /// The signature does not verify over the message with the key.
    #[error("the ECDSA signature does not verify with the signer's P-384 key")]
    Invalid,
}

/// Whether `spki_der` (a whole SubjectPublicKeyInfo) names id-ecPublicKey, whatever the curve:
/// the caller then takes the ECDSA path, where anything but P-384 is refused.
#[must_use]
pub fn is_ec_key(spki_der: &[u8]) -> bool {
    use der::Decode;
    spki::SubjectPublicKeyInfoRef::from_der(spki_der)
        .is_ok_and(|spki| spki.algorithm.oid.to_string() == ID_EC_PUBLIC_KEY)
}

/// Verifies a DER `ECDSA-Sig-Value` over SHA-384 of `message` with the P-384 key of
/// `spki_der`.
///
/// # Errors
/// [`P384Error::NotP384`] for another key or curve; [`P384Error::Malformed`] for a signature
/// that does not decode; [`P384Error::Invalid`] when it does not verify.
pub fn verify_sha384(
    spki_der: &[u8],
    message: &[u8],
    der_signature: &[u8],
) -> Result<(), P384Error> {
    let key = p384::PublicKey::from_public_key_der(spki_der).map_err(|_| P384Error::NotP384)?;
    let signature = Signature::from_der(der_signature).map_err(|_| P384Error::Malformed)?;
    VerifyingKey::from(&key)
        .verify(message, &signature)
        .map_err(|_| P384Error::Invalid)
}

#[cfg(test)]
mod tests {
    use p384::ecdsa::signature::Signer;
    use p384::ecdsa::{DerSignature, SigningKey};
    use p384::pkcs8::EncodePublicKey;

    use super::*;

    fn key() -> (SigningKey, Vec<u8>) {
        let sk = SigningKey::from_slice(&[0x42; 48]).unwrap();
        let spki = sk.verifying_key().to_public_key_der().unwrap().into_vec();
        (sk, spki)
    }

    #[test]
    fn a_signature_verifies_and_any_change_is_refused() {
        let (sk, spki) = key();
        assert!(is_ec_key(&spki));
        let sig: DerSignature = sk.sign(b"login");
        assert_eq!(verify_sha384(&spki, b"login", sig.as_bytes()), Ok(()));
        assert_eq!(
            verify_sha384(&spki, b"logout", sig.as_bytes()),
            Err(P384Error::Invalid)
        );
        let mut bad = sig.as_bytes().to_vec();
        bad.truncate(bad.len() - 1);
        assert_eq!(
            verify_sha384(&spki, b"login", &bad),
            Err(P384Error::Malformed)
        );
        // the raw r ‖ s is not what CMS carries
        let raw: Signature = sk.sign(b"login");
        assert_eq!(
            verify_sha384(&spki, b"login", &raw.to_bytes()),
            Err(P384Error::Malformed)
        );
    }

    #[test]
    fn another_curve_is_refused() {
        let p256 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let spki = rcgen::PublicKeyData::subject_public_key_info(&p256);
        assert!(is_ec_key(&spki));
        assert_eq!(
            verify_sha384(&spki, b"x", &[0x30, 0]),
            Err(P384Error::NotP384)
        );
        assert!(!is_ec_key(b"not der"));
    }
}
