//! Detached CMS signatures: ours verify, tampering is caught, and openssl accepts them.

use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

use jpki_tool::cms::{self, CmsError};
use test_support::fixtures::{self, FixtureSet};

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

/// Stands in for the card: PKCS#1 v1.5 over the DigestInfo as given.
fn card_sign(key: &rsa::PrivateKey) -> impl FnOnce(&[u8]) -> Result<Vec<u8>, rsa::Error> + '_ {
    move |digest_info| key.sign(rsa::pkcs1v15::Pkcs1v15Sign::new_unprefixed(), digest_info)
}

fn signing_time() -> SystemTime {
    SystemTime::from(fixtures::REFERENCE_TIME)
}

fn sign(doc: &[u8]) -> Vec<u8> {
    let signer = &set().my_number_sign;
    cms::sign_detached(
        doc,
        signer.certificate.der(),
        &[],
        signing_time(),
        card_sign(&signer.key),
    )
    .unwrap()
}

#[test]
fn a_signature_verifies_and_names_its_signer_and_time() {
    let doc: &[u8] = b"e-Tax application form, 2026";
    let p7s = sign(doc);
    let v = cms::verify_detached(&p7s, doc).unwrap();
    assert_eq!(v.signer.der(), set().my_number_sign.certificate.der());
    assert_eq!(v.signing_time, Some(signing_time()));
    assert_eq!(v.certificates.len(), 1);
}

#[test]
fn a_changed_document_or_signature_is_caught() {
    let doc: &[u8] = b"pay 1000 yen";
    let p7s = sign(doc);
    assert!(matches!(
        cms::verify_detached(&p7s, &b"pay 9000 yen"[..]),
        Err(CmsError::DigestMismatch)
    ));
    // flip a bit in the last bytes (the RSA signature value)
    let mut bad = p7s.clone();
    let n = bad.len();
    bad[n - 10] ^= 0x01;
    assert!(matches!(
        cms::verify_detached(&bad, doc),
        Err(CmsError::BadSignature)
    ));
}

#[test]
fn a_signature_by_another_key_is_refused() {
    // the signer certificate says one key, the card signed with another
    let doc: &[u8] = b"doc";
    let p7s = cms::sign_detached(
        doc,
        set().my_number_sign.certificate.der(),
        &[],
        signing_time(),
        card_sign(&set().my_number_auth.key),
    )
    .unwrap();
    assert!(matches!(
        cms::verify_detached(&p7s, doc),
        Err(CmsError::BadSignature)
    ));
}

#[test]
fn truncated_or_garbage_input_is_an_error_not_a_panic() {
    let p7s = sign(b"x");
    for n in [0, 1, 10, p7s.len() / 2, p7s.len() - 1] {
        assert!(
            cms::verify_detached(&p7s[..n], &b"x"[..]).is_err(),
            "truncated at {n}"
        );
    }
    assert!(cms::verify_detached(set().my_number_sign.certificate.der(), &b"x"[..]).is_err());
}

/// `openssl cms -verify` of dir/doc.p7s over dir/doc.txt, trusting dir/ca.pem, at the fixtures'
/// reference time.
fn openssl_cms_verify(dir: &std::path::Path) -> std::process::Output {
    test_support::process::openssl_cms_verify(
        &dir.join("doc.p7s"),
        &dir.join("doc.txt"),
        &dir.join("ca.pem"),
        Some(fixtures::REFERENCE_TIME.unix_timestamp()),
    )
}

#[test]
fn openssl_cms_verify_accepts_our_signature() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("openssl not installed; .ci/run installs it");
        return;
    }
    let dir = std::env::temp_dir().join(format!("jpki-cms-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = b"application body\n".repeat(100);
    let p7s = sign(&doc);
    std::fs::write(dir.join("doc.txt"), &doc).unwrap();
    std::fs::write(dir.join("doc.p7s"), &p7s).unwrap();
    std::fs::write(dir.join("ca.pem"), set().sign_ca.certificate().to_pem()).unwrap();
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

/// The generation-agnostic builder makes today's message byte for byte: the card (here the
/// key) wraps the 32-byte hash in the DigestInfo itself.
#[test]
fn the_hash_builder_makes_todays_rsa_message_byte_for_byte() {
    let doc: &[u8] = b"e-Tax application form, 2026";
    let signer = &set().my_number_sign;
    let by_hash = cms::sign_detached_hash(
        jpki_applet::SignatureAlgorithm::Sha256WithRsa,
        doc,
        signer.certificate.der(),
        &[],
        signing_time(),
        |hash| {
            assert_eq!(hash.len(), 32);
            signer
                .key
                .sign(rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha256>(), hash)
        },
    )
    .unwrap();
    assert_eq!(by_hash, sign(doc));
    let checked = cms::check_detached(&by_hash, doc).unwrap();
    assert_eq!(
        checked.algorithm,
        jpki_applet::SignatureAlgorithm::Sha256WithRsa
    );
}
