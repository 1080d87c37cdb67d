//! The algorithm of a JPKI generation, a leaf of the crate's modules (named by the errors, the
//! keys, the DER writer and the policies). Re-exported as [`crate::keys::Algorithm`].

use std::fmt;

/// The public-key (and signature) algorithm of a JPKI generation. No card carries both
/// (next-gen-profile P6), so a certificate chain uses one of them throughout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSA-2048, e = 65537, signed sha256WithRSAEncryption: today's cards (until the cut-off).
    Rsa2048,
    /// ECDSA on P-384 (secp384r1), signed ecdsa-with-SHA384: the next-generation card.
    EcdsaP384,
}

impl Algorithm {
    /// A short name for messages: `RSA-2048` or `ECDSA P-384`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rsa2048 => "RSA-2048",
            Self::EcdsaP384 => "ECDSA P-384",
        }
    }

    /// The signatureAlgorithm a key of this algorithm signs certificates and CRLs with.
    pub fn signature_name(self) -> &'static str {
        match self {
            Self::Rsa2048 => "sha256WithRSAEncryption",
            Self::EcdsaP384 => "ecdsa-with-SHA384",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
