//! The seam to rcgen: our RSA keys as rcgen's key types, our names and times in its terms,
//! its errors as ours.

use std::cell::RefCell;

use rcgen::{DnType, DnValue, PublicKeyData, SignatureAlgorithm, SigningKey};
use rsa::pkcs8::EncodePublicKey;
use rsa::{Pkcs1v15Sign, PrivateKey, PublicKey};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, UtcOffset};

use crate::Error;
use crate::der_writer::{self as w, SEQUENCE};
use crate::extensions::{self as ext};
use crate::name::{AttributeKind, DistinguishedName};

pub(super) fn subject_public_key_bits(spki: &[u8]) -> Result<&[u8], Error> {
    let mut r = crate::der_reader::Reader::new(spki, "subjectPublicKeyInfo");
    let mut seq = r.enter(SEQUENCE, "not a SEQUENCE")?;
    seq.read(SEQUENCE, "algorithm is not a SEQUENCE")?;
    let bits = seq.read(w::BIT_STRING, "subjectPublicKey is not a BIT STRING")?;
    match bits.content.split_first() {
        Some((0, rest)) => Ok(rest),
        _ => Err(Error::BadPublicKey),
    }
}

/// The subjectPublicKey bits (PKCS #1 `RSAPublicKey`) of a key, as rcgen's [`PublicKeyData`]
/// wants them; rcgen wraps them in the same rsaEncryption SPKI (NULL parameters).
pub(super) fn public_key_bits(key: &PublicKey) -> Result<Vec<u8>, Error> {
    let spki = key.to_public_key_der().map_err(|_| Error::BadPublicKey)?;
    Ok(subject_public_key_bits(spki.as_bytes())?.to_vec())
}

/// A subject's public key for rcgen.
pub(super) struct SubjectKey {
    bits: Vec<u8>,
}

impl SubjectKey {
    pub(super) fn new(key: &PublicKey) -> Result<Self, Error> {
        Ok(Self {
            bits: public_key_bits(key)?,
        })
    }
}

impl PublicKeyData for SubjectKey {
    fn der_bytes(&self) -> &[u8] {
        &self.bits
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

/// The CA key as rcgen's [`SigningKey`]: rcgen hands over the tbsCertificate, the `rsa` crate
/// signs it (PKCS #1 v1.5, SHA-256, deterministic). The private key never leaves the
/// zeroize-on-drop `rsa::PrivateKey`: no PKCS #8 copy is made for rcgen.
pub(super) struct CaSigner<'a> {
    key: &'a PrivateKey,
    public: SubjectKey,
    /// The `rsa` error behind rcgen's opaque `RemoteKeyError`, reported to the caller.
    failure: RefCell<Option<Error>>,
}

impl<'a> CaSigner<'a> {
    pub(super) fn new(key: &'a PrivateKey) -> Result<Self, Error> {
        Ok(Self {
            key,
            public: SubjectKey::new(&key.to_public_key())?,
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
        &rcgen::PKCS_RSA_SHA256
    }
}

impl SigningKey for CaSigner<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        sign_sha256(self.key, msg).map_err(|e| {
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

pub(super) fn sign_sha256(key: &PrivateKey, message: &[u8]) -> Result<Vec<u8>, Error> {
    let digest = Sha256::digest(message);
    Ok(key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest)?)
}
