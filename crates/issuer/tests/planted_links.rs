//! Another user plants links and directories at every name the authority could write through:
//! none receives a byte (a CA key, the admin key, the state).

use test_support::cards;
use test_support::planting;

use std::{fs, os::unix::fs::PermissionsExt};

use cards::*;
use issuer::Authority;
use planting::*;

#[test]
fn planted_links_in_an_authority_directory_never_receive_keys() {
    let dir = temp_dir("planted-authority");
    let loot = dir.join("loot");
    fs::create_dir(&loot).unwrap();
    let authority_dir = dir.join("authority");
    fs::create_dir(&authority_dir).unwrap();
    let mut planted = Vec::new();
    for name in [
        "authority.txt",
        "sign-ca.pem",
        "sign-ca.key",
        "auth-ca.pem",
        "auth-ca.key",
        "crl",
        "admin.key",
        "admin.pub",
    ] {
        planted.extend(plant(&authority_dir, name, &loot, 40));
    }
    let now = time::macros::datetime!(2026-04-01 10:00 +09:00);
    let mut authority =
        Authority::create(&authority_dir, now, &mut test_support::keys::seeded_rng(5)).unwrap();
    let holder = test_support::fixtures::holder();
    let request = issuer::IssueRequest {
        profile: card_sim::CardProfile::MyNumber,
        holder,
        my_number: Some(card_sim::MyNumber::new(MY_NUMBER).unwrap()),
        auth_pin: Some(pin_policy::Pin::new(pin_policy::PinKind::Authentication, b"1234").unwrap()),
        sign_pin: Some(pin_policy::Pin::new(pin_policy::PinKind::Signature, b"ABC123").unwrap()),
        text_pin: Some(pin_policy::Pin::new(pin_policy::PinKind::TextSupport, b"5678").unwrap()),
        resident_pin: None,
        retry_limits: issuer::RetryLimits::default(),
        card_expiry: time::macros::date!(2035 - 08 - 20),
        stay_until: None,
        issued_at: now,
    };
    let card = authority
        .issue_card(
            request,
            &dir.join("card.jpki"),
            &mut test_support::keys::seeded_rng(6),
        )
        .unwrap();
    let certificate =
        cert::JpkiCertificate::from_der(card.certificate(card_sim::KeyRole::Signature).unwrap())
            .unwrap();
    authority
        .revoke(&certificate, cert::RevocationReason::KeyCompromise, now)
        .unwrap();
    drop(authority);
    let authority = Authority::open(&authority_dir).unwrap();
    assert!(authority.is_revoked(&certificate));
    assert_untouched(&planted, &loot);
    for file in ["sign-ca.key", "auth-ca.key", "admin.key"] {
        let meta = fs::symlink_metadata(authority_dir.join(file)).unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{file}");
    }
}

#[test]
fn a_link_planted_where_the_crls_go_is_refused() {
    let dir = temp_dir("planted-crl-dir");
    let loot = dir.join("loot");
    fs::create_dir(&loot).unwrap();
    let authority_dir = dir.join("authority");
    fs::create_dir(&authority_dir).unwrap();
    std::os::unix::fs::symlink(&loot, authority_dir.join("crl")).unwrap();
    let now = time::macros::datetime!(2026-04-01 10:00 +09:00);
    let err =
        Authority::create(&authority_dir, now, &mut test_support::keys::seeded_rng(5)).unwrap_err();
    assert!(
        matches!(err, issuer::Error::AuthorityCorrupt { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("crl"), "{err}");
    assert_eq!(
        fs::read_dir(&loot).unwrap().count(),
        0,
        "a CRL reached the link"
    );
}
