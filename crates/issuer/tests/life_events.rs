//! Life-cycle events on an issued card, each from issuance to verification: renewal (更新), a
//! lost card, the card's return after death or emigration, and the reset of a forgotten PIN.
//! The old certificate fails verification (trust anchors + the CRL the authority published)
//! with the event's reason; the new one passes.

#[path = "support/records.rs"]
mod records;

use test_support::cards;

use std::path::Path;

use card_sim::{CardProfile, CardState, Cessation, KeyRole, MyNumber, PinRef, SimCard};
use cards::{exchange, hx, lc_ascii, reopen, temp_dir};
use cert::{Crl, JpkiCertificate, RevocationCheck, RevocationReason};
use issuer::{Authority, Error, IdentityCheck, IssueRequest, RenewRequest, RetryLimits};
use pin_policy::{Pin, PinKind};
use time::{Date, OffsetDateTime, macros::date, macros::datetime};

const AUTH_PIN: &str = "1234";
const SIGN_PIN: &str = "ABC123";
const ISSUED_AT: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
const CARD_EXPIRY: Date = date!(2035 - 08 - 20);
/// The holder (born 1985-08-20) gets certificates to 2030-08-20, renewable from 2030-05-21.
const CERT_EXPIRY: Date = date!(2030 - 08 - 20);
const IN_WINDOW: OffsetDateTime = datetime!(2030-07-01 01:00 UTC);
const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

fn setup(name: &str) -> (cards::TempDir, Authority, SimCard) {
    let dir = temp_dir(name);
    let mut authority = Authority::create(
        &dir.join("authority"),
        ISSUED_AT,
        &mut test_support::keys::seeded_rng(7),
    )
    .unwrap();
    let card = issue(&mut authority, &dir, "card");
    (dir, authority, card)
}

fn issue(authority: &mut Authority, dir: &Path, name: &str) -> SimCard {
    let request = IssueRequest {
        profile: CardProfile::MyNumber,
        holder: test_support::fixtures::holder(),
        my_number: Some(MyNumber::new("123456789018").unwrap()),
        auth_pin: Some(pin(PinKind::Authentication, AUTH_PIN)),
        sign_pin: Some(pin(PinKind::Signature, SIGN_PIN)),
        text_pin: Some(pin(PinKind::TextSupport, "5678")),
        resident_pin: None,
        retry_limits: RetryLimits::default(),
        card_expiry: CARD_EXPIRY,
        issued_at: ISSUED_AT,
        stay_until: None,
    };
    authority
        .issue_card(
            request,
            &dir.join(name),
            &mut test_support::keys::seeded_rng(99),
        )
        .unwrap()
}

fn cert_of(card: &SimCard, role: KeyRole) -> JpkiCertificate {
    JpkiCertificate::from_der(card.certificate(role).unwrap()).unwrap()
}

/// The one place a certificate's revocation status is read: the CRL the authority published
/// for the certificate's partition (its municipality).
fn published_crl(authority: &Authority, certificate: &JpkiCertificate) -> Crl {
    Crl::from_der(&std::fs::read(authority.crl_path_for(certificate).unwrap()).unwrap()).unwrap()
}

/// Verifies `certificate` at `at` with the authority's CAs as anchors and its published CRL:
/// `Ok(())`, or the revocation reason it fails with (any other failure panics).
fn verify(
    authority: &Authority,
    certificate: &JpkiCertificate,
    at: OffsetDateTime,
) -> Result<(), Option<RevocationReason>> {
    let anchors = records::anchors(authority);
    let crl = published_crl(authority, certificate);
    // The CRL as last published (at the last event): these cases check what it says, not
    // that a relying party fetched it again within the day (the verifier's freshness rule has
    // tests of its own).
    let crls = std::slice::from_ref(&crl);
    match anchors.verify(certificate, at, RevocationCheck::CrlsAcceptingStale(crls)) {
        Ok(_) => Ok(()),
        Err(cert::Error::Revoked { reason, .. }) => Err(reason),
        Err(e) => panic!("verification failed otherwise: {e}"),
    }
}

/// VERIFY of a PIN of the JPKI AP (`0018` auth, `001B` sign); returns the status word.
fn verify_pin(card: &mut SimCard, ef: &str, value: &str) -> String {
    exchange(card, SELECT_JPKI, "9000");
    exchange(card, &format!("00 A4 02 0C 02 {ef}"), "9000");
    let r = card.process(&hx(&format!("00 20 00 80 {}", lc_ascii(value))));
    hex::encode_upper(&r[r.len() - 2..])
}

#[test]
fn renewal_is_refused_before_the_window_with_its_opening_date() {
    let (_dir, mut authority, mut card) = setup("renew-early");
    let before = cert_of(&card, KeyRole::Authentication);
    let err = authority
        .renew(
            &mut card,
            RenewRequest::default(),
            datetime!(2030-05-20 01:00 UTC),
            &mut test_support::keys::seeded_rng(3),
        )
        .unwrap_err();
    match &err {
        Error::RenewalNotOpen { opens, expiry, .. } => {
            assert_eq!(*opens, date!(2030 - 05 - 21));
            assert_eq!(*expiry, CERT_EXPIRY);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("2030-05-21"), "{err}");
    // nothing changed
    assert_eq!(cert_of(&card, KeyRole::Authentication).der(), before.der());
    assert!(!authority.is_revoked(&before));
    // after the last day: expired, not renewed
    let err = authority
        .renew(
            &mut card,
            RenewRequest::default(),
            datetime!(2030-08-21 01:00 UTC),
            &mut test_support::keys::seeded_rng(3),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::NotRenewable { reason, .. } if reason.contains("expired")),
        "{err:?}"
    );
}

#[test]
fn renewal_replaces_both_certificates_and_supersedes_the_old_ones() {
    let (_dir, mut authority, mut card) = setup("renew");
    let old_auth = cert_of(&card, KeyRole::Authentication);
    let old_sign = cert_of(&card, KeyRole::Signature);
    let renewed = authority
        .renew(
            &mut card,
            RenewRequest::default(),
            IN_WINDOW,
            &mut test_support::keys::seeded_rng(4),
        )
        .unwrap();
    assert_eq!(renewed.len(), 2);
    let card = reopen(card);
    let new_auth = cert_of(&card, KeyRole::Authentication);
    let new_sign = cert_of(&card, KeyRole::Signature);
    let after = IN_WINDOW + time::Duration::hours(1);
    for old in [&old_auth, &old_sign] {
        assert_eq!(
            verify(&authority, old, after),
            Err(Some(RevocationReason::Superseded))
        );
    }
    for new in [&new_auth, &new_sign] {
        assert_eq!(verify(&authority, new, after), Ok(()));
        // the 5th birthday after the renewal
        assert_eq!(new.not_after(), datetime!(2034-08-20 14:59:59 UTC));
        assert_ne!(new.public_key(), old_auth.public_key());
    }
    assert_eq!(new_sign.four_facts(), old_sign.four_facts());
    assert_eq!(new_sign.municipality(), old_sign.municipality());
    assert_eq!(renewed[0].new_serial, new_auth.serial());
    assert_eq!(renewed[1].old_serial, old_sign.serial());
    assert_eq!(card.history().last_renewal, Some(IN_WINDOW));
    assert_eq!(card.state(), CardState::Active);
    // PINs kept
    let mut card = card;
    assert_eq!(verify_pin(&mut card, "00 18", AUTH_PIN), "9000");
    assert_eq!(verify_pin(&mut card, "00 1B", SIGN_PIN), "9000");
}

#[test]
fn renewal_of_one_certificate_with_a_new_pin() {
    let (_dir, mut authority, mut card) = setup("renew-one");
    let old_auth = cert_of(&card, KeyRole::Authentication);
    let old_sign = cert_of(&card, KeyRole::Signature);
    // a new PIN for a certificate not renewed is refused before anything happens
    let request = RenewRequest {
        roles: vec![KeyRole::Authentication],
        sign_pin: Some(pin(PinKind::Signature, "NEW123")),
        ..RenewRequest::default()
    };
    let err = authority
        .renew(
            &mut card,
            request,
            IN_WINDOW,
            &mut test_support::keys::seeded_rng(5),
        )
        .unwrap_err();
    assert!(matches!(err, Error::RenewRequest { .. }), "{err:?}");
    assert!(!authority.is_revoked(&old_auth));
    let request = RenewRequest {
        roles: vec![KeyRole::Authentication],
        auth_pin: Some(pin(PinKind::Authentication, "9876")),
        ..RenewRequest::default()
    };
    authority
        .renew(
            &mut card,
            request,
            IN_WINDOW,
            &mut test_support::keys::seeded_rng(5),
        )
        .unwrap();
    assert_eq!(
        verify(&authority, &old_auth, IN_WINDOW),
        Err(Some(RevocationReason::Superseded))
    );
    assert_eq!(verify(&authority, &old_sign, IN_WINDOW), Ok(()));
    assert_eq!(cert_of(&card, KeyRole::Signature).der(), old_sign.der());
    assert_eq!(verify_pin(&mut card, "00 18", AUTH_PIN), "63C2");
    assert_eq!(verify_pin(&mut card, "00 18", "9876"), "9000");
    // renewed once: the new authentication certificate's window is years away
    let err = authority
        .renew(
            &mut card,
            RenewRequest {
                roles: vec![KeyRole::Authentication],
                ..RenewRequest::default()
            },
            IN_WINDOW,
            &mut test_support::keys::seeded_rng(6),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::RenewalNotOpen { opens, .. } if opens == date!(2034 - 05 - 21)),
        "{err:?}"
    );
    // a revoked certificate is not renewed
    authority
        .revoke(&old_sign, RevocationReason::Unspecified, IN_WINDOW)
        .unwrap();
    let err = authority
        .renew(
            &mut card,
            RenewRequest {
                roles: vec![KeyRole::Signature],
                ..RenewRequest::default()
            },
            IN_WINDOW,
            &mut test_support::keys::seeded_rng(6),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::NotRenewable { role: KeyRole::Signature, reason } if reason.contains("revoked")),
        "{err:?}"
    );
}

#[test]
fn a_lost_card_keeps_answering_but_both_certificates_are_revoked() {
    let (_dir, mut authority, mut card) = setup("lost");
    let auth = cert_of(&card, KeyRole::Authentication);
    let sign = cert_of(&card, KeyRole::Signature);
    let at = ISSUED_AT + time::Duration::days(30);
    assert_eq!(verify(&authority, &auth, at), Ok(()));
    authority.report_lost(&mut card, at).unwrap();
    let mut card = reopen(card);
    assert_eq!(card.state(), CardState::Lost { at });
    for c in [&auth, &sign] {
        assert_eq!(
            verify(&authority, c, at + time::Duration::hours(1)),
            Err(Some(RevocationReason::KeyCompromise))
        );
    }
    // the finder's card still answers and signs after the PIN
    assert_eq!(verify_pin(&mut card, "00 18", AUTH_PIN), "9000");
    // no event but its return or a fault
    for err in [
        authority.report_lost(&mut card, at).unwrap_err(),
        authority
            .renew(
                &mut card,
                RenewRequest::default(),
                IN_WINDOW,
                &mut test_support::keys::seeded_rng(1),
            )
            .unwrap_err(),
        authority
            .reset_pin(
                &mut card,
                PinRef::Authentication,
                &pin(PinKind::Authentication, "1111"),
                IdentityCheck::Passport,
                at,
            )
            .unwrap_err(),
    ] {
        assert!(matches!(err, Error::CardLost { .. }), "{err:?}");
    }
    // returned after the holder's death: keyCompromise stays the reason
    authority
        .cease(&mut card, Cessation::Death, at + time::Duration::days(1))
        .unwrap();
    assert!(card.is_terminated());
    assert_eq!(
        verify(&authority, &sign, at + time::Duration::days(2)),
        Err(Some(RevocationReason::KeyCompromise))
    );
}

#[test]
fn cessation_revokes_and_terminates_the_card() {
    for cause in [Cessation::Death, Cessation::Emigration] {
        let (_dir, mut authority, mut card) = setup("cease");
        let auth = cert_of(&card, KeyRole::Authentication);
        let sign = cert_of(&card, KeyRole::Signature);
        let at = ISSUED_AT + time::Duration::days(60);
        authority.cease(&mut card, cause, at).unwrap();
        for c in [&auth, &sign] {
            assert_eq!(
                verify(&authority, c, at),
                Err(Some(RevocationReason::CessationOfOperation))
            );
        }
        let mut card = reopen(card);
        assert_eq!(card.state(), CardState::Ceased { cause, at });
        assert!(card.is_terminated());
        assert!(card.certificate(KeyRole::Signature).is_none());
        exchange(&mut card, SELECT_JPKI, "6A82");
        assert!(matches!(
            authority.cease(&mut card, cause, at),
            Err(Error::Terminated)
        ));
    }
}

#[test]
fn a_forgotten_pin_is_reset_at_the_window_blocked_or_not() {
    let (_dir, authority, mut card) = setup("reset");
    let at = ISSUED_AT + time::Duration::days(10);
    // one wrong try: not blocked
    assert_eq!(verify_pin(&mut card, "00 1B", "WRONG1"), "63C4");
    authority
        .reset_pin(
            &mut card,
            PinRef::Signature,
            &pin(PinKind::Signature, "NEWPIN1"),
            IdentityCheck::CardPhoto,
            at,
        )
        .unwrap();
    assert_eq!(card.pin_counter(PinRef::Signature).unwrap().tries_left(), 5);
    assert_eq!(card.history().last_pin_reset, Some(at));
    assert_eq!(verify_pin(&mut card, "00 1B", SIGN_PIN), "63C4");
    assert_eq!(verify_pin(&mut card, "00 1B", "NEWPIN1"), "9000");
    // blocked: reset all the same
    for _ in 0..3 {
        verify_pin(&mut card, "00 18", "0000");
    }
    assert_eq!(verify_pin(&mut card, "00 18", AUTH_PIN), "6984");
    authority
        .reset_pin(
            &mut card,
            PinRef::Authentication,
            &pin(PinKind::Authentication, "2468"),
            IdentityCheck::DrivingLicence,
            at,
        )
        .unwrap();
    let mut card = reopen(card);
    assert_eq!(verify_pin(&mut card, "00 18", "2468"), "9000");
    // 照合番号A is no PIN the holder sets
    let err = authority
        .reset_pin(
            &mut card,
            PinRef::TextSupportA,
            &pin(PinKind::TextSupport, "1234"),
            IdentityCheck::Passport,
            at,
        )
        .unwrap_err();
    assert!(matches!(err, Error::RenewRequest { .. }), "{err:?}");
}
