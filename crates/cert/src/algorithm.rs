//! Both generations' algorithms on the relying party's side: reading a SubjectPublicKeyInfo
//! (RSA-2048 or P-384 only), reading a signatureAlgorithm (sha256WithRSAEncryption or
//! ecdsa-with-SHA384 only), and checking a signature with the algorithm it names
//! (shared/next-gen-profile.md §2.8: the algorithm decides which issuer key may verify).

use der::asn1::ObjectIdentifier;
use p384::ecdsa::{DerSignature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, PublicKey};
use sha2::{Digest, Sha256, Sha384};
use signature::hazmat::PrehashVerifier;

use crate::der_reader::Reader;
use crate::der_writer::{self as w, BIT_STRING, SEQUENCE};
use crate::keys::{Algorithm, P384_POINT_LEN, SubjectKey};
use crate::{Error, oid};

fn oid_of(content: &[u8]) -> Result<ObjectIdentifier, Error> {
    ObjectIdentifier::from_bytes(content).map_err(|_| Error::MalformedDer {
        structure: "AlgorithmIdentifier",
        reason: "invalid algorithm OID",
    })
}

/// Reads a signatureAlgorithm `AlgorithmIdentifier` (the whole TLV): sha256WithRSAEncryption
/// (NULL or absent parameters) → [`Algorithm::Rsa2048`], ecdsa-with-SHA384 (parameters absent,
/// RFC 5758 §3.2) → [`Algorithm::EcdsaP384`]; anything else is refused.
///
/// # Errors
/// [`Error::UnsupportedAlgorithm`], [`Error::BadEcParameters`] or [`Error::MalformedDer`].
pub(crate) fn signature_algorithm(tlv: &[u8]) -> Result<Algorithm, Error> {
    let mut outer = Reader::new(tlv, "AlgorithmIdentifier");
    let mut alg = outer.enter(SEQUENCE, "signatureAlgorithm is not a SEQUENCE")?;
    outer.finish()?;
    let id = alg.read(w::OID, "algorithm is not an OID")?;
    if id.content == oid::SHA256_WITH_RSA.as_bytes() {
        alg.read_optional(w::NULL)?;
        alg.finish()?;
        return Ok(Algorithm::Rsa2048);
    }
    if id.content == oid::ECDSA_WITH_SHA384.as_bytes() {
        if !alg.is_empty() {
            return Err(Error::BadEcParameters {
                reason: "ecdsa-with-SHA384 must have its parameters absent",
            });
        }
        return Ok(Algorithm::EcdsaP384);
    }
    Err(Error::UnsupportedAlgorithm {
        oid: oid_of(id.content)?,
    })
}

/// Reads a SubjectPublicKeyInfo (the whole TLV): RSA-2048 with e = 65537, or an
/// id-ecPublicKey on the named curve secp384r1 with an uncompressed 97-byte point. Other
/// curves, explicit parameters, compressed points and other key sizes are refused.
///
/// # Errors
/// [`Error::UnsupportedAlgorithm`], [`Error::UnsupportedCurve`], [`Error::BadEcParameters`],
/// [`Error::WrongKeySize`] or [`Error::BadPublicKey`].
pub(crate) fn subject_key(spki: &[u8]) -> Result<SubjectKey, Error> {
    let mut outer = Reader::new(spki, "subjectPublicKeyInfo");
    let mut seq = outer.enter(SEQUENCE, "subjectPublicKeyInfo is not a SEQUENCE")?;
    outer.finish()?;
    let mut alg = seq.enter(SEQUENCE, "algorithm is not a SEQUENCE")?;
    let bits = seq.read(BIT_STRING, "subjectPublicKey is not a BIT STRING")?;
    seq.finish()?;
    let id = alg.read(w::OID, "algorithm is not an OID")?;
    if id.content == oid::RSA_ENCRYPTION.as_bytes() {
        let key = PublicKey::from_public_key_der(spki).map_err(|_| Error::BadPublicKey)?;
        let n = key.n_bytes();
        let n_bits = n
            .iter()
            .position(|b| *b != 0)
            .and_then(|i| {
                let first = n.get(i)?;
                Some((n.len() - i) * 8 - usize::try_from(first.leading_zeros()).unwrap_or(0))
            })
            .unwrap_or(0);
        if n_bits != 2048 || *key.e_bytes() != [1, 0, 1] {
            return Err(Error::WrongKeySize { bits: n_bits });
        }
        return Ok(SubjectKey::Rsa(key));
    }
    if id.content != oid::EC_PUBLIC_KEY.as_bytes() {
        return Err(Error::UnsupportedAlgorithm {
            oid: oid_of(id.content)?,
        });
    }
    // RFC 5480 §2.1.1: ECParameters is a CHOICE; only namedCurve is allowed.
    let Some(w::OID) = alg.peek_tag() else {
        return Err(Error::BadEcParameters {
            reason: "explicit or implicit curve parameters are refused; a namedCurve (secp384r1) is required",
        });
    };
    let curve = alg.read(w::OID, "namedCurve is not an OID")?;
    alg.finish()?;
    if curve.content != oid::SECP384R1.as_bytes() {
        return Err(Error::UnsupportedCurve {
            oid: oid_of(curve.content)?,
        });
    }
    let point = match bits.content.split_first() {
        Some((0, point)) => point,
        _ => return Err(Error::BadPublicKey),
    };
    if point.len() != P384_POINT_LEN || point.first() != Some(&0x04) {
        return Err(Error::BadEcParameters {
            reason: "the P-384 point must be uncompressed (04 ‖ x ‖ y, 97 bytes)",
        });
    }
    let key = p384::PublicKey::from_sec1_bytes(point).map_err(|_| Error::BadPublicKey)?;
    Ok(SubjectKey::P384(key))
}

/// The hash a signature algorithm signs: SHA-256 for sha256WithRSAEncryption, SHA-384 for
/// ecdsa-with-SHA384. A CRL keeps the digest of its tbsCertList (hashed once, when parsed)
/// rather than the bytes, so checking its signature again costs no re-hash of 10⁴ entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SignedDigest {
    /// SHA-256, for an RSA-2048 signature.
    Sha256([u8; 32]),
    /// SHA-384, for an ECDSA P-384 signature.
    Sha384([u8; 48]),
}

impl SignedDigest {
    /// The digest of `message` that a signature with `algorithm` is made over.
    pub(crate) fn of(algorithm: Algorithm, message: &[u8]) -> Self {
        match algorithm {
            Algorithm::Rsa2048 => Self::Sha256(Sha256::digest(message).into()),
            Algorithm::EcdsaP384 => Self::Sha384(Sha384::digest(message).into()),
        }
    }

    /// The signature algorithm this digest is for.
    fn algorithm(&self) -> Algorithm {
        match self {
            Self::Sha256(_) => Algorithm::Rsa2048,
            Self::Sha384(_) => Algorithm::EcdsaP384,
        }
    }
}

/// Checks `signature` over `message` made with `algorithm` by `key`: sha256WithRSAEncryption
/// needs an RSA-2048 key (PKCS #1 v1.5), ecdsa-with-SHA384 a P-384 key (DER ECDSA-Sig-Value;
/// a high s is accepted, as RFC 5758 does not forbid it).
///
/// # Errors
/// [`Error::KeyAlgorithmMismatch`] if the key is of the other algorithm, [`Error::BadSignature`]
/// if the signature does not verify.
pub(crate) fn verify(
    algorithm: Algorithm,
    key: &SubjectKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    if algorithm != key.algorithm() {
        return Err(mismatch(algorithm, key));
    }
    verify_digest(key, &SignedDigest::of(algorithm, message), signature)
}

/// As [`verify`], over a message already hashed with the algorithm's hash.
///
/// # Errors
/// As [`verify`].
pub(crate) fn verify_digest(
    key: &SubjectKey,
    digest: &SignedDigest,
    signature: &[u8],
) -> Result<(), Error> {
    match (digest, key) {
        (SignedDigest::Sha256(digest), SubjectKey::Rsa(key)) => key
            .verify(Pkcs1v15Sign::new::<Sha256>(), digest, signature)
            .map_err(|_| Error::BadSignature),
        (SignedDigest::Sha384(digest), SubjectKey::P384(key)) => {
            let sig = DerSignature::from_bytes(signature).map_err(|_| Error::BadSignature)?;
            VerifyingKey::from(key)
                .verify_prehash(digest, &sig)
                .map_err(|_| Error::BadSignature)
        }
        (digest, key) => Err(mismatch(digest.algorithm(), key)),
    }
}

fn mismatch(needed: Algorithm, key: &SubjectKey) -> Error {
    Error::KeyAlgorithmMismatch {
        signature: needed.signature_name(),
        needed,
        found: key.algorithm(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_with_parameters_is_refused() {
        // SEQUENCE { ecdsa-with-SHA384, NULL }
        let mut alg = w::oid(&oid::ECDSA_WITH_SHA384);
        alg.extend_from_slice(&[w::NULL, 0]);
        let tlv = w::tlv(SEQUENCE, &alg);
        assert!(matches!(
            signature_algorithm(&tlv),
            Err(Error::BadEcParameters { .. })
        ));
        let ok = w::tlv(SEQUENCE, &w::oid(&oid::ECDSA_WITH_SHA384));
        assert_eq!(signature_algorithm(&ok).unwrap(), Algorithm::EcdsaP384);
    }

    #[test]
    fn sha512_ecdsa_is_refused() {
        let tlv = w::tlv(
            SEQUENCE,
            &w::oid(&ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4")),
        );
        assert!(matches!(
            signature_algorithm(&tlv),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
    }
}
