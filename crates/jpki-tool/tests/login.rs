//! The login flow: challenge → card signature → relying-party check.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use cert::{RevocationCheck, RevocationStatus};

#[path = "support/common.rs"]
mod common;
use jpki_tool::login::{self, Challenge, LoginError, Policy, Response};
use test_support::fixtures::{self, FixtureSet, IssuedKey};

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

fn now() -> SystemTime {
    SystemTime::from(fixtures::REFERENCE_TIME)
}

fn anchors() -> cert::TrustAnchors {
    let mut a = cert::TrustAnchors::new();
    a.add(set().auth_ca.certificate().clone()).unwrap();
    a.add(set().sign_ca.certificate().clone()).unwrap();
    a
}

fn respond(challenge: &str, with: &IssuedKey) -> Response {
    login::Response::answer(
        challenge.as_bytes(),
        with.certificate.der().to_vec(),
        |di| {
            with.key
                .sign(rsa::pkcs1v15::Pkcs1v15Sign::new_unprefixed(), di)
        },
    )
    .unwrap()
    .unwrap()
}

fn policy<'a>(anchors: &'a cert::TrustAnchors, revocation: RevocationCheck<'a>) -> Policy<'a> {
    Policy {
        anchors,
        revocation,
        now: now() + Duration::from_secs(5),
        max_age: Duration::from_secs(300),
    }
}

#[test]
fn a_card_answer_logs_in_and_reveals_only_the_subject() {
    let challenge = Challenge::new("portal.example.jp", now()).to_text();
    let response = respond(&challenge, &set().my_number_auth);
    // the response survives its text form
    let response = Response::parse(response.to_text().as_bytes()).unwrap();
    let anchors = anchors();
    let crl = cert::Crl::from_der(&common::current_crl(&set().auth_ca)).unwrap();
    let who = login::check(
        challenge.as_bytes(),
        &response,
        &policy(&anchors, RevocationCheck::Crl(&crl)),
    )
    .unwrap();
    assert_eq!(
        who.subject,
        set().my_number_auth.certificate.subject().to_string()
    );
    assert!(who.subject.starts_with("C=JP, CN="), "{}", who.subject);
    assert!(
        matches!(who.revocation, RevocationStatus::NotRevoked { .. }),
        "{}",
        who.revocation
    );
    // no name, no address: the authentication certificate has none of the 4 facts
    assert!(set().my_number_auth.certificate.four_facts().is_none());
}

#[test]
fn a_login_without_revocation_data_says_so() {
    let challenge = Challenge::new("portal.example.jp", now()).to_text();
    let response = respond(&challenge, &set().my_number_auth);
    let anchors = anchors();
    let who = login::check(
        challenge.as_bytes(),
        &response,
        &policy(&anchors, RevocationCheck::NotChecked),
    )
    .unwrap();
    assert_eq!(who.revocation, RevocationStatus::NotChecked);
    assert_eq!(who.revocation.to_string(), "not checked (no CRL given)");
}

#[test]
fn the_signature_certificate_cannot_log_in() {
    let challenge = Challenge::new("portal", now()).to_text();
    let response = respond(&challenge, &set().my_number_sign);
    let anchors = anchors();
    let e = login::check(
        challenge.as_bytes(),
        &response,
        &policy(&anchors, RevocationCheck::NotChecked),
    )
    .unwrap_err();
    assert!(matches!(e, LoginError::NotAuthentication), "{e}");
}

#[test]
fn answers_to_other_or_stale_challenges_fail() {
    let anchors = anchors();
    let first = Challenge::new("portal", now()).to_text();
    let second = Challenge::new("portal", now()).to_text();
    let response = respond(&first, &set().my_number_auth);
    assert!(matches!(
        login::check(
            second.as_bytes(),
            &response,
            &policy(&anchors, RevocationCheck::NotChecked)
        ),
        Err(LoginError::WrongChallenge)
    ));
    let old = Challenge::new("portal", now() - Duration::from_secs(3600)).to_text();
    let response = respond(&old, &set().my_number_auth);
    assert!(matches!(
        login::check(
            old.as_bytes(),
            &response,
            &policy(&anchors, RevocationCheck::NotChecked)
        ),
        Err(LoginError::Expired { .. })
    ));
}

#[test]
fn a_forged_signature_fails() {
    let anchors = anchors();
    let challenge = Challenge::new("portal", now()).to_text();
    // signed by another card's key, presented with this card's certificate
    let mut response = respond(&challenge, &set().no_sign_auth);
    response.certificate = set().my_number_auth.certificate.der().to_vec();
    assert!(matches!(
        login::check(
            challenge.as_bytes(),
            &response,
            &policy(&anchors, RevocationCheck::NotChecked)
        ),
        Err(LoginError::BadSignature)
    ));
}

#[test]
fn an_expired_certificate_fails_the_chain_check() {
    let anchors = anchors();
    let challenge = Challenge::new("portal", now()).to_text();
    let response = respond(&challenge, &set().expired_auth);
    let e = login::check(
        challenge.as_bytes(),
        &response,
        &policy(&anchors, RevocationCheck::NotChecked),
    )
    .unwrap_err();
    assert!(
        matches!(e, LoginError::Certificate(cert::Error::Expired { .. })),
        "{e}"
    );
}

#[test]
fn a_replayed_challenge_is_refused() {
    let path = std::env::temp_dir().join(format!("jpki-used-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let challenge = Challenge::new("portal", now()).to_text();
    login::mark_used(&path, challenge.as_bytes()).unwrap();
    assert!(matches!(
        login::mark_used(&path, challenge.as_bytes()),
        Err(LoginError::Replayed)
    ));
    let other = Challenge::new("portal", now()).to_text();
    login::mark_used(&path, other.as_bytes()).unwrap();
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn malformed_files_are_errors() {
    for bad in [
        &b""[..],
        b"JPKI-LOGIN-CHALLENGE/1\nservice: x\n",
        b"\xff\xfe",
        b"JPKI-LOGIN-CHALLENGE/1\nnonce: zz\n",
    ] {
        assert!(Challenge::parse(bad).is_err());
        assert!(Response::parse(bad).is_err());
    }
}

/// The next-generation card's answer: ECDSA P-384 over SHA-384 of the challenge file (a P-384
/// key stands in for the card). A wrong signature is refused as such, before the certificate
/// is read as a JPKI certificate; a right one gets past the signature check (the chain is the
/// `cert` crate's: until it reads P-384 certificates the check stops there).
//
// NG card: the lead adds a whole login against a simulated next-generation card and a P-384
// CA in `anchors` once `cert` reads P-384 certificates.
#[test]
fn an_ecdsa_p384_answer_is_checked_with_the_certificates_key() {
    use p384::ecdsa::signature::Signer;
    use p384::pkcs8::DecodePrivateKey;
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "NG-sim v1 auth");
    let certificate = params.self_signed(&key).unwrap().der().to_vec();
    let signer = p384::ecdsa::SigningKey::from_pkcs8_der(&key.serialize_der()).unwrap();

    let challenge = Challenge::new("portal.example.jp", now()).to_text();
    let response = Response::answer_message(challenge.as_bytes(), certificate, |message| {
        assert_eq!(
            message,
            challenge.as_bytes(),
            "the card signs the file itself"
        );
        let sig: p384::ecdsa::DerSignature = signer.sign(message);
        Ok::<_, std::convert::Infallible>(sig.as_bytes().to_vec())
    })
    .unwrap()
    .unwrap();
    let response = Response::parse(response.to_text().as_bytes()).unwrap();
    let anchors = anchors();
    let policy = policy(&anchors, RevocationCheck::NotChecked);
    let right = login::check(challenge.as_bytes(), &response, &policy);
    assert!(
        !matches!(right, Err(LoginError::BadSignature)),
        "a right signature is not refused as one: {right:?}"
    );
    // another challenge signed: the signature does not verify over this one
    let other = Challenge::new("portal.example.jp", now()).to_text();
    let mut forged = response.clone();
    let other_sig: p384::ecdsa::DerSignature = signer.sign(other.as_bytes());
    forged.signature = other_sig.as_bytes().to_vec();
    let r: Result<_, _> = login::check(challenge.as_bytes(), &forged, &policy);
    assert!(matches!(r, Err(LoginError::BadSignature)), "{r:?}");
}
