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
    for tag in ["00 42", "00 66", "12 34"] {
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn the_j_lis_chain_objects_answer_as_issued() {
    let mut card = my_number_card();
    let mf = mf_objects();
    // card-map §2: 00F7 the 16-byte 証明者鍵ID of the intermediate
    exchange_exact(
        &mut card,
        "00 CA 00 F7 00",
        &format!("{} 9000", hex(&MF_ISSUER_KEY_ID)),
    );
    exchange_exact(
        &mut card,
        "00 CA 00 F7 10",
        &format!("{} 9000", hex(&MF_ISSUER_KEY_ID)),
    );
    // 00F8 (563 B) and 7F21 (568 B) need an extended Le (card-map §1: a large object with a
    // short Le 6700)
    exchange_exact(
        &mut card,
        "00 CA 00 F8 00 00 00",
        &format!("{} 9000", hex(&mf.root_certificate)),
    );
    exchange_exact(
        &mut card,
        "00 CA 7F 21 00 02 38",
        &format!("{} 9000", hex(&mf.card_certificate)),
    );
    exchange(&mut card, "00 CA 7F 21 00", "6700");
    exchange(&mut card, "00 CA 00 F8 00 02 32", "6700");
    exchange(&mut card, "00 CA 00 F7 0F", "6700");
    // also with an AP current
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange_exact(
        &mut card,
        "00 CA 7F 21 00 00 00",
        &format!("{} 9000", hex(&mf.card_certificate)),
    );
}

#[test]
fn a_card_issued_without_the_chain_answers_6a88() {
    let mut contents = my_number_contents();
    if let Some(common) = contents.common.as_mut() {
        common.mf_objects = None;
    }
    let mut card = card_sim::SimCard::new(contents).unwrap();
    for tag in ["00 F7", "00 F8", "7F 21"] {
        exchange(&mut card, &format!("00 CA {tag} 00 00 00"), "6A88");
    }
    exchange_exact(&mut card, "00 CA 00 F0 00", "3133313031 9000");
}

#[test]
fn an_empty_chain_certificate_is_refused_at_issuance() {
    let mut contents = my_number_contents();
    if let Some(common) = contents.common.as_mut() {
        common.mf_objects = Some(card_sim::MfObjects {
            root_certificate: Vec::new(),
            ..mf_objects()
        });
    }
    assert!(card_sim::SimCard::new(contents).is_err());
}

#[test]
fn the_chain_objects_survive_the_card_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card.bin");
    card_sim::SimCard::create(&path, my_number_contents()).unwrap();
    let mut card = card_sim::SimCard::open(&path).unwrap();
    exchange_exact(
        &mut card,
        "00 CA 7F 21 00 00 00",
        &format!("{} 9000", hex(&mf_objects().card_certificate)),
    );
}
