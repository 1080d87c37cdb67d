//! Both generations from one authority (issue 18): a next-generation card gets P-384
//! certificates from CAs that carry today's names, each generation verifies against its own
//! anchors, revocations land in the right generation's CRL, and the directory reopens.

use std::path::Path;

use card_sim::{KeyRole, MyNumber, NextGenRetryLimits, SimCard};
use cert::keys::Algorithm;
use cert::{
    Crl, Error as CertError, Hierarchy, JpkiCertificate, RevocationCheck, RevocationReason,
};
use issuer::{Authority, Error, NextGenIssueRequest};
use pin_policy::{Pin, PinKind};
use test_support::cards::temp_dir;
use test_support::fixtures::holder;
use time::{OffsetDateTime, macros::date, macros::datetime};

/// 2026-04-01 10:00 JST.
const NOW: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

fn request() -> NextGenIssueRequest {
    NextGenIssueRequest {
        holder: holder(),
        my_number: MyNumber::new("123456789018").unwrap(),
        with_authentication: true,
        with_signature: true,
        sign_password: pin(PinKind::Signature, "ABC123"),
        pin4: pin(PinKind::Authentication, "1234"),
        retry_limits: NextGenRetryLimits::default(),
        card_expiry: date!(2035 - 08 - 20),
        stay_until: None,
        issued_at: NOW,
    }
}

fn cert_of(card: &SimCard, role: KeyRole) -> JpkiCertificate {
    JpkiCertificate::from_der(card.certificate(role).unwrap()).unwrap()
}

/// Every CA certificate of the authority, both generations.
fn anchors(authority: &Authority) -> cert::TrustAnchors {
    let mut anchors = cert::TrustAnchors::new();
    for algorithm in [Algorithm::Rsa2048, Algorithm::EcdsaP384] {
        for h in [Hierarchy::Signature, Hierarchy::Authentication] {
            let pem = std::fs::read_to_string(authority.ca_path_of(h, algorithm)).unwrap();
            anchors
                .add(JpkiCertificate::from_pem(&pem).unwrap())
                .unwrap();
        }
    }
    anchors
}

fn crls(dir: &Path) -> Vec<Crl> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        out.push(Crl::from_der(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap());
    }
    out
}

#[test]
fn one_authority_issues_both_generations_and_each_verifies_against_its_own_ca() {
    let dir = temp_dir("ng-1");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    assert!(!authority.has_next_gen());
    let rsa_card = authority
        .issue_card(
            issuer::IssueRequest {
                profile: card_sim::CardProfile::MyNumber,
                holder: holder(),
                my_number: None,
                auth_pin: Some(pin(PinKind::Authentication, "1234")),
                sign_pin: None,
                text_pin: None,
                resident_pin: None,
                retry_limits: issuer::RetryLimits::default(),
                card_expiry: date!(2035 - 08 - 20),
                stay_until: None,
                issued_at: NOW,
            },
            &dir.join("rsa.card"),
            &mut rand::rng(),
        )
        .unwrap();
    let ng_card = authority
        .issue_next_gen_card(request(), &dir.join("ng.card"), &mut rand::rng())
        .unwrap();
    assert!(authority.has_next_gen());
    assert!(ng_card.is_next_gen());

    let rsa_auth = cert_of(&rsa_card, KeyRole::Authentication);
    let ng_auth = cert_of(&ng_card, KeyRole::Authentication);
    let ng_sign = cert_of(&ng_card, KeyRole::Signature);
    assert_eq!(rsa_auth.algorithm(), Algorithm::Rsa2048);
    assert_eq!(ng_auth.algorithm(), Algorithm::EcdsaP384);
    assert_eq!(ng_sign.algorithm(), Algorithm::EcdsaP384);
    // the hard case: the P-384 CA has the RSA CA's name
    let rsa_ca = authority
        .ca_of(Hierarchy::Authentication, Algorithm::Rsa2048)
        .unwrap();
    let ng_ca = authority
        .ca_of(Hierarchy::Authentication, Algorithm::EcdsaP384)
        .unwrap();
    assert_eq!(
        rsa_ca.certificate().subject(),
        ng_ca.certificate().subject()
    );
    assert_eq!(ng_auth.issuer(), rsa_auth.issuer());
    // one counter: the NG CAs and certificates have serials after the RSA card's
    assert!(ng_auth.serial() > rsa_auth.serial());

    let anchors = anchors(&authority);
    let all = crls(&authority.crl_dir());
    for c in [&rsa_auth, &ng_auth, &ng_sign] {
        let v = anchors.verify(c, NOW, RevocationCheck::Crls(&all)).unwrap();
        assert_eq!(v.anchor.algorithm(), c.algorithm(), "issuer picked by key");
    }
    // the genuineness certificate chains to the card-authentication CA the authority publishes
    let card_cert = cert::CardAuthCertificate::from_der(
        ng_card
            .next_gen_certificate(card_sim::NextGenKeyId::CardAuthentication)
            .unwrap(),
    )
    .unwrap();
    let (_, ca_der) = der::pem::decode_vec(
        std::fs::read(authority.card_auth_ca_path())
            .unwrap()
            .as_slice(),
    )
    .unwrap();
    card_cert
        .verify_signed_by(&cert::CardAuthCertificate::from_der(&ca_der).unwrap())
        .unwrap();

    // revoke the NG auth certificate: it is listed by the NG partition only
    authority
        .revoke(&ng_auth, RevocationReason::KeyCompromise, NOW)
        .unwrap();
    let all = crls(&authority.crl_dir());
    match anchors.verify(&ng_auth, NOW, RevocationCheck::Crls(&all)) {
        Err(CertError::Revoked { .. }) => {}
        other => panic!("expected revoked, got {other:?}"),
    }
    anchors
        .verify(&rsa_auth, NOW, RevocationCheck::Crls(&all))
        .unwrap();
    let ng_crl =
        Crl::from_der(&std::fs::read(authority.crl_path_for(&ng_auth).unwrap()).unwrap()).unwrap();
    assert_eq!(ng_crl.len(), 1);
    assert!(
        authority
            .crl_path_for(&ng_auth)
            .unwrap()
            .ends_with("auth-ng-13101.crl")
    );
    let rsa_crl =
        Crl::from_der(&std::fs::read(authority.crl_path_for(&rsa_auth).unwrap()).unwrap()).unwrap();
    assert!(rsa_crl.is_empty());
    assert!(authority.is_revoked(&ng_auth));
    assert!(!authority.is_revoked(&rsa_auth));

    // the directory reopens with both generations and the revocation
    let path = authority.dir().to_path_buf();
    drop(authority);
    let reopened = Authority::open(&path).unwrap();
    assert!(reopened.has_next_gen());
    assert!(reopened.is_revoked(&ng_auth));
    assert!(!reopened.is_revoked(&ng_sign));
}

#[test]
fn the_rules_of_today_apply_to_next_generation_cards() {
    let dir = temp_dir("ng-2");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    let child = cert::Holder {
        birth_date: date!(2015 - 01 - 01),
        ..holder()
    };
    let err = authority
        .issue_next_gen_card(
            NextGenIssueRequest {
                holder: child,
                card_expiry: date!(2030 - 01 - 01),
                ..request()
            },
            &dir.join("child.card"),
            &mut rand::rng(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("under 15"), "{err}");
    let err = authority
        .issue_next_gen_card(
            NextGenIssueRequest {
                with_authentication: false,
                with_signature: false,
                ..request()
            },
            &dir.join("none.card"),
            &mut rand::rng(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::IssueRequest { .. }), "{err}");
    // nothing was issued, so no NG CA was created
    assert!(!authority.has_next_gen());
    let err = authority
        .issue_next_gen_card(
            NextGenIssueRequest {
                card_expiry: date!(2036 - 01 - 01),
                ..request()
            },
            &dir.join("late.card"),
            &mut rand::rng(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::CardExpiryTooLate { .. }), "{err}");
}

#[test]
fn next_generation_certificates_run_to_the_10th_birthday_and_the_ca_20_years() {
    let dir = temp_dir("ng-3");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    let card = authority
        .issue_next_gen_card(request(), &dir.join("ng.card"), &mut rand::rng())
        .unwrap();
    let auth = cert_of(&card, KeyRole::Authentication);
    // holder() is born 1985-08-20: capped by the card expiry 2035-08-20, 23:59:59 JST
    assert_eq!(auth.not_after(), datetime!(2035-08-20 14:59:59 UTC));
    let ca = authority
        .ca_of(Hierarchy::Signature, Algorithm::EcdsaP384)
        .unwrap();
    assert_eq!(ca.certificate().not_after().year(), 2046);
}
