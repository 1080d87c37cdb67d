//! Scripted APDU exchanges (hex in, expected hex out) for every row of spec §2–§6.
//!
//! (One piece, over 400 lines: one script per spec row, and the rows read best in the spec's
//! order.)

use test_support::cards;

use cards::*;
use rsa::{Pkcs1v15Sign, traits::PublicKeyParts};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------- §2 identity

#[test]
fn atr_is_the_one_in_openscs_table_with_a_correct_tck() {
    let mut card = my_number_card();
    let atr = card.power_on().to_vec();
    assert_eq!(atr, hx("3B E0 00 FF 81 31 FE 45 14"));
    assert_eq!(card.atr(), card_sim::ATR);
    // TCK: XOR of T0..TCK is zero.
    assert_eq!(atr[1..].iter().fold(0u8, |a, b| a ^ b), 0);
    assert_eq!(card.reset(), &atr[..]);
}

#[test]
fn unknown_aids_answer_6a82_so_no_other_driver_claims_the_card() {
    let mut card = my_number_card();
    // PIV, OpenPGP, a coolkey-like AID, with P2 00 and 0C; an empty AID.
    exchange(
        &mut card,
        "00 A4 04 00 09 A0 00 00 03 08 00 00 10 00 00",
        "6A82",
    );
    exchange(&mut card, "00 A4 04 00 06 D2 76 00 01 24 01 00", "6A82");
    exchange(&mut card, "00 A4 04 0C 07 62 76 01 FF 00 00 00", "6A82");
    // the JPKI AID with another last byte (a proper prefix would select JPKI: card-map §1)
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 02",
        "6A82",
    );
    exchange(&mut card, "00 A4 04 0C", "6A82");
}

#[test]
fn unknown_instructions_answer_6d00() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    for capdu in [
        "00 CB 3F FF 00", // GET DATA odd INS (PIV probe)
        "00 C0 00 00 00", // GET RESPONSE
        "00 44 00 00",    // ACTIVATE FILE
        "00 B1 00 00 04", // READ BINARY odd INS
        "00 D6 00 00 01 00",
        "80 50 00 00 08 00 00 00 00 00 00 00 00",
    ] {
        exchange(&mut card, capdu, "6D00");
    }
    // INTERNAL AUTHENTICATE is a command of the card now (card-map §1): P2 00 names no key
    exchange(&mut card, "00 88 00 00 08 01 02 03 04 05 06 07 08", "6A86");
}

/// Card-map §1: secure messaging `08`/`0C` answers SELECT `6882` and the rest `69FC`; every
/// other class but `00`/`80` (channels, chaining, …) `6E00` (our choice). More in
/// tests/command_surface.rs.
#[test]
fn class_bytes_with_secure_messaging_channels_or_chaining_are_refused() {
    let mut card = my_number_card();
    exchange(
        &mut card,
        "0C A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01",
        "6882",
    );
    exchange(&mut card, "08 B0 00 00 04", "69FC");
    for cla in ["01", "10", "E0", "FF", "40"] {
        exchange(
            &mut card,
            &format!("{cla} A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
            "6E00",
        );
    }
}

#[test]
fn malformed_apdus_answer_6700() {
    let mut card = my_number_card();
    for capdu in [
        "",
        "00",
        "00 A4 04",
        "00 A4 04 0C 0A D3 92",
        "00 B0 00 00 00 01",
    ] {
        exchange(&mut card, capdu, "6700");
    }
}

// ---------------------------------------------------------------- §3 applications

#[test]
fn every_application_of_a_my_number_card_selects_with_9000_and_no_data() {
    let mut card = my_number_card();
    for aid in [
        "D3 92 F0 00 26 01 00 00 00 01",
        "D3 92 10 00 31 00 01 01 04 08",
        "D3 92 10 00 31 00 01 01 04 02",
        "D3 92 10 00 31 00 01 01 01 00",
        "D3 92 10 00 31 00 01 01 04 01",
    ] {
        exchange_exact(&mut card, &format!("00 A4 04 0C 0A {aid}"), "9000");
    }
}

/// Card-map §1: P2 `00` and `04` answer like `0C` (tests/command_surface.rs); other P2 and
/// P1 `6A86`; `3F00` by FID `6A82`.
#[test]
fn select_by_aid_with_another_p2_answers_6a86() {
    let mut card = my_number_card();
    exchange(
        &mut card,
        "00 A4 04 02 0A D3 92 F0 00 26 01 00 00 00 01",
        "6A86",
    );
    exchange(
        &mut card,
        "00 A4 04 08 0A D3 92 F0 00 26 01 00 00 00 01",
        "6A86",
    );
    exchange(&mut card, "00 A4 08 0C 02 00 0A", "6A86");
    exchange(&mut card, "00 A4 00 00 02 3F 00", "6A82");
}

#[test]
fn juki_card_has_no_my_number_applications() {
    let mut card = card_sim::SimCard::new(juki_contents()).unwrap();
    exchange(&mut card, SELECT_TEXT, "6A82");
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02",
        "6A82",
    );
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 01",
        "9000",
    );
    exchange(&mut card, SELECT_JPKI, "9000");
    // token info `JPKIAPICCTOKEN` padded to 32, availability: signature only
    exchange(&mut card, "00 A4 02 0C 02 00 06", "9000");
    let token = exchange(&mut card, "00 B0 00 00 00", "9000");
    assert_eq!(&token[..32], b"JPKIAPICCTOKEN                  ");
    // the rest of the layout is the My Number card's, with the serial of this card
    assert_eq!(
        token,
        token_info("JPKIAPICCTOKEN", &token_serial(&key(5).cert))
    );
    exchange(&mut card, "00 A4 02 0C 02 00 08", "9000");
    exchange_exact(&mut card, "00 B0 00 00 03", "8F 00 00 9000");
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "6A82");
    exchange(&mut card, "00 A4 02 0C 02 00 17", "6A82");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "6A82");
    // the Juki PIN guards the signature key
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange(&mut card, "00 20 00 80", "63C5");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(JUKI_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    let cert = read_all(&mut card);
    assert_eq!(cert, key(5).cert);
}

// ---------------------------------------------------------------- §4 file map

/// Reads the selected EF like OpenSC: 4-byte header, then 256-byte chunks, then the rest.
fn read_all(card: &mut card_sim::SimCard) -> Vec<u8> {
    let head = exchange(card, "00 B0 00 00 04", "9000");
    assert_eq!(&head[..2], &[0x30, 0x82]);
    let total = 4 + usize::from(u16::from_be_bytes([head[2], head[3]]));
    let mut out = head;
    while out.len() < total {
        let left = total - out.len();
        let le = if left >= 256 { 0 } else { left };
        let chunk = exchange(card, &format!("00 B0 {:04X} {:02X}", out.len(), le), "9000");
        assert_eq!(chunk.len(), left.min(256));
        out.extend(chunk);
    }
    out
}

#[test]
fn free_certificate_files_read_without_a_pin() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    for (fid, expected) in [
        ("00 0A", &key(1).cert),
        ("00 0B", &key(3).cert),
        ("00 02", &key(4).cert),
    ] {
        exchange_exact(&mut card, &format!("00 A4 02 0C 02 {fid}"), "9000");
        assert_eq!(&read_all(&mut card), expected, "EF {fid}");
    }
}

#[test]
fn signature_certificate_needs_the_signature_pin() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    exchange_exact(&mut card, "00 B0 00 00 04", "6982");
    // the authentication PIN does not open it
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    exchange_exact(&mut card, "00 B0 00 00 04", "6982");
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    assert_eq!(read_all(&mut card), key(2).cert);
}

/// EF 0006 as card-map §3 lays it out: PKCS#11 `CK_TOKEN_INFO`, 4-byte big-endian ULONGs.
fn token_info(label: &str, serial: &str) -> Vec<u8> {
    let text = |s: &str, len: usize| format!("{s:<len$}").into_bytes();
    let mut out = text(label, 32);
    out.extend(b"00000000000000000000000000000001"); // manufacturerID
    out.extend(text("E16R01NJ", 16)); // model
    out.extend(serial.as_bytes()); // serialNumber
    out.extend(hx("00 00 04 0D")); // flags: RNG, LOGIN_REQUIRED, USER_PIN_INITIALIZED, TOKEN_INITIALIZED
    out.extend(hx("00000001 00000000 00000001 00000000")); // sessions 1, 0, 1, 0
    out.extend(hx("00000010 00000006")); // max / min PIN length 16, 6
    out.extend([0xFF; 16]); // memory, unknown ×4
    out.extend(b"0301"); // hardware, firmware version as ASCII
    out.extend(b"9999999999999999"); // utcTime
    assert_eq!(out.len(), 160);
    out
}

/// card-sim's choice of serialNumber: SHA-256 of a label and the card's identity (for a card
/// built from bare contents, its signature certificate), first 8 bytes mod 10^16, 16 digits.
fn token_serial(identity: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"card-sim token serial\0")
        .chain_update(identity)
        .finalize();
    let n = u64::from_be_bytes(digest[..8].try_into().unwrap()) % 10_000_000_000_000_000;
    format!("{n:016}")
}

#[test]
fn token_info_is_the_160_bytes_of_ck_token_info() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 06", "9000");
    let expected = token_info("JPKIAPICCTOKEN2", &token_serial(&key(2).cert));
    exchange_exact(
        &mut card,
        "00 B0 00 00 00",
        &format!("{} 9000", hex::encode_upper(&expected)),
    );
    exchange_exact(
        &mut card,
        "00 B0 00 00 11",
        "4A 50 4B 49 41 50 49 43 43 54 4F 4B 45 4E 32 20 20 9000",
    );
    // flags to the PIN bounds, by offset
    exchange_exact(
        &mut card,
        "00 B0 00 60 1C",
        "0000040D 00000001 00000000 00000001 00000000 00000010 00000006 9000",
    );
    exchange(&mut card, "00 B0 00 A0 01", "6B00");
}

#[test]
fn token_serials_differ_between_cards_and_stay_with_a_card() {
    let read_serial = |card: &mut card_sim::SimCard| {
        exchange(card, SELECT_JPKI, "9000");
        exchange(card, "00 A4 02 0C 02 00 06", "9000");
        exchange(card, "00 B0 00 50 10", "9000")
    };
    let mut first = my_number_card();
    let serial = read_serial(&mut first);
    assert!(serial.iter().all(u8::is_ascii_digit), "{serial:?}");
    first.reset();
    assert_eq!(read_serial(&mut first), serial);
    assert_eq!(read_serial(&mut my_number_card()), serial);
    // another card (here: without a signature key, so its authentication certificate)
    let other = read_serial(&mut auth_only_card());
    assert_ne!(other, serial);
    assert_eq!(other, token_serial(&key(1).cert).into_bytes());
}

#[test]
fn availability_says_which_certificates_the_card_holds() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 08", "9000");
    exchange_exact(&mut card, "00 B0 00 00 03", "8F 8F 00 9000");
    exchange_exact(&mut card, "00 B0 00 00 00", "8F 8F 00 9000");

    let mut card = auth_only_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 08", "9000");
    exchange_exact(&mut card, "00 B0 00 00 03", "00 8F 00 9000");
}

#[test]
fn card_without_signature_certificate_has_no_signature_files() {
    let mut card = auth_only_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    for fid in ["00 01", "00 02", "00 1A", "00 1B"] {
        exchange_exact(&mut card, &format!("00 A4 02 0C 02 {fid}"), "6A82");
    }
    for fid in ["00 0A", "00 0B", "00 06", "00 08", "00 17", "00 18"] {
        exchange_exact(&mut card, &format!("00 A4 02 0C 02 {fid}"), "9000");
    }
}

#[test]
fn keys_and_pins_are_not_readable() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    for fid in ["00 17", "00 18", "00 1A", "00 1B"] {
        exchange(&mut card, &format!("00 A4 02 0C 02 {fid}"), "9000");
        exchange_exact(&mut card, "00 B0 00 00 04", "6981");
    }
}

#[test]
fn select_ef_errors() {
    let mut card = my_number_card();
    // no application selected yet
    exchange_exact(&mut card, "00 A4 02 0C 02 00 0A", "6A82");
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange_exact(&mut card, "00 A4 02 0C 02 00 99", "6A82");
    exchange_exact(&mut card, "00 A4 02 0C 02 00 11", "6A82"); // text-support EF, wrong AP
    exchange_exact(&mut card, "00 A4 02 0C 01 0A", "6700");
    exchange_exact(&mut card, "00 A4 02 0C 03 00 0A 00", "6700");
    exchange_exact(&mut card, "00 A4 02 02 02 00 0A", "6A86");
    exchange_exact(&mut card, "00 A4 01 0C 02 00 0A", "6A86");
    // a failed SELECT leaves the current EF as it was
    exchange(&mut card, "00 A4 02 0C 02 00 08", "9000");
    exchange_exact(&mut card, "00 A4 02 0C 02 00 99", "6A82");
    exchange_exact(&mut card, "00 B0 00 00 03", "8F 8F 00 9000");
    // an application without simulated files
    exchange(
        &mut card,
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02",
        "9000",
    );
    exchange_exact(&mut card, "00 A4 02 0C 02 00 0A", "6A82");
}

// ---------------------------------------------------------------- §5 READ BINARY

#[test]
fn read_binary_serves_any_offset_and_the_remainder_near_the_end() {
    let mut card = my_number_card();
    let cert = key(1).cert.clone();
    let len = cert.len();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    // 7-byte header read, then from offset 7 (spec §9)
    assert_eq!(exchange(&mut card, "00 B0 00 00 07", "9000"), cert[..7]);
    assert_eq!(exchange(&mut card, "00 B0 00 07 00", "9000"), cert[7..263]);
    // near the end: the remaining bytes and 9000 in one response
    let off = len - 10;
    assert_eq!(
        exchange(&mut card, &format!("00 B0 {off:04X} 00"), "9000"),
        cert[off..]
    );
    assert_eq!(
        exchange(&mut card, &format!("00 B0 {:04X} 01", len - 1), "9000"),
        cert[len - 1..]
    );
    // at and past the end
    exchange_exact(&mut card, &format!("00 B0 {len:04X} 01"), "6B00");
    exchange_exact(&mut card, "00 B0 7F FF 01", "6B00");
    // an extended Le is honoured
    assert_eq!(exchange(&mut card, "00 B0 00 00 00 00 00", "9000"), cert);
}

#[test]
fn read_binary_errors() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange_exact(&mut card, "00 B0 00 00 04", "6986"); // no current EF
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    exchange_exact(&mut card, "00 B0 80 00 04", "6A86"); // short EF id
    exchange_exact(&mut card, "00 B0 00 00", "6700"); // no Le
    exchange_exact(&mut card, "00 B0 00 00 01 00 04", "6700"); // command data
    // re-SELECT of the application: no current EF
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange_exact(&mut card, "00 B0 00 00 04", "6986");
}

#[test]
fn read_binary_by_sfi_reads_that_ef_and_makes_it_current() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    let cert = card
        .certificate(card_sim::KeyRole::Authentication)
        .unwrap()
        .to_vec();
    // 00 B0 8A 00 00 reads 000A from offset 0 with no SELECT (card-map §1)
    assert_eq!(
        exchange(&mut card, "00 B0 8A 00 00", "9000"),
        cert[..256].to_vec()
    );
    // P2 is an 8-bit offset
    assert_eq!(
        exchange(&mut card, "00 B0 8A 10 04", "9000"),
        cert[0x10..0x14].to_vec()
    );
    // 000A is now current: a plain READ BINARY continues in it
    assert_eq!(
        exchange(&mut card, "00 B0 01 00 04", "9000"),
        cert[0x100..0x104].to_vec()
    );
    // EF 0008 by SFI 08, EF 0006 by SFI 06
    assert_eq!(
        exchange(&mut card, "00 B0 88 00 00", "9000"),
        hx("8F 8F 00")
    );
    assert_eq!(exchange(&mut card, "00 B0 86 00 00", "9000").len(), 160);
    exchange_exact(&mut card, "00 B0 88 03 01", "6B00"); // offset at the end
    // access rules as by FID: 0001 needs the signature PIN; it still becomes current
    exchange_exact(&mut card, "00 B0 81 00 04", "6982");
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    let sign_cert = card
        .certificate(card_sim::KeyRole::Signature)
        .unwrap()
        .to_vec();
    assert_eq!(
        exchange(&mut card, "00 B0 81 00 08", "9000"),
        sign_cert[..8].to_vec()
    );
    // keys and PINs: 6981; absent EF: 6A82; SFI 00, 1F, P1 bits 7-6: 6A86
    exchange_exact(&mut card, "00 B0 97 00 04", "6981");
    exchange_exact(&mut card, "00 B0 98 00 04", "6981");
    exchange_exact(&mut card, "00 B0 83 00 04", "6A82");
    exchange_exact(&mut card, "00 B0 9E 00 04", "6A82");
    exchange_exact(&mut card, "00 B0 80 00 04", "6A86");
    exchange_exact(&mut card, "00 B0 9F 00 04", "6A86");
    exchange_exact(&mut card, "00 B0 C1 00 04", "6A86");
    exchange_exact(&mut card, "00 B0 A1 00 04", "6A86");
    exchange_exact(&mut card, "00 B0 8A 00", "6700"); // no Le
    // in the text-support AP, SFI 01 is the My Number, behind PIN 0011
    exchange(&mut card, SELECT_TEXT, "9000");
    exchange_exact(&mut card, "00 B0 81 00 00", "6982");
    // without an application nothing is found
    card.reset();
    exchange_exact(&mut card, "00 B0 8A 00 00", "6A82");
}

// ---------------------------------------------------------------- §5 VERIFY

#[test]
fn verify_by_sfi_runs_the_same_counter_without_select() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    // no current EF: the SFI names the PIN
    exchange_exact(&mut card, "00 20 00 98", "63C3");
    exchange_exact(&mut card, "00 20 00 98 04 30 30 30 30", "63C2");
    assert_eq!(auth_tries(&card), 2);
    exchange_exact(&mut card, "00 20 00 98", "63C2");
    // still no current EF: VERIFY of the current EF answers 6986
    exchange_exact(&mut card, "00 20 00 80 04 31 32 33 34", "6986");
    exchange_exact(
        &mut card,
        &format!("00 20 00 98 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    assert_eq!(auth_tries(&card), 3);
    // verified: the authentication key signs, by SFI
    let data = "20 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";
    assert_eq!(
        exchange(&mut card, &format!("80 2A 00 97 {data} 00"), "9000").len(),
        256
    );
    // the signature PIN by SFI 1B, with 000A current (which stays current)
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    exchange_exact(&mut card, "00 20 00 9B", "63C5");
    exchange_exact(
        &mut card,
        &format!("00 20 00 9B {}", lc_ascii("WRONG1")),
        "63C4",
    );
    exchange_exact(
        &mut card,
        &format!("00 20 00 9B {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    exchange(&mut card, "00 B0 00 00 04", "9000");
    // a wrong PIN by SFI drops the verified state, as by the current EF
    exchange_exact(&mut card, "00 20 00 98 04 39 39 39 39", "63C2");
    exchange_exact(&mut card, &format!("80 2A 00 97 {data} 00"), "6982");
    // SFI of a data EF or a key: 6981; absent: 6A82; none of them counted
    for p2 in ["8A", "81", "86", "97", "9A"] {
        exchange_exact(&mut card, &format!("00 20 00 {p2} 04 31 32 33 34"), "6981");
    }
    exchange_exact(&mut card, "00 20 00 83 04 31 32 33 34", "6A82");
    exchange_exact(&mut card, "00 20 00 98", "63C2");
    // blocking runs to 6984 by SFI too
    exchange_exact(&mut card, "00 20 00 98 04 39 39 39 39", "63C1");
    exchange_exact(&mut card, "00 20 00 98 04 39 39 39 39", "63C0");
    exchange_exact(
        &mut card,
        &format!("00 20 00 98 {}", lc_ascii(AUTH_PIN)),
        "6984",
    );
    // in the text-support AP, SFI 11 is its PIN
    exchange(&mut card, SELECT_TEXT, "9000");
    exchange_exact(
        &mut card,
        &format!("00 20 00 91 {}", lc_ascii(TEXT_PIN)),
        "9000",
    );
    exchange(&mut card, "00 B0 81 00 00", "9000");
}

#[test]
fn verify_counter_runs_63c2_63c1_63c0_then_6984_with_empty_verify_around_it() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange_exact(&mut card, "00 20 00 80", "63C3");
    exchange_exact(&mut card, "00 20 00 80 04 30 30 30 30", "63C2");
    exchange_exact(&mut card, "00 20 00 80", "63C2");
    exchange_exact(&mut card, "00 20 00 80 04 30 30 30 31", "63C1");
    exchange_exact(&mut card, "00 20 00 80", "63C1");
    exchange_exact(&mut card, "00 20 00 80 04 30 30 30 32", "63C0");
    exchange_exact(&mut card, "00 20 00 80", "63C0");
    exchange_exact(&mut card, "00 20 00 80 04 30 30 30 33", "6984");
    // blocked: the right PIN does not help either
    exchange_exact(&mut card, "00 20 00 80 04 31 32 33 34", "6984");
    exchange_exact(&mut card, "00 20 00 80", "63C0");
    // and survives a reset
    card.reset();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange_exact(&mut card, "00 20 00 80", "63C0");
    assert_eq!(
        card.pin_counter(card_sim::PinRef::Authentication)
            .unwrap()
            .tries_left(),
        0
    );
    // the signature PIN is independent
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange_exact(&mut card, "00 20 00 80", "63C5");
}

#[test]
fn correct_pin_answers_9000_and_resets_the_counter() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii("WRONG1")),
        "63C4",
    );
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii("WRONG2")),
        "63C3",
    );
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    // empty VERIFY after a correct PIN still answers 63Cx, never 9000
    exchange_exact(&mut card, "00 20 00 80", "63C5");
    // Le-only form (00 = 256, no data) is a query too
    exchange_exact(&mut card, "00 20 00 80 00", "63C5");
}

#[test]
fn verify_errors() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange_exact(&mut card, "00 20 00 80 04 31 32 33 34", "6986"); // no current EF
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    exchange_exact(&mut card, "00 20 00 80 04 31 32 33 34", "6981"); // not a PIN EF
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange_exact(&mut card, "00 20 00 81 04 31 32 33 34", "6981"); // SFI 01: a cert
    exchange_exact(&mut card, "00 20 00 9F 04 31 32 33 34", "6A86");
    exchange_exact(&mut card, "00 20 00 00 04 31 32 33 34", "6A86");
    exchange_exact(&mut card, "00 20 01 80 04 31 32 33 34", "6A86");
    // none of these were counted
    exchange_exact(&mut card, "00 20 00 80", "63C3");
    // a PIN of the wrong format is just a wrong PIN (counted)
    exchange_exact(&mut card, "00 20 00 80 06 41 42 43 31 32 33", "63C2");
}

#[test]
fn verified_state_survives_ef_selects_and_is_cleared_by_reselect_reset_and_power() {
    let mut card = my_number_card();
    let verify_auth = |card: &mut card_sim::SimCard| {
        exchange(card, SELECT_JPKI, "9000");
        exchange(card, "00 A4 02 0C 02 00 18", "9000");
        exchange(card, &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)), "9000");
    };
    let sign = "80 2A 00 80 20 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF 00";
    let key_selected_signs = |card: &mut card_sim::SimCard, sw: &str| {
        exchange(card, SELECT_JPKI, "9000");
        exchange(card, "00 A4 02 0C 02 00 17", "9000");
        exchange(card, sign, sw);
    };

    verify_auth(&mut card);
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    exchange(&mut card, "00 B0 00 00 04", "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 17", "9000");
    assert_eq!(exchange(&mut card, sign, "9000").len(), 256);
    assert_eq!(exchange(&mut card, sign, "9000").len(), 256);
    // re-SELECT of the JPKI AID clears it
    key_selected_signs(&mut card, "6982");

    verify_auth(&mut card);
    card.reset();
    key_selected_signs(&mut card, "6982");

    verify_auth(&mut card);
    card.power_off();
    assert!(!card.is_powered());
    key_selected_signs(&mut card, "6982");

    verify_auth(&mut card);
    card.power_on();
    key_selected_signs(&mut card, "6982");

    // a wrong PIN also drops the verified state
    verify_auth(&mut card);
    exchange(&mut card, "00 20 00 80 04 39 39 39 39", "63C2");
    exchange(&mut card, "00 A4 02 0C 02 00 17", "9000");
    exchange(&mut card, sign, "6982");
}

// ---------------------------------------------------------------- §5 COMPUTE DIGITAL SIGNATURE

fn sign_with(
    card: &mut card_sim::SimCard,
    key_fid: &str,
    pin_fid: &str,
    pin: &str,
    data: &[u8],
) -> Vec<u8> {
    exchange(card, SELECT_JPKI, "9000");
    exchange(card, &format!("00 A4 02 0C 02 {pin_fid}"), "9000");
    exchange(card, &format!("00 20 00 80 {}", lc_ascii(pin)), "9000");
    exchange(card, &format!("00 A4 02 0C 02 {key_fid}"), "9000");
    let capdu = format!("80 2A 00 80 {:02X} {} 00", data.len(), hex::encode(data));
    let sig = exchange(card, &capdu, "9000");
    assert_eq!(sig.len(), 256);
    sig
}

const SHA256_PREFIX: &str = "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20";
const SHA1_PREFIX: &str = "30 21 30 09 06 05 2B 0E 03 02 1A 05 00 04 14";

#[test]
fn signature_over_a_sha256_digestinfo_verifies_with_the_certified_key() {
    let mut card = my_number_card();
    let hash = Sha256::digest(b"e-Tax application");
    let mut digest_info = hx(SHA256_PREFIX);
    digest_info.extend_from_slice(&hash);
    assert_eq!(digest_info.len(), 51);
    for (key_fid, pin_fid, pin, seed) in [
        ("00 1A", "00 1B", SIGN_PIN, 2),
        ("00 17", "00 18", AUTH_PIN, 1),
    ] {
        let sig = sign_with(&mut card, key_fid, pin_fid, pin, &digest_info);
        let public = key(seed).key.to_public_key();
        assert_eq!(public.size(), 256);
        public
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
            .unwrap();
    }
}

#[test]
fn card_pads_whatever_it_is_given_sha1_digestinfo_and_raw_data() {
    let mut card = my_number_card();
    let public = key(1).key.to_public_key();
    let mut sha1_info = hx(SHA1_PREFIX);
    sha1_info.extend_from_slice(&[0x5A; 20]);
    for data in [
        sha1_info,
        b"raw challenge".to_vec(),
        vec![0xAB; 245],
        vec![0x01],
    ] {
        let sig = sign_with(&mut card, "00 17", "00 18", AUTH_PIN, &data);
        public
            .verify(Pkcs1v15Sign::new_unprefixed(), &data, &sig)
            .unwrap();
        // deterministic: type-01 padding has no randomness
        let again = sign_with(&mut card, "00 17", "00 18", AUTH_PIN, &data);
        assert_eq!(sig, again);
    }
}

#[test]
fn compute_signature_errors() {
    let mut card = my_number_card();
    let data = "20 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange_exact(&mut card, &format!("80 2A 00 80 {data} 00"), "6986"); // no EF
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    exchange_exact(&mut card, &format!("80 2A 00 80 {data} 00"), "6981"); // not a key
    exchange(&mut card, "00 A4 02 0C 02 00 1A", "9000");
    exchange_exact(&mut card, &format!("80 2A 00 80 {data} 00"), "6982"); // PIN not verified
    // the authentication PIN does not unlock the signature key
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 1A", "9000");
    exchange_exact(&mut card, &format!("80 2A 00 80 {data} 00"), "6982");
    exchange(&mut card, "00 A4 02 0C 02 00 17", "9000");
    exchange_exact(&mut card, &format!("80 2A 00 C0 {data} 00"), "6A86");
    exchange_exact(&mut card, &format!("80 2A 00 81 {data} 00"), "6981"); // SFI 01: a cert
    exchange_exact(&mut card, &format!("80 2A 9E 9A {data} 00"), "6A86");
    // more than 245 bytes cannot be padded into 256
    exchange_exact(
        &mut card,
        &format!("80 2A 00 80 F6 {} 00", "AB".repeat(246)),
        "6700",
    );
    exchange_exact(&mut card, "80 2A 00 80 00", "6700"); // no data
    exchange(&mut card, &format!("80 2A 00 80 {data} 00"), "9000");
}

// ---------------------------------------------------------------- §5 CHANGE REFERENCE DATA

#[test]
fn change_reference_data_needs_the_old_pin_and_a_valid_new_one() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange_exact(
        &mut card,
        &format!("00 24 01 80 {}", lc_ascii("NEW123")),
        "6982",
    );
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    // format-breaking new PINs: 6A80, nothing changed
    for bad in ["ABCDEF", "123456", "AB12", "abc123", "ABCDEFGHIJ1234567"] {
        exchange_exact(&mut card, &format!("00 24 01 80 {}", lc_ascii(bad)), "6A80");
    }
    exchange_exact(&mut card, "00 24 01 80", "6700");
    exchange_exact(
        &mut card,
        &format!("00 24 00 80 {}", lc_ascii("NEW123")),
        "6A86",
    );
    exchange_exact(
        &mut card,
        &format!("00 24 01 81 {}", lc_ascii("NEW123")),
        "6A86",
    );
    exchange_exact(
        &mut card,
        &format!("00 24 01 80 {}", lc_ascii("NEW123")),
        "9000",
    );
    // the old PIN is now wrong, the new one right
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "63C4",
    );
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii("NEW123")),
        "9000",
    );
}

#[test]
fn change_reference_data_of_the_authentication_pin_keeps_its_format() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    exchange_exact(
        &mut card,
        &format!("00 24 01 80 {}", lc_ascii("12345")),
        "6A80",
    );
    exchange_exact(
        &mut card,
        &format!("00 24 01 80 {}", lc_ascii("12A4")),
        "6A80",
    );
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    exchange_exact(
        &mut card,
        &format!("00 24 01 80 {}", lc_ascii("4321")),
        "9000",
    );
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii("4321")),
        "9000",
    );
    // not on a certificate EF
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    exchange_exact(
        &mut card,
        &format!("00 24 01 80 {}", lc_ascii("4321")),
        "6981",
    );
}

// ---------------------------------------------------------------- §6 text support

#[test]
fn text_support_files_need_pin_0011() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_TEXT, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    exchange_exact(&mut card, "00 B0 00 00 11", "6982");
    exchange(&mut card, "00 A4 02 0C 02 00 02", "9000");
    exchange_exact(&mut card, "00 B0 00 00 00", "6982");
    exchange(&mut card, "00 A4 02 0C 02 00 11", "9000");
    exchange_exact(&mut card, "00 20 00 80", "63C3");
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii("0000")),
        "63C2",
    );
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(TEXT_PIN)),
        "9000",
    );
    exchange_exact(&mut card, "00 20 00 80", "63C3");
    // My Number: FF 10 0C + 12 digits + filler; a 17-byte read (spec §9)
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    exchange_exact(
        &mut card,
        "00 B0 00 00 11",
        &format!("FF 10 0C {} FF FF 9000", hex::encode_upper(MY_NUMBER)),
    );
    // JPKI files are not in this AP
    exchange_exact(&mut card, "00 A4 02 0C 02 00 0A", "6A82");
}

/// BER length octets, written out independently of the card's TLV builder.
fn ber_len(n: usize) -> Vec<u8> {
    match n {
        0..=127 => vec![u8::try_from(n).unwrap()],
        128..=255 => vec![0x81, u8::try_from(n).unwrap()],
        _ => [&[0x82][..], &u16::try_from(n).unwrap().to_be_bytes()].concat(),
    }
}

fn read_facts(contents: card_sim::CardContents) -> Vec<u8> {
    let mut card = card_sim::SimCard::new(contents).unwrap();
    exchange(&mut card, SELECT_TEXT, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 11", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(TEXT_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 02", "9000");
    let mut ef = Vec::new();
    loop {
        let chunk = exchange(&mut card, &format!("00 B0 {:04X} 00", ef.len()), "9000");
        let last = chunk.len() < 256;
        ef.extend(chunk);
        if last {
            break;
        }
    }
    exchange(&mut card, &format!("00 B0 {:04X} 01", ef.len()), "6B00");
    ef
}

/// EF 0002 as real cards lay it out (card-map §4): `DF21` holds the offsets of the `DF22`..`DF25`
/// tags counted from byte 0 of the EF, so they include the `FF20` header.
fn expected_facts(f: &card_sim::FourFacts) -> (Vec<u8>, [usize; 4]) {
    let fields: [(u8, &[u8]); 4] = [
        (0x22, f.name.as_bytes()),
        (0x23, f.address.as_bytes()),
        (0x24, f.birth_date.as_bytes()),
        (0x25, &[f.sex.code()]),
    ];
    let encoded: Vec<Vec<u8>> = fields
        .iter()
        .map(|(tag, value)| [&[0xDF, *tag][..], &ber_len(value.len()), value].concat())
        .collect();
    let value_len = 11 + encoded.iter().map(Vec::len).sum::<usize>();
    let mut ef = [&[0xFF, 0x20][..], &ber_len(value_len)].concat();
    let mut offsets = [0usize; 4];
    let mut off = ef.len() + 11; // the FF20 header, then DF 21 08 <8 bytes>
    for (slot, tlv) in offsets.iter_mut().zip(&encoded) {
        *slot = off;
        off += tlv.len();
    }
    ef.extend([0xDF, 0x21, 0x08]);
    for off in offsets {
        ef.extend_from_slice(&u16::try_from(off).unwrap().to_be_bytes());
    }
    ef.extend(encoded.concat());
    assert_eq!(ef.len(), off);
    (ef, offsets)
}

#[test]
fn four_facts_are_in_order_df21_to_df25() {
    let ef = read_facts(my_number_contents());
    let (expected, offsets) = expected_facts(&facts());
    assert_eq!(hex::encode_upper(&ef), hex::encode_upper(&expected));
    for (off, tag) in offsets.into_iter().zip([0x22, 0x23, 0x24, 0x25]) {
        assert_eq!(
            ef[off..off + 2],
            [0xDF, tag],
            "DF21 offsets point at the tags"
        );
    }
    // parses as BER-TLV with the apdu crate, fields in order
    let tlv = apdu::tlv::parse(&ef).unwrap();
    assert_eq!(apdu::tlv::find_value(&tlv, 0xDF24), Some(&b"19900101"[..]));
    assert_eq!(apdu::tlv::find_value(&tlv, 0xDF25), Some(&b"2"[..]));
}

/// Facts whose fields have the lengths of the two real cards of card-map §4 (MC text.rs test
/// data): a 15-byte name (5 characters, 氏 U+3000 名) and an address of `address_chars`
/// full-width characters.
fn facts_shaped_like_a_real_card(address_chars: usize) -> card_sim::CardContents {
    let mut contents = my_number_contents();
    let text = contents.text_support.as_mut().unwrap();
    text.facts.name = "番号\u{3000}花子様".chars().take(5).collect();
    assert_eq!(text.facts.name.len(), 15);
    text.facts.address = "東京都千代田区１２３"
        .chars()
        .cycle()
        .take(address_chars)
        .collect();
    contents
}

#[test]
fn df21_matches_the_headers_of_real_cards() {
    // card-map §4: `0x0E` = 3 header bytes + 11 bytes of DF21; DF22 18 bytes, DF24 11 bytes
    for (address_chars, header) in [
        (17, "FF 20 62 DF 21 08 00 0E 00 20 00 56 00 61"),
        (18, "FF 20 65 DF 21 08 00 0E 00 20 00 59 00 64"),
    ] {
        let contents = facts_shaped_like_a_real_card(address_chars);
        let ef = read_facts(contents.clone());
        assert_eq!(hex::encode_upper(&ef[..14]), header.replace(' ', ""));
        let (expected, _) = expected_facts(&contents.text_support.as_ref().unwrap().facts);
        assert_eq!(hex::encode_upper(&ef), hex::encode_upper(&expected));
        // the last object, DF25 01 <sex>, ends the EF
        assert_eq!(ef.len(), 3 + usize::from(ef[2]));
    }
}

#[test]
fn df21_offsets_grow_by_one_with_a_long_form_length() {
    // 40 full-width characters: 120 bytes of address push the FF20 value past 127 bytes
    let contents = facts_shaped_like_a_real_card(40);
    let ef = read_facts(contents);
    assert_eq!(&ef[..4], &[0xFF, 0x20, 0x81, 0xA7]);
    assert_eq!(ef.len(), 4 + 0xA7);
    // the same fields as the first real card with 120 instead of 51 address bytes, one byte later
    let table: Vec<u16> = ef[7..15]
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(table, [0x0F, 0x21, 0x21 + 123, 0x21 + 123 + 11]);
    for (off, tag) in table.into_iter().zip([0x22, 0x23, 0x24, 0x25]) {
        let off = usize::from(off);
        assert_eq!(ef[off..off + 2], [0xDF, tag]);
    }
}

#[test]
fn four_facts_with_a_long_address_use_long_form_lengths() {
    let mut contents = my_number_contents();
    let text = contents.text_support.as_mut().unwrap();
    // 100 full-width characters: 300 bytes of UTF-8, so DF23 and FF20 need `82 hi lo`
    text.facts.address = "東".repeat(100);
    text.facts.sex = card_sim::Sex::NotApplicable;
    let ef = read_facts(contents.clone());
    let (expected, offsets) = expected_facts(&contents.text_support.as_ref().unwrap().facts);
    assert_eq!(&ef[..3], &[0xFF, 0x20, 0x82]);
    assert_eq!(hex::encode_upper(&ef), hex::encode_upper(&expected));
    // FF 20 82 hi lo, DF 21 08 ...: the first offset is 5 + 11
    assert_eq!(offsets[0], 16);
    assert_eq!(*ef.last().unwrap(), b'9');
}

// ---------------------------------------------------------------- issuance limits (§1)

#[test]
fn issuance_with_the_municipal_pages_limits_5_and_3() {
    // "5 wrong entries lock it (3 for the My Number signature certificate)"
    let mut card = card_sim::SimCard::new(my_number_contents_with((5, 3, 5))).unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange_exact(&mut card, "00 20 00 80", "63C5");
    for left in (0..5).rev() {
        exchange_exact(
            &mut card,
            "00 20 00 80 04 39 39 39 39",
            &format!("63C{left}"),
        );
    }
    exchange_exact(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "6984",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange_exact(&mut card, "00 20 00 80", "63C3");
    for left in ["63C2", "63C1", "63C0", "6984"] {
        exchange_exact(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii("ZZZ999")),
            left,
        );
    }
    exchange_exact(&mut card, "00 20 00 80", "63C0");
    exchange(&mut card, SELECT_TEXT, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 11", "9000");
    exchange_exact(&mut card, "00 20 00 80", "63C5");
}

#[test]
fn issuance_with_the_real_cards_default_limits() {
    let mut card = my_number_card();
    for (select, fid, sw) in [
        (SELECT_JPKI, "00 18", "63C3"),
        (SELECT_JPKI, "00 1B", "63C5"),
        (SELECT_TEXT, "00 11", "63C3"),
    ] {
        exchange(&mut card, select, "9000");
        exchange(&mut card, &format!("00 A4 02 0C 02 {fid}"), "9000");
        exchange_exact(&mut card, "00 20 00 80", sw);
    }
}

#[test]
fn transport_gives_the_same_answers_as_process() {
    use apdu::Transport;
    let mut card = my_number_card();
    assert_eq!(card.transmit(&hx(SELECT_JPKI)).unwrap(), hx("9000"));
    assert_eq!(
        card.transmit(&hx("00 A4 02 0C 02 00 08")).unwrap(),
        hx("9000")
    );
    assert_eq!(
        card.transmit(&hx("00 B0 00 00 03")).unwrap(),
        hx("8F8F009000")
    );
}

// ------------------------------------------- administrative channel (card_sim::admin)

mod admin_channel {
    use card_sim::{Administration, PinRef, SimCard, admin::admin_message, is_pin_command};
    use p256::ecdsa::{Signature, SigningKey, signature::Signer};
    use test_support::cards::*;

    const CARD_ID: [u8; 16] = *b"CARD-ID-0000042\x01";

    fn admin_key() -> SigningKey {
        SigningKey::from_slice(&[0x11; 32]).unwrap()
    }

    fn card() -> SimCard {
        SimCard::new_administered(
            my_number_contents(),
            Administration {
                card_id: CARD_ID,
                admin_key: *admin_key().verifying_key(),
                card_expiry: time::macros::date!(2035 - 12 - 31),
            },
        )
        .unwrap()
    }

    /// GET CHALLENGE, then EXTERNAL AUTHENTICATE signed with the admin key.
    fn authenticate(card: &mut SimCard) {
        let challenge: [u8; 16] = exchange(card, "00 84 00 00 10", "9000").try_into().unwrap();
        let signature: Signature = admin_key().sign(&admin_message(&CARD_ID, &challenge));
        let capdu = format!("00 82 00 00 40 {}", hex::encode(signature.to_bytes()));
        exchange(card, &capdu, "9000");
    }

    #[test]
    fn an_issued_card_s_token_serial_comes_from_its_card_id() {
        let mut card = card();
        exchange(&mut card, SELECT_JPKI, "9000");
        exchange(&mut card, "00 A4 02 0C 02 00 06", "9000");
        let token = exchange(&mut card, "00 B0 00 00 00", "9000");
        // the same contents as my_number_card(), whose serial comes from its certificate
        assert_eq!(
            token,
            super::token_info("JPKIAPICCTOKEN2", &super::token_serial(&CARD_ID))
        );
    }

    #[test]
    fn get_data_returns_the_card_id() {
        let mut card = card();
        exchange_exact(
            &mut card,
            "00 CA 00 45 00",
            &format!("{} 9000", hex::encode_upper(CARD_ID)),
        );
        exchange_exact(
            &mut card,
            "00 CA 00 45 10",
            &format!("{} 9000", hex::encode_upper(CARD_ID)),
        );
        exchange(&mut card, "00 CA 00 45 08", "6C10");
        exchange(&mut card, "00 CA 00 45 01 00", "6700");
        exchange(&mut card, "00 CA 01 00 00", "6A88");
    }

    #[test]
    fn get_challenge_answers_le_fresh_bytes() {
        let mut card = card();
        let a = exchange(&mut card, "00 84 00 00 10", "9000");
        let b = exchange(&mut card, "00 84 00 00 10", "9000");
        assert_eq!((a.len(), b.len()), (16, 16));
        assert_ne!(a, b);
        exchange(&mut card, "00 84 00 00", "6700");
        // card-map §1: Le 00 = 256 bytes; an extended Le 6985
        assert_eq!(exchange(&mut card, "00 84 00 00 00", "9000").len(), 256);
        exchange(&mut card, "00 84 00 00 00 00 10", "6985");
        exchange(&mut card, "00 84 00 01 10", "6A86");
    }

    #[test]
    fn reset_retry_counter_needs_admin_state_on_a_pin_ef() {
        let mut card = card();
        exchange(&mut card, SELECT_JPKI, "9000");
        exchange(&mut card, "00 2C 03 80", "6986");
        exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
        exchange(&mut card, "00 2C 03 80", "6982");
        exchange(
            &mut card,
            &format!("00 2C 02 80 {}", lc_ascii("4321")),
            "6982",
        );
        exchange(&mut card, "00 82 00 00 02 30 00", "6985");
        for left in ["63C2", "63C1", "63C0"] {
            exchange(
                &mut card,
                &format!("00 20 00 80 {}", lc_ascii("0000")),
                left,
            );
        }
        exchange(&mut card, "00 20 00 80", "63C0");
        authenticate(&mut card);
        exchange(&mut card, "00 2C 03 80", "9000");
        exchange(&mut card, "00 20 00 80", "63C3");
        exchange(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
            "9000",
        );
        // a reset leaves the PIN unverified: no signature until VERIFY again
        exchange(
            &mut card,
            &format!("00 2C 02 80 {}", lc_ascii("4321")),
            "9000",
        );
        exchange(&mut card, "00 A4 02 0C 02 00 17", "9000");
        exchange(&mut card, "80 2A 00 80 04 01 02 03 04 00", "6982");
        exchange(&mut card, "00 2C 03 80", "6981");
        exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
        exchange(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
            "63C2",
        );
        exchange(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii("4321")),
            "9000",
        );
    }

    #[test]
    fn the_text_support_pin_is_reset_in_its_own_application() {
        let mut card = card();
        exchange(&mut card, SELECT_TEXT, "9000");
        exchange(&mut card, "00 A4 02 0C 02 00 11", "9000");
        for left in ["63C2", "63C1", "63C0"] {
            exchange(
                &mut card,
                &format!("00 20 00 80 {}", lc_ascii("0000")),
                left,
            );
        }
        authenticate(&mut card);
        // the text-support PIN is 4 digits: a letter breaks the rule
        exchange(
            &mut card,
            &format!("00 2C 02 80 {}", lc_ascii("12A4")),
            "6A80",
        );
        assert_eq!(
            card.pin_counter(PinRef::TextSupport).unwrap().tries_left(),
            0
        );
        exchange(
            &mut card,
            &format!("00 2C 02 80 {}", lc_ascii("2468")),
            "9000",
        );
        exchange(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii("2468")),
            "9000",
        );
        exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
        exchange(&mut card, "00 B0 00 00 11", "9000");
    }

    #[test]
    fn pin_commands_are_redacted_in_traces() {
        for ins in [0x20, 0x24, 0x2C] {
            assert!(is_pin_command(ins));
        }
        for ins in [0xA4, 0xB0, 0x2A, 0x82, 0x84, 0xCA] {
            assert!(!is_pin_command(ins));
        }
    }
}
