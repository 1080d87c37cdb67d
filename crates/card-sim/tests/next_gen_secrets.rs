//! The next-generation card's secrets (profile §2.3, §2.4): VERIFY with and without data,
//! SIGN_PW covering PIN4, CHANGE REFERENCE DATA, the PUK and RESET RETRY COUNTER, blocking,
//! the municipal unlock, and persistence across reopening.

mod next_gen_support;

use card_sim::{NextGenKeyId, NextGenRetryLimits, NextGenSecret, SimCard};
use next_gen_support::*;
use pin_policy::{Pin, PinKind};
use sha2::{Digest, Sha384};

fn tries(card: &SimCard, secret: NextGenSecret) -> u8 {
    card.next_gen_counter(secret).unwrap().tries_left()
}

/// `00 2C 00 82 0C <PUK><PIN4>`.
fn reset(puk: &str, pin4: &str) -> String {
    format!(
        "00 2C 00 82 {:02X} {}{}",
        puk.len() + pin4.len(),
        hex::encode(puk),
        hex::encode(pin4)
    )
}

#[test]
fn verify_counts_wrong_tries_and_blocks_with_6983() {
    let mut card = card();
    assert_eq!(tries(&card, NextGenSecret::Pin4), 3);
    exchange(&mut card, &verify(0x82, "0000"), "63C2");
    exchange(&mut card, &verify(0x82, "0000"), "63C1");
    exchange(&mut card, &verify(0x82, PIN4), "9000");
    assert_eq!(tries(&card, NextGenSecret::Pin4), 3);
    for sw in ["63C2", "63C1", "63C0", "6983", "6983"] {
        exchange(&mut card, &verify(0x82, "0000"), sw);
    }
    // blocked: the right PIN too
    exchange(&mut card, &verify(0x82, PIN4), "6983");
    exchange(&mut card, "00 20 00 82", "63C0");
    assert_eq!(tries(&card, NextGenSecret::Pin4), 0);
    // SIGN_PW: 5 tries, then blocked
    for sw in ["63C4", "63C3", "63C2", "63C1", "63C0", "6983"] {
        exchange(&mut card, &verify(0x81, "WRONG1"), sw);
    }
    exchange(&mut card, &verify(0x81, SIGN_PW), "6983");
    // a wrong format counts as a wrong try (the card compares, it does not validate)
    let mut card = next_gen_support::card();
    exchange(&mut card, &verify(0x81, "x"), "63C4");
}

#[test]
fn verify_without_data_is_the_iso_meaning() {
    let mut card = card();
    exchange(&mut card, "00 20 00 81", "63C5");
    exchange(&mut card, "00 20 00 82", "63C3");
    exchange(&mut card, "00 20 00 83", "6A88");
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    exchange(&mut card, "00 20 00 81", "9000");
    // PIN4's own state: covered by SIGN_PW, not verified itself
    exchange(&mut card, "00 20 00 82", "63C3");
    exchange(&mut card, &verify(0x82, PIN4), "9000");
    exchange(&mut card, "00 20 00 82", "9000");
    // a wrong try ends the verified state
    exchange(&mut card, &verify(0x82, "9999"), "63C2");
    exchange(&mut card, "00 20 00 82", "63C2");
    // reset and re-SELECT end it
    exchange(&mut card, "00 20 00 81", "9000");
    card.reset();
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, "00 20 00 81", "63C5");
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, "00 20 00 81", "63C5");
    // errors
    exchange(&mut card, "00 20 00 80", "6A86");
    exchange(&mut card, "00 20 00 84 04 31 32 33 34", "6A86");
    exchange(&mut card, "00 20 01 82 04 31 32 33 34", "6A86");
}

#[test]
fn a_verified_sign_pw_covers_pin4_without_touching_its_counter() {
    let mut card = card();
    exchange(&mut card, &verify(0x82, "0000"), "63C2");
    exchange(&mut card, &verify(0x82, "0000"), "63C1");
    exchange(&mut card, &verify(0x82, "0000"), "63C0");
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    // PIN4 blocked, yet the authentication key and 0021 work under SIGN_PW
    let hash = Sha384::digest(b"login");
    exchange(&mut card, "00 22 41 B6 03 84 01 01", "9000");
    let rs = exchange(&mut card, &pso(&hash), "9000");
    assert_signs(&card, NextGenKeyId::Authentication, &hash, &rs);
    exchange(&mut card, "00 A4 02 0C 02 00 21", "9000");
    exchange(&mut card, "00 B0 00 00 00", "9000");
    assert_eq!(tries(&card, NextGenSecret::Pin4), 0);
    // and PIN4 may be changed under SIGN_PW; its counter stays as it was
    exchange(&mut card, &change(0x82, "4321"), "9000");
    assert_eq!(tries(&card, NextGenSecret::Pin4), 0);
}

#[test]
fn change_reference_data_needs_the_secret_and_checks_the_format() {
    let mut card = card();
    exchange(&mut card, &change(0x81, "NEWPW99"), "6982");
    exchange(&mut card, &change(0x82, "4321"), "6982");
    exchange(&mut card, &verify(0x82, PIN4), "9000");
    // PIN4 verified: PIN4 yes, SIGN_PW and PUK no
    exchange(&mut card, &change(0x81, "NEWPW99"), "6982");
    exchange(&mut card, &change(0x83, "11112222"), "6982");
    exchange(&mut card, &change(0x82, "12345"), "6A80");
    exchange(&mut card, &change(0x82, "12AB"), "6A80");
    exchange(&mut card, &change(0x82, "4321"), "9000");
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    for bad in ["ABCDE", "ABCDEFG", "1234567", "abc123", "ABCDEFGH123456789"] {
        exchange(&mut card, &change(0x81, bad), "6A80");
    }
    exchange(&mut card, &change(0x81, "NEWPW99"), "9000");
    exchange(&mut card, "00 24 01 81", "6700");
    exchange(&mut card, "00 24 00 81 06 41 42 43 31 32 33", "6A86");
    exchange(&mut card, "00 24 01 84 06 41 42 43 31 32 33", "6A86");
    card.reset();
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &verify(0x81, SIGN_PW), "63C4");
    exchange(&mut card, &verify(0x81, "NEWPW99"), "9000");
    exchange(&mut card, &verify(0x82, PIN4), "63C2");
    exchange(&mut card, &verify(0x82, "4321"), "9000");
}

#[test]
fn the_puk_is_set_under_sign_pw_and_resets_pin4_only() {
    let mut card = card();
    assert!(card.next_gen_counter(NextGenSecret::Puk).is_none());
    exchange(&mut card, &reset(PUK, "5555"), "6A88");
    exchange(&mut card, &verify(0x83, PUK), "6A88");
    exchange(&mut card, &change(0x83, PUK), "6982");
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    exchange(&mut card, &change(0x83, "1234567"), "6A80");
    exchange(&mut card, &change(0x83, "1234567A"), "6A80");
    assert!(card.next_gen_counter(NextGenSecret::Puk).is_none());
    exchange(&mut card, &change(0x83, PUK), "9000");
    assert_eq!(tries(&card, NextGenSecret::Puk), 3);
    exchange(&mut card, "00 20 00 83", "63C3");
    // block PIN4, then the PUK re-sets it and refills its counter
    for sw in ["63C2", "63C1", "63C0", "6983"] {
        exchange(&mut card, &verify(0x82, "0000"), sw);
    }
    exchange(&mut card, &reset(PUK, "12345"), "6700");
    exchange(&mut card, &reset(PUK, "55A5"), "6A80");
    assert_eq!(
        tries(&card, NextGenSecret::Puk),
        3,
        "a bad new PIN4 costs nothing"
    );
    exchange(
        &mut card,
        "00 2C 00 81 0C 3837363534333231 35353535",
        "6A86",
    );
    exchange(
        &mut card,
        "00 2C 01 82 0C 3837363534333231 35353535",
        "6A86",
    );
    exchange(&mut card, &reset(PUK, "5555"), "9000");
    assert_eq!(tries(&card, NextGenSecret::Pin4), 3);
    assert_eq!(tries(&card, NextGenSecret::Puk), 3);
    exchange(&mut card, "00 20 00 82", "63C3");
    exchange(&mut card, &verify(0x82, PIN4), "63C2");
    exchange(&mut card, &verify(0x82, "5555"), "9000");
    // the PUK does nothing for SIGN_PW: no command resets it
    exchange(
        &mut card,
        "00 2C 00 81 0C 3837363534333231 35353535",
        "6A86",
    );
    // replacing the PUK needs SIGN_PW again after a re-SELECT
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &change(0x83, "11112222"), "6982");
}

#[test]
fn wrong_puks_count_and_block_the_puk() {
    let mut card = card();
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    exchange(&mut card, &change(0x83, PUK), "9000");
    exchange(&mut card, &reset("00000000", "5555"), "63C2");
    exchange(&mut card, &verify(0x83, "00000000"), "63C1");
    exchange(&mut card, &reset(PUK, "5555"), "9000");
    assert_eq!(tries(&card, NextGenSecret::Puk), 3);
    for sw in ["63C2", "63C1", "63C0", "6983"] {
        exchange(&mut card, &reset("00000000", "5555"), sw);
    }
    exchange(&mut card, &reset(PUK, "5555"), "6983");
    exchange(&mut card, &verify(0x83, PUK), "6983");
    // the PUK value itself is not changed by a blocked PUK's holder; SIGN_PW may replace it,
    // which does not unblock it (a new PUK gets a new counter, our reading of "replace")
    assert_eq!(tries(&card, NextGenSecret::Puk), 0);
    // the municipality unlocks it
    card.unlock_next_gen(NextGenSecret::Puk, None).unwrap();
    assert_eq!(tries(&card, NextGenSecret::Puk), 3);
    // the unlock ended the session, as a trip to the window does
    exchange(&mut card, &reset(PUK, "5555"), "6985");
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &reset(PUK, "5555"), "9000");
}

#[test]
fn a_blocked_sign_pw_goes_to_the_municipality() {
    let mut card = card();
    for _ in 0..5 {
        card.process(&hx(&verify(0x81, "WRONG1")));
    }
    exchange(&mut card, &verify(0x81, SIGN_PW), "6983");
    let err = card
        .unlock_next_gen(
            NextGenSecret::SignPassword,
            Some(Pin::new(PinKind::Authentication, b"1234").unwrap()),
        )
        .unwrap_err();
    assert!(err.to_string().contains("PIN"), "{err}");
    assert_eq!(
        tries(&card, NextGenSecret::SignPassword),
        0,
        "nothing changed"
    );
    card.unlock_next_gen(
        NextGenSecret::SignPassword,
        Some(Pin::new(PinKind::Signature, b"RESET2026").unwrap()),
    )
    .unwrap();
    assert_eq!(tries(&card, NextGenSecret::SignPassword), 5);
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &verify(0x81, "RESET2026"), "9000");
    // today's card has no such thing
    let mut today = test_support::cards::my_number_card();
    assert!(today.unlock_next_gen(NextGenSecret::Pin4, None).is_err());
    assert!(!today.is_next_gen());
    assert!(today.next_gen_counter(NextGenSecret::Pin4).is_none());
}

#[test]
fn contents_are_checked_at_issue() {
    let mut bad = contents();
    bad.pin4 = Pin::new(PinKind::TextSupport, b"1234").unwrap();
    assert!(SimCard::new_next_gen(bad).is_err());
    let mut bad = contents();
    bad.sign_pw = Pin::new(PinKind::Authentication, b"1234").unwrap();
    assert!(SimCard::new_next_gen(bad).is_err());
    for limits in [
        NextGenRetryLimits {
            sign_pw: 0,
            ..NextGenRetryLimits::default()
        },
        NextGenRetryLimits {
            pin4: 16,
            ..NextGenRetryLimits::default()
        },
        NextGenRetryLimits {
            puk: 0,
            ..NextGenRetryLimits::default()
        },
    ] {
        let mut bad = contents();
        bad.retry_limits = limits;
        assert!(SimCard::new_next_gen(bad).is_err(), "{limits:?}");
    }
    let mut bad = contents();
    bad.card_authentication.certificate = vec![0; 0x8100];
    assert!(SimCard::new_next_gen(bad).is_err());
    let mut custom = contents();
    custom.retry_limits = NextGenRetryLimits {
        sign_pw: 2,
        pin4: 15,
        puk: 1,
    };
    let card = SimCard::new_next_gen(custom).unwrap();
    assert_eq!(tries(&card, NextGenSecret::SignPassword), 2);
    assert_eq!(tries(&card, NextGenSecret::Pin4), 15);
    assert_eq!(
        NextGenRetryLimits::default(),
        NextGenRetryLimits {
            sign_pw: 5,
            pin4: 3,
            puk: 3
        }
    );
}

#[test]
fn the_card_file_keeps_keys_secrets_and_counters_across_reopening() {
    let dir = temp_dir("ng-persist");
    let path = dir.join("ng.jpki");
    let hash = Sha384::digest(b"persisted");
    {
        let mut card = SimCard::create_next_gen(&path, contents()).unwrap();
        exchange(&mut card, SELECT_AUTH, "9000");
        exchange(&mut card, &verify(0x82, "0000"), "63C2");
        exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
        exchange(&mut card, &change(0x83, PUK), "9000");
        exchange(&mut card, &change(0x81, "SECOND2"), "9000");
        assert!(matches!(
            SimCard::open(&path),
            Err(card_sim::Error::InUse { .. })
        ));
    }
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[8..10], &card_sim::FORMAT_VERSION.to_be_bytes());
    assert_eq!(card_sim::FORMAT_VERSION, 5);
    let mut card = SimCard::open(&path).unwrap();
    assert!(card.is_next_gen());
    assert_eq!(card.atr(), card_sim::next_gen::ids::ATR);
    assert_eq!(tries(&card, NextGenSecret::Pin4), 2);
    assert_eq!(tries(&card, NextGenSecret::Puk), 3);
    let fresh = SimCard::new_next_gen(contents()).unwrap();
    for key in [
        NextGenKeyId::Authentication,
        NextGenKeyId::Signature,
        NextGenKeyId::CardAuthentication,
    ] {
        assert_eq!(
            card.next_gen_public_key(key),
            fresh.next_gen_public_key(key)
        );
        assert_eq!(
            card.next_gen_certificate(key),
            fresh.next_gen_certificate(key)
        );
        assert_eq!(
            card.next_gen_ca_certificate(key),
            fresh.next_gen_ca_certificate(key)
        );
    }
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &verify(0x81, "SECOND2"), "9000");
    exchange(&mut card, "00 22 41 B6 03 84 01 02", "9000");
    let rs = exchange(&mut card, &pso(&hash), "9000");
    assert_signs(&card, NextGenKeyId::Signature, &hash, &rs);
    exchange(&mut card, &reset(PUK, "7777"), "9000");
    drop(card);
    // the generic accessors see the NG card too (for inspect-style tools)
    assert_eq!(
        card_sim_certificate(&path),
        fresh
            .next_gen_certificate(NextGenKeyId::Signature)
            .map(<[u8]>::to_vec)
    );
    // the snapshot and the in-memory copy load the same card
    let snapshot = SimCard::open_snapshot(&path).unwrap();
    assert_eq!(tries(&snapshot, NextGenSecret::Pin4), 3);
    let copy = SimCard::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    assert!(copy.is_next_gen());
    // a flipped byte is caught by the checksum
    let mut broken = std::fs::read(&path).unwrap();
    let middle = broken.len() / 2;
    broken[middle] ^= 1;
    assert!(SimCard::from_bytes(&broken).is_err());
}

fn card_sim_certificate(path: &std::path::Path) -> Option<Vec<u8>> {
    let card = SimCard::open_snapshot(path).unwrap();
    assert_eq!(card.my_number().unwrap().digits(), MY_NUMBER.as_bytes());
    assert_eq!(card.four_facts().unwrap().birth_date, "19900101");
    assert!(card.pin_counter(card_sim::PinRef::Authentication).is_none());
    card.certificate(card_sim::KeyRole::Signature)
        .map(<[u8]>::to_vec)
}
