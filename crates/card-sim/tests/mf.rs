//! The MF level (card-map §2): GET DATA objects.

use test_support::cards::*;

#[test]
fn municipality_expiry_and_atr_objects() {
    let mut card = my_number_card();
    // 00F0: 5 ASCII digits; 00F2: YYYYMMDD
    exchange_exact(&mut card, "00 CA 00 F0 00", "3133313031 9000");
    exchange_exact(&mut card, "00 CA 00 F2 00", "3230333530313031 9000");
    // 5F51: the contact ATR without TS (MC's test vector)
    exchange_exact(&mut card, "00 CA 5F 51 00", "E000FF8131FE4514 9000");
    // also with an AP current
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01",
        "9000",
    );
    exchange_exact(&mut card, "00 CA 5F 51 00", "E000FF8131FE4514 9000");
    exchange_exact(&mut card, "00 CA 00 F0 05", "3133313031 9000");
}

#[test]
fn other_objects_answer_6a88_and_a_short_le_6700() {
    let mut card = my_number_card();
    for tag in ["00 42", "00 66", "00 F7", "00 F8", "7F 21", "12 34"] {
        exchange(&mut card, &format!("00 CA {tag} 00"), "6A88");
    }
    exchange(&mut card, "00 CA 00 F2 04", "6700");
    // 0045 is the card ID of an administered card only (kept for the admin channel)
    exchange(&mut card, "00 CA 00 45 00", "6A88");
}

#[test]
fn a_card_without_the_common_content_has_no_municipality() {
    let mut contents = my_number_contents();
    contents.common = None;
    let mut card = card_sim::SimCard::new(contents).unwrap();
    exchange(&mut card, "00 CA 00 F0 00", "6A88");
    exchange_exact(&mut card, "00 CA 5F 51 00", "E000FF8131FE4514 9000");
}
