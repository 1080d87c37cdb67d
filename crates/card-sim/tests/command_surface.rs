//! The card-wide command surface of card-map §1 that needs no card data, one test per row of
//! its table (and of the "Our choices" under it), as hex APDU scripts.
//!
//! (One piece, over 400 lines: one script per row of card-map §1, in the map's order.)

use test_support::cards;

use card_sim::{Administration, SimCard, admin::admin_message};
use cards::*;
use p256::ecdsa::{Signature, SigningKey, signature::Signer};

const AID_TEXT: &str = "D3 92 10 00 31 00 01 01 04 08";
const AID_VISUAL: &str = "D3 92 10 00 31 00 01 01 04 02";
const AID_COMMON: &str = "D3 92 10 00 31 00 01 01 01 00";
const AID_JUKI: &str = "D3 92 10 00 31 00 01 01 04 01";
const AID_JPKI: &str = "D3 92 F0 00 26 01 00 00 00 01";

/// SELECT by DF name with P2 `0C` (hex; Lc computed).
fn select_name(name: &str) -> String {
    format!("00 A4 04 0C {:02X} {name}", hx(name).len())
}

/// Which application is current, told by SET SESSION KEY and SET PUBLIC IC KEY (card-map §1):
/// JPKI `6982`/`6A86`, 住基 `6982`/`6985`, 共通カード and 券面事項確認 `66F1`/`6985`,
/// 入力補助 (PIN not verified) `6982`/`6985`; no application `6985`/`6985`.
fn current(card: &mut SimCard) -> (String, String) {
    let sw = |card: &mut SimCard, capdu: &str| {
        let r = card.process(&hx(capdu));
        hex::encode_upper(&r[r.len() - 2..])
    };
    (
        sw(
            card,
            "80 AE 00 00 10 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF",
        ),
        sw(card, "80 A2 00 00"),
    )
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

// ------------------------------------------------ §1 SELECT DF by name `00 A4 04 0C Lc <AID>`

/// §1 row "SELECT DF by name" and our choice "P2 `00`/`04` answers like `0C`": `9000`, no FCI.
#[test]
fn select_by_name_answers_9000_without_data_for_p2_0c_00_and_04() {
    let mut card = my_number_card();
    for aid in [AID_JPKI, AID_TEXT, AID_VISUAL, AID_COMMON, AID_JUKI] {
        for p2 in ["0C", "00", "04"] {
            exchange_exact(&mut card, &format!("00 A4 04 {p2} 0A {aid}"), "9000");
        }
    }
    exchange_exact(&mut card, &format!("00 A4 04 00 0A {AID_JPKI} 00"), "9000");
    // the application is current after P2 00 as after 0C
    exchange(&mut card, &format!("00 A4 04 00 0A {AID_VISUAL}"), "9000");
    exchange(&mut card, &format!("00 A4 04 04 0A {AID_JPKI}"), "9000");
    assert_eq!(current(&mut card), pair("6982", "6A86"));
    // another P2 (e.g. "next occurrence", FCP) is refused: our choice 6A86
    exchange_exact(&mut card, &format!("00 A4 04 02 0A {AID_JPKI}"), "6A86");
    exchange_exact(&mut card, &format!("00 A4 04 08 0A {AID_JPKI}"), "6A86");
}

/// §1 row "SELECT DF by name": unknown AID `6A82` whatever P2; an empty name `6A82` (our
/// choice); a name longer than an AID, or a prefix of the GP ISD, names nothing.
#[test]
fn select_of_an_unknown_name_answers_6a82() {
    let mut card = my_number_card();
    for capdu in [
        "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 02",
        "00 A4 04 00 0A D3 92 F0 00 26 01 00 00 00 02",
        "00 A4 04 02 0A D3 92 F0 00 26 01 00 00 00 02",
        "00 A4 04 0C 0B D3 92 F0 00 26 01 00 00 00 01 00",
        "00 A4 04 0C 02 D3 93",
        "00 A4 04 0C 01 A0",
        "00 A4 04 0C 05 A0 00 00 01 51",
        "00 A4 04 00 09 A0 00 00 03 08 00 00 10 00",
        "00 A4 04 0C",
    ] {
        exchange_exact(&mut card, capdu, "6A82");
    }
}

/// §1 row "SELECT DF by name" (JICSAP prefix) and our choice "a name prefix selects the first
/// AP in the order of §3–§7 that it matches".
#[test]
fn a_proper_prefix_of_a_df_name_selects_the_first_matching_application() {
    let mut card = my_number_card();
    // JPKI first: any prefix of D3 92 F0 …, and D3 / D3 92, which every AID begins
    for prefix in ["D3", "D3 92", "D3 92 F0", "D3 92 F0 00 26 01 00 00 00"] {
        exchange_exact(&mut card, &select_name(prefix), "9000");
        assert_eq!(current(&mut card), pair("6982", "6A86"), "{prefix}");
        // JPKI's EF 0008, 8F 8F 00
        exchange(&mut card, "00 A4 02 0C 02 00 08", "9000");
        exchange_exact(&mut card, "00 B0 00 00 03", "8F 8F 00 9000");
    }
    // D3 92 10 …: the 券面事項入力補助AP comes first among the four (§4 before §5–§7)
    for prefix in [
        "D3 92 10",
        "D3 92 10 00 31 00 01 01",
        "D3 92 10 00 31 00 01 01 04",
    ] {
        exchange_exact(&mut card, &select_name(prefix), "9000");
        assert_eq!(current(&mut card), pair("6982", "6985"), "{prefix}");
    }
    // only 共通カードAP begins D3 92 10 00 31 00 01 01 01
    exchange_exact(
        &mut card,
        &select_name("D3 92 10 00 31 00 01 01 01"),
        "9000",
    );
    assert_eq!(current(&mut card), pair("66F1", "6985"));
    // a prefix selects like the full name: nothing stays verified
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    exchange(&mut card, &select_name("D3 92 F0"), "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    exchange_exact(&mut card, "00 B0 00 00 04", "6982");
}

/// §1 row "SELECT DF by name" on a Juki card (§8): only JPKI, 共通カード and 住基 are there, so
/// D3 92 10 selects the 共通カードAP (the first of them in card-map order).
#[test]
fn on_a_juki_card_a_prefix_finds_only_its_applications() {
    let mut card = SimCard::new(juki_contents()).unwrap();
    exchange_exact(&mut card, &select_name("D3 92 10"), "9000");
    assert_eq!(current(&mut card), pair("66F1", "6985"));
    exchange_exact(&mut card, "00 A4 02 0C 02 00 08", "6A82");
    exchange_exact(
        &mut card,
        &select_name("D3 92 10 00 31 00 01 01 04 08"),
        "6A82",
    );
    exchange_exact(
        &mut card,
        &select_name("D3 92 10 00 31 00 01 01 04 02"),
        "6A82",
    );
    exchange_exact(
        &mut card,
        &select_name("D3 92 10 00 31 00 01 01 04"),
        "9000",
    );
    assert_eq!(current(&mut card), pair("6982", "6985"));
    exchange_exact(&mut card, &select_name("D3"), "9000");
    assert_eq!(current(&mut card), pair("6982", "6A86"));
}

// ---------------------------------------------------- §1 SELECT EF `00 A4 02 0C 02 <FID>`

/// §1 row "SELECT EF" with our choice "P2 `00`/`04` answers like `0C`".
#[test]
fn select_ef_with_p2_00_and_04_answers_like_0c() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    for p2 in ["0C", "00", "04"] {
        exchange_exact(&mut card, &format!("00 A4 02 {p2} 02 00 1B"), "9000");
        exchange_exact(&mut card, &format!("00 A4 02 {p2} 02 00 08"), "9000");
        exchange_exact(&mut card, "00 B0 00 00 03", "8F 8F 00 9000");
        exchange_exact(&mut card, &format!("00 A4 02 {p2} 02 00 99"), "6A82");
    }
    exchange_exact(&mut card, "00 A4 02 00 02 00 0A 00", "9000");
    exchange_exact(&mut card, "00 A4 02 02 02 00 0A", "6A86");
}

// ------------------------------------------------------------ §1 SELECT MF `00 A4 00 00`

/// §1 row "SELECT MF": after a reset `6A86`.
#[test]
fn select_mf_after_a_reset_answers_6a86() {
    let mut card = my_number_card();
    exchange_exact(&mut card, "00 A4 00 00", "6A86");
    exchange_exact(&mut card, "00 A4 00 0C", "6A86");
    exchange(&mut card, SELECT_JPKI, "9000");
    card.reset();
    exchange_exact(&mut card, "00 A4 00 00", "6A86");
    card.power_off();
    exchange_exact(&mut card, "00 A4 00 00", "6A86");
    // still nothing current
    exchange_exact(&mut card, "00 A4 02 0C 02 00 0A", "6A82");
}

/// §1 row "SELECT MF": with an AP current `9000` and nothing changes — the AP, its current EF
/// and its verified PIN stay.
#[test]
fn select_mf_with_an_application_current_answers_9000_and_changes_nothing() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    exchange_exact(&mut card, "00 A4 00 00", "9000");
    exchange_exact(&mut card, "00 A4 00 0C", "9000");
    // the same EF is current and the signature PIN still opens it
    exchange_exact(&mut card, "00 B0 00 00 02", "30 82 9000");
    // the same application: its EFs select, the key signs
    exchange(&mut card, "00 A4 02 0C 02 00 1A", "9000");
    let data = "33 30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 \
                00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \
                10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F";
    let signature = exchange(&mut card, &format!("80 2A 00 80 {data} 00"), "9000");
    assert_eq!(signature.len(), 256);
    assert_eq!(current(&mut card), pair("6982", "6A86"));
}

// ----------------------------------------------------------- §1 SELECT `3F00` by FID

/// §1 row "SELECT `3F00` by FID": `6A82` in every state.
#[test]
fn select_3f00_by_fid_answers_6a82_in_every_state() {
    let mut card = my_number_card();
    let by_fid = [
        "00 A4 00 00 02 3F 00",
        "00 A4 00 0C 02 3F 00",
        "00 A4 02 0C 02 3F 00",
        "00 A4 02 00 02 3F 00",
    ];
    let check = |card: &mut SimCard| {
        for capdu in by_fid {
            exchange_exact(card, capdu, "6A82");
        }
    };
    check(&mut card);
    for aid in [AID_JPKI, AID_TEXT, AID_VISUAL, AID_COMMON, AID_JUKI] {
        exchange(&mut card, &format!("00 A4 04 0C 0A {aid}"), "9000");
        check(&mut card);
    }
    exchange(&mut card, "00 A4 04 0C 07 A0 00 00 01 51 00 00", "9000");
    check(&mut card);
    // our choice: P1 00 by any other FID 6A82 too; Lc other than 2 6700
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange_exact(&mut card, "00 A4 00 0C 02 00 0A", "6A82");
    exchange_exact(&mut card, "00 A4 00 0C 01 3F", "6700");
    // the failed SELECTs left JPKI current
    assert_eq!(current(&mut card), pair("6982", "6A86"));
}

// ---------------------------------------------- §1 SELECT GP ISD `A0 00 00 01 51 00 00`

fn administered() -> (SimCard, SigningKey, [u8; 16]) {
    let key = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let card_id = *b"QUIRKS-CARD-0001";
    let card = SimCard::new_administered(
        my_number_contents(),
        Administration {
            card_id,
            admin_key: *key.verifying_key(),
            card_expiry: time::macros::date!(2035 - 12 - 31),
        },
    )
    .unwrap();
    (card, key, card_id)
}

/// §1 row "SELECT GP ISD": `9000`, back to the power-on (MF-level) state: no application, no
/// PIN verified, no pending challenge.
#[test]
fn select_of_the_gp_isd_answers_9000_and_goes_back_to_the_power_on_state() {
    let (mut card, key, card_id) = administered();
    exchange_exact(&mut card, "00 A4 04 0C 07 A0 00 00 01 51 00 00", "9000");
    exchange_exact(&mut card, "00 A4 04 00 07 A0 00 00 01 51 00 00", "9000");
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    let challenge: [u8; 16] = exchange(&mut card, "00 84 00 00 10", "9000")
        .try_into()
        .unwrap();
    exchange_exact(&mut card, "00 A4 04 0C 07 A0 00 00 01 51 00 00", "9000");
    // no application: no EF selects, SELECT MF answers as after a reset
    exchange_exact(&mut card, "00 A4 02 0C 02 00 01", "6A82");
    exchange_exact(&mut card, "00 A4 00 00", "6A86");
    assert_eq!(current(&mut card), pair("6985", "6985"));
    // the challenge is gone: a right response to it finds nothing to answer
    let signature: Signature = key.sign(&admin_message(&card_id, &challenge));
    exchange_exact(
        &mut card,
        &format!("00 82 00 00 40 {}", hex::encode(signature.to_bytes())),
        "6985",
    );
    // the signature PIN is no longer verified
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    exchange_exact(&mut card, "00 B0 00 00 04", "6982");
}

// ------------------------------------------------------ §1 GET CHALLENGE `00 84 00 00 Le`

/// §1 row "GET CHALLENGE": Le 1–256 (`00` = 256) → exactly Le random bytes, at the MF and in
/// every AP.
#[test]
fn get_challenge_answers_exactly_le_random_bytes_everywhere() {
    let mut card = my_number_card();
    let lengths = [
        ("01", 1),
        ("08", 8),
        ("10", 16),
        ("20", 32),
        ("FF", 255),
        ("00", 256),
    ];
    let check = |card: &mut SimCard| {
        for (le, n) in lengths {
            let a = exchange(card, &format!("00 84 00 00 {le}"), "9000");
            assert_eq!(a.len(), n, "Le {le}");
            if n >= 8 {
                let b = exchange(card, &format!("00 84 00 00 {le}"), "9000");
                assert_ne!(a, b, "two challenges of {n} bytes are equal");
            }
        }
    };
    check(&mut card);
    for aid in [AID_JPKI, AID_TEXT, AID_VISUAL, AID_COMMON, AID_JUKI] {
        exchange(&mut card, &format!("00 A4 04 0C 0A {aid}"), "9000");
        check(&mut card);
    }
    let mut juki = SimCard::new(juki_contents()).unwrap();
    check(&mut juki);
    // 256 bytes are not all one value
    let big = exchange(&mut card, "00 84 00 00 00", "9000");
    assert!(big.iter().any(|b| *b != big[0]));
}

/// §1 row "GET CHALLENGE": an extended Le `6985`; our choices: no Le or command data `6700`,
/// P1P2 other than `00 00` `6A86`.
#[test]
fn get_challenge_with_an_extended_le_answers_6985() {
    let mut card = my_number_card();
    for capdu in [
        "00 84 00 00 00 00 08",
        "00 84 00 00 00 01 00",
        "00 84 00 00 00 00 00",
    ] {
        exchange_exact(&mut card, capdu, "6985");
    }
    exchange_exact(&mut card, "00 84 00 00", "6700");
    exchange_exact(&mut card, "00 84 00 00 01 00 08", "6700");
    exchange_exact(&mut card, "00 84 00 01 08", "6A86");
    exchange_exact(&mut card, "00 84 80 00 08", "6A86");
}

/// §1 row "GET CHALLENGE" and the administrative channel (our choice): EXTERNAL AUTHENTICATE
/// answers the last challenge only when it was 16 bytes; a challenge of another length
/// withdraws the pending one (`6985`).
#[test]
fn external_authenticate_answers_only_a_16_byte_last_challenge() {
    let (mut card, key, card_id) = administered();
    let respond = |challenge: &[u8]| {
        let signature: Signature =
            key.sign(&admin_message(&card_id, challenge.try_into().unwrap()));
        format!("00 82 00 00 40 {}", hex::encode(signature.to_bytes()))
    };
    exchange(&mut card, SELECT_JPKI, "9000");
    // 16 bytes, then 8: the 8-byte challenge replaced the 16-byte one, and is not signable
    let sixteen = exchange(&mut card, "00 84 00 00 10", "9000");
    exchange(&mut card, "00 84 00 00 08", "9000");
    exchange_exact(&mut card, &respond(&sixteen), "6985");
    // 16 bytes at the MF level, after a reset: the response is accepted
    card.reset();
    let sixteen = exchange(&mut card, "00 84 00 00 10", "9000");
    exchange_exact(&mut card, &respond(&sixteen), "9000");
    // the extended form and a refused GET CHALLENGE leave the pending challenge alone
    let sixteen = exchange(&mut card, "00 84 00 00 10", "9000");
    exchange(&mut card, "00 84 00 00 00 00 10", "6985");
    exchange(&mut card, "00 84 00 01 10", "6A86");
    exchange_exact(&mut card, &respond(&sixteen), "9000");
}

// --------------------------------------------------------- §1 SET SESSION KEY `80 AE`

/// §1 row "SET SESSION KEY": 共通 `66F1`, 券面事項確認 `66F1`, JPKI `6982`, 住基 `6982`;
/// our choice: no application `6985`; every P1P2 and data alike.
#[test]
fn set_session_key_answers_by_application() {
    let mut card = my_number_card();
    let forms = [
        "80 AE 00 00",
        "80 AE 00 00 10 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF",
        "80 AE 12 34 02 01 02 00",
    ];
    for capdu in forms {
        exchange_exact(&mut card, capdu, "6985");
    }
    for (aid, sw) in [
        (AID_COMMON, "66F1"),
        (AID_VISUAL, "66F1"),
        (AID_JPKI, "6982"),
        (AID_JUKI, "6982"),
    ] {
        exchange(&mut card, &format!("00 A4 04 0C 0A {aid}"), "9000");
        for capdu in forms {
            exchange_exact(&mut card, capdu, sw);
        }
    }
    // the JPKI PINs do not change JPKI's answer
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    exchange_exact(&mut card, forms[1], "6982");
    // class 00: no such command
    exchange_exact(&mut card, "00 AE 00 00", "6D00");
}

/// §1 row "SET SESSION KEY" in the 入力補助AP (our choice): `6982` before its PIN `0011` is
/// verified, `6A80` after (no key is right: no secure messaging).
#[test]
fn set_session_key_in_the_text_support_ap_needs_its_pin_then_answers_6a80() {
    let mut card = my_number_card();
    let set = "80 AE 00 00 10 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF";
    exchange(&mut card, SELECT_TEXT, "9000");
    exchange_exact(&mut card, set, "6982");
    exchange(&mut card, "00 A4 02 0C 02 00 11", "9000");
    exchange(&mut card, "00 20 00 80 04 30 30 30 30", "63C2");
    exchange_exact(&mut card, set, "6982");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(TEXT_PIN)),
        "9000",
    );
    exchange_exact(&mut card, set, "6A80");
    exchange_exact(&mut card, "80 AE 00 00", "6A80");
    // a new SELECT of the AP forgets the PIN
    exchange(&mut card, SELECT_TEXT, "9000");
    exchange_exact(&mut card, set, "6982");
}

// ------------------------------------------------- §1 secure messaging CLA `08`/`0C`

/// §1 row "secure messaging CLA `08`/`0C`": SELECT `6882`; READ BINARY, VERIFY and (our
/// choice) every other INS `69FC`. Nothing is done: no try is spent.
#[test]
fn secure_messaging_classes_answer_6882_to_select_and_69fc_to_the_rest() {
    let mut card = my_number_card();
    for cla in ["08", "0C"] {
        exchange_exact(&mut card, &format!("{cla} A4 04 0C 0A {AID_JPKI}"), "6882");
        exchange_exact(&mut card, &format!("{cla} A4 00 00"), "6882");
    }
    exchange(&mut card, SELECT_JPKI, "9000");
    for cla in ["08", "0C"] {
        exchange_exact(&mut card, &format!("{cla} A4 02 0C 02 00 0A"), "6882");
        for rest in [
            "B0 00 00 04",
            "20 00 98 04 30 30 30 30",
            "20 00 80",
            "24 01 80 04 31 32 33 34",
            "2A 00 80 04 01 02 03 04 00",
            "84 00 00 08",
            "CA 00 45 00",
            "B2 01 04 00",
            "88 00 80 08 01 02 03 04 05 06 07 08 00",
            "AE 00 00",
            "FC 00 00",
            "44 00 00",
        ] {
            exchange_exact(&mut card, &format!("{cla} {rest}"), "69FC");
        }
    }
    assert_eq!(auth_tries(&card), 3);
}

/// Our choices under §1: other class bytes `6E00` (logical channels, chaining, proprietary
/// secure messaging, the rest); class `80` also reaches the interindustry commands.
#[test]
fn other_class_bytes_answer_6e00() {
    let mut card = my_number_card();
    for cla in [
        "01", "03", "04", "10", "1C", "40", "60", "84", "88", "8C", "90", "A0", "E0", "FF",
    ] {
        exchange_exact(&mut card, &format!("{cla} A4 04 0C 0A {AID_JPKI}"), "6E00");
        exchange_exact(&mut card, &format!("{cla} B0 00 00 04"), "6E00");
        exchange_exact(&mut card, &format!("{cla} 20 00 80"), "6E00");
    }
    exchange_exact(&mut card, &format!("80 A4 04 0C 0A {AID_JPKI}"), "9000");
    exchange_exact(&mut card, "80 A4 02 0C 02 00 08", "9000");
    exchange_exact(&mut card, "80 B0 00 00 03", "8F 8F 00 9000");
}

// ------------------------------------------------------------- §1 `80 FC 00 00`

/// §1 row "`80 FC 00 00`": `6700` on plastic cards; our choice: every form, every state.
#[test]
fn last_command_indicator_answers_6700() {
    let mut card = my_number_card();
    let forms = [
        "80 FC 00 00",
        "80 FC 00 00 00",
        "80 FC 01 02 01 FF",
        "80 FC 00 00 01 00 00",
    ];
    for capdu in forms {
        exchange_exact(&mut card, capdu, "6700");
    }
    for aid in [AID_JPKI, AID_TEXT, AID_VISUAL, AID_COMMON, AID_JUKI] {
        exchange(&mut card, &format!("00 A4 04 0C 0A {aid}"), "9000");
        for capdu in forms {
            exchange_exact(&mut card, capdu, "6700");
        }
    }
    exchange_exact(&mut card, "00 FC 00 00", "6D00");
}

// ---------------------------------------------------------- §1 SET PUBLIC IC KEY `80 A2`

/// §1 row "SET PUBLIC IC KEY": in the JPKI AP, P1P2 `00 00`, `00 AE`, `80 00`, `00 B6` → `6A86`;
/// our choices: other P1P2 `6A86` too, outside the JPKI AP `6985`, class `00` `6D00`.
#[test]
fn set_public_ic_key_answers_6a86_in_the_jpki_ap() {
    let mut card = my_number_card();
    exchange_exact(&mut card, "80 A2 00 00", "6985");
    exchange(&mut card, SELECT_JPKI, "9000");
    for p1p2 in ["00 00", "00 AE", "80 00", "00 B6", "81 00", "FF FF"] {
        exchange_exact(&mut card, &format!("80 A2 {p1p2}"), "6A86");
        exchange_exact(&mut card, &format!("80 A2 {p1p2} 04 01 02 03 04"), "6A86");
    }
    for aid in [AID_TEXT, AID_VISUAL, AID_COMMON, AID_JUKI] {
        exchange(&mut card, &format!("00 A4 04 0C 0A {aid}"), "9000");
        exchange_exact(&mut card, "80 A2 00 B6", "6985");
    }
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange_exact(&mut card, "00 A2 00 00", "6D00");
}

// ----------------------------------------------------------------- §1 unknown INS

/// §1 row "unknown INS" `6D00`, and our choice "`00 2A …` (CLA 00) answers `6D00`", as do the
/// other class-80-only instructions under class 00.
#[test]
fn unknown_instructions_and_class_80_commands_under_class_00_answer_6d00() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 1A", "9000");
    for capdu in [
        "00 2A 00 80 04 01 02 03 04 00",
        "00 2A 02 9A 04 01 02 03 04 00",
        "00 32 00 80 04 31 32 33 34",
        "00 44 00 00",
        "00 CB 3F FF 00",
        "00 D6 00 00 01 00",
        "80 50 00 00 08 00 00 00 00 00 00 00 00",
        "80 00 00 00",
        "00 FE 00 00",
    ] {
        exchange_exact(&mut card, capdu, "6D00");
    }
    // the key still signs with class 80
    let signature = exchange(&mut card, "80 2A 00 80 04 01 02 03 04 00", "9000");
    assert_eq!(signature.len(), 256);
}
