//! 券面事項確認AP (card-map §1, §5): its EFs, their access rules, keys `0011`–`0013` and the
//! AP's own signing key.

use card_sim::{ApKey, PinRef, SimCard};
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use test_support::cards::*;

/// SELECT 券面事項確認AP by DF name (card-map §5).
const SELECT_AP: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02";

fn card() -> SimCard {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_AP, "9000");
    card
}

#[test]
fn basic_info_and_cv_certificate_are_free() {
    let mut card = card();
    assert_eq!(
        read_sfi(&mut card, 0x03, "9000"),
        visual_contents().basic_info[..256]
    );
    assert_eq!(
        read_sfi(&mut card, 0x04, "9000"),
        visual_contents().cv_certificate[..256]
    );
    for sfi in [0x01, 0x02, 0x05, 0x06] {
        read_sfi(&mut card, sfi, "6982");
    }
}

#[test]
fn birth_date_opens_the_age_record_only() {
    let mut card = card();
    verify_sfi(&mut card, 0x11, BIRTH_KEY, "9000");
    assert_eq!(
        read_sfi(&mut card, 0x01, "9000"),
        visual_contents().age_record[..256]
    );
    read_sfi(&mut card, 0x02, "6982");
    read_sfi(&mut card, 0x05, "6982");
    read_sfi(&mut card, 0x06, "6982");
}

#[test]
fn number_b_opens_the_face_not_the_my_number_image() {
    let mut card = card();
    verify_sfi(&mut card, 0x12, NUMBER_B, "9000");
    assert_eq!(
        read_sfi(&mut card, 0x02, "9000"),
        visual_contents().card_face[..256]
    );
    exchange_exact(
        &mut card,
        "00 B0 86 00 00",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 9000",
    );
    read_sfi(&mut card, 0x05, "6982");
    read_sfi(&mut card, 0x01, "6982");
}

#[test]
fn number_a_opens_the_face_and_the_my_number_image() {
    let mut card = card();
    verify_sfi(&mut card, 0x13, MY_NUMBER, "9000");
    read_sfi(&mut card, 0x02, "9000");
    assert_eq!(
        read_sfi(&mut card, 0x05, "9000"),
        visual_contents().my_number_image[..256]
    );
    read_sfi(&mut card, 0x06, "9000");
    read_sfi(&mut card, 0x01, "6982");
}

#[test]
fn the_text_support_pin_opens_nothing_here() {
    let mut card = my_number_card();
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08",
        "9000",
    );
    verify_sfi(&mut card, 0x11, TEXT_PIN, "9000");
    exchange(&mut card, SELECT_AP, "9000");
    read_sfi(&mut card, 0x02, "6982");
}

#[test]
fn each_key_counts_its_own_tries() {
    let mut card = card();
    verify_sfi(&mut card, 0x11, "999999", "63C9");
    verify_sfi(&mut card, 0x12, "99999999999999", "63C9");
    verify_sfi(&mut card, 0x13, "999999999999", "63C9");
    verify_sfi(&mut card, 0x13, "999999999999", "63C8");
    assert_eq!(
        card.pin_counter(PinRef::VisualBirthDate)
            .unwrap()
            .tries_left(),
        9
    );
    assert_eq!(card.pin_counter(PinRef::VisualB).unwrap().tries_left(), 9);
    assert_eq!(card.pin_counter(PinRef::VisualA).unwrap().tries_left(), 8);
    assert_eq!(
        card.pin_counter(PinRef::TextSupportA).unwrap().tries_left(),
        10
    );
    exchange(&mut card, "00 20 00 93", "63C8");
    // exhausting a key: 63C0, then 6984
    for left in (0..8).rev() {
        verify_sfi(&mut card, 0x13, "999999999999", &format!("63C{left:X}"));
    }
    verify_sfi(&mut card, 0x13, MY_NUMBER, "6984");
    exchange(&mut card, "00 20 00 93", "63C0");
}

#[test]
fn no_key_of_this_ap_can_be_changed() {
    let mut card = card();
    exchange(&mut card, "00 A4 02 0C 02 00 11", "9000");
    verify_sfi(&mut card, 0x11, BIRTH_KEY, "9000");
    exchange(&mut card, "00 24 01 80 06 303130313031", "6985");
    exchange(&mut card, "80 32 00 80 06 303130313031", "6985");
}

#[test]
fn own_key_signs_without_a_credential_and_internal_authenticate_is_refused() {
    let mut card = card();
    let hash = Sha256::digest(b"visual challenge");
    let mut digest_info = hx("3031300d060960864801650304020105000420");
    digest_info.extend_from_slice(&hash);
    let signature = exchange(
        &mut card,
        &format!("80 2A 00 00 33 {} 00", hex::encode(&digest_info)),
        "9000",
    );
    card.ap_public_key(ApKey::Visual)
        .unwrap()
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &signature)
        .unwrap();
    // a different key from the text-support AP's
    assert_ne!(
        card.ap_public_key(ApKey::Visual),
        card.ap_public_key(ApKey::TextSupport)
    );
    exchange(&mut card, "00 88 00 9A 04 01020304 00", "6985");
    exchange(&mut card, "00 B2 01 0C 00", "6981");
}

#[test]
fn a_juki_card_has_no_visual_ap() {
    let mut card = SimCard::new(juki_contents()).unwrap();
    exchange(&mut card, SELECT_AP, "6A82");
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08",
        "6A82",
    );
}

#[test]
fn a_facts_change_replaces_the_face_records_and_b_keeping_the_counters() {
    use card_sim::FaceUpdate;
    use pin_policy::{Pin, PinKind};
    let mut card = card();
    verify_sfi(&mut card, 0x12, "99999999999999", "63C9");
    let new_b = "03020220352285";
    card.replace_signature(
        key(2).key.clone(),
        key(2).cert.clone(),
        key(4).cert.clone(),
        facts(),
        Some(FaceUpdate {
            integrity: vec![0xFF, 0x30, 0x01, 0x00],
            age_record: vec![0xFF, 0x10, 0x01, 0x00],
            card_face: vec![0xFF, 0x20, 0x01, 0x00],
            number_b: Pin::new(PinKind::VerificationB, new_b.as_bytes()).unwrap(),
            birth_date: Pin::new(PinKind::BirthDate, b"030202").unwrap(),
        }),
    )
    .unwrap();
    // the counter kept, the old B refused, the new B and birth date opening the new records
    assert_eq!(card.pin_counter(PinRef::VisualB).unwrap().tries_left(), 9);
    exchange(&mut card, SELECT_AP, "9000");
    verify_sfi(&mut card, 0x12, NUMBER_B, "63C8");
    verify_sfi(&mut card, 0x12, new_b, "9000");
    exchange_exact(&mut card, "00 B0 82 00 00", "FF200100 9000");
    verify_sfi(&mut card, 0x11, "030202", "9000");
    exchange_exact(&mut card, "00 B0 81 00 00", "FF100100 9000");
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08",
        "9000",
    );
    verify_sfi(&mut card, 0x15, new_b, "9000");
    exchange_exact(&mut card, "00 B0 83 00 00", "FF300100 9000");
    assert_eq!(card.security_code(), Some(SECURITY_CODE));
}
