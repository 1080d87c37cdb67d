//! The seam to rcgen: our keys (RSA-2048 and P-384) as rcgen's key types, our names and times
//! in its terms, its errors as ours.
//!
//! P-384 CA keys sign through rcgen as an external [`SigningKey`] backed by `p384` (RFC 6979,
//! DER ECDSA-Sig-Value, which rcgen puts into the signature BIT STRING unchanged), not as a
//! ring `KeyPair` from PKCS #8: the key stays in the zeroize-on-drop `p384` signing key (no
//! PKCS #8 copy handed to ring, as for RSA), signatures are deterministic (fixtures and tests
//! reproduce byte for byte), and the CA certificate and CRLs, which this crate writes itself,
//! use the very same signer.

use std::cell::RefCell;

use p384::ecdsa::DerSignature;
use rcgen::{DnType, DnValue, PublicKeyData, SignatureAlgorithm, SigningKey};
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};
use signature::Signer;
use time::{OffsetDateTime, UtcOffset};

use crate::Error;
use crate::extensions::{self as ext};
use crate::keys::{Algorithm, CaKey, SubjectKey};
use crate::name::{AttributeKind, DistinguishedName};

/// rcgen's algorithm for keys of ours: RSA with sha256WithRSAEncryption (SPKI rsaEncryption,
/// NULL parameters), P-384 with ecdsa-with-SHA384 (SPKI id-ecPublicKey + secp384r1).
fn rcgen_algorithm(algorithm: Algorithm) -> &'static SignatureAlgorithm {
    match algorithm {
        Algorithm::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
        Algorithm::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
    }
}

/// A subject's public key for rcgen: the subjectPublicKey bits (PKCS #1 `RSAPublicKey`, or the
/// uncompressed 97-byte P-384 point), which rcgen wraps in the SPKI of the algorithm.
pub(super) struct RcgenSubject {
    bits: Vec<u8>,
    algorithm: Algorithm,
}

impl RcgenSubject {
    pub(super) fn new(key: &SubjectKey) -> Result<Self, Error> {
        Ok(Self {
            bits: key.subject_public_key_bits()?,
            algorithm: key.algorithm(),
        })
    }
}

impl PublicKeyData for RcgenSubject {
    fn der_bytes(&self) -> &[u8] {
        &self.bits
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        rcgen_algorithm(self.algorithm)
    }
}

/// The CA key as rcgen's [`SigningKey`]: rcgen hands over the tbsCertificate, [`sign`] signs
/// it (RSA PKCS #1 v1.5 SHA-256, or P-384 ECDSA SHA-384 as DER; both deterministic). The
/// private key never leaves its zeroize-on-drop type: no PKCS #8 copy is made for rcgen.
pub(super) struct CaSigner<'a> {
    key: &'a CaKey,
    public: RcgenSubject,
    /// The `rsa` error behind rcgen's opaque `RemoteKeyError`, reported to the caller.
    failure: RefCell<Option<Error>>,
}

impl<'a> CaSigner<'a> {
    pub(super) fn new(key: &'a CaKey) -> Result<Self, Error> {
        Ok(Self {
            key,
            public: RcgenSubject::new(&key.public_key())?,
            failure: RefCell::new(None),
        })
    }

    /// Maps an rcgen error to ours, preferring the signing failure that caused it.
    pub(super) fn error(&self, e: rcgen::Error) -> Error {
        match self.failure.borrow_mut().take() {
            Some(failure) => failure,
            None => rcgen_error(e),
        }
    }
}

impl PublicKeyData for CaSigner<'_> {
    fn der_bytes(&self) -> &[u8] {
        self.public.der_bytes()
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.public.algorithm()
    }
}

impl SigningKey for CaSigner<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        sign(self.key, msg).map_err(|e| {
            *self.failure.borrow_mut() = Some(e);
            rcgen::Error::RemoteKeyError
        })
    }
}

/// rcgen refuses only parameters we never give it (its own checks on names and dates are
/// done here before): report it as an issuing-side profile problem.
pub(super) fn rcgen_error(e: rcgen::Error) -> Error {
    let reason = match e {
        rcgen::Error::InvalidAsn1String(_) => "a name attribute cannot be encoded",
        _ => "rcgen refused the certificate parameters",
    };
    Error::BadName {
        which: "issued certificate",
        reason,
    }
}

/// A JPKI name for rcgen. rcgen's `DistinguishedName` is a map (a second `OU` or `L` would
/// replace the first), so a repeated attribute type is written under
/// `DnType::CustomDnType(<its OID>)`, which encodes the same bytes. `C` is a PrintableString,
/// everything else UTF8String, as [`DistinguishedName::to_der`] writes them.
pub(super) fn rcgen_name(
    name: &DistinguishedName,
    which: &'static str,
) -> Result<rcgen::DistinguishedName, Error> {
    let bad = |reason| Error::BadName { which, reason };
    let mut out = rcgen::DistinguishedName::new();
    for (kind, value) in name.attributes() {
        let standard = match kind {
            AttributeKind::Country => Some(DnType::CountryName),
            AttributeKind::Organization => Some(DnType::OrganizationName),
            AttributeKind::OrganizationalUnit => Some(DnType::OrganizationalUnitName),
            AttributeKind::Locality => Some(DnType::LocalityName),
            AttributeKind::CommonName => Some(DnType::CommonName),
            _ => None,
        };
        let ty = match standard {
            Some(t) if out.get(&t).is_none() => t,
            _ => {
                let t = DnType::CustomDnType(ext::arcs(&kind.oid()));
                if out.get(&t).is_some() {
                    return Err(bad(
                        "an attribute type occurs more than twice (rcgen names are maps)",
                    ));
                }
                t
            }
        };
        let value = if *kind == AttributeKind::Country {
            DnValue::PrintableString(
                value
                    .as_str()
                    .try_into()
                    .map_err(|_| bad("C must be a PrintableString"))?,
            )
        } else {
            DnValue::Utf8String(value.clone())
        };
        out.push(ty, value);
    }
    Ok(out)
}

/// A validity instant for rcgen: in UTC (rcgen picks UTCTime or GeneralizedTime from the year
/// of the value it is given, and its encoders assert on the range), within 0000–9999.
pub(super) fn rcgen_time(t: OffsetDateTime) -> Result<OffsetDateTime, Error> {
    let t = t.to_offset(UtcOffset::UTC);
    if !(0..=9999).contains(&t.year()) {
        return Err(Error::BadValidity {
            reason: "dates must fall within the years 0000 to 9999",
        });
    }
    Ok(t)
}

fn sign_sha256(key: &PrivateKey, message: &[u8]) -> Result<Vec<u8>, Error> {
    let digest = Sha256::digest(message);
    Ok(key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest)?)
}

/// Signs `message` with a CA key: RSA PKCS #1 v1.5 over SHA-256, or ECDSA P-384 over SHA-384
/// (RFC 6979) as a DER ECDSA-Sig-Value (RFC 5758 §3.2), the bytes of the signature BIT STRING.
pub(super) fn sign(key: &CaKey, message: &[u8]) -> Result<Vec<u8>, Error> {
    match key {
        CaKey::Rsa(k) => sign_sha256(k, message),
        CaKey::P384(k) => {
            let sig: DerSignature = k.try_sign(message).map_err(|_| Error::Ecdsa)?;
            Ok(sig.as_bytes().to_vec())
        }
    }
}
