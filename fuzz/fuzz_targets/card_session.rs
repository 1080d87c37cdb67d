//! Arbitrary APDU sequences to a My Number card: every answer is a valid R-APDU of at least
//! two bytes, and nothing panics.
//!
//! Input: a sequence of records. `FE` powers the card off, `FD` resets it; `FF hi lo <bytes>`
//! is a C-APDU of up to 65 535 bytes; any other byte `n` is followed by a C-APDU of `n` bytes.

#![no_main]

use std::sync::OnceLock;

use card_sim::{
    CardContents, CardProfile, FourFacts, KeyContents, MyNumber, Sex, SimCard, TextSupportContents,
};
use libfuzzer_sys::fuzz_target;
use pin_policy::{Pin, PinKind};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

fn key(seed: u64, kind: PinKind, pin: &[u8], limit: u8) -> KeyContents {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    KeyContents {
        // Placeholder DER headers: the card serves certificates, it does not parse them.
        certificate: [&[0x30, 0x82, 0x01, 0x00][..], &[0xA5; 0x100]].concat(),
        ca_certificate: [&[0x30, 0x82, 0x00, 0x10][..], &[0x5A; 0x10]].concat(),
        private_key: rsa::PrivateKey::new(&mut rng, 2048).expect("seeded key generation"),
        pin: Pin::new(kind, pin).expect("fixed PIN is valid"),
        retry_limit: limit,
    }
}

fn contents() -> &'static CardContents {
    static CONTENTS: OnceLock<CardContents> = OnceLock::new();
    CONTENTS.get_or_init(|| CardContents {
        profile: CardProfile::MyNumber,
        authentication: Some(key(1, PinKind::Authentication, b"1234", 3)),
        signature: Some(key(2, PinKind::Signature, b"ABC123", 5)),
        text_support: Some(TextSupportContents {
            my_number: MyNumber::new("123456789018").expect("valid check digit"),
            facts: FourFacts {
                name: "番号\u{3000}花子".to_owned(),
                address: "東京都千代田区".to_owned(),
                birth_date: "19900101".to_owned(),
                sex: Sex::Female,
            },
            pin: Pin::new(PinKind::TextSupport, b"5678").expect("fixed PIN is valid"),
            retry_limit: 3,
        }),
    })
}

fuzz_target!(|data: &[u8]| {
    let mut card = SimCard::new(contents().clone()).expect("fixed contents are valid");
    let mut rest = data;
    while let Some((&head, tail)) = rest.split_first() {
        let (len, tail) = match head {
            0xFE => {
                card.power_off();
                rest = tail;
                continue;
            }
            0xFD => {
                card.reset();
                rest = tail;
                continue;
            }
            0xFF => match tail {
                [hi, lo, more @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), more),
                _ => (tail.len(), tail),
            },
            n => (usize::from(n), tail),
        };
        let (capdu, tail) = tail.split_at(len.min(tail.len()));
        let rapdu = card.process(capdu);
        assert!(rapdu.len() >= 2, "answer shorter than a status word");
        let response = apdu::Response::decode(&rapdu).expect("a valid R-APDU");
        assert!(
            matches!(response.sw.sw1(), 0x61..=0x6F | 0x90..=0x9F),
            "status word {}",
            response.sw
        );
        rest = tail;
    }
});
