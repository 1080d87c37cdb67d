//! `Authority::card_face` and `Authority::facts_records`: every record parsed back with a TLV
//! walker of this test's own and every signature verified (card-map §4, §5, §6, §9).

use std::path::Path;
use std::sync::OnceLock;

use card_sim::MyNumber;
use issuer::card_face::{self, FACES};
use issuer::{Authority, CardFace, Error, FaceAp};
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, PublicKey};
use sha2::{Digest, Sha256};
use test_support::cards::{TempDir, temp_dir};
use test_support::fixtures::{holder, other_holder};
use test_support::keys::seeded_rng;
use time::{Date, OffsetDateTime, macros::date, macros::datetime};

#[path = "support/records.rs"]
mod records;
use records::*;

const CREATED: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
const EXPIRY: Date = date!(2035 - 08 - 20);

/// Decodes a PNG, checks it is 1-bit greyscale with some black ink on it, and gives its size.
fn png_info(png: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!(info.bit_depth, png::BitDepth::One);
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (width, height) = (info.width, info.height);
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(frame.line_size, (width as usize).div_ceil(8));
    // 0 bits are black: a row of 24 or 72 white pixels is all 1s
    let ink: u32 = pixels[..frame.buffer_size()]
        .chunks(frame.line_size)
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, b)| {
                    let valid = u32::try_from((width as usize - 8 * i).min(8)).unwrap();
                    valid - (b >> (8 - valid)).count_ones()
                })
                .sum::<u32>()
        })
        .sum();
    assert!(ink > 0 && ink < width * height / 2, "{ink} black pixels");
    (width, height)
}

/// An authority directory that already has its card-face keys, copied per test (key generation
/// is the slow part).
fn authority(dir: &Path) -> Authority {
    static TEMPLATE: OnceLock<TempDir> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let t = temp_dir("face-template");
        let mut a = Authority::create(&t, CREATED, &mut seeded_rng(1)).unwrap();
        a.card_face(&holder(), &my_number(), EXPIRY, &mut seeded_rng(2))
            .unwrap();
        t
    });
    copy_authority(template, dir)
}

fn my_number() -> MyNumber {
    MyNumber::new("123456789018").unwrap()
}

/// A CV certificate (card-map §5) checked against the CA PEM in the authority directory; the
/// record-signing key it certifies.
fn check_cv(authority: &Authority, cv: &[u8], ap: FaceAp, issuer_id: &[u8; 7]) -> PublicKey {
    assert_eq!(cv.len(), 568);
    assert_eq!(cv[..5], [0x7F, 0x21, 0x82, 0x02, 0x33]);
    let fields = fields(cv, 0x7F21);
    assert_eq!(tags(&fields), [0x5F4E, 0x5F37]);
    let body = fields[0].value;
    assert_eq!(body.len(), 297);
    let id = |digits: &[u8; 7]| [&digits[..], b"\x08\x05001\0\0\0\0"].concat();
    assert_eq!(body[..16], id(issuer_id)[..], "証明者鍵ID");
    assert_eq!(body[16], b'9', "被証明者鍵ID: ours start with 9");
    assert_eq!(body[23..28], *b"\x08\x05001");
    let pem = std::fs::read_to_string(authority.face_ca_path(ap)).unwrap();
    let (label, der) = der::pem::decode_vec(pem.as_bytes()).unwrap();
    assert_eq!(label, "PUBLIC KEY");
    let ca = PublicKey::from_public_key_der(&der).unwrap();
    assert_eq!(Some(&ca), authority.face_ca_public_key(ap).as_ref());
    verify(&ca, body, fields[1].value);
    card_key(&body[32..])
}

/// The 4 facts TLVs of 入力補助AP EF `0002` as a card writes them (card-map §4).
fn text_facts_tlvs(name: &str, address: &str, birth: &str, sex: u8) -> Vec<u8> {
    let mut out = Vec::new();
    for (tag, value) in [
        (0x22, name.as_bytes()),
        (0x23, address.as_bytes()),
        (0x24, birth.as_bytes()),
        (0x25, &[sex][..]),
    ] {
        out.extend_from_slice(&[0xDF, tag]);
        let n = u16::try_from(value.len()).unwrap().to_be_bytes();
        match value.len() {
            0..0x80 => out.push(n[1]),
            0x80..0x100 => out.extend_from_slice(&[0x81, n[1]]),
            _ => out.extend_from_slice(&[0x82, n[0], n[1]]),
        }
        out.extend_from_slice(value);
    }
    out
}

fn check_text(authority: &Authority, face: &CardFace) -> PublicKey {
    let text = &face.text;
    let signer = check_cv(authority, &text.cv_certificate, FaceAp::Text, b"9000033");
    // 0003 integrity, 336 B
    assert_eq!(text.integrity.len(), 336);
    assert_eq!(text.integrity[..5], [0xFF, 0x30, 0x82, 0x01, 0x4B]);
    let f = fields(&text.integrity, 0xFF30);
    assert_eq!(tags(&f), [0xDF31, 0xDF32, 0xDF33]);
    let ef0001 = [&[0xFF, 0x10, 0x0C][..], b"123456789018", &[0xFF, 0xFF]].concat();
    assert_eq!(f[0].value, &Sha256::digest(&ef0001)[..]);
    let facts = text_facts_tlvs(
        "渡なべ\u{3000}花子",
        "東京都千代田区霞が関二丁目１番２号",
        "19850820",
        b'2',
    );
    assert_eq!(f[1].value, &Sha256::digest(&facts)[..]);
    verify(&signer, &[f[0].raw, f[1].raw].concat(), f[2].value);
    // 0005 basic info, 256 B
    assert_eq!(text.basic_info.len(), 256);
    // FF 40 81 9E: DF41 (7 B) + DF42 (19 B) + DF43 (132 B) = 158, then FF filler
    assert_eq!(text.basic_info[..4], [0xFF, 0x40, 0x81, 0x9E]);
    let top = walk(&text.basic_info[..4 + 0x9E]);
    assert_eq!(top[0].tag, 0xFF40);
    assert!(
        text.basic_info[top[0].raw.len()..]
            .iter()
            .all(|&b| b == 0xFF)
    );
    let f = walk(top[0].value);
    assert_eq!(tags(&f), [0xDF41, 0xDF42, 0xDF43]);
    assert_eq!(f[0].value, [0x01, 0x03, 0x0E, 0x01]);
    assert_eq!(f[1].value, b"9000034\x08\x05001\0\0\0\0");
    assert_eq!(f[2].raw[2..4], [0x81, 0x80]);
    assert!(f[2].value[32..].iter().all(|&b| b == 0xFF));
    // 0006 session key = the public half of 0013 (our choice)
    let card = text.card_key.to_public_key();
    assert_eq!(text.session_key[..4], [0xA1, 0x82, 0x01, 0x09]);
    assert_eq!(card_key(walk(&text.session_key)[0].value), card);
    // 0007 signed key
    assert_eq!(text.signed_key[..5], [0xFF, 0x50, 0x82, 0x02, 0x13]);
    let f = fields(&text.signed_key, 0xFF50);
    assert_eq!(tags(&f), [0xDF51, 0xDF52]);
    assert_eq!(card_key(f[0].value), card);
    verify(&signer, f[0].raw, f[1].value);
    signer
}

fn check_visual(authority: &Authority, face: &CardFace) -> PublicKey {
    let visual = &face.visual;
    let signer = check_cv(
        authority,
        &visual.cv_certificate,
        FaceAp::Visual,
        b"9000023",
    );
    let card = visual.card_key.to_public_key();
    // 0001 age record
    assert_eq!(visual.age_record[..5], [0xFF, 0x10, 0x82, 0x02, 0x1E]);
    let f = fields(&visual.age_record, 0xFF10);
    assert_eq!(tags(&f), [0xDF11, 0xDF12, 0xDF13]);
    assert_eq!(f[0].value, b"19850820");
    assert_eq!(card_key(f[1].value), card);
    verify(&signer, &[f[0].raw, f[1].raw].concat(), f[2].value);
    // 0002 card face: DF21's 9 offsets point at DF22…DF2A, counted from byte 0 of the EF
    let record = &visual.card_face;
    assert_eq!(record[..3], [0xFF, 0x20, 0x82]);
    let f = fields(record, 0xFF20);
    assert_eq!(
        tags(&f),
        [
            0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25, 0xDF26, 0xDF27, 0xDF28, 0xDF29, 0xDF2A
        ]
    );
    assert_eq!(f[0].value.len(), 18);
    let mut at = 5 + f[0].raw.len();
    for (i, field) in f[1..].iter().enumerate() {
        let offset = usize::from(u16::from_be_bytes([
            f[0].value[2 * i],
            f[0].value[2 * i + 1],
        ]));
        assert_eq!(offset, at, "offset {i}");
        assert_eq!(record[offset..offset + 2], field.tag.to_be_bytes());
        at += field.raw.len();
    }
    assert_eq!(at, record.len());
    assert_eq!(f[1].value, b"19850820");
    assert_eq!(f[2].value, b"2");
    assert_eq!(card_key(f[3].value), card);
    // our choice: one box per character, 16×16 cells, at least 8 (name) / 16 (address) a line
    assert_eq!(
        png_info(f[4].value),
        (8 * 16, 16),
        "name image: 6 characters"
    );
    assert_eq!(
        png_info(f[5].value),
        (16 * 16, 2 * 16),
        "address image: 17 characters"
    );
    assert!(
        FACES.contains(&f[6].value),
        "DF27 is a committed face photo"
    );
    let mut digest_info = vec![
        0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x60,
    ];
    digest_info.extend(Sha256::digest([f[1].raw, f[2].raw, f[3].raw].concat()));
    digest_info.extend(Sha256::digest([f[4].raw, f[5].raw].concat()));
    digest_info.extend(Sha256::digest(f[6].raw));
    assert_eq!(f[7].raw[..4], [0xDF, 0x28, 0x82, 0x01]);
    signer
        .verify(Pkcs1v15Sign::new_unprefixed(), &digest_info, f[7].value)
        .expect("DF28 verifies over the three digests");
    assert_eq!(f[8].value, b"20350820");
    assert_eq!(png_info(f[9].value), (24, 12), "security-code image");
    // 0003 basic info
    let f = fields(&visual.basic_info, 0xFF30);
    assert_eq!(tags(&f), [0xDF31, 0xDF32, 0xDF33, 0xDF34, 0xDF35]);
    assert_eq!(f[0].value, [0x06, 0x03, 0x0E, 0x01]);
    assert_eq!(f[1].value, b"9000024\x08\x05001\0\0\0\0");
    assert_eq!(f[3].value, face.common.municipality.as_bytes());
    assert_eq!(f[4].raw[2..5], [0x82, 0x01, 0x10]);
    // 0005 My Number image
    let f = fields(&visual.my_number_image, 0xFF40);
    assert_eq!(tags(&f), [0xDF41, 0xDF42, 0xDF43]);
    assert_eq!(png_info(f[0].value), (72, 12), "My Number image");
    assert_eq!(card_key(f[1].value), card);
    verify(&signer, &[f[0].raw, f[1].raw].concat(), f[2].value);
    signer
}

#[test]
fn every_record_parses_back_and_every_signature_verifies() {
    let dir = temp_dir("card-face");
    let mut authority = authority(&dir);
    let face = authority
        .card_face(&holder(), &my_number(), EXPIRY, &mut seeded_rng(9))
        .unwrap();
    check_text(&authority, &face);
    check_visual(&authority, &face);
    let code = face.security_code.as_str();
    assert!(code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()));
    // 1985-08-20 = 昭和60
    assert_eq!(face.birth_date_key.as_str(), "600820");
    assert_eq!(face.number_b.as_str(), format!("6008202035{code}"));
    let common = &face.common;
    assert!(common.serial.len() == 15 && common.serial.bytes().all(|b| b.is_ascii_digit()));
    assert!(common.municipality.starts_with("13") && common.municipality.len() == 5);
    assert_eq!(common.expiry, "20350820");
    assert_ne!(common.key_reference, [0; 16]);
    for key in [
        &face.text.card_key,
        &face.visual.card_key,
        &common.internal_auth_key,
    ] {
        assert_eq!(key.size(), 256);
    }
    // no secret in Debug
    assert!(!format!("{face:?}").contains(code));
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_other_holders_other_records() {
    let dir = temp_dir("card-face-seed");
    let mut authority = authority(&dir);
    let make = |a: &mut Authority, h: &cert::Holder| {
        a.card_face(h, &my_number(), EXPIRY, &mut seeded_rng(5))
            .unwrap()
    };
    let (one, two) = (
        make(&mut authority, &holder()),
        make(&mut authority, &holder()),
    );
    let bytes = |f: &CardFace| {
        let pkcs8 = |k| cert::keys::to_pkcs8_der(k).unwrap().to_vec();
        [
            f.security_code.as_bytes().to_vec(),
            f.text.integrity.clone(),
            f.text.cv_certificate.clone(),
            f.text.basic_info.clone(),
            f.text.session_key.clone(),
            f.text.signed_key.clone(),
            pkcs8(&f.text.card_key),
            f.visual.age_record.clone(),
            f.visual.card_face.clone(),
            f.visual.basic_info.clone(),
            f.visual.cv_certificate.clone(),
            f.visual.my_number_image.clone(),
            pkcs8(&f.visual.card_key),
            f.common.serial.as_bytes().to_vec(),
            f.common.key_reference.to_vec(),
            pkcs8(&f.common.internal_auth_key),
        ]
    };
    assert_eq!(bytes(&one), bytes(&two));
    let other = make(&mut authority, &other_holder());
    assert_ne!(one.text.integrity, other.text.integrity);
    assert_ne!(one.visual.age_record, other.visual.age_record);
    assert_ne!(one.visual.card_face, other.visual.card_face);
    assert_ne!(one.number_b, other.number_b);

    // a facts change with the card keys kept: the records of the new facts, signed the same way
    let (text_key, visual_key) = (
        one.text.card_key.to_public_key(),
        one.visual.card_key.to_public_key(),
    );
    let again = authority
        .facts_records(
            &holder(),
            &my_number(),
            EXPIRY,
            &one.security_code,
            &text_key,
            &visual_key,
        )
        .unwrap();
    assert_eq!(again.integrity, one.text.integrity);
    assert_eq!(again.age_record, one.visual.age_record);
    assert_eq!(again.card_face, one.visual.card_face);
    assert_eq!(again.number_b, one.number_b);
    assert_eq!(again.birth_date_key, one.birth_date_key);
    let changed = authority
        .facts_records(
            &other_holder(),
            &my_number(),
            EXPIRY,
            "2285",
            &text_key,
            &visual_key,
        )
        .unwrap();
    // 1960-02-29 = 昭和35
    assert_eq!(changed.number_b.as_str(), "35022920352285");
    let f = fields(&changed.age_record, 0xFF10);
    assert_eq!(f[0].value, b"19600229");
    assert_eq!(card_key(f[1].value), visual_key);
    assert!(matches!(
        authority.facts_records(
            &holder(),
            &my_number(),
            EXPIRY,
            "22855",
            &text_key,
            &visual_key
        ),
        Err(Error::CardFace { .. })
    ));
}

#[test]
fn an_authority_from_before_the_face_keys_opens_and_gets_them_at_the_first_card_face() {
    let dir = temp_dir("card-face-old");
    let path = dir.join("authority");
    drop(Authority::create(&path, CREATED, &mut seeded_rng(3)).unwrap());
    let mut authority = Authority::open(&path).unwrap();
    assert!(!authority.face_ca_path(FaceAp::Text).exists());
    assert!(authority.face_ca_public_key(FaceAp::Visual).is_none());
    let key = seeded_rng_key();
    assert!(matches!(
        authority.facts_records(&holder(), &my_number(), EXPIRY, "1234", &key, &key),
        Err(Error::CardFace { .. })
    ));
    let face = authority
        .card_face(&holder(), &my_number(), EXPIRY, &mut seeded_rng(4))
        .unwrap();
    for name in [
        "face-text-ca.key",
        "face-text-signer.key",
        "face-visual-ca.key",
        "face-visual-signer.key",
    ] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    let text_ca = authority.face_ca_public_key(FaceAp::Text).unwrap();
    drop(authority);
    // reopened: the same keys, and the records of a facts change verify against the same CA
    let authority = Authority::open(&path).unwrap();
    assert_eq!(authority.face_ca_public_key(FaceAp::Text), Some(text_ca));
    check_text(&authority, &face);
    let signer = check_visual(&authority, &face);
    let again = authority
        .facts_records(
            &holder(),
            &my_number(),
            EXPIRY,
            &face.security_code,
            &face.text.card_key.to_public_key(),
            &face.visual.card_key.to_public_key(),
        )
        .unwrap();
    let f = fields(&again.age_record, 0xFF10);
    verify(&signer, &[f[0].raw, f[1].raw].concat(), f[2].value);
    assert_eq!(
        card_face::birth_date_key(holder().birth_date).unwrap(),
        again.birth_date_key
    );
}

fn seeded_rng_key() -> PublicKey {
    test_support::keys::generate_seeded_key(11)
        .unwrap()
        .to_public_key()
}
