//! Verifying a detached CMS SignedData of either card generation: structure, signed
//! attributes, messageDigest, and the signature — RSA PKCS#1 v1.5 with the `cert` crate's key,
//! or ECDSA P-384 / SHA-384 ([`crate::p384_check`]) from the signer's subjectPublicKeyInfo.

use std::io::Read;
use std::time::SystemTime;

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Tag, Tagged};
use x509_cert::Certificate;
use x509_cert::attr::AttributeValue;
use x509_cert::time::Time;

use super::{
    CmsError, ECDSA_WITH_SHA384, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SHA256, ID_SHA384,
    ID_SHA512, ID_SIGNED_DATA, ID_SIGNING_TIME, RSA_ENCRYPTION, SHA256_WITH_RSA, SHA384_WITH_RSA,
    SHA512_WITH_RSA, digest_reader,
};

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

/// A signature that verified cryptographically, before the signer certificate is read as a
/// JPKI certificate ([`check_detached`]).
#[derive(Debug)]
pub struct Checked {
    /// The signer's certificate (DER).
    pub signer: Vec<u8>,
    /// Which algorithm signed: sha256WithRSAEncryption (RSA PKCS#1 v1.5 with a SHA-256,
    /// SHA-384 or SHA-512 digest) or ecdsa-with-SHA384.
    pub algorithm: jpki_applet::SignatureAlgorithm,
    /// The signed signingTime attribute, if present.
    pub signing_time: Option<SystemTime>,
    /// Every certificate the message carries, signer's included (DER).
    pub certificates: Vec<Vec<u8>>,
}

/// Checks a detached signature over `content`: message structure, messageDigest, and the
/// signature with the signer certificate's key — RSA (SHA-256/384/512 digests) or ECDSA
/// P-384 with SHA-384 (the only ECDSA accepted) — then reads the signer certificate as a JPKI
/// certificate. `content` is read to its end and hashed as it streams (constant memory, any
/// size), after the message has parsed.
///
/// # Errors
/// See [`CmsError`]; [`CmsError::Read`] if `content` fails to read. Never panics on any input.
pub fn verify_detached(p7s_der: &[u8], content: impl Read) -> Result<Verified, CmsError> {
    let checked = check_detached(p7s_der, content)?;
    Ok(Verified {
        signer: cert::JpkiCertificate::from_der(&checked.signer)?,
        signing_time: checked.signing_time,
        certificates: checked.certificates,
    })
}

/// [`verify_detached`] without reading the signer certificate as a JPKI certificate: the
/// cryptographic check alone (for an RSA signer the `cert` crate still reads its key).
///
/// # Errors
/// As [`verify_detached`].
pub fn check_detached(p7s_der: &[u8], content: impl Read) -> Result<Checked, CmsError> {
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
    let spki_der = signer
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()?;
    let ecdsa = crate::p384_check::is_ec_key(&spki_der);
    // ECDSA: P-384 with SHA-384 only, ecdsa-with-SHA384 without parameters (RFC 5753 §2.1.1)
    let sig_ok = if ecdsa {
        alg == jpki_applet::HashAlg::Sha384
            && sig_oid == ECDSA_WITH_SHA384
            && si.signature_algorithm.parameters.is_none()
    } else {
        sig_oid == RSA_ENCRYPTION
            || (sig_oid == SHA256_WITH_RSA && alg == jpki_applet::HashAlg::Sha256)
            || (sig_oid == SHA384_WITH_RSA && alg == jpki_applet::HashAlg::Sha384)
            || (sig_oid == SHA512_WITH_RSA && alg == jpki_applet::HashAlg::Sha512)
    };
    if !sig_ok {
        return Err(CmsError::Algorithm {
            // the part that is wrong: the digest beside ecdsa-with-SHA384, else the signature
            // algorithm (another one, or with parameters)
            oid: if ecdsa && sig_oid == ECDSA_WITH_SHA384 && alg != jpki_applet::HashAlg::Sha384 {
                si.digest_alg.oid
            } else {
                sig_oid
            },
        });
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
    let algorithm = if ecdsa {
        crate::p384_check::verify_sha384(&spki_der, &attrs_der, si.signature.as_bytes())?;
        jpki_applet::SignatureAlgorithm::EcdsaWithSha384
    } else {
        verify_rsa(alg, &signer_der, &attrs_der, si.signature.as_bytes())?;
        jpki_applet::SignatureAlgorithm::Sha256WithRsa
    };
    Ok(Checked {
        signer: signer_der,
        algorithm,
        signing_time,
        certificates: certificates
            .iter()
            .filter_map(|c| c.to_der().ok())
            .collect(),
    })
}

/// The RSA PKCS#1 v1.5 signature of the DER signed attributes, with the signer certificate's
/// key as the `cert` crate reads it.
fn verify_rsa(
    alg: jpki_applet::HashAlg,
    signer_der: &[u8],
    attrs_der: &[u8],
    signature: &[u8],
) -> Result<(), CmsError> {
    let digest_info = alg
        .hash_to_digest_info(attrs_der)
        .ok_or(CmsError::Attribute { what: "digest" })?;
    let jpki = cert::JpkiCertificate::from_der(signer_der)?;
    let hash = digest_info
        .get(alg.digest_info_prefix().len()..)
        .unwrap_or_default();
    let scheme = match alg {
        jpki_applet::HashAlg::Sha384 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha384>(),
        jpki_applet::HashAlg::Sha512 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha512>(),
        _ => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha256>(),
    };
    jpki.rsa_public_key()
        .ok_or(CmsError::BadSignature)?
        .verify(scheme, hash, signature)
        .map_err(|_| CmsError::BadSignature)?;
    Ok(())
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
