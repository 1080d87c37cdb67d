//! A card from `Authority::issue_card`, read over its APDUs as a terminal does: 照合番号A and B,
//! the 券面 records, the 共通AP record, and the face after a change of the 4 facts
//! (card-map §4–§7, §9).

use std::path::Path;
use std::sync::OnceLock;

use card_sim::{ApKey, CardProfile, MyNumber, PinRef, SimCard};
use issuer::{Authority, FaceAp, IssueRequest, RetryLimits};
use pin_policy::{Pin, PinKind};
use rsa::PublicKey;
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use test_support::cards::{TempDir, exchange, lc_ascii, temp_dir};
use test_support::fixtures::{holder, other_holder};
use test_support::keys::seeded_rng;
use time::{Date, Duration, OffsetDateTime, macros::date, macros::datetime};

#[path = "support/records.rs"]
mod records;
use records::*;

const ISSUED_AT: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
const CARD_EXPIRY: Date = date!(2035 - 08 - 20);
const MY_NUMBER: &str = "123456789018";
/// The fixture holder's birth date 1985-08-20 as Japanese era `YYMMDD`: 昭和60年8月20日.
const BIRTH_ERA: &str = "600820";

const SELECT_TEXT: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
const SELECT_VISUAL: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02";
const SELECT_COMMON: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 01 00";
const SELECT_JUKI: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 01";

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

fn my_number() -> MyNumber {
    MyNumber::new(MY_NUMBER).unwrap()
}

fn request() -> IssueRequest {
    IssueRequest {
        profile: CardProfile::MyNumber,
        holder: holder(),
        my_number: Some(my_number()),
        auth_pin: Some(pin(PinKind::Authentication, "1234")),
        sign_pin: Some(pin(PinKind::Signature, "ABC123")),
        text_pin: Some(pin(PinKind::TextSupport, "5678")),
        resident_pin: None,
        retry_limits: RetryLimits::default(),
        card_expiry: CARD_EXPIRY,
        stay_until: None,
        issued_at: ISSUED_AT,
    }
}

/// A copy of an authority that already has its card-face keys (key generation is slow).
fn authority(dir: &Path) -> Authority {
    static TEMPLATE: OnceLock<TempDir> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let t = temp_dir("issued-card-template");
        let mut a = Authority::create(&t, ISSUED_AT, &mut seeded_rng(11)).unwrap();
        a.card_face(&holder(), &my_number(), CARD_EXPIRY, &mut seeded_rng(12))
            .unwrap();
        t
    });
    copy_authority(template, dir)
}

/// Checks an AP's CV certificate `7F21` { `5F4E` 297 B, `5F37` signature } against the
/// authority's card-face CA (PEM in its directory) and returns the signer key it certifies.
fn check_cv(authority: &Authority, ap: FaceAp, certificate: &[u8]) -> PublicKey {
    let f = fields(certificate, 0x7F21);
    assert_eq!([f[0].tag, f[1].tag], [0x5F4E, 0x5F37]);
    let body = f[0].value;
    assert_eq!(body.len(), 297, "two key IDs + the public key");
    let pem = std::fs::read_to_string(authority.face_ca_path(ap)).unwrap();
    let ca = PublicKey::from_public_key_pem(&pem).unwrap();
    assert!(verifies(&ca, body, f[1].value), "{ap:?} CV certificate");
    let mut tampered = body.to_vec();
    tampered[40] ^= 1;
    assert!(!verifies(&ca, &tampered, f[1].value));
    card_key(&body[32..])
}

/// SELECT an EF of the current AP, then READ BINARY all of it (extended Le).
fn read(card: &mut SimCard, fid: &str) -> Vec<u8> {
    exchange(card, &format!("00 A4 02 0C 02 {fid}"), "9000");
    exchange(card, "00 B0 00 00 00 00 00", "9000")
}

/// SELECT a key EF of the current AP and VERIFY `value`, expecting `sw`.
fn verify(card: &mut SimCard, fid: &str, value: &str, sw: &str) {
    exchange(card, &format!("00 A4 02 0C 02 {fid}"), "9000");
    exchange(card, &format!("00 20 00 80 {}", lc_ascii(value)), sw);
}

#[test]
fn an_issued_card_answers_with_the_face_the_authority_signed() {
    let dir = temp_dir("issued-card-face");
    let mut authority = authority(&dir);
    let mut card = authority
        .issue_card(request(), &dir.join("card"), &mut seeded_rng(21))
        .unwrap();
    let code = card.security_code().unwrap().to_owned();
    assert!(code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()));
    let number_b = format!("{BIRTH_ERA}{}{code}", CARD_EXPIRY.year());
    let text_key = card.ap_public_key(ApKey::TextSupport).unwrap();
    let visual_key = card.ap_public_key(ApKey::Visual).unwrap();
    let expected = authority
        .facts_records(
            &holder(),
            &my_number(),
            CARD_EXPIRY,
            &code,
            &text_key,
            &visual_key,
        )
        .unwrap();
    assert_eq!(*expected.number_b, number_b, "era YYMMDD + YYYY + code");
    assert_eq!(*expected.birth_date_key, BIRTH_ERA);

    // 確認AP (card-map §5): A on 0013, B on 0012, the birth date on 0011
    exchange(&mut card, SELECT_VISUAL, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 02", "9000");
    exchange(&mut card, "00 B0 00 00 00 00 00", "6982");
    let wrong_code = if code == "0000" { "0001" } else { "0000" };
    verify(
        &mut card,
        "00 12",
        &format!("{BIRTH_ERA}2035{wrong_code}"),
        "63C9",
    );
    verify(&mut card, "00 13", MY_NUMBER, "9000");
    verify(&mut card, "00 12", &number_b, "9000");
    verify(&mut card, "00 11", BIRTH_ERA, "9000");
    assert_eq!(card.pin_counter(PinRef::VisualB).unwrap().tries_left(), 10);
    assert_eq!(read(&mut card, "00 01"), expected.age_record);
    assert_eq!(read(&mut card, "00 02"), expected.card_face);
    let info = read(&mut card, "00 03");
    let f = fields(&info, 0xFF30);
    assert_eq!(f[3].tag, 0xDF34);
    assert_eq!(
        f[3].value,
        issuer::card_face::municipality_code(&holder().municipality).as_bytes()
    );
    let signer = check_cv(&authority, FaceAp::Visual, &read(&mut card, "00 04"));
    let image = read(&mut card, "00 05");
    let f = fields(&image, 0xFF40);
    assert_eq!(f[0].value[..4], *b"\x89PNG");
    assert_eq!(card_key(f[1].value), visual_key);
    assert!(verifies(
        &signer,
        &[f[0].raw, f[1].raw].concat(),
        f[2].value
    ));
    // the age record and the face are signed by the same signer
    let f = fields(&expected.age_record, 0xFF10);
    assert!(verifies(
        &signer,
        &[f[0].raw, f[1].raw].concat(),
        f[2].value
    ));

    // 入力補助AP (card-map §4): 0004 free, 0003 with A
    exchange(&mut card, SELECT_TEXT, "9000");
    let text_signer = check_cv(&authority, FaceAp::Text, &read(&mut card, "00 04"));
    exchange(&mut card, "00 A4 02 0C 02 00 03", "9000");
    exchange(&mut card, "00 B0 00 00 00 00 00", "6982");
    verify(&mut card, "00 14", MY_NUMBER, "9000");
    let integrity = read(&mut card, "00 03");
    assert_eq!(integrity, expected.integrity);
    let f = fields(&integrity, 0xFF30);
    assert!(verifies(
        &text_signer,
        &[f[0].raw, f[1].raw].concat(),
        f[2].value
    ));
    // the digests cover the bytes the card serves (card-map §4): DF31 = SHA-256 of EF 0001
    // as read, DF32 = SHA-256 of EF 0002's DF22…DF25 TLVs (after DF21)
    verify(&mut card, "00 11", "5678", "9000");
    let my_number_ef = read(&mut card, "00 01");
    let facts_ef = read(&mut card, "00 02");
    let facts = fields(&facts_ef, 0xFF20);
    assert_eq!(facts[0].tag, 0xDF21);
    let after_offsets: Vec<u8> = facts[1..].iter().flat_map(|t| t.raw.to_vec()).collect();
    assert_eq!([f[0].tag, f[1].tag], [0xDF31, 0xDF32]);
    assert_eq!(f[0].value, Sha256::digest(&my_number_ef).as_slice());
    assert_eq!(f[1].value, Sha256::digest(&after_offsets).as_slice());

    // 共通カードAP (card-map §6): `01 1C` + serial (15) + municipality (5) + expiry
    exchange(&mut card, SELECT_COMMON, "9000");
    let record = exchange(&mut card, "00 B2 01 0C 00", "9000");
    assert_eq!(record[..2], [0x01, 0x1C]);
    assert_eq!(record.len(), 30);
    assert!(record[2..].iter().all(u8::is_ascii_digit));
    assert_eq!(
        &record[17..22],
        issuer::card_face::municipality_code(&holder().municipality).as_bytes()
    );
    assert_eq!(&record[22..], b"20350820");
}

#[test]
fn a_facts_change_resigns_the_face_and_moves_number_b() {
    let dir = temp_dir("issued-card-change");
    let mut authority = authority(&dir);
    let mut card = authority
        .issue_card(request(), &dir.join("card"), &mut seeded_rng(22))
        .unwrap();
    let code = card.security_code().unwrap().to_owned();
    let old_b = format!("{BIRTH_ERA}2035{code}");
    exchange(&mut card, SELECT_VISUAL, "9000");
    verify(&mut card, "00 13", MY_NUMBER, "9000");
    let old_face = read(&mut card, "00 02");
    // one wrong try on A and on the birth date: the counters survive the change
    verify(&mut card, "00 13", "000000000000", "63C9");
    verify(&mut card, "00 11", "000000", "63C9");

    let mut moved = holder();
    moved.birth_date = date!(1986 - 01 - 15); // 昭和61年1月15日
    authority
        .change_facts(
            &mut card,
            moved,
            ISSUED_AT + Duration::days(30),
            &mut seeded_rng(23),
        )
        .unwrap();
    assert_eq!(
        card.security_code(),
        Some(code.as_str()),
        "the code is printed"
    );
    assert_eq!(card.pin_counter(PinRef::VisualA).unwrap().tries_left(), 9);
    assert_eq!(
        card.pin_counter(PinRef::VisualBirthDate)
            .unwrap()
            .tries_left(),
        9
    );
    let new_b = format!("6101152035{code}");

    exchange(&mut card, SELECT_VISUAL, "9000");
    verify(&mut card, "00 12", &old_b, "63C9");
    verify(&mut card, "00 12", &new_b, "9000");
    verify(&mut card, "00 11", BIRTH_ERA, "63C8");
    verify(&mut card, "00 11", "610115", "9000");
    let new_face = read(&mut card, "00 02");
    assert_ne!(new_face, old_face);
    let f = fields(&new_face, 0xFF20);
    assert_eq!(f[1].tag, 0xDF22);
    assert_eq!(f[1].value, b"19860115");
    // 入力補助AP 0015 takes the new B too, and not the old
    exchange(&mut card, SELECT_TEXT, "9000");
    verify(&mut card, "00 15", &old_b, "63C9");
    verify(&mut card, "00 15", &new_b, "9000");
}

#[test]
fn a_juki_card_has_the_resident_aps_only_with_a_resident_pin() {
    let dir = temp_dir("issued-card-juki");
    let mut authority = authority(&dir);
    let juki = |resident: Option<&str>| IssueRequest {
        profile: CardProfile::Juki,
        holder: other_holder(),
        my_number: None,
        auth_pin: None,
        sign_pin: Some(pin(PinKind::JukiSignature, "JUKI01")),
        text_pin: None,
        resident_pin: resident.map(|p| pin(PinKind::ResidentRegistry, p)),
        retry_limits: RetryLimits::default(),
        card_expiry: date!(2025 - 08 - 20),
        stay_until: None,
        // Juki issuance ended in December 2015
        issued_at: datetime!(2015-08-20 01:00 UTC),
    };
    let mut card = authority
        .issue_card(juki(Some("4321")), &dir.join("with"), &mut seeded_rng(24))
        .unwrap();
    assert_eq!(card.security_code(), None);
    for absent in [SELECT_TEXT, SELECT_VISUAL] {
        exchange(&mut card, absent, "6A82");
    }
    for (select, pin_ref) in [(SELECT_COMMON, PinRef::Common), (SELECT_JUKI, PinRef::Juki)] {
        exchange(&mut card, select, "9000");
        verify(&mut card, "00 1C", "1111", "63C2");
        verify(&mut card, "00 1C", "4321", "9000");
        assert_eq!(card.pin_counter(pin_ref).unwrap().tries_left(), 3);
    }
    exchange(&mut card, SELECT_COMMON, "9000");
    let record = exchange(&mut card, "00 B2 01 0C 00", "9000");
    assert_eq!(record[..2], [0x01, 0x1C]);
    assert_eq!(&record[22..], b"20250820");

    let mut bare = authority
        .issue_card(juki(None), &dir.join("without"), &mut seeded_rng(25))
        .unwrap();
    // without a 住民基本台帳用 PIN the window writes neither AP: SELECT answers 6A82
    for absent in [SELECT_TEXT, SELECT_VISUAL, SELECT_COMMON, SELECT_JUKI] {
        exchange(&mut bare, absent, "6A82");
    }
    assert!(bare.pin_counter(PinRef::Common).is_none());
    assert!(bare.pin_counter(PinRef::Juki).is_none());
}
