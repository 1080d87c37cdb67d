//! The next-generation 認証AP as the card holds it (NG-sim v1): keys prepared for signing,
//! certificates, and the three secrets with live counters.

use core::fmt;

use pin_policy::{Pin, PinKind, PinSlot};

use super::{CardData, check_ef_len};
use crate::{
    error::Error,
    holder::{FourFacts, MyNumber},
    life::{CardHistory, CardState},
    next_gen::{
        NextGenContents, NextGenKey,
        ids::{self, fid},
    },
    profile::CardProfile,
};

/// A key as the card holds it: prepared for signing once (its public point computed at
/// issue or load, never per signature).
#[derive(Clone)]
pub(crate) struct NgKeySlot {
    /// Wiped on drop by `ecdsa`.
    pub(crate) signing: p384::ecdsa::SigningKey,
    pub(crate) certificate: Vec<u8>,
    pub(crate) ca_certificate: Vec<u8>,
}

impl From<NextGenKey> for NgKeySlot {
    fn from(key: NextGenKey) -> Self {
        NgKeySlot {
            signing: p384::ecdsa::SigningKey::from(&key.private_key),
            certificate: key.certificate,
            ca_certificate: key.ca_certificate,
        }
    }
}

/// The 認証AP as the card holds it: keys, certificates, secrets with live counters.
#[derive(Clone)]
pub(crate) struct NgSlot {
    pub(crate) authentication: Option<NgKeySlot>,
    pub(crate) signature: Option<NgKeySlot>,
    pub(crate) card_authentication: NgKeySlot,
    pub(crate) my_number: MyNumber,
    pub(crate) facts: FourFacts,
    pub(crate) sign_pw: PinSlot,
    pub(crate) pin4: PinSlot,
    pub(crate) puk: Option<PinSlot>,
    /// The limit a PUK gets when the holder sets one.
    pub(crate) puk_limit: u8,
}

impl NgSlot {
    /// Checks `contents` against the profile's rules.
    pub(crate) fn issue(contents: NextGenContents) -> Result<Self, Error> {
        let NextGenContents {
            authentication,
            signature,
            card_authentication,
            my_number,
            facts,
            sign_pw,
            pin4,
            retry_limits,
        } = contents;
        check_kind(&sign_pw, PinKind::Signature)?;
        check_kind(&pin4, PinKind::Authentication)?;
        // the PUK's limit is checked now, though it applies later
        pin_policy::RetryCounter::new(retry_limits.puk)?;
        let slot = NgSlot {
            authentication: authentication.map(NgKeySlot::from),
            signature: signature.map(NgKeySlot::from),
            card_authentication: card_authentication.into(),
            my_number,
            facts,
            sign_pw: PinSlot::new(sign_pw, retry_limits.sign_pw)?,
            pin4: PinSlot::new(pin4, retry_limits.pin4)?,
            puk: None,
            puk_limit: retry_limits.puk,
        };
        slot.check()?;
        Ok(slot)
    }

    /// The rules every NG card state satisfies (also checked after loading a file).
    pub(crate) fn check(&self) -> Result<(), Error> {
        check_kind(self.sign_pw.pin(), PinKind::Signature)?;
        check_kind(self.pin4.pin(), PinKind::Authentication)?;
        if let Some(puk) = &self.puk {
            check_kind(puk.pin(), PinKind::Puk)?;
        }
        pin_policy::RetryCounter::new(self.puk_limit)?;
        self.facts.validate()?;
        for (cert, ca, key) in [
            (
                fid::AUTH_CERT,
                fid::AUTH_CA_CERT,
                self.authentication.as_ref(),
            ),
            (fid::SIGN_CERT, fid::SIGN_CA_CERT, self.signature.as_ref()),
            (
                fid::CARD_AUTH_CERT,
                fid::CARD_AUTH_CA_CERT,
                Some(&self.card_authentication),
            ),
        ] {
            if let Some(key) = key {
                check_ef_len(cert, key.certificate.len())?;
                check_ef_len(ca, key.ca_certificate.len())?;
            }
        }
        Ok(())
    }

    /// The key with this number (`01`–`03`), if the card has it.
    pub(crate) fn key(&self, number: u8) -> Option<&NgKeySlot> {
        match number {
            ids::key::AUTH => self.authentication.as_ref(),
            ids::key::SIGN => self.signature.as_ref(),
            ids::key::CARD_AUTH => Some(&self.card_authentication),
            _ => None,
        }
    }
}

impl CardData {
    /// A next-generation card (NG-sim v1): its 認証AP and nothing of today's card.
    pub(crate) fn issue_next_gen(contents: NextGenContents) -> Result<Self, Error> {
        let data = CardData {
            profile: CardProfile::MyNumber,
            authentication: None,
            signature: None,
            text_support: None,
            visual: None,
            common: None,
            verification: None,
            next_gen: Some(NgSlot::issue(contents)?),
            admin: None,
            state: CardState::Active,
            history: CardHistory::default(),
        };
        data.check()?;
        Ok(data)
    }

    /// A card with the next-generation 認証AP carries nothing of today's card.
    pub(crate) fn check_next_gen(&self) -> Result<(), Error> {
        let Some(ng) = &self.next_gen else {
            return Ok(());
        };
        let today = self.authentication.is_some()
            || self.signature.is_some()
            || self.text_support.is_some()
            || self.visual.is_some()
            || self.common.is_some()
            || self.verification.is_some();
        if today || self.profile != CardProfile::MyNumber {
            return Err(Error::InvalidContents {
                part: "next-generation card",
                reason: "it carries no application of today's card",
            });
        }
        ng.check()
    }
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

impl fmt::Debug for NgKeySlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NgKeySlot")
            .field("private_key", &format_args!("<redacted>"))
            .field(
                "certificate",
                &format_args!("<{} bytes>", self.certificate.len()),
            )
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for NgSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NgSlot")
            .field("authentication", &self.authentication)
            .field("signature", &self.signature)
            .field("card_authentication", &self.card_authentication)
            .field("sign_pw", &self.sign_pw)
            .field("pin4", &self.pin4)
            .field("puk", &self.puk)
            .finish_non_exhaustive()
    }
}
