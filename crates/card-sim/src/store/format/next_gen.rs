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
    contents::next_gen::{NgKeySlot, NgSlot},
    error::Corruption,
    holder::{FourFacts, MyNumber, Sex},
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

#[cfg(test)]
mod tests {
    use pin_policy::{Pin, PinKind, PinSlot, RetryCounter};
    use sha2::{Digest, Sha256};

    use super::super::{DecodeError, MAGIC, decode, encode, tests::full};
    use crate::{
        contents::CardData,
        error::Corruption,
        holder::{FourFacts, MyNumber, Sex},
    };

    #[test]
    fn version_4_files_load_as_today_s_cards() {
        let v5 = encode(&full()).unwrap();
        let body = &v5[10..v5.len() - 32];
        assert_eq!(body.last(), Some(&0), "no next-gen section");
        let mut v4 = MAGIC.to_vec();
        v4.extend_from_slice(&4u16.to_be_bytes());
        v4.extend_from_slice(&body[..body.len() - 1]);
        let sum = Sha256::digest(&v4);
        v4.extend_from_slice(&sum);
        let Ok(card) = decode(&v4) else {
            panic!("a version-4 file does not decode")
        };
        assert!(card.next_gen.is_none());
        assert_eq!(*encode(&card).unwrap(), *v5);
    }

    fn next_gen() -> CardData {
        use crate::next_gen::{NextGenContents, NextGenKey, NextGenRetryLimits};
        let key = |seed: u8| NextGenKey {
            private_key: p384::SecretKey::from_slice(&[seed; 48]).unwrap(),
            certificate: vec![seed; 300],
            ca_certificate: vec![seed + 1; 200],
        };
        CardData::issue_next_gen(NextGenContents {
            authentication: None,
            signature: Some(key(2)),
            card_authentication: key(3),
            my_number: MyNumber::new("123456789018").unwrap(),
            facts: FourFacts {
                name: "A".into(),
                address: "B".into(),
                birth_date: "20000101".into(),
                sex: Sex::Male,
            },
            sign_pw: Pin::new(PinKind::Signature, b"ABC123").unwrap(),
            pin4: Pin::new(PinKind::Authentication, b"1234").unwrap(),
            retry_limits: NextGenRetryLimits {
                sign_pw: 7,
                pin4: 3,
                puk: 2,
            },
        })
        .unwrap()
    }

    #[test]
    fn a_next_generation_card_round_trips_with_its_puk_and_counters() {
        let mut data = next_gen();
        let ng = data.next_gen.as_mut().unwrap();
        ng.puk = Some(PinSlot::new(Pin::new(PinKind::Puk, b"12345678").unwrap(), 2).unwrap());
        ng.pin4 = PinSlot::restore(ng.pin4.pin().clone(), RetryCounter::restore(3, 1).unwrap());
        let bytes = encode(&data).unwrap();
        let Ok(back) = decode(&bytes) else {
            panic!("does not decode")
        };
        assert_eq!(*encode(&back).unwrap(), *bytes);
        let ng = back.next_gen.as_ref().unwrap();
        assert!(ng.authentication.is_none());
        assert_eq!(ng.signature.as_ref().unwrap().certificate, vec![2; 300]);
        assert_eq!(ng.card_authentication.ca_certificate, vec![4; 200]);
        assert_eq!(
            ng.card_authentication.signing.verifying_key(),
            data.next_gen
                .as_ref()
                .unwrap()
                .card_authentication
                .signing
                .verifying_key()
        );
        assert_eq!(ng.pin4.counter().tries_left(), 1);
        assert_eq!(ng.sign_pw.counter().limit(), 7);
        assert_eq!(ng.puk.as_ref().unwrap().counter().limit(), 2);
        assert_eq!(ng.puk_limit, 2);
        // a next-gen section beside today's applications breaks the card rules
        let mut mixed = full();
        mixed.next_gen = next_gen().next_gen;
        let bytes = encode(&mixed).unwrap();
        assert!(matches!(
            decode(&bytes),
            Err(DecodeError::Corrupt(Corruption::BadField {
                field: "card rules"
            }))
        ));
        // a zero scalar is not a key
        let clean = encode(&next_gen()).unwrap();
        let scalar = [3u8; 48];
        let at = clean
            .windows(48)
            .rposition(|w| w == scalar)
            .expect("the card-authentication scalar");
        let mut zero = clean[..clean.len() - 32].to_vec();
        zero[at..at + 48].fill(0);
        let sum = Sha256::digest(&zero);
        zero.extend_from_slice(&sum);
        assert!(matches!(
            decode(&zero),
            Err(DecodeError::Corrupt(Corruption::BadKey { .. }))
        ));
    }
}
