//! The relying party's view of a JPKI certificate: parse, check the profile, verify signatures.
//!
//! (One piece, over 400 lines: parsing and the profile checks walk one certificate together, and
//! each check's error names the field it read.)

use std::collections::HashSet;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Tag, Tagged};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};

use crate::algorithm;
use crate::der_reader::Reader;
use crate::der_writer::{BIT_STRING, INTEGER, SEQUENCE};
use crate::holder::{CardText, FourFacts, Gender, Locality, decode_birth_date};
use crate::keys::{Algorithm, SubjectKey};
use crate::name::{AttributeKind, DistinguishedName, ca_name};
use crate::{CertKind, Environment, Error, Hierarchy, Serial, oid};

/// A parsed JPKI certificate (real or issued by this crate) whose profile has been checked.
#[derive(Clone, Debug)]
pub struct JpkiCertificate {
    der: Vec<u8>,
    tbs_start: usize,
    tbs_end: usize,
    signature: Vec<u8>,
    kind: CertKind,
    environment: Environment,
    serial: Serial,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    issuer: DistinguishedName,
    issuer_der: Vec<u8>,
    subject: DistinguishedName,
    subject_der: Vec<u8>,
    public_key: SubjectKey,
    signature_algorithm: Algorithm,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    authority_cert_serial: Option<Serial>,
    four_facts: Option<FourFacts>,
    municipality: Option<Locality>,
    crl_distribution_point: Option<(Vec<u8>, DistinguishedName)>,
}

fn time_of(t: &x509_cert::time::Time) -> Result<OffsetDateTime, Error> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).map_err(|_| Error::MalformedDer {
        structure: "certificate",
        reason: "time out of range",
    })?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| Error::MalformedDer {
        structure: "certificate",
        reason: "time out of range",
    })
}

fn ext_name(o: &ObjectIdentifier) -> &'static str {
    match *o {
        _ if *o == oid::EXT_KEY_USAGE => "keyUsage",
        _ if *o == oid::EXT_BASIC_CONSTRAINTS => "basicConstraints",
        _ if *o == oid::EXT_CERT_POLICIES => "certificatePolicies",
        _ if *o == oid::EXT_SAN => "subjectAltName",
        _ if *o == oid::EXT_IAN => "issuerAltName",
        _ if *o == oid::EXT_CRL_DP => "cRLDistributionPoints",
        _ if *o == oid::EXT_AKI => "authorityKeyIdentifier",
        _ if *o == oid::EXT_SKI => "subjectKeyIdentifier",
        _ if *o == oid::EXT_EXT_KEY_USAGE => "extKeyUsage",
        _ if *o == oid::EXT_AIA => "authorityInfoAccess",
        _ => "unknown",
    }
}

/// Extensions by OID, each at most once.
struct Extensions<'a> {
    list: Vec<&'a x509_cert::ext::Extension>,
}

impl<'a> Extensions<'a> {
    fn new(exts: Option<&'a x509_cert::ext::Extensions>) -> Result<Self, Error> {
        let list: Vec<_> = exts.map(|e| e.iter().collect()).unwrap_or_default();
        let mut seen = HashSet::new();
        for e in &list {
            if !seen.insert(e.extn_id) {
                return Err(Error::DuplicateExtension { oid: e.extn_id });
            }
            if e.critical && ext_name(&e.extn_id) == "unknown" {
                return Err(Error::UnknownCriticalExtension { oid: e.extn_id });
            }
        }
        Ok(Self { list })
    }

    /// `(critical, value)` of an extension, decoded as `T`.
    fn get<T: Decode<'a, Error = der::Error>>(
        &self,
        id: ObjectIdentifier,
    ) -> Result<Option<(bool, T)>, Error> {
        let Some(e) = self.list.iter().find(|e| e.extn_id == id) else {
            return Ok(None);
        };
        let value = T::from_der(e.extn_value.as_bytes()).map_err(|_| Error::BadExtension {
            name: ext_name(&id),
            reason: "content is not valid DER for this extension",
        })?;
        Ok(Some((e.critical, value)))
    }

    /// The policy identifiers (DER content octets) of the critical certificatePolicies (see
    /// [`policy_ids`]).
    fn policies(&self) -> Result<Vec<&'a [u8]>, Error> {
        let name = "certificatePolicies";
        let e = self
            .list
            .iter()
            .find(|e| e.extn_id == oid::EXT_CERT_POLICIES)
            .ok_or(Error::MissingExtension { name })?;
        if !e.critical {
            return Err(Error::NotCritical { name });
        }
        policy_ids(e.extn_value.as_bytes())
    }

    fn require<T: Decode<'a, Error = der::Error>>(
        &self,
        id: ObjectIdentifier,
        must_be_critical: bool,
    ) -> Result<T, Error> {
        let name = ext_name(&id);
        let (critical, v) = self.get::<T>(id)?.ok_or(Error::MissingExtension { name })?;
        if must_be_critical && !critical {
            return Err(Error::NotCritical { name });
        }
        Ok(v)
    }
}

/// The 9 keyUsage bits in order digitalSignature … decipherOnly.
fn key_usage_bits(ku: &KeyUsage) -> [bool; 9] {
    [
        ku.digital_signature(),
        ku.non_repudiation(),
        ku.key_encipherment(),
        ku.data_encipherment(),
        ku.key_agreement(),
        ku.key_cert_sign(),
        ku.crl_sign(),
        ku.encipher_only(),
        ku.decipher_only(),
    ]
}

fn usage_of(bits: &[usize]) -> [bool; 9] {
    let mut out = [false; 9];
    for &b in bits {
        if let Some(slot) = out.get_mut(b) {
            *slot = true;
        }
    }
    out
}

/// Which CA (hierarchy, environment) a name denotes, if it is a JPKI CA name.
fn jpki_ca(name: &DistinguishedName) -> Option<(Hierarchy, Environment)> {
    for h in [Hierarchy::Signature, Hierarchy::Authentication] {
        for e in [Environment::Production, Environment::Test] {
            if *name == ca_name(h, e) {
                return Some((h, e));
            }
        }
    }
    None
}

impl JpkiCertificate {
    /// Parses DER and checks it against the JPKI profile (spec §7). Never panics.
    ///
    /// # Errors
    /// Malformed DER, a non-JPKI issuer, or any break of the profile of the certificate's kind.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        // Raw tbsCertificate bytes, exactly as signed.
        let mut outer = Reader::new(der, "certificate");
        let cert_tlv = outer.read(SEQUENCE, "Certificate is not a SEQUENCE")?;
        outer.finish()?;
        let mut cert = Reader::new(cert_tlv.content, "certificate");
        let tbs_raw = cert.read(SEQUENCE, "tbsCertificate is not a SEQUENCE")?;
        // The TBS is the first element of the outer SEQUENCE's content.
        let tbs_start = der.len() - cert_tlv.content.len();
        let tbs_end = tbs_start + tbs_raw.raw.len();
        let alg = cert.read(SEQUENCE, "signatureAlgorithm is not a SEQUENCE")?;
        let sig = cert.read(BIT_STRING, "signature is not a BIT STRING")?;
        cert.finish()?;
        let signature = match sig.content.split_first() {
            Some((0, bits)) => bits.to_vec(),
            _ => {
                return Err(Error::MalformedDer {
                    structure: "certificate",
                    reason: "signature BIT STRING has unused bits",
                });
            }
        };

        // The issuer, subject and subjectPublicKeyInfo exactly as they are in the certificate
        // (as signed, and as a CRL's issuer is compared), read in place rather than re-encoded
        // from the typed decode below, which still checks the whole structure.
        let mut fields = Reader::new(tbs_raw.content, "certificate");
        fields.read_optional(0xA0)?;
        fields.read(INTEGER, "serialNumber is not an INTEGER")?;
        fields.read(SEQUENCE, "signature is not an AlgorithmIdentifier")?;
        let issuer_tlv = fields.read(SEQUENCE, "issuer is not a Name")?;
        fields.read(SEQUENCE, "validity is not a SEQUENCE")?;
        let subject_tlv = fields.read(SEQUENCE, "subject is not a Name")?;
        let spki_tlv = fields.read(SEQUENCE, "subjectPublicKeyInfo is not a SEQUENCE")?;

        let x = x509_cert::Certificate::from_der(der)?;
        let tbs = x.tbs_certificate();
        if tbs.version() != x509_cert::certificate::Version::V3 {
            return Err(Error::NotV3);
        }
        // sha256WithRSAEncryption or ecdsa-with-SHA384 (parameters absent), and the TBS copy
        // must say the same.
        let signature_algorithm = algorithm::signature_algorithm(alg.raw)?;
        if tbs.signature() != x.signature_algorithm() {
            return Err(Error::AlgorithmMismatch);
        }
        // RSA-2048 or P-384 (named curve, uncompressed point). The key may differ from the
        // signature algorithm here (the issuer's); the verifier refuses such mixed chains.
        let public_key = algorithm::subject_key(spki_tlv.raw)?;

        // JPKI serials are positive; a negative one is refused rather than guessed at.
        let serial = Serial::from_der_integer(tbs.serial_number().as_bytes())?;
        let not_before = time_of(&tbs.validity().not_before)?;
        let not_after = time_of(&tbs.validity().not_after)?;
        let issuer_der = issuer_tlv.raw.to_vec();
        let subject_der = subject_tlv.raw.to_vec();
        let issuer = DistinguishedName::from_der(&issuer_der)?;
        let subject = DistinguishedName::from_der(&subject_der)?;
        let (hierarchy, environment) = jpki_ca(&issuer).ok_or(Error::NotJpkiIssuer)?;

        let exts = Extensions::new(tbs.extensions())?;
        let basic = exts.get::<BasicConstraints>(oid::EXT_BASIC_CONSTRAINTS)?;
        let is_ca = basic.as_ref().is_some_and(|(_, b)| b.ca);
        let ku: KeyUsage = exts.require(oid::EXT_KEY_USAGE, true)?;
        let ku_bits = key_usage_bits(&ku);

        let subject_key_id = exts
            .get::<SubjectKeyIdentifier>(oid::EXT_SKI)?
            .map(|(_, s)| s.0.as_bytes().to_vec());
        let aki = exts
            .get::<AuthorityKeyIdentifier>(oid::EXT_AKI)?
            .map(|(_, a)| a);
        let authority_key_id = aki
            .as_ref()
            .and_then(|a| a.key_identifier.as_ref())
            .map(|k| k.as_bytes().to_vec());
        let authority_cert_serial = aki
            .as_ref()
            .and_then(|a| a.authority_cert_serial_number.as_ref())
            .map(|s| Serial::from_be_bytes(s.as_bytes()))
            .transpose()?;

        let crl_distribution_point =
            match exts.get::<x509_cert::ext::pkix::CrlDistributionPoints>(oid::EXT_CRL_DP)? {
                Some((_, dps)) => first_dir_name(&dps)?,
                None => None,
            };
        let mut four_facts = None;
        let mut municipality = None;
        let kind = if is_ca {
            if subject != issuer {
                return Err(Error::BadName {
                    which: "subject",
                    reason: "a JPKI CA is self-issued: subject must equal issuer",
                });
            }
            if basic.as_ref().is_some_and(|(critical, _)| !critical) {
                return Err(Error::NotCritical {
                    name: "basicConstraints",
                });
            }
            if !(ku.key_cert_sign() && ku.crl_sign()) {
                return Err(Error::WrongKeyUsage {
                    kind: "CA",
                    expected: "keyCertSign and cRLSign",
                });
            }
            CertKind::Ca(hierarchy)
        } else {
            let kind = match hierarchy {
                Hierarchy::Signature => CertKind::Signature,
                Hierarchy::Authentication => CertKind::Authentication,
            };
            let (expected_bits, expected): (&[usize], _) = match kind {
                CertKind::Signature => (&[0, 1], "digitalSignature and nonRepudiation only"),
                _ => (&[0], "digitalSignature only"),
            };
            if ku_bits != usage_of(expected_bits) {
                return Err(Error::WrongKeyUsage {
                    kind: kind.label(),
                    expected,
                });
            }
            let policy = hierarchy.policy_for(environment, public_key.algorithm());
            if !exts.policies()?.contains(&policy.as_slice()) {
                return Err(Error::WrongPolicy {
                    expected: oid::dotted(&policy).unwrap_or_default(),
                });
            }
            if kind == CertKind::Authentication {
                authentication_subject(&subject)?;
                let eku: ExtendedKeyUsage = exts.require(oid::EXT_EXT_KEY_USAGE, false)?;
                if !eku.0.contains(&oid::KP_CLIENT_AUTH) {
                    return Err(Error::BadExtension {
                        name: "extKeyUsage",
                        reason: "authentication certificates must allow clientAuth",
                    });
                }
            } else {
                let san: SubjectAltName = exts.require(oid::EXT_SAN, false)?;
                four_facts = Some(decode_four_facts(&san)?);
                municipality = Some(signature_subject(&subject)?);
            }
            kind
        };

        Ok(Self {
            der: der.to_vec(),
            tbs_start,
            tbs_end,
            signature,
            kind,
            environment,
            serial,
            not_before,
            not_after,
            issuer,
            issuer_der,
            subject,
            subject_der,
            public_key,
            signature_algorithm,
            subject_key_id,
            authority_key_id,
            authority_cert_serial,
            four_facts,
            municipality,
            crl_distribution_point,
        })
    }

    /// Parses a PEM `CERTIFICATE` block.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (label, der) =
            der::pem::decode_vec(pem.as_bytes()).map_err(|_| Error::MalformedDer {
                structure: "PEM",
                reason: "not a PEM block",
            })?;
        if label != "CERTIFICATE" {
            return Err(Error::MalformedDer {
                structure: "PEM",
                reason: "label is not CERTIFICATE",
            });
        }
        Self::from_der(&der)
    }

    /// PEM encoding (`-----BEGIN CERTIFICATE-----`, LF line endings).
    pub fn to_pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }

    /// The DER encoding, as parsed or issued.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The signed `tbsCertificate` bytes.
    pub fn tbs_der(&self) -> &[u8] {
        self.der
            .get(self.tbs_start..self.tbs_end)
            .unwrap_or_default()
    }

    /// SHA-256 of the DER (the fingerprint J-LIS publishes for its CAs).
    pub fn fingerprint_sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.der).into()
    }

    /// Signature / authentication / CA.
    pub fn kind(&self) -> CertKind {
        self.kind
    }

    /// Production or JPKI-TEST.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// Whether the certificate follows a real, published J-LIS profile: production names and
    /// the J-LIS policy arc. False for JPKI-TEST cards and for every next-generation (P-384)
    /// certificate, whose NG-sim v1 policy arc is ours: a production relying party refuses
    /// both, as it refuses test cards.
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production && self.algorithm() == Algorithm::Rsa2048
    }

    /// The hierarchy.
    pub fn hierarchy(&self) -> Hierarchy {
        self.kind.hierarchy()
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

    /// Issuer name.
    pub fn issuer(&self) -> &DistinguishedName {
        &self.issuer
    }

    /// Subject name.
    pub fn subject(&self) -> &DistinguishedName {
        &self.subject
    }

    /// The subject's public key (RSA-2048 or P-384).
    pub fn public_key(&self) -> &SubjectKey {
        &self.public_key
    }

    /// The subject's RSA public key, for a first-generation certificate.
    pub fn rsa_public_key(&self) -> Option<&rsa::PublicKey> {
        self.public_key.rsa()
    }

    /// The subject key's algorithm, which is also the certificate's generation: RSA-2048 for
    /// today's cards (J-LIS policy arcs), ECDSA P-384 for the next-generation card (NG-sim v1
    /// policy arc, [`crate::oid::POLICY_NG_SIGN`] and the like).
    pub fn algorithm(&self) -> Algorithm {
        self.public_key.algorithm()
    }

    /// The algorithm the issuer signed this certificate with (its signatureAlgorithm).
    pub fn signature_algorithm(&self) -> Algorithm {
        self.signature_algorithm
    }

    /// subjectKeyIdentifier, if present.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.subject_key_id.as_deref()
    }

    /// authorityKeyIdentifier keyIdentifier, if present (absent on self-signed CAs).
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// authorityKeyIdentifier authorityCertSerialNumber, if present.
    pub fn authority_cert_serial(&self) -> Option<Serial> {
        self.authority_cert_serial
    }

    /// The 4 facts of a signature certificate.
    pub fn four_facts(&self) -> Option<&FourFacts> {
        self.four_facts.as_ref()
    }

    /// The municipality's names (`L=<prefecture>, L=<city>`) of a signature certificate.
    pub fn municipality(&self) -> Option<&Locality> {
        self.municipality.as_ref()
    }

    /// The directory name of the certificate's CRL distribution point: the CRL partition it
    /// belongs to (a municipality's `… CRLDP`; the CA name for a CA).
    pub fn crl_distribution_point(&self) -> Option<&DistinguishedName> {
        self.crl_distribution_point.as_ref().map(|(_, n)| n)
    }

    pub(crate) fn crl_distribution_point_parts(&self) -> Option<(&[u8], &DistinguishedName)> {
        self.crl_distribution_point
            .as_ref()
            .map(|(d, n)| (d.as_slice(), n))
    }

    pub(crate) fn issuer_der(&self) -> &[u8] {
        &self.issuer_der
    }

    pub(crate) fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    /// Whether `self` was in force at `at` (notBefore ≤ at ≤ notAfter).
    ///
    /// # Errors
    /// [`Error::NotYetValid`] or [`Error::Expired`].
    pub fn check_validity_at(&self, at: OffsetDateTime) -> Result<(), Error> {
        if at < self.not_before {
            return Err(Error::NotYetValid {
                not_before: self.not_before,
            });
        }
        if at > self.not_after {
            return Err(Error::Expired {
                not_after: self.not_after,
            });
        }
        Ok(())
    }

    /// Verifies that `issuer`'s key signed this certificate, with the algorithm the
    /// certificate names: sha256WithRSAEncryption needs an RSA-2048 issuer, ecdsa-with-SHA384 a
    /// P-384 one (names are not compared: all generations of a JPKI CA share one name).
    ///
    /// # Errors
    /// [`Error::KeyAlgorithmMismatch`] or [`Error::BadSignature`].
    pub fn verify_signed_by(&self, issuer: &JpkiCertificate) -> Result<(), Error> {
        algorithm::verify(
            self.signature_algorithm,
            issuer.public_key(),
            self.tbs_der(),
            &self.signature,
        )
    }
}

/// The policy identifiers (DER content octets) of a certificatePolicies extension value. Read
/// with the crate's DER walker, not `x509-cert`: the NG-sim arc has a 128-bit arc that `der`'s
/// `ObjectIdentifier` cannot hold.
pub(crate) fn policy_ids(value: &[u8]) -> Result<Vec<&[u8]>, Error> {
    let bad = |_| Error::BadExtension {
        name: "certificatePolicies",
        reason: "content is not valid DER for this extension",
    };
    let mut outer = Reader::new(value, "certificatePolicies");
    let mut list = outer.enter(SEQUENCE, "not a SEQUENCE").map_err(bad)?;
    outer.finish().map_err(bad)?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let mut info = list.enter(SEQUENCE, "not a SEQUENCE").map_err(bad)?;
        let id = info
            .read(crate::der_writer::OID, "not an OID")
            .map_err(bad)?;
        if oid::dotted(id.content).is_none() {
            return Err(Error::BadExtension {
                name: "certificatePolicies",
                reason: "a policy identifier is not a valid OID",
            });
        }
        out.push(id.content);
    }
    Ok(out)
}

/// The first directory name in a certificate's cRLDistributionPoints (extension value DER), if
/// any: `(exact DER, parsed)`. Distribution points with a cRLIssuer (indirect) are skipped.
fn first_dir_name(
    dps: &x509_cert::ext::pkix::CrlDistributionPoints,
) -> Result<Option<(Vec<u8>, DistinguishedName)>, Error> {
    use x509_cert::ext::pkix::name::DistributionPointName;
    for dp in &dps.0 {
        if dp.crl_issuer.is_some() {
            continue;
        }
        let Some(DistributionPointName::FullName(names)) = &dp.distribution_point else {
            continue;
        };
        for n in names {
            if let GeneralName::DirectoryName(name) = n {
                let bad = Error::BadExtension {
                    name: "cRLDistributionPoints",
                    reason: "the directory name is not a valid Name",
                };
                let Ok(der) = name.to_der() else {
                    return Err(bad);
                };
                let parsed = DistinguishedName::from_der(&der).map_err(|_| bad)?;
                return Ok(Some((der, parsed)));
            }
        }
    }
    Ok(None)
}

fn signature_subject(subject: &DistinguishedName) -> Result<Locality, Error> {
    let bad = |reason| Error::BadName {
        which: "subject",
        reason,
    };
    let attrs = subject.attributes();
    match attrs {
        [
            (AttributeKind::Country, c),
            (AttributeKind::Locality, prefecture),
            (AttributeKind::Locality, city),
            (AttributeKind::CommonName, _),
        ] if c == "JP" => Ok(Locality {
            prefecture: prefecture.clone(),
            city: city.clone(),
        }),
        _ => Err(bad(
            "signature subject must be C=JP, L=<prefecture>, L=<city>, CN=…",
        )),
    }
}

fn authentication_subject(subject: &DistinguishedName) -> Result<(), Error> {
    match subject.attributes() {
        [(AttributeKind::Country, c), (AttributeKind::CommonName, _)] if c == "JP" => Ok(()),
        _ => Err(Error::BadName {
            which: "subject",
            reason: "authentication subject must be C=JP, CN=… (no personal data)",
        }),
    }
}

fn decode_four_facts(san: &SubjectAltName) -> Result<FourFacts, Error> {
    let mut values: Vec<String> = Vec::with_capacity(6);
    let mut names = san.0.iter();
    for expected in oid::SAN_CARD_ORDER {
        let Some(GeneralName::OtherName(other)) = names.next() else {
            return Err(Error::SanOrder);
        };
        if other.type_id != expected {
            return Err(Error::SanOrder);
        }
        if other.value.tag() != Tag::Utf8String {
            return Err(Error::OtherNameNotUtf8 { oid: other.type_id });
        }
        let text = std::str::from_utf8(other.value.value())
            .map_err(|_| Error::OtherNameNotUtf8 { oid: other.type_id })?;
        values.push(text.to_owned());
    }
    if names.next().is_some() {
        return Err(Error::SanOrder);
    }
    let [name, birth, gender, address, name_pos, address_pos] =
        <[String; 6]>::try_from(values).map_err(|_| Error::SanOrder)?;
    let (era, birth_date) = decode_birth_date(&birth)?;
    Ok(FourFacts {
        name: CardText::from_positions(&name, &name_pos, "name")?,
        era,
        birth_date,
        gender: Gender::from_code(&gender)?,
        address: CardText::from_positions(&address, &address_pos, "address")?,
    })
}
