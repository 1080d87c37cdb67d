//! The city hall's life-cycle events on a next-generation card (NG-sim v1, profile §2.3): a
//! blocked SIGN_PW or PUK unlocked, a forgotten secret reset, a change of the 4 facts — each
//! seen through the card's own APDUs and the CRLs the authority publishes — and the
//! refusals, which leave the card file byte for byte as it was.

use std::path::Path;

use card_sim::{CardState, KeyRole, MyNumber, NextGenRetryLimits, NextGenSecret, SimCard};
use cert::keys::Algorithm;
use cert::{Crl, Hierarchy, JpkiCertificate, RevocationCheck, RevocationReason};
use issuer::{Authority, Error, IdentityCheck, NextGenIssueRequest};
use pin_policy::{Pin, PinKind};
use test_support::cards::{exchange, lc_ascii, reopen, temp_dir};
use test_support::fixtures::holder;
use time::{OffsetDateTime, macros::date, macros::datetime};

/// 2026-04-01 10:00 JST.
const NOW: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
const LATER: OffsetDateTime = datetime!(2027-02-01 01:00 UTC);
const SIGN_PW: &str = "ABC123";
const PIN4: &str = "1234";
const PUK: &str = "12345678";
const SELECT_AUTH_AP: &str = "00 A4 04 0C 0B F0 4A 50 4B 49 4E 47 41 55 54 48";

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

fn request() -> NextGenIssueRequest {
    NextGenIssueRequest {
        holder: holder(),
        my_number: MyNumber::new("123456789018").unwrap(),
        with_authentication: true,
        with_signature: true,
        sign_password: pin(PinKind::Signature, SIGN_PW),
        pin4: pin(PinKind::Authentication, PIN4),
        retry_limits: NextGenRetryLimits::default(),
        card_expiry: date!(2035 - 08 - 20),
        stay_until: None,
        issued_at: NOW,
    }
}

fn issue(authority: &mut Authority, path: &Path) -> SimCard {
    authority
        .issue_next_gen_card(request(), path, &mut rand::rng())
        .unwrap()
}

/// VERIFY of `reference` (`81` SIGN_PW, `82` PIN4, `83` PUK) after SELECT of the 認証AP,
/// asserting the status word.
#[track_caller]
fn verify(card: &mut SimCard, reference: &str, value: &str, sw: &str) {
    exchange(card, SELECT_AUTH_AP, "9000");
    exchange(
        card,
        &format!("00 20 00 {reference} {}", lc_ascii(value)),
        sw,
    );
}

/// Wrong values until the secret is blocked (the last try `63C0`, then `6983`).
fn block(card: &mut SimCard, reference: &str, wrong: &str, limit: u8) {
    for left in (0..limit).rev() {
        verify(card, reference, wrong, &format!("63C{left:X}"));
    }
    verify(card, reference, wrong, "6983");
}

/// The holder sets a PUK with the signing password (P9).
fn set_puk(card: &mut SimCard) {
    verify(card, "81", SIGN_PW, "9000");
    exchange(card, &format!("00 24 01 83 {}", lc_ascii(PUK)), "9000");
}

fn tries(card: &SimCard, secret: NextGenSecret) -> (u8, u8) {
    let counter = card.next_gen_counter(secret).unwrap();
    (counter.tries_left(), counter.limit())
}

#[test]
fn a_blocked_signing_password_is_unlocked_keeping_its_value_or_taking_a_new_one() {
    let dir = temp_dir("ngl-1");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    let mut card = issue(&mut authority, &dir.join("ng.card"));
    block(&mut card, "81", "WRONG1", 5);
    assert_eq!(tries(&card, NextGenSecret::SignPassword), (0, 5));

    authority
        .unlock_next_gen(&mut card, NextGenSecret::SignPassword, None)
        .unwrap();
    let mut card = reopen(card);
    assert_eq!(tries(&card, NextGenSecret::SignPassword), (5, 5));
    verify(&mut card, "81", SIGN_PW, "9000");

    block(&mut card, "81", "WRONG1", 5);
    let new = pin(PinKind::Signature, "NEWPW42");
    authority
        .unlock_next_gen(&mut card, NextGenSecret::SignPassword, Some(&new))
        .unwrap();
    let mut card = reopen(card);
    verify(&mut card, "81", SIGN_PW, "63C4");
    verify(&mut card, "81", "NEWPW42", "9000");
    assert_eq!(tries(&card, NextGenSecret::SignPassword), (5, 5));
    // PIN4 was never touched
    assert_eq!(tries(&card, NextGenSecret::Pin4), (3, 3));
}

#[test]
fn a_blocked_puk_is_unlocked_and_re_sets_pin4_again() {
    let dir = temp_dir("ngl-2");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    let mut card = issue(&mut authority, &dir.join("ng.card"));
    set_puk(&mut card);
    block(&mut card, "83", "87654321", 3);
    // a blocked PUK re-sets nothing
    exchange(
        &mut card,
        &format!("00 2C 00 82 0C {}", hex::encode(format!("{PUK}5678"))),
        "6983",
    );

    authority
        .unlock_next_gen(&mut card, NextGenSecret::Puk, None)
        .unwrap();
    let mut card = reopen(card);
    assert_eq!(tries(&card, NextGenSecret::Puk), (3, 3));
    exchange(&mut card, SELECT_AUTH_AP, "9000");
    exchange(
        &mut card,
        &format!("00 2C 00 82 0C {}", hex::encode(format!("{PUK}5678"))),
        "9000",
    );
    verify(&mut card, "82", "5678", "9000");
}

#[test]
fn a_forgotten_pin4_is_reset_at_the_window_and_the_reset_recorded() {
    let dir = temp_dir("ngl-3");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    let mut card = issue(&mut authority, &dir.join("ng.card"));
    verify(&mut card, "82", "9999", "63C2");
    authority
        .reset_next_gen_secret(
            &mut card,
            NextGenSecret::Pin4,
            &pin(PinKind::Authentication, "5678"),
            IdentityCheck::CardPhoto,
            LATER,
        )
        .unwrap();
    let mut card = reopen(card);
    assert_eq!(card.history().last_pin_reset, Some(LATER));
    assert_eq!(tries(&card, NextGenSecret::Pin4), (3, 3));
    verify(&mut card, "82", PIN4, "63C2");
    verify(&mut card, "82", "5678", "9000");
    // the signing password is the holder's own still
    verify(&mut card, "81", SIGN_PW, "9000");

    // a forgotten signing password, blocked, is reset the same way
    block(&mut card, "81", "WRONG1", 5);
    authority
        .reset_next_gen_secret(
            &mut card,
            NextGenSecret::SignPassword,
            &pin(PinKind::Signature, "RESET99"),
            IdentityCheck::Passport,
            LATER,
        )
        .unwrap();
    verify(&mut card, "81", "RESET99", "9000");
}

/// `f` fails with an error `check` accepts, and the card file is byte for byte as before.
#[track_caller]
fn refused(
    card: &mut SimCard,
    f: impl FnOnce(&mut SimCard) -> Result<(), Error>,
    check: impl FnOnce(&Error) -> bool,
) {
    let path = card.path().unwrap().to_path_buf();
    let before = std::fs::read(&path).unwrap();
    let err = f(card).unwrap_err();
    assert!(check(&err), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "after {err}");
}

#[test]
fn refusals_leave_the_card_file_unchanged() {
    let dir = temp_dir("ngl-4");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    let mut other = Authority::create(&dir.join("b"), NOW, &mut rand::rng()).unwrap();
    let mut card = issue(&mut authority, &dir.join("ng.card"));
    block(&mut card, "81", "WRONG1", 5);
    let new_pw = pin(PinKind::Signature, "NEWPW42");

    // another authority's card
    let mut foreign = issue(&mut other, &dir.join("foreign.card"));
    block(&mut foreign, "81", "WRONG1", 5);
    refused(
        &mut foreign,
        |c| authority.unlock_next_gen(c, NextGenSecret::SignPassword, None),
        |e| matches!(e, Error::ForeignCard { .. }),
    );
    refused(
        &mut foreign,
        |c| {
            authority.reset_next_gen_secret(
                c,
                NextGenSecret::SignPassword,
                &new_pw,
                IdentityCheck::Passport,
                LATER,
            )
        },
        |e| matches!(e, Error::ForeignCard { .. }),
    );
    // a new value of another kind; an unset PUK
    refused(
        &mut card,
        |c| {
            authority.unlock_next_gen(
                c,
                NextGenSecret::SignPassword,
                Some(&pin(PinKind::Authentication, "5678")),
            )
        },
        |e| matches!(e, Error::Pin(_)),
    );
    refused(
        &mut card,
        |c| authority.unlock_next_gen(c, NextGenSecret::Puk, Some(&pin(PinKind::Puk, PUK))),
        |e| matches!(e, Error::NotOnCard { .. }),
    );
    // today's API on a next-generation card, and the next-generation one on today's card
    refused(
        &mut card,
        |c| {
            authority.reset_pin(
                c,
                card_sim::PinRef::Signature,
                &new_pw,
                IdentityCheck::Passport,
                LATER,
            )
        },
        |e| matches!(e, Error::NotOnCard { .. }),
    );
    let mut current = authority
        .issue_card(
            issuer::IssueRequest {
                profile: card_sim::CardProfile::MyNumber,
                holder: holder(),
                my_number: None,
                auth_pin: Some(pin(PinKind::Authentication, PIN4)),
                sign_pin: None,
                text_pin: None,
                resident_pin: None,
                retry_limits: issuer::RetryLimits::default(),
                card_expiry: date!(2035 - 08 - 20),
                stay_until: None,
                issued_at: NOW,
            },
            &dir.join("current.card"),
            &mut rand::rng(),
        )
        .unwrap();
    refused(
        &mut current,
        |c| authority.unlock_next_gen(c, NextGenSecret::Pin4, None),
        |e| matches!(e, Error::NotOnCard { .. }),
    );
    // a lost card
    authority.report_lost(&mut card, LATER).unwrap();
    assert!(matches!(card.state(), CardState::Lost { .. }));
    refused(
        &mut card,
        |c| authority.unlock_next_gen(c, NextGenSecret::SignPassword, None),
        |e| matches!(e, Error::CardLost { .. }),
    );
    // a terminated card
    authority.fault(&mut card, LATER).unwrap();
    refused(
        &mut card,
        |c| authority.unlock_next_gen(c, NextGenSecret::SignPassword, None),
        |e| matches!(e, Error::Terminated),
    );
    refused(
        &mut card,
        |c| {
            authority.reset_next_gen_secret(
                c,
                NextGenSecret::Pin4,
                &pin(PinKind::Authentication, "5678"),
                IdentityCheck::Passport,
                LATER,
            )
        },
        |e| matches!(e, Error::Terminated),
    );
}

/// The authority's P-384 CA certificates as trust anchors (the next generation alone).
fn ng_anchors(authority: &Authority) -> cert::TrustAnchors {
    let mut anchors = cert::TrustAnchors::new();
    for h in [Hierarchy::Signature, Hierarchy::Authentication] {
        let pem = std::fs::read_to_string(authority.ca_path_of(h, Algorithm::EcdsaP384)).unwrap();
        anchors
            .add(JpkiCertificate::from_pem(&pem).unwrap())
            .unwrap();
    }
    anchors
}

fn crls(dir: &Path) -> Vec<Crl> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| Crl::from_der(&std::fs::read(e.unwrap().path()).unwrap()).unwrap())
        .collect()
}

fn cert_of(card: &SimCard, role: KeyRole) -> JpkiCertificate {
    JpkiCertificate::from_der(card.certificate(role).unwrap()).unwrap()
}

#[test]
fn a_change_of_the_4_facts_replaces_the_p384_signature_certificate_only() {
    use p384::ecdsa::signature::hazmat::PrehashVerifier as _;

    let dir = temp_dir("ngl-5");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    let mut card = issue(&mut authority, &dir.join("ng.card"));
    let old_sign = cert_of(&card, KeyRole::Signature);
    let old_auth_der = card.certificate(KeyRole::Authentication).unwrap().to_vec();
    // one wrong try: the counter survives the change
    verify(&mut card, "81", "WRONG1", "63C4");

    let moved = cert::Holder {
        address: cert::CardText::plain("東京都千代田区永田町一丁目７番１号"),
        ..holder()
    };
    authority
        .change_facts(&mut card, moved.clone(), LATER, &mut rand::rng())
        .unwrap();
    let mut card = reopen(card);

    // the old certificate is revoked affiliationChanged on the next-generation partition
    let partition = authority.crl_path_for(&old_sign).unwrap();
    assert!(partition.ends_with("sign-ng-13101.crl"), "{partition:?}");
    let crl = Crl::from_der(&std::fs::read(&partition).unwrap()).unwrap();
    let entry = crl.lookup(old_sign.serial()).expect("listed");
    assert_eq!(entry.reason, Some(RevocationReason::AffiliationChanged));
    let anchors = ng_anchors(&authority);
    let published = crls(&authority.crl_dir());
    match anchors.verify(&old_sign, LATER, RevocationCheck::Crls(&published)) {
        Err(cert::Error::Revoked { reason, .. }) => {
            assert_eq!(reason, Some(RevocationReason::AffiliationChanged));
        }
        other => panic!("expected revoked, got {other:?}"),
    }

    // the new one: P-384, the new 4 facts, verifying under the P-384 CA, not revoked
    let new_sign = cert_of(&card, KeyRole::Signature);
    assert_ne!(new_sign.serial(), old_sign.serial());
    assert_eq!(new_sign.algorithm(), Algorithm::EcdsaP384);
    assert_eq!(new_sign.four_facts().unwrap().address, moved.address);
    let verified = anchors
        .verify(&new_sign, LATER, RevocationCheck::Crls(&published))
        .unwrap();
    assert_eq!(verified.anchor.algorithm(), Algorithm::EcdsaP384);
    assert_eq!(card.four_facts(), Some(&issuer::text_facts(&moved)));
    // the authentication certificate is untouched
    assert_eq!(
        card.certificate(KeyRole::Authentication).unwrap(),
        old_auth_der
    );

    // SIGN_PW kept its value and counter; the card signs with the key the new cert certifies
    assert_eq!(tries(&card, NextGenSecret::SignPassword), (4, 5));
    verify(&mut card, "81", SIGN_PW, "9000");
    exchange(&mut card, "00 22 41 B6 03 84 01 02", "9000");
    let hash = [0x5A; 48];
    let rs = exchange(
        &mut card,
        &format!("00 2A 9E 9A 30 {} 00", hex::encode([0x5A; 48])),
        "9000",
    );
    let cert::keys::SubjectKey::P384(public) = new_sign.public_key() else {
        panic!("a P-384 key");
    };
    let signature = p384::ecdsa::Signature::from_slice(&rs).unwrap();
    p384::ecdsa::VerifyingKey::from(*public)
        .verify_prehash(&hash, &signature)
        .unwrap();
}

#[test]
fn a_change_of_the_4_facts_is_refused_before_anything_is_revoked() {
    let dir = temp_dir("ngl-6");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    let mut other = Authority::create(&dir.join("b"), NOW, &mut rand::rng()).unwrap();
    let mut foreign = issue(&mut other, &dir.join("foreign.card"));
    let state = std::fs::read(authority.dir().join("authority.txt")).unwrap();
    refused(
        &mut foreign,
        |c| authority.change_facts(c, holder(), LATER, &mut rand::rng()),
        |e| matches!(e, Error::ForeignCard { .. }),
    );
    // nothing spent, nothing revoked
    assert_eq!(
        std::fs::read(authority.dir().join("authority.txt")).unwrap(),
        state
    );
    let mut unsigned = authority
        .issue_next_gen_card(
            NextGenIssueRequest {
                with_signature: false,
                ..request()
            },
            &dir.join("unsigned.card"),
            &mut rand::rng(),
        )
        .unwrap();
    let state = std::fs::read(authority.dir().join("authority.txt")).unwrap();
    refused(
        &mut unsigned,
        |c| authority.change_facts(c, holder(), LATER, &mut rand::rng()),
        |e| matches!(e, Error::NotOnCard { .. }),
    );
    assert_eq!(
        std::fs::read(authority.dir().join("authority.txt")).unwrap(),
        state
    );
}

#[test]
fn a_next_generation_certificate_runs_with_the_card_so_renewal_is_a_new_card() {
    let dir = temp_dir("ngl-7");
    let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
    let mut card = issue(&mut authority, &dir.join("ng.card"));
    let state = std::fs::read(authority.dir().join("authority.txt")).unwrap();
    // before the window: the opening date, from the P-384 certificate's last day
    refused(
        &mut card,
        |c| {
            authority
                .renew(c, issuer::RenewRequest::default(), LATER, &mut rand::rng())
                .map(drop)
        },
        |e| {
            matches!(e, Error::RenewalNotOpen { opens, expiry, .. }
                if *expiry == date!(2035 - 08 - 20) && *opens == date!(2035 - 05 - 21))
        },
    );
    // in the window: a renewed certificate could not outlast the card (P3: certificates run
    // to the card's expiry), so nothing is spent or revoked
    refused(
        &mut card,
        |c| {
            authority
                .renew(
                    c,
                    issuer::RenewRequest::default(),
                    datetime!(2035-07-01 01:00 UTC),
                    &mut rand::rng(),
                )
                .map(drop)
        },
        |e| matches!(e, Error::CardExpiresFirst { card_expiry } if *card_expiry == date!(2035 - 08 - 20)),
    );
    assert_eq!(
        std::fs::read(authority.dir().join("authority.txt")).unwrap(),
        state
    );
}
