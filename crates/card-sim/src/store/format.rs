//! The card file's bytes: [`encode`] and [`decode`] of the format described in [`super`].

use pin_policy::{Pin, PinKind, PinSlot, RetryCounter};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};
use zeroize::Zeroizing;

use super::codec::{Reader, Writer};
use super::{
    CHECKSUM_LEN, DecodeError, FORMAT_VERSION, FORMAT_VERSION_1, FORMAT_VERSION_2,
    FORMAT_VERSION_3, FORMAT_VERSION_4, MAGIC,
};
use crate::{
    admin::CARD_ID_LEN,
    contents::{Administration, CardData, KeySlot, TextSlot},
    engine::SigningKey,
    error::{Corruption, Error},
    holder::{FourFacts, MyNumber, Sex},
    life::{CardHistory, CardState, Cessation},
    profile::{CardProfile, KeyRole},
};

pub(crate) fn encode(data: &CardData) -> Result<Zeroizing<Vec<u8>>, Error> {
    // Sized up front so the buffer holding keys and PINs never reallocates (and never leaves
    // an unwiped copy behind): fixed fields and keys fit in 8 KiB, plus the variable parts.
    let variable: usize = [&data.authentication, &data.signature]
        .into_iter()
        .flatten()
        .map(|k| k.certificate.len() + k.ca_certificate.len())
        .chain(
            data.text_support
                .iter()
                .map(|t| t.facts.name.len() + t.facts.address.len()),
        )
        .sum::<usize>()
        + aps::variable_len(data)
        + next_gen::variable_len(data.next_gen.as_ref());
    let mut w = Writer::with_capacity(8 * 1024 + variable);
    w.raw(&MAGIC);
    w.u16(FORMAT_VERSION);
    w.u8(match data.profile {
        CardProfile::MyNumber => 1,
        CardProfile::Juki => 2,
    });
    for (role, slot) in [
        (KeyRole::Authentication, &data.authentication),
        (KeyRole::Signature, &data.signature),
    ] {
        match slot {
            None => w.u8(0),
            Some(slot) => {
                w.u8(1);
                w.bytes(&slot.certificate);
                w.bytes(&slot.ca_certificate);
                let der = slot
                    .private_key
                    .rsa()
                    .to_pkcs1_der()
                    .map_err(|_| Error::KeyEncoding { role })?;
                w.bytes(der.as_bytes());
                write_pin(&mut w, &slot.pin);
            }
        }
    }
    match &data.text_support {
        None => w.u8(0),
        Some(text) => {
            w.u8(1);
            w.bytes(text.my_number.digits());
            w.bytes(text.facts.name.as_bytes());
            w.bytes(text.facts.address.as_bytes());
            w.bytes(text.facts.birth_date.as_bytes());
            w.u8(text.facts.sex.code());
            write_pin(&mut w, &text.pin);
        }
    }
    match &data.admin {
        None => w.u8(0),
        Some(admin) => {
            w.u8(1);
            w.raw(&admin.card_id);
            w.bytes(&admin.admin_key.to_sec1_bytes());
            w.raw(&admin.card_expiry.to_julian_day().to_be_bytes());
        }
    }
    write_state(&mut w, data.state);
    aps::encode(&mut w, data)?;
    for at in [data.history.last_renewal, data.history.last_pin_reset] {
        match at {
            None => w.u8(0),
            Some(at) => {
                w.u8(1);
                w.raw(&at.unix_timestamp().to_be_bytes());
            }
        }
    }
    next_gen::encode(&mut w, data.next_gen.as_ref());
    let mut bytes = w.finish();
    let checksum = Sha256::digest(bytes.as_slice());
    bytes.extend_from_slice(&checksum);
    Ok(bytes)
}

/// `life` (format 4): 00 active | 01 terminated | 02 lost at | 03 ceased cause at.
fn write_state(w: &mut Writer, state: CardState) {
    match state {
        CardState::Active => w.u8(0),
        CardState::Terminated => w.u8(1),
        CardState::Lost { at } => {
            w.u8(2);
            w.raw(&at.unix_timestamp().to_be_bytes());
        }
        CardState::Ceased { cause, at } => {
            w.u8(3);
            w.u8(cause.code());
            w.raw(&at.unix_timestamp().to_be_bytes());
        }
    }
}

fn read_instant(r: &mut Reader<'_>, field: &'static str) -> Result<OffsetDateTime, Corruption> {
    OffsetDateTime::from_unix_timestamp(i64::from_be_bytes(r.array()?))
        .map_err(|_| Corruption::BadField { field })
}

/// `life` as `version` writes it: a flag before format 4, a state with its date from 4 on.
fn read_state(r: &mut Reader<'_>, version: u16) -> Result<CardState, Corruption> {
    if version < FORMAT_VERSION_4 {
        return Ok(if r.flag("life cycle")? {
            CardState::Terminated
        } else {
            CardState::Active
        });
    }
    Ok(match r.u8()? {
        0 => CardState::Active,
        1 => CardState::Terminated,
        2 => CardState::Lost {
            at: read_instant(r, "lost date")?,
        },
        3 => {
            let cause = Cessation::from_code(r.u8()?).ok_or(Corruption::BadField {
                field: "cessation cause",
            })?;
            CardState::Ceased {
                cause,
                at: read_instant(r, "cessation date")?,
            }
        }
        _ => {
            return Err(Corruption::BadField {
                field: "life cycle",
            });
        }
    })
}

fn read_history(r: &mut Reader<'_>) -> Result<CardHistory, Corruption> {
    let mut at = || -> Result<Option<OffsetDateTime>, Corruption> {
        if r.flag("history presence")? {
            read_instant(r, "history date").map(Some)
        } else {
            Ok(None)
        }
    };
    Ok(CardHistory {
        last_renewal: at()?,
        last_pin_reset: at()?,
    })
}

fn write_pin(w: &mut Writer, slot: &PinSlot) {
    w.u8(match slot.kind() {
        PinKind::JukiSignature => 1,
        PinKind::Authentication => 2,
        PinKind::Signature => 3,
        PinKind::TextSupport => 4,
        PinKind::VerificationA => 5,
        PinKind::VerificationB => 6,
        PinKind::BirthDate => 7,
        PinKind::ResidentRegistry => 8,
        PinKind::Puk => 9,
    });
    w.bytes(slot.pin().expose_secret());
    let counter = slot.counter();
    w.u8(counter.limit());
    w.u8(counter.tries_left());
}

pub(crate) fn decode(bytes: &[u8]) -> Result<CardData, DecodeError> {
    if bytes.get(..MAGIC.len()) != Some(&MAGIC[..]) {
        return Err(DecodeError::NotACardFile);
    }
    let mut r = Reader::new(bytes);
    r.take(MAGIC.len())?;
    let version = r.u16()?;
    if ![
        FORMAT_VERSION,
        FORMAT_VERSION_4,
        FORMAT_VERSION_3,
        FORMAT_VERSION_2,
        FORMAT_VERSION_1,
    ]
    .contains(&version)
    {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let body_len = bytes
        .len()
        .checked_sub(CHECKSUM_LEN)
        .ok_or(Corruption::Truncated)?;
    let (content, checksum) = bytes
        .split_at_checked(body_len)
        .ok_or(Corruption::Truncated)?;
    if Sha256::digest(content).as_slice() != checksum {
        return Err(Corruption::ChecksumMismatch.into());
    }
    let mut r = Reader::new(content);
    r.take(MAGIC.len() + 2)?;
    let profile = match r.u8()? {
        1 => CardProfile::MyNumber,
        2 => CardProfile::Juki,
        _ => return Err(Corruption::BadField { field: "profile" }.into()),
    };
    let authentication = read_key(&mut r, KeyRole::Authentication)?;
    let signature = read_key(&mut r, KeyRole::Signature)?;
    let text_support = if r.flag("text-support presence")? {
        let my_number = std::str::from_utf8(r.bytes()?)
            .ok()
            .and_then(|s| MyNumber::new(s).ok())
            .ok_or(Corruption::BadField { field: "my number" })?;
        let name = read_string(&mut r, "name")?;
        let address = read_string(&mut r, "address")?;
        let birth_date = read_string(&mut r, "date of birth")?;
        let sex = Sex::from_code(r.u8()?).ok_or(Corruption::BadField { field: "sex" })?;
        let pin = read_pin(&mut r, "text-support PIN")?;
        Some(TextSlot {
            my_number,
            facts: FourFacts {
                name,
                address,
                birth_date,
                sex,
            },
            pin,
            records: None,
        })
    } else {
        None
    };
    let (admin, state) = if version == FORMAT_VERSION_1 {
        (None, CardState::Active)
    } else {
        let admin = if r.flag("administration presence")? {
            let card_id = r.array::<CARD_ID_LEN>()?;
            let admin_key = p256::ecdsa::VerifyingKey::from_sec1_bytes(r.bytes()?)
                .map_err(|_| Corruption::BadField { field: "admin key" })?;
            let card_expiry =
                Date::from_julian_day(i32::from_be_bytes(r.array()?)).map_err(|_| {
                    Corruption::BadField {
                        field: "card expiry",
                    }
                })?;
            Some(Administration {
                card_id,
                admin_key,
                card_expiry,
            })
        } else {
            None
        };
        (admin, read_state(&mut r, version)?)
    };
    let mut data = CardData {
        profile,
        authentication,
        signature,
        text_support,
        visual: None,
        common: None,
        verification: None,
        next_gen: None,
        admin,
        state,
        history: CardHistory::default(),
    };
    if version >= FORMAT_VERSION_3 {
        aps::decode(&mut r, &mut data)?;
    }
    if version >= FORMAT_VERSION_4 {
        data.history = read_history(&mut r)?;
    }
    if version >= FORMAT_VERSION {
        data.next_gen = next_gen::decode(&mut r)?;
    }
    r.finish()?;
    data.check().map_err(|_| Corruption::BadField {
        field: "card rules",
    })?;
    Ok(data)
}

fn read_string(r: &mut Reader<'_>, field: &'static str) -> Result<String, Corruption> {
    let bytes = r.bytes()?;
    String::from_utf8(bytes.to_vec()).map_err(|_| Corruption::BadField { field })
}

fn read_key(r: &mut Reader<'_>, role: KeyRole) -> Result<Option<KeySlot>, Corruption> {
    let field = match role {
        KeyRole::Authentication => "authentication key presence",
        KeyRole::Signature => "signature key presence",
    };
    if !r.flag(field)? {
        return Ok(None);
    }
    let certificate = r.bytes()?.to_vec();
    let ca_certificate = r.bytes()?.to_vec();
    let private_key =
        rsa::PrivateKey::from_pkcs1_der(r.bytes()?).map_err(|_| Corruption::BadKey { role })?;
    let private_key = SigningKey::new(private_key).ok_or(Corruption::BadKey { role })?;
    let pin = read_pin(
        r,
        match role {
            KeyRole::Authentication => "authentication PIN",
            KeyRole::Signature => "signature PIN",
        },
    )?;
    Ok(Some(KeySlot {
        certificate,
        ca_certificate,
        private_key,
        pin,
    }))
}

fn read_pin(r: &mut Reader<'_>, field: &'static str) -> Result<PinSlot, Corruption> {
    let kind = match r.u8()? {
        1 => PinKind::JukiSignature,
        2 => PinKind::Authentication,
        3 => PinKind::Signature,
        4 => PinKind::TextSupport,
        5 => PinKind::VerificationA,
        6 => PinKind::VerificationB,
        7 => PinKind::BirthDate,
        8 => PinKind::ResidentRegistry,
        9 => PinKind::Puk,
        _ => return Err(Corruption::BadField { field }),
    };
    let pin = Zeroizing::new(r.bytes()?.to_vec());
    let pin = Pin::from_zeroizing(kind, pin).map_err(|_| Corruption::BadField { field })?;
    let limit = r.u8()?;
    let tries_left = r.u8()?;
    let counter =
        RetryCounter::restore(limit, tries_left).map_err(|_| Corruption::BadField { field })?;
    Ok(PinSlot::restore(pin, counter))
}

mod aps;
mod next_gen;

#[cfg(test)]
mod tests;
