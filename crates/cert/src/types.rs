//! Small value types shared by issuing and parsing.

use std::fmt;

use der::asn1::ObjectIdentifier;

use crate::keys::Algorithm;
use crate::{Error, oid};

/// Which JPKI hierarchy a certificate belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hierarchy {
    /// 署名用: signature certificates.
    Signature,
    /// 利用者証明用: user-authentication certificates.
    Authentication,
}

impl Hierarchy {
    /// The CA name's first `OU`.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Signature => "JPKI for digital signature",
            Self::Authentication => "JPKI for user authentication",
        }
    }

    /// The certificate policy of this hierarchy's end-entity certificates of a generation, as
    /// DER content octets: the J-LIS arc ([`Hierarchy::policy`]) for RSA-2048, the NG-sim v1
    /// arc (ours, shared/next-gen-profile.md §2.7, the same in both environments; see
    /// [`oid::NG_SIM_ARC`] for why octets) for P-384.
    pub fn policy_for(self, environment: Environment, algorithm: Algorithm) -> Vec<u8> {
        match (algorithm, self) {
            (Algorithm::Rsa2048, _) => self.policy(environment).as_bytes().to_vec(),
            (Algorithm::EcdsaP384, Self::Signature) => oid::POLICY_NG_SIGN.to_vec(),
            (Algorithm::EcdsaP384, Self::Authentication) => oid::POLICY_NG_AUTH.to_vec(),
        }
    }

    /// The certificate policy of this hierarchy's first-generation (RSA-2048) end-entity
    /// certificates.
    pub fn policy(self, environment: Environment) -> ObjectIdentifier {
        match (self, environment) {
            (Self::Signature, Environment::Production) => oid::POLICY_SIGN,
            (Self::Authentication, Environment::Production) => oid::POLICY_AUTH,
            (Self::Signature, Environment::Test) => oid::POLICY_SIGN_TEST,
            (Self::Authentication, Environment::Test) => oid::POLICY_AUTH_TEST,
        }
    }
}

/// Production J-LIS CAs (`O=JPKI`) or test cards (`O=JPKI-TEST`). Never accept test as production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `O=JPKI`.
    Production,
    /// `O=JPKI-TEST`.
    Test,
}

impl Environment {
    /// The CA name's `O`.
    pub fn organization(self) -> &'static str {
        match self {
            Self::Production => "JPKI",
            Self::Test => "JPKI-TEST",
        }
    }
}

/// What a certificate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertKind {
    /// A self-signed CA of a hierarchy.
    Ca(Hierarchy),
    /// An end-entity signature certificate (carries the 4 facts).
    Signature,
    /// An end-entity user-authentication certificate.
    Authentication,
}

impl CertKind {
    /// The hierarchy the certificate belongs to.
    pub fn hierarchy(self) -> Hierarchy {
        match self {
            Self::Ca(h) => h,
            Self::Signature => Hierarchy::Signature,
            Self::Authentication => Hierarchy::Authentication,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Ca(_) => "CA",
            Self::Signature => "signature",
            Self::Authentication => "authentication",
        }
    }
}

/// A certificate serial number: a non-negative integer of at most 20 octets, stored inline so
/// a CRL of a million entries needs no per-entry allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Serial {
    // Field order matters for `Ord`: with leading zeros stripped, shorter means smaller.
    len: u8,
    bytes: [u8; 20],
}

impl Serial {
    /// From a big-endian magnitude (leading zeros ignored).
    pub fn from_be_bytes(magnitude: &[u8]) -> Result<Self, Error> {
        let skip = magnitude.iter().take_while(|b| **b == 0).count();
        let m = magnitude.get(skip..).unwrap_or_default();
        let len = u8::try_from(m.len()).map_err(|_| Error::BadSerial)?;
        let mut bytes = [0u8; 20];
        bytes
            .get_mut(..m.len())
            .ok_or(Error::BadSerial)?
            .copy_from_slice(m);
        Ok(Self { len, bytes })
    }

    /// From the content octets of a DER INTEGER; negative values are rejected.
    pub fn from_der_integer(content: &[u8]) -> Result<Self, Error> {
        match content.first() {
            None => Err(Error::BadSerial),
            Some(b) if b & 0x80 != 0 => Err(Error::BadSerial),
            Some(_) => Self::from_be_bytes(content),
        }
    }

    /// The big-endian magnitude without leading zeros (empty for zero).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl From<u64> for Serial {
    fn from(v: u64) -> Self {
        // A u64 has 8 bytes, always within the 20-octet limit.
        Self::from_be_bytes(&v.to_be_bytes()).unwrap_or(Self {
            len: 0,
            bytes: [0; 20],
        })
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == 0 {
            return f.write_str("00");
        }
        for b in self.as_bytes() {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_normalises_and_orders_numerically() {
        let a = Serial::from_be_bytes(&[0, 0, 1, 0]).unwrap();
        assert_eq!(a.as_bytes(), [1, 0]);
        assert_eq!(a, Serial::from(256));
        assert!(Serial::from(255) < Serial::from(256));
        assert!(Serial::from(0x0100_0000) > Serial::from(0xFF_FFFF));
        assert_eq!(Serial::from(0x067C_6A21).to_string(), "067C6A21");
        assert!(Serial::from_be_bytes(&[1; 21]).is_err());
        assert!(Serial::from_der_integer(&[0x80]).is_err());
        assert!(Serial::from_der_integer(&[]).is_err());
        assert!(Serial::from_der_integer(&[0x00, 0x80]).is_ok());
    }
}
