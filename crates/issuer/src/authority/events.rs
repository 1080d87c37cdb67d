//! Life-cycle events at the window on a card already issued (spec §1, §7): renewal (更新), a
//! lost or stolen card, the card returned after the holder's death or departure from Japan,
//! and the reset of a forgotten PIN.
//!
//! Renewal is [`super::renew`]; a next-generation card's secrets are in
//! [`super::next_gen_life`]. Each follows the pattern of [`Authority::change_facts`]: check that the card is ours and in a
//! state that allows the event, check everything else, revoke, then write the card.

use cert::time::OffsetDateTime;
use cert::{JpkiCertificate, RevocationReason};
use pin_policy::Pin;

use card_sim::{CardState, Cessation, KeyRole, PinRef, SimCard};

use super::{Authority, cert_err};
use crate::error::Error;

/// How the window confirmed the holder's identity before a PIN reset: the document shown.
/// Required by [`Authority::reset_pin`]; a reset without a confirmed identity cannot be asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityCheck {
    /// The My Number card itself: its photo compared with the holder at the window.
    CardPhoto,
    /// A passport.
    Passport,
    /// A driving licence.
    DrivingLicence,
    /// A residence card (在留カード) or special permanent resident certificate.
    ResidenceCard,
}

impl Authority {
    /// Checks that `card` is ours, not terminated and not reported lost.
    pub(super) fn check_active(&self, card: &SimCard) -> Result<(), Error> {
        self.check_ours(card)?;
        if let CardState::Lost { at } = card.state() {
            return Err(Error::CardLost { at });
        }
        Ok(())
    }

    /// A lost or stolen card reported at `at`: both certificates revoked keyCompromise and the
    /// card marked [`CardState::Lost`]. The card keeps answering (whoever found it holds it),
    /// but every relying party checking the CRL refuses its certificates. Afterwards only
    /// [`Authority::fault`] or [`Authority::cease`] (the card handed back) works on it.
    ///
    /// # Errors
    /// [`Error::ForeignCard`], [`Error::Terminated`], [`Error::CardLost`] (already reported),
    /// certificate, card and I/O errors.
    pub fn report_lost(&mut self, card: &mut SimCard, at: OffsetDateTime) -> Result<(), Error> {
        self.check_active(card)?;
        for certificate in self.card_certificates(card)? {
            self.revoke(&certificate, RevocationReason::KeyCompromise, at)?;
        }
        Ok(card.mark_lost(at)?)
    }

    /// The card returned after the holder's death or departure from Japan: its certificates
    /// revoked cessationOfOperation (a certificate already revoked keeps its first reason,
    /// e.g. keyCompromise of a lost card) and the card terminated as after
    /// [`Authority::fault`] (keys, PINs and text data erased, every command `6A82`), its state
    /// [`CardState::Ceased`] with the cause. A lost card may cease too.
    ///
    /// # Errors
    /// [`Error::ForeignCard`], [`Error::Terminated`], certificate, card and I/O errors.
    pub fn cease(
        &mut self,
        card: &mut SimCard,
        cause: Cessation,
        at: OffsetDateTime,
    ) -> Result<(), Error> {
        self.check_ours(card)?;
        for certificate in self.card_certificates(card)? {
            self.revoke(&certificate, RevocationReason::CessationOfOperation, at)?;
        }
        Ok(card.cease(cause, at)?)
    }

    /// Resets a forgotten PIN at the window: the holder's identity confirmed by `identity`,
    /// the new PIN set over the card's administrative channel ([`Authority::unlock`] with a
    /// new PIN: EXTERNAL AUTHENTICATE with the admin key, RESET RETRY COUNTER `00 2C 02 80`),
    /// whether the PIN is blocked or not; the retry counter is back at its limit, the old PIN
    /// no longer works, and the reset date is recorded on the card.
    ///
    /// `pin` is a PIN the holder sets (authentication, signature, text-support, 住民基本台帳用).
    ///
    /// # Errors
    /// [`Error::ForeignCard`], [`Error::Terminated`], [`Error::CardLost`], [`Error::NotOnCard`]
    /// on a next-generation card ([`Authority::reset_next_gen_secret`] resets its secrets),
    /// [`Error::RenewRequest`] for a key reference that is no holder PIN, the card's refusals
    /// ([`Error::CardRefused`]), card and I/O errors.
    pub fn reset_pin(
        &self,
        card: &mut SimCard,
        pin: PinRef,
        new_pin: &Pin,
        identity: IdentityCheck,
        at: OffsetDateTime,
    ) -> Result<(), Error> {
        // every document of IdentityCheck is one the window accepts alone
        let _ = identity;
        self.check_active(card)?;
        if card.is_next_gen() {
            return Err(Error::NotOnCard {
                part: "PIN of today's card (a next-generation card's secrets are reset with \
                       Authority::reset_next_gen_secret)",
            });
        }
        if !matches!(
            pin,
            PinRef::Authentication
                | PinRef::Signature
                | PinRef::TextSupport
                | PinRef::Common
                | PinRef::Juki
        ) {
            return Err(Error::RenewRequest {
                reason: "only a PIN the holder sets can be reset (authentication, signature, \
                         text-support, 住民基本台帳用)",
            });
        }
        self.unlock(card, pin, Some(new_pin))?;
        Ok(card.record_pin_reset(at)?)
    }

    /// The certificates on `card`, parsed.
    fn card_certificates(&self, card: &SimCard) -> Result<Vec<JpkiCertificate>, Error> {
        [KeyRole::Authentication, KeyRole::Signature]
            .into_iter()
            .filter_map(|role| card.certificate(role))
            .map(|der| JpkiCertificate::from_der(der).map_err(cert_err))
            .collect()
    }
}
