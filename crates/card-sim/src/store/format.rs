//! The card file's bytes: [`encode`] and [`decode`] of the format described in [`super`].

use pin_policy::{Pin, PinKind, PinSlot, RetryCounter};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use sha2::{Digest, Sha256};
use time::Date;
use zeroize::Zeroizing;

use super::codec::{Reader, Writer};
use super::{CHECKSUM_LEN, DecodeError, FORMAT_VERSION, FORMAT_VERSION_1, MAGIC};
use crate::{
    admin::CARD_ID_LEN,
    contents::{Administration, CardData, KeySlot, TextSlot},
    engine::SigningKey,
    error::{Corruption, Error},
    holder::{FourFacts, MyNumber, Sex},
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
        .sum();
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
    w.u8(u8::from(data.terminated));
    let mut bytes = w.finish();
    let checksum = Sha256::digest(bytes.as_slice());
    bytes.extend_from_slice(&checksum);
    Ok(bytes)
}

fn write_pin(w: &mut Writer, slot: &PinSlot) {
    w.u8(match slot.kind() {
        PinKind::JukiSignature => 1,
        PinKind::Authentication => 2,
        PinKind::Signature => 3,
        PinKind::TextSupport => 4,
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
    if version != FORMAT_VERSION && version != FORMAT_VERSION_1 {
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
        })
    } else {
        None
    };
    let (admin, terminated) = if version == FORMAT_VERSION_1 {
        (None, false)
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
        (admin, r.flag("life cycle")?)
    };
    r.finish()?;
    let data = CardData {
        profile,
        authentication,
        signature,
        text_support,
        admin,
        terminated,
    };
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

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use pin_policy::{Pin, PinKind};
    use proptest::prelude::*;
    use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

    use super::*;
    use crate::contents::{CardContents, KeyContents, TextSupportContents};

    fn sample() -> &'static CardData {
        static DATA: OnceLock<CardData> = OnceLock::new();
        DATA.get_or_init(|| {
            let mut rng = ChaCha20Rng::seed_from_u64(42);
            let key = rsa::PrivateKey::new(&mut rng, 2048).unwrap();
            CardData::issue(CardContents {
                profile: CardProfile::MyNumber,
                authentication: Some(KeyContents {
                    certificate: vec![0x30, 0x03, 1, 2, 3],
                    ca_certificate: vec![0x30, 0x00],
                    private_key: key,
                    pin: Pin::new(PinKind::Authentication, b"1234").unwrap(),
                    retry_limit: 3,
                }),
                signature: None,
                text_support: Some(TextSupportContents {
                    my_number: MyNumber::new("123456789018").unwrap(),
                    facts: FourFacts {
                        name: "A".into(),
                        address: "B".into(),
                        birth_date: "20000101".into(),
                        sex: Sex::Male,
                    },
                    pin: Pin::new(PinKind::TextSupport, b"0000").unwrap(),
                    retry_limit: 3,
                }),
            })
            .unwrap()
        })
    }

    /// Puts a valid header and checksum around `body`, so that decoding gets past both.
    fn seal(body: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
        out.extend_from_slice(body);
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        out
    }

    #[test]
    fn encoding_round_trips() {
        let bytes = encode(sample()).unwrap();
        let Ok(back) = decode(&bytes) else {
            panic!("does not decode")
        };
        assert_eq!(*encode(&back).unwrap(), *bytes);
    }

    #[test]
    fn version_1_files_are_read_as_cards_without_an_authority() {
        let v2 = encode(sample()).unwrap();
        // a version-2 card without binding ends in `admin = 00`, `life = 00`
        let body = &v2[10..v2.len() - 32];
        assert_eq!(&body[body.len() - 2..], [0, 0]);
        let mut v1 = MAGIC.to_vec();
        v1.extend_from_slice(&1u16.to_be_bytes());
        v1.extend_from_slice(&body[..body.len() - 2]);
        let sum = Sha256::digest(&v1);
        v1.extend_from_slice(&sum);
        let Ok(card) = decode(&v1) else {
            panic!("a version-1 file does not decode")
        };
        assert!(card.admin.is_none());
        assert!(!card.terminated);
        // written back as version 2, byte for byte what a new card would be
        assert_eq!(*encode(&card).unwrap(), *v2);
        // a version-1 body with the version-2 trailer is refused, not misread
        let mut bad = v1[..v1.len() - 32].to_vec();
        bad.extend_from_slice(&[0, 0]);
        let sum = Sha256::digest(&bad);
        bad.extend_from_slice(&sum);
        assert!(matches!(
            decode(&bad),
            Err(DecodeError::Corrupt(Corruption::TrailingBytes { extra: 2 }))
        ));
    }

    #[test]
    fn old_card_files_answer_the_corrected_df21_table() {
        // The card file keeps the 4 facts, not EF 0002's bytes: a file written before the
        // DF21 fix (oldest format, version 1) answers the table real cards write, counted from
        // byte 0 of the EF (card-map §4), with no upgrade step.
        let v2 = encode(sample()).unwrap();
        let body = &v2[10..v2.len() - 34];
        let mut v1 = MAGIC.to_vec();
        v1.extend_from_slice(&1u16.to_be_bytes());
        v1.extend_from_slice(body);
        let sum = Sha256::digest(&v1);
        v1.extend_from_slice(&sum);
        let Ok(card) = decode(&v1) else {
            panic!("a version-1 file does not decode")
        };
        let ef = crate::card::files::Ef::Facts.content(&card).unwrap();
        // DF22 `A` 4 bytes, DF23 `B` 4 bytes, DF24 11 bytes, DF25 4 bytes
        assert_eq!(hex::encode_upper(&ef[..14]), "FF2022DF2108000E001200160021");
        assert_eq!(ef.len(), 3 + 0x22);
    }

    #[test]
    fn administration_and_life_cycle_round_trip() {
        use p256::ecdsa::SigningKey;
        let mut data = sample().clone();
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
        data.admin = Some(Administration {
            card_id: *b"0123456789abcdef",
            admin_key: *key.verifying_key(),
            card_expiry: Date::from_calendar_date(2035, time::Month::March, 31).unwrap(),
        });
        for terminated in [false, true] {
            data.terminated = terminated;
            let bytes = encode(&data).unwrap();
            let Ok(back) = decode(&bytes) else {
                panic!("does not decode")
            };
            assert_eq!(back.admin, data.admin);
            assert_eq!(back.terminated, terminated);
            assert_eq!(*encode(&back).unwrap(), *bytes);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Even content with a valid checksum (a crafted file) never panics the loader.
        #[test]
        fn sealed_garbage_is_rejected_without_panic(body in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = decode(&seal(&body));
        }

        #[test]
        fn sealed_mutations_of_a_real_card_never_panic(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let bytes = encode(sample()).unwrap();
            let mut body = bytes[10..bytes.len() - 32].to_vec();
            for (i, b) in edits {
                let i = i.index(body.len());
                body[i] = b;
            }
            if truncate {
                body.truncate(cut.index(body.len()));
            }
            let _ = decode(&seal(&body));
        }
    }
}
