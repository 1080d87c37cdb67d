//! DigestInfo (PKCS#1 v1.5, RFC 8017 §9.2 note 1): what the card pads and signs.

use sha2::Digest;

/// A hash algorithm the DigestInfo helpers know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// SHA-1 (some legacy clients still sign it; never choose it for new signatures).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The DER prefix `SEQUENCE { AlgorithmIdentifier, OCTET STRING (len) }` before the hash.
    #[must_use]
    pub const fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            Self::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04,
                0x14,
            ],
            Self::Sha256 => &[
                0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            Self::Sha384 => &[
                0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            Self::Sha512 => &[
                0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }

    /// The hash length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Hashes `message` and wraps the hash in a DigestInfo. SHA-1 is not offered here: it is
    /// only accepted through [`digest_info`] for a hash computed elsewhere (`None`).
    #[must_use]
    pub fn hash_to_digest_info(self, message: &[u8]) -> Option<Vec<u8>> {
        let hash: Vec<u8> = match self {
            Self::Sha1 => return None,
            Self::Sha256 => sha2::Sha256::digest(message).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(message).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(message).to_vec(),
        };
        digest_info(self, &hash)
    }
}

/// `prefix || hash`, or `None` if `hash` has the wrong length for `alg`.
///
/// ```
/// use jpki_applet::{HashAlg, digest_info};
/// let di = digest_info(HashAlg::Sha256, &[0u8; 32]).unwrap();
/// assert_eq!(di.len(), 51);
/// assert_eq!(di[..2], [0x30, 0x31]);
/// assert!(digest_info(HashAlg::Sha256, &[0u8; 20]).is_none());
/// ```
#[must_use]
pub fn digest_info(alg: HashAlg, hash: &[u8]) -> Option<Vec<u8>> {
    if hash.len() != alg.output_len() {
        return None;
    }
    let mut out = alg.digest_info_prefix().to_vec();
    out.extend_from_slice(hash);
    Some(out)
}
