//! The keys beyond the JPKI and text-support PINs (照合番号A/B, the birth date, both `001C`):
//! each try is written before it is compared, a failed write leaves the card as it was, and
//! CHANGE KEY is all or nothing.

use std::sync::OnceLock;

use apdu::StatusWord;
use pin_policy::{Pin, PinKind};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

use crate::{
    CardContents, CardProfile, CommonContents, FourFacts, MyNumber, PinRef, Sex, SimCard,
    TextSupportContents, TextSupportRecords, VerificationContents, VisualContents, store,
};

fn key() -> rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::PrivateKey::new(&mut ChaCha20Rng::seed_from_u64(9), 2048).expect("key"))
        .clone()
}

fn pin(kind: PinKind, value: &[u8]) -> Pin {
    Pin::new(kind, value).expect("pin")
}

fn contents() -> CardContents {
    CardContents {
        profile: CardProfile::MyNumber,
        authentication: None,
        signature: None,
        text_support: Some(TextSupportContents {
            my_number: MyNumber::new("123456789018").expect("my number"),
            facts: FourFacts {
                name: "A".into(),
                address: "B".into(),
                birth_date: "20000101".into(),
                sex: Sex::Female,
            },
            pin: pin(PinKind::TextSupport, b"0000"),
            retry_limit: 3,
            records: Some(TextSupportRecords {
                integrity: vec![0xFF, 0x30],
                cv_certificate: vec![0x7F, 0x21],
                basic_info: vec![0xFF, 0x40],
                session_key: vec![0xA1, 0x00],
                signed_key: vec![0xFF, 0x50],
                card_key: key(),
            }),
        }),
        visual: Some(VisualContents {
            age_record: vec![0xFF, 0x10],
            card_face: vec![0xFF, 0x20],
            basic_info: vec![0xFF, 0x30],
            cv_certificate: vec![0x7F, 0x21],
            my_number_image: vec![0xFF, 0x40],
            card_key: key(),
        }),
        common: Some(CommonContents {
            serial: "400000012719843".into(),
            municipality: "13101".into(),
            expiry: "20350101".into(),
            key_reference: [0x11; 16],
            internal_auth_key: key(),
            common_pin: pin(PinKind::ResidentRegistry, b"4321"),
            juki_pin: pin(PinKind::ResidentRegistry, b"4321"),
            retry_limit: 3,
            mf_objects: None,
        }),
        verification: Some(VerificationContents {
            number_b: pin(PinKind::VerificationB, b"12010120352285"),
            birth_date: pin(PinKind::BirthDate, b"120101"),
            retry_limit: 10,
            security_code: "2285".into(),
        }),
    }
}

/// A new key: its reference, the last two bytes of its AP's AID, its SFI, the right value and a
/// wrong one.
type Key = (PinRef, [u8; 2], u8, &'static [u8], &'static [u8]);

const KEYS: [Key; 7] = [
    (
        PinRef::TextSupportA,
        [0x04, 0x08],
        0x14,
        b"123456789018",
        b"999999999999",
    ),
    (
        PinRef::TextSupportB,
        [0x04, 0x08],
        0x15,
        b"12010120352285",
        b"99999999999999",
    ),
    (
        PinRef::VisualBirthDate,
        [0x04, 0x02],
        0x11,
        b"120101",
        b"999999",
    ),
    (
        PinRef::VisualB,
        [0x04, 0x02],
        0x12,
        b"12010120352285",
        b"99999999999999",
    ),
    (
        PinRef::VisualA,
        [0x04, 0x02],
        0x13,
        b"123456789018",
        b"999999999999",
    ),
    (PinRef::Common, [0x01, 0x00], 0x1C, b"4321", b"9999"),
    (PinRef::Juki, [0x04, 0x01], 0x1C, b"4321", b"9999"),
];

fn sw(response: &[u8]) -> StatusWord {
    let [.., sw1, sw2] = response[..] else {
        panic!("short response")
    };
    StatusWord(u16::from_be_bytes([sw1, sw2]))
}

fn select(card: &mut SimCard, aid_tail: [u8; 2]) {
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31];
    select.extend_from_slice(&[0x00, 0x01, 0x01]);
    select.extend_from_slice(&aid_tail);
    assert_eq!(card.process(&select), [0x90, 0x00]);
}

fn verify(card: &mut SimCard, sfi: u8, value: &[u8]) -> StatusWord {
    let mut capdu = vec![0x00, 0x20, 0x00, 0x80 | sfi];
    capdu.push(u8::try_from(value.len()).expect("short"));
    capdu.extend_from_slice(value);
    sw(&card.process(&capdu))
}

fn state(card: &SimCard) -> (Vec<u8>, Vec<u8>) {
    let memory = store::encode(&card.data).expect("encode").to_vec();
    let file = std::fs::read(card.path().expect("file")).expect("read");
    (memory, file)
}

#[test]
fn every_new_key_counts_its_try_on_disk_before_comparing() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (n, (pin_ref, aid, sfi, right, wrong)) in KEYS.into_iter().enumerate() {
        let path = dir.path().join(format!("key-{n}.jpki"));
        let mut card = SimCard::create(&path, contents()).expect("card");
        select(&mut card, aid);
        let limit = card.pin_counter(pin_ref).expect("key").limit();
        // the counted try cannot be written: 6581, nothing compared, nothing changed
        let before = state(&card);
        card.file.as_mut().expect("file").faults.fail(&[0]);
        assert_eq!(
            verify(&mut card, sfi, wrong),
            StatusWord(0x6581),
            "{pin_ref:?}"
        );
        assert_eq!(state(&card), before, "{pin_ref:?}");
        // a right value whose release cannot be written costs no try
        card.file.as_mut().expect("file").faults.fail(&[1]);
        assert_eq!(
            verify(&mut card, sfi, right),
            StatusWord(0x6581),
            "{pin_ref:?}"
        );
        assert_eq!(card.pin_counter(pin_ref).expect("key").tries_left(), limit);
        assert!(!card.session.is_verified(pin_ref));
        // a wrong try with the disk back: written, then answered
        card.file.as_mut().expect("file").faults.fail(&[]);
        assert_eq!(
            verify(&mut card, sfi, wrong),
            StatusWord::verify_failed(limit - 1),
            "{pin_ref:?}"
        );
        drop(card);
        let card = SimCard::open(&path).expect("reopen");
        assert_eq!(
            card.pin_counter(pin_ref).expect("key").tries_left(),
            limit - 1,
            "{pin_ref:?}"
        );
        // and no other key's counter moved
        for other in PinRef::ALL {
            if other != pin_ref
                && other != PinRef::TextSupportBlocked
                && let Some(counter) = card.pin_counter(other)
            {
                assert_eq!(counter.tries_left(), counter.limit(), "{other:?}");
            }
        }
    }
}

#[test]
fn a_failed_change_key_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (pin_ref, aid) in [(PinRef::Common, [0x01, 0x00]), (PinRef::Juki, [0x04, 0x01])] {
        let path = dir.path().join(format!("{pin_ref:?}.jpki"));
        let mut card = SimCard::create(&path, contents()).expect("card");
        select(&mut card, aid);
        assert_eq!(
            card.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1C]),
            [0x90, 0x00]
        );
        assert_eq!(verify(&mut card, 0x1C, b"4321"), StatusWord::SUCCESS);
        let change = [0x80, 0x32, 0x00, 0x80, 0x04, b'1', b'1', b'1', b'1'];
        let before = state(&card);
        card.file.as_mut().expect("file").faults.fail(&[0]);
        assert_eq!(sw(&card.process(&change)), StatusWord(0x6581));
        assert_eq!(state(&card), before);
        card.file.as_mut().expect("file").faults.fail(&[]);
        assert_eq!(sw(&card.process(&change)), StatusWord::SUCCESS);
        drop(card);
        let mut card = SimCard::open(&path).expect("reopen");
        select(&mut card, aid);
        assert_eq!(
            verify(&mut card, 0x1C, b"1111"),
            StatusWord::SUCCESS,
            "{pin_ref:?}"
        );
    }
}
