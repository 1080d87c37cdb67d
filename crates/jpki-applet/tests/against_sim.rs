//! The client against the simulator, in process: two independent readings of
//! shared/jpki-spec.md meeting on the wire.

use std::sync::OnceLock;

use card_sim::SimCard;
use jpki_applet::{CardKind, CertSlot, Error, HashAlg, JpkiApplet, KeyRef, PinRef};
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

fn my_number(with_sign: bool) -> JpkiApplet<SimCard> {
    JpkiApplet::open(SimCard::new(sample::my_number(set(), with_sign).unwrap()).unwrap()).unwrap()
}

#[test]
fn reads_every_certificate_byte_for_byte() {
    let s = set();
    let mut card = my_number(true);
    assert_eq!(
        card.read_certificate(CertSlot::Auth).unwrap(),
        s.my_number_auth.certificate.der()
    );
    assert_eq!(
        card.read_certificate(CertSlot::AuthCa).unwrap(),
        s.auth_ca.certificate().der()
    );
    assert_eq!(
        card.read_certificate(CertSlot::SignCa).unwrap(),
        s.sign_ca.certificate().der()
    );
    assert!(matches!(
        card.read_certificate(CertSlot::Sign),
        Err(Error::SecurityStatusNotSatisfied)
    ));
    assert_eq!(
        card.read_sign_certificate(b"ABC123").unwrap(),
        s.my_number_sign.certificate.der()
    );
}

#[test]
fn token_info_and_availability() {
    let card = my_number(true);
    assert_eq!(card.kind(), CardKind::MyNumber);
    // the simulator's EF 0006 parses field by field (card-map §3)
    let token = card.token_info();
    assert_eq!(token.label, "JPKIAPICCTOKEN2");
    assert_eq!(token.model, "E16R01NJ");
    assert_eq!(token.flags, 0x0000_040D);
    assert_eq!((token.min_pin_len, token.max_pin_len), (6, 16));
    assert!(
        token.serial_number.len() == 16 && token.serial_number.bytes().all(|b| b.is_ascii_digit())
    );
    let a = card.availability();
    assert!(a.auth && a.sign);
    let mut no_sign = my_number(false);
    // another card, another serial
    assert_ne!(no_sign.token_info().serial_number, token.serial_number);
    let a = no_sign.availability();
    assert!(a.auth && !a.sign);
    assert!(matches!(
        no_sign.read_certificate(CertSlot::Sign),
        Err(Error::NoCertificate {
            slot: CertSlot::Sign
        })
    ));
    assert!(matches!(
        no_sign.pin_status(PinRef::Sign),
        Err(Error::FileNotFound { .. })
    ));
}

#[test]
fn signatures_verify_with_the_certificate_key_for_each_hash() {
    let s = set();
    let mut card = my_number(true);
    for (alg, pin, keyref, cert) in [
        (
            HashAlg::Sha256,
            &b"ABC123"[..],
            KeyRef::Sign,
            &s.my_number_sign.certificate,
        ),
        (
            HashAlg::Sha384,
            b"1234",
            KeyRef::Auth,
            &s.my_number_auth.certificate,
        ),
        (
            HashAlg::Sha512,
            b"ABC123",
            KeyRef::Sign,
            &s.my_number_sign.certificate,
        ),
    ] {
        let di = alg.hash_to_digest_info(b"message").unwrap();
        let sig = card.sign(keyref, pin, &di).unwrap();
        cert.rsa_public_key()
            .unwrap()
            .verify(rsa::pkcs1v15::Pkcs1v15Sign::new_unprefixed(), &di, &sig)
            .unwrap();
    }
}

#[test]
fn the_card_refuses_to_sign_without_the_pin() {
    let mut card = my_number(true);
    let di = HashAlg::Sha256.hash_to_digest_info(b"x").unwrap();
    assert!(matches!(
        card.sign_without_pin(KeyRef::Sign, &di),
        Err(Error::SecurityStatusNotSatisfied)
    ));
    assert!(matches!(
        card.sign_without_pin(KeyRef::Auth, &di),
        Err(Error::SecurityStatusNotSatisfied)
    ));
}

#[test]
fn wrong_pins_count_down_to_blocked_and_status_never_spends_a_try() {
    let mut card = my_number(true);
    assert_eq!(card.pin_status(PinRef::Auth).unwrap().tries_left, 3);
    for left in [2u8, 1] {
        let e = card.verify_pin(PinRef::Auth, b"0000").unwrap_err();
        assert!(
            matches!(e, Error::WrongPin { tries_left, .. } if tries_left == left),
            "{e}"
        );
        assert_eq!(card.pin_status(PinRef::Auth).unwrap().tries_left, left);
    }
    assert!(matches!(
        card.verify_pin(PinRef::Auth, b"0000"),
        Err(Error::WrongPin { tries_left: 0, .. })
    ));
    assert!(card.pin_status(PinRef::Auth).unwrap().is_blocked());
    // now even the right PIN is refused
    assert!(matches!(
        card.verify_pin(PinRef::Auth, b"1234"),
        Err(Error::PinBlocked { .. })
    ));
    // the signature PIN is independent
    card.verify_pin(PinRef::Sign, b"ABC123").unwrap();
}

#[test]
fn a_right_pin_resets_the_counter() {
    let mut card = my_number(true);
    card.verify_pin(PinRef::Sign, b"ZZZ999").unwrap_err();
    assert_eq!(card.pin_status(PinRef::Sign).unwrap().tries_left, 4);
    card.verify_pin(PinRef::Sign, b"ABC123").unwrap();
    assert_eq!(card.pin_status(PinRef::Sign).unwrap().tries_left, 5);
}

#[test]
fn change_pin_then_only_the_new_one_works() {
    let mut card = my_number(true);
    card.change_pin(PinRef::Sign, b"ABC123", b"NEW2026PIN")
        .unwrap();
    assert!(matches!(
        card.verify_pin(PinRef::Sign, b"ABC123"),
        Err(Error::WrongPin { .. })
    ));
    card.verify_pin(PinRef::Sign, b"NEW2026PIN").unwrap();
    // a wrong old PIN changes nothing and costs a try
    assert!(card.change_pin(PinRef::Auth, b"9999", b"1111").is_err());
    card.verify_pin(PinRef::Auth, b"1234").unwrap();
}

#[test]
fn text_support_matches_the_signature_certificate() {
    let mut card = my_number(true);
    assert_eq!(
        card.text_support().my_number(b"5678").unwrap(),
        "123456789018"
    );
    let facts = card.text_support().four_facts(b"5678").unwrap();
    let cert_facts = set().my_number_sign.certificate.four_facts().unwrap();
    assert_eq!(facts.name, cert_facts.name.text());
    assert_eq!(facts.address, cert_facts.address.text());
    let d = cert_facts.birth_date;
    assert_eq!(
        facts.birth,
        (
            u16::try_from(d.year()).unwrap(),
            u8::from(d.month()),
            d.day()
        )
    );
    assert!(matches!(
        card.text_support().my_number(b"0000"),
        Err(Error::WrongPin { tries_left: 2, .. })
    ));
}

#[test]
fn juki_cards_use_the_juki_pin_rule() {
    let s = set();
    let card = SimCard::new(sample::juki(set()).unwrap()).unwrap();
    let mut card = JpkiApplet::open(card).unwrap();
    assert_eq!(card.kind(), CardKind::Juki);
    let di = HashAlg::Sha256.hash_to_digest_info(b"juki").unwrap();
    let sig = card
        .sign(KeyRef::Sign, sample::JUKI_PIN.as_bytes(), &di)
        .unwrap();
    s.juki_sign
        .certificate
        .rsa_public_key()
        .unwrap()
        .verify(rsa::pkcs1v15::Pkcs1v15Sign::new_unprefixed(), &di, &sig)
        .unwrap();
    assert!(matches!(
        card.read_certificate(CertSlot::Auth),
        Err(Error::NoCertificate { .. })
    ));
}

#[test]
fn an_address_of_exactly_127_bytes_reads_back_whole() {
    // 42 kanji (126 bytes of UTF-8) and a digit: the length that iso7816-tlv's own encoder got
    // wrong inside the FF20 object
    let address = format!("{}1", "東".repeat(42));
    assert_eq!(address.len(), 127);
    let mut contents = sample::my_number(set(), true).unwrap();
    contents.text_support.as_mut().unwrap().facts.address = address.clone();
    let mut card = JpkiApplet::open(SimCard::new(contents).unwrap()).unwrap();
    let facts = card
        .text_support()
        .four_facts(sample::TEXT_PIN.as_bytes())
        .unwrap();
    assert_eq!(facts.address, address);
}

#[test]
fn the_card_s_df21_table_passes_the_client_s_check_across_length_forms() {
    // card and client read card-map §4 independently: the client's offset check accepts the
    // card's table whatever the FF20 length form (short, 81 xx, 82 xx xx)
    let mut contents = sample::my_number(set(), true).unwrap();
    let mut card = JpkiApplet::open(SimCard::new(contents.clone()).unwrap()).unwrap();
    let base = card
        .text_support()
        .four_facts(sample::TEXT_PIN.as_bytes())
        .unwrap();
    for extra in [0, 1, 60, 61, 100, 300] {
        let address = format!("{}{}", base.address, "x".repeat(extra));
        contents.text_support.as_mut().unwrap().facts.address = address.clone();
        let mut card = JpkiApplet::open(SimCard::new(contents.clone()).unwrap()).unwrap();
        let facts = card
            .text_support()
            .four_facts(sample::TEXT_PIN.as_bytes())
            .unwrap_or_else(|e| panic!("address + {extra} bytes: {e}"));
        assert_eq!(facts.address, address);
    }
}

#[test]
fn one_verify_serves_the_certificate_and_several_signatures_until_a_reselect() {
    let s = set();
    let mut card = my_number(true);
    let di = HashAlg::Sha256
        .hash_to_digest_info(b"two documents")
        .unwrap();
    let mut session = card.verify_sign_pin(b"ABC123").unwrap();
    assert_eq!(
        session.certificate().unwrap(),
        s.my_number_sign.certificate.der()
    );
    for _ in 0..2 {
        let sig = session.sign(&di).unwrap();
        s.my_number_sign
            .certificate
            .rsa_public_key()
            .unwrap()
            .verify(rsa::pkcs1v15::Pkcs1v15Sign::new_unprefixed(), &di, &sig)
            .unwrap();
    }
    assert_eq!(
        session.read_certificate(CertSlot::SignCa).unwrap(),
        s.sign_ca.certificate().der()
    );
    // the session ends here (its last use): the applet is free again
    // the next operation re-selects the application: the verified state is gone (§5)
    assert!(matches!(
        card.sign_without_pin(KeyRef::Sign, &di),
        Err(Error::SecurityStatusNotSatisfied)
    ));
    // and an authentication session does not unlock the signature key or certificate
    let mut auth = card.verify_auth_pin(b"1234").unwrap();
    assert_eq!(
        auth.certificate().unwrap(),
        s.my_number_auth.certificate.der()
    );
    assert!(matches!(
        auth.read_certificate(CertSlot::Sign),
        Err(Error::SecurityStatusNotSatisfied)
    ));
    auth.end().unwrap();
    assert!(matches!(
        card.sign_without_pin(KeyRef::Auth, &di),
        Err(Error::SecurityStatusNotSatisfied)
    ));
}

#[test]
fn today_s_simulated_card_is_detected_as_current_and_signs_through_the_one_api() {
    let s = set();
    let sim = SimCard::new(sample::my_number(s, true).unwrap()).unwrap();
    // the simulator answers 6A82 to the next-generation 認証AP, then 9000 to the JPKI AID
    let mut card = jpki_applet::JpkiCard::open(sim).unwrap();
    assert_eq!(card.generation(), jpki_applet::Generation::Current);
    assert_eq!(card.token_label(), "JPKIAPICCTOKEN2");
    let signature = card.sign(KeyRef::Sign, b"ABC123", b"message").unwrap();
    assert_eq!(
        signature.algorithm(),
        jpki_applet::SignatureAlgorithm::Sha256WithRsa
    );
    let di = HashAlg::Sha256.hash_to_digest_info(b"message").unwrap();
    s.my_number_sign
        .certificate
        .rsa_public_key()
        .expect("a current card's key is RSA")
        .verify(
            rsa::pkcs1v15::Pkcs1v15Sign::new_unprefixed(),
            &di,
            signature.as_bytes(),
        )
        .unwrap();
    let report = card.pin_statuses().unwrap();
    let auth = report.iter().find(|r| r.key == "auth").unwrap();
    assert_eq!(auth.status, Some(jpki_applet::SecretStatus::TriesLeft(3)));
    assert!(matches!(
        card.reset_pin_with_puk(b"12345678", b"1234"),
        Err(Error::NotOnThisGeneration { .. })
    ));
}
