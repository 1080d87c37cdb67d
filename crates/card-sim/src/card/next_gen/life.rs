//! The municipal window's life-cycle events on a next-generation card in its hands (the card
//! file, not APDUs): a forgotten secret reset, the signature key replaced after a change of
//! the 4 facts, a renewal (更新). As [`SimCard::unlock_next_gen`], the issuer calls these after its own checks
//! (and after it has revoked what the event revokes); each is one atomic write of the card
//! file, and on failure nothing changes.

use pin_policy::Pin;
use time::OffsetDateTime;

use crate::{
    card::SimCard,
    contents::next_gen::{NgKeySlot, NgSlot},
    error::Error,
    holder::FourFacts,
    life::{CardHistory, whole_seconds},
    next_gen::{NextGenKey, NextGenRenewal, NextGenSecret},
};

impl SimCard {
    /// A forgotten secret reset at the window: `new` replaces the secret (of its kind,
    /// [`NextGenSecret::kind`]), its counter back at its limit, whether it was blocked or
    /// not, and the reset date recorded ([`history`](Self::history)), in one write. Security
    /// state is cleared. An unset PUK is not set this way (the holder sets one with the
    /// signing password, P9).
    ///
    /// # Errors
    /// [`Error::Terminated`]; [`Error::NotOnCard`] on today's card or for an unset PUK;
    /// [`Error::Pin`] for a `new` of another kind; the card file's write errors.
    pub fn reset_next_gen(
        &mut self,
        secret: NextGenSecret,
        new: Pin,
        at: OffsetDateTime,
    ) -> Result<(), Error> {
        self.edit_next_gen(|ng, history| {
            let slot = match secret {
                NextGenSecret::SignPassword => &mut ng.sign_pw,
                NextGenSecret::Pin4 => &mut ng.pin4,
                NextGenSecret::Puk => ng.puk.as_mut().ok_or(Error::NotOnCard { part: "PUK" })?,
            };
            slot.admin_unlock(Some(new))?;
            history.last_pin_reset = Some(whole_seconds(at));
            Ok(())
        })
    }

    /// After a change of the 4 facts: key `02` (signature) replaced by `key` with its
    /// certificates, and EF `0022` by `facts`, in one write. SIGN_PW keeps its value and
    /// counter; keys `01` and `03`, EF `0021`, PIN4 and the PUK are untouched. Security state
    /// is cleared.
    ///
    /// # Errors
    /// [`Error::Terminated`]; [`Error::NotOnCard`] on today's card or a card without key
    /// `02`; invalid 4 facts or an oversize certificate; the card file's write errors.
    pub fn replace_next_gen_signature(
        &mut self,
        key: NextGenKey,
        facts: FourFacts,
    ) -> Result<(), Error> {
        self.edit_next_gen(|ng, _| {
            let Some(slot) = ng.signature.as_mut() else {
                return Err(Error::NotOnCard {
                    part: "signature key",
                });
            };
            *slot = NgKeySlot::from(key);
            ng.facts = facts;
            Ok(())
        })
    }

    /// Renewal (更新): each key in `renewal` replaces the key of its slot with its
    /// certificates; a new PIN4 or SIGN_PW replaces the secret (counter back at its limit),
    /// else the secret keeps its value and counter. The renewal date is recorded. One write;
    /// security state is cleared.
    ///
    /// # Errors
    /// [`Error::Terminated`]; [`Error::NotOnCard`] on today's card or for a key the card was
    /// issued without; [`Error::Pin`] for a secret of the wrong kind; an oversize
    /// certificate; the card file's write errors.
    pub fn renew_next_gen(
        &mut self,
        renewal: NextGenRenewal,
        at: OffsetDateTime,
    ) -> Result<(), Error> {
        self.edit_next_gen(|ng, history| {
            for (key, slot, part) in [
                (
                    renewal.authentication,
                    &mut ng.authentication,
                    "authentication key",
                ),
                (renewal.signature, &mut ng.signature, "signature key"),
            ] {
                let Some(key) = key else { continue };
                let Some(slot) = slot.as_mut() else {
                    return Err(Error::NotOnCard { part });
                };
                *slot = NgKeySlot::from(key);
            }
            if let Some(pin) = renewal.pin4 {
                ng.pin4.admin_unlock(Some(pin))?;
            }
            if let Some(pin) = renewal.sign_pw {
                ng.sign_pw.admin_unlock(Some(pin))?;
            }
            history.last_renewal = Some(whole_seconds(at));
            Ok(())
        })
    }

    /// The frame of every event here: refused on a terminated card or today's card, `edit`
    /// applied to a copy of the next-generation contents and the card's history, the result
    /// checked, then one atomic write; on any error the card is as it was.
    fn edit_next_gen(
        &mut self,
        edit: impl FnOnce(&mut NgSlot, &mut CardHistory) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if self.data.state.is_terminated() {
            return Err(Error::Terminated);
        }
        let mut data = self.data.clone();
        let Some(ng) = data.next_gen.as_mut() else {
            return Err(Error::NotOnCard {
                part: "next-generation application",
            });
        };
        edit(ng, &mut data.history)?;
        data.check()?;
        self.commit(data)
    }
}
