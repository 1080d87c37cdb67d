//! The card file: durable changes, refusal of corrupt or foreign files, issuance rules.

use test_support::cards;

use std::fs;

use card_sim::{CardProfile, Corruption, Error, SimCard};
use cards::*;
use pin_policy::PinKind;

#[test]
fn card_file_round_trips_everything() {
    let dir = temp_dir("round-trip");
    let path = dir.join("card.jpki");
    let mut card = SimCard::create(&path, my_number_contents()).unwrap();
    assert_eq!(card.path(), Some(path.as_path()));
    // a second look at the file while the card has it: a copy that writes nothing
    let mut reopened = SimCard::open_snapshot(&path).unwrap();
    assert_eq!(reopened.profile(), CardProfile::MyNumber);
    // both answer the same script byte for byte
    let script = [
        SELECT_JPKI,
        "00 A4 02 0C 02 00 0A",
        "00 B0 00 00 00",
        "00 A4 02 0C 02 00 1B",
        "00 20 00 80 06 41 42 43 31 32 33",
        "00 A4 02 0C 02 00 01",
        "00 B0 01 00 00",
        "00 A4 02 0C 02 00 1A",
        "80 2A 00 80 05 01 02 03 04 05 00",
        SELECT_TEXT,
        "00 A4 02 0C 02 00 11",
        "00 20 00 80 04 35 36 37 38",
        "00 A4 02 0C 02 00 02",
        "00 B0 00 00 00",
        "00 A4 02 0C 02 00 01",
        "00 B0 00 00 11",
    ];
    for capdu in script {
        let a = card.process(&hx(capdu));
        let b = reopened.process(&hx(capdu));
        assert_eq!(a, b, "{capdu}");
        assert_eq!(&a[a.len() - 2..], &[0x90, 0x00], "{capdu}");
    }
    let juki = dir.join("juki.jpki");
    SimCard::create(&juki, juki_contents()).unwrap();
    assert_eq!(SimCard::open(&juki).unwrap().profile(), CardProfile::Juki);
}

#[test]
fn every_counter_change_is_on_disk_before_the_answer() {
    let dir = temp_dir("durable");
    let path = dir.join("card.jpki");
    let mut card = SimCard::create(&path, my_number_contents()).unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(&mut card, "00 20 00 80 04 30 30 30 30", "63C2");
    assert_eq!(auth_tries(&SimCard::open_snapshot(&path).unwrap()), 2);
    exchange(&mut card, "00 20 00 80 04 30 30 30 30", "63C1");
    assert_eq!(auth_tries(&SimCard::open_snapshot(&path).unwrap()), 1);
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    assert_eq!(auth_tries(&SimCard::open_snapshot(&path).unwrap()), 3);
    // a PIN change is durable too
    exchange(
        &mut card,
        &format!("00 24 01 80 {}", lc_ascii("9876")),
        "9000",
    );
    let mut other = reopen(card);
    exchange(&mut other, SELECT_JPKI, "9000");
    exchange(&mut other, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut other,
        &format!("00 20 00 80 {}", lc_ascii("9876")),
        "9000",
    );
    // the blocked state is durable
    for sw in ["63C2", "63C1", "63C0", "6984"] {
        exchange(&mut other, "00 20 00 80 04 30 30 30 30", sw);
    }
    let mut again = reopen(other);
    exchange(&mut again, SELECT_JPKI, "9000");
    exchange(&mut again, "00 A4 02 0C 02 00 18", "9000");
    exchange(&mut again, "00 20 00 80", "63C0");
    exchange(
        &mut again,
        &format!("00 20 00 80 {}", lc_ascii("9876")),
        "6984",
    );
}

#[test]
fn when_the_counter_cannot_be_written_the_pin_is_not_compared() {
    let dir = temp_dir("unwritable");
    let card_dir = dir.join("cards");
    let away = dir.join("moved-away");
    fs::create_dir(&card_dir).unwrap();
    let path = card_dir.join("card.jpki");
    let mut card = SimCard::create(&path, my_number_contents()).unwrap();
    let before = fs::read(&path).unwrap();
    // the card's directory gone (renamed away): every write fails, even as root
    fs::rename(&card_dir, &away).unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    for _ in 0..4 {
        exchange(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
            "6581",
        );
    }
    // not verified: the key stays locked
    exchange(&mut card, "00 A4 02 0C 02 00 17", "9000");
    exchange(&mut card, "80 2A 00 80 01 00 00", "6982");
    // nothing was counted, in memory or on disk: the card is as before the commands
    assert_eq!(auth_tries(&card), 3);
    assert_eq!(fs::read(away.join("card.jpki")).unwrap(), before);
    // a PIN change that cannot be written changes nothing
    fs::rename(&away, &card_dir).unwrap();
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    fs::rename(&card_dir, &away).unwrap();
    exchange(
        &mut card,
        &format!("00 24 01 80 {}", lc_ascii("1111")),
        "6581",
    );
    fs::rename(&away, &card_dir).unwrap();
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    assert_eq!(auth_tries(&SimCard::open_snapshot(&path).unwrap()), 3);
}

#[test]
fn a_new_card_never_overwrites_a_file() {
    let dir = temp_dir("no-overwrite");
    let path = dir.join("card.jpki");
    fs::write(&path, b"someone's notes").unwrap();
    let err = SimCard::create(&path, my_number_contents()).unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
    assert_eq!(fs::read(&path).unwrap(), b"someone's notes");
    // nor another card
    let card_path = dir.join("other.jpki");
    SimCard::create(&card_path, my_number_contents()).unwrap();
    let before = fs::read(&card_path).unwrap();
    assert!(matches!(
        SimCard::create(&card_path, juki_contents()),
        Err(Error::AlreadyExists { .. })
    ));
    assert_eq!(fs::read(&card_path).unwrap(), before);
    // and leaves no temp file behind
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".tmp")),
        "temp files left: {names:?}"
    );
}

#[test]
fn foreign_files_are_refused_and_left_untouched() {
    let dir = temp_dir("foreign");
    let path = dir.join("notes.txt");
    fs::write(&path, b"not a card at all, just some text").unwrap();
    let err = SimCard::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotACardFile { .. }), "{err}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(
        fs::read(&path).unwrap(),
        b"not a card at all, just some text"
    );
    // empty and missing files
    fs::write(&path, b"").unwrap();
    assert!(matches!(
        SimCard::open(&path),
        Err(Error::NotACardFile { .. })
    ));
    assert!(matches!(
        SimCard::open(dir.join("missing")),
        Err(Error::Io { .. })
    ));
}

#[test]
fn other_versions_are_refused() {
    let dir = temp_dir("version");
    let path = dir.join("card.jpki");
    SimCard::create(&path, my_number_contents()).unwrap();
    let mut bytes = fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], &card_sim::MAGIC);
    assert_eq!(&bytes[8..10], &card_sim::FORMAT_VERSION.to_be_bytes());
    bytes[8..10].copy_from_slice(&6u16.to_be_bytes());
    fs::write(&path, &bytes).unwrap();
    let err = SimCard::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnsupportedVersion {
                version: 6,
                supported: 5,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

#[test]
fn corrupt_files_give_a_clear_error_and_are_never_overwritten() {
    let dir = temp_dir("corrupt");
    let path = dir.join("card.jpki");
    SimCard::create(&path, my_number_contents()).unwrap();
    let good = fs::read(&path).unwrap();
    // every bit flip past the header, and every truncation, is caught
    for pos in (10..good.len()).step_by(13).chain([good.len() - 1]) {
        let mut bad = good.clone();
        bad[pos] ^= 0x01;
        fs::write(&path, &bad).unwrap();
        match SimCard::open(&path) {
            Err(Error::Corrupt { problem, .. }) => {
                assert_eq!(problem, Corruption::ChecksumMismatch, "flip at {pos}")
            }
            other => panic!("flip at {pos}: {other:?}"),
        }
        assert_eq!(fs::read(&path).unwrap(), bad);
    }
    for len in [9, 10, 11, 40, good.len() / 2, good.len() - 1] {
        fs::write(&path, &good[..len]).unwrap();
        let err = SimCard::open(&path).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "len {len}: {err}");
        assert!(err.to_string().contains("corrupt"), "{err}");
    }
    fs::write(&path, [&good[..], b"extra"].concat()).unwrap();
    assert!(matches!(SimCard::open(&path), Err(Error::Corrupt { .. })));
    // a huge file is refused without reading it
    let huge = fs::File::create(&path).unwrap();
    huge.set_len(64 << 20).unwrap();
    assert!(matches!(
        SimCard::open(&path),
        Err(Error::FileTooLarge { .. })
    ));
}

// ---------------------------------------------------------------- issuance rules

#[test]
fn issuance_checks_the_profile_and_pin_rules() {
    // Juki cards have no authentication key and no text-support AP
    let mut juki = juki_contents();
    juki.authentication = Some(key_contents(1, 3, PinKind::JukiSignature, "1234", 5));
    assert!(matches!(
        SimCard::new(juki),
        Err(Error::NotOnProfile {
            profile: CardProfile::Juki,
            ..
        })
    ));
    let mut juki = juki_contents();
    juki.text_support = my_number_contents().text_support;
    assert!(matches!(
        SimCard::new(juki),
        Err(Error::NotOnProfile { .. })
    ));
    // a Juki PIN is not a My Number signature PIN
    let mut juki = juki_contents();
    juki.signature = Some(key_contents(2, 4, PinKind::Signature, SIGN_PIN, 5));
    assert!(matches!(
        SimCard::new(juki),
        Err(Error::WrongPinKind {
            expected: PinKind::JukiSignature,
            found: PinKind::Signature,
            ..
        })
    ));
    let mut contents = my_number_contents();
    contents.authentication = Some(key_contents(1, 3, PinKind::TextSupport, "1234", 3));
    assert!(matches!(
        SimCard::new(contents),
        Err(Error::WrongPinKind { .. })
    ));
    // retry limits must fit 63Cx
    for limit in [0, 16] {
        let mut contents = my_number_contents();
        contents.signature = Some(key_contents(2, 4, PinKind::Signature, SIGN_PIN, limit));
        let err = SimCard::new(contents).unwrap_err();
        assert!(
            matches!(err, Error::Pin(pin_policy::Error::InvalidRetryLimit { .. })),
            "{err}"
        );
    }
    // a card without any certificate is still a card (e.g. both omitted)
    let mut contents = my_number_contents();
    contents.authentication = None;
    contents.signature = None;
    let mut card = SimCard::new(contents).unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 08", "9000");
    exchange_exact(&mut card, "00 B0 00 00 03", "00 00 00 9000");
}

#[test]
fn issuance_refuses_keys_other_than_rsa_2048_and_oversize_files() {
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let small = rsa::PrivateKey::new(&mut rng, 1024).unwrap();
    let mut contents = my_number_contents();
    contents.authentication.as_mut().unwrap().private_key = small;
    assert!(matches!(
        SimCard::new(contents),
        Err(Error::KeySize { bits: 1024, .. })
    ));
    let mut contents = my_number_contents();
    contents.signature.as_mut().unwrap().certificate = vec![0x30; 0x8100];
    assert!(matches!(
        SimCard::new(contents),
        Err(Error::EfTooLarge { fid: 0x0001, .. })
    ));
}

#[test]
fn my_number_must_have_a_valid_check_digit() {
    assert!(card_sim::MyNumber::new(MY_NUMBER).is_ok());
    for bad in [
        "123456789019",
        "12345678901",
        "1234567890180",
        "12345678901A",
        "",
    ] {
        assert!(
            matches!(
                card_sim::MyNumber::new(bad),
                Err(Error::InvalidMyNumber { .. })
            ),
            "{bad}"
        );
    }
    let mut contents = my_number_contents();
    contents.text_support.as_mut().unwrap().facts.birth_date = "1990-1-1".into();
    assert!(matches!(
        SimCard::new(contents),
        Err(Error::InvalidFacts { .. })
    ));
}

#[test]
fn inspection_shows_public_parts_only() {
    let card = SimCard::new(my_number_contents()).unwrap();
    use card_sim::KeyRole;
    assert_eq!(
        card.certificate(KeyRole::Authentication),
        Some(&key(1).cert[..])
    );
    assert_eq!(
        card.ca_certificate(KeyRole::Signature),
        Some(&key(4).cert[..])
    );
    assert!(card.has_text_support());
    let juki = SimCard::new(juki_contents()).unwrap();
    assert_eq!(juki.certificate(KeyRole::Authentication), None);
    assert!(!juki.has_text_support());
    // Debug never shows PINs, the My Number or key material
    let dbg = format!("{card:?}");
    for secret in [AUTH_PIN, SIGN_PIN, TEXT_PIN, MY_NUMBER] {
        let as_bytes = format!("{:?}", secret.as_bytes());
        assert!(!dbg.contains(&as_bytes), "{secret} leaked");
        assert!(!dbg.contains(secret), "{secret} leaked");
    }
    assert!(dbg.contains("<redacted>"));
}
