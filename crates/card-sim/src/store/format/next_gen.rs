//! The section of card-file version 5 (see [`crate::store`]): the next-generation 認証AP.
//!
//! ```text
//! next-gen = 00 | 01 ng-key(auth)? ng-key(sign)? ng-key(card-auth) my-number:bytes(12)
//!            name:bytes address:bytes birth:bytes(8) sex u8
//!            pin(SIGN_PW) pin(PIN4) (00 | 01 pin(PUK)) puk-limit u8
//! ng-key?  = 00 | 01 ng-key
//! ng-key   = certificate:bytes ca-certificate:bytes p384-scalar:bytes(48)
//! ```

use zeroize::Zeroizing;

use super::{read_pin, read_string, write_pin};
use crate::{
    error::Corruption,
    holder::{FourFacts, MyNumber, Sex},
    next_gen::{NgKeySlot, NgSlot},
    profile::KeyRole,
    store::codec::{Reader, Writer},
};

/// The bytes of the section that vary (certificates, name, address), to size the buffer.
pub(super) fn variable_len(ng: Option<&NgSlot>) -> usize {
    ng.map_or(0, |ng| {
        [
            ng.authentication.as_ref(),
            ng.signature.as_ref(),
            Some(&ng.card_authentication),
        ]
        .into_iter()
        .flatten()
        .map(|k| k.certificate.len() + k.ca_certificate.len())
        .sum::<usize>()
            + ng.facts.name.len()
            + ng.facts.address.len()
    })
}

fn write_key(w: &mut Writer, key: &NgKeySlot) {
    w.bytes(&key.certificate);
    w.bytes(&key.ca_certificate);
    let scalar = Zeroizing::new(key.signing.to_bytes());
    w.bytes(scalar.as_slice());
}

pub(super) fn encode(w: &mut Writer, ng: Option<&NgSlot>) {
    let Some(ng) = ng else {
        w.u8(0);
        return;
    };
    w.u8(1);
    for key in [ng.authentication.as_ref(), ng.signature.as_ref()] {
        match key {
            None => w.u8(0),
            Some(key) => {
                w.u8(1);
                write_key(w, key);
            }
        }
    }
    write_key(w, &ng.card_authentication);
    w.bytes(ng.my_number.digits());
    w.bytes(ng.facts.name.as_bytes());
    w.bytes(ng.facts.address.as_bytes());
    w.bytes(ng.facts.birth_date.as_bytes());
    w.u8(ng.facts.sex.code());
    write_pin(w, &ng.sign_pw);
    write_pin(w, &ng.pin4);
    match &ng.puk {
        None => w.u8(0),
        Some(puk) => {
            w.u8(1);
            write_pin(w, puk);
        }
    }
    w.u8(ng.puk_limit);
}

fn read_key(r: &mut Reader<'_>, role: KeyRole) -> Result<NgKeySlot, Corruption> {
    let certificate = r.bytes()?.to_vec();
    let ca_certificate = r.bytes()?.to_vec();
    let signing =
        p384::ecdsa::SigningKey::from_slice(r.bytes()?).map_err(|_| Corruption::BadKey { role })?;
    Ok(NgKeySlot {
        signing,
        certificate,
        ca_certificate,
    })
}

pub(super) fn decode(r: &mut Reader<'_>) -> Result<Option<NgSlot>, Corruption> {
    if !r.flag("next-generation presence")? {
        return Ok(None);
    }
    let authentication = if r.flag("next-generation authentication key presence")? {
        Some(read_key(r, KeyRole::Authentication)?)
    } else {
        None
    };
    let signature = if r.flag("next-generation signature key presence")? {
        Some(read_key(r, KeyRole::Signature)?)
    } else {
        None
    };
    // the card-authentication key has no KeyRole of today's card: its errors name the
    // authentication key
    let card_authentication = read_key(r, KeyRole::Authentication)?;
    let my_number = std::str::from_utf8(r.bytes()?)
        .ok()
        .and_then(|s| MyNumber::new(s).ok())
        .ok_or(Corruption::BadField { field: "my number" })?;
    let name = read_string(r, "name")?;
    let address = read_string(r, "address")?;
    let birth_date = read_string(r, "date of birth")?;
    let sex = Sex::from_code(r.u8()?).ok_or(Corruption::BadField { field: "sex" })?;
    let sign_pw = read_pin(r, "signing password")?;
    let pin4 = read_pin(r, "4-digit PIN")?;
    let puk = if r.flag("PUK presence")? {
        Some(read_pin(r, "PUK")?)
    } else {
        None
    };
    let puk_limit = r.u8()?;
    Ok(Some(NgSlot {
        authentication,
        signature,
        card_authentication,
        my_number,
        facts: FourFacts {
            name,
            address,
            birth_date,
            sex,
        },
        sign_pw,
        pin4,
        puk,
        puk_limit,
    }))
}
