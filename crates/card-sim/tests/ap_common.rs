//! 共通カードAP (card-map §1, §6): record EFs `0001`/`0002`, INTERNAL AUTHENTICATE with key
//! `0019`, PIN `001C` and CHANGE KEY.

use card_sim::{ApKey, PinRef, SimCard};
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use test_support::cards::*;

/// SELECT 共通カードAP by DF name (card-map §6).
const SELECT_AP: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 01 00";

fn card() -> SimCard {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_AP, "9000");
    card
}

#[test]
fn record_one_of_0001_is_serial_municipality_expiry() {
    let mut card = card();
    // by SFI without SELECT (MY unknown.rs)
    let record = exchange(&mut card, "00 B2 01 0C 00", "9000");
    let mut expected = hx("01 1C");
    expected.extend_from_slice(b"400000012719843" as &[u8]);
    expected.extend_from_slice(b"13101");
    expected.extend_from_slice(b"20350101");
    assert_eq!(record, expected);
    // the current EF: P2 04; P2 05 = record 1 to the last
    assert_eq!(exchange(&mut card, "00 B2 01 04 00", "9000"), expected);
    assert_eq!(exchange(&mut card, "00 B2 01 05 00", "9000"), expected);
    // no record 2
    exchange(&mut card, "00 B2 02 04 00", "6A83");
    exchange(&mut card, "00 B2 02 0C 00", "6A83");
    // a short Le: the first bytes
    exchange_exact(&mut card, "00 B2 01 04 02", "011C 9000");
}

#[test]
fn record_one_of_0002_is_the_key_reference() {
    let mut card = card();
    let mut expected = hx("01 10");
    expected.extend_from_slice(&KEY_REFERENCE);
    assert_eq!(exchange(&mut card, "00 B2 01 14 00", "9000"), expected);
    exchange(&mut card, "00 A4 02 0C 02 00 02", "9000");
    assert_eq!(exchange(&mut card, "00 B2 01 04 00", "9000"), expected);
}

#[test]
fn read_binary_is_6981_here_and_read_record_errors() {
    let mut card = card();
    exchange(&mut card, "00 B0 81 00 00", "6981");
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    exchange(&mut card, "00 B0 00 00 00", "6981");
    // READ RECORD of a PIN EF and of the key EF: 6981
    exchange(&mut card, "00 B2 01 E4 00", "6981");
    exchange(&mut card, "00 B2 01 CC 00", "6981");
    // no such EF; no Le
    exchange(&mut card, "00 B2 01 1C 00", "6A82");
    exchange(&mut card, "00 B2 01 0C", "6700");
}

#[test]
fn internal_authenticate_signs_the_sha256_digest_info_of_the_challenge() {
    let mut card = card();
    let challenge = hx("0102030405060708");
    let signature = exchange(&mut card, "00 88 00 99 08 0102030405060708 00", "9000");
    assert_eq!(signature.len(), 256);
    card.ap_public_key(ApKey::InternalAuthentication)
        .unwrap()
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(&challenge),
            &signature,
        )
        .unwrap();
    // deterministic, no PIN; the current EF form
    exchange(&mut card, "00 A4 02 0C 02 00 19", "9000");
    assert_eq!(
        exchange(&mut card, "00 88 00 80 08 0102030405060708 00", "9000"),
        signature
    );
    exchange(&mut card, "00 88 00 80 00", "6700");
    exchange(&mut card, "00 88 01 99 08 0102030405060708 00", "6A86");
    // READ BINARY of the key 6981
    exchange(&mut card, "00 B0 00 00 00", "6981");
}

#[test]
fn internal_authenticate_on_jpki_keys_is_6982() {
    let mut card = my_number_card();
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01",
        "9000",
    );
    exchange(&mut card, "00 88 00 97 04 01020304 00", "6982");
    exchange(&mut card, "00 88 00 9A 04 01020304 00", "6982");
    // a PIN EF 6981
    exchange(&mut card, "00 88 00 98 04 01020304 00", "6981");
}

#[test]
fn pin_001c_verifies_and_changes_by_change_key() {
    let mut card = card();
    exchange(&mut card, "00 20 00 9C", "63C3");
    exchange(&mut card, "00 A4 02 0C 02 00 1C", "9000");
    // CHANGE KEY before VERIFY 6982
    exchange(&mut card, "80 32 00 80 04 31313131", "6982");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(COMMON_PIN)),
        "9000",
    );
    // CHANGE REFERENCE DATA is not how 001C changes
    exchange(&mut card, "00 24 01 80 04 31313131", "6985");
    // a bad new value 6A80, a wrong P1P2 6A86
    exchange(&mut card, "80 32 00 80 03 313131", "6A80");
    exchange(&mut card, "80 32 01 80 04 31313131", "6A86");
    exchange(&mut card, "80 32 00 80 04 31313131", "9000");
    exchange(&mut card, "00 20 00 80 04 31313131", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(COMMON_PIN)),
        "63C2",
    );
    assert_eq!(card.pin_counter(PinRef::Common).unwrap().tries_left(), 2);
    // the 住基AP's 001C is another key with its own counter and value
    assert_eq!(card.pin_counter(PinRef::Juki).unwrap().tries_left(), 3);
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 01",
        "9000",
    );
    exchange(
        &mut card,
        &format!("00 20 00 9C {}", lc_ascii(COMMON_PIN)),
        "9000",
    );
}

#[test]
fn compute_digital_signature_is_6985_here() {
    let mut card = card();
    exchange(&mut card, "80 2A 00 00 01 00 00", "6985");
    exchange(&mut card, "80 2A 00 99 01 00 00", "6985");
}

#[test]
fn a_card_without_the_common_ap_content_has_neither_ap() {
    // a card file from before the whole card: 共通カードAP and 住基AP answer SELECT 6A82
    let mut contents = my_number_contents();
    contents.common = None;
    let mut card = SimCard::new(contents).unwrap();
    exchange(&mut card, SELECT_AP, "6A82");
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 01",
        "6A82",
    );
    // no AP current: READ RECORD by SFI has no EF to name
    exchange(&mut card, "00 B2 01 0C 00", "6A82");
    assert!(card.pin_counter(PinRef::Common).is_none());
    assert!(card.pin_counter(PinRef::Juki).is_none());
}
