//! Sample cards from the deterministic fixture set ([`crate::fixtures`]): real JPKI
//! certificates and their keys, for tests that need a card without an authority directory
//! (formerly `card_sim::sample`: the card never imports an issuer). PINs are [`AUTH_PIN`],
//! [`SIGN_PIN`], [`TEXT_PIN`] and [`JUKI_PIN`].
//!
//! ```
//! let set = test_support::fixtures::build()?;
//! let mut card = card_sim::SimCard::new(test_support::sample::my_number(&set, true)?)?;
//! // SELECT the JPKI AP
//! let answer = card.process(&[0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);
//! assert_eq!(answer, [0x90, 0x00]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use card_sim::{CardContents, CardProfile, Error, KeyContents, MyNumber, TextSupportContents};
use cert::CertificateAuthority;
use pin_policy::{Pin, PinKind};

use crate::fixtures::{FixtureSet, IssuedKey};

/// Authentication PIN of the sample cards.
pub const AUTH_PIN: &str = "1234";
/// Signature PIN of the sample My Number card.
pub const SIGN_PIN: &str = "ABC123";
/// Text-support PIN of the sample My Number card.
pub const TEXT_PIN: &str = "5678";
/// Signature PIN of the sample Juki card.
pub const JUKI_PIN: &str = "AB12";
/// The sample My Number (valid check digit).
pub const MY_NUMBER: &str = "123456789018";

fn key(
    issued: &IssuedKey,
    ca: &CertificateAuthority,
    kind: PinKind,
    pin: &str,
) -> Result<KeyContents, Error> {
    Ok(KeyContents {
        certificate: issued.certificate.der().to_vec(),
        ca_certificate: ca.certificate().der().to_vec(),
        private_key: issued.key.clone(),
        pin: Pin::new(kind, pin.as_bytes())?,
        retry_limit: kind.default_retry_limit(),
    })
}

/// The fixture holder's My Number card: authentication certificate, the signature certificate
/// when `with_sign`, and the text-support application with the same 4 facts.
///
/// # Errors
/// Only if the fixture data broke a card rule (a defect, tested).
pub fn my_number(set: &FixtureSet, with_sign: bool) -> Result<CardContents, Error> {
    let holder = crate::fixtures::holder();
    Ok(CardContents {
        profile: CardProfile::MyNumber,
        authentication: Some(key(
            &set.my_number_auth,
            &set.auth_ca,
            PinKind::Authentication,
            AUTH_PIN,
        )?),
        signature: if with_sign {
            Some(key(
                &set.my_number_sign,
                &set.sign_ca,
                PinKind::Signature,
                SIGN_PIN,
            )?)
        } else {
            None
        },
        text_support: Some(TextSupportContents {
            my_number: MyNumber::new(MY_NUMBER)?,
            facts: issuer::text_facts(&holder),
            pin: Pin::new(PinKind::TextSupport, TEXT_PIN.as_bytes())?,
            retry_limit: PinKind::TextSupport.default_retry_limit(),
            records: None,
        }),
        visual: None,
        common: None,
        verification: None,
    })
}

/// The fixture Juki card: one signature certificate under the Juki PIN rule.
///
/// # Errors
/// As [`my_number`].
pub fn juki(set: &FixtureSet) -> Result<CardContents, Error> {
    Ok(CardContents {
        profile: CardProfile::Juki,
        authentication: None,
        signature: Some(key(
            &set.juki_sign,
            &set.sign_ca,
            PinKind::JukiSignature,
            JUKI_PIN,
        )?),
        text_support: None,
        visual: None,
        common: None,
        verification: None,
    })
}
