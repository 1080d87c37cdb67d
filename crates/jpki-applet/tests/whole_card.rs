//! The whole card (card-map §2–§7) against a scripted card: each operation sends exactly the
//! APDUs it documents, and the records are the bytes card-map describes, built and signed in
//! the test (tests/support/card_bytes.rs). The simulator cannot serve these applications yet;
//! jpki-tool's CLI suite (`whole_card`) runs them end to end once it does.

use std::sync::{Arc, Mutex};

use apdu::{Transport, TransportError};
use jpki_applet::{CardPin, Error, JpkiApplet, NumberKind, SecretStatus, Sex, VerificationNumber};

#[path = "support/card_bytes.rs"]
mod card_bytes;
use card_bytes as cb;

/// Expected C-APDUs (hex) and the answers (bytes, status word included); shared so the test
/// can check every step was used after the applet is gone.
#[derive(Clone, Debug)]
struct Script(Arc<Mutex<(Vec<Step>, usize)>>);

/// An expected command (hex) and its answer.
type Step = (String, Vec<u8>);

impl Script {
    fn new(steps: Vec<Step>) -> Self {
        Self(Arc::new(Mutex::new((steps, 0))))
    }
    fn done(&self) {
        let s = self.0.lock().unwrap();
        assert_eq!(s.1, s.0.len(), "not every scripted APDU was sent");
    }
}

impl Transport for Script {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut s = self.0.lock().unwrap();
        let got = hex::encode_upper(capdu);
        let at = s.1;
        let Some((want, answer)) = s.0.get(at).cloned() else {
            panic!("unexpected extra APDU {got}");
        };
        assert_eq!(got, want, "step {at}");
        s.1 += 1;
        Ok(answer)
    }
}

/// Steps built in the test.
#[derive(Default)]
struct Steps(Vec<Step>);

impl Steps {
    /// A command (hex, spaces allowed) and its answer (hex).
    fn hex(mut self, c: &str, r: &str) -> Self {
        self.0
            .push((c.replace(' ', ""), hex::decode(r.replace(' ', "")).unwrap()));
        self
    }
    /// A command and its answer: `data` + `9000`.
    fn data(mut self, c: &str, data: &[u8]) -> Self {
        let mut answer = data.to_vec();
        answer.extend([0x90, 0x00]);
        self.0.push((c.replace(' ', ""), answer));
        self
    }
    /// SELECT EF `fid`, `00 B0 00 00 08`, then the rest in chunks of 256 (what
    /// `read_tlv_file` sends for a BER-TLV EF holding `file`).
    fn read_file(mut self, fid: &str, file: &[u8]) -> Self {
        self = self.hex(&format!("00A4020C02{fid}"), "9000");
        self = self.data("00B0000008", &file[..8.min(file.len())]);
        let total = object_len(file);
        let mut at = 8;
        while at < total {
            let n = (total - at).min(256);
            let le = if n == 256 { 0 } else { n };
            self = self.data(&format!("00B0{at:04X}{le:02X}"), &file[at..at + n]);
            at += n;
        }
        self
    }
    /// The card opened as a My Number card (card-map §3: token info, availability).
    fn opened() -> Self {
        let mut token = b"JPKIAPICCTOKEN2".to_vec();
        token.resize(32, b' ');
        token.extend([b'0'; 31]);
        token.push(b'1');
        token.extend(b"E16R01NJ        ");
        token.extend(b"0000000020500003");
        token.extend(
            hex::decode(
                "0000040D00000001000000000000000100000000000000100000000 6".replace(' ', ""),
            )
            .unwrap(),
        );
        token.extend([0xFF; 16]);
        token.extend(b"0301");
        token.extend([b'9'; 16]);
        assert_eq!(token.len(), 160);
        Self::default()
            .hex("00A4040C0AD392F000260100000001", "9000")
            .hex("00A4020C020006", "9000")
            .data("00B0000000", &token)
            .hex("00A4020C020008", "9000")
            .hex("00B0000003", "8F8F009000")
    }
    fn card(self) -> (JpkiApplet<Script>, Script) {
        let script = Script::new(self.0);
        (JpkiApplet::open(script.clone()).unwrap(), script)
    }
}

/// Header + value length of the BER-TLV object at the start of `file`.
fn object_len(file: &[u8]) -> usize {
    let tag_len = if file[0] & 0x1F == 0x1F { 2 } else { 1 };
    match file[tag_len] {
        0x81 => tag_len + 2 + usize::from(file[tag_len + 1]),
        0x82 => {
            tag_len + 3 + usize::from(u16::from_be_bytes([file[tag_len + 1], file[tag_len + 2]]))
        }
        n => tag_len + 1 + usize::from(n),
    }
}

const SELECT_JPKI: &str = "00A4040C0AD392F000260100000001";
const SELECT_TEXT: &str = "00A4040C0AD3921000310001010408";
const SELECT_FACE: &str = "00A4040C0AD3921000310001010402";
const SELECT_COMMON: &str = "00A4040C0AD3921000310001010100";
const SELECT_JUKI: &str = "00A4040C0AD3921000310001010401";
const EMPTY_VERIFY: &str = "0020 0080";

#[test]
fn pin_status_lists_every_key_reference_and_absent_ones_as_absent() {
    // card-map §1: SELECT AP, SELECT key EF, empty VERIFY → 63Cx, spends nothing
    let steps = Steps::opened()
        .hex(SELECT_JPKI, "9000")
        .hex("00A4020C020018", "9000")
        .hex(EMPTY_VERIFY, "63C3")
        .hex(SELECT_JPKI, "9000")
        .hex("00A4020C02001B", "9000")
        .hex(EMPTY_VERIFY, "63C5")
        .hex(SELECT_TEXT, "9000")
        .hex("00A4020C020011", "9000")
        .hex(EMPTY_VERIFY, "63C2")
        .hex(SELECT_TEXT, "9000")
        .hex("00A4020C020014", "9000")
        .hex(EMPTY_VERIFY, "63CA")
        .hex(SELECT_TEXT, "9000")
        .hex("00A4020C020015", "9000")
        .hex(EMPTY_VERIFY, "63C0")
        // no 券面事項確認AP (a card file from before the whole card): asked once
        .hex(SELECT_FACE, "6A82")
        .hex(SELECT_COMMON, "9000")
        .hex("00A4020C02001C", "9000")
        .hex(EMPTY_VERIFY, "63C3")
        // 住基AP without its PIN EF
        .hex(SELECT_JUKI, "9000")
        .hex("00A4020C02001C", "6A82");
    let (mut card, script) = steps.card();
    let states = card.whole_card().pin_statuses().unwrap();
    let tries: Vec<(CardPin, Option<u8>)> = states
        .iter()
        .map(|(p, s)| (*p, s.and_then(|s| s.tries_left())))
        .collect();
    assert_eq!(
        tries,
        [
            (CardPin::JpkiAuth, Some(3)),
            (CardPin::JpkiSign, Some(5)),
            (CardPin::TextSupportPin, Some(2)),
            (CardPin::TextSupportNumberA, Some(10)),
            (CardPin::TextSupportNumberB, Some(0)),
            (CardPin::FaceBirthDate, None),
            (CardPin::FaceNumberB, None),
            (CardPin::FaceNumberA, None),
            (CardPin::CommonPin, Some(3)),
            (CardPin::JukiPin, None),
        ]
    );
    script.done();
}

#[test]
fn a_key_without_a_retry_count_is_listed_as_not_counted_not_an_error() {
    // card-map §2: "a key with no limit answers 6300" to the empty VERIFY
    let steps = Steps::opened()
        .hex(SELECT_COMMON, "9000")
        .hex("00A4020C02001C", "9000")
        .hex(EMPTY_VERIFY, "6300")
        .hex(SELECT_COMMON, "9000")
        .hex("00A4020C02001C", "9000")
        .hex(EMPTY_VERIFY, "6A80");
    let (mut card, script) = steps.card();
    let mut whole = card.whole_card();
    let state = whole.pin_status(CardPin::CommonPin).unwrap().unwrap();
    assert_eq!(state, SecretStatus::NotCounted);
    assert_eq!(state.tries_left(), None);
    assert!(!state.is_blocked());
    // any other answer is still the card's error, not a guess
    assert!(matches!(
        whole.pin_status(CardPin::CommonPin),
        Err(Error::UnexpectedStatus { .. })
    ));
    script.done();
}

#[test]
fn basic_info_reads_both_basic_files_the_common_record_and_mf_data() {
    let steps = Steps::opened()
        .hex(SELECT_TEXT, "9000")
        .read_file("0005", &cb::text_basic_info())
        .hex(SELECT_FACE, "9000")
        .read_file("0003", &cb::face_basic_info("13221"))
        // card-map §6: READ RECORD 1 by SFI 1, no SELECT EF
        .hex(SELECT_COMMON, "9000")
        .data("00B2010C00", &cb::common_record())
        // card-map §1–§2: the GP ISD puts the card at the MF level, then GET DATA
        .hex("00A4040C07A0000001510000", "9000")
        .data("00CA00F000", b"13221")
        .hex("00A4040C07A0000001510000", "9000")
        .data("00CA00F200", b"20350217");
    let (mut card, script) = steps.card();
    let info = card.whole_card().basic_info().unwrap();
    assert_eq!(info.text_support.unwrap().key_id.to_string(), "9000034/001");
    assert_eq!(info.face_check.unwrap().municipality, "13221");
    let common = info.common.unwrap();
    assert_eq!(common.serial, "400000012719843");
    assert_eq!(common.expiry.to_string(), "2035-02-17");
    assert_eq!(info.mf_municipality.as_deref(), Some("13221"));
    assert_eq!(info.mf_expiry.unwrap().to_string(), "2035-02-17");
    script.done();
}

#[test]
fn basic_info_of_a_card_with_only_jpki_says_absent() {
    let steps = Steps::opened()
        .hex(SELECT_TEXT, "6A82")
        .hex(SELECT_FACE, "6A82")
        .hex(SELECT_COMMON, "6A82")
        .hex("00A4040C07A0000001510000", "6A82")
        .hex("00CA00F000", "6A88")
        .hex("00A4040C07A0000001510000", "6A82")
        .hex("00CA00F200", "6A88");
    let (mut card, script) = steps.card();
    let info = card.whole_card().basic_info().unwrap();
    assert_eq!(info, jpki_applet::BasicInfo::default());
    script.done();
}

#[test]
fn face_show_with_a_verifies_once_reads_face_cv_and_my_number_image() {
    let face = cb::card_face();
    let cv = cb::cv_certificate(cb::ca_key(), cb::ap_key());
    let image = cb::my_number_image(cb::ap_key());
    let steps = Steps::opened()
        .hex(SELECT_FACE, "9000")
        .hex("00A4020C020013", "9000")
        // VERIFY 照合番号A = the My Number, 12 ASCII digits
        .hex("002000800C313233343536373839303138", "9000")
        .read_file("0002", &face)
        .read_file("0004", &cv)
        .read_file("0005", &image);
    let (mut card, script) = steps.card();
    let number = VerificationNumber::parse(b"123456789018").unwrap();
    let mut whole = card.whole_card();
    let mut session = whole.face_check().verify(&number).unwrap();
    assert_eq!(session.kind(), NumberKind::A);
    let face = session.card_face().unwrap();
    let cv = session.cv_certificate().unwrap();
    let image = session.my_number_image().unwrap();
    assert_eq!(face.sex, Sex::Female);
    face.verify_signature(&cv.public_key).unwrap();
    image.verify_signature(&cv.public_key).unwrap();
    cv.verify_signed_by(&cb::ca_key().to_public_key()).unwrap();
    script.done();
}

#[test]
fn wrong_and_blocked_numbers_say_tries_left_and_who_unlocks() {
    // 照合番号B: key 0012 (card-map §5)
    let b = "0020008 00E 3535303231373230333532323835".replace(' ', "");
    let steps = Steps::opened()
        .hex(SELECT_FACE, "9000")
        .hex("00A4020C020012", "9000")
        .hex(&b, "63C4")
        .hex(SELECT_FACE, "9000")
        .hex("00A4020C020012", "9000")
        .hex(&b, "63C0")
        .hex(SELECT_FACE, "9000")
        .hex("00A4020C020012", "9000")
        .hex(&b, "6984");
    let (mut card, script) = steps.card();
    let number = VerificationNumber::parse(b"55021720352285").unwrap();
    let e = card.whole_card().face_check().verify(&number).unwrap_err();
    assert!(
        matches!(
            e,
            Error::WrongNumber {
                which: CardPin::FaceNumberB,
                tries_left: 4
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "wrong card-face 照合番号B: 4 tries left");
    let e = card.whole_card().face_check().verify(&number).unwrap_err();
    assert!(e.to_string().contains("now blocked"), "{e}");
    let e = card.whole_card().face_check().verify(&number).unwrap_err();
    assert!(matches!(e, Error::NumberBlocked { .. }), "{e:?}");
    assert!(e.to_string().contains("municipality"), "{e}");
    script.done();
}

#[test]
fn a_card_without_the_face_application_says_so() {
    let steps = Steps::opened().hex(SELECT_FACE, "6A82");
    let (mut card, script) = steps.card();
    let number = VerificationNumber::parse(b"123456789018").unwrap();
    let e = card.whole_card().face_check().verify(&number).unwrap_err();
    assert!(matches!(e, Error::ApplicationNotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("券面事項確認"), "{e}");
    script.done();
}

#[test]
fn a_face_file_with_a_wrong_offset_table_is_malformed() {
    let objects = cb::face_objects(cb::ap_key(), "19800217", "2", "20350217");
    let good = cb::face_file(&objects, None);
    let mut table: Vec<u16> = (0..9)
        .map(|i| u16::from_be_bytes([good[8 + 2 * i], good[9 + 2 * i]]))
        .collect();
    table[8] -= 2;
    let bad = cb::face_file(&objects, Some(table));
    let steps = Steps::opened()
        .hex(SELECT_FACE, "9000")
        .hex("00A4020C020013", "9000")
        .hex("002000800C313233343536373839303138", "9000")
        .read_file("0002", &bad);
    let (mut card, script) = steps.card();
    let number = VerificationNumber::parse(b"123456789018").unwrap();
    let mut whole = card.whole_card();
    let e = whole
        .face_check()
        .verify(&number)
        .unwrap()
        .card_face()
        .unwrap_err();
    assert!(
        matches!(e, Error::MalformedFile { fid: 0x0002, .. }),
        "{e:?}"
    );
    script.done();
}

/// card-map §1–§2: GET DATA `00F7`, `00F8`, `7F21` at the MF level, each with an extended Le
/// (`00 00 00`: the certificates are over 256 bytes); the chain verifies up to the root.
#[test]
fn card_chain_reads_the_three_mf_objects_with_an_extended_le() {
    let (id, f8, cv) = cb::card_chain(cb::ca_key(), cb::other_key(), cb::ap_key());
    let steps = Steps::opened()
        .hex("00A4040C07A0000001510000", "9000")
        .data("00CA00F7000000", &id)
        .data("00CA00F8000000", &f8)
        .data("00CA7F21000000", &cv);
    let (mut card, script) = steps.card();
    let chain = card.whole_card().card_chain().unwrap().unwrap();
    assert_eq!(chain.issuer_key_id.to_string(), "9000012/001");
    assert_eq!(*chain.card_key(), cb::ap_key().to_public_key());
    chain.verify(&cb::ca_key().to_public_key()).unwrap();
    script.done();

    // an older card: none of them → None; only some → malformed
    let steps = Steps::opened()
        .hex("00A4040C07A0000001510000", "9000")
        .hex("00CA00F7000000", "6A88")
        .hex("00CA00F8000000", "6A88")
        .hex("00CA7F21000000", "6A88");
    let (mut card, script) = steps.card();
    assert!(card.whole_card().card_chain().unwrap().is_none());
    script.done();
    let steps = Steps::opened()
        .hex("00A4040C07A0000001510000", "9000")
        .data("00CA00F7000000", &id)
        .hex("00CA00F8000000", "6A88")
        .hex("00CA7F21000000", "6A88");
    let (mut card, script) = steps.card();
    assert!(matches!(
        card.whole_card().card_chain(),
        Err(Error::MalformedFile { fid: 0x3F00, .. })
    ));
    script.done();
}
