//! Detached CMS SignedData (RFC 5652) signed by a card: the format e-Tax-style applications
//! and `openssl cms -verify` accept.
//!
//! The card signs a DigestInfo; this module builds everything around it. The signed
//! attributes are contentType (id-data), signingTime and messageDigest (SHA-256 of the
//! document); the signer is named by issuer and serial number, and the signer certificate (and
//! any extra certificates given) travel in the message.

use std::io::Read;
use std::time::{Duration, SystemTime};

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tag, Tagged};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::time::Time;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");

/// Why a CMS signature could not be made or does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// DER encoding or decoding failed.
    #[error("malformed CMS structure: {0}")]
    Der(#[from] der::Error),
    /// The message is not a SignedData.
    #[error("not a CMS SignedData message")]
    NotSignedData,
    /// The message carries its content; this tool verifies detached signatures.
    #[error("the signature is not detached (it embeds its content)")]
    NotDetached,
    /// Not exactly one signer.
    #[error("expected exactly one signer, found {count}")]
    SignerCount {
        /// How many.
        count: usize,
    },
    /// The signer certificate is not in the message.
    #[error("the signer's certificate is not in the message")]
    SignerCertificateMissing,
    /// A signed attribute is missing or malformed.
    #[error("signed attribute {what} is missing or malformed")]
    Attribute {
        /// Which.
        what: &'static str,
    },
    /// A digest or signature algorithm this tool does not accept.
    #[error("unsupported algorithm {oid}")]
    Algorithm {
        /// The OID.
        oid: ObjectIdentifier,
    },
    /// The document's hash differs from the signed messageDigest: the document was changed.
    #[error("the document does not match the signature (messageDigest differs)")]
    DigestMismatch,
    /// The RSA signature does not verify with the signer certificate's key.
    #[error("the signature value does not verify with the signer certificate's key")]
    BadSignature,
    /// The signer certificate does not parse as a JPKI certificate.
    #[error("signer certificate: {0}")]
    Certificate(#[from] cert::Error),
    /// The card (or key) refused to sign.
    #[error("signing failed: {0}")]
    Signer(String),
    /// Reading the document failed (not a verification failure).
    #[error("cannot read the document: {0}")]
    Read(#[source] std::io::Error),
}

/// A signature that verified cryptographically (chain, validity and revocation are the
/// caller's next steps, with [`cert::TrustAnchors`] and [`cert::Crl`]).
#[derive(Debug)]
pub struct Verified {
    /// The signer's certificate.
    pub signer: cert::JpkiCertificate,
    /// The signed signingTime attribute, if present.
    pub signing_time: Option<SystemTime>,
    /// Every certificate the message carries, signer's included (DER).
    pub certificates: Vec<Vec<u8>>,
}

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    }
}

fn attribute(oid: ObjectIdentifier, value: AttributeValue) -> Result<Attribute, CmsError> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// Hashes everything `content` yields with `alg`, in constant memory.
fn digest_reader(alg: jpki_applet::HashAlg, content: impl Read) -> Result<Vec<u8>, CmsError> {
    fn stream<D: Digest>(mut content: impl Read) -> std::io::Result<Vec<u8>> {
        let mut hasher = D::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match content.read(&mut buf) {
                Ok(0) => return Ok(hasher.finalize().to_vec()),
                Ok(n) => hasher.update(buf.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    match alg {
        jpki_applet::HashAlg::Sha256 => stream::<sha2::Sha256>(content),
        jpki_applet::HashAlg::Sha384 => stream::<sha2::Sha384>(content),
        jpki_applet::HashAlg::Sha512 => stream::<sha2::Sha512>(content),
        _ => return Err(CmsError::Attribute { what: "digest" }),
    }
    .map_err(CmsError::Read)
}

/// Signs `content` detached: `sign` receives the SHA-256 DigestInfo of the signed attributes
/// and returns the PKCS#1 v1.5 signature (the card's COMPUTE DIGITAL SIGNATURE).
///
/// `content` is read to its end and hashed as it streams (constant memory, any size).
///
/// # Errors
/// Malformed certificates, [`CmsError::Read`], or the signer's own error.
pub fn sign_detached<E: std::fmt::Display>(
    content: impl Read,
    signer_cert_der: &[u8],
    extra_certs_der: &[Vec<u8>],
    signing_time: SystemTime,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, CmsError> {
    let signer = Certificate::from_der(signer_cert_der)?;
    let digest = digest_reader(jpki_applet::HashAlg::Sha256, content)?;

    let mut signed_attrs = SetOfVec::new();
    signed_attrs.insert(attribute(
        ID_CONTENT_TYPE,
        Any::new(Tag::ObjectIdentifier, ID_DATA.as_bytes())?,
    )?)?;
    let time = Time::try_from(signing_time)?;
    signed_attrs.insert(attribute(ID_SIGNING_TIME, Any::from_der(&time.to_der()?)?)?)?;
    signed_attrs.insert(attribute(
        ID_MESSAGE_DIGEST,
        Any::new(Tag::OctetString, digest.as_slice())?,
    )?)?;

    // The signature covers the DER of the attributes as a SET OF (RFC 5652 §5.4).
    let attrs_der = signed_attrs.to_der()?;
    let digest_info = jpki_applet::HashAlg::Sha256
        .hash_to_digest_info(&attrs_der)
        .ok_or(CmsError::Attribute { what: "digest" })?;
    let signature = sign(&digest_info).map_err(|e| CmsError::Signer(e.to_string()))?;

    let tbs = signer.tbs_certificate();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256_alg(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        },
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };

    let mut certs = vec![CertificateChoices::Certificate(signer)];
    for der in extra_certs_der {
        certs.push(CertificateChoices::Certificate(Certificate::from_der(der)?));
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256_alg())?;
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet::try_from(certs)?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info])?,
    };
    let info = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data)?,
    };
    Ok(info.to_der()?)
}

/// Checks a detached signature over `content`: message structure, messageDigest, and the RSA
/// signature with the signer certificate's key. Accepts SHA-256/384/512 digests. `content` is
/// read to its end and hashed as it streams (constant memory, any size), after the message
/// has parsed.
///
/// # Errors
/// See [`CmsError`]; [`CmsError::Read`] if `content` fails to read. Never panics on any input.
pub fn verify_detached(p7s_der: &[u8], content: impl Read) -> Result<Verified, CmsError> {
    let info = ContentInfo::from_der(p7s_der)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(CmsError::NotSignedData);
    }
    let sd: SignedData = info.content.decode_as()?;
    if sd.encap_content_info.econtent.is_some() {
        return Err(CmsError::NotDetached);
    }
    let signers = sd.signer_infos.0.as_slice();
    let [si] = signers else {
        return Err(CmsError::SignerCount {
            count: signers.len(),
        });
    };

    let certificates: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c.clone()),
                    CertificateChoices::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let signer = certificates
        .iter()
        .find(|c| matches_sid(c, &si.sid))
        .ok_or(CmsError::SignerCertificateMissing)?;
    let signer_der = signer.to_der()?;

    let alg = match si.digest_alg.oid {
        o if o == ID_SHA256 => jpki_applet::HashAlg::Sha256,
        o if o == ID_SHA384 => jpki_applet::HashAlg::Sha384,
        o if o == ID_SHA512 => jpki_applet::HashAlg::Sha512,
        oid => return Err(CmsError::Algorithm { oid }),
    };
    let sig_oid = si.signature_algorithm.oid;
    let sig_ok = sig_oid == RSA_ENCRYPTION
        || (sig_oid == SHA256_WITH_RSA && alg == jpki_applet::HashAlg::Sha256)
        || (sig_oid == SHA384_WITH_RSA && alg == jpki_applet::HashAlg::Sha384)
        || (sig_oid == SHA512_WITH_RSA && alg == jpki_applet::HashAlg::Sha512);
    if !sig_ok {
        return Err(CmsError::Algorithm { oid: sig_oid });
    }

    let attrs = si.signed_attrs.as_ref().ok_or(CmsError::Attribute {
        what: "set (no signed attributes)",
    })?;
    let single = |oid: ObjectIdentifier, what: &'static str| -> Result<&AttributeValue, CmsError> {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        let (Some(a), None) = (found.next(), found.next()) else {
            return Err(CmsError::Attribute { what });
        };
        match a.values.as_slice() {
            [v] => Ok(v),
            _ => Err(CmsError::Attribute { what }),
        }
    };
    let content_type = single(ID_CONTENT_TYPE, "contentType")?;
    if content_type.tag() != Tag::ObjectIdentifier || content_type.value() != ID_DATA.as_bytes() {
        return Err(CmsError::Attribute {
            what: "contentType (not id-data)",
        });
    }
    let md = single(ID_MESSAGE_DIGEST, "messageDigest")?;
    if md.tag() != Tag::OctetString {
        return Err(CmsError::Attribute {
            what: "messageDigest",
        });
    }
    let expected_hash = digest_reader(alg, content)?;
    if md.value() != expected_hash.as_slice() {
        return Err(CmsError::DigestMismatch);
    }
    let signing_time = match attrs.iter().find(|a| a.oid == ID_SIGNING_TIME) {
        None => None,
        Some(_) => {
            let v = single(ID_SIGNING_TIME, "signingTime")?;
            let t = Time::from_der(&v.to_der()?).map_err(|_| CmsError::Attribute {
                what: "signingTime",
            })?;
            Some(t.to_system_time())
        }
    };

    let attrs_der = attrs.to_der()?;
    let digest_info = alg
        .hash_to_digest_info(&attrs_der)
        .ok_or(CmsError::Attribute { what: "digest" })?;
    let jpki = cert::JpkiCertificate::from_der(&signer_der)?;
    let hash = digest_info
        .get(alg.digest_info_prefix().len()..)
        .unwrap_or_default();
    let scheme = match alg {
        jpki_applet::HashAlg::Sha384 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha384>(),
        jpki_applet::HashAlg::Sha512 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha512>(),
        _ => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha256>(),
    };
    // RSA only for now; the next generation's ECDSA signers are wired in with #18's CMS part.
    jpki.rsa_public_key()
        .ok_or(CmsError::BadSignature)?
        .verify(scheme, hash, si.signature.as_bytes())
        .map_err(|_| CmsError::BadSignature)?;

    Ok(Verified {
        signer: jpki,
        signing_time,
        certificates: certificates
            .iter()
            .filter_map(|c| c.to_der().ok())
            .collect(),
    })
}

fn matches_sid(cert: &Certificate, sid: &SignerIdentifier) -> bool {
    let tbs = cert.tbs_certificate();
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert::JpkiCertificate::from_der(&cert.to_der().unwrap_or_default())
                .ok()
                .and_then(|c| c.subject_key_id().map(|k| k == ski.0.as_bytes()))
                .unwrap_or(false)
        }
    }
}

/// A signing time rounded down to whole seconds (what UTCTime carries).
#[must_use]
pub fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}
