//! A signature made by either card generation, carrying its algorithm, so a CMS or X.509
//! builder knows what to write (shared/next-gen-profile.md §2.5).

use core::fmt;

use crate::digest::HashAlg;

/// The algorithm of a card's keys, with the identifiers a CMS or X.509 builder writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSA-2048 PKCS#1 v1.5 over a SHA-256 DigestInfo: today's cards.
    Sha256WithRsa,
    /// ECDSA P-384 over SHA-384, DER `ECDSA-Sig-Value`: the next-generation card.
    EcdsaWithSha384,
}

impl SignatureAlgorithm {
    /// The hash the card's signatures are made over.
    #[must_use]
    pub const fn hash(self) -> HashAlg {
        match self {
            Self::Sha256WithRsa => HashAlg::Sha256,
            Self::EcdsaWithSha384 => HashAlg::Sha384,
        }
    }

    /// The signatureAlgorithm OID: sha256WithRSAEncryption `1.2.840.113549.1.1.11` (with NULL
    /// parameters) or ecdsa-with-SHA384 `1.2.840.10045.4.3.3` (no parameters, RFC 5758 §3.2).
    #[must_use]
    pub const fn oid(self) -> &'static str {
        match self {
            Self::Sha256WithRsa => "1.2.840.113549.1.1.11",
            Self::EcdsaWithSha384 => "1.2.840.10045.4.3.3",
        }
    }

    /// The digestAlgorithm OID for CMS: SHA-256 `2.16.840.1.101.3.4.2.1` or SHA-384
    /// `2.16.840.1.101.3.4.2.2` (RFC 5753 §2.1.1).
    #[must_use]
    pub const fn digest_oid(self) -> &'static str {
        match self {
            Self::Sha256WithRsa => "2.16.840.1.101.3.4.2.1",
            Self::EcdsaWithSha384 => "2.16.840.1.101.3.4.2.2",
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sha256WithRsa => "sha256WithRSAEncryption",
            Self::EcdsaWithSha384 => "ecdsa-with-SHA384",
        })
    }
}

/// A signature from the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardSignature {
    algorithm: SignatureAlgorithm,
    value: Vec<u8>,
    fixed: Option<Vec<u8>>,
}

impl CardSignature {
    /// An RSA signature: the card's 256 bytes.
    pub(crate) const fn rsa(value: Vec<u8>) -> Self {
        Self {
            algorithm: SignatureAlgorithm::Sha256WithRsa,
            value,
            fixed: None,
        }
    }

    /// An ECDSA signature: the verified DER and the card's `r ‖ s`.
    pub(crate) const fn ecdsa(der: Vec<u8>, fixed: Vec<u8>) -> Self {
        Self {
            algorithm: SignatureAlgorithm::EcdsaWithSha384,
            value: der,
            fixed: Some(fixed),
        }
    }

    /// Which algorithm made it.
    #[must_use]
    pub const fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// What X.509 and CMS carry: the 256 RSA bytes, or the DER `ECDSA-Sig-Value`.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.value
    }

    /// The value, owned.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.value
    }

    /// ECDSA only: the card's fixed 96-byte `r ‖ s` as it answered.
    #[must_use]
    pub fn raw_rs(&self) -> Option<&[u8]> {
        self.fixed.as_deref()
    }
}
