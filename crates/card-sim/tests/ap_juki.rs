//! 住基AP (card-map §1, §7) and the Juki card's applications (card-map §8).

use card_sim::{CardProfile, PinRef, SimCard};
use test_support::cards::*;

/// SELECT 住基AP by DF name (card-map §7).
const SELECT_AP: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 01";

fn check_juki_ap(card: &mut SimCard) {
    exchange(card, SELECT_AP, "9000");
    let mut key_reference = hx("01 10");
    key_reference.extend_from_slice(&KEY_REFERENCE);
    assert_eq!(exchange(card, "00 B2 01 14 00", "9000"), key_reference);
    exchange(card, "00 B2 02 14 00", "6A83");
    // no 0001, no 住民票コード EF
    exchange(card, "00 B2 01 0C 00", "6A82");
    exchange(card, "00 A4 02 0C 02 00 01", "6A82");
    exchange(card, "00 B0 82 00 00", "6981");
    // 00 88 and 80 2A: 6985 (our choice)
    exchange(card, "00 88 00 99 04 01020304 00", "6985");
    exchange(card, "80 2A 00 00 01 00 00", "6985");
    // 001C: 3 tries, CHANGE KEY after VERIFY
    exchange(card, "00 20 00 9C", "63C3");
    exchange(card, "00 A4 02 0C 02 00 1C", "9000");
    exchange(card, "00 20 00 80 04 30303030", "63C2");
    assert_eq!(card.pin_counter(PinRef::Juki).unwrap().tries_left(), 2);
    assert_eq!(card.pin_counter(PinRef::Common).unwrap().tries_left(), 3);
    exchange(
        card,
        &format!("00 20 00 80 {}", lc_ascii(COMMON_PIN)),
        "9000",
    );
    exchange(card, "80 32 00 80 04 35353535", "9000");
    exchange(card, "00 20 00 80 04 35353535", "9000");
    assert_eq!(card.pin_counter(PinRef::Juki).unwrap().tries_left(), 3);
}

#[test]
fn juki_ap_on_a_my_number_card() {
    check_juki_ap(&mut my_number_card());
}

#[test]
fn juki_card_has_jpki_common_and_juki_aps_only() {
    let mut card = SimCard::new(juki_contents()).unwrap();
    assert_eq!(card.profile(), CardProfile::Juki);
    check_juki_ap(&mut card);
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 01 00",
        "9000",
    );
    assert_eq!(exchange(&mut card, "00 B2 01 0C 00", "9000").len(), 30);
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01",
        "9000",
    );
    // no 券面 APs
    for aid in [
        "D3 92 10 00 31 00 01 01 04 08",
        "D3 92 10 00 31 00 01 01 04 02",
    ] {
        exchange(&mut card, &format!("00 A4 04 0C 0A {aid}"), "6A82");
    }
}

#[test]
fn a_juki_card_refuses_the_visual_ap_and_verification_numbers() {
    let mut contents = juki_contents();
    contents.visual = Some(visual_contents());
    assert!(SimCard::new(contents).is_err());
    let mut contents = juki_contents();
    contents.verification = Some(verification_contents());
    assert!(SimCard::new(contents).is_err());
}
