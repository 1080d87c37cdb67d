//! `jpki-tool sign` sends the PIN once: the exact APDU sequence of a signature, recorded by a
//! counting transport around the simulator, and the same count read from the binary's
//! `--verbose` trace. Each VERIFY costs the card two durable writes of its retry counter.
//!
//! Before (91d2d06): 23 APDUs and 2 VERIFYs per `jpki-tool sign --key sign` (token info read
//! twice, the application selected 4 times). Now: 19 APDUs, 1 VERIFY. `jpki-tool text`: 2 VERIFYs
//! before, 1 now.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

#[path = "support/common.rs"]
mod common;

use apdu::{Transport, TransportError};
use card_sim::SimCard;
use jpki_applet::{JpkiApplet, KeyRef};
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

/// Passes every C-APDU on and keeps a copy.
struct Recorder<T> {
    inner: T,
    sent: Vec<Vec<u8>>,
}

impl<T: Transport> Transport for Recorder<T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.push(capdu.to_vec());
        self.inner.transmit(capdu)
    }
}

fn is_verify_with_pin(capdu: &[u8]) -> bool {
    matches!(capdu, [0x00, 0x20, 0x00, 0x80, lc, ..] if *lc > 0)
}

/// What a signature with the signature key must send, in order, for a certificate of
/// `cert_len` bytes: each entry is a prefix of the C-APDU (the COMPUTE's DigestInfo varies).
fn expected_signature_sequence(cert_len: usize) -> Vec<Vec<u8>> {
    let select_ap = hex::decode("00A4040C0AD392F000260100000001").unwrap();
    let mut want = vec![
        // open: the facts, once
        select_ap.clone(),
        hex::decode("00A4020C020006").unwrap(),
        hex::decode("00B0000000").unwrap(),
        hex::decode("00A4020C020008").unwrap(),
        hex::decode("00B0000003").unwrap(),
        // the session: a fresh security state, the PIN once
        select_ap,
        hex::decode("00A4020C02001B").unwrap(),
        [
            &hex::decode("0020008006").unwrap()[..],
            sample::SIGN_PIN.as_bytes(),
        ]
        .concat(),
        // the certificate under it: header, 256-byte chunks, the exact remainder
        hex::decode("00A4020C020001").unwrap(),
        hex::decode("00B0000004").unwrap(),
    ];
    let mut offset = 4;
    while offset < cert_len {
        let n = (cert_len - offset).min(256);
        let [_, _, p1, p2] = u32::try_from(offset).unwrap().to_be_bytes();
        want.push(vec![0x00, 0xB0, p1, p2, u8::try_from(n % 256).unwrap()]);
        offset += n;
    }
    // the signature under the same session: no second VERIFY
    want.push(hex::decode("00A4020C02001A").unwrap());
    want.push(hex::decode("802A008033").unwrap());
    want
}

#[test]
fn a_signature_sends_the_pin_once_in_the_documented_sequence() {
    let s = set();
    let sim = SimCard::new(sample::my_number(s, true).unwrap()).unwrap();
    let mut recorder = Recorder {
        inner: sim,
        sent: Vec::new(),
    };
    let mut card = JpkiApplet::open(&mut recorder).unwrap();
    let document = "<申告書>e-Tax</申告書>\n".repeat(50);
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let p7s = jpki_tool::card_sign::sign_document(
        &mut card,
        KeyRef::Sign,
        sample::SIGN_PIN.as_bytes(),
        document.as_bytes(),
        time,
    )
    .unwrap();
    drop(card);
    let verified = jpki_tool::cms::verify_detached(&p7s, document.as_bytes()).unwrap();
    let der = s.my_number_sign.certificate.der();
    assert_eq!(verified.signer.der(), der);

    let sent = recorder.sent;
    let want = expected_signature_sequence(der.len());
    let show = |v: &[Vec<u8>]| v.iter().map(hex::encode_upper).collect::<Vec<_>>();
    assert_eq!(sent.len(), want.len(), "{:#?}", show(&sent));
    for (i, (got, prefix)) in sent.iter().zip(&want).enumerate() {
        assert!(
            got.starts_with(prefix),
            "APDU {i}: sent {}, want {}…",
            hex::encode_upper(got),
            hex::encode_upper(prefix)
        );
    }
    // the COMPUTE carries a SHA-256 DigestInfo and asks for 256 bytes
    assert_eq!(sent.last().map(Vec::len), Some(5 + 51 + 1));
    assert_eq!(sent.iter().filter(|c| is_verify_with_pin(c)).count(), 1);
    // with this fixture: 5 to open, 3 for the session, 9 for the certificate, 2 to sign
    assert_eq!(sent.len(), 19);
}

#[test]
fn the_binary_sends_one_verify_per_signature() {
    let dir = common::Scratch::new("sign-once");
    let card = dir.path("card.jpkicard");
    SimCard::create(&card, sample::my_number(set(), true).unwrap()).unwrap();
    let doc = dir.path("form.xml");
    std::fs::write(&doc, "<申告書>e-Tax</申告書>\n").unwrap();
    let p7s = dir.path("form.xml.p7s");
    for (key, pin) in [("sign", sample::SIGN_PIN), ("auth", sample::AUTH_PIN)] {
        let out = common::tool_with(
            &card,
            &["--verbose"],
            &[
                "sign",
                "--key",
                key,
                doc.to_str().unwrap(),
                "-o",
                p7s.to_str().unwrap(),
            ],
            &format!("{pin}\n"),
        );
        assert!(out.status.success(), "{out:?}");
        let trace = String::from_utf8(out.stderr).unwrap();
        let commands: Vec<&str> = trace.lines().filter(|l| l.starts_with("> ")).collect();
        let verifies = commands
            .iter()
            .filter(|l| l.starts_with("> 00 20 00 80 ") && l.contains("redacted"))
            .count();
        let selects_of_the_application = commands
            .iter()
            .filter(|l| l.starts_with("> 00 A4 04 0C"))
            .count();
        assert_eq!(verifies, 1, "--key {key}: {trace}");
        // the first tells the generation apart (the next-generation 認証AP answers 6A82 on
        // today's card, shared/next-gen-profile.md §2.1), then today's JPKI AID twice
        assert!(
            commands
                .first()
                .is_some_and(|l| l.starts_with("> 00 A4 04 0C 0B F04A504B494E4741555448")),
            "--key {key}: {trace}"
        );
        assert_eq!(selects_of_the_application, 3, "--key {key}: {trace}");
        assert!(
            commands
                .last()
                .is_some_and(|l| l.starts_with("> 80 2A 00 80")),
            "--key {key}: {trace}"
        );
        if key == "sign" {
            // the library's 19 (see above) and the detection's SELECT
            assert_eq!(commands.len(), 20, "{trace}");
        }
    }
}

#[test]
fn text_reads_both_files_under_one_verify() {
    let dir = common::Scratch::new("text-once");
    let card = dir.path("card.jpkicard");
    SimCard::create(&card, sample::my_number(set(), true).unwrap()).unwrap();
    let out = common::tool_with(
        &card,
        &["--verbose"],
        &["text"],
        &format!("{}\n", sample::TEXT_PIN),
    );
    assert!(out.status.success(), "{out:?}");
    let trace = String::from_utf8(out.stderr).unwrap();
    let verifies = trace
        .lines()
        .filter(|l| l.starts_with("> 00 20 00 80 ") && l.contains("redacted"))
        .count();
    assert_eq!(verifies, 1, "{trace}");
}
