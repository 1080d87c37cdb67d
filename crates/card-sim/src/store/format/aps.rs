//! The sections of card-file version 3 (see [`crate::store`]): the verification numbers, the
//! text-support records, the 券面事項確認AP and the 共通カードAP/住基AP, each optional.

use pin_policy::{PinSlot, RetryCounter};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};

use super::{read_pin, write_pin};
use crate::{
    MfObjects,
    contents::{CardData, CommonSlot, TextRecordSlot, VerificationSlot, VisualSlot, number_a},
    engine::SigningKey,
    error::{Corruption, Error},
    store::codec::{Reader, Writer},
};

/// The bytes of the version-3 sections, to size the encoder's buffer.
pub(super) fn variable_len(data: &CardData) -> usize {
    let text: usize = data
        .text_support
        .iter()
        .filter_map(|t| t.records.as_ref())
        .map(|r| {
            r.integrity.len()
                + r.cv_certificate.len()
                + r.basic_info.len()
                + r.session_key.len()
                + r.signed_key.len()
        })
        .sum();
    let visual: usize = data
        .visual
        .iter()
        .map(|v| {
            v.age_record.len()
                + v.card_face.len()
                + v.basic_info.len()
                + v.cv_certificate.len()
                + v.my_number_image.len()
        })
        .sum();
    let mf: usize = data
        .common
        .iter()
        .filter_map(|c| c.mf_objects.as_ref())
        .map(|m| m.root_certificate.len() + m.card_certificate.len())
        .sum();
    // three more keys of ~1.2 KiB each and the fixed fields
    text + visual + mf + 8 * 1024
}

fn write_key(w: &mut Writer, key: &SigningKey, part: &'static str) -> Result<(), Error> {
    let der = key
        .rsa()
        .to_pkcs1_der()
        .map_err(|_| Error::InvalidContents {
            part,
            reason: "the private key could not be encoded",
        })?;
    w.bytes(der.as_bytes());
    Ok(())
}

fn write_counter(w: &mut Writer, slot: &PinSlot) {
    let counter = slot.counter();
    w.u8(counter.limit());
    w.u8(counter.tries_left());
}

pub(super) fn encode(w: &mut Writer, data: &CardData) -> Result<(), Error> {
    match &data.verification {
        None => w.u8(0),
        Some(v) => {
            w.u8(1);
            write_pin(w, &PinSlot::restore(v.number_b.clone(), counter_of(v)?));
            write_pin(w, &PinSlot::restore(v.birth_date.clone(), counter_of(v)?));
            w.bytes(v.security_code.as_bytes());
        }
    }
    match data.text_support.as_ref().and_then(|t| t.records.as_ref()) {
        None => w.u8(0),
        Some(r) => {
            w.u8(1);
            for bytes in [
                &r.integrity,
                &r.cv_certificate,
                &r.basic_info,
                &r.session_key,
                &r.signed_key,
            ] {
                w.bytes(bytes);
            }
            write_key(w, &r.card_key, "text-support card key")?;
            write_counter(w, &r.number_a);
            write_counter(w, &r.number_b);
        }
    }
    match &data.visual {
        None => w.u8(0),
        Some(v) => {
            w.u8(1);
            for bytes in [
                &v.age_record,
                &v.card_face,
                &v.basic_info,
                &v.cv_certificate,
                &v.my_number_image,
            ] {
                w.bytes(bytes);
            }
            write_key(w, &v.card_key, "visual card key")?;
            write_counter(w, &v.birth_date);
            write_counter(w, &v.number_b);
            write_counter(w, &v.number_a);
        }
    }
    match &data.common {
        None => w.u8(0),
        Some(c) => {
            w.u8(1);
            w.bytes(c.serial.as_bytes());
            w.bytes(c.municipality.as_bytes());
            w.bytes(c.expiry.as_bytes());
            w.raw(&c.key_reference);
            write_key(w, &c.internal_auth_key, "internal-authentication key")?;
            write_pin(w, &c.common_pin);
            write_pin(w, &c.juki_pin);
            match &c.mf_objects {
                None => w.u8(0),
                Some(mf) => {
                    w.u8(1);
                    w.raw(&mf.issuer_key_id);
                    w.bytes(&mf.root_certificate);
                    w.bytes(&mf.card_certificate);
                }
            }
        }
    }
    Ok(())
}

/// The verification section stores the limit in the pin fields' counter (at its limit).
fn counter_of(v: &VerificationSlot) -> Result<RetryCounter, Error> {
    Ok(RetryCounter::new(v.retry_limit)?)
}

fn read_key(r: &mut Reader<'_>, field: &'static str) -> Result<SigningKey, Corruption> {
    let key =
        rsa::PrivateKey::from_pkcs1_der(r.bytes()?).map_err(|_| Corruption::BadField { field })?;
    SigningKey::new(key).ok_or(Corruption::BadField { field })
}

fn read_counter(
    r: &mut Reader<'_>,
    pin: pin_policy::Pin,
    field: &'static str,
) -> Result<PinSlot, Corruption> {
    let limit = r.u8()?;
    let tries_left = r.u8()?;
    let counter =
        RetryCounter::restore(limit, tries_left).map_err(|_| Corruption::BadField { field })?;
    Ok(PinSlot::restore(pin, counter))
}

fn read_string(r: &mut Reader<'_>, field: &'static str) -> Result<String, Corruption> {
    String::from_utf8(r.bytes()?.to_vec()).map_err(|_| Corruption::BadField { field })
}

/// Reads the version-3 sections into `data` (which holds the version-2 part).
pub(super) fn decode(r: &mut Reader<'_>, data: &mut CardData) -> Result<(), Corruption> {
    if r.flag("verification presence")? {
        let number_b = read_pin(r, "照合番号B")?;
        let birth_date = read_pin(r, "birth-date key")?;
        let security_code = read_string(r, "security code")?;
        data.verification = Some(VerificationSlot {
            number_b: number_b.pin().clone(),
            birth_date: birth_date.pin().clone(),
            retry_limit: number_b.counter().limit(),
            security_code,
        });
    }
    let verification = data.verification.clone();
    let missing = Corruption::BadField {
        field: "verification presence",
    };
    let my_number_key = |data: &CardData| {
        data.text_support
            .as_ref()
            .and_then(|t| number_a(&t.my_number).ok())
            .ok_or(Corruption::BadField {
                field: "text-support presence",
            })
    };
    if r.flag("text-support records presence")? {
        let v = verification.as_ref().ok_or(missing.clone())?;
        let a = my_number_key(data)?;
        let mut bytes = || r.bytes().map(<[u8]>::to_vec);
        let (integrity, cv_certificate, basic_info, session_key, signed_key) =
            (bytes()?, bytes()?, bytes()?, bytes()?, bytes()?);
        let card_key = read_key(r, "text-support card key")?;
        let number_a = read_counter(r, a, "照合番号A counter")?;
        let number_b = read_counter(r, v.number_b.clone(), "照合番号B counter")?;
        let records = TextRecordSlot {
            integrity,
            cv_certificate,
            basic_info,
            session_key,
            signed_key,
            card_key,
            number_a,
            number_b,
        };
        if let Some(text) = data.text_support.as_mut() {
            text.records = Some(records);
        }
    }
    if r.flag("visual presence")? {
        let v = verification.as_ref().ok_or(missing)?;
        let a = my_number_key(data)?;
        let mut bytes = || r.bytes().map(<[u8]>::to_vec);
        let (age_record, card_face, basic_info, cv_certificate, my_number_image) =
            (bytes()?, bytes()?, bytes()?, bytes()?, bytes()?);
        let card_key = read_key(r, "visual card key")?;
        let birth_date = read_counter(r, v.birth_date.clone(), "birth-date counter")?;
        let number_b = read_counter(r, v.number_b.clone(), "照合番号B counter")?;
        let number_a = read_counter(r, a, "照合番号A counter")?;
        data.visual = Some(VisualSlot {
            age_record,
            card_face,
            basic_info,
            cv_certificate,
            my_number_image,
            card_key,
            birth_date,
            number_b,
            number_a,
        });
    }
    if r.flag("common presence")? {
        let serial = read_string(r, "common serial")?;
        let municipality = read_string(r, "municipality code")?;
        let expiry = read_string(r, "card expiry")?;
        let key_reference = r.array::<16>()?;
        let internal_auth_key = read_key(r, "internal-authentication key")?;
        let common_pin = read_pin(r, "共通 PIN")?;
        let juki_pin = read_pin(r, "住基 PIN")?;
        let mf_objects = if r.flag("MF objects presence")? {
            Some(MfObjects {
                issuer_key_id: r.array::<16>()?,
                root_certificate: r.bytes()?.to_vec(),
                card_certificate: r.bytes()?.to_vec(),
            })
        } else {
            None
        };
        data.common = Some(CommonSlot {
            serial,
            municipality,
            expiry,
            key_reference,
            internal_auth_key,
            common_pin,
            juki_pin,
            mf_objects,
        });
    }
    Ok(())
}
