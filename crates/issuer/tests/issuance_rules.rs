//! The rules of spec §1 that bound a card at issuance, from the request to a verified
//! certificate: no signature certificate under 15, a card that ends on the 5th birthday under
//! 18, a foreign resident's card and certificates that end with the period of stay, and Juki
//! cards only before 2016.

#[path = "support/records.rs"]
mod records;

use std::{path::Path, sync::OnceLock};

use card_sim::{CardProfile, KeyRole, MyNumber, SimCard};
use cert::{JpkiCertificate, RevocationCheck, TrustAnchors};
use issuer::{Authority, Error, IssueRequest, RetryLimits};
use pin_policy::{Pin, PinKind};
use test_support::cards::{TempDir, temp_dir};
use test_support::keys::seeded_rng;
use time::{Date, Duration, OffsetDateTime, macros::date, macros::datetime};

/// 2026-04-01 10:00 JST.
const ISSUED_AT: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

/// A My Number card request for the fixture holder born on `birth`, expiring `card_expiry`.
fn request(birth: Date, card_expiry: Date) -> IssueRequest {
    let mut holder = test_support::fixtures::holder();
    holder.birth_date = birth;
    IssueRequest {
        profile: CardProfile::MyNumber,
        holder,
        my_number: Some(MyNumber::new("123456789018").unwrap()),
        auth_pin: Some(pin(PinKind::Authentication, "1234")),
        sign_pin: Some(pin(PinKind::Signature, "ABC123")),
        text_pin: Some(pin(PinKind::TextSupport, "5678")),
        resident_pin: None,
        retry_limits: RetryLimits::default(),
        card_expiry,
        stay_until: None,
        issued_at: ISSUED_AT,
    }
}

/// A copy, in `dir/authority`, of one authority created at `created` (CA keys are slow).
fn authority(dir: &Path, created: OffsetDateTime) -> Authority {
    static TEMPLATES: OnceLock<std::sync::Mutex<Vec<(OffsetDateTime, TempDir)>>> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(Default::default);
    let mut templates = templates.lock().unwrap_or_else(|e| e.into_inner());
    if !templates.iter().any(|(at, _)| *at == created) {
        let t = temp_dir("rules-authority-template");
        drop(Authority::create(&t, created, &mut seeded_rng(80)).unwrap());
        templates.push((created, t));
    }
    let (_, template) = templates.iter().find(|(at, _)| *at == created).unwrap();
    records::copy_authority(template, dir)
}

fn anchors(authority: &Authority) -> TrustAnchors {
    records::anchors(authority)
}

fn cert_of(card: &SimCard, role: KeyRole) -> JpkiCertificate {
    JpkiCertificate::from_der(card.certificate(role).unwrap()).unwrap()
}

/// Issues `request` into `dir/name`.
fn issue(
    authority: &mut Authority,
    dir: &Path,
    name: &str,
    request: IssueRequest,
) -> Result<SimCard, Error> {
    authority.issue_card(request, &dir.join(name), &mut seeded_rng(7))
}

/// Asserts `cert` verifies just before the end of `last_day` (JST) and is expired just after.
#[track_caller]
fn valid_through(anchors: &TrustAnchors, cert: &JpkiCertificate, last_day: Date) {
    let end = cert::validity::end_of_day_jst(last_day);
    assert_eq!(cert.not_after(), end);
    anchors
        .verify(cert, end - Duration::hours(1), RevocationCheck::NotChecked)
        .unwrap();
    let err = anchors
        .verify(
            cert,
            end + Duration::seconds(1),
            RevocationCheck::NotChecked,
        )
        .unwrap_err();
    assert!(matches!(err, cert::Error::Expired { .. }), "{err}");
}

#[test]
fn a_holder_under_15_gets_no_signature_certificate() {
    let dir = temp_dir("rules-under-15");
    let mut authority = authority(&dir, ISSUED_AT);
    // 15 the day after the issuing date
    let born = date!(2011 - 04 - 02);
    let fifth = date!(2030 - 04 - 02);
    let first = authority.next_serial();
    let err = issue(&mut authority, &dir, "refused", request(born, fifth)).unwrap_err();
    assert!(matches!(err, Error::IssueRequest { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "cannot issue the card: holders under 15 get no signature certificate (JPKI rule); issue with --no-sign"
    );
    assert!(!dir.join("refused").exists());

    // without a signature PIN the card is issued, with its authentication certificate only
    let card = issue(
        &mut authority,
        &dir,
        "child",
        IssueRequest {
            sign_pin: None,
            ..request(born, fifth)
        },
    )
    .unwrap();
    assert!(card.certificate(KeyRole::Signature).is_none());
    let auth = cert_of(&card, KeyRole::Authentication);
    // the first certificate of this authority: no serial was spent on the refused request
    assert_eq!(auth.serial(), cert::Serial::from(first));
    valid_through(&anchors(&authority), &auth, fifth);

    // 15 on the issuing date itself: a signature certificate
    let card = issue(
        &mut authority,
        &dir,
        "fifteen",
        request(date!(2011 - 04 - 01), date!(2031 - 04 - 01)),
    )
    .unwrap();
    assert!(card.certificate(KeyRole::Signature).is_some());
}

#[test]
fn a_card_for_a_holder_under_18_ends_on_the_5th_birthday() {
    let dir = temp_dir("rules-under-18");
    let mut authority = authority(&dir, ISSUED_AT);
    let born = date!(2009 - 06 - 15); // 16 on the issuing date
    let fifth = date!(2030 - 06 - 15);
    let err = issue(
        &mut authority,
        &dir,
        "refused",
        request(born, date!(2036 - 06 - 15)),
    )
    .unwrap_err();
    match err {
        Error::CardExpiryTooLate {
            card_expiry,
            latest,
            rule,
        } => {
            assert_eq!(card_expiry, date!(2036 - 06 - 15));
            assert_eq!(latest, fifth);
            assert!(rule.contains("under 18"), "{rule}");
        }
        e => panic!("{e}"),
    }
    let card = issue(&mut authority, &dir, "minor", request(born, fifth)).unwrap();
    assert_eq!(card.administration().unwrap().card_expiry, fifth);
    let anchors = anchors(&authority);
    for role in [KeyRole::Authentication, KeyRole::Signature] {
        valid_through(&anchors, &cert_of(&card, role), fifth);
    }

    // an adult's: the 10th birthday, and not a day later
    let born = date!(1985 - 08 - 20);
    let err = issue(
        &mut authority,
        &dir,
        "refused",
        request(born, date!(2035 - 08 - 21)),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::CardExpiryTooLate { latest, .. } if latest == date!(2035 - 08 - 20)),
        "{err}"
    );
    issue(
        &mut authority,
        &dir,
        "adult",
        request(born, date!(2035 - 08 - 20)),
    )
    .unwrap();
}

#[test]
fn a_foreign_residents_card_and_certificates_end_with_the_period_of_stay() {
    let dir = temp_dir("rules-stay");
    let mut authority = authority(&dir, ISSUED_AT);
    let born = date!(1985 - 08 - 20);
    let stay = date!(2028 - 03 - 31);
    let with_stay = |card_expiry| IssueRequest {
        stay_until: Some(stay),
        ..request(born, card_expiry)
    };
    let err = issue(
        &mut authority,
        &dir,
        "refused",
        with_stay(date!(2035 - 08 - 20)),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::CardExpiryTooLate { latest, rule, .. } if latest == stay && rule.contains("period of stay")),
        "{err}"
    );
    let card = issue(&mut authority, &dir, "resident", with_stay(stay)).unwrap();
    assert_eq!(card.administration().unwrap().card_expiry, stay);
    let anchors = anchors(&authority);
    for role in [KeyRole::Authentication, KeyRole::Signature] {
        valid_through(&anchors, &cert_of(&card, role), stay);
    }

    // a stay that ended before the issuing date
    let err = issue(
        &mut authority,
        &dir,
        "refused",
        IssueRequest {
            stay_until: Some(date!(2026 - 03 - 31)),
            ..request(born, date!(2026 - 04 - 30))
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::IssueRequest { .. }), "{err}");
    assert!(
        err.to_string().contains("period of stay ends before"),
        "{err}"
    );
    assert!(!dir.join("refused").exists());
}

#[test]
fn a_juki_card_is_issued_before_2016_only_and_ends_with_the_stay() {
    // the window of 2015, with its CAs
    let at = datetime!(2015-06-01 01:00 UTC);
    let dir = temp_dir("rules-juki");
    let mut authority = authority(&dir, at);
    let juki = |issued_at, stay_until| IssueRequest {
        profile: CardProfile::Juki,
        my_number: None,
        auth_pin: None,
        sign_pin: Some(pin(PinKind::JukiSignature, "JUKI01")),
        text_pin: None,
        stay_until,
        issued_at,
        ..request(date!(1985 - 08 - 20), date!(2025 - 06 - 01))
    };
    // the last day of 2015 (JST) still issues; the first of 2016 does not
    issue(
        &mut authority,
        &dir,
        "last",
        juki(datetime!(2015-12-31 14:59:59 UTC), None),
    )
    .unwrap();
    let err = issue(
        &mut authority,
        &dir,
        "refused",
        juki(datetime!(2015-12-31 15:00 UTC), None),
    )
    .unwrap_err();
    assert!(err.to_string().contains("before 2016-01-01"), "{err}");
    let err = issue(&mut authority, &dir, "refused", juki(ISSUED_AT, None)).unwrap_err();
    assert!(matches!(err, Error::IssueRequest { .. }), "{err}");

    // three years, or the end of the stay when that comes first
    let card = issue(&mut authority, &dir, "juki", juki(at, None)).unwrap();
    let anchors = anchors(&authority);
    valid_through(
        &anchors,
        &cert_of(&card, KeyRole::Signature),
        date!(2018 - 06 - 01),
    );
    let stay = date!(2016 - 09 - 30);
    let card = issue(
        &mut authority,
        &dir,
        "resident",
        IssueRequest {
            card_expiry: stay,
            ..juki(at, Some(stay))
        },
    )
    .unwrap();
    valid_through(&anchors, &cert_of(&card, KeyRole::Signature), stay);
}
