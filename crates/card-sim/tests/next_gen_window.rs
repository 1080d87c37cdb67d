//! The municipal window's writes on a next-generation card in its hands: a forgotten secret
//! reset, the signature key replaced after a change of the 4 facts, a renewal — each one
//! atomic write that leaves everything else as it was, and refused whole on a card that
//! cannot take it.

mod next_gen_support;

use card_sim::{CardState, Error, FourFacts, NextGenKeyId, NextGenRenewal, NextGenSecret, SimCard};
use next_gen_support::*;
use pin_policy::{Pin, PinKind};
use time::macros::datetime;

const AT: time::OffsetDateTime = datetime!(2027-02-01 01:00 UTC);

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

/// A card file of [`contents`] in `dir`, reopened.
fn card_file(dir: &std::path::Path) -> SimCard {
    let path = dir.join("ng.card");
    drop(SimCard::create_next_gen(&path, contents()).unwrap());
    SimCard::open(&path).unwrap()
}

#[test]
fn a_reset_sets_the_secret_refills_it_and_records_the_date_in_one_write() {
    let dir = temp_dir("ng-window-reset");
    let mut card = card_file(&dir);
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &verify(0x82, "0000"), "63C2");
    card.reset_next_gen(
        NextGenSecret::Pin4,
        pin(PinKind::Authentication, "5678"),
        AT,
    )
    .unwrap();
    let path = card.path().unwrap().to_path_buf();
    drop(card);
    let mut card = SimCard::open(&path).unwrap();
    assert_eq!(card.history().last_pin_reset, Some(AT));
    assert_eq!(
        card.next_gen_counter(NextGenSecret::Pin4)
            .unwrap()
            .tries_left(),
        3
    );
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &verify(0x82, PIN4), "63C2");
    exchange(&mut card, &verify(0x82, "5678"), "9000");

    // refused whole: a value of another kind, an unset PUK
    let before = std::fs::read(&path).unwrap();
    let err = card
        .reset_next_gen(
            NextGenSecret::SignPassword,
            pin(PinKind::Authentication, "5678"),
            AT,
        )
        .unwrap_err();
    assert!(matches!(err, Error::Pin(_)), "{err}");
    let err = card
        .reset_next_gen(NextGenSecret::Puk, pin(PinKind::Puk, PUK), AT)
        .unwrap_err();
    assert!(matches!(err, Error::NotOnCard { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn the_signature_key_and_4_facts_are_replaced_keeping_sign_pw_and_the_rest() {
    let mut card = card();
    exchange(&mut card, &verify(0x81, "WRONG1"), "63C4");
    let auth_before = card
        .next_gen_certificate(NextGenKeyId::Authentication)
        .unwrap()
        .to_vec();
    let facts = FourFacts {
        address: "東京都千代田区永田町一丁目7番1号".to_owned(),
        ..facts()
    };
    card.replace_next_gen_signature(key(0x44, 0xD0), facts.clone())
        .unwrap();
    assert_eq!(card.four_facts(), Some(&facts));
    assert_eq!(
        card.next_gen_certificate(NextGenKeyId::Signature).unwrap(),
        cert(0xD0, 600)
    );
    assert_eq!(
        card.next_gen_certificate(NextGenKeyId::Authentication)
            .unwrap(),
        auth_before
    );
    assert_eq!(
        card.next_gen_counter(NextGenSecret::SignPassword)
            .unwrap()
            .tries_left(),
        4
    );
    // the new key signs, after the unchanged signing password
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    exchange(&mut card, "00 22 41 B6 03 84 01 02", "9000");
    let hash = [0x42; 48];
    let rs = exchange(&mut card, &pso(&hash), "9000");
    assert_signs(&card, NextGenKeyId::Signature, &hash, &rs);
    assert_eq!(
        card.next_gen_public_key(NextGenKeyId::Signature).unwrap(),
        *p384::ecdsa::SigningKey::from(&key(0x44, 0xD0).private_key).verifying_key()
    );
}

#[test]
fn a_renewal_replaces_the_keys_given_and_the_secrets_given_only() {
    let mut card = card();
    exchange(&mut card, &verify(0x82, "0000"), "63C2");
    card.renew_next_gen(
        NextGenRenewal {
            authentication: Some(key(0x55, 0xE0)),
            sign_pw: Some(pin(PinKind::Signature, "RENEW42")),
            ..NextGenRenewal::default()
        },
        AT,
    )
    .unwrap();
    assert_eq!(card.history().last_renewal, Some(AT));
    assert_eq!(
        card.next_gen_certificate(NextGenKeyId::Authentication)
            .unwrap(),
        cert(0xE0, 600)
    );
    assert_eq!(
        card.next_gen_certificate(NextGenKeyId::Signature).unwrap(),
        cert(0xB0, 600)
    );
    assert_eq!(
        card.next_gen_counter(NextGenSecret::Pin4)
            .unwrap()
            .tries_left(),
        2
    );
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &verify(0x81, SIGN_PW), "63C4");
    exchange(&mut card, &verify(0x81, "RENEW42"), "9000");
}

#[test]
fn a_card_without_the_slot_or_terminated_takes_nothing() {
    let mut contents = contents();
    contents.signature = None;
    let mut card = SimCard::new_next_gen(contents).unwrap();
    let err = card
        .replace_next_gen_signature(key(0x44, 0xD0), facts())
        .unwrap_err();
    assert!(matches!(err, Error::NotOnCard { .. }), "{err}");
    let err = card
        .renew_next_gen(
            NextGenRenewal {
                authentication: Some(key(0x55, 0xE0)),
                signature: Some(key(0x44, 0xD0)),
                ..NextGenRenewal::default()
            },
            AT,
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotOnCard { .. }), "{err}");
    // the authentication key of the failed renewal was not kept
    assert_eq!(
        card.next_gen_certificate(NextGenKeyId::Authentication)
            .unwrap(),
        cert(0xA0, 600)
    );
    card.terminate().unwrap();
    assert_eq!(card.state(), CardState::Terminated);
    let err = card
        .reset_next_gen(
            NextGenSecret::Pin4,
            pin(PinKind::Authentication, "5678"),
            AT,
        )
        .unwrap_err();
    assert!(matches!(err, Error::Terminated), "{err}");
}
