//! The next-generation card's genuineness certificate (card authentication, NG-sim v1,
//! shared/next-gen-profile.md §2.7, public fact P10): a P-384 key per card, certified by its own
//! P-384 CA `C=JP, O=JPKI-NG-SIM, CN=Card Authentication CA`; subject `C=JP, CN=<card serial, 16
//! hex digits>`, keyUsage digitalSignature, the NG card-authentication policy
//! ([`crate::oid::POLICY_NG_CARD_AUTH`]), AKI and SKI; no personal data. The CA name and the
//! policy are NG-sim v1, ours, to be replaced when the real specification is published.
//!
//! These are not [`crate::JpkiCertificate`]s (no JPKI CA issues them): [`CardAuthCertificate`]
//! parses both the CA and the card's certificate.

use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier,
};

use crate::algorithm;
use crate::certificate::policy_ids;
use crate::der_reader::Reader;
use crate::der_writer::{BIT_STRING, SEQUENCE};
use crate::keys::{Algorithm, SubjectKey};
use crate::name::{AttributeKind, DistinguishedName};
use crate::{Error, Serial, oid};

/// NG-sim v1 (ours, to be replaced): the card-authentication CA's `O`.
pub const CARD_AUTH_CA_ORGANIZATION: &str = "JPKI-NG-SIM";
/// NG-sim v1 (ours, to be replaced): the card-authentication CA's `CN`.
pub const CARD_AUTH_CA_COMMON_NAME: &str = "Card Authentication CA";

/// `C=JP, O=JPKI-NG-SIM, CN=Card Authentication CA`.
pub fn card_auth_ca_name() -> DistinguishedName {
    DistinguishedName::new()
        .with(AttributeKind::Country, "JP")
        .with(AttributeKind::Organization, CARD_AUTH_CA_ORGANIZATION)
        .with(AttributeKind::CommonName, CARD_AUTH_CA_COMMON_NAME)
}

/// Whether `serial` is a card serial as the subject CN carries it: 16 hex digits (upper case).
pub fn is_card_serial(serial: &str) -> bool {
    serial.len() == 16
        && serial
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

/// A parsed card-authentication certificate or its CA, profile checked.
#[derive(Clone, Debug)]
pub struct CardAuthCertificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
    is_ca: bool,
    serial: Serial,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    card_serial: Option<String>,
    public_key: SubjectKey,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
}

fn bad(reason: &'static str) -> Error {
    Error::BadName {
        which: "card-authentication certificate",
        reason,
    }
}

fn time_of(t: &x509_cert::time::Time) -> Result<OffsetDateTime, Error> {
    i64::try_from(t.to_unix_duration().as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or(Error::MalformedDer {
            structure: "certificate",
            reason: "time out of range",
        })
}

impl CardAuthCertificate {
    /// Parses DER and checks the card-authentication profile: issued by the card-authentication
    /// CA name, P-384 key, ecdsa-with-SHA384; a CA is self-issued with keyCertSign + cRLSign,
    /// a card's certificate has keyUsage digitalSignature only, the NG card-authentication
    /// policy and subject `C=JP, CN=<16 hex digits>`.
    ///
    /// # Errors
    /// Malformed DER, another algorithm, issuer or profile break.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let mut outer = Reader::new(der, "certificate");
        let mut cert = outer.enter(SEQUENCE, "Certificate is not a SEQUENCE")?;
        outer.finish()?;
        let tbs = cert.read(SEQUENCE, "tbsCertificate is not a SEQUENCE")?;
        let alg = cert.read(SEQUENCE, "signatureAlgorithm is not a SEQUENCE")?;
        let sig = cert.read(BIT_STRING, "signature is not a BIT STRING")?;
        cert.finish()?;
        if algorithm::signature_algorithm(alg.raw)? != Algorithm::EcdsaP384 {
            return Err(bad(
                "card-authentication certificates are signed ecdsa-with-SHA384",
            ));
        }
        let signature = match sig.content.split_first() {
            Some((0, s)) => s.to_vec(),
            _ => return Err(bad("signature BIT STRING has unused bits")),
        };
        let x = x509_cert::Certificate::from_der(der)?;
        let t = x.tbs_certificate();
        if t.signature() != x.signature_algorithm() {
            return Err(Error::AlgorithmMismatch);
        }
        let public_key = algorithm::subject_key(&t.subject_public_key_info().to_der()?)?;
        if public_key.algorithm() != Algorithm::EcdsaP384 {
            return Err(bad("the card-authentication key is P-384"));
        }
        let issuer = DistinguishedName::from_der(&t.issuer().to_der()?)?;
        if issuer != card_auth_ca_name() {
            return Err(bad(
                "issuer is not C=JP, O=JPKI-NG-SIM, CN=Card Authentication CA",
            ));
        }
        let subject = DistinguishedName::from_der(&t.subject().to_der()?)?;
        let (mut ku, mut basic, mut ski, mut aki, mut policies) = (None, None, None, None, None);
        for e in t.extensions().map(|e| e.iter()).into_iter().flatten() {
            let v = e.extn_value.as_bytes();
            match e.extn_id {
                id if id == oid::EXT_KEY_USAGE => ku = Some(KeyUsage::from_der(v)?),
                id if id == oid::EXT_BASIC_CONSTRAINTS => {
                    basic = Some(BasicConstraints::from_der(v)?)
                }
                id if id == oid::EXT_SKI => {
                    ski = Some(SubjectKeyIdentifier::from_der(v)?.0.as_bytes().to_vec());
                }
                id if id == oid::EXT_AKI => {
                    aki = AuthorityKeyIdentifier::from_der(v)?
                        .key_identifier
                        .map(|k| k.as_bytes().to_vec());
                }
                id if id == oid::EXT_CERT_POLICIES => {
                    if !policy_ids(v)?.contains(&oid::POLICY_NG_CARD_AUTH) {
                        return Err(Error::WrongPolicy {
                            expected: oid::dotted(oid::POLICY_NG_CARD_AUTH).unwrap_or_default(),
                        });
                    }
                    policies = Some(());
                }
                id if e.critical => return Err(Error::UnknownCriticalExtension { oid: id }),
                _ => {}
            }
        }
        let ku = ku.ok_or(Error::MissingExtension { name: "keyUsage" })?;
        let is_ca = basic.is_some_and(|b| b.ca);
        let card_serial = if is_ca {
            if subject != issuer || !(ku.key_cert_sign() && ku.crl_sign()) {
                return Err(bad("the CA is self-issued with keyCertSign and cRLSign"));
            }
            None
        } else {
            if !ku.digital_signature() || ku.non_repudiation() || ku.key_cert_sign() {
                return Err(Error::WrongKeyUsage {
                    kind: "card-authentication",
                    expected: "digitalSignature only",
                });
            }
            if policies.is_none() {
                return Err(Error::MissingExtension {
                    name: "certificatePolicies",
                });
            }
            match subject.attributes() {
                [(AttributeKind::Country, c), (AttributeKind::CommonName, cn)]
                    if c == "JP" && is_card_serial(cn) =>
                {
                    Some(cn.clone())
                }
                _ => return Err(bad("subject must be C=JP, CN=<card serial, 16 hex digits>")),
            }
        };
        Ok(Self {
            der: der.to_vec(),
            tbs: tbs.raw.to_vec(),
            signature,
            is_ca,
            serial: Serial::from_der_integer(t.serial_number().as_bytes())?,
            not_before: time_of(&t.validity().not_before)?,
            not_after: time_of(&t.validity().not_after)?,
            card_serial,
            public_key,
            subject_key_id: ski,
            authority_key_id: aki,
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Whether this is the card-authentication CA.
    pub fn is_ca(&self) -> bool {
        self.is_ca
    }

    /// The card serial (subject CN, 16 hex digits) of a card's certificate.
    pub fn card_serial(&self) -> Option<&str> {
        self.card_serial.as_deref()
    }

    /// The P-384 public key (the card's genuineness key, or the CA's).
    pub fn public_key(&self) -> &SubjectKey {
        &self.public_key
    }

    /// Serial number.
    pub fn serial(&self) -> Serial {
        self.serial
    }

    /// notBefore.
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// notAfter.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// subjectKeyIdentifier, if present.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.subject_key_id.as_deref()
    }

    /// authorityKeyIdentifier keyIdentifier, if present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// Verifies that the card-authentication CA `ca` signed this certificate.
    ///
    /// # Errors
    /// [`Error::WrongKind`] if `ca` is not the CA, [`Error::BadSignature`].
    pub fn verify_signed_by(&self, ca: &CardAuthCertificate) -> Result<(), Error> {
        if !ca.is_ca {
            return Err(Error::WrongKind {
                expected: "card-authentication CA",
            });
        }
        algorithm::verify(
            Algorithm::EcdsaP384,
            &ca.public_key,
            &self.tbs,
            &self.signature,
        )
    }
}
