//! Chains, validity at an instant and CRLs, on the committed fixtures.

use std::path::PathBuf;
use std::sync::LazyLock;

use cert::time::macros::datetime;
use cert::{
    CertKind, Crl, CrlRequest, Error, JpkiCertificate, Revocation, RevocationCheck,
    RevocationReason, RevocationStatus, Serial, TrustAnchors,
};
use test_support::fixtures::{self, FixtureSet, REFERENCE_TIME, REVOKED_SERIAL};

static SET: LazyLock<FixtureSet> = LazyLock::new(|| fixtures::build().unwrap());

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cert")
}

fn load(rel: &str) -> JpkiCertificate {
    JpkiCertificate::from_der(&std::fs::read(fixture_dir().join(rel)).unwrap()).unwrap()
}

fn load_crl(rel: &str) -> Crl {
    Crl::from_der(&std::fs::read(fixture_dir().join(rel)).unwrap()).unwrap()
}

fn anchors() -> TrustAnchors {
    let mut a = TrustAnchors::new();
    a.add(load("sign-ca.der")).unwrap();
    a.add(load("auth-ca.der")).unwrap();
    a
}

#[test]
fn committed_fixtures_match_the_generator() {
    for (rel, bytes) in fixtures::files(&SET).unwrap() {
        let on_disk = std::fs::read(fixture_dir().join(&rel))
            .unwrap_or_else(|e| panic!("{rel}: {e}; run `cargo xtask fixtures`"));
        assert!(
            on_disk == bytes,
            "{rel} differs; run `cargo xtask fixtures`"
        );
    }
}

#[test]
fn valid_cards_verify_at_the_reference_time() {
    let a = anchors();
    let sign_crl = load_crl("sign-ca.crl.der");
    let auth_crl = load_crl("auth-ca.crl.der");
    for (rel, kind, crl) in [
        ("my-number/sign.der", CertKind::Signature, &sign_crl),
        ("my-number/auth.der", CertKind::Authentication, &auth_crl),
        (
            "my-number-no-sign/auth.der",
            CertKind::Authentication,
            &auth_crl,
        ),
        ("juki/sign.der", CertKind::Signature, &sign_crl),
    ] {
        let c = load(rel);
        assert_eq!(c.kind(), kind, "{rel}");
        let v = a
            .verify(&c, REFERENCE_TIME, RevocationCheck::Crl(crl))
            .unwrap();
        assert!(v.revocation.is_checked(), "{rel}");
        assert_eq!(v.anchor.kind(), CertKind::Ca(kind.hierarchy()), "{rel}");
    }
}

#[test]
fn expired_and_not_yet_valid_are_reported_with_dates() {
    let a = anchors();
    let expired = load("expired/auth.der");
    match a.verify(&expired, REFERENCE_TIME, RevocationCheck::NotChecked) {
        Err(Error::Expired { not_after }) => {
            assert_eq!(not_after, datetime!(2023-01-15 14:59:59 UTC));
        }
        other => panic!("{other:?}"),
    }
    // One second before and at notAfter it was valid.
    a.verify(
        &expired,
        datetime!(2023-01-15 14:59:59 UTC),
        RevocationCheck::NotChecked,
    )
    .unwrap();
    let card = load("my-number/auth.der");
    assert!(matches!(
        a.verify(
            &card,
            datetime!(2025-06-02 01:23:44 UTC),
            RevocationCheck::NotChecked
        ),
        Err(Error::NotYetValid { .. })
    ));
    a.verify(
        &card,
        datetime!(2025-06-02 01:23:45 UTC),
        RevocationCheck::NotChecked,
    )
    .unwrap();
}

#[test]
fn revoked_certificate_is_found_with_reason_and_date() {
    let a = anchors();
    let crl = load_crl("sign-ca.crl.der");
    let revoked = load("revoked/sign.der");
    assert_eq!(revoked.serial(), Serial::from(REVOKED_SERIAL));
    // without revocation data it verifies, and the result says revocation was not checked
    let unchecked = a
        .verify(&revoked, REFERENCE_TIME, RevocationCheck::NotChecked)
        .unwrap();
    assert_eq!(unchecked.revocation, RevocationStatus::NotChecked);
    assert_eq!(
        unchecked.revocation.to_string(),
        "not checked (no CRL given)"
    );
    match a.verify(&revoked, REFERENCE_TIME, RevocationCheck::Crl(&crl)) {
        Err(Error::Revoked { revoked_at, reason }) => {
            assert_eq!(revoked_at, datetime!(2025-09-01 02:00:00 UTC));
            assert_eq!(reason, Some(RevocationReason::AffiliationChanged));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(crl.len(), 2);
    assert_eq!(crl.this_update(), REFERENCE_TIME);
    assert_eq!(crl.next_update(), Some(datetime!(2026-01-02 00:00:00 UTC)));
}

#[test]
fn crl_of_the_other_hierarchy_is_refused() {
    let a = anchors();
    let auth_crl = load_crl("auth-ca.crl.der");
    assert!(matches!(
        a.verify(
            &load("my-number/sign.der"),
            REFERENCE_TIME,
            RevocationCheck::Crl(&auth_crl)
        ),
        Err(Error::CrlIssuerMismatch)
    ));
}

#[test]
fn tampered_certificate_and_crl_fail_signature_checks() {
    let a = anchors();
    let mut der = load("my-number/sign.der").der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 1;
    let c = JpkiCertificate::from_der(&der).unwrap();
    assert!(matches!(
        a.verify(&c, REFERENCE_TIME, RevocationCheck::NotChecked),
        Err(Error::UnknownIssuer)
    ));

    let mut crl = std::fs::read(fixture_dir().join("sign-ca.crl.der")).unwrap();
    let last = crl.len() - 1;
    crl[last] ^= 1;
    let crl = Crl::from_der(&crl).unwrap();
    assert!(matches!(
        crl.verify_signed_by(SET.sign_ca.certificate()),
        Err(Error::BadSignature)
    ));
}

#[test]
fn certificate_of_one_hierarchy_does_not_chain_to_the_other() {
    let mut only_auth = TrustAnchors::new();
    only_auth.add(load("auth-ca.der")).unwrap();
    assert!(matches!(
        only_auth.verify(
            &load("my-number/sign.der"),
            REFERENCE_TIME,
            RevocationCheck::NotChecked
        ),
        Err(Error::UnknownIssuer)
    ));
}

#[test]
fn crl_hit_and_miss_on_unsorted_entries_with_and_without_reasons() {
    // Pseudo-random serial order, every third without reason code.
    let mut x: u64 = 0x9E37_79B9;
    let revoked: Vec<Revocation> = (0..5_000u64)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Revocation {
                serial: Serial::from(x | 1),
                revoked_at: datetime!(2025-01-01 00:00:00 UTC)
                    + cert::time::Duration::minutes(i64::try_from(i).unwrap()),
                reason: (i % 3 != 0).then_some(RevocationReason::KeyCompromise),
            }
        })
        .collect();
    let der = SET
        .sign_ca
        .issue_crl(
            &CrlRequest {
                this_update: REFERENCE_TIME,
                next_update: None,
                crl_number: 7,
                scope: cert::CrlScope::Complete,
            },
            revoked.clone(),
        )
        .unwrap();
    let crl = Crl::from_der(&der).unwrap();
    crl.verify_signed_by(SET.sign_ca.certificate()).unwrap();
    assert_eq!(crl.len(), revoked.len());
    assert_eq!(crl.next_update(), None);
    for r in &revoked {
        assert_eq!(crl.lookup(r.serial), Some(*r));
    }
    // Even serials were never listed.
    for s in (0..2_000u64).map(|i| i * 2) {
        assert_eq!(crl.lookup(Serial::from(s)), None);
    }
}

#[test]
fn empty_crl_has_no_entries() {
    let der = SET
        .auth_ca
        .issue_crl(
            &CrlRequest {
                this_update: REFERENCE_TIME,
                next_update: Some(datetime!(2026-01-02 00:00:00 UTC)),
                scope: cert::CrlScope::Complete,
                crl_number: 2,
            },
            [],
        )
        .unwrap();
    let crl = Crl::from_der(&der).unwrap();
    assert!(crl.is_empty());
    crl.verify_signed_by(SET.auth_ca.certificate()).unwrap();
    crl.check(&load("my-number/auth.der")).unwrap();
}

#[test]
fn fixture_card_dates_follow_the_rules() {
    assert_eq!(
        load("my-number/auth.der").not_after(),
        datetime!(2029-08-20 14:59:59 UTC)
    );
    assert_eq!(
        load("my-number/sign.der").not_after(),
        datetime!(2029-08-20 14:59:59 UTC)
    );
    assert_eq!(
        load("my-number-no-sign/auth.der").not_after(),
        datetime!(2030-03-03 14:59:59 UTC)
    );
    assert_eq!(
        load("juki/sign.der").not_after(),
        datetime!(2027-12-02 14:59:59 UTC)
    );
    let juki = load("juki/sign.der");
    let facts = juki.four_facts().unwrap();
    assert_eq!(facts.birth_date, cert::time::macros::date!(1960 - 02 - 29));
    assert_eq!(facts.gender, cert::Gender::Male);
}
