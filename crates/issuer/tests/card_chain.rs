//! The J-LIS card chain behind MF GET DATA `00F7`, `00F8`, `7F21` (card-map §2): walked back
//! and every signature verified up to `card-ca.pem`.

use std::path::Path;

use card_sim::MyNumber;
use issuer::card_face::{card_key_id, intermediate_key_id, root_key_id};
use issuer::{Authority, CommonRecords, FaceAp, FaceAuthority};
use rsa::PublicKey;
use test_support::cards::temp_dir;
use test_support::fixtures::holder;
use test_support::keys::seeded_rng;
use time::{Date, OffsetDateTime, macros::date, macros::datetime};

#[path = "support/records.rs"]
mod records;
use records::*;

const CREATED: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
const EXPIRY: Date = date!(2035 - 08 - 20);

fn id(digits: &[u8; 7]) -> Vec<u8> {
    [&digits[..], b"\x08\x05001\0\0\0\0"].concat()
}

/// `5F 4E 82 01 29` <297 B> `5F 37 82 01 00` <256 B> → (body, signature).
fn template(contents: &[u8]) -> (&[u8], &[u8]) {
    assert_eq!(contents.len(), 563);
    assert_eq!(contents[..5], [0x5F, 0x4E, 0x82, 0x01, 0x29]);
    assert_eq!(contents[302..307], [0x5F, 0x37, 0x82, 0x01, 0x00]);
    (&contents[5..302], &contents[307..])
}

/// Walks `00F8` and `7F21` of `common` up to `root`; the intermediate key.
fn check_chain(common: &CommonRecords, root: &PublicKey) -> PublicKey {
    assert_eq!(common.issuer_key_id[..], id(b"9000012")[..], "00F7");
    let (body, signature) = template(&common.root_certificate);
    assert_eq!(body[..16], id(b"9000011")[..], "証明者鍵ID: the root");
    assert_eq!(
        body[16..32],
        common.issuer_key_id,
        "被証明者鍵ID: the intermediate"
    );
    verify(root, body, signature);
    let intermediate = card_key(&body[32..]);

    let cv = &common.card_certificate;
    assert_eq!(cv.len(), 568);
    assert_eq!(cv[..5], [0x7F, 0x21, 0x82, 0x02, 0x33]);
    let (body, signature) = template(&cv[5..]);
    assert_eq!(body[..16], common.issuer_key_id, "証明者鍵ID = 00F7");
    assert_eq!(
        body[16..32],
        id(b"9000013")[..],
        "被証明者鍵ID: the card key"
    );
    verify(&intermediate, body, signature);
    assert_eq!(
        card_key(&body[32..]),
        common.internal_auth_key.to_public_key(),
        "7F21 certifies key 0019"
    );
    intermediate
}

fn card_ca(dir: &Path) -> PublicKey {
    pem_key(&std::fs::read_to_string(dir.join("card-ca.pem")).unwrap())
}

#[test]
fn the_key_ids_start_with_9() {
    assert_eq!(root_key_id()[..], id(b"9000011")[..]);
    assert_eq!(intermediate_key_id()[..], id(b"9000012")[..]);
    assert_eq!(card_key_id()[..], id(b"9000013")[..]);
}

#[test]
fn a_my_number_card_and_a_juki_card_get_a_chain_up_to_card_ca_pem() {
    let dir = temp_dir("card-chain");
    let path = dir.join("authority");
    let mut authority = Authority::create(&path, CREATED, &mut seeded_rng(1)).unwrap();
    assert!(authority.card_ca_public_key().is_none());
    // a Juki card first: the keys are made for it
    let juki = authority
        .common_records(&holder(), EXPIRY, &mut seeded_rng(2))
        .unwrap();
    let root = card_ca(&path);
    assert_eq!(authority.card_ca_path(), path.join("card-ca.pem"));
    assert_eq!(authority.card_ca_public_key(), Some(root.clone()));
    let intermediate = check_chain(&juki, &root);
    let my_number = MyNumber::new("123456789018").unwrap();
    let face = authority
        .card_face(&holder(), &my_number, EXPIRY, &mut seeded_rng(3))
        .unwrap();
    assert_eq!(check_chain(&face.common, &root), intermediate);
    assert_eq!(face.common.root_certificate, juki.root_certificate);
    assert_ne!(face.common.card_certificate, juki.card_certificate);
    for name in ["card-ca.key", "card-intermediate.key"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    // the contents the card gets
    let contents = face.common.into_contents(
        pin_policy::Pin::new(pin_policy::PinKind::ResidentRegistry, b"2580").unwrap(),
        pin_policy::Pin::new(pin_policy::PinKind::ResidentRegistry, b"2580").unwrap(),
        3,
    );
    let mf = contents.mf_objects.unwrap();
    assert_eq!(mf.issuer_key_id[..], id(b"9000012")[..]);
    assert_eq!(mf.card_certificate.len(), 568);
    // reopened (PEM removed): the same keys, the PEM written again
    drop(authority);
    std::fs::remove_file(path.join("card-ca.pem")).unwrap();
    let authority = Authority::open(&path).unwrap();
    assert_eq!(authority.card_ca_public_key(), Some(root.clone()));
    assert_eq!(card_ca(&path), root);
}

#[test]
fn an_authority_with_only_the_older_face_keys_gets_a_full_new_set() {
    let dir = temp_dir("card-chain-old");
    let path = dir.join("authority");
    let mut authority = Authority::create(&path, CREATED, &mut seeded_rng(4)).unwrap();
    let my_number = MyNumber::new("123456789018").unwrap();
    authority
        .card_face(&holder(), &my_number, EXPIRY, &mut seeded_rng(5))
        .unwrap();
    let old_text_ca = authority.face_ca_public_key(FaceAp::Text).unwrap();
    drop(authority);
    for name in ["card-ca.key", "card-intermediate.key", "card-ca.pem"] {
        std::fs::remove_file(path.join(name)).unwrap();
    }
    let mut authority = Authority::open(&path).unwrap();
    assert!(authority.face_ca_public_key(FaceAp::Text).is_none());
    assert!(authority.card_ca_public_key().is_none());
    let face = authority
        .card_face(&holder(), &my_number, EXPIRY, &mut seeded_rng(6))
        .unwrap();
    let new_text_ca = authority.face_ca_public_key(FaceAp::Text).unwrap();
    assert_ne!(new_text_ca, old_text_ca, "a full new set");
    check_chain(&face.common, &card_ca(&path));
}

#[test]
fn a_face_authority_in_memory_signs_the_same_chain() {
    let mut rng = seeded_rng(7);
    let authority = FaceAuthority::generate(&mut rng).unwrap();
    let root = pem_key(&authority.card_ca_pem().unwrap());
    let juki = authority
        .common_records(&holder(), EXPIRY, &mut rng)
        .unwrap();
    check_chain(&juki, &root);
    let other = pem_key(&authority.ca_pem(FaceAp::Text).unwrap());
    assert_ne!(other, root);
}
