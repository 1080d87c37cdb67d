//! The fuzzed card: a My Number card bound to a municipality, with every application, built
//! once per process from fixed seeds (the PINs and values the shadow model knows).

use std::sync::OnceLock;

use pin_policy::{Pin, PinKind};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;

fn key(seed: u64, kind: PinKind, pin: &[u8], limit: u8, fill: u8) -> KeyContents {
    let mut rng = StdRng::seed_from_u64(seed);
    KeyContents {
        // Placeholder DER headers: the card serves certificates, it does not parse them.
        certificate: [&[0x30, 0x82, 0x01, 0x00][..], &[fill; 0x100]].concat(),
        ca_certificate: [&[0x30, 0x82, 0x00, 0x10][..], &[0x5A; 0x10]].concat(),
        private_key: rsa::PrivateKey::new(&mut rng, 2048).expect("seeded key generation"),
        pin: Pin::new(kind, pin).expect("fixed PIN is valid"),
        retry_limit: limit,
    }
}

pub(super) fn contents() -> &'static (CardContents, Administration) {
    static CONTENTS: OnceLock<(CardContents, Administration)> = OnceLock::new();
    CONTENTS.get_or_init(|| {
        let authentication = key(1, PinKind::Authentication, AUTH_PIN, 3, 0xA5);
        // one more key for the three card keys of the other APs
        let card_key = authentication.private_key.clone();
        let pin = |kind, value| Pin::new(kind, value).expect("fixed key is valid");
        let contents = CardContents {
            profile: CardProfile::MyNumber,
            authentication: Some(authentication),
            signature: Some(key(2, PinKind::Signature, SIGN_PIN, 5, SIGN_CERT_FILL)),
            text_support: Some(TextSupportContents {
                my_number: MyNumber::new("123456789018").expect("valid check digit"),
                facts: FourFacts {
                    name: "番号\u{3000}花子".to_owned(),
                    address: "東京都千代田区".to_owned(),
                    birth_date: "19900101".to_owned(),
                    sex: Sex::Female,
                },
                pin: Pin::new(PinKind::TextSupport, TEXT_PIN).expect("fixed PIN is valid"),
                retry_limit: 3,
                records: Some(TextSupportRecords {
                    integrity: vec![0x31; 336],
                    cv_certificate: vec![0x32; 568],
                    basic_info: vec![0x33; 256],
                    session_key: vec![0x34; 269],
                    signed_key: vec![0x35; 536],
                    card_key: card_key.clone(),
                }),
            }),
            visual: Some(VisualContents {
                age_record: vec![0x41; 300],
                card_face: vec![0x42; 600],
                basic_info: vec![0x43; 100],
                cv_certificate: vec![0x44; 568],
                my_number_image: vec![0x45; 300],
                card_key: card_key.clone(),
            }),
            common: Some(CommonContents {
                serial: "400000012719843".to_owned(),
                municipality: "13101".to_owned(),
                expiry: "20350331".to_owned(),
                key_reference: [0x4B; 16],
                internal_auth_key: card_key,
                common_pin: pin(PinKind::ResidentRegistry, COMMON_PIN),
                juki_pin: pin(PinKind::ResidentRegistry, COMMON_PIN),
                retry_limit: 3,
                mf_objects: None,
            }),
            verification: Some(VerificationContents {
                number_b: pin(PinKind::VerificationB, NUMBER_B),
                birth_date: pin(PinKind::BirthDate, BIRTH_KEY),
                retry_limit: 10,
                security_code: "2285".to_owned(),
            }),
        };
        // The municipality's key: only its public half reaches the card; the private half is
        // dropped here, so no input can produce a valid EXTERNAL AUTHENTICATE.
        let admin_key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("valid scalar");
        let administration = Administration {
            card_id: *b"FUZZ-CARD-000001",
            admin_key: *admin_key.verifying_key(),
            card_expiry: time::Date::from_calendar_date(2035, time::Month::March, 31)
                .expect("valid date"),
        };
        (contents, administration)
    })
}
