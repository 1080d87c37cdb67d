//! Detached CMS SignedData (RFC 5652) signed by a card: the format e-Tax-style applications
//! and `openssl cms -verify` accept.
//!
//! The card signs; this module builds everything around it. The signed attributes are
//! contentType (id-data), signingTime and messageDigest; the signer is named by issuer and
//! serial number, and the signer certificate (and any extra certificates given) travel in the
//! message. Today's cards: SHA-256, rsaEncryption, the card signs a DigestInfo. The
//! next-generation card (RFC 5753): digestAlgorithm SHA-384, messageDigest SHA-384 of the
//! document, the card signs SHA-384 of the DER signedAttrs, signatureAlgorithm
//! ecdsa-with-SHA384 without parameters, signature the DER `ECDSA-Sig-Value`.

use std::io::Read;
use std::time::{Duration, SystemTime};

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tag};
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
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

mod verify;
pub use verify::{Checked, Verified, check_detached, verify_detached};

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
    /// The ECDSA signature is refused: another curve, malformed, or it does not verify.
    #[error(transparent)]
    Ecdsa(#[from] crate::p384_check::P384Error),
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
    sign_detached_hash(
        jpki_applet::SignatureAlgorithm::Sha256WithRsa,
        content,
        signer_cert_der,
        extra_certs_der,
        signing_time,
        |hash| match jpki_applet::digest_info(jpki_applet::HashAlg::Sha256, hash) {
            Some(digest_info) => sign(&digest_info).map_err(|e| e.to_string()),
            None => Err("the signed attributes' hash is not 32 bytes".to_owned()),
        },
    )
}

/// Signs `content` detached with a key of either card generation: `sign` receives the hash of
/// the DER signed attributes in `algorithm`'s hash (32 bytes of SHA-256 for
/// [`SignatureAlgorithm::Sha256WithRsa`](jpki_applet::SignatureAlgorithm), which the card wraps
/// in a DigestInfo; 48 bytes of SHA-384 for `EcdsaWithSha384`) and returns what the CMS
/// carries: the 256 RSA bytes, or the DER `ECDSA-Sig-Value` (RFC 5753 §2.1.1) —
/// [`jpki_applet::CardSession::sign_hash`] does both. With RSA the message is byte for byte
/// what [`sign_detached`] makes.
///
/// # Errors
/// As [`sign_detached`].
pub fn sign_detached_hash<E: std::fmt::Display>(
    algorithm: jpki_applet::SignatureAlgorithm,
    content: impl Read,
    signer_cert_der: &[u8],
    extra_certs_der: &[Vec<u8>],
    signing_time: SystemTime,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, CmsError> {
    let signer = Certificate::from_der(signer_cert_der)?;
    let digest = digest_reader(algorithm.hash(), content)?;

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
    let attrs_hash = match algorithm {
        jpki_applet::SignatureAlgorithm::Sha256WithRsa => sha2::Sha256::digest(&attrs_der).to_vec(),
        jpki_applet::SignatureAlgorithm::EcdsaWithSha384 => {
            sha2::Sha384::digest(&attrs_der).to_vec()
        }
    };
    let signature = sign(&attrs_hash).map_err(|e| CmsError::Signer(e.to_string()))?;
    let (digest_alg, signature_algorithm) = match algorithm {
        jpki_applet::SignatureAlgorithm::Sha256WithRsa => (
            sha256_alg(),
            AlgorithmIdentifierOwned {
                oid: RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            },
        ),
        // RFC 5753 §2.1.1 / RFC 5758 §3.2: ecdsa-with-SHA384 without parameters
        jpki_applet::SignatureAlgorithm::EcdsaWithSha384 => (
            AlgorithmIdentifierOwned {
                oid: ID_SHA384,
                parameters: None,
            },
            AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA384,
                parameters: None,
            },
        ),
    };

    let tbs = signer.tbs_certificate();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };

    let mut certs = vec![CertificateChoices::Certificate(signer)];
    for der in extra_certs_der {
        certs.push(CertificateChoices::Certificate(Certificate::from_der(der)?));
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(digest_alg)?;
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

/// A signing time rounded down to whole seconds (what UTCTime carries).
#[must_use]
pub fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}
