//! Sample cards from the deterministic fixture set ([`crate::fixtures`]): real JPKI
//! certificates and their keys, for tests that need a card without an authority directory
//! (formerly `card_sim::sample`: the card never imports an issuer). PINs are [`AUTH_PIN`],
//! [`SIGN_PIN`], [`TEXT_PIN`], [`JUKI_PIN`] and [`RESIDENT_PIN`]; the 券面 APs' records are
//! signed by a card-face authority held in memory ([`face_ca_pem`]), 照合番号B is
//! [`number_b`].
//!
//! ```
//! let set = test_support::fixtures::build()?;
//! let mut card = card_sim::SimCard::new(test_support::sample::my_number(&set, true)?)?;
//! // SELECT the JPKI AP
//! let answer = card.process(&[0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);
//! assert_eq!(answer, [0x90, 0x00]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::OnceLock;

use card_sim::{
    CardContents, CardProfile, CommonContents, Error, KeyContents, MyNumber, TextSupportContents,
    TextSupportRecords, VerificationContents, VisualContents,
};
use cert::CertificateAuthority;
pub use issuer::FaceAp;
use issuer::FaceAuthority;
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
/// The 住民基本台帳用 PIN (共通カードAP and 住基AP `001C`) of the sample cards.
pub const RESIDENT_PIN: &str = "2580";

/// The seed of the sample card face (card-face CA keys, card keys, security code, serial).
const FACE_SEED: u64 = 0x4641_4345;

/// The sample cards' 券面 and 共通 contents, built once per process.
struct Face {
    authority: FaceAuthority,
    records: TextSupportRecords,
    visual: VisualContents,
    verification: VerificationContents,
    common: CommonContents,
    juki_common: CommonContents,
}

fn face() -> Result<&'static Face, Error> {
    static FACE: OnceLock<Option<Face>> = OnceLock::new();
    FACE.get_or_init(|| build_face().ok())
        .as_ref()
        .ok_or(Error::InvalidContents {
            part: "sample card face",
            reason: "the issuer's card-face builder failed on the fixture holder",
        })
}

fn build_face() -> Result<Face, issuer::Error> {
    let mut rng = crate::keys::seeded_rng(FACE_SEED);
    let authority = FaceAuthority::generate(&mut rng)?;
    let holder = crate::fixtures::holder();
    let my_number = MyNumber::new(MY_NUMBER)?;
    let face = authority
        .card_face(&holder, &my_number, crate::fixtures::CARD_EXPIRY, &mut rng)?
        .into_contents(PinKind::VerificationB.default_retry_limit())?;
    let resident = Pin::new(PinKind::ResidentRegistry, RESIDENT_PIN.as_bytes())?;
    let limit = PinKind::ResidentRegistry.default_retry_limit();
    let juki_common = authority
        .common_records(
            &crate::fixtures::holder(),
            crate::fixtures::CARD_EXPIRY,
            &mut rng,
        )?
        .into_contents(resident.clone(), resident.clone(), limit);
    Ok(Face {
        authority,
        records: face.records,
        visual: face.visual,
        verification: face.verification,
        common: face.common.into_contents(resident.clone(), resident, limit),
        juki_common,
    })
}

/// 照合番号B of the sample My Number card (14 digits).
///
/// # Errors
/// As [`my_number`].
pub fn number_b() -> Result<String, Error> {
    let pin = &face()?.verification.number_b;
    Ok(String::from_utf8_lossy(pin.expose_secret()).into_owned())
}

/// The card CA's root public key (verifies MF `00F8` of the sample cards), PEM SPKI (an
/// authority directory's `card-ca.pem`).
///
/// # Errors
/// As [`my_number`].
pub fn card_ca_pem() -> Result<String, Error> {
    face()?
        .authority
        .card_ca_pem()
        .map_err(|_| Error::InvalidContents {
            part: "sample card face",
            reason: "PEM encoding of the card CA key failed",
        })
}

/// The public key of the card-face CA that signed the sample card's `ap` records, PEM SPKI
/// (an authority directory's `face-text-ca.pem` / `face-visual-ca.pem`).
///
/// # Errors
/// As [`my_number`].
pub fn face_ca_pem(ap: FaceAp) -> Result<String, Error> {
    face()?
        .authority
        .ca_pem(ap)
        .map_err(|_| Error::InvalidContents {
            part: "sample card face",
            reason: "PEM encoding of the card-face CA key failed",
        })
}

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
    let face = face()?;
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
            records: Some(face.records.clone()),
        }),
        visual: Some(face.visual.clone()),
        common: Some(face.common.clone()),
        verification: Some(face.verification.clone()),
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
        common: Some(face()?.juki_common.clone()),
        verification: None,
    })
}
