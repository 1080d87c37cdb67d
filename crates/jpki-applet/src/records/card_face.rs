//! The card face (券面事項確認AP EF `0002`) and the My Number image (EF `0005`), card-map §5.

use core::fmt;

use rsa::PublicKey;
use sha2::{Digest, Sha256};

use super::{CardDate, Child, children, keys, malformed, value_of};
use crate::error::Error;
use crate::types::Sex;

/// The start of every JP2 file: its signature box (ISO/IEC 15444-1 I.5.1).
pub const JP2_SIGNATURE: [u8; 12] = [
    0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
];

/// The start of every PNG file.
pub const PNG_SIGNATURE: [u8; 8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

/// The DER prefix of the `DF28` DigestInfo-like structure: `SEQUENCE { SHA-256 AlgorithmIdentifier,
/// OCTET STRING (96 B) }` holding three SHA-256 digests (card-map §5).
const DF28_PREFIX: [u8; 19] = [
    0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x60,
];

/// The objects of EF `0002` after `DF21`, in the order the card writes them and `DF21` points
/// at them.
const FACE_TAGS: [u32; 9] = [
    0xDF22, 0xDF23, 0xDF24, 0xDF25, 0xDF26, 0xDF27, 0xDF28, 0xDF29, 0xDF2A,
];

/// EF `0002` of the card-face check application, checked against its own offset table.
#[derive(Clone)]
pub struct CardFace {
    /// Date of birth (`DF22`).
    pub birth: CardDate,
    /// Sex (`DF23`).
    pub sex: Sex,
    /// Expiry of the card (`DF29`, not covered by the signature).
    pub expiry: CardDate,
    /// The card's own public key, card format (`DF24`).
    pub card_public_key: Vec<u8>,
    /// The name, as a PNG image (`DF25`).
    pub name_image: Vec<u8>,
    /// The address, as a PNG image (`DF26`).
    pub address_image: Vec<u8>,
    /// The face photo, a JP2 file (`DF27`).
    pub face_photo: Vec<u8>,
    /// The security code, as a PNG image (`DF2A`, not covered by the signature).
    pub security_code_image: Vec<u8>,
    /// What `DF28` signs: [`DF28_PREFIX`] + three SHA-256 digests, recomputed from the TLVs.
    signed: Vec<u8>,
    /// `DF28`.
    signature: Vec<u8>,
}

impl fmt::Debug for CardFace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardFace")
            .field("birth", &self.birth)
            .field("sex", &self.sex)
            .field("expiry", &self.expiry)
            .field("face_photo_len", &self.face_photo.len())
            .finish_non_exhaustive()
    }
}

fn png(value: &[u8], wrong: &'static str) -> Result<Vec<u8>, &'static str> {
    if value.starts_with(&PNG_SIGNATURE) {
        Ok(value.to_vec())
    } else {
        Err(wrong)
    }
}

fn raw_of(kids: &[Child<'_>], tags: &[u32]) -> Vec<u8> {
    kids.iter()
        .filter(|c| tags.contains(&c.tag))
        .flat_map(|c| c.raw.iter().copied())
        .collect()
}

/// Checks the children are `DF21` then exactly `tags`, and that `DF21`'s 2-byte big-endian
/// offsets (from byte 0 of the file) point at each of them.
pub(crate) fn check_table(kids: &[Child<'_>], tags: &[u32]) -> Result<(), &'static str> {
    let (first, rest) = kids.split_first().ok_or("the record is empty")?;
    if first.tag != 0xDF21 {
        return Err("the offset table (DF21) is not the first object");
    }
    if !rest.iter().map(|c| c.tag).eq(tags.iter().copied()) {
        return Err("the objects after DF21 are not the expected ones in order");
    }
    if first.value.len() != 2 * tags.len() {
        return Err("the offset table (DF21) has the wrong number of offsets");
    }
    let agrees = first.value.chunks_exact(2).zip(rest).all(|(entry, child)| {
        <[u8; 2]>::try_from(entry).is_ok_and(|be| usize::from(u16::from_be_bytes(be)) == child.at)
    });
    if agrees {
        Ok(())
    } else {
        Err("the offset table (DF21) does not point at the objects")
    }
}

impl CardFace {
    /// Parses EF `0002`: `FF 20 82 LL LL { DF21 12 …; DF22 … DF2A }`, checking the 9
    /// offsets of `DF21`, the dates, the sex code and the image signatures (PNG, and JP2 for
    /// the photo). Filler after `FF20` is ignored.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] (fid `0002`) on any mismatch.
    pub fn parse(file: &[u8]) -> Result<Self, Error> {
        let bad = malformed(0x0002);
        let kids = children(file, 0xFF20).map_err(&bad)?;
        check_table(&kids, &FACE_TAGS).map_err(&bad)?;
        let get = |tag, what| value_of(&kids, tag, what).map_err(&bad);
        let birth = CardDate::parse(get(0xDF22, "no birth date")?)
            .ok_or(bad("the birth date (DF22) is not YYYYMMDD"))?;
        let sex = match get(0xDF23, "no sex")? {
            [code] => Sex::from_code(*code),
            _ => None,
        }
        .ok_or(bad("the sex (DF23) is not one digit 0, 1, 2 or 9"))?;
        let expiry = CardDate::parse(get(0xDF29, "no expiry")?)
            .ok_or(bad("the expiry (DF29) is not YYYYMMDD"))?;
        let photo = get(0xDF27, "no face photo")?;
        if !photo.starts_with(&JP2_SIGNATURE) {
            return Err(bad(
                "the face photo (DF27) does not start with the JP2 signature box",
            ));
        }
        let mut signed = DF28_PREFIX.to_vec();
        signed.extend_from_slice(&Sha256::digest(raw_of(&kids, &[0xDF22, 0xDF23, 0xDF24])));
        signed.extend_from_slice(&Sha256::digest(raw_of(&kids, &[0xDF25, 0xDF26])));
        signed.extend_from_slice(&Sha256::digest(raw_of(&kids, &[0xDF27])));
        Ok(Self {
            birth,
            sex,
            expiry,
            card_public_key: get(0xDF24, "no card key")?.to_vec(),
            name_image: png(
                get(0xDF25, "no name image")?,
                "the name image (DF25) is not PNG",
            )
            .map_err(&bad)?,
            address_image: png(
                get(0xDF26, "no address image")?,
                "the address image (DF26) is not PNG",
            )
            .map_err(&bad)?,
            face_photo: photo.to_vec(),
            security_code_image: png(
                get(0xDF2A, "no security-code image")?,
                "the security-code image (DF2A) is not PNG",
            )
            .map_err(&bad)?,
            signed,
            signature: get(0xDF28, "no signature")?.to_vec(),
        })
    }

    /// Checks `DF28`: PKCS#1 v1.5 over `30 71 … 04 60` + SHA-256 of the `DF22 DF23 DF24` TLVs,
    /// of `DF25 DF26`, of `DF27`, recomputed here, with `key` (the one the application's CV
    /// certificate certifies).
    ///
    /// # Errors
    /// [`Error::SignatureInvalid`] when it does not verify.
    pub fn verify_signature(&self, key: &PublicKey) -> Result<(), Error> {
        keys::verify_prebuilt(key, &self.signed, &self.signature, "the card face (DF28)")
    }
}

/// EF `0005` of the card-face check application: `FF 40 L { DF41 PNG; DF42 card key;
/// DF43 signature over the DF41 + DF42 TLVs }`.
#[derive(Clone)]
pub struct MyNumberImage {
    /// The My Number as a PNG image (`DF41`).
    pub image: Vec<u8>,
    /// `DF41` + `DF42` TLVs, what `DF43` signs.
    signed: Vec<u8>,
    /// `DF43`.
    signature: Vec<u8>,
}

impl fmt::Debug for MyNumberImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MyNumberImage")
            .field("image_len", &self.image.len())
            .finish_non_exhaustive()
    }
}

impl MyNumberImage {
    /// Parses EF `0005`.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] (fid `0005`) for a wrong tag, a missing field or an image that
    /// is not PNG.
    pub fn parse(file: &[u8]) -> Result<Self, Error> {
        let bad = malformed(0x0005);
        let kids = children(file, 0xFF40).map_err(&bad)?;
        let image = value_of(&kids, 0xDF41, "no image (DF41)").map_err(&bad)?;
        value_of(&kids, 0xDF42, "no card key (DF42)").map_err(&bad)?;
        let signature = value_of(&kids, 0xDF43, "no signature (DF43)").map_err(&bad)?;
        Ok(Self {
            image: png(image, "the My Number image (DF41) is not PNG").map_err(&bad)?,
            signed: raw_of(&kids, &[0xDF41, 0xDF42]),
            signature: signature.to_vec(),
        })
    }

    /// Checks `DF43` (PKCS#1 v1.5 SHA-256 over the `DF41` and `DF42` TLVs) with `key`.
    ///
    /// # Errors
    /// [`Error::SignatureInvalid`] when it does not verify.
    pub fn verify_signature(&self, key: &PublicKey) -> Result<(), Error> {
        keys::verify_sha256(
            key,
            &self.signed,
            &self.signature,
            "the My Number image (DF43)",
        )
    }
}
