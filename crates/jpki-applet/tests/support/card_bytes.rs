//! Records of the whole card built byte by byte from card-map §4–§6, signed with test keys:
//! for the parsers' unit tests and the scripted-card tests. Lengths use the shortest form
//! (`81 xx` from 128 bytes, `82 xx xx` from 256), as the real-card headers card-map quotes do.

#![allow(dead_code)]

use std::sync::OnceLock;

use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};

/// The simulated card-face CA key (seeded, test data).
pub fn ca_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| test_support::keys::generate_seeded_key(9023).unwrap())
}

/// The key the application's CV certificate certifies (signs the records).
pub fn ap_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| test_support::keys::generate_seeded_key(9024).unwrap())
}

/// Another key, for "signed by the wrong key".
pub fn other_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| test_support::keys::generate_seeded_key(9025).unwrap())
}

/// A BER-TLV object with a 1- or 2-byte tag.
pub fn tlv(tag: u16, value: &[u8]) -> Vec<u8> {
    let [hi, lo] = tag.to_be_bytes();
    let mut out = if hi != 0 { vec![hi, lo] } else { vec![lo] };
    let n = u16::try_from(value.len()).unwrap();
    let [len_hi, len_lo] = n.to_be_bytes();
    if n < 0x80 {
        out.push(len_lo);
    } else if n < 0x100 {
        out.extend([0x81, len_lo]);
    } else {
        out.extend([0x82, len_hi, len_lo]);
    }
    out.extend_from_slice(value);
    out
}

/// A public key in card format: `90 03 01 00 01 91 82 01 00 <256 B>` (card-map §5).
pub fn card_key_bytes(key: &PrivateKey) -> Vec<u8> {
    let public = key.to_public_key();
    let mut out = tlv(0x90, &public.e().to_be_bytes_trimmed_vartime());
    out.extend(tlv(0x91, &public.n().to_be_bytes_trimmed_vartime()));
    out
}

/// A key ID: 7 ASCII digits + `08 05` + 3 ASCII digits + 4 padding bytes.
pub fn key_id(issuer: &str, serial: &str) -> [u8; 16] {
    let mut id = [0u8; 16];
    id[..7].copy_from_slice(issuer.as_bytes());
    id[7..9].copy_from_slice(&[0x08, 0x05]);
    id[9..12].copy_from_slice(serial.as_bytes());
    id
}

/// PKCS#1 v1.5 SHA-256.
pub fn sign_sha256(key: &PrivateKey, message: &[u8]) -> Vec<u8> {
    key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
        .unwrap()
}

/// The CV certificate: `7F 21 82 02 33 { 5F 4E 82 01 29 …; 5F 37 82 01 00 … }`.
pub fn cv_certificate(ca: &PrivateKey, certified: &PrivateKey) -> Vec<u8> {
    let mut body = key_id("9000023", "001").to_vec();
    body.extend(key_id("9000024", "001"));
    body.extend(card_key_bytes(certified));
    let mut inner = tlv(0x5F4E, &body);
    inner.extend(tlv(0x5F37, &sign_sha256(ca, &body)));
    tlv(0x7F21, &inner)
}

/// A CV certificate's template contents (no `7F 21 L`): `ca` certifies `certified` under the
/// given key IDs (card-map §2, §5).
pub fn cv_template(
    ca: &PrivateKey,
    issuer: [u8; 16],
    subject: [u8; 16],
    certified: &PrivateKey,
) -> Vec<u8> {
    let mut body = issuer.to_vec();
    body.extend(subject);
    body.extend(card_key_bytes(certified));
    let mut inner = tlv(0x5F4E, &body);
    inner.extend(tlv(0x5F37, &sign_sha256(ca, &body)));
    inner
}

/// MF `00F7`, `00F8`, `7F21` (card-map §2): `root` (`9000011`) certifies `intermediate`
/// (`9000012`), which certifies `card` (`9000013`).
pub fn card_chain(
    root: &PrivateKey,
    intermediate: &PrivateKey,
    card: &PrivateKey,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (r, i, c) = (
        key_id("9000011", "001"),
        key_id("9000012", "001"),
        key_id("9000013", "001"),
    );
    (
        i.to_vec(),
        cv_template(root, r, i, intermediate),
        tlv(0x7F21, &cv_template(intermediate, i, c, card)),
    )
}

/// A small file that starts like a JP2 (the signature box, `ftyp`).
pub fn jp2() -> Vec<u8> {
    let mut out = vec![
        0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
    ];
    out.extend(*b"\x00\x00\x00\x14ftypjp2 \x00\x00\x00\x00jp2 ");
    out.extend(std::iter::repeat_n(0x42, 300));
    out
}

/// A small file that starts like a PNG, `tag` in it to tell images apart.
pub fn png(tag: u8) -> Vec<u8> {
    let mut out = vec![0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    out.extend([tag; 40]);
    out
}

/// The 9 objects of 確認AP EF `0002` after `DF21`, in order.
pub fn face_objects(signer: &PrivateKey, birth: &str, sex: &str, expiry: &str) -> Vec<Vec<u8>> {
    let df22 = tlv(0xDF22, birth.as_bytes());
    let df23 = tlv(0xDF23, sex.as_bytes());
    let df24 = tlv(0xDF24, &card_key_bytes(other_key()));
    let df25 = tlv(0xDF25, &png(1));
    let df26 = tlv(0xDF26, &png(2));
    let df27 = tlv(0xDF27, &jp2());
    let mut structure = vec![
        0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x60,
    ];
    structure.extend(Sha256::digest(
        [df22.clone(), df23.clone(), df24.clone()].concat(),
    ));
    structure.extend(Sha256::digest([df25.clone(), df26.clone()].concat()));
    structure.extend(Sha256::digest(&df27));
    let sig = signer
        .sign(Pkcs1v15Sign::new_unprefixed(), &structure)
        .unwrap();
    let df28 = tlv(0xDF28, &sig);
    let df29 = tlv(0xDF29, expiry.as_bytes());
    let df2a = tlv(0xDF2A, &png(3));
    vec![df22, df23, df24, df25, df26, df27, df28, df29, df2a]
}

/// `FF 20 82 LL LL { DF21 12 <9 offsets from byte 0>; objects… }`, with `offsets` as given
/// (`None`: the right ones).
pub fn face_file(objects: &[Vec<u8>], offsets: Option<Vec<u16>>) -> Vec<u8> {
    let table_len = 3 + 2 * objects.len();
    let mut at = 5 + table_len; // FF 20 82 LL LL, then DF21
    let right: Vec<u16> = objects
        .iter()
        .map(|o| {
            let here = u16::try_from(at).unwrap();
            at += o.len();
            here
        })
        .collect();
    let table: Vec<u8> = offsets
        .unwrap_or(right)
        .iter()
        .flat_map(|o| o.to_be_bytes())
        .collect();
    let mut value = tlv(0xDF21, &table);
    for o in objects {
        value.extend(o);
    }
    let mut out = vec![0xFF, 0x20, 0x82];
    out.extend(u16::try_from(value.len()).unwrap().to_be_bytes());
    out.extend(value);
    out
}

/// A whole card face: born 1980-02-17, female, expiring 2035-02-17 (card-map §5's example),
/// signed by [`ap_key`].
pub fn card_face() -> Vec<u8> {
    face_file(&face_objects(ap_key(), "19800217", "2", "20350217"), None)
}

/// 確認AP EF `0005`: `FF 40 L { DF41 PNG; DF42 key; DF43 signature over DF41 + DF42 }`.
pub fn my_number_image(signer: &PrivateKey) -> Vec<u8> {
    let df41 = tlv(0xDF41, &png(4));
    let df42 = tlv(0xDF42, &card_key_bytes(other_key()));
    let signed = [df41.clone(), df42.clone()].concat();
    let mut value = signed.clone();
    value.extend(tlv(0xDF43, &sign_sha256(signer, &signed)));
    tlv(0xFF40, &value)
}

/// 入力補助AP EF `0005`: `FF 40 L { DF41 04 01 03 0E 01; DF42 10 key ID; DF43 81 80 … }`,
/// padded with `FF` to 256 bytes (card-map §4).
pub fn text_basic_info() -> Vec<u8> {
    let mut df43 = vec![0x11; 32];
    df43.extend([0xFF; 96]);
    let mut value = tlv(0xDF41, &[0x01, 0x03, 0x0E, 0x01]);
    value.extend(tlv(0xDF42, &key_id("9000034", "001")));
    value.extend(tlv(0xDF43, &df43));
    let mut out = tlv(0xFF40, &value);
    out.resize(256, 0xFF);
    out
}

/// 確認AP EF `0003`: `FF 30 L { DF31 04 06 03 0E 01; DF32 10; DF33 01; DF34 05; DF35 82 01 10 }`.
pub fn face_basic_info(municipality: &str) -> Vec<u8> {
    let mut df35 = key_id("9000023", "002").to_vec();
    df35.extend([0x5A; 256]);
    let mut value = tlv(0xDF31, &[0x06, 0x03, 0x0E, 0x01]);
    value.extend(tlv(0xDF32, &key_id("9000024", "001")));
    value.extend(tlv(0xDF33, &[0x01]));
    value.extend(tlv(0xDF34, municipality.as_bytes()));
    value.extend(tlv(0xDF35, &df35));
    tlv(0xFF30, &value)
}

/// 共通カードAP record 1: `01 1C` + serial (15) + municipality (5) + expiry (card-map §6's
/// example).
pub fn common_record() -> Vec<u8> {
    tlv(0x01, b"4000000127198431322120350217")
}
