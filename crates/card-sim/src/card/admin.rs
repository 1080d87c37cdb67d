//! The card side of the administrative channel (see [`crate::admin`]): GET DATA (card ID),
//! GET CHALLENGE, EXTERNAL AUTHENTICATE and RESET RETRY COUNTER.

use apdu::{Command, Response, StatusWord};
use pin_policy::Pin;
use rand::Rng;

use super::{MEMORY_FAILURE, SimCard, commands::selected_pin_of};
use crate::admin::{CARD_ID_TAG, CHALLENGE_LEN, verify_response};

pub(crate) const INS_GET_DATA: u8 = 0xCA;
pub(crate) const INS_GET_CHALLENGE: u8 = 0x84;
pub(crate) const INS_EXTERNAL_AUTHENTICATE: u8 = 0x82;
pub(crate) const INS_RESET_RETRY_COUNTER: u8 = 0x2C;

/// `63 00`: authentication failed (EXTERNAL AUTHENTICATE with a wrong response).
pub(crate) const AUTHENTICATION_FAILED: StatusWord = StatusWord(0x6300);

fn status(sw: StatusWord) -> Response {
    Response::status(sw)
}

impl SimCard {
    /// GET DATA `00 CA 00 45 Le`: the card ID (16 bytes) + `9000` (card-map §2 has `0045` as
    /// the 共通カードAP serial in ASCII: kept as the administrative channel's card ID, a
    /// deviation, because `issuer`'s terminal relies on it). The other MF objects: see
    /// [`Self::mf_object`]; with a Le below their length `6700`.
    ///
    /// Other P1P2, or a card issued without an authority → `6A88`; command data → `6700`;
    /// Le below 16 → `6C10`.
    pub(super) fn get_data(&mut self, cmd: &Command) -> Response {
        if !cmd.data.is_empty() {
            return status(StatusWord::WRONG_LENGTH);
        }
        let tag = u16::from_be_bytes([cmd.p1, cmd.p2]);
        if let Some(object) = self.mf_object(tag) {
            // card-map §1: a large object with a short Le `6700`
            return match cmd.le {
                Some(le) if le < object.len() => status(StatusWord::WRONG_LENGTH),
                _ => Response::new(object, StatusWord::SUCCESS),
            };
        }
        let Some(admin) = self.data.admin.as_ref().filter(|_| tag == CARD_ID_TAG) else {
            return status(StatusWord::REFERENCED_DATA_NOT_FOUND);
        };
        match cmd.le {
            Some(le) if le < admin.card_id.len() => status(StatusWord::wrong_le(
                u8::try_from(admin.card_id.len()).unwrap_or(0),
            )),
            _ => Response::new(admin.card_id.to_vec(), StatusWord::SUCCESS),
        }
    }

    /// GET CHALLENGE `00 84 00 00 Le` (card-map §1): Le 1–256 (`00` = 256) → exactly Le fresh
    /// random bytes + `9000`, at the MF and in every application.
    ///
    /// The administrative channel's EXTERNAL AUTHENTICATE answers the last challenge, and only
    /// a 16-byte one ([`CHALLENGE_LEN`], `00 84 00 00 10`): a challenge of any other length
    /// withdraws the pending one, so EXTERNAL AUTHENTICATE after it answers `6985` (our choice:
    /// the municipality signs 16 bytes, never fewer).
    ///
    /// P1P2 other than `00 00` → `6A86`; command data or no Le → `6700` (our choice); an
    /// extended Le → `6985`.
    pub(super) fn get_challenge(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != (0x00, 0x00) {
            return status(StatusWord::INCORRECT_P1P2);
        }
        let (Some(le), true) = (cmd.le, cmd.data.is_empty()) else {
            return status(StatusWord::WRONG_LENGTH);
        };
        if cmd.prefers_extended() || le > apdu::MAX_SHORT_LE {
            return status(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let mut challenge = vec![0u8; le];
        rand::rng().fill_bytes(&mut challenge);
        let _withdrawn = self.session.take_challenge();
        if let Ok(admin_challenge) = <[u8; CHALLENGE_LEN]>::try_from(challenge.as_slice()) {
            self.session.set_challenge(admin_challenge);
        }
        Response::new(challenge, StatusWord::SUCCESS)
    }

    /// EXTERNAL AUTHENTICATE `00 82 00 00 Lc <signature>`: the municipality's ECDSA P-256
    /// signature (DER or raw `r || s`) over domain ‖ card ID ‖ challenge. Right → `9000` and
    /// the session is in admin state until power-off, reset or SELECT of an application.
    ///
    /// The pending challenge is consumed whatever the outcome. No pending challenge → `6985`;
    /// wrong signature → `6300`; card issued without an authority (no admin key) → `6A88`;
    /// no data → `6700`; P1P2 other than `00 00` → `6A86`.
    pub(super) fn external_authenticate(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != (0x00, 0x00) {
            return status(StatusWord::INCORRECT_P1P2);
        }
        if cmd.data.is_empty() {
            return status(StatusWord::WRONG_LENGTH);
        }
        self.session.set_admin(false);
        let Some(challenge) = self.session.take_challenge() else {
            return status(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let Some(admin) = &self.data.admin else {
            return status(StatusWord::REFERENCED_DATA_NOT_FOUND);
        };
        if verify_response(&admin.admin_key, &admin.card_id, &challenge, &cmd.data) {
            self.session.set_admin(true);
            status(StatusWord::SUCCESS)
        } else {
            status(AUTHENTICATION_FAILED)
        }
    }

    /// RESET RETRY COUNTER on the selected PIN EF, in admin state only:
    /// `00 2C 03 80` resets the counter to its limit; `00 2C 02 80 Lc <new PIN>` also replaces
    /// the PIN (format-checked: a bad PIN → `6A80`, nothing changed; on 照合番号A/B and the
    /// birth-date key `6985`, our choice: only their counters can be reset). The PIN is left
    /// unverified. The change is written to the card file before `9000`.
    ///
    /// Not in admin state → `6982`; P1 other than `02`/`03` or P2 other than `80` → `6A86`;
    /// data with P1 `03` or none with `02` → `6700`; no current EF → `6986`; not a PIN EF →
    /// `6981`; card file not writable → `6581` and nothing changes.
    pub(super) fn reset_retry_counter(&mut self, cmd: &Command) -> Response {
        let with_new_pin = match (cmd.p1, cmd.p2) {
            (0x02, 0x80) => true,
            (0x03, 0x80) => false,
            _ => return status(StatusWord::INCORRECT_P1P2),
        };
        if with_new_pin == cmd.data.is_empty() {
            return status(StatusWord::WRONG_LENGTH);
        }
        let pin = match selected_pin_of(&self.session) {
            Ok(pin) => pin,
            Err(sw) => return status(sw),
        };
        if !self.session.is_admin() {
            return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        if with_new_pin && !(pin.changeable() || pin.key_changeable()) {
            // 照合番号A/B and the birth date are facts of the card, not set by the holder
            return status(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let Some(slot) = self.data.pin_slot_mut(pin) else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        let new = if with_new_pin {
            match Pin::new(slot.kind(), &cmd.data) {
                Ok(new) => Some(new),
                Err(_) => return status(StatusWord::WRONG_DATA),
            }
        } else {
            None
        };
        let before = slot.clone();
        if slot.admin_unlock(new).is_err() {
            return status(StatusWord::WRONG_DATA);
        }
        let was_verified = self.session.is_verified(pin);
        self.session.set_verified(pin, false);
        if self.persist().is_err() {
            self.roll_back(pin, before, was_verified, false);
            return status(MEMORY_FAILURE);
        }
        status(StatusWord::SUCCESS)
    }
}
