//! The next-generation client against scripted cards (shared/next-gen-profile.md §2.1–§2.4):
//! detection by SELECT, the profile record, the three secrets and their rules, PIN status with
//! the ISO meaning, the PUK, the My Number. Each APDU is written here from the profile's text.

#[path = "support/script.rs"]
mod script;

use jpki_applet::{
    Error, Generation, JpkiCard, KeyRef, NextGenApplet, NgSecret, PinRef, SecretStatus,
};
use script::{SELECT_JPKI, SELECT_NG_AUTH, Script, ng_card, ng_open_files, verify_apdu};

/// EF 0006 of a My Number card (card-map §3), 160 bytes, + 9000.
const MY_NUMBER_TOKEN: &str = concat!(
    "4A504B494150494343544F4B454E322020202020202020202020202020202020",
    "3030303030303030303030303030303030303030303030303030303030303031",
    "4531365230314E4A2020202020202020",
    "30303030303030303230353030303033",
    "0000040D000000010000000000000001000000000000001000000006FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "3033303139393939393939393939393939393939",
    "9000"
);

fn current_card() -> Script {
    Script::new()
        .step(SELECT_NG_AUTH, "6A82")
        .step(SELECT_JPKI, "9000")
        .step("00A4020C020006", "9000")
        .step("00B0000000", MY_NUMBER_TOKEN)
        .step("00A4020C020008", "9000")
        .step("00B0000003", "8F8F009000")
}

fn open(script: Script) -> JpkiCard<Script> {
    JpkiCard::open(script).unwrap()
}

fn finished(card: JpkiCard<Script>) {
    assert!(
        card.into_inner().sent_all(),
        "not every scripted APDU was sent"
    );
}

#[test]
fn the_auth_ap_answering_select_means_next_gen_and_its_files_are_read_once() {
    let card = open(ng_card());
    assert_eq!(card.generation(), Generation::NextGen);
    let JpkiCard::NextGen(ng) = &card else {
        panic!("not next-gen")
    };
    assert_eq!(ng.profile().version, 1);
    assert_eq!(ng.token_info().label, "JPKINGAPTOKEN1");
    assert!(ng.availability().sign && ng.availability().auth);
    assert_eq!(card.key_secret_name(KeyRef::Sign), "signing password");
    finished(card);
}

#[test]
fn a_6a82_from_the_auth_ap_then_today_s_aid_means_a_current_card() {
    let card = open(current_card());
    assert_eq!(card.generation(), Generation::Current);
    assert_eq!(card.key_secret_name(KeyRef::Auth), "authentication PIN");
    finished(card);
}

#[test]
fn a_card_with_neither_application_is_named_clearly() {
    let script = Script::new()
        .step(SELECT_NG_AUTH, "6A82")
        .step(SELECT_JPKI, "6A82");
    let err = JpkiCard::open(script).unwrap_err();
    assert!(matches!(err, Error::ApplicationNotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("next-generation 認証AP"), "{err}");
}

#[test]
fn another_answer_to_the_first_select_is_an_error_not_a_guess() {
    let script = Script::new().step(SELECT_NG_AUTH, "6E00");
    let err = JpkiCard::open(script).unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { sw, .. } if sw.0 == 0x6E00),
        "{err:?}"
    );
}

#[test]
fn a_card_requiring_secure_messaging_is_refused_with_the_reason() {
    let script = Script::new()
        .step(SELECT_NG_AUTH, "9000")
        .steps(&ng_open_files("800101810101820101")[..2]);
    let err = JpkiCard::open(script).unwrap_err();
    assert!(matches!(err, Error::SecureMessagingRequired), "{err:?}");
    assert_eq!(
        err.to_string().split(" (").next().unwrap(),
        "this card requires secure messaging, not supported in NG-sim v1"
    );
    let script = Script::new()
        .step(SELECT_NG_AUTH, "9000")
        .steps(&ng_open_files("800101810102820100")[..2]);
    assert!(matches!(
        JpkiCard::open(script),
        Err(Error::UnsupportedProfile {
            field: "algorithm",
            value: 2
        })
    ));
}

#[test]
fn next_gen_applet_open_selects_the_auth_ap_itself() {
    let ng = NextGenApplet::open(ng_card()).unwrap();
    assert!(ng.into_inner().sent_all());
    let err = NextGenApplet::open(Script::new().step(SELECT_NG_AUTH, "6A82")).unwrap_err();
    assert!(matches!(err, Error::ApplicationNotFound { .. }));
}

#[test]
fn secret_status_has_the_iso_meaning_on_next_gen() {
    // no SELECT first: a verification still alive shows as 9000
    let script = ng_card()
        .step("00200081", "9000")
        .step("00200082", "63C2")
        .step("00200083", "6A88")
        .step("00200081", "6983")
        .step("00200082", "63C0");
    let mut ng = NextGenApplet::open(script).unwrap();
    assert_eq!(
        ng.secret_statuses().unwrap(),
        [
            (NgSecret::SignPassword, SecretStatus::Verified),
            (NgSecret::Pin4, SecretStatus::TriesLeft(2)),
            (NgSecret::Puk, SecretStatus::NotSet),
        ]
    );
    let blocked = ng.secret_status(NgSecret::SignPassword).unwrap();
    assert_eq!(blocked, SecretStatus::Blocked);
    assert!(blocked.is_blocked());
    assert!(ng.secret_status(NgSecret::Pin4).unwrap().is_blocked());
    assert!(ng.into_inner().sent_all());
}

#[test]
fn pin_statuses_of_a_next_gen_card_are_its_three_secrets() {
    let script = ng_card()
        .step("00200081", "63C5")
        .step("00200082", "9000")
        .step("00200083", "63C3");
    let mut card = open(script);
    assert_eq!(card.token_label(), "JPKINGAPTOKEN1");
    let report = card.pin_statuses().unwrap();
    let lines: Vec<_> = report
        .iter()
        .map(|r| (r.key, r.status.map(|s| s.to_string())))
        .collect();
    assert_eq!(
        lines,
        [
            ("sign_password", Some("5 tries left".to_owned())),
            ("pin4", Some("verified".to_owned())),
            ("puk", Some("3 tries left".to_owned())),
        ]
    );
    assert_eq!(report[0].name, "signing password (署名用パスワード)");
    finished(card);
}

#[test]
fn secrets_that_break_their_rule_are_never_sent() {
    // the script ends after opening: any APDU would fail the test
    let mut card = open(ng_card());
    let ng = card.next_gen_mut().unwrap();
    for (secret, value) in [
        (NgSecret::SignPassword, &b"ABCDEF"[..]),
        (NgSecret::SignPassword, b"abc123"),
        (NgSecret::Pin4, b"12345"),
        (NgSecret::Puk, b"1234567"),
    ] {
        let err = ng.verify(secret, value).unwrap_err();
        assert!(
            matches!(err, Error::SecretFormat { secret: s, .. } if s == secret),
            "{err:?}"
        );
    }
    assert!(matches!(
        ng.reset_pin4(b"12345678", b"123"),
        Err(Error::SecretFormat {
            secret: NgSecret::Pin4,
            ..
        })
    ));
    assert!(matches!(
        ng.set_puk(b"ABC123", b"123"),
        Err(Error::SecretFormat {
            secret: NgSecret::Puk,
            ..
        })
    ));
    assert!(matches!(
        card.sign(KeyRef::Sign, b"1234", b"doc"),
        Err(Error::SecretFormat {
            secret: NgSecret::SignPassword,
            ..
        })
    ));
    finished(card);
}

#[test]
fn a_wrong_secret_reports_its_tries_and_a_blocked_pin4_points_to_the_puk() {
    let script = ng_card()
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x81, "ABC124"), "63C4")
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x82, "1111"), "63C0")
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x82, "1111"), "6983");
    let mut ng = NextGenApplet::open(script).unwrap();
    let err = ng.verify(NgSecret::SignPassword, b"ABC124").unwrap_err();
    assert!(matches!(
        err,
        Error::WrongSecret {
            secret: NgSecret::SignPassword,
            tries_left: 4
        }
    ));
    assert_eq!(
        err.to_string(),
        "wrong signing password (署名用パスワード): 4 tries left"
    );
    let err = ng.verify(NgSecret::Pin4, b"1111").unwrap_err();
    assert!(
        err.to_string()
            .contains("now blocked; reset it with the PUK"),
        "{err}"
    );
    let err = ng.verify(NgSecret::Pin4, b"1111").unwrap_err();
    assert!(matches!(
        err,
        Error::SecretBlocked {
            secret: NgSecret::Pin4
        }
    ));
    assert!(ng.into_inner().sent_all());
}

#[test]
fn change_pin_maps_today_s_pin_names_onto_the_next_gen_secrets() {
    let script = ng_card()
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x82, "1234"), "9000")
        .step("0024018204 35363738", "9000")
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x81, "ABC123"), "9000")
        .step("002401810A 58595A3938373635 3433", "9000")
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x82, "1234"), "9000")
        .step("0024018204 31323334", "6A80");
    let mut card = open(script);
    card.change_pin(PinRef::Auth, b"1234", b"5678").unwrap();
    card.change_pin(PinRef::Sign, b"ABC123", b"XYZ9876543")
        .unwrap();
    let err = card.change_pin(PinRef::Auth, b"1234", b"1234").unwrap_err();
    assert!(matches!(err, Error::UnexpectedStatus { sw, .. } if sw.0 == 0x6A80));
    let err = card
        .change_pin(PinRef::TextSupport, b"1234", b"5678")
        .unwrap_err();
    assert!(matches!(err, Error::NotOnThisGeneration { .. }), "{err:?}");
    finished(card);
}

#[test]
fn the_puk_is_set_after_the_signing_password_and_resets_pin4() {
    let script = ng_card()
        // set: VERIFY the signing password, then CHANGE REFERENCE DATA on 83
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x81, "ABC123"), "9000")
        .step("0024018308 3132333435363738", "9000")
        // reset: 00 2C 00 82 0C <PUK 8><PIN4 4>
        .step(SELECT_NG_AUTH, "9000")
        .step("002C00820C 3132333435363738 39383736", "9000")
        .step(SELECT_NG_AUTH, "9000")
        .step("002C00820C 3837363534333231 39383736", "63C2")
        .step(SELECT_NG_AUTH, "9000")
        .step("002C00820C 3837363534333231 39383736", "6A88")
        .step(SELECT_NG_AUTH, "9000")
        .step("002C00820C 3837363534333231 39383736", "6983");
    let mut card = open(script);
    card.set_puk(b"ABC123", b"12345678").unwrap();
    card.reset_pin_with_puk(b"12345678", b"9876").unwrap();
    assert!(matches!(
        card.reset_pin_with_puk(b"87654321", b"9876"),
        Err(Error::WrongSecret {
            secret: NgSecret::Puk,
            tries_left: 2
        })
    ));
    assert!(matches!(
        card.reset_pin_with_puk(b"87654321", b"9876"),
        Err(Error::PukNotSet)
    ));
    let err = card.reset_pin_with_puk(b"87654321", b"9876").unwrap_err();
    assert!(matches!(
        err,
        Error::SecretBlocked {
            secret: NgSecret::Puk
        }
    ));
    assert!(err.to_string().contains("municipality"), "{err}");
    finished(card);
}

#[test]
fn a_current_card_has_no_puk_and_nothing_is_sent() {
    let mut card = open(current_card());
    for err in [
        card.reset_pin_with_puk(b"12345678", b"1234").unwrap_err(),
        card.set_puk(b"ABC123", b"12345678").unwrap_err(),
    ] {
        assert!(matches!(
            err,
            Error::NotOnThisGeneration {
                generation: Generation::Current,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "this card has no PUK (first-generation card)"
        );
    }
    finished(card);
}

#[test]
fn my_number_and_four_facts_are_read_from_0021_and_0022_in_a_pin4_session() {
    // "Hanako", "Tokyo", 19800217, 2; offsets from byte 0 of the EF (jpki-spec §6)
    let facts = "FF202B DF2108 000E 0017 001F 002A DF2206 48616E616B6F DF2305 546F6B796F DF2408 3139383030323137 DF2501 32";
    let script = ng_card()
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x82, "1234"), "9000")
        .step("00A4020C020021", "9000")
        .step("00B0000000", "FF100C 313233343536373839303138 FFFF 9000")
        .step("00A4020C020022", "9000")
        .step(
            "00B0000008",
            &format!("{}9000", &facts.replace(' ', "")[..16]),
        )
        .answer(
            "00B0000826",
            &hex::decode(&facts.replace(' ', "")[16..]).unwrap(),
            0x9000,
        );
    let mut ng = NextGenApplet::open(script).unwrap();
    let mut session = ng.verify(NgSecret::Pin4, b"1234").unwrap();
    assert_eq!(session.verified(), NgSecret::Pin4);
    assert_eq!(session.my_number().unwrap(), "123456789018");
    let four = session.four_facts().unwrap();
    assert_eq!(
        (four.name.as_str(), four.address.as_str()),
        ("Hanako", "Tokyo")
    );
    assert_eq!(four.birth, (1980, 2, 17));
    assert!(ng.into_inner().sent_all());
}
