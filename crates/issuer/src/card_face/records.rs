//! The signed records of the two 券面 APs, byte for byte as card-map §4 and §5 give them. Every
//! signature is PKCS#1 v1.5 by the AP's record-signing key (the key `0004` certifies).

use rsa::PublicKey;
use sha2::{Digest, Sha256};

use super::cv::{FaceAp, FaceCa};
use super::tlv::{self, push, tlv};
use crate::error::Error;

/// 入力補助AP EF `0001` as the card stores it: `FF 10 0C` + 12 ASCII digits + `FF FF` (17 B).
#[must_use]
pub fn my_number_ef(digits: &[u8; 12]) -> [u8; 17] {
    let mut ef = [0xFFu8; 17];
    for (slot, byte) in ef
        .iter_mut()
        .zip([0xFF, 0x10, 0x0C].iter().chain(digits.iter()))
    {
        *slot = *byte;
    }
    ef
}

/// The 4 facts of 入力補助AP EF `0002` after its `DF21` object: `DF22` name, `DF23` address,
/// `DF24` birth `YYYYMMDD`, `DF25` sex (one ASCII digit).
pub(crate) fn text_facts_tlvs(facts: &card_sim::FourFacts) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    push(&mut out, &[0xDF, 0x22], facts.name.as_bytes())?;
    push(&mut out, &[0xDF, 0x23], facts.address.as_bytes())?;
    push(&mut out, &[0xDF, 0x24], facts.birth_date.as_bytes())?;
    push(&mut out, &[0xDF, 0x25], &[facts.sex.code()])?;
    Ok(out)
}

/// 入力補助AP EF `0003` (336 B): `FF 30 82 01 4B` { `DF31 20` SHA-256 of EF `0001` (17 B);
/// `DF32 20` SHA-256 of the `DF22`…`DF25` TLVs; `DF33 82 01 00` signature over `DF31`+`DF32` }.
pub(crate) fn text_integrity(
    ca: &FaceCa,
    my_number: &[u8; 12],
    facts_tlvs: &[u8],
) -> Result<Vec<u8>, Error> {
    let mut signed = tlv(&[0xDF, 0x31], &Sha256::digest(my_number_ef(my_number)))?;
    push(&mut signed, &[0xDF, 0x32], &Sha256::digest(facts_tlvs))?;
    let signature = ca.sign(&signed)?;
    push(&mut signed, &[0xDF, 0x33], &signature)?;
    tlv(&[0xFF, 0x30], &signed)
}

/// 入力補助AP EF `0005`: `FF 40 L` { `DF41 04 01 03 0E 01`; `DF42 10` key ID `…0034/001`;
/// `DF43 81 80` 32 bytes (our choice: random per card) + 96 × `FF` }, padded with `FF` to 256 B.
pub(crate) fn text_basic_info(opaque: &[u8; 32]) -> Result<Vec<u8>, Error> {
    let mut inner = tlv(&[0xDF, 0x41], &[0x01, 0x03, 0x0E, 0x01])?;
    push(&mut inner, &[0xDF, 0x42], &FaceAp::Text.basic_info_key_id())?;
    let mut df43 = opaque.to_vec();
    df43.resize(128, 0xFF);
    push(&mut inner, &[0xDF, 0x43], &df43)?;
    let mut out = tlv(&[0xFF, 0x40], &inner)?;
    out.resize(256, 0xFF);
    Ok(out)
}

/// 入力補助AP EF `0006`: `A1 82 01 09` { `90` exponent, `91 82 01 00` modulus }, unsigned.
pub(crate) fn session_key(key: &PublicKey) -> Result<Vec<u8>, Error> {
    tlv(&[0xA1], &tlv::public_key(key)?)
}

/// 入力補助AP EF `0007`: `FF 50 82 02 13` { `DF51 82 01 09` the public key of `0013`;
/// `DF52 82 01 00` signature over the `DF51` TLV }.
pub(crate) fn signed_key(ca: &FaceCa, key: &PublicKey) -> Result<Vec<u8>, Error> {
    let mut inner = tlv(&[0xDF, 0x51], &tlv::public_key(key)?)?;
    let signature = ca.sign(&inner)?;
    push(&mut inner, &[0xDF, 0x52], &signature)?;
    tlv(&[0xFF, 0x50], &inner)
}

/// 確認AP EF `0001`: `FF 10 82 02 1E` { `DF11 08` birth `YYYYMMDD`; `DF12 82 01 09` card public
/// key; `DF13 82 01 00` signature over `DF11`+`DF12` }.
pub(crate) fn age_record(ca: &FaceCa, birth: &str, key: &PublicKey) -> Result<Vec<u8>, Error> {
    let mut inner = tlv(&[0xDF, 0x11], birth.as_bytes())?;
    push(&mut inner, &[0xDF, 0x12], &tlv::public_key(key)?)?;
    let signature = ca.sign(&inner)?;
    push(&mut inner, &[0xDF, 0x13], &signature)?;
    tlv(&[0xFF, 0x10], &inner)
}

/// What 確認AP EF `0002` shows.
pub(crate) struct FaceParts<'a> {
    /// Birth `YYYYMMDD`.
    pub birth: &'a str,
    /// Sex, one ASCII digit.
    pub sex: u8,
    /// The AP's card key.
    pub key: &'a PublicKey,
    /// Name image (PNG).
    pub name: &'a [u8],
    /// Address image (PNG).
    pub address: &'a [u8],
    /// Face photo (JP2).
    pub photo: &'a [u8],
    /// Card expiry `YYYYMMDD`.
    pub expiry: &'a str,
    /// Security-code image (PNG).
    pub code: &'a [u8],
}

/// `30 71` DigestInfo of SHA-256 with room for three digests (`04 60`), card-map §5.
const THREE_DIGEST_INFO: [u8; 19] = [
    0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x60,
];

/// 確認AP EF `0002`: `FF 20 82 LL LL` { `DF21 12` 9 offsets from byte 0 of the EF (to `DF22`…
/// `DF2A`); `DF22 08` birth; `DF23 01` sex; `DF24 82 01 09` card key; `DF25` name image; `DF26`
/// address image; `DF27` face photo; `DF28 82 01 00` signature over the `30 71` DigestInfo of
/// SHA-256(`DF22 DF23 DF24`) ‖ SHA-256(`DF25 DF26`) ‖ SHA-256(`DF27`); `DF29 08` expiry; `DF2A`
/// security-code image }.
pub(crate) fn visual_card_face(ca: &FaceCa, parts: &FaceParts<'_>) -> Result<Vec<u8>, Error> {
    let facts = [
        tlv(&[0xDF, 0x22], parts.birth.as_bytes())?,
        tlv(&[0xDF, 0x23], &[parts.sex])?,
        tlv(&[0xDF, 0x24], &tlv::public_key(parts.key)?)?,
    ]
    .concat();
    let images = [
        tlv(&[0xDF, 0x25], parts.name)?,
        tlv(&[0xDF, 0x26], parts.address)?,
    ]
    .concat();
    let photo = tlv(&[0xDF, 0x27], parts.photo)?;
    let mut digest_info = THREE_DIGEST_INFO.to_vec();
    for covered in [&facts, &images, &photo] {
        digest_info.extend_from_slice(&Sha256::digest(covered));
    }
    let signature = tlv(&[0xDF, 0x28], &ca.sign_digest_info(&digest_info)?)?;
    let fields = [
        tlv(&[0xDF, 0x22], parts.birth.as_bytes())?,
        tlv(&[0xDF, 0x23], &[parts.sex])?,
        tlv(&[0xDF, 0x24], &tlv::public_key(parts.key)?)?,
        tlv(&[0xDF, 0x25], parts.name)?,
        tlv(&[0xDF, 0x26], parts.address)?,
        photo,
        signature,
        tlv(&[0xDF, 0x29], parts.expiry.as_bytes())?,
        tlv(&[0xDF, 0x2A], parts.code)?,
    ];
    let body_len: usize = fields.iter().map(Vec::len).sum::<usize>() + 2 + 1 + 2 * fields.len();
    // the outer header: FF 20 + the length's own encoding
    let header_len = 2 + tlv::length_len(body_len);
    let too_long = || Error::CardFace {
        reason: "the card-face record is longer than its offsets can address",
    };
    let mut offsets = Vec::with_capacity(18);
    let mut at = header_len + 2 + 1 + 2 * fields.len();
    for field in &fields {
        let offset = u16::try_from(at).map_err(|_| too_long())?;
        offsets.extend_from_slice(&offset.to_be_bytes());
        at += field.len();
    }
    let mut body = tlv(&[0xDF, 0x21], &offsets)?;
    for field in &fields {
        body.extend_from_slice(field);
    }
    tlv(&[0xFF, 0x20], &body)
}

/// 確認AP EF `0003`: `FF 30 L` { `DF31 04 06 03 0E 01`; `DF32 10` key ID `…0024/001`; `DF33 01`
/// version (our choice `01`); `DF34 05` municipality code; `DF35 82 01 10` the record-signing
/// key's ID + 256 bytes (our choice: its signature over the `DF31`…`DF34` TLVs) }.
pub(crate) fn visual_basic_info(ca: &FaceCa, municipality: &str) -> Result<Vec<u8>, Error> {
    let mut inner = tlv(&[0xDF, 0x31], &[0x06, 0x03, 0x0E, 0x01])?;
    push(
        &mut inner,
        &[0xDF, 0x32],
        &FaceAp::Visual.basic_info_key_id(),
    )?;
    push(&mut inner, &[0xDF, 0x33], &[0x01])?;
    push(&mut inner, &[0xDF, 0x34], municipality.as_bytes())?;
    let mut df35 = FaceAp::Visual.signer_key_id().to_vec();
    df35.extend_from_slice(&ca.sign(&inner)?);
    push(&mut inner, &[0xDF, 0x35], &df35)?;
    tlv(&[0xFF, 0x30], &inner)
}

/// 確認AP EF `0005`: `FF 40 L` { `DF41` My Number image (PNG 72×12); `DF42` card key; `DF43 82
/// 01 00` signature over `DF41`+`DF42` }.
pub(crate) fn my_number_image(ca: &FaceCa, png: &[u8], key: &PublicKey) -> Result<Vec<u8>, Error> {
    let mut inner = tlv(&[0xDF, 0x41], png)?;
    push(&mut inner, &[0xDF, 0x42], &tlv::public_key(key)?)?;
    let signature = ca.sign(&inner)?;
    push(&mut inner, &[0xDF, 0x43], &signature)?;
    tlv(&[0xFF, 0x40], &inner)
}
