use std::sync::OnceLock;

use pin_policy::{Pin, PinKind};
use proptest::prelude::*;
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

use super::*;
use crate::contents::{CardContents, KeyContents, TextSupportContents};

fn sample() -> &'static CardData {
    static DATA: OnceLock<CardData> = OnceLock::new();
    DATA.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let key = rsa::PrivateKey::new(&mut rng, 2048).unwrap();
        CardData::issue(CardContents {
            profile: CardProfile::MyNumber,
            authentication: Some(KeyContents {
                certificate: vec![0x30, 0x03, 1, 2, 3],
                ca_certificate: vec![0x30, 0x00],
                private_key: key,
                pin: Pin::new(PinKind::Authentication, b"1234").unwrap(),
                retry_limit: 3,
            }),
            signature: None,
            text_support: Some(TextSupportContents {
                my_number: MyNumber::new("123456789018").unwrap(),
                facts: FourFacts {
                    name: "A".into(),
                    address: "B".into(),
                    birth_date: "20000101".into(),
                    sex: Sex::Male,
                },
                pin: Pin::new(PinKind::TextSupport, b"0000").unwrap(),
                retry_limit: 3,
                records: None,
            }),
            visual: None,
            common: None,
            verification: None,
        })
        .unwrap()
    })
}

/// Puts a valid header and checksum around `body`, so that decoding gets past both.
fn seal(body: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    out.extend_from_slice(body);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

#[test]
fn encoding_round_trips() {
    let bytes = encode(sample()).unwrap();
    let Ok(back) = decode(&bytes) else {
        panic!("does not decode")
    };
    assert_eq!(*encode(&back).unwrap(), *bytes);
}

#[test]
fn version_1_files_are_read_as_cards_without_an_authority() {
    let v2 = encode(sample()).unwrap();
    // a version-2 card without binding ends in `admin = 00`, `life = 00`
    let body = &v2[10..v2.len() - 32];
    assert_eq!(&body[body.len() - 2..], [0, 0]);
    let mut v1 = MAGIC.to_vec();
    v1.extend_from_slice(&1u16.to_be_bytes());
    v1.extend_from_slice(&body[..body.len() - 2]);
    let sum = Sha256::digest(&v1);
    v1.extend_from_slice(&sum);
    let Ok(card) = decode(&v1) else {
        panic!("a version-1 file does not decode")
    };
    assert!(card.admin.is_none());
    assert!(!card.terminated);
    // written back as version 2, byte for byte what a new card would be
    assert_eq!(*encode(&card).unwrap(), *v2);
    // a version-1 body with the version-2 trailer is refused, not misread
    let mut bad = v1[..v1.len() - 32].to_vec();
    bad.extend_from_slice(&[0, 0]);
    let sum = Sha256::digest(&bad);
    bad.extend_from_slice(&sum);
    assert!(matches!(
        decode(&bad),
        Err(DecodeError::Corrupt(Corruption::TrailingBytes { extra: 2 }))
    ));
}

#[test]
fn old_card_files_answer_the_corrected_df21_table() {
    // The card file keeps the 4 facts, not EF 0002's bytes: a file written before the
    // DF21 fix (oldest format, version 1) answers the table real cards write, counted from
    // byte 0 of the EF (card-map §4), with no upgrade step.
    let v2 = encode(sample()).unwrap();
    let body = &v2[10..v2.len() - 34];
    let mut v1 = MAGIC.to_vec();
    v1.extend_from_slice(&1u16.to_be_bytes());
    v1.extend_from_slice(body);
    let sum = Sha256::digest(&v1);
    v1.extend_from_slice(&sum);
    let Ok(card) = decode(&v1) else {
        panic!("a version-1 file does not decode")
    };
    let ef = crate::card::files::Ef::Facts.content(&card).unwrap();
    // DF22 `A` 4 bytes, DF23 `B` 4 bytes, DF24 11 bytes, DF25 4 bytes
    assert_eq!(hex::encode_upper(&ef[..14]), "FF2022DF2108000E001200160021");
    assert_eq!(ef.len(), 3 + 0x22);
}

#[test]
fn administration_and_life_cycle_round_trip() {
    use p256::ecdsa::SigningKey;
    let mut data = sample().clone();
    let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
    data.admin = Some(Administration {
        card_id: *b"0123456789abcdef",
        admin_key: *key.verifying_key(),
        card_expiry: Date::from_calendar_date(2035, time::Month::March, 31).unwrap(),
    });
    for terminated in [false, true] {
        data.terminated = terminated;
        let bytes = encode(&data).unwrap();
        let Ok(back) = decode(&bytes) else {
            panic!("does not decode")
        };
        assert_eq!(back.admin, data.admin);
        assert_eq!(back.terminated, terminated);
        assert_eq!(*encode(&back).unwrap(), *bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Even content with a valid checksum (a crafted file) never panics the loader.
    #[test]
    fn sealed_garbage_is_rejected_without_panic(body in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode(&seal(&body));
    }

    #[test]
    fn sealed_mutations_of_a_real_card_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let bytes = encode(sample()).unwrap();
        let mut body = bytes[10..bytes.len() - 32].to_vec();
        for (i, b) in edits {
            let i = i.index(body.len());
            body[i] = b;
        }
        if truncate {
            body.truncate(cut.index(body.len()));
        }
        let _ = decode(&seal(&body));
    }
}
