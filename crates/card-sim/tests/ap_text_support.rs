//! 券面事項入力補助AP (card-map §1, §4): every row of the per-AP table that applies to it,
//! the access rules of its EFs and its keys `0011`–`0015`.

use card_sim::{ApKey, PinRef, SimCard};
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use test_support::cards::*;

/// SELECT 券面事項入力補助AP by DF name (card-map §4).
const SELECT_AP: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";

fn card() -> SimCard {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_AP, "9000");
    card
}

fn select(card: &mut SimCard, fid: &str) {
    exchange(card, &format!("00 A4 02 0C 02 {fid}"), "9000");
}

#[test]
fn free_efs_are_read_without_a_credential() {
    let mut card = card();
    let cv = read_sfi(&mut card, 0x04, "9000");
    assert_eq!(cv, text_records().cv_certificate[..256].to_vec());
    // 568 B in three reads: 256 + 256 + 56
    exchange(&mut card, "00 B0 01 00 00", "9000");
    assert_eq!(exchange(&mut card, "00 B0 02 00 00", "9000").len(), 56);
    assert_eq!(read_sfi(&mut card, 0x05, "9000"), text_records().basic_info);
    // 0008: 16 × FF, made by the card
    exchange_exact(
        &mut card,
        "00 B0 88 00 00",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 9000",
    );
}

#[test]
fn protected_efs_answer_6982_before_any_key() {
    let mut card = card();
    for sfi in [0x01, 0x02, 0x03, 0x06, 0x07] {
        read_sfi(&mut card, sfi, "6982");
    }
}

#[test]
fn number_a_opens_0001_not_0002() {
    let mut card = card();
    verify_sfi(&mut card, 0x14, MY_NUMBER, "9000");
    let ef = read_sfi(&mut card, 0x01, "9000");
    assert_eq!(ef, hx("FF 10 0C 313233343536373839303138 FF FF"));
    read_sfi(&mut card, 0x02, "6982");
    assert_eq!(
        read_sfi(&mut card, 0x03, "9000"),
        text_records().integrity[..256]
    );
    read_sfi(&mut card, 0x06, "9000");
    read_sfi(&mut card, 0x07, "9000");
}

#[test]
fn number_b_opens_0002_not_0001() {
    let mut card = card();
    verify_sfi(&mut card, 0x15, NUMBER_B, "9000");
    read_sfi(&mut card, 0x01, "6982");
    let facts = read_sfi(&mut card, 0x02, "9000");
    assert_eq!(&facts[..2], &[0xFF, 0x20]);
    read_sfi(&mut card, 0x03, "9000");
    read_sfi(&mut card, 0x06, "9000");
    read_sfi(&mut card, 0x07, "9000");
}

#[test]
fn the_pin_opens_both() {
    let mut card = card();
    verify_sfi(&mut card, 0x11, TEXT_PIN, "9000");
    read_sfi(&mut card, 0x01, "9000");
    read_sfi(&mut card, 0x02, "9000");
    read_sfi(&mut card, 0x03, "9000");
}

#[test]
fn a_and_b_count_their_own_tries() {
    let mut card = card();
    verify_sfi(&mut card, 0x14, "999999999999", "63C9");
    verify_sfi(&mut card, 0x15, "99999999999999", "63C9");
    verify_sfi(&mut card, 0x15, "99999999999999", "63C8");
    // empty VERIFY: tries left, none spent
    exchange(&mut card, "00 20 00 94", "63C9");
    exchange(&mut card, "00 20 00 95", "63C8");
    assert_eq!(
        card.pin_counter(PinRef::TextSupportA).unwrap().tries_left(),
        9
    );
    assert_eq!(
        card.pin_counter(PinRef::TextSupportB).unwrap().tries_left(),
        8
    );
    assert_eq!(card.pin_counter(PinRef::VisualB).unwrap().tries_left(), 10);
    assert_eq!(
        card.pin_counter(PinRef::TextSupport).unwrap().tries_left(),
        3
    );
    // a right value resets only its own counter
    verify_sfi(&mut card, 0x15, NUMBER_B, "9000");
    assert_eq!(
        card.pin_counter(PinRef::TextSupportB).unwrap().tries_left(),
        10
    );
    assert_eq!(
        card.pin_counter(PinRef::TextSupportA).unwrap().tries_left(),
        9
    );
    // a wrong length is a wrong try, not a format error
    verify_sfi(&mut card, 0x14, "1234", "63C8");
}

#[test]
fn key_0012_is_blocked_as_issued() {
    let mut card = card();
    select(&mut card, "00 12");
    exchange(&mut card, "00 20 00 80", "63C0");
    exchange(&mut card, "00 20 00 80 04 31323334", "6984");
    exchange(&mut card, "00 20 00 92", "63C0");
    let counter = card.pin_counter(PinRef::TextSupportBlocked).unwrap();
    assert_eq!(counter.tries_left(), 0);
}

#[test]
fn a_and_b_cannot_be_changed() {
    let mut card = card();
    select(&mut card, "00 14");
    verify_sfi(&mut card, 0x14, MY_NUMBER, "9000");
    exchange(
        &mut card,
        &format!("00 24 01 80 {}", lc_ascii("123456789018")),
        "6985",
    );
    exchange(&mut card, "80 32 00 80 04 31323334", "6985");
    // the PIN 0011 still changes (card-map §1)
    select(&mut card, "00 11");
    verify_sfi(&mut card, 0x11, TEXT_PIN, "9000");
    exchange(&mut card, "00 24 01 80 04 39393939", "9000");
    verify_sfi(&mut card, 0x11, "9999", "9000");
}

#[test]
fn own_key_signs_a_digest_info_without_a_credential() {
    let mut card = card();
    let hash = Sha256::digest(b"challenge");
    let mut digest_info = hx("3031300d060960864801650304020105000420");
    digest_info.extend_from_slice(&hash);
    let capdu = format!("80 2A 00 00 33 {} 00", hex::encode(&digest_info));
    let signature = exchange(&mut card, &capdu, "9000");
    assert_eq!(signature.len(), 256);
    let public = card.ap_public_key(ApKey::TextSupport).unwrap();
    public
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &signature)
        .unwrap();
    // deterministic
    assert_eq!(exchange(&mut card, &capdu, "9000"), signature);
    // another P1/P2
    exchange(
        &mut card,
        &format!("80 2A 00 80 33 {} 00", hex::encode(&digest_info)),
        "6A86",
    );
    exchange(&mut card, "80 2A 00 00 00", "6700");
}

#[test]
fn other_commands_answer_as_the_table_says() {
    let mut card = card();
    // READ RECORD on a binary EF 6981
    exchange(&mut card, "00 B2 01 0C 00", "6981");
    // INTERNAL AUTHENTICATE on the AP key 6985
    exchange(&mut card, "00 88 00 93 04 01020304 00", "6985");
    // READ BINARY of a key EF 6981
    select(&mut card, "00 13");
    exchange(&mut card, "00 B0 00 00 00", "6981");
    // no 0009
    exchange(&mut card, "00 A4 02 0C 02 00 09", "6A82");
}

#[test]
fn a_card_without_records_has_no_0003_to_0015() {
    let mut contents = my_number_contents();
    contents.text_support.as_mut().unwrap().records = None;
    contents.visual = None;
    contents.verification = None;
    let mut card = SimCard::new(contents).unwrap();
    exchange(&mut card, SELECT_AP, "9000");
    for fid in ["00 03", "00 08", "00 12", "00 13", "00 14", "00 15"] {
        exchange(&mut card, &format!("00 A4 02 0C 02 {fid}"), "6A82");
    }
    select(&mut card, "00 01");
    assert!(card.pin_counter(PinRef::TextSupportA).is_none());
    assert!(card.ap_public_key(ApKey::TextSupport).is_none());
    exchange(&mut card, "80 2A 00 00 01 00 00", "6A82");
}
