//! The content of the applications beyond JPKI and the text-support 4 facts (card-map §4–§7):
//! the signed records of the two 券面 APs, the 共通カードAP and 住基AP, the verification
//! numbers — as the issuer hands them over ([`TextSupportRecords`], [`VisualContents`],
//! [`CommonContents`], [`VerificationContents`]) and as the card holds them (the `*Slot`s, with
//! a live retry counter per key reference).
//!
//! The card stores and serves the record bytes as given: it never parses or verifies them (the
//! issuer signs them with keys the card never holds).

use pin_policy::{Pin, PinKind, PinSlot};

use super::check_ef_len;
use crate::{engine::SigningKey, error::Error};

mod mf;
mod redacted;

pub use mf::MfObjects;

/// The 券面事項入力補助AP's signed records and key (card-map §4), beyond the My Number and
/// the 4 facts the card builds itself.
#[derive(Clone)]
pub struct TextSupportRecords {
    /// EF `0003`: the integrity record `FF 30 82 01 4B` { `DF31`, `DF32`, `DF33` } (336 B).
    pub integrity: Vec<u8>,
    /// EF `0004`: the AP's CV certificate `7F 21 82 02 33` … (568 B).
    pub cv_certificate: Vec<u8>,
    /// EF `0005`: basic info `FF 40 L` …, padded with `FF` to 256 B.
    pub basic_info: Vec<u8>,
    /// EF `0006`: the session-key public key `A1 L` { `90`, `91` }.
    pub session_key: Vec<u8>,
    /// EF `0007`: the signed public key of `0013`, `FF 50 82 02 13` { `DF51`, `DF52` }.
    /// (EF `0008` = 16 × `FF`: the card makes it.)
    pub signed_key: Vec<u8>,
    /// Key `0013`: the AP's own RSA-2048 key, used by `80 2A 00 00` without a credential.
    pub card_key: rsa::PrivateKey,
}

/// The 券面事項確認AP (card-map §5), My Number card only.
#[derive(Clone)]
pub struct VisualContents {
    /// EF `0001`: the age record `FF 10 82 02 1E` { `DF11`, `DF12`, `DF13` }.
    pub age_record: Vec<u8>,
    /// EF `0002`: the card face `FF 20 82 LL LL` { `DF21` … `DF2A` }.
    pub card_face: Vec<u8>,
    /// EF `0003`: basic info `FF 30 L` { `DF31` … `DF35` }.
    pub basic_info: Vec<u8>,
    /// EF `0004`: the AP's CV certificate.
    pub cv_certificate: Vec<u8>,
    /// EF `0005`: the My Number image `FF 40 L` { `DF41`, `DF42`, `DF43` }.
    /// (EF `0006` = 16 × `FF`: the card makes it.)
    pub my_number_image: Vec<u8>,
    /// The AP's own RSA-2048 key (EF `001A`, our choice after MC/JSA), used by `80 2A 00 00`.
    pub card_key: rsa::PrivateKey,
}

/// 照合番号B and the birth-date key, shared by the two 券面 APs (card-map §4, §5, §9).
#[derive(Clone)]
pub struct VerificationContents {
    /// 照合番号B, 14 digits ([`PinKind::VerificationB`]): 入力補助AP `0015`, 確認AP `0012`.
    pub number_b: Pin,
    /// The 確認AP's key `0011`: the birth date, era `YYMMDD`, 6 digits ([`PinKind::BirthDate`]).
    pub birth_date: Pin,
    /// The retry limit of 照合番号A, B and the birth date, each counted on its own (10 by
    /// card-map §9).
    pub retry_limit: u8,
    /// The 4-digit security code printed on the card face: kept with the card (the card file)
    /// so the issuer can rebuild 照合番号B, never in any EF. See `SimCard::security_code`.
    pub security_code: String,
}

/// The 共通カードAP and the 住基AP (card-map §6, §7), on both profiles.
#[derive(Clone)]
pub struct CommonContents {
    /// The card serial, 15 ASCII digits (共通 EF `0001`).
    pub serial: String,
    /// The issuing municipality code, 5 ASCII digits (共通 EF `0001`, GET DATA `00F0`).
    pub municipality: String,
    /// The card expiry `YYYYMMDD` (共通 EF `0001`, GET DATA `00F2`).
    pub expiry: String,
    /// The 16-byte key reference, record 1 of EF `0002` of both APs.
    pub key_reference: [u8; 16],
    /// 共通 key `0019`, RSA-2048: INTERNAL AUTHENTICATE without a PIN.
    pub internal_auth_key: rsa::PrivateKey,
    /// 共通 `001C` ([`PinKind::ResidentRegistry`], 4 digits).
    pub common_pin: Pin,
    /// 住基 `001C` (same kind, its own counter).
    pub juki_pin: Pin,
    /// The retry limit of both `001C` (3 on a real card).
    pub retry_limit: u8,
    /// MF GET DATA `00F7`, `00F8`, `7F21` (`None`: they answer `6A88`).
    pub mf_objects: Option<MfObjects>,
}

/// The 入力補助AP's records as the card holds them, with the counters of `0014` and `0015`.
#[derive(Clone)]
pub(crate) struct TextRecordSlot {
    pub(crate) integrity: Vec<u8>,
    pub(crate) cv_certificate: Vec<u8>,
    pub(crate) basic_info: Vec<u8>,
    pub(crate) session_key: Vec<u8>,
    pub(crate) signed_key: Vec<u8>,
    pub(crate) card_key: SigningKey,
    /// `0014` 照合番号A (the My Number).
    pub(crate) number_a: PinSlot,
    /// `0015` 照合番号B.
    pub(crate) number_b: PinSlot,
}

/// The 確認AP as the card holds it.
#[derive(Clone)]
pub(crate) struct VisualSlot {
    pub(crate) age_record: Vec<u8>,
    pub(crate) card_face: Vec<u8>,
    pub(crate) basic_info: Vec<u8>,
    pub(crate) cv_certificate: Vec<u8>,
    pub(crate) my_number_image: Vec<u8>,
    pub(crate) card_key: SigningKey,
    /// `0011` birth date.
    pub(crate) birth_date: PinSlot,
    /// `0012` 照合番号B.
    pub(crate) number_b: PinSlot,
    /// `0013` 照合番号A.
    pub(crate) number_a: PinSlot,
}

/// The 共通カードAP and 住基AP as the card holds them.
#[derive(Clone)]
pub(crate) struct CommonSlot {
    pub(crate) serial: String,
    pub(crate) municipality: String,
    pub(crate) expiry: String,
    pub(crate) key_reference: [u8; 16],
    pub(crate) internal_auth_key: SigningKey,
    pub(crate) common_pin: PinSlot,
    pub(crate) juki_pin: PinSlot,
    pub(crate) mf_objects: Option<MfObjects>,
}

/// The verification values as the card holds them (the counters are in the AP slots).
#[derive(Clone)]
pub(crate) struct VerificationSlot {
    pub(crate) number_b: Pin,
    pub(crate) birth_date: Pin,
    pub(crate) retry_limit: u8,
    pub(crate) security_code: String,
}

pub(crate) fn needs_verification() -> Error {
    Error::InvalidContents {
        part: "verification numbers",
        reason: "required by the text-support records and the visual application",
    }
}

/// 照合番号A: the My Number as a [`PinKind::VerificationA`] key.
pub(crate) fn number_a(my_number: &crate::holder::MyNumber) -> Result<Pin, Error> {
    Ok(Pin::new(PinKind::VerificationA, my_number.digits())?)
}

fn invalid(part: &'static str, reason: &'static str) -> Error {
    Error::InvalidContents { part, reason }
}

/// `s` is exactly `len` ASCII digits.
pub(crate) fn check_digits(part: &'static str, s: &str, len: usize) -> Result<(), Error> {
    if s.len() != len {
        return Err(invalid(part, "wrong number of digits"));
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(part, "not all ASCII digits"));
    }
    Ok(())
}

/// An RSA-2048 card key, prepared for the engines.
pub(crate) fn card_key(part: &'static str, key: rsa::PrivateKey) -> Result<SigningKey, Error> {
    let key = SigningKey::new(key).ok_or(invalid(part, "rejected by the signing engine"))?;
    check_key_size(part, &key)?;
    Ok(key)
}

fn check_kind(pin: &Pin, expected: PinKind) -> Result<(), Error> {
    if pin.kind() == expected {
        Ok(())
    } else {
        Err(Error::Pin(pin_policy::Error::KindMismatch {
            expected,
            found: pin.kind(),
        }))
    }
}

fn check_key_size(part: &'static str, key: &SigningKey) -> Result<(), Error> {
    if key.size() * 8 == 2048 {
        Ok(())
    } else {
        Err(invalid(part, "not an RSA-2048 key"))
    }
}

impl VerificationSlot {
    pub(crate) fn issue(v: VerificationContents) -> Result<Self, Error> {
        pin_policy::RetryCounter::new(v.retry_limit)?;
        let slot = VerificationSlot {
            number_b: v.number_b,
            birth_date: v.birth_date,
            retry_limit: v.retry_limit,
            security_code: v.security_code,
        };
        slot.check()?;
        Ok(slot)
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        check_kind(&self.number_b, PinKind::VerificationB)?;
        check_kind(&self.birth_date, PinKind::BirthDate)?;
        check_digits("security code", &self.security_code, 4)
    }

    /// A fresh counter slot for `pin` with this card's limit.
    pub(crate) fn slot(&self, pin: Pin) -> Result<PinSlot, Error> {
        Ok(PinSlot::new(pin, self.retry_limit)?)
    }
}

impl TextRecordSlot {
    pub(crate) fn issue(
        r: TextSupportRecords,
        number_a: Pin,
        v: &VerificationSlot,
    ) -> Result<Self, Error> {
        let slot = TextRecordSlot {
            integrity: r.integrity,
            cv_certificate: r.cv_certificate,
            basic_info: r.basic_info,
            session_key: r.session_key,
            signed_key: r.signed_key,
            card_key: card_key("text-support card key", r.card_key)?,
            number_a: v.slot(number_a)?,
            number_b: v.slot(v.number_b.clone())?,
        };
        slot.check()?;
        Ok(slot)
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        for (fid, bytes) in [
            (0x0003, &self.integrity),
            (0x0004, &self.cv_certificate),
            (0x0005, &self.basic_info),
            (0x0006, &self.session_key),
            (0x0007, &self.signed_key),
        ] {
            check_ef_len(fid, bytes.len())?;
        }
        check_key_size("text-support card key", &self.card_key)?;
        check_kind(self.number_a.pin(), PinKind::VerificationA)?;
        check_kind(self.number_b.pin(), PinKind::VerificationB)
    }
}

impl VisualSlot {
    pub(crate) fn issue(
        c: VisualContents,
        number_a: Pin,
        v: &VerificationSlot,
    ) -> Result<Self, Error> {
        let slot = VisualSlot {
            age_record: c.age_record,
            card_face: c.card_face,
            basic_info: c.basic_info,
            cv_certificate: c.cv_certificate,
            my_number_image: c.my_number_image,
            card_key: card_key("visual card key", c.card_key)?,
            birth_date: v.slot(v.birth_date.clone())?,
            number_b: v.slot(v.number_b.clone())?,
            number_a: v.slot(number_a)?,
        };
        slot.check()?;
        Ok(slot)
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        for (fid, bytes) in [
            (0x0001, &self.age_record),
            (0x0002, &self.card_face),
            (0x0003, &self.basic_info),
            (0x0004, &self.cv_certificate),
            (0x0005, &self.my_number_image),
        ] {
            check_ef_len(fid, bytes.len())?;
        }
        check_key_size("visual card key", &self.card_key)?;
        check_kind(self.birth_date.pin(), PinKind::BirthDate)?;
        check_kind(self.number_b.pin(), PinKind::VerificationB)?;
        check_kind(self.number_a.pin(), PinKind::VerificationA)
    }
}

impl CommonSlot {
    pub(crate) fn issue(c: CommonContents) -> Result<Self, Error> {
        let slot = CommonSlot {
            serial: c.serial,
            municipality: c.municipality,
            expiry: c.expiry,
            key_reference: c.key_reference,
            internal_auth_key: card_key("internal-authentication key", c.internal_auth_key)?,
            common_pin: PinSlot::new(c.common_pin, c.retry_limit)?,
            juki_pin: PinSlot::new(c.juki_pin, c.retry_limit)?,
            mf_objects: c.mf_objects,
        };
        slot.check()?;
        Ok(slot)
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        check_digits("common serial", &self.serial, 15)?;
        check_digits("municipality code", &self.municipality, 5)?;
        check_digits("card expiry", &self.expiry, 8)?;
        check_key_size("internal-authentication key", &self.internal_auth_key)?;
        check_kind(self.common_pin.pin(), PinKind::ResidentRegistry)?;
        check_kind(self.juki_pin.pin(), PinKind::ResidentRegistry)?;
        self.mf_objects.as_ref().map_or(Ok(()), MfObjects::check)
    }

    /// 共通 EF `0001` record 1: `01 1C` + serial + municipality + expiry (28 ASCII digits).
    pub(crate) fn record(&self) -> Vec<u8> {
        let mut out = vec![0x01, 0x1C];
        out.extend_from_slice(self.serial.as_bytes());
        out.extend_from_slice(self.municipality.as_bytes());
        out.extend_from_slice(self.expiry.as_bytes());
        out
    }

    /// EF `0002` record 1 of both APs: `01 10` + the 16-byte key reference (our choice: the
    /// simple-TLV framing of `0001`).
    pub(crate) fn key_reference_record(&self) -> Vec<u8> {
        let mut out = vec![0x01, 0x10];
        out.extend_from_slice(&self.key_reference);
        out
    }
}

/// What changes on the 券面 APs when the holder's facts change (`SimCard::replace_signature`):
/// the re-signed records and the new verification values. Counters are kept.
#[derive(Clone)]
pub struct FaceUpdate {
    /// 入力補助 EF `0003`, re-signed over the new 4 facts.
    pub integrity: Vec<u8>,
    /// 確認AP EF `0001`.
    pub age_record: Vec<u8>,
    /// 確認AP EF `0002`.
    pub card_face: Vec<u8>,
    /// The new 照合番号B (a new birth date changes it).
    pub number_b: Pin,
    /// The new birth-date key.
    pub birth_date: Pin,
}

impl super::CardData {
    /// Applies `face` (see [`FaceUpdate`]): the records and values replaced wherever the card
    /// holds them, every counter kept. The caller checks the card rules afterwards.
    pub(crate) fn apply_face(&mut self, face: FaceUpdate) -> Result<(), Error> {
        let Some(verification) = self.verification.as_mut() else {
            return Err(Error::NotOnCard {
                part: "verification numbers",
            });
        };
        verification.number_b = face.number_b.clone();
        verification.birth_date = face.birth_date.clone();
        let keep = |slot: &PinSlot, pin: &Pin| PinSlot::restore(pin.clone(), slot.counter());
        if let Some(records) = self.text_support.as_mut().and_then(|t| t.records.as_mut()) {
            records.integrity = face.integrity;
            records.number_b = keep(&records.number_b, &face.number_b);
        }
        if let Some(visual) = self.visual.as_mut() {
            visual.age_record = face.age_record;
            visual.card_face = face.card_face;
            visual.number_b = keep(&visual.number_b, &face.number_b);
            visual.birth_date = keep(&visual.birth_date, &face.birth_date);
        }
        Ok(())
    }
}
