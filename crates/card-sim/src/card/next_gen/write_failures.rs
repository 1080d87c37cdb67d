//! A save that fails leaves the next-generation card exactly as it was, on every path of
//! every secret command: injected at each save each command makes (as `card::write_failures`
//! does for today's card).

use crate::{
    card::SimCard,
    holder::{FourFacts, MyNumber, Sex},
    next_gen::{NextGenContents, NextGenKey, NextGenRetryLimits, NextGenSecret},
    store,
};
use pin_policy::{Pin, PinKind};

const SIGN_PW: &[u8] = b"ABC123";
const PUK: &[u8] = b"87654321";

fn key(seed: u8) -> NextGenKey {
    NextGenKey {
        private_key: p384::SecretKey::from_slice(&[seed; 48]).expect("key"),
        certificate: vec![0x30, 0x00],
        ca_certificate: vec![0x30, 0x00],
    }
}

fn contents() -> NextGenContents {
    NextGenContents {
        authentication: Some(key(1)),
        signature: Some(key(2)),
        card_authentication: key(3),
        my_number: MyNumber::new("123456789018").expect("my number"),
        facts: FourFacts {
            name: "A".into(),
            address: "B".into(),
            birth_date: "20000101".into(),
            sex: Sex::Female,
        },
        sign_pw: Pin::new(PinKind::Signature, SIGN_PW).expect("pin"),
        pin4: Pin::new(PinKind::Authentication, b"1234").expect("pin"),
        retry_limits: NextGenRetryLimits::default(),
    }
}

fn sw(card: &mut SimCard, capdu: &[u8]) -> u16 {
    let response = card.process(capdu);
    let [.., sw1, sw2] = response[..] else {
        panic!("short response")
    };
    u16::from_be_bytes([sw1, sw2])
}

fn apdu(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let mut capdu = vec![0x00, ins, p1, p2, u8::try_from(data.len()).expect("short")];
    capdu.extend_from_slice(data);
    capdu
}

fn select(card: &mut SimCard) {
    let mut capdu = vec![0x00, 0xA4, 0x04, 0x0C, 0x0B];
    capdu.extend_from_slice(&crate::next_gen::ids::AID_AUTH);
    assert_eq!(sw(card, &capdu), 0x9000);
}

fn verify_sign_pw(card: &mut SimCard) {
    assert_eq!(sw(card, &apdu(0x20, 0x00, 0x81, SIGN_PW)), 0x9000);
}

fn set_puk_and_block_pin4(card: &mut SimCard) {
    verify_sign_pw(card);
    assert_eq!(sw(card, &apdu(0x24, 0x01, 0x83, PUK)), 0x9000);
    for _ in 0..3 {
        let _ = sw(card, &apdu(0x20, 0x00, 0x82, b"0000"));
    }
}

#[derive(Debug, PartialEq)]
struct Snapshot {
    memory: Vec<u8>,
    file: Vec<u8>,
    verified: [bool; 3],
}

fn snapshot(card: &SimCard) -> Snapshot {
    Snapshot {
        memory: store::encode(&card.data).expect("encode").to_vec(),
        file: std::fs::read(card.path().expect("file")).expect("read"),
        verified: NextGenSecret::ALL.map(|s| card.session.ng.is_verified(s)),
    }
}

struct Case {
    name: &'static str,
    setup: fn(&mut SimCard),
    capdu: fn() -> Vec<u8>,
    saves: u32,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "VERIFY SIGN_PW, wrong",
            setup: |_| {},
            capdu: || apdu(0x20, 0x00, 0x81, b"WRONG9"),
            saves: 1,
        },
        Case {
            name: "VERIFY SIGN_PW, right",
            setup: |_| {},
            capdu: || apdu(0x20, 0x00, 0x81, SIGN_PW),
            saves: 2,
        },
        Case {
            name: "VERIFY SIGN_PW, right, already verified",
            setup: verify_sign_pw,
            capdu: || apdu(0x20, 0x00, 0x81, SIGN_PW),
            saves: 2,
        },
        Case {
            name: "CHANGE REFERENCE DATA SIGN_PW",
            setup: verify_sign_pw,
            capdu: || apdu(0x24, 0x01, 0x81, b"NEWPW22"),
            saves: 1,
        },
        Case {
            name: "CHANGE REFERENCE DATA PUK (set)",
            setup: verify_sign_pw,
            capdu: || apdu(0x24, 0x01, 0x83, PUK),
            saves: 1,
        },
        Case {
            name: "RESET RETRY COUNTER, right PUK",
            setup: set_puk_and_block_pin4,
            capdu: || apdu(0x2C, 0x00, 0x82, b"876543215555"),
            saves: 2,
        },
        Case {
            name: "RESET RETRY COUNTER, wrong PUK",
            setup: set_puk_and_block_pin4,
            capdu: || apdu(0x2C, 0x00, 0x82, b"000000005555"),
            saves: 1,
        },
    ]
}

#[test]
fn a_failed_save_leaves_every_secret_command_as_before() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut checked = 0;
    for (n, case) in cases().iter().enumerate() {
        let path = dir.path().join(format!("count-{n}.jpki"));
        let mut card = SimCard::create_next_gen(&path, contents()).expect("card");
        select(&mut card);
        (case.setup)(&mut card);
        card.file.as_mut().expect("file").faults.fail(&[]);
        let _ = sw(&mut card, &(case.capdu)());
        assert_eq!(
            card.file.as_ref().expect("file").faults.saves(),
            case.saves,
            "{}",
            case.name
        );
        for fail_at in 0..case.saves {
            let path = dir.path().join(format!("case-{n}-{fail_at}.jpki"));
            let mut card = SimCard::create_next_gen(&path, contents()).expect("card");
            select(&mut card);
            (case.setup)(&mut card);
            let before = snapshot(&card);
            card.file.as_mut().expect("file").faults.fail(&[fail_at]);
            assert_eq!(
                sw(&mut card, &(case.capdu)()),
                0x6581,
                "{}: save {fail_at}",
                case.name
            );
            assert_eq!(snapshot(&card), before, "{}: save {fail_at}", case.name);
            card.file.as_mut().expect("file").faults.fail(&[]);
            let after = sw(&mut card, &(case.capdu)());
            assert!(
                after == 0x9000 || after & 0xFFF0 == 0x63C0,
                "{}: {after:04X} once the disk is back",
                case.name
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}
