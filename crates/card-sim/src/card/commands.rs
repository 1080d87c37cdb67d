//! The commands of spec §5, as methods of [`SimCard`].

use apdu::{Command, Response, StatusWord};
use pin_policy::{Outcome, Pin, PinSlot};

use super::{
    INCOMPATIBLE_FILE, MEMORY_FAILURE, SimCard,
    app::{App, PinRef},
    files::{Access, Ef},
    session::Session,
};

pub(crate) const INS_SELECT: u8 = 0xA4;
pub(crate) const INS_READ_BINARY: u8 = 0xB0;
pub(crate) const INS_VERIFY: u8 = 0x20;
pub(crate) const INS_CHANGE: u8 = 0x24;
pub(crate) const INS_SIGN: u8 = 0x2A;

// Application identifiers (spec §3).
/// The JPKI application's AID (spec §3).
pub const AID_JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// The text-support application's AID (spec §3).
pub const AID_TEXT_SUPPORT: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
/// The 券面事項確認AP's AID (card-map §5).
pub const AID_VISUAL: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];
/// The 共通カードAP's AID (card-map §6).
pub const AID_COMMON: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00];
/// The 住基AP's AID (card-map §7).
pub const AID_JUKI: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01];
/// back to its power-on (MF-level) state (card-map §1).
const AID_GP_ISD: [u8; 7] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00];

/// RSA-2048 modulus length; PKCS#1 v1.5 type-01 padding needs 11 bytes of it.
pub(super) const MODULUS_LEN: usize = 256;
pub(super) const MAX_SIGN_INPUT: usize = MODULUS_LEN - 11;

pub(super) fn status(sw: StatusWord) -> Response {
    Response::status(sw)
}

/// The PIN EF selected (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER): no current EF →
/// `6986`, not a PIN EF → `6981`.
pub(super) fn selected_pin_of(session: &Session) -> Result<PinRef, StatusWord> {
    match session.ef().map(Ef::access) {
        None => Err(StatusWord::COMMAND_NOT_ALLOWED_NO_EF),
        Some(Access::Pin(pin)) => Ok(pin),
        Some(_) => Err(INCOMPATIBLE_FILE),
    }
}

impl SimCard {
    /// The application a DF name selects (card-map §1): the AID of an application on this
    /// card, or else a proper prefix of one — the first of §3–§7's order (JPKI,
    /// 券面事項入力補助, 券面事項確認, 共通カード, 住基) that it begins, per JICSAP. An empty
    /// name selects nothing (our choice).
    /// Whether the card carries `app`: the JPKI AP always; the others when their content was
    /// issued (a Juki card has no 券面 APs, card-map §8; a card file from before the whole card
    /// has no 券面事項確認AP, 共通カードAP or 住基AP), so SELECT of an absent AP answers `6A82`.
    fn has_app(&self, app: App) -> bool {
        let data = &self.data;
        match app {
            App::Jpki => true,
            App::TextSupport => data.text_support.is_some(),
            App::Visual => data.visual.is_some(),
            App::Common | App::Juki => data.common.is_some(),
        }
    }

    fn app_for_name(&self, name: &[u8]) -> Option<App> {
        const ALL: [(App, &[u8]); 5] = [
            (App::Jpki, &AID_JPKI),
            (App::TextSupport, &AID_TEXT_SUPPORT),
            (App::Visual, &AID_VISUAL),
            (App::Common, &AID_COMMON),
            (App::Juki, &AID_JUKI),
        ];
        if name.is_empty() {
            return None;
        }
        // A full AID is a prefix of itself and of no other AID (all are 10 bytes).
        ALL.into_iter()
            .filter(|(app, _)| self.has_app(*app))
            .find(|(_, aid)| aid.starts_with(name))
            .map(|(app, _)| app)
    }

    /// SELECT (spec §3, §4; card-map §1). P2 `0C`, `00` and `04` answer alike: `9000` and no
    /// data (no FCI; our choice); any other P2 `6A86`.
    ///
    /// - by DF name, P1 `04`: an application's AID, or a proper prefix of one (the first in
    ///   card-map §3–§7 order that it begins) → `9000`, that application current with nothing
    ///   verified; the GlobalPlatform ISD `A0 00 00 01 51 00 00` → `9000` and the power-on
    ///   state; anything else (an empty name too) → `6A82`, whatever P2.
    /// - EF under the current application, P1 `02`: `00 A4 02 0C 02 <FID>` → `9000`; unknown
    ///   FID or no application → `6A82`; Lc ≠ 2 → `6700`.
    /// - MF, P1 `00`: see [`select_mf`](Self::select_mf).
    /// - any other P1 → `6A86`.
    pub(super) fn select(&mut self, cmd: &Command) -> Response {
        let p2_ok = matches!(cmd.p2, 0x00 | 0x04 | 0x0C);
        match cmd.p1 {
            0x00 => self.select_mf(cmd),
            0x04 => {
                let app = self.app_for_name(&cmd.data);
                if app.is_none() && cmd.data != AID_GP_ISD {
                    return status(StatusWord::FILE_NOT_FOUND);
                }
                if !p2_ok {
                    return status(StatusWord::INCORRECT_P1P2);
                }
                match app {
                    Some(app) => {
                        self.session.select_app(app);
                        status(StatusWord::SUCCESS)
                    }
                    None => self.select_isd(),
                }
            }
            0x02 => {
                if !p2_ok {
                    return status(StatusWord::INCORRECT_P1P2);
                }
                let Ok(fid) = <[u8; 2]>::try_from(cmd.data.as_slice()) else {
                    return status(StatusWord::WRONG_LENGTH);
                };
                let fid = u16::from_be_bytes(fid);
                let found = self
                    .session
                    .app()
                    .and_then(|app| Ef::find(&self.data, app, fid));
                match found {
                    Some(ef) => {
                        self.session.select_ef(ef);
                        status(StatusWord::SUCCESS)
                    }
                    None => status(StatusWord::FILE_NOT_FOUND),
                }
            }
            _ => status(StatusWord::INCORRECT_P1P2),
        }
    }

    /// READ BINARY `00 B0 P1 P2 Le` (spec §5): offset P1P2 ≤ `7FFF`; returns up to Le bytes
    /// (`00` = 256; an extended Le is honoured) and `9000` in one response; near the end the
    /// remaining bytes; offset at or past the end → `6B00`.
    ///
    /// By SFI (card-map §1): P1 = `100x xxxx` with SFI `01`–`1E` = the EF with FID `00 SFI`
    /// of the current application, P2 an 8-bit offset; that EF becomes the current EF, then
    /// the same access rules apply (`00 B0 8A 00 00` reads `000A`). SFI `00`/`1F` or P1 bits
    /// 7–6 set → `6A86`; no such EF → `6A82` (our choice, as SELECT).
    ///
    /// No Le or command data → `6700`; no current EF → `6986`; key or PIN EF → `6981`;
    /// PIN-protected file before VERIFY → `6982`.
    pub(super) fn read_binary(&mut self, cmd: &Command) -> Response {
        let (Some(le), true) = (cmd.le, cmd.data.is_empty()) else {
            return status(StatusWord::WRONG_LENGTH);
        };
        let offset = if cmd.p1 & 0x80 != 0 {
            if cmd.p1 & 0x60 != 0 {
                return status(StatusWord::INCORRECT_P1P2);
            }
            match self.ef_by_sfi(cmd.p1 & 0x1F) {
                Ok(ef) => self.session.select_ef(ef),
                Err(sw) => return status(sw),
            }
            usize::from(cmd.p2)
        } else {
            usize::from(u16::from_be_bytes([cmd.p1, cmd.p2]))
        };
        let Some(ef) = self.session.ef() else {
            return status(StatusWord::COMMAND_NOT_ALLOWED_NO_EF);
        };
        match ef.access() {
            Access::Binary { needs } if !needs.is_empty() && !self.session.any_verified(needs) => {
                return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
            }
            Access::Binary { .. } => {}
            Access::Key(_) | Access::ApKey(_) | Access::Pin(_) | Access::Record { .. } => {
                return status(INCOMPATIBLE_FILE);
            }
        }
        let Some(content) = ef.content(&self.data) else {
            return status(StatusWord::NO_PRECISE_DIAGNOSIS);
        };
        match content.get(offset..) {
            Some(rest) if !rest.is_empty() => {
                let n = rest.len().min(le);
                Response::new(rest.get(..n).unwrap_or(rest).to_vec(), StatusWord::SUCCESS)
            }
            _ => status(StatusWord::WRONG_P1P2),
        }
    }

    /// The PIN EF selected, for VERIFY and CHANGE REFERENCE DATA.
    fn selected_pin(&self) -> Result<PinRef, StatusWord> {
        selected_pin_of(&self.session)
    }

    /// VERIFY `00 20 00 80 [Lc PIN]` on the selected PIN EF (spec §5).
    ///
    /// - no data: `63 Cx` with the tries left — always, also after a correct PIN and when
    ///   blocked (`63 C0`).
    /// - blocked: `6984`.
    /// - 入力補助 `0012` (blocked as issued, card-map §4): no data `63C0`, else `6984`.
    /// - otherwise the try is counted and written to the card file **before** the PIN is
    ///   compared (constant time): correct → `9000`, counter back at its limit; wrong →
    ///   `63 Cx` (`63 C0` on the try that exhausts it) and the PIN is no longer verified.
    /// - the card file cannot be written → `6581` and the card is as it was before the
    ///   command: when the counted try cannot be written, nothing is compared and the try is
    ///   not counted; when the try was written and the PIN was right but its release cannot
    ///   be written, the try is taken back in memory and written back if the file allows.
    ///
    /// By SFI (card-map §1): `00 20 00 80|SFI` = the PIN EF with FID `00 SFI` of the current
    /// application, no SELECT, the current EF unchanged (`00 20 00 98 04 …` = `0018`), the same
    /// path from there on; SFI of a data or key EF → `6981`; no such EF → `6A82`; SFI `1F` →
    /// `6A86`.
    ///
    /// P1 other than `00` or P2 outside `80`–`9E` → `6A86`; no current EF → `6986`; not a PIN
    /// EF → `6981`.
    pub(super) fn verify(&mut self, cmd: &Command) -> Response {
        if cmd.p1 != 0x00 {
            return status(StatusWord::INCORRECT_P1P2);
        }
        let pin = match self.verify_target(cmd.p2) {
            Ok(pin) => pin,
            Err(sw) => return status(sw),
        };
        if pin == PinRef::TextSupportBlocked {
            // 入力補助 `0012`, blocked as issued (card-map §4)
            return status(if cmd.data.is_empty() {
                StatusWord::verify_failed(0)
            } else {
                StatusWord::REFERENCE_DATA_NOT_USABLE
            });
        }
        let Some(slot) = self.data.pin_slot_mut(pin) else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        if cmd.data.is_empty() {
            return status(StatusWord::verify_failed(slot.counter().tries_left()));
        }
        let before = slot.clone();
        let was_verified = self.session.is_verified(pin);
        let Ok(attempt) = slot.begin_attempt() else {
            return status(StatusWord::REFERENCE_DATA_NOT_USABLE);
        };
        self.session.set_verified(pin, false);
        // The decrement is durable before anything is compared.
        if self.persist().is_err() {
            drop(attempt);
            self.roll_back(pin, before, was_verified, false);
            return status(MEMORY_FAILURE);
        }
        let Some(slot) = self.data.pin_slot_mut(pin) else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        match slot.check(attempt, &cmd.data) {
            Outcome::Verified => {
                if self.persist().is_err() {
                    // The file holds the counted try: the holder's right PIN must not cost
                    // one. Take it back, and write that back if the file lets us now.
                    self.roll_back(pin, before, was_verified, true);
                    return status(MEMORY_FAILURE);
                }
                self.session.set_verified(pin, true);
                status(StatusWord::SUCCESS)
            }
            Outcome::Wrong { tries_left } => status(StatusWord::verify_failed(tries_left)),
        }
    }

    /// The PIN of VERIFY's P2: `80` the current EF, `80|SFI` the EF named by the SFI.
    fn verify_target(&self, p2: u8) -> Result<PinRef, StatusWord> {
        if p2 == 0x80 {
            return self.selected_pin();
        }
        match self.ef_by_sfi_in_p2(p2)?.access() {
            Access::Pin(pin) => Ok(pin),
            _ => Err(INCOMPATIBLE_FILE),
        }
    }

    /// After a PIN command whose change could not be written: the PIN slot and its verified
    /// state as they were before the command. With `rewrite`, an earlier write of the command
    /// did land, so the old state is written back (best effort: if the file still cannot be
    /// written, it keeps the counted try, which errs on the safe side).
    pub(super) fn roll_back(
        &mut self,
        pin: PinRef,
        before: PinSlot,
        was_verified: bool,
        rewrite: bool,
    ) {
        if let Some(slot) = self.data.pin_slot_mut(pin) {
            *slot = before;
        }
        self.session.set_verified(pin, was_verified);
        if rewrite {
            let _ = self.persist();
        }
    }

    /// CHANGE REFERENCE DATA `00 24 01 80 Lc <new PIN>` on the selected PIN EF, after VERIFY of
    /// the current PIN (spec §5), for the JPKI PINs and the text-support PIN `0011` only (any
    /// other key reference → `6985`, our choice; `001C` changes by CHANGE KEY): `9000`; PIN not verified → `6982`; a new PIN breaking the
    /// format rules → `6A80` and nothing changes; no data → `6700`; P1P2 other than `01 80` →
    /// `6A86`; card file not writable → `6581` and nothing changes.
    pub(super) fn change_reference_data(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != (0x01, 0x80) {
            return status(StatusWord::INCORRECT_P1P2);
        }
        let pin = match self.selected_pin() {
            Ok(pin) => pin,
            Err(sw) => return status(sw),
        };
        if !pin.changeable() {
            // 照合番号A/B, the birth date, `0012` and both `001C` (CHANGE KEY) (our choice)
            return status(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        self.set_new_value(pin, &cmd.data)
    }

    /// The shared end of CHANGE REFERENCE DATA and CHANGE KEY: `new` replaces the value of
    /// `pin`, which must be verified in this session. No data `6700`; not verified `6982`; a
    /// value breaking the PIN's format `6A80`; not writable `6581` and nothing changes;
    /// else `9000`, the counter at its limit.
    pub(super) fn set_new_value(&mut self, pin: PinRef, new: &[u8]) -> Response {
        if new.is_empty() {
            return status(StatusWord::WRONG_LENGTH);
        }
        if !self.session.is_verified(pin) {
            return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let Some(slot) = self.data.pin_slot_mut(pin) else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        let Ok(new) = Pin::new(slot.kind(), new) else {
            return status(StatusWord::WRONG_DATA);
        };
        let before = slot.clone();
        if slot.change_pin(new).is_err() {
            return status(StatusWord::WRONG_DATA);
        }
        if self.persist().is_err() {
            self.roll_back(pin, before, true, false);
            return status(MEMORY_FAILURE);
        }
        status(StatusWord::SUCCESS)
    }

    /// The EF named by P2 = `80|SFI` (SFI `01`–`1E`) in the current application: wrong form →
    /// `6A86`; no application or no such EF → `6A82`.
    pub(super) fn ef_by_sfi_in_p2(&self, p2: u8) -> Result<Ef, StatusWord> {
        if p2 & 0xE0 != 0x80 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        self.ef_by_sfi(p2 & 0x1F)
    }

    /// The EF with FID `00 sfi` in the current application (SFI `01`–`1E`; `00` and `1F` →
    /// `6A86`); none, or no application → `6A82`.
    pub(super) fn ef_by_sfi(&self, sfi: u8) -> Result<Ef, StatusWord> {
        if !(0x01..=0x1E).contains(&sfi) {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        self.session
            .app()
            .and_then(|app| Ef::find(&self.data, app, u16::from(sfi)))
            .ok_or(StatusWord::FILE_NOT_FOUND)
    }
}
