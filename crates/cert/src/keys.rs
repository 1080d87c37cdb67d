//! Keys of both card generations: RSA-2048 (today's cards) and ECDSA P-384 (the next-generation
//! card, shared/next-gen-profile.md §2.7). Generation and PKCS#8 for each, a public key type
//! covering both ([`SubjectKey`]) with its key identifier, and a CA private key of either kind
//! ([`CaKey`]). (Seeded keys for tests and fixtures are in the dev-only test-support crate, not
//! this crate's API.)
//!
//! `rsa::PrivateKey`, `p384::SecretKey` and `p384::ecdsa::SigningKey` zeroize their secret parts
//! on drop; PKCS#8 encodings are returned in [`Zeroizing`] buffers.

use std::fmt;

use p384::ecdsa::SigningKey as P384SigningKey;
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::CryptoRng;
use rsa::PrivateKey;
use rsa::pkcs8::EncodePublicKey;
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use crate::Error;
pub use crate::key_algorithm::Algorithm;

/// Key size of every first-generation JPKI key.
pub const RSA_BITS: usize = 2048;

/// Length of an uncompressed P-384 point (`04 ‖ x ‖ y`), as written in the SPKI.
pub const P384_POINT_LEN: usize = 97;

/// A certificate's subject public key: RSA-2048 or P-384.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectKey {
    /// An RSA-2048 key (first generation).
    Rsa(rsa::PublicKey),
    /// A P-384 key (next generation).
    P384(p384::PublicKey),
}

impl From<rsa::PublicKey> for SubjectKey {
    fn from(key: rsa::PublicKey) -> Self {
        Self::Rsa(key)
    }
}

impl From<&rsa::PublicKey> for SubjectKey {
    fn from(key: &rsa::PublicKey) -> Self {
        Self::Rsa(key.clone())
    }
}

impl From<p384::PublicKey> for SubjectKey {
    fn from(key: p384::PublicKey) -> Self {
        Self::P384(key)
    }
}

impl SubjectKey {
    /// Which algorithm the key is for.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Rsa(_) => Algorithm::Rsa2048,
            Self::P384(_) => Algorithm::EcdsaP384,
        }
    }

    /// The RSA key, if this is one.
    pub fn rsa(&self) -> Option<&rsa::PublicKey> {
        match self {
            Self::Rsa(k) => Some(k),
            Self::P384(_) => None,
        }
    }

    /// The P-384 key, if this is one.
    pub fn p384(&self) -> Option<&p384::PublicKey> {
        match self {
            Self::Rsa(_) => None,
            Self::P384(k) => Some(k),
        }
    }

    /// The subjectPublicKey bits: PKCS #1 `RSAPublicKey` DER, or the uncompressed 97-byte
    /// point `04 ‖ x ‖ y` (RFC 5480 §2.2).
    ///
    /// # Errors
    /// [`Error::BadPublicKey`] if the RSA key cannot be encoded.
    pub fn subject_public_key_bits(&self) -> Result<Vec<u8>, Error> {
        match self {
            Self::Rsa(k) => {
                let spki = k.to_public_key_der().map_err(|_| Error::BadPublicKey)?;
                Ok(crate::der_reader::subject_public_key_bits(spki.as_bytes())?.to_vec())
            }
            // P-384 points are never compressed by p384 (`COMPRESS_POINTS = false`).
            Self::P384(k) => Ok(k.to_sec1_bytes().into_vec()),
        }
    }

    /// The whole `SubjectPublicKeyInfo` DER: rsaEncryption with NULL parameters, or
    /// id-ecPublicKey with the namedCurve secp384r1.
    ///
    /// # Errors
    /// [`Error::BadPublicKey`] if encoding fails.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        let doc = match self {
            Self::Rsa(k) => k.to_public_key_der(),
            Self::P384(k) => k.to_public_key_der(),
        };
        Ok(doc.map_err(|_| Error::BadPublicKey)?.as_bytes().to_vec())
    }

    /// The 20-byte key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2
    /// method 1), as J-LIS computes its SKIs; the same method for both algorithms.
    ///
    /// # Errors
    /// [`Error::BadPublicKey`] if the key cannot be encoded.
    pub fn key_identifier(&self) -> Result<[u8; 20], Error> {
        Ok(Sha1::digest(self.subject_public_key_bits()?).into())
    }
}

/// A CA's private key: RSA-2048 for the first-generation hierarchy, P-384 for the next.
pub enum CaKey {
    /// RSA-2048 (signs sha256WithRSAEncryption).
    Rsa(PrivateKey),
    /// P-384 (signs ecdsa-with-SHA384, RFC 6979 deterministic, DER ECDSA-Sig-Value).
    P384(P384SigningKey),
}

impl fmt::Debug for CaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaKey::{}(<redacted>)", self.algorithm())
    }
}

impl From<PrivateKey> for CaKey {
    fn from(key: PrivateKey) -> Self {
        Self::Rsa(key)
    }
}

impl From<P384SigningKey> for CaKey {
    fn from(key: P384SigningKey) -> Self {
        Self::P384(key)
    }
}

impl From<p384::SecretKey> for CaKey {
    fn from(key: p384::SecretKey) -> Self {
        Self::P384(P384SigningKey::from(key))
    }
}

impl CaKey {
    /// Which algorithm the key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Rsa(_) => Algorithm::Rsa2048,
            Self::P384(_) => Algorithm::EcdsaP384,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> SubjectKey {
        match self {
            Self::Rsa(k) => SubjectKey::Rsa(k.to_public_key()),
            Self::P384(k) => SubjectKey::P384(p384::PublicKey::from(k.verifying_key())),
        }
    }

    /// PKCS#8 DER of the key, zeroized on drop.
    ///
    /// # Errors
    /// [`Error::Pkcs8`] if encoding fails.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        match self {
            Self::Rsa(k) => to_pkcs8_der(k),
            Self::P384(k) => {
                let doc = k.to_pkcs8_der()?;
                Ok(Zeroizing::new(doc.as_bytes().to_vec()))
            }
        }
    }

    /// A CA key from PKCS#8 DER of either algorithm (rsaEncryption or id-ecPublicKey with
    /// secp384r1).
    ///
    /// # Errors
    /// [`Error::Pkcs8`] if the DER is neither an RSA nor a P-384 PKCS#8 key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        match from_pkcs8_der(der) {
            Ok(k) => Ok(Self::Rsa(k)),
            Err(_) => Ok(Self::P384(P384SigningKey::from_pkcs8_der(der)?)),
        }
    }
}

/// Generates an RSA-2048 key with e = 65537.
///
/// # Errors
/// [`Error::Rsa`] if generation fails.
pub fn generate_key<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<PrivateKey, Error> {
    Ok(PrivateKey::new(rng, RSA_BITS)?)
}

/// Generates a P-384 key (a next-generation card key or CA key).
pub fn generate_p384<R: CryptoRng + ?Sized>(rng: &mut R) -> p384::SecretKey {
    <p384::SecretKey as p384::elliptic_curve::Generate>::generate_from_rng(rng)
}

/// PKCS#8 DER of a private key, in a buffer zeroized on drop.
///
/// # Errors
/// [`Error::Pkcs8`] if encoding fails.
pub fn to_pkcs8_der(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>, Error> {
    let doc = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(key)?;
    Ok(Zeroizing::new(doc.as_bytes().to_vec()))
}

/// A private key from PKCS#8 DER.
///
/// # Errors
/// [`Error::Pkcs8`] if the DER is not an RSA PKCS#8 key.
pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, Error> {
    Ok(<PrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_der(der)?)
}

/// PKCS#8 DER of a P-384 key, in a buffer zeroized on drop.
///
/// # Errors
/// [`Error::Pkcs8`] if encoding fails.
pub fn p384_to_pkcs8_der(key: &p384::SecretKey) -> Result<Zeroizing<Vec<u8>>, Error> {
    let doc = key.to_pkcs8_der()?;
    Ok(Zeroizing::new(doc.as_bytes().to_vec()))
}

/// A P-384 key from PKCS#8 DER.
///
/// # Errors
/// [`Error::Pkcs8`] if the DER is not a P-384 PKCS#8 key (another curve, or RSA).
pub fn p384_from_pkcs8_der(der: &[u8]) -> Result<p384::SecretKey, Error> {
    Ok(p384::SecretKey::from_pkcs8_der(der)?)
}
