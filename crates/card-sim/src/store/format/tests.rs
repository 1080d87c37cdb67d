use std::sync::OnceLock;

use pin_policy::{Pin, PinKind};
use proptest::prelude::*;
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

use super::*;
use crate::contents::{CardContents, KeyContents, TextSupportContents};
use crate::life::{CardHistory, CardState, Cessation};
use pin_policy::{PinSlot, RetryCounter};

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
    let v4 = encode(sample()).unwrap();
    // a version-5 card without binding or new APs ends in `admin = 00`, `life = 00`, four
    // absent version-3 sections, an empty history (two absent dates) and no next-gen AP
    let body = &v4[10..v4.len() - 32];
    assert_eq!(&body[body.len() - 9..], [0; 9]);
    let mut v1 = MAGIC.to_vec();
    v1.extend_from_slice(&1u16.to_be_bytes());
    v1.extend_from_slice(&body[..body.len() - 9]);
    let sum = Sha256::digest(&v1);
    v1.extend_from_slice(&sum);
    let Ok(card) = decode(&v1) else {
        panic!("a version-1 file does not decode")
    };
    assert!(card.admin.is_none());
    assert_eq!(card.state, CardState::Active);
    // written back as version 5, byte for byte what a new card would be
    assert_eq!(*encode(&card).unwrap(), *v4);
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
    let v4 = encode(sample()).unwrap();
    let body = &v4[10..v4.len() - 41];
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
    let at = time::macros::datetime!(2030-04-08 01:02:03 UTC);
    for state in [
        CardState::Active,
        CardState::Terminated,
        CardState::Lost { at },
        CardState::Ceased {
            cause: Cessation::Death,
            at,
        },
        CardState::Ceased {
            cause: Cessation::Emigration,
            at,
        },
    ] {
        data.state = state;
        data.history = CardHistory {
            last_renewal: Some(at),
            last_pin_reset: (state == CardState::Active).then_some(at),
        };
        let bytes = encode(&data).unwrap();
        let Ok(back) = decode(&bytes) else {
            panic!("does not decode")
        };
        assert_eq!(back.admin, data.admin);
        assert_eq!(back.state, state);
        assert_eq!(back.history, data.history);
        assert_eq!(*encode(&back).unwrap(), *bytes);
    }
}

/// A card with every application: the sample plus text records, the visual AP, the common
/// APs and the verification numbers.
pub(super) fn full() -> CardData {
    use crate::contents::{
        CommonContents, TextSupportRecords, VerificationContents, VisualContents,
    };
    let key = sample()
        .authentication
        .as_ref()
        .unwrap()
        .private_key
        .rsa()
        .clone();
    let mut contents = CardContents {
        profile: CardProfile::MyNumber,
        authentication: None,
        signature: None,
        text_support: Some(TextSupportContents {
            my_number: MyNumber::new("123456789018").unwrap(),
            facts: sample().text_support.as_ref().unwrap().facts.clone(),
            pin: Pin::new(PinKind::TextSupport, b"0000").unwrap(),
            retry_limit: 3,
            records: Some(TextSupportRecords {
                integrity: vec![1; 336],
                cv_certificate: vec![2; 568],
                basic_info: vec![3; 256],
                session_key: vec![4; 20],
                signed_key: vec![5; 30],
                card_key: key.clone(),
            }),
        }),
        visual: Some(VisualContents {
            age_record: vec![6; 10],
            card_face: vec![7; 2000],
            basic_info: vec![8; 10],
            cv_certificate: vec![9; 568],
            my_number_image: vec![10; 10],
            card_key: key.clone(),
        }),
        common: Some(CommonContents {
            serial: "400000012719843".into(),
            municipality: "13221".into(),
            expiry: "20350217".into(),
            key_reference: [0x42; 16],
            internal_auth_key: key,
            common_pin: Pin::new(PinKind::ResidentRegistry, b"1111").unwrap(),
            juki_pin: Pin::new(PinKind::ResidentRegistry, b"2222").unwrap(),
            retry_limit: 3,
            mf_objects: Some(crate::MfObjects {
                issuer_key_id: [0x39; 16],
                root_certificate: vec![11; 563],
                card_certificate: vec![12; 568],
            }),
        }),
        verification: Some(VerificationContents {
            number_b: Pin::new(PinKind::VerificationB, b"55021720352285").unwrap(),
            birth_date: Pin::new(PinKind::BirthDate, b"550217").unwrap(),
            retry_limit: 10,
            security_code: "2285".into(),
        }),
    };
    contents.authentication = None;
    let mut data = CardData::issue(contents).unwrap();
    // counters somewhere between full and blocked
    let records = data
        .text_support
        .as_mut()
        .unwrap()
        .records
        .as_mut()
        .unwrap();
    records.number_a = PinSlot::restore(
        records.number_a.pin().clone(),
        RetryCounter::restore(10, 7).unwrap(),
    );
    let common = data.common.as_mut().unwrap();
    common.juki_pin = PinSlot::restore(
        common.juki_pin.pin().clone(),
        RetryCounter::restore(3, 1).unwrap(),
    );
    data
}

#[test]
fn a_card_with_every_application_round_trips() {
    let data = full();
    let bytes = encode(&data).unwrap();
    assert_eq!(u16::from_be_bytes([bytes[8], bytes[9]]), 5);
    let Ok(back) = decode(&bytes) else {
        panic!("does not decode")
    };
    assert_eq!(*encode(&back).unwrap(), *bytes);
    let records = back
        .text_support
        .as_ref()
        .unwrap()
        .records
        .as_ref()
        .unwrap();
    assert_eq!(records.number_a.counter().tries_left(), 7);
    assert_eq!(records.cv_certificate, vec![2; 568]);
    let common = back.common.as_ref().unwrap();
    assert_eq!(common.juki_pin.counter().tries_left(), 1);
    assert_eq!(common.common_pin.counter().tries_left(), 3);
    assert_eq!(back.visual.as_ref().unwrap().card_face, vec![7; 2000]);
    assert_eq!(back.verification.as_ref().unwrap().security_code, "2285");
}

#[test]
fn version_2_files_load_without_the_new_applications() {
    let v4 = encode(sample()).unwrap();
    let body = &v4[10..v4.len() - 32];
    let mut v2 = MAGIC.to_vec();
    v2.extend_from_slice(&2u16.to_be_bytes());
    v2.extend_from_slice(&body[..body.len() - 7]);
    let sum = Sha256::digest(&v2);
    v2.extend_from_slice(&sum);
    let Ok(card) = decode(&v2) else {
        panic!("a version-2 file does not decode")
    };
    assert!(card.visual.is_none() && card.common.is_none() && card.verification.is_none());
    assert!(card.text_support.as_ref().unwrap().records.is_none());
    assert_eq!(*encode(&card).unwrap(), *v4);
    // a version-2 header over a version-3 body: trailing bytes, refused
    let full = encode(&full()).unwrap();
    let mut bad = MAGIC.to_vec();
    bad.extend_from_slice(&2u16.to_be_bytes());
    bad.extend_from_slice(&full[10..full.len() - 32]);
    let sum = Sha256::digest(&bad);
    bad.extend_from_slice(&sum);
    assert!(matches!(
        decode(&bad),
        Err(DecodeError::Corrupt(Corruption::TrailingBytes { .. }))
    ));
}

#[test]
fn version_3_files_load_as_active_or_terminated_without_history() {
    let mut data = full();
    for (terminated, state) in [(0u8, CardState::Active), (1, CardState::Terminated)] {
        data.state = state;
        let v4 = encode(&data).unwrap();
        let body = &v4[10..v4.len() - 32];
        // version 3 = version 5 without the history (two absent dates) and next-gen (00)
        assert_eq!(&body[body.len() - 3..], [0, 0, 0]);
        let mut v3 = MAGIC.to_vec();
        v3.extend_from_slice(&3u16.to_be_bytes());
        v3.extend_from_slice(&body[..body.len() - 3]);
        let sum = Sha256::digest(&v3);
        v3.extend_from_slice(&sum);
        let Ok(card) = decode(&v3) else {
            panic!("a version-3 file does not decode")
        };
        assert_eq!(card.state, state, "life byte {terminated}");
        assert_eq!(card.history, CardHistory::default());
        assert_eq!(*encode(&card).unwrap(), *v4);
    }
    // a version-3 file cannot say "lost": its life byte is a flag
    data.state = CardState::Lost {
        at: time::macros::datetime!(2030-04-08 00:00 UTC),
    };
    let v4 = encode(&data).unwrap();
    let mut v3 = v4[..v4.len() - 32 - 3].to_vec();
    v3[8..10].copy_from_slice(&3u16.to_be_bytes());
    let sum = Sha256::digest(&v3);
    v3.extend_from_slice(&sum);
    assert!(matches!(
        decode(&v3),
        Err(DecodeError::Corrupt(Corruption::BadField {
            field: "life cycle"
        }))
    ));
}

#[test]
fn every_truncation_of_a_full_card_is_a_clear_error() {
    let bytes = encode(&full()).unwrap();
    let body = &bytes[10..bytes.len() - 32];
    for cut in (0..body.len()).step_by(7) {
        match decode(&seal(&body[..cut])) {
            Err(DecodeError::Corrupt(_)) => {}
            _ => panic!("a body cut at {cut} was not refused as corrupt"),
        }
        // unsealed: the checksum catches it
        assert!(decode(&bytes[..cut + 10]).is_err());
    }
}

#[test]
fn records_without_verification_are_corrupt() {
    let mut data = full();
    data.verification = None;
    assert!(data.check().is_err());
    let mut data = full();
    data.text_support = None;
    assert!(data.check().is_err(), "the visual AP needs the My Number");
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
