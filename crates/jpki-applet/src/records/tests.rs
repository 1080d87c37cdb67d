//! The record parsers on bytes built from card-map §4–§6 (tests/support/card_bytes.rs), on
//! broken variants of them, and on arbitrary bytes (they never panic).

use proptest::prelude::*;

use super::*;
use crate::types::Sex;

#[path = "../../tests/support/card_bytes.rs"]
mod card_bytes;

use card_bytes as cb;

fn reason(e: Error) -> &'static str {
    match e {
        Error::MalformedFile { reason, .. } => reason,
        other => panic!("not a MalformedFile: {other:?}"),
    }
}

#[test]
fn cv_certificate_has_the_headers_card_map_quotes_and_verifies_under_its_ca() {
    let bytes = cb::cv_certificate(cb::ca_key(), cb::ap_key());
    // card-map §5: 7F 21 82 02 33 { 5F 4E 82 01 29 …; 5F 37 82 01 00 … }
    assert_eq!(bytes[..5], [0x7F, 0x21, 0x82, 0x02, 0x33]);
    assert_eq!(bytes[5..10], [0x5F, 0x4E, 0x82, 0x01, 0x29]);
    assert_eq!(bytes[307..312], [0x5F, 0x37, 0x82, 0x01, 0x00]);
    let cv = CvCertificate::parse(&bytes, 0x0004).unwrap();
    assert_eq!(cv.issuer_key_id.to_string(), "9000023/001");
    assert_eq!(cv.subject_key_id.to_string(), "9000024/001");
    assert_eq!(cv.issuer_key_id.issuer().as_deref(), Some("9000023"));
    assert_eq!(cv.public_key, cb::ap_key().to_public_key());
    cv.verify_signed_by(&cb::ca_key().to_public_key()).unwrap();
    assert!(matches!(
        cv.verify_signed_by(&cb::other_key().to_public_key()),
        Err(Error::SignatureInvalid { .. })
    ));
}

#[test]
fn cv_certificate_refuses_wrong_tags_short_bodies_and_truncation() {
    let good = cb::cv_certificate(cb::ca_key(), cb::ap_key());
    let mut wrong_tag = good.clone();
    wrong_tag[1] = 0x22;
    assert!(CvCertificate::parse(&wrong_tag, 4).is_err());
    assert!(CvCertificate::parse(&good[..good.len() - 1], 4).is_err());
    assert!(CvCertificate::parse(&[], 4).is_err());
    // a body of 296 bytes
    let short = cb::tlv(
        0x7F21,
        &[cb::tlv(0x5F4E, &[0x30; 296]), cb::tlv(0x5F37, &[0; 256])].concat(),
    );
    assert_eq!(
        reason(CvCertificate::parse(&short, 4).unwrap_err()),
        "the certificate body (5F4E) is not 297 bytes"
    );
}

#[test]
fn the_card_chain_parses_links_and_verifies_up_to_the_root() {
    // root = ca_key, intermediate = other_key, card key = ap_key
    let (id, f8, cv) = cb::card_chain(cb::ca_key(), cb::other_key(), cb::ap_key());
    // card-map §2: 00F8 is the template contents, 5F 4E first
    assert_eq!(f8[..5], [0x5F, 0x4E, 0x82, 0x01, 0x29]);
    assert_eq!(cv[..5], [0x7F, 0x21, 0x82, 0x02, 0x33]);
    let chain = CardChain::parse(&id, &f8, &cv).unwrap();
    assert_eq!(chain.issuer_key_id.to_string(), "9000012/001");
    assert_eq!(chain.root_key_id().to_string(), "9000011/001");
    assert_eq!(chain.card.subject_key_id.to_string(), "9000013/001");
    assert_eq!(*chain.card_key(), cb::ap_key().to_public_key());
    chain.verify(&cb::ca_key().to_public_key()).unwrap();
    // another root
    assert!(matches!(
        chain.verify(&cb::other_key().to_public_key()),
        Err(Error::SignatureInvalid {
            what: "the intermediate certificate (MF 00F8)"
        })
    ));
    // 7F21 signed by a key 00F8 does not certify
    let (_, _, forged) = cb::card_chain(cb::ca_key(), cb::ca_key(), cb::ap_key());
    let chain = CardChain::parse(&id, &f8, &forged).unwrap();
    assert!(matches!(
        chain.verify(&cb::ca_key().to_public_key()),
        Err(Error::SignatureInvalid {
            what: "the card certificate (MF 7F21)"
        })
    ));
}

#[test]
fn the_card_chain_refuses_unlinked_ids_and_bad_objects() {
    let (id, f8, cv) = cb::card_chain(cb::ca_key(), cb::other_key(), cb::ap_key());
    assert_eq!(
        reason(CardChain::parse(&id[..15], &f8, &cv).unwrap_err()),
        "GET DATA 00F7 is not 16 bytes"
    );
    let mut other_id = id.clone();
    other_id[6] = b'9';
    assert_eq!(
        reason(CardChain::parse(&other_id, &f8, &cv).unwrap_err()),
        "00F8 does not certify the key 00F7 names"
    );
    // 00F8 given with its 7F21 header is not template contents
    assert!(CardChain::parse(&id, &cv, &cv).is_err());
    assert!(CardChain::parse(&id, &f8, &f8).is_err());
    let unlinked = cb::tlv(
        0x7F21,
        &cb::cv_template(
            cb::other_key(),
            cb::key_id("9000099", "001"),
            cb::key_id("9000013", "001"),
            cb::ap_key(),
        ),
    );
    assert_eq!(
        reason(CardChain::parse(&id, &f8, &unlinked).unwrap_err()),
        "7F21 is not signed by the key 00F7 names"
    );
}

#[test]
fn card_face_parses_checks_its_table_and_its_signature() {
    let bytes = cb::card_face();
    // card-map §5: FF 20 82 LL LL { DF21 12 …
    assert_eq!(bytes[..3], [0xFF, 0x20, 0x82]);
    assert_eq!(bytes[5..8], [0xDF, 0x21, 0x12]);
    // the first offset points at DF22, just after the 5-byte header and the 21 bytes of DF21
    assert_eq!(bytes[8..10], [0x00, 0x1A]);
    assert_eq!(bytes[0x1A..0x1C], [0xDF, 0x22]);
    let face = CardFace::parse(&bytes).unwrap();
    assert_eq!(face.birth.to_string(), "1980-02-17");
    assert_eq!(face.expiry.to_string(), "2035-02-17");
    assert_eq!(face.sex, Sex::Female);
    assert_eq!(face.face_photo, cb::jp2());
    assert_eq!(face.name_image, cb::png(1));
    assert_eq!(face.address_image, cb::png(2));
    assert_eq!(face.security_code_image, cb::png(3));
    face.verify_signature(&cb::ap_key().to_public_key())
        .unwrap();
    assert!(matches!(
        face.verify_signature(&cb::other_key().to_public_key()),
        Err(Error::SignatureInvalid { .. })
    ));
    // filler after FF20 is ignored
    let mut padded = bytes.clone();
    padded.extend([0xFF; 7]);
    assert!(CardFace::parse(&padded).is_ok());
}

#[test]
fn the_signature_covers_the_photo_and_not_the_expiry() {
    let mut objects = cb::face_objects(cb::ap_key(), "19800217", "1", "20350217");
    // another expiry after signing: DF29 is not covered
    objects[7] = cb::tlv(0xDF29, b"20360217");
    let face = CardFace::parse(&cb::face_file(&objects, None)).unwrap();
    face.verify_signature(&cb::ap_key().to_public_key())
        .unwrap();
    assert_eq!(face.expiry.year, 2036);
    // another photo after signing: DF27 is
    let mut photo = cb::jp2();
    photo.push(0);
    objects[5] = cb::tlv(0xDF27, &photo);
    let face = CardFace::parse(&cb::face_file(&objects, None)).unwrap();
    assert!(matches!(
        face.verify_signature(&cb::ap_key().to_public_key()),
        Err(Error::SignatureInvalid { .. })
    ));
}

#[test]
fn card_face_refuses_bad_offsets_orders_dates_and_images() {
    let objects = cb::face_objects(cb::ap_key(), "19800217", "2", "20350217");
    let good = cb::face_file(&objects, None);
    let right: Vec<u16> = (0..9)
        .map(|i| u16::from_be_bytes([good[8 + 2 * i], good[9 + 2 * i]]))
        .collect();
    let mut off_by_one = right.clone();
    off_by_one[4] += 1;
    assert_eq!(
        reason(CardFace::parse(&cb::face_file(&objects, Some(off_by_one))).unwrap_err()),
        "the offset table (DF21) does not point at the objects"
    );
    assert_eq!(
        reason(CardFace::parse(&cb::face_file(&objects, Some(right[..8].to_vec()))).unwrap_err()),
        "the offset table (DF21) has the wrong number of offsets"
    );
    let mut swapped = objects.clone();
    swapped.swap(3, 4);
    assert_eq!(
        reason(CardFace::parse(&cb::face_file(&swapped, None)).unwrap_err()),
        "the objects after DF21 are not the expected ones in order"
    );
    let mut bad_photo = objects.clone();
    bad_photo[5] = cb::tlv(0xDF27, &[0xFF, 0x4F, 0xFF, 0x51]); // a raw J2K codestream, no JP2 box
    assert!(reason(CardFace::parse(&cb::face_file(&bad_photo, None)).unwrap_err()).contains("JP2"));
    let mut bad_date = objects.clone();
    bad_date[0] = cb::tlv(0xDF22, b"19801317");
    assert!(CardFace::parse(&cb::face_file(&bad_date, None)).is_err());
    let mut bad_sex = objects.clone();
    bad_sex[1] = cb::tlv(0xDF23, b"3");
    assert!(CardFace::parse(&cb::face_file(&bad_sex, None)).is_err());
    let mut wrong_tag = good.clone();
    wrong_tag[1] = 0x30;
    assert!(CardFace::parse(&wrong_tag).is_err());
    assert!(CardFace::parse(&good[..good.len() - 3]).is_err());
}

#[test]
fn my_number_image_parses_and_verifies() {
    let image = MyNumberImage::parse(&cb::my_number_image(cb::ap_key())).unwrap();
    assert_eq!(image.image, cb::png(4));
    image
        .verify_signature(&cb::ap_key().to_public_key())
        .unwrap();
    let forged = MyNumberImage::parse(&cb::my_number_image(cb::other_key())).unwrap();
    assert!(
        forged
            .verify_signature(&cb::ap_key().to_public_key())
            .is_err()
    );
}

#[test]
fn basic_infos_and_the_common_record_parse() {
    let text = TextBasicInfo::parse(&cb::text_basic_info()).unwrap();
    assert_eq!(text.profile, [0x01, 0x03, 0x0E, 0x01]);
    assert_eq!(text.key_id.to_string(), "9000034/001");
    assert_eq!(text.unknown.len(), 128);
    let face = FaceBasicInfo::parse(&cb::face_basic_info("13221")).unwrap();
    assert_eq!(face.profile, [0x06, 0x03, 0x0E, 0x01]);
    assert_eq!(face.municipality, "13221");
    assert_eq!(face.version, 1);
    assert_eq!(face.extra_key_id.to_string(), "9000023/002");
    assert!(FaceBasicInfo::parse(&cb::face_basic_info("1322")).is_err());
    // card-map §6: 01 1C + 400000012719843 13221 20350217
    let record = cb::common_record();
    assert_eq!(record[..2], [0x01, 0x1C]);
    let common = CommonRecord::parse(&record).unwrap();
    assert_eq!(common.serial, "400000012719843");
    assert_eq!(common.municipality, "13221");
    assert_eq!(common.expiry.to_string(), "2035-02-17");
    assert!(CommonRecord::parse(&record[..29]).is_err());
    assert!(CommonRecord::parse(&cb::tlv(0x02, &record[2..])).is_err());
    let mut letters = record.clone();
    letters[5] = b'X';
    assert!(CommonRecord::parse(&letters).is_err());
}

#[test]
fn card_public_keys_are_90_then_91_and_nothing_else() {
    let bytes = cb::card_key_bytes(cb::ap_key());
    // card-map §5: 90 03 01 00 01 91 82 01 00 <256 B>
    assert_eq!(
        bytes[..9],
        [0x90, 0x03, 0x01, 0x00, 0x01, 0x91, 0x82, 0x01, 0x00]
    );
    assert_eq!(
        card_public_key(&bytes).unwrap(),
        cb::ap_key().to_public_key()
    );
    let mut extra = bytes.clone();
    extra.push(0);
    assert!(card_public_key(&extra).is_err());
    assert!(card_public_key(&bytes[5..]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = CardFace::parse(&bytes);
        let _ = MyNumberImage::parse(&bytes);
        let _ = CvCertificate::parse(&bytes, 4);
        let _ = CardChain::parse(&bytes, &bytes, &bytes);
        let _ = TextBasicInfo::parse(&bytes);
        let _ = FaceBasicInfo::parse(&bytes);
        let _ = CommonRecord::parse(&bytes);
        let _ = card_public_key(&bytes);
        let _ = CardDate::parse(&bytes);
    }

    #[test]
    fn parsers_never_panic_on_mutated_records(at in 0usize..2000, byte in any::<u8>(), cut in 0usize..2000) {
        for good in [cb::card_face(), cb::cv_certificate(cb::ca_key(), cb::ap_key()), cb::face_basic_info("13221"), cb::text_basic_info()] {
            let mut bytes = good.clone();
            let n = bytes.len();
            bytes[at % n] = byte;
            bytes.truncate(cut % (n + 1));
            let _ = CardFace::parse(&bytes);
            let _ = CvCertificate::parse(&bytes, 4);
            let _ = FaceBasicInfo::parse(&bytes);
            let _ = TextBasicInfo::parse(&bytes);
        }
    }
}
