//! The municipal window's life-cycle events on a card in its hands (the card file, not APDUs):
//! renewal of keys, a lost card, a card returned when its holder died or left Japan, and the
//! record of a PIN reset. The issuer (`issuer::Authority`) calls these after its own checks
//! and after it has revoked what the event revokes.

use time::OffsetDateTime;

use super::SimCard;
use crate::{
    engine::SigningKey,
    error::Error,
    life::{CardHistory, CardState, Cessation, KeyRenewal, whole_seconds},
    profile::KeyRole,
};

impl SimCard {
    /// The card's state (active, lost, ceased, terminated).
    #[must_use]
    pub fn state(&self) -> CardState {
        self.data.state
    }

    /// The window's last renewal and PIN reset on the card.
    #[must_use]
    pub fn history(&self) -> CardHistory {
        self.data.history
    }

    /// The issuing municipality's 5-digit code the 共通カードAP carries (EF `0001`), `None`
    /// without the application. Public data, for the issuer's tools.
    #[must_use]
    pub fn municipality_code(&self) -> Option<&str> {
        self.data.common.as_ref().map(|c| c.municipality.as_str())
    }

    /// Renewal (更新): each key in `renewals` gets its new private key and certificates in the
    /// same slot; its PIN is kept with its counter, or replaced by `new_pin` (counter back at
    /// its limit). The renewal date is recorded. Written atomically; on failure nothing
    /// changes. Security state is cleared.
    ///
    /// # Errors
    /// [`Error::Terminated`] for a terminated or ceased card, [`Error::NotOnCard`] for a key
    /// the card lacks, [`Error::KeyRejected`], a PIN of the wrong kind
    /// ([`Error::WrongPinKind`]), and the card file's write errors.
    pub fn renew_keys(
        &mut self,
        renewals: Vec<KeyRenewal>,
        at: OffsetDateTime,
    ) -> Result<(), Error> {
        if self.data.state.is_terminated() {
            return Err(Error::Terminated);
        }
        let mut data = self.data.clone();
        for renewal in renewals {
            let role = renewal.role;
            let slot = match role {
                KeyRole::Authentication => data.authentication.as_mut(),
                KeyRole::Signature => data.signature.as_mut(),
            };
            let Some(slot) = slot else {
                return Err(Error::NotOnCard {
                    part: match role {
                        KeyRole::Authentication => "authentication key",
                        KeyRole::Signature => "signature key",
                    },
                });
            };
            slot.private_key =
                SigningKey::new(renewal.private_key).ok_or(Error::KeyRejected { role })?;
            slot.certificate = renewal.certificate;
            slot.ca_certificate = renewal.ca_certificate;
            if let Some(pin) = renewal.new_pin {
                if pin.kind() != slot.pin.kind() {
                    return Err(Error::WrongPinKind {
                        role,
                        expected: slot.pin.kind(),
                        found: pin.kind(),
                    });
                }
                slot.pin
                    .admin_unlock(Some(pin))
                    .map_err(|_| Error::WrongPinKind {
                        role,
                        expected: slot.pin.kind(),
                        found: slot.pin.kind(),
                    })?;
            }
        }
        data.history.last_renewal = Some(whole_seconds(at));
        data.check()?;
        self.commit(data)
    }

    /// Marks the card lost (reported lost or stolen at `at`). Nothing else changes: the card
    /// keeps answering; the issuer has revoked its certificates. Written atomically.
    ///
    /// # Errors
    /// [`Error::Terminated`] for a terminated or ceased card; the card file's write errors.
    pub fn mark_lost(&mut self, at: OffsetDateTime) -> Result<(), Error> {
        if self.data.state.is_terminated() {
            return Err(Error::Terminated);
        }
        let mut data = self.data.clone();
        data.state = CardState::Lost {
            at: whole_seconds(at),
        };
        self.commit(data)
    }

    /// The card returned after its holder's death or departure from Japan: keys, PINs and text
    /// data erased, the card [`CardState::Ceased`] and answering every command `6A82` (as
    /// [`terminate`](Self::terminate) after a fault). Written atomically.
    ///
    /// # Errors
    /// The card file's write errors.
    pub fn cease(&mut self, cause: Cessation, at: OffsetDateTime) -> Result<(), Error> {
        self.erase(CardState::Ceased {
            cause,
            at: whole_seconds(at),
        })
    }

    /// Records a PIN reset at the window (the reset itself goes over APDUs with the admin key,
    /// see [`crate::admin`]). Written atomically.
    ///
    /// # Errors
    /// [`Error::Terminated`] for a terminated or ceased card; the card file's write errors.
    pub fn record_pin_reset(&mut self, at: OffsetDateTime) -> Result<(), Error> {
        if self.data.state.is_terminated() {
            return Err(Error::Terminated);
        }
        let mut data = self.data.clone();
        data.history.last_pin_reset = Some(whole_seconds(at));
        self.commit(data)
    }
}
