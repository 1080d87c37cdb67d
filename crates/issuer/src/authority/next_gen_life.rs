//! The city hall's life-cycle events on a next-generation card (NG-sim v1,
//! shared/next-gen-profile.md §2.3): the unlock of a blocked secret, the reset of a forgotten
//! one, and a change of the 4 facts. Revocation, a lost card, a fault and the card's return
//! work on both generations through the events of today's card.
//!
//! The profile's rule: "The PUK re-sets PIN4 only; a blocked SIGN_PW or PUK goes to the
//! municipality". The window works on the card file in its hands (the next-generation card
//! has no administrative APDUs in v1), after the checks of today's events: the card is ours,
//! not terminated and not reported lost.

use cert::keys::Algorithm;
use cert::time::OffsetDateTime;
use cert::{Hierarchy, JpkiCertificate, RevocationReason};
use pin_policy::Pin;
use rand::CryptoRng;

use card_sim::{KeyRole, NextGenSecret, SimCard};

use super::{Authority, IdentityCheck, cert_err};
use crate::card_face::text_facts;
use crate::error::Error;

impl Authority {
    /// Checks that `card` is an active next-generation card of ours.
    pub(super) fn check_next_gen(&self, card: &SimCard) -> Result<(), Error> {
        self.check_active(card)?;
        if !card.is_next_gen() {
            return Err(Error::NotOnCard {
                part: "next-generation application (a card of today's generation: its PINs are \
                       unlocked and reset by PinRef)",
            });
        }
        Ok(())
    }

    /// Checks `new` against `secret`'s kind and that the secret exists on `card` (an unset
    /// PUK does not: the holder sets one with the signing password, P9).
    fn check_secret(card: &SimCard, secret: NextGenSecret, new: Option<&Pin>) -> Result<(), Error> {
        if card.next_gen_counter(secret).is_none() {
            return Err(Error::NotOnCard {
                part: "PUK (the holder has set none; it is set with the signing password)",
            });
        }
        if let Some(new) = new
            && new.kind() != secret.kind()
        {
            return Err(Error::Pin(pin_policy::Error::KindMismatch {
                expected: secret.kind(),
                found: new.kind(),
            }));
        }
        Ok(())
    }

    /// Unlocks a secret of a next-generation card at the window: its counter back at its
    /// limit and, with `new`, a new value; the only way out of a blocked SIGN_PW or PUK
    /// (a blocked PIN4 is also re-set by the holder's PUK). The card's security state is
    /// cleared. Every check comes before the card is written; a refusal leaves it as it was.
    ///
    /// # Errors
    /// [`Error::ForeignCard`], [`Error::Terminated`], [`Error::CardLost`], [`Error::NotOnCard`]
    /// (today's card, an unset PUK), [`Error::Pin`] for a `new` of another kind, card and I/O
    /// errors.
    pub fn unlock_next_gen(
        &self,
        card: &mut SimCard,
        secret: NextGenSecret,
        new: Option<&Pin>,
    ) -> Result<(), Error> {
        self.check_next_gen(card)?;
        Self::check_secret(card, secret, new)?;
        Ok(card.unlock_next_gen(secret, new.cloned())?)
    }

    /// Resets a forgotten secret of a next-generation card at the window, the holder's
    /// identity confirmed by `identity` (as [`Authority::reset_pin`]): `new` set, the counter
    /// back at its limit whether it was blocked or not, the old value no longer accepted, the
    /// reset date recorded on the card — one write of the card file.
    ///
    /// # Errors
    /// As [`Self::unlock_next_gen`].
    pub fn reset_next_gen_secret(
        &self,
        card: &mut SimCard,
        secret: NextGenSecret,
        new: &Pin,
        identity: IdentityCheck,
        at: OffsetDateTime,
    ) -> Result<(), Error> {
        // every document of IdentityCheck is one the window accepts alone
        let _ = identity;
        self.check_next_gen(card)?;
        Self::check_secret(card, secret, Some(new))?;
        Ok(card.reset_next_gen(secret, new.clone(), at)?)
    }

    /// [`Authority::change_facts`] on a next-generation card: the P-384 signature certificate
    /// revoked affiliationChanged (on the next-generation CRL partition), a new P-384 key and
    /// certificate with `holder`'s 4 facts written to key `02` with EF `0022`; SIGN_PW keeps
    /// its value and counter; the authentication certificate survives. The order is today's:
    /// every check, then the new certificate, then the revocation, then the card.
    pub(super) fn change_facts_next_gen<R: CryptoRng + ?Sized>(
        &mut self,
        card: &mut SimCard,
        holder: cert::Holder,
        at: OffsetDateTime,
        rng: &mut R,
    ) -> Result<(), Error> {
        self.check_next_gen(card)?;
        let parse = |der: &[u8]| JpkiCertificate::from_der(der).map_err(cert_err);
        let Some(old) = card
            .certificate(KeyRole::Signature)
            .map(parse)
            .transpose()?
        else {
            return Err(Error::NotOnCard {
                part: "signature certificate",
            });
        };
        let ca = self.require_ca(Hierarchy::Signature, Algorithm::EcdsaP384)?;
        old.verify_signed_by(ca.certificate())
            .map_err(|_| Error::ForeignCard {
                reason: "its signature certificate is another CA's",
            })?;
        let card_expiry = super::life::card_expiry(card)?;
        let issued = cert::validity::jst_date(at);
        holder.validate_on(issued).map_err(cert_err)?;
        let facts = text_facts(&holder);
        facts.validate()?;
        let birth = holder.birth_date;
        let not_after = match card.certificate(KeyRole::Authentication).map(parse) {
            Some(auth) => {
                cert::validity::ng_sign_not_after(issued, birth, card_expiry, auth?.not_after())
            }
            None => cert::validity::ng_auth_not_after(issued, birth, card_expiry),
        }
        .map_err(cert_err)?;
        let key = cert::keys::generate_p384(rng);
        let certificate = self.certify_signature(key.public_key(), at, not_after, &holder)?;
        let key = self.ng_key(key, &certificate, Hierarchy::Signature)?;
        // writes the state (serial spent) and the CRLs
        self.revoke(&old, RevocationReason::AffiliationChanged, at)?;
        Ok(card.replace_next_gen_signature(key, facts)?)
    }
}
