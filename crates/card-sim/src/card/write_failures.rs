//! A save that fails (a full disk, an I/O error) leaves the card exactly as it was before the
//! command, on every path of every PIN command: injected at each save each command makes.

use std::sync::OnceLock;

use apdu::StatusWord;
use pin_policy::{Pin, PinKind};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

use super::{SimCard, app::PinRef};
use crate::{
    contents::{CardContents, KeyContents, TextSupportContents},
    holder::{FourFacts, MyNumber, Sex},
    profile::CardProfile,
    store,
};

const PIN: &[u8] = b"1234";
const WRONG: &[u8] = b"9999";
const NEW_PIN: &[u8] = b"5678";

fn key() -> rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::PrivateKey::new(&mut ChaCha20Rng::seed_from_u64(7), 2048).expect("key"))
        .clone()
}

fn contents() -> CardContents {
    CardContents {
        profile: CardProfile::MyNumber,
        authentication: Some(KeyContents {
            certificate: vec![0x30, 0x03, 1, 2, 3],
            ca_certificate: vec![0x30, 0x00],
            private_key: key(),
            pin: Pin::new(PinKind::Authentication, PIN).expect("pin"),
            retry_limit: 3,
        }),
        signature: None,
        text_support: Some(TextSupportContents {
            my_number: MyNumber::new("123456789018").expect("my number"),
            facts: FourFacts {
                name: "A".into(),
                address: "B".into(),
                birth_date: "20000101".into(),
                sex: Sex::Female,
            },
            pin: Pin::new(PinKind::TextSupport, b"0000").expect("pin"),
            retry_limit: 3,
            records: None,
        }),
        visual: None,
        common: None,
        verification: None,
    }
}

fn apdu(card: &mut SimCard, ins: u8, p1: u8, data: &[u8]) -> StatusWord {
    let mut capdu = vec![0x00, ins, p1, 0x80];
    if !data.is_empty() {
        capdu.push(u8::try_from(data.len()).expect("short"));
        capdu.extend_from_slice(data);
    }
    let response = card.process(&capdu);
    let [.., sw1, sw2] = response[..] else {
        panic!("short response")
    };
    StatusWord(u16::from_be_bytes([sw1, sw2]))
}

fn select_auth_pin(card: &mut SimCard) {
    let aid = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select.extend_from_slice(&aid);
    assert_eq!(card.process(&select), [0x90, 0x00]);
    assert_eq!(
        card.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]),
        [0x90, 0x00]
    );
}

/// Everything that makes up the card: its state in memory (as the file would hold it), the
/// file's bytes, and whether the PIN is verified.
#[derive(Debug, PartialEq)]
struct Snapshot {
    memory: Vec<u8>,
    file: Vec<u8>,
    verified: bool,
}

fn snapshot(card: &SimCard) -> Snapshot {
    let path = card.path().expect("a card file");
    Snapshot {
        memory: store::encode(&card.data).expect("encode").to_vec(),
        file: std::fs::read(path).expect("read"),
        verified: card.session.is_verified(PinRef::Authentication),
    }
}

/// A PIN command and the state it starts from.
struct Case {
    name: &'static str,
    /// Brings a freshly selected card into the starting state.
    setup: fn(&mut SimCard),
    ins: u8,
    p1: u8,
    data: &'static [u8],
    /// How many saves the command makes when nothing fails.
    saves: u32,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "VERIFY, wrong PIN",
            setup: |_| {},
            ins: 0x20,
            p1: 0x00,
            data: WRONG,
            saves: 1,
        },
        Case {
            name: "VERIFY, right PIN, full counter",
            setup: |_| {},
            ins: 0x20,
            p1: 0x00,
            data: PIN,
            saves: 2,
        },
        Case {
            name: "VERIFY, right PIN after a wrong one",
            setup: |card| assert_eq!(apdu(card, 0x20, 0x00, WRONG), StatusWord(0x63C2)),
            ins: 0x20,
            p1: 0x00,
            data: PIN,
            saves: 2,
        },
        Case {
            name: "VERIFY, right PIN, already verified",
            setup: |card| assert_eq!(apdu(card, 0x20, 0x00, PIN), StatusWord::SUCCESS),
            ins: 0x20,
            p1: 0x00,
            data: PIN,
            saves: 2,
        },
        Case {
            name: "CHANGE REFERENCE DATA",
            setup: |card| assert_eq!(apdu(card, 0x20, 0x00, PIN), StatusWord::SUCCESS),
            ins: 0x24,
            p1: 0x01,
            data: NEW_PIN,
            saves: 1,
        },
        Case {
            name: "RESET RETRY COUNTER with a new PIN",
            setup: |card| {
                assert_eq!(apdu(card, 0x20, 0x00, WRONG), StatusWord(0x63C2));
                card.session.set_admin(true);
            },
            ins: 0x2C,
            p1: 0x02,
            data: NEW_PIN,
            saves: 1,
        },
        Case {
            name: "RESET RETRY COUNTER",
            setup: |card| {
                assert_eq!(apdu(card, 0x20, 0x00, PIN), StatusWord::SUCCESS);
                assert_eq!(apdu(card, 0x20, 0x00, WRONG), StatusWord(0x63C2));
                card.session.set_admin(true);
            },
            ins: 0x2C,
            p1: 0x03,
            data: &[],
            saves: 1,
        },
    ]
}

#[test]
fn a_failed_save_leaves_every_pin_command_as_before() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut checked = 0;
    for (n, case) in cases().iter().enumerate() {
        // the command makes as many saves as the case says, when nothing fails
        let path = dir.path().join(format!("count-{n}.jpki"));
        let mut card = SimCard::create(&path, contents()).expect("card");
        select_auth_pin(&mut card);
        (case.setup)(&mut card);
        card.file.as_mut().expect("file").faults.fail(&[]);
        let _ = apdu(&mut card, case.ins, case.p1, case.data);
        assert_eq!(
            card.file.as_ref().expect("file").faults.saves(),
            case.saves,
            "{}",
            case.name
        );

        for fail_at in 0..case.saves {
            let path = dir.path().join(format!("case-{n}-{fail_at}.jpki"));
            let mut card = SimCard::create(&path, contents()).expect("card");
            select_auth_pin(&mut card);
            (case.setup)(&mut card);
            let before = snapshot(&card);
            card.file.as_mut().expect("file").faults.fail(&[fail_at]);
            assert_eq!(
                apdu(&mut card, case.ins, case.p1, case.data),
                StatusWord(0x6581),
                "{}: save {fail_at} failed",
                case.name
            );
            assert_eq!(
                snapshot(&card),
                before,
                "{}: save {fail_at} failed",
                case.name
            );
            // and the card works on: the same command goes through once the disk is back
            card.file.as_mut().expect("file").faults.fail(&[]);
            let sw = apdu(&mut card, case.ins, case.p1, case.data);
            assert!(
                sw == StatusWord::SUCCESS || sw.0 & 0xFFF0 == 0x63C0,
                "{}: {sw:?} after the failure",
                case.name
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}

/// The scenario: three right PINs while the disk fails must not block the PIN once
/// the disk is back.
#[test]
fn right_pins_during_a_write_error_cost_no_tries() {
    let dir = tempfile::tempdir().expect("temp dir");
    for fail_at in [0, 1] {
        let path = dir.path().join(format!("card-{fail_at}.jpki"));
        let mut card = SimCard::create(&path, contents()).expect("card");
        select_auth_pin(&mut card);
        for _ in 0..3 {
            card.file.as_mut().expect("file").faults.fail(&[fail_at]);
            assert_eq!(apdu(&mut card, 0x20, 0x00, PIN), StatusWord(0x6581));
        }
        card.file.as_mut().expect("file").faults.fail(&[]);
        assert_eq!(apdu(&mut card, 0x20, 0x00, &[]), StatusWord(0x63C3));
        assert_eq!(apdu(&mut card, 0x20, 0x00, WRONG), StatusWord(0x63C2));
        drop(card);
        let card = SimCard::open(&path).expect("reopen");
        assert_eq!(
            card.pin_counter(PinRef::Authentication)
                .expect("pin")
                .tries_left(),
            2
        );
    }
}
