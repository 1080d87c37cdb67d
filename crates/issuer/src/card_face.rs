//! Every byte J-LIS writes into the 券面 APs and the 共通カードAP at issuance, as plain values
//! (card-map §4, §5, §6, §9): the signed records of the 券面事項入力補助AP and the
//! 券面事項確認AP, their CV certificates, the card keys, the 共通カードAP data, the security code
//! and the 照合番号B and birth-date key derived from it. Built by [`crate::Authority::card_face`]
//! (new card) and [`crate::Authority::facts_records`] (a change of the 4 facts, card keys kept);
//! the card simulator stores them.

mod chain;
mod contents;
mod cv;
mod holder;
mod images;
mod records;
mod tlv;

use cert::time::Date;
use rand::CryptoRng;
use rsa::{PrivateKey, PublicKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use card_sim::MyNumber;

use crate::error::Error;
pub use chain::{card_key_id, intermediate_key_id, root_key_id};
pub use contents::{FaceAuthority, FaceContents};
pub use cv::FaceAp;
pub(crate) use cv::{FILES as KEY_FILES, FaceKeys, generate as generate_keys, load as load_keys};
pub use holder::{birth_date_key, municipality_code, number_b, text_facts};
pub use images::{FACE_SIZE, FACES};
pub use records::my_number_ef;

/// 券面事項入力補助AP content (card-map §4).
pub struct TextRecords {
    /// EF `0003`, integrity record (336 B).
    pub integrity: Vec<u8>,
    /// EF `0004`, the AP's CV certificate (568 B).
    pub cv_certificate: Vec<u8>,
    /// EF `0005`, basic info, padded with `FF` to 256 B.
    pub basic_info: Vec<u8>,
    /// EF `0006`, session-key public key `A1 …` (our choice: the public half of [`Self::card_key`]).
    pub session_key: Vec<u8>,
    /// EF `0007`, `FF 50 82 02 13`: the public key of `0013`, signed.
    pub signed_key: Vec<u8>,
    /// Key `0013`, the AP's own signing key.
    pub card_key: PrivateKey,
}

/// 券面事項確認AP content (card-map §5).
pub struct VisualRecords {
    /// EF `0001`, age record (542 B).
    pub age_record: Vec<u8>,
    /// EF `0002`, card face.
    pub card_face: Vec<u8>,
    /// EF `0003`, basic info.
    pub basic_info: Vec<u8>,
    /// EF `0004`, the AP's CV certificate (568 B).
    pub cv_certificate: Vec<u8>,
    /// EF `0005`, My Number image record.
    pub my_number_image: Vec<u8>,
    /// The AP's own signing key (public half in `DF12`, `DF24`, `DF42`).
    pub card_key: PrivateKey,
}

/// 共通カードAP content (card-map §6); the serial, municipality and expiry are the issuance
/// values shared with MF `00F0`/`00F2` and 確認AP `0003`/`0002`.
pub struct CommonRecords {
    /// 15 digits (our choice: random).
    pub serial: String,
    /// 5-digit municipality code, see [`municipality_code`].
    pub municipality: String,
    /// Card expiry `YYYYMMDD`.
    pub expiry: String,
    /// EF `0002` (and 住基AP `0002`): 16 random bytes.
    pub key_reference: [u8; 16],
    /// Key `0019`, INTERNAL AUTHENTICATE.
    pub internal_auth_key: PrivateKey,
    /// MF GET DATA `00F7`: the intermediate's key ID ([`intermediate_key_id`]).
    pub issuer_key_id: [u8; 16],
    /// MF GET DATA `00F8`: CV certificate root → intermediate, without `7F 21 L` (563 B).
    pub root_certificate: Vec<u8>,
    /// MF GET DATA `7F21`: CV certificate intermediate → [`Self::internal_auth_key`] (568 B).
    pub card_certificate: Vec<u8>,
}

/// Everything the issuer writes into the 券面 APs and the 共通カードAP of one card.
pub struct CardFace {
    /// The 4-digit security code printed on the card face (card-map §9).
    pub security_code: Zeroizing<String>,
    /// 照合番号B: era `YYMMDD` + expiry `YYYY` + security code (14 digits, card-map §5).
    pub number_b: Zeroizing<String>,
    /// 確認AP key `0011`: birth date as era `YYMMDD`.
    pub birth_date_key: Zeroizing<String>,
    /// 券面事項入力補助AP.
    pub text: TextRecords,
    /// 券面事項確認AP.
    pub visual: VisualRecords,
    /// 共通カードAP.
    pub common: CommonRecords,
}

/// The records that carry the 4 facts, rebuilt for a facts change with the card keys kept.
pub struct FactsRecords {
    /// 入力補助AP EF `0003`.
    pub integrity: Vec<u8>,
    /// 確認AP EF `0001`.
    pub age_record: Vec<u8>,
    /// 確認AP EF `0002`.
    pub card_face: Vec<u8>,
    /// 照合番号B (the birth date may have changed).
    pub number_b: Zeroizing<String>,
    /// 確認AP key `0011`.
    pub birth_date_key: Zeroizing<String>,
}

macro_rules! redacted_debug {
    ($($ty:ident),*) => {$(
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty)).finish_non_exhaustive()
            }
        }
    )*};
}
redacted_debug!(
    TextRecords,
    VisualRecords,
    CommonRecords,
    CardFace,
    FactsRecords
);

/// `n` random ASCII digits (bytes ≥ 250 are drawn again: no bias).
fn random_digits<R: CryptoRng + ?Sized>(rng: &mut R, n: usize) -> Zeroizing<String> {
    let mut digits = Zeroizing::new(String::with_capacity(n));
    while digits.len() < n {
        let mut byte = [0u8; 1];
        rng.fill_bytes(&mut byte);
        let [b] = byte;
        if b < 250 {
            digits.push(char::from(b'0' + b % 10));
        }
    }
    digits
}

fn yyyymmdd(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The face photo of a card (our choice: picked by the first byte of SHA-256 of the My Number,
/// so a facts change rebuilds the same photo without being told which it was).
fn face_photo(my_number: &MyNumber) -> &'static [u8] {
    let digest = Sha256::digest(my_number.digits());
    let pick = digest.first().map_or(0, |b| usize::from(*b) % FACES.len());
    FACES.get(pick).copied().unwrap_or_default()
}

/// The records carrying the 4 facts (see [`crate::Authority::facts_records`]).
pub(crate) fn facts(
    keys: &FaceKeys,
    holder: &cert::Holder,
    my_number: &MyNumber,
    card_expiry: Date,
    security_code: &str,
    text_key: &PublicKey,
    visual_key: &PublicKey,
) -> Result<FactsRecords, Error> {
    holder.validate()?;
    let facts = text_facts(holder);
    facts.validate()?;
    // the text-support AP's facts records do not hold its card key; it is checked all the same
    tlv::public_key(text_key)?;
    let number_b = number_b(holder.birth_date, card_expiry.year(), security_code)?;
    let birth_date_key = birth_date_key(holder.birth_date)?;
    let integrity = records::text_integrity(
        &keys.text,
        my_number.digits(),
        &records::text_facts_tlvs(&facts)?,
    )?;
    let age_record = records::age_record(&keys.visual, &facts.birth_date, visual_key)?;
    let expiry = yyyymmdd(card_expiry);
    let card_face = records::visual_card_face(
        &keys.visual,
        &records::FaceParts {
            birth: &facts.birth_date,
            sex: facts.sex.code(),
            key: visual_key,
            name: &images::text_png(&facts.name, 8)?,
            address: &images::text_png(&facts.address, 16)?,
            photo: face_photo(my_number),
            expiry: &expiry,
            code: &images::digits_png(security_code.as_bytes())?,
        },
    )?;
    Ok(FactsRecords {
        integrity,
        age_record,
        card_face,
        number_b,
        birth_date_key,
    })
}

/// The 共通カードAP content of a card without 券面 APs (a Juki card, card-map §8), for
/// `holder`, deterministic from `rng`: draws the internal-authentication key `0019`, the serial
/// and the key reference, in that order; the MF objects are signed with `keys`' card CA.
pub(crate) fn common_records<R: CryptoRng + ?Sized>(
    keys: &FaceKeys,
    holder: &cert::Holder,
    card_expiry: Date,
    rng: &mut R,
) -> Result<CommonRecords, Error> {
    let internal_auth_key = cert::keys::generate_key(rng)?;
    let serial = random_digits(rng, 15).to_string();
    let mut key_reference = [0u8; 16];
    rng.fill_bytes(&mut key_reference);
    common(
        keys,
        serial,
        municipality_code(&holder.municipality),
        card_expiry,
        key_reference,
        internal_auth_key,
    )
}

/// The 共通カードAP content with its MF objects signed.
fn common(
    keys: &FaceKeys,
    serial: String,
    municipality: String,
    card_expiry: Date,
    key_reference: [u8; 16],
    internal_auth_key: PrivateKey,
) -> Result<CommonRecords, Error> {
    let chain = keys.card.chain(&internal_auth_key.to_public_key())?;
    Ok(CommonRecords {
        serial,
        municipality,
        expiry: yyyymmdd(card_expiry),
        key_reference,
        internal_auth_key,
        issuer_key_id: chain.issuer_key_id,
        root_certificate: chain.root_certificate,
        card_certificate: chain.card_certificate,
    })
}

/// A whole card's content (see [`crate::Authority::card_face`]). Draws from `rng`, in order:
/// the security code, the 入力補助 card key, the 確認AP card key, the 共通 internal-auth key,
/// the serial, the key reference and the 32 bytes of 入力補助 `0005` `DF43`.
pub(crate) fn build<R: CryptoRng + ?Sized>(
    keys: &FaceKeys,
    holder: &cert::Holder,
    my_number: &MyNumber,
    card_expiry: Date,
    rng: &mut R,
) -> Result<CardFace, Error> {
    holder.validate()?;
    text_facts(holder).validate()?;
    let security_code = random_digits(rng, 4);
    let text_key = cert::keys::generate_key(rng)?;
    let visual_key = cert::keys::generate_key(rng)?;
    let internal_auth_key = cert::keys::generate_key(rng)?;
    let serial = random_digits(rng, 15).to_string();
    let mut key_reference = [0u8; 16];
    rng.fill_bytes(&mut key_reference);
    let mut opaque = [0u8; 32];
    rng.fill_bytes(&mut opaque);

    let (text_public, visual_public) = (text_key.to_public_key(), visual_key.to_public_key());
    let facts = facts(
        keys,
        holder,
        my_number,
        card_expiry,
        &security_code,
        &text_public,
        &visual_public,
    )?;
    let municipality = municipality_code(&holder.municipality);
    let text = TextRecords {
        integrity: facts.integrity,
        cv_certificate: keys.text.cv_certificate()?,
        basic_info: records::text_basic_info(&opaque)?,
        session_key: records::session_key(&text_public)?,
        signed_key: records::signed_key(&keys.text, &text_public)?,
        card_key: text_key,
    };
    let visual = VisualRecords {
        age_record: facts.age_record,
        card_face: facts.card_face,
        basic_info: records::visual_basic_info(&keys.visual, &municipality)?,
        cv_certificate: keys.visual.cv_certificate()?,
        my_number_image: records::my_number_image(
            &keys.visual,
            &images::digits_png(my_number.digits())?,
            &visual_public,
        )?,
        card_key: visual_key,
    };
    Ok(CardFace {
        security_code,
        number_b: facts.number_b,
        birth_date_key: facts.birth_date_key,
        text,
        visual,
        common: common(
            keys,
            serial,
            municipality,
            card_expiry,
            key_reference,
            internal_auth_key,
        )?,
    })
}
