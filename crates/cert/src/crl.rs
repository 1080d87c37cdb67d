//! Certificate revocation lists: writing entries and a fast, size-independent lookup.
//!
//! [`Crl::from_der`] walks the DER once (no typed decode of each entry, no per-entry allocation)
//! into a vector of `(serial, date, reason)` sorted by serial; a lookup is a binary search.

use time::OffsetDateTime;

use crate::algorithm::{self, SignedDigest};
use crate::certificate::JpkiCertificate;
use crate::der_reader::{Reader, Tlv, parse_time};
use crate::der_writer::{self as w, BIT_STRING, ENUMERATED, INTEGER, OCTET_STRING, SEQUENCE};
use crate::keys::Algorithm;
use crate::name::DistinguishedName;
use crate::{Error, Serial, oid};

pub(crate) mod reason;
mod scope;

pub use reason::RevocationReason;
pub(crate) use reason::utc_text;
pub use scope::CrlScope;
pub(crate) use scope::partition_of;
#[cfg(feature = "issue")]
pub(crate) use scope::write_idp;
use scope::{Idp, parse_idp};

/// One revoked certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revocation {
    /// Its serial number.
    pub serial: Serial,
    /// revocationDate.
    pub revoked_at: OffsetDateTime,
    /// reasonCode entry extension, if any.
    pub reason: Option<RevocationReason>,
}

/// Appends one `revokedCertificates` entry.
#[cfg(feature = "issue")]
pub(crate) fn write_entry(out: &mut Vec<u8>, r: &Revocation) {
    let mut body = Vec::with_capacity(64);
    body.extend_from_slice(&w::uint(r.serial.as_bytes()));
    w::push_time(&mut body, r.revoked_at);
    if let Some(reason) = r.reason {
        let ext = w::extension(&oid::EXT_CRL_REASON, &[ENUMERATED, 1, reason.code()]);
        body.extend_from_slice(&w::tlv(SEQUENCE, &ext));
    }
    out.push(SEQUENCE);
    w::push_len(out, body.len());
    out.extend_from_slice(&body);
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    serial: Serial,
    revoked_at: i64,
    reason: Option<RevocationReason>,
}

/// A parsed CRL with O(log n) lookup by serial.
#[derive(Clone, Debug)]
pub struct Crl {
    /// The digest of the raw tbsCertList (the hash the signature algorithm names), taken once
    /// at parse: a signature check does not re-hash the entries.
    tbs_digest: SignedDigest,
    signature: Vec<u8>,
    signature_algorithm: Algorithm,
    authority_key_id: Option<Vec<u8>>,
    issuer: DistinguishedName,
    issuer_der: Vec<u8>,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    entries: Vec<Entry>,
    idp: Option<Idp>,
}

fn bad(reason: &'static str) -> Error {
    Error::MalformedDer {
        structure: "CRL",
        reason,
    }
}

fn to_datetime(secs: i64) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| bad("time out of range"))
}

fn read_time(r: &mut Reader<'_>) -> Result<i64, Error> {
    let t = r.read_any()?;
    parse_time(&t).ok_or_else(|| bad("invalid UTCTime/GeneralizedTime"))
}

fn entry_reason(exts: Tlv<'_>) -> Result<Option<RevocationReason>, Error> {
    let mut list = Reader::new(exts.content, "CRL");
    let mut reason = None;
    while !list.is_empty() {
        let mut ext = list.enter(SEQUENCE, "CRL entry extension is not a SEQUENCE")?;
        let id = ext.read(w::OID, "extension id is not an OID")?;
        ext.read_optional(w::BOOLEAN)?;
        let value = ext.read(OCTET_STRING, "extnValue is not an OCTET STRING")?;
        ext.finish()?;
        if id.content == oid::EXT_CRL_REASON.as_bytes() {
            let mut v = Reader::new(value.content, "CRL");
            let e = v.read(ENUMERATED, "reasonCode is not ENUMERATED")?;
            v.finish()?;
            let code = match e.content {
                [c] => *c,
                _ => return Err(bad("reasonCode out of range")),
            };
            reason =
                Some(RevocationReason::from_code(code).ok_or_else(|| bad("unknown reasonCode"))?);
        }
    }
    Ok(reason)
}

impl Crl {
    /// Parses a DER CRL (v1 or v2) in one pass, and hashes its tbsCertList once with the hash
    /// its signature algorithm names (kept in place of the bytes, so that
    /// [`Crl::verify_signed_by`] does not re-hash 10⁴ entries on each call). The signature is
    /// not checked here: see [`Crl::verify_signed_by`].
    ///
    /// # Errors
    /// [`Error::MalformedDer`] on any structural problem; never panics.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let mut outer = Reader::new(der, "CRL");
        let mut list = outer.enter(SEQUENCE, "CertificateList is not a SEQUENCE")?;
        outer.finish()?;
        let tbs_tlv = list.read(SEQUENCE, "tbsCertList is not a SEQUENCE")?;
        let alg = list.read(SEQUENCE, "signatureAlgorithm is not a SEQUENCE")?;
        let sig = list.read(BIT_STRING, "signature is not a BIT STRING")?;
        list.finish()?;
        let signature_algorithm = algorithm::signature_algorithm(alg.raw)?;
        let signature = match sig.content.split_first() {
            Some((0, s)) => s.to_vec(),
            _ => return Err(bad("signature BIT STRING has unused bits")),
        };

        let mut tbs = Reader::new(tbs_tlv.content, "CRL");
        if let Some(v) = tbs.read_optional(INTEGER)?
            && v.content != [1]
        {
            return Err(bad("unsupported CRL version"));
        }
        let inner = tbs.read(SEQUENCE, "signature is not an AlgorithmIdentifier")?;
        if inner.raw != alg.raw {
            return Err(Error::AlgorithmMismatch);
        }
        let issuer_tlv = tbs.read(SEQUENCE, "issuer is not a Name")?;
        let issuer = DistinguishedName::from_der(issuer_tlv.raw)?;
        let this_update = to_datetime(read_time(&mut tbs)?)?;
        let next_update = match tbs.peek_tag() {
            Some(w::UTC_TIME | w::GENERALIZED_TIME) => Some(to_datetime(read_time(&mut tbs)?)?),
            _ => None,
        };
        let mut entries = Vec::new();
        if let Some(revoked) = tbs.read_optional(SEQUENCE)? {
            // An entry is at least ~30 bytes; reserve without trusting the input too much.
            entries.reserve(revoked.content.len() / 32);
            let mut r = Reader::new(revoked.content, "CRL");
            while !r.is_empty() {
                let mut e = r.enter(SEQUENCE, "revoked entry is not a SEQUENCE")?;
                let serial = e.read(INTEGER, "serial is not an INTEGER")?;
                let serial = Serial::from_der_integer(serial.content)?;
                let revoked_at = read_time(&mut e)?;
                let reason = match e.read_optional(SEQUENCE)? {
                    Some(exts) => entry_reason(exts)?,
                    None => None,
                };
                e.finish()?;
                entries.push(Entry {
                    serial,
                    revoked_at,
                    reason,
                });
            }
        }
        let (idp, authority_key_id) = match tbs.read_optional(0xA0)? {
            Some(exts) => crl_extensions(exts.content)?,
            None => (None, None),
        };
        tbs.finish()?;
        // Real CRLs are usually in serial order already; the sort is then linear.
        entries.sort_by_key(|e| e.serial);
        Ok(Self {
            tbs_digest: SignedDigest::of(signature_algorithm, tbs_tlv.raw),
            signature,
            signature_algorithm,
            authority_key_id,
            issuer,
            issuer_der: issuer_tlv.raw.to_vec(),
            this_update,
            next_update,
            entries,
            idp,
        })
    }

    /// What the CRL covers, from its IssuingDistributionPoint (none: [`CrlScope::Complete`]).
    pub fn scope(&self) -> CrlScope {
        match &self.idp {
            None => CrlScope::Complete,
            Some(idp) if idp.ca_certs => CrlScope::Authority,
            Some(idp) => CrlScope::Partition(idp.name.clone()),
        }
    }

    /// The directory name of the IDP's distribution point (the partition, or for an ARL the
    /// CA's CRLDP name); `None` for a complete CRL.
    pub fn distribution_point(&self) -> Option<&DistinguishedName> {
        self.idp.as_ref().map(|i| &i.name)
    }

    /// Whether this CRL is past its nextUpdate at `at` (a CRL without nextUpdate never is).
    pub fn is_stale_at(&self, at: OffsetDateTime) -> bool {
        self.next_update.is_some_and(|n| n < at)
    }

    /// Whether this CRL is the one to consult for `cert`: same issuer name, and its IDP (if
    /// any) covers the certificate (RFC 5280 §6.3.3 (b): the IDP name equals the certificate's
    /// CRLDP directory name, and a partition holds end entities, an ARL CA certificates).
    ///
    /// # Errors
    /// [`Error::CrlIssuerMismatch`], [`Error::CrlWrongScope`] or [`Error::CrlWrongPartition`].
    pub fn covers(&self, cert: &JpkiCertificate) -> Result<(), Error> {
        if self.issuer_der != cert.issuer_der() {
            return Err(Error::CrlIssuerMismatch);
        }
        scope::covers(self.idp.as_ref(), cert)
    }

    /// The exact DER of the IDP's distribution point name (`None`: a complete CRL).
    pub(crate) fn distribution_point_der(&self) -> Option<&[u8]> {
        self.idp.as_ref().map(|i| i.name_der.as_slice())
    }

    /// The exact DER of the issuer name.
    pub(crate) fn issuer_der(&self) -> &[u8] {
        &self.issuer_der
    }

    /// The issuer name.
    pub fn issuer(&self) -> &DistinguishedName {
        &self.issuer
    }

    /// The algorithm the CRL is signed with (sha256WithRSAEncryption or ecdsa-with-SHA384):
    /// an RSA CA's CRL never counts for a P-384 certificate, even under the same issuer name.
    pub fn signature_algorithm(&self) -> Algorithm {
        self.signature_algorithm
    }

    /// The authorityKeyIdentifier keyIdentifier, if the CRL carries one: which of the CA
    /// generations sharing one name issued it.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// thisUpdate.
    pub fn this_update(&self) -> OffsetDateTime {
        self.this_update
    }

    /// nextUpdate, if present.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.next_update
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the CRL lists no certificate.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Looks a serial up (binary search).
    pub fn lookup(&self, serial: Serial) -> Option<Revocation> {
        let i = self
            .entries
            .binary_search_by(|e| e.serial.cmp(&serial))
            .ok()?;
        let e = self.entries.get(i)?;
        Some(Revocation {
            serial: e.serial,
            revoked_at: OffsetDateTime::from_unix_timestamp(e.revoked_at).ok()?,
            reason: e.reason,
        })
    }

    /// Verifies the CRL's signature with `ca`'s key, with the algorithm the CRL names
    /// (sha256WithRSAEncryption needs an RSA-2048 CA, ecdsa-with-SHA384 a P-384 one), and that
    /// `ca` is named as its issuer and, if the CRL has an AKI and the CA an SKI, that they match.
    ///
    /// # Errors
    /// [`Error::CrlIssuerMismatch`], [`Error::KeyAlgorithmMismatch`] or [`Error::BadSignature`].
    pub fn verify_signed_by(&self, ca: &JpkiCertificate) -> Result<(), Error> {
        if self.issuer_der != ca.subject_der() {
            return Err(Error::CrlIssuerMismatch);
        }
        if let (Some(aki), Some(ski)) = (self.authority_key_id(), ca.subject_key_id())
            && aki != ski
        {
            return Err(Error::CrlIssuerMismatch);
        }
        algorithm::verify_digest(ca.public_key(), &self.tbs_digest, &self.signature)
    }

    /// Checks a certificate against this CRL: [`Crl::covers`], then the lookup. Neither the
    /// signature nor the freshness is checked here (see [`crate::TrustAnchors::verify`]).
    ///
    /// # Errors
    /// [`Error::CrlIssuerMismatch`] if the CRL is not from the certificate's issuer;
    /// [`Error::CrlWrongScope`] / [`Error::CrlWrongPartition`] if its IDP does not cover the
    /// certificate; [`Error::Revoked`] if it is listed.
    pub fn check(&self, cert: &JpkiCertificate) -> Result<(), Error> {
        self.covers(cert)?;
        match self.lookup(cert.serial()) {
            Some(r) => Err(Error::Revoked {
                revoked_at: r.revoked_at,
                reason: r.reason,
            }),
            None => Ok(()),
        }
    }
}

/// Reads `crlExtensions` (the content of `[0]`): the IDP and the AKI keyIdentifier if present;
/// an unknown critical extension or a repeated one is refused (RFC 5280 §5.2).
fn crl_extensions(content: &[u8]) -> Result<(Option<Idp>, Option<Vec<u8>>), Error> {
    let mut outer = Reader::new(content, "CRL");
    let mut list = outer.enter(SEQUENCE, "crlExtensions is not a SEQUENCE")?;
    outer.finish()?;
    let mut seen: Vec<&[u8]> = Vec::new();
    let mut idp = None;
    let mut aki = None;
    while !list.is_empty() {
        let mut ext = list.enter(SEQUENCE, "CRL extension is not a SEQUENCE")?;
        let id = ext.read(w::OID, "extension id is not an OID")?;
        let critical = match ext.read_optional(w::BOOLEAN)? {
            Some(b) if b.content == [0xFF] => true,
            Some(_) => return Err(bad("critical is not DER TRUE")),
            None => false,
        };
        let value = ext.read(OCTET_STRING, "extnValue is not an OCTET STRING")?;
        ext.finish()?;
        if seen.contains(&id.content) {
            return Err(bad("a CRL extension appears twice"));
        }
        seen.push(id.content);
        if id.content == oid::EXT_ISSUING_DP.as_bytes() {
            idp = Some(parse_idp(value.content)?);
        } else if id.content == oid::EXT_AKI.as_bytes() {
            aki = aki_key_id(value.content)?;
        } else if critical
            && id.content != oid::EXT_AKI.as_bytes()
            && id.content != oid::EXT_CRL_NUMBER.as_bytes()
        {
            let oid = der::asn1::ObjectIdentifier::from_bytes(id.content)
                .map_err(|_| bad("invalid extension OID"))?;
            return Err(Error::UnknownCriticalExtension { oid });
        }
    }
    Ok((idp, aki))
}

/// The `[0] keyIdentifier` of an AuthorityKeyIdentifier extension value, if present.
fn aki_key_id(value: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    let mut outer = Reader::new(value, "CRL");
    let mut aki = outer.enter(SEQUENCE, "authorityKeyIdentifier is not a SEQUENCE")?;
    outer.finish()?;
    Ok(aki.read_optional(0x80)?.map(|k| k.content.to_vec()))
}
