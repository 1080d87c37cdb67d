//! VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER on the next-generation card's three
//! secrets (profile §2.3, §2.4). Every try is counted and written to the card file before
//! the compare (constant time, in `pin_policy`).

use apdu::{Command, Response, StatusWord};
use pin_policy::{Outcome, Pin, PinKind, PinSlot};

use super::status;
use crate::{
    card::{MEMORY_FAILURE, SimCard},
    contents::next_gen::NgSlot,
    next_gen::{NextGenSecret, ids},
};

/// PUK length in RESET RETRY COUNTER's data (`<PUK 8><new PIN4 4>`).
const PUK_LEN: usize = 8;
const RESET_DATA_LEN: usize = PUK_LEN + 4;

fn slot_mut(ng: &mut NgSlot, secret: NextGenSecret) -> Option<&mut PinSlot> {
    match secret {
        NextGenSecret::SignPassword => Some(&mut ng.sign_pw),
        NextGenSecret::Pin4 => Some(&mut ng.pin4),
        NextGenSecret::Puk => ng.puk.as_mut(),
    }
}

impl SimCard {
    /// The current NG state and a copy of it, for a command that may have to roll back.
    fn ng_snapshot(&self) -> Option<NgSlot> {
        self.data.next_gen.clone()
    }

    /// Counts one try of `secret` and writes it; the compare happens only after this.
    /// Unset PUK `6A88`; blocked `6983`; not writable `6581` (nothing counted).
    fn ng_count_try(
        &mut self,
        secret: NextGenSecret,
        before: &NgSlot,
    ) -> Result<pin_policy::Attempt, StatusWord> {
        let slot = self
            .data
            .next_gen
            .as_mut()
            .and_then(|ng| slot_mut(ng, secret))
            .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        let attempt = slot
            .begin_attempt()
            .map_err(|_| StatusWord::AUTH_METHOD_BLOCKED)?;
        let was_verified = self.session.ng.is_verified(secret);
        self.session.ng.set_verified(secret, false);
        if self.persist().is_err() {
            drop(attempt);
            self.ng_restore(before.clone(), false);
            self.session.ng.set_verified(secret, was_verified);
            return Err(MEMORY_FAILURE);
        }
        Ok(attempt)
    }

    /// Compares the counted try. `None` if the secret vanished (cannot happen).
    fn ng_check(
        &mut self,
        secret: NextGenSecret,
        attempt: pin_policy::Attempt,
        offered: &[u8],
    ) -> Option<Outcome> {
        let slot = self
            .data
            .next_gen
            .as_mut()
            .and_then(|ng| slot_mut(ng, secret))?;
        Some(slot.check(attempt, offered))
    }

    /// VERIFY `00 20 00 ref [Lc <ASCII>]`, ref `81` SIGN_PW, `82` PIN4, `83` PUK.
    ///
    /// With data: right → `9000`, the secret verified until reset or re-SELECT, counter at
    /// its limit; wrong → `63Cx` (`63C0` on the last try); blocked → `6983`; PUK unset →
    /// `6A88`. Without data (ISO 7816-4): `9000` if verified in this session, else `63Cx`
    /// (for PIN4 its own state: a verified SIGN_PW covers PIN4's conditions but does not
    /// make VERIFY of `82` answer `9000`, our choice); PUK unset `6A88`.
    /// P1 ≠ `00` or an unknown ref `6A86`; card file not writable `6581`, as today.
    pub(super) fn ng_verify(&mut self, cmd: &Command) -> Response {
        let Some(secret) = NextGenSecret::from_reference(cmd.p2).filter(|_| cmd.p1 == 0x00) else {
            return status(StatusWord::INCORRECT_P1P2);
        };
        let Some(before) = self.ng_snapshot() else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        if cmd.data.is_empty() {
            let mut ng = before;
            return match slot_mut(&mut ng, secret) {
                None => status(StatusWord::REFERENCED_DATA_NOT_FOUND),
                Some(_) if self.session.ng.is_verified(secret) => status(StatusWord::SUCCESS),
                Some(slot) => status(StatusWord::verify_failed(slot.counter().tries_left())),
            };
        }
        let was_verified = self.session.ng.is_verified(secret);
        let attempt = match self.ng_count_try(secret, &before) {
            Ok(attempt) => attempt,
            Err(sw) => return status(sw),
        };
        match self.ng_check(secret, attempt, &cmd.data) {
            Some(Outcome::Verified) => {
                if self.persist().is_err() {
                    // the holder's right secret must not cost a try
                    self.ng_restore(before, true);
                    self.session.ng.set_verified(secret, was_verified);
                    return status(MEMORY_FAILURE);
                }
                self.session.ng.set_verified(secret, true);
                status(StatusWord::SUCCESS)
            }
            Some(Outcome::Wrong { tries_left }) => status(StatusWord::verify_failed(tries_left)),
            None => status(StatusWord::REFERENCED_DATA_NOT_FOUND),
        }
    }

    /// CHANGE REFERENCE DATA `00 24 01 ref Lc <new>`: SIGN_PW after VERIFY of SIGN_PW; PIN4
    /// after VERIFY of PIN4 or SIGN_PW (P8; its counter unchanged); PUK (set or replace) after
    /// VERIFY of SIGN_PW (P9; the new PUK gets its full retry limit). `9000`; not verified
    /// `6982`; bad format `6A80` and nothing changed; no data `6700`; P1 ≠ `01` or unknown
    /// ref `6A86`; not writable `6581` and nothing changed.
    pub(super) fn ng_change(&mut self, cmd: &Command) -> Response {
        let Some(secret) = NextGenSecret::from_reference(cmd.p2).filter(|_| cmd.p1 == 0x01) else {
            return status(StatusWord::INCORRECT_P1P2);
        };
        if cmd.data.is_empty() {
            return status(StatusWord::WRONG_LENGTH);
        }
        let session = &self.session.ng;
        let allowed = match secret {
            NextGenSecret::SignPassword | NextGenSecret::Puk => {
                session.is_verified(NextGenSecret::SignPassword)
            }
            NextGenSecret::Pin4 => session.pin4_satisfied(),
        };
        if !allowed {
            return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let Ok(new) = Pin::new(secret.kind(), &cmd.data) else {
            return status(StatusWord::WRONG_DATA);
        };
        let Some(before) = self.ng_snapshot() else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        let Some(ng) = self.data.next_gen.as_mut() else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        let changed = match secret {
            NextGenSecret::Puk => PinSlot::new(new, ng.puk_limit).map(|puk| {
                ng.puk = Some(puk);
            }),
            _ => match slot_mut(ng, secret) {
                Some(slot) => slot.change_pin(new),
                None => return status(StatusWord::REFERENCED_DATA_NOT_FOUND),
            },
        };
        if changed.is_err() {
            self.ng_restore(before, false);
            return status(StatusWord::WRONG_DATA);
        }
        if secret == NextGenSecret::Puk {
            self.session.ng.set_verified(NextGenSecret::Puk, false);
        }
        if self.persist().is_err() {
            self.ng_restore(before, false);
            return status(MEMORY_FAILURE);
        }
        status(StatusWord::SUCCESS)
    }

    /// RESET RETRY COUNTER `00 2C 00 82 0C <PUK 8><new PIN4 4>`: the PUK try is counted and
    /// written first; right → PIN4 set to the new value, its counter refilled, `9000` (PIN4
    /// left unverified); wrong → `63Cx` on the PUK; PUK blocked `6983`; unset `6A88`; a new
    /// PIN4 that is not 4 digits `6A80` (nothing counted); Lc ≠ 12 `6700`; P1P2 other than
    /// `00 82` `6A86`; not writable `6581` as for VERIFY.
    pub(super) fn ng_reset_retry_counter(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != (0x00, ids::secret::PIN4) {
            return status(StatusWord::INCORRECT_P1P2);
        }
        if cmd.data.len() != RESET_DATA_LEN {
            return status(StatusWord::WRONG_LENGTH);
        }
        let (puk, new_pin) = cmd.data.split_at(PUK_LEN);
        let Ok(new_pin) = Pin::new(PinKind::Authentication, new_pin) else {
            return status(StatusWord::WRONG_DATA);
        };
        let Some(before) = self.ng_snapshot() else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        let attempt = match self.ng_count_try(NextGenSecret::Puk, &before) {
            Ok(attempt) => attempt,
            Err(sw) => return status(sw),
        };
        match self.ng_check(NextGenSecret::Puk, attempt, puk) {
            Some(Outcome::Verified) => {
                let unlocked = self
                    .data
                    .next_gen
                    .as_mut()
                    .map(|ng| ng.pin4.admin_unlock(Some(new_pin)));
                let pin4_was = self.session.ng.is_verified(NextGenSecret::Pin4);
                self.session.ng.set_verified(NextGenSecret::Pin4, false);
                if !matches!(unlocked, Some(Ok(()))) || self.persist().is_err() {
                    self.ng_restore(before, true);
                    self.session.ng.set_verified(NextGenSecret::Pin4, pin4_was);
                    return status(MEMORY_FAILURE);
                }
                status(StatusWord::SUCCESS)
            }
            Some(Outcome::Wrong { tries_left }) => status(StatusWord::verify_failed(tries_left)),
            None => status(StatusWord::REFERENCED_DATA_NOT_FOUND),
        }
    }
}
