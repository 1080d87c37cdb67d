//! Detached CMS signatures of the next-generation card (RFC 5753): a P-384 key stands in for
//! the card (the closure signs the SHA-384 of the signed attributes), rcgen makes a P-384 CA
//! and end-entity certificate; ours verify, tampering is caught, and `openssl cms -verify`
//! accepts them.
//
// NG card: the lead adds the same through a simulated next-generation card
// (`jpki_tool::card_sign::sign_document_on_card` on `JpkiCard::NextGen`) once card-sim has one.

use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use jpki_applet::SignatureAlgorithm;
use jpki_tool::cms::{self as jcms, CmsError};
use p384::ecdsa::SigningKey;
use p384::ecdsa::signature::hazmat::PrehashSigner;
use p384::pkcs8::DecodePrivateKey;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P384_SHA384,
};
use sha2::Digest;

struct Hierarchy {
    ca_pem: String,
    ee_der: Vec<u8>,
    ee_key: SigningKey,
    other_key: SigningKey,
}

/// A P-384 CA and a signature end-entity certificate under it (the NG signature CA's DN).
fn hierarchy() -> &'static Hierarchy {
    static H: OnceLock<Hierarchy> = OnceLock::new();
    H.get_or_init(|| {
        let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.distinguished_name.push(DnType::CountryName, "JP");
        ca.distinguished_name
            .push(DnType::CommonName, "NG-sim v1 test signature CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let ee_key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
        let mut ee = CertificateParams::new(Vec::<String>::new()).unwrap();
        ee.distinguished_name.push(DnType::CountryName, "JP");
        ee.distinguished_name
            .push(DnType::CommonName, "NG-sim v1 test signer");
        ee.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        let issuer = Issuer::from_params(&ca, &ca_key);
        let ee_cert = ee.signed_by(&ee_key, &issuer).unwrap();
        Hierarchy {
            ca_pem: ca_cert.pem(),
            ee_der: ee_cert.der().to_vec(),
            ee_key: SigningKey::from_pkcs8_der(&ee_key.serialize_der()).unwrap(),
            other_key: SigningKey::from_slice(&[0x24; 48]).unwrap(),
        }
    })
}

/// Stands in for the next-generation card: ECDSA P-384 over the 48-byte hash as given, DER
/// out (what `CardSession::sign_hash` returns after checking the card's r ‖ s).
fn card_sign(key: &SigningKey) -> impl FnOnce(&[u8]) -> Result<Vec<u8>, String> + '_ {
    move |hash| {
        if hash.len() != 48 {
            return Err(format!("a {}-byte hash: the card signs 48", hash.len()));
        }
        let sig: p384::ecdsa::Signature = key.sign_prehash(hash).map_err(|e| e.to_string())?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

fn signing_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn sign_with(doc: &[u8], key: &SigningKey) -> Vec<u8> {
    jcms::sign_detached_hash(
        SignatureAlgorithm::EcdsaWithSha384,
        doc,
        &hierarchy().ee_der,
        &[],
        signing_time(),
        card_sign(key),
    )
    .unwrap()
}

fn sign(doc: &[u8]) -> Vec<u8> {
    sign_with(doc, &hierarchy().ee_key)
}

#[test]
fn the_message_is_rfc_5753_sha384_and_ecdsa_with_sha384_without_parameters() {
    let doc: &[u8] = b"next-generation e-Tax form";
    let p7s = sign(doc);
    let info = ContentInfo::from_der(&p7s).unwrap();
    let sd: SignedData = info.content.decode_as().unwrap();
    let sha384 = "2.16.840.1.101.3.4.2.2";
    let algs: Vec<String> = sd
        .digest_algorithms
        .iter()
        .map(|a| a.oid.to_string())
        .collect();
    assert_eq!(algs, [sha384]);
    let [si] = sd.signer_infos.0.as_slice() else {
        panic!("one signer expected");
    };
    assert_eq!(si.digest_alg.oid.to_string(), sha384);
    assert!(si.digest_alg.parameters.is_none());
    assert_eq!(
        si.signature_algorithm.oid.to_string(),
        "1.2.840.10045.4.3.3"
    );
    assert!(
        si.signature_algorithm.parameters.is_none(),
        "ecdsa-with-SHA384 carries no parameters (RFC 5758 §3.2)"
    );
    // messageDigest is the document's SHA-384
    let attrs = si.signed_attrs.as_ref().unwrap();
    let md = attrs
        .iter()
        .find(|a| a.oid.to_string() == "1.2.840.113549.1.9.4")
        .unwrap();
    let value = md.values.get(0).unwrap();
    assert_eq!(value.value(), sha2::Sha384::digest(doc).as_slice());
    // the signature is a DER ECDSA-Sig-Value over the signed attributes' DER, by the EE key
    let sig = p384::ecdsa::Signature::from_der(si.signature.as_bytes()).unwrap();
    use p384::ecdsa::signature::Verifier;
    hierarchy()
        .ee_key
        .verifying_key()
        .verify(&attrs.to_der().unwrap(), &sig)
        .unwrap();
}

#[test]
fn an_ecdsa_signature_verifies_with_its_algorithm_and_time() {
    let doc: &[u8] = b"next-generation e-Tax form";
    let checked = jcms::check_detached(&sign(doc), doc).unwrap();
    assert_eq!(checked.algorithm, SignatureAlgorithm::EcdsaWithSha384);
    assert_eq!(checked.signer, hierarchy().ee_der);
    assert_eq!(checked.signing_time, Some(signing_time()));
}

#[test]
fn a_changed_document_signature_or_key_is_caught() {
    let doc: &[u8] = b"pay 1000 yen";
    let p7s = sign(doc);
    assert!(matches!(
        jcms::check_detached(&p7s, &b"pay 9000 yen"[..]),
        Err(CmsError::DigestMismatch)
    ));
    // the last byte of the message is the signature's (no unsigned attributes)
    let mut bad = p7s.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert!(matches!(
        jcms::check_detached(&bad, doc),
        Err(CmsError::Ecdsa(_))
    ));
    let by_other = sign_with(doc, &hierarchy().other_key);
    assert!(matches!(
        jcms::check_detached(&by_other, doc),
        Err(CmsError::Ecdsa(jpki_tool::p384_check::P384Error::Invalid))
    ));
}

#[test]
fn truncated_input_is_an_error_not_a_panic() {
    let p7s = sign(b"x");
    for n in [0, 1, 10, p7s.len() / 2, p7s.len() - 1] {
        assert!(jcms::check_detached(&p7s[..n], &b"x"[..]).is_err());
    }
}

/// `openssl cms -verify` of dir/doc.p7s over dir/doc.txt, trusting dir/ca.pem.
fn openssl_cms_verify(dir: &std::path::Path) -> std::process::Output {
    test_support::process::openssl_cms_verify(
        &dir.join("doc.p7s"),
        &dir.join("doc.txt"),
        &dir.join("ca.pem"),
        None,
    )
}

#[test]
fn openssl_cms_verify_accepts_our_ecdsa_signature() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("openssl not installed; .ci/run installs it");
        return;
    }
    let dir = std::env::temp_dir().join(format!("jpki-cms-ecdsa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = b"next-generation application body\n".repeat(100);
    let p7s = sign(&doc);
    std::fs::write(dir.join("doc.txt"), &doc).unwrap();
    std::fs::write(dir.join("doc.p7s"), &p7s).unwrap();
    std::fs::write(dir.join("ca.pem"), &hierarchy().ca_pem).unwrap();
    let out = openssl_cms_verify(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "openssl cms -verify failed: {stderr}");
    assert!(stderr.contains("Verification successful"), "{stderr}");

    // and openssl rejects a changed document
    std::fs::write(dir.join("doc.txt"), b"changed").unwrap();
    let out = openssl_cms_verify(&dir);
    assert!(!out.status.success());
    std::fs::remove_dir_all(&dir).ok();
}

/// Re-encodes `p7s` with its one SignerInfo changed by `edit`.
fn edited(p7s: &[u8], edit: impl FnOnce(&mut cms::signed_data::SignerInfo)) -> Vec<u8> {
    let mut info = ContentInfo::from_der(p7s).unwrap();
    let mut sd: SignedData = info.content.decode_as().unwrap();
    let mut signers = sd.signer_infos.0.into_vec();
    edit(signers.first_mut().unwrap());
    sd.signer_infos = cms::signed_data::SignerInfos::try_from(signers).unwrap();
    info.content = der::Any::encode_from(&sd).unwrap();
    info.to_der().unwrap()
}

#[test]
fn ecdsa_is_accepted_only_as_p384_with_sha384_and_no_parameters() {
    let doc: &[u8] = b"form";
    let p7s = sign(doc);
    // the unedited message re-encodes to a message that verifies: the edits alone are refused
    assert!(jcms::check_detached(&edited(&p7s, |_| {}), doc).is_ok());
    let sha256 = der::asn1::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
    let by_sha256 = edited(&p7s, |si| si.digest_alg.oid = sha256);
    assert!(
        matches!(
            jcms::check_detached(&by_sha256, doc),
            Err(CmsError::Algorithm { oid }) if oid == sha256
        ),
        "ECDSA with a SHA-256 digest is refused"
    );
    let with_null = edited(&p7s, |si| {
        si.signature_algorithm.parameters = Some(der::Any::null());
    });
    let ecdsa_sha384 = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
    assert!(matches!(
        jcms::check_detached(&with_null, doc),
        Err(CmsError::Algorithm { oid }) if oid == ecdsa_sha384
    ));
    let ecdsa_sha256 = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
    let other_alg = edited(&p7s, |si| si.signature_algorithm.oid = ecdsa_sha256);
    assert!(matches!(
        jcms::check_detached(&other_alg, doc),
        Err(CmsError::Algorithm { oid }) if oid == ecdsa_sha256
    ));
    // an RSA signature algorithm over a P-384 key is no way around it
    let rsa = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    let as_rsa = edited(&p7s, |si| si.signature_algorithm.oid = rsa);
    assert!(matches!(
        jcms::check_detached(&as_rsa, doc),
        Err(CmsError::Algorithm { .. })
    ));
}
