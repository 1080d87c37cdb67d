//! The card-wide answers of card-map §1 that need no card data: the class byte and secure
//! messaging, SELECT MF and of the GlobalPlatform ISD, SET SESSION KEY, the phone tokens'
//! `80 FC` and SET PUBLIC IC KEY. (SELECT by a prefix of a DF name is in `commands`.)

use apdu::{Command, Response, StatusWord};

use super::{
    SimCard,
    app::{App, PinRef},
    commands::{INS_SELECT, status},
};

/// SET SESSION KEY `80 AE` (card-map §1).
pub(crate) const INS_SET_SESSION_KEY: u8 = 0xAE;
/// The phone tokens' last-command indicator `80 FC` (card-map §1).
pub(crate) const INS_LAST_COMMAND: u8 = 0xFC;
/// SET PUBLIC IC KEY `80 A2` (card-map §1).
pub(crate) const INS_SET_PUBLIC_IC_KEY: u8 = 0xA2;

/// `69 FC`: what the card answers a secure-messaging class byte on any command but SELECT
/// (card-map §1).
pub(crate) const SECURE_MESSAGING_REFUSED: StatusWord = StatusWord(0x69FC);
/// `66 F1`: SET SESSION KEY in the 共通カードAP and the 券面事項確認AP (card-map §1).
const SESSION_KEY_NOT_SUPPORTED: StatusWord = StatusWord(0x66F1);

/// The instructions that exist only in the proprietary class `80` (COMPUTE DIGITAL SIGNATURE
/// `2A`, CHANGE KEY `32`, SET PUBLIC IC KEY `A2`, SET SESSION KEY `AE`, `FC`): under class `00`
/// they answer `6D00` (card-map §1 "our choices").
pub(crate) fn is_proprietary_only(ins: u8) -> bool {
    matches!(
        ins,
        0x2A | 0x32 | INS_SET_PUBLIC_IC_KEY | INS_SET_SESSION_KEY | INS_LAST_COMMAND
    )
}

/// Class byte (card-map §1): `00` and `80` are served; secure messaging `08`/`0C` answers
/// SELECT `6882` and every other instruction `69FC`; every other class `6E00` (our choice,
/// logical channels and command chaining included); an instruction of class `80` only sent
/// with class `00` → `6D00` (our choice).
pub(crate) fn check_class(cla: u8, ins: u8) -> Result<(), StatusWord> {
    match cla {
        0x00 if is_proprietary_only(ins) => Err(StatusWord::INS_NOT_SUPPORTED),
        0x00 | 0x80 => Ok(()),
        0x08 | 0x0C if ins == INS_SELECT => Err(StatusWord::SECURE_MESSAGING_NOT_SUPPORTED),
        0x08 | 0x0C => Err(SECURE_MESSAGING_REFUSED),
        _ => Err(StatusWord::CLA_NOT_SUPPORTED),
    }
}

impl SimCard {
    /// SELECT MF `00 A4 00 00` (P2 `00`, `04` or `0C`, no data; card-map §1): after a reset
    /// (no application current) `6A86`; with an application current `9000` and nothing
    /// changes — the application, its current EF and its security state stay.
    ///
    /// With data (selection by FID under P1 `00`): `3F 00` → `6A82` in every state (card-map
    /// §1); any other FID `6A82` too, EFs are selected with P1 `02` (our choice); data of
    /// another length than 2 → `6700`.
    pub(super) fn select_mf(&self, cmd: &Command) -> Response {
        if !matches!(cmd.p2, 0x00 | 0x04 | 0x0C) {
            return status(StatusWord::INCORRECT_P1P2);
        }
        match cmd.data.len() {
            0 if self.session.app().is_some() => status(StatusWord::SUCCESS),
            0 => status(StatusWord::INCORRECT_P1P2),
            2 => status(StatusWord::FILE_NOT_FOUND),
            _ => status(StatusWord::WRONG_LENGTH),
        }
    }

    /// SELECT of the GlobalPlatform ISD (card-map §1): `9000`, and the card is back in its
    /// power-on state: no application, no current EF, nothing verified, no pending challenge.
    pub(super) fn select_isd(&mut self) -> Response {
        self.session = super::Session::default();
        status(StatusWord::SUCCESS)
    }

    /// SET SESSION KEY `80 AE` (card-map §1), answered by the current application whatever
    /// P1, P2 and data (our choice): 共通カードAP and 券面事項確認AP `66F1`; JPKI AP and 住基AP
    /// `6982`; 券面事項入力補助AP `6982` before its PIN (`0011`) is verified and `6A80` after
    /// (no secure messaging here, so no key is ever right: our choice); no application `6985`
    /// (our choice).
    pub(super) fn set_session_key(&self) -> Response {
        let sw = match self.session.app() {
            Some(App::Common | App::Visual) => SESSION_KEY_NOT_SUPPORTED,
            Some(App::Jpki | App::Juki) => StatusWord::SECURITY_STATUS_NOT_SATISFIED,
            Some(App::TextSupport) if self.session.is_verified(PinRef::TextSupport) => {
                StatusWord::WRONG_DATA
            }
            Some(App::TextSupport) => StatusWord::SECURITY_STATUS_NOT_SATISFIED,
            None => StatusWord::CONDITIONS_NOT_SATISFIED,
        };
        status(sw)
    }

    /// SET PUBLIC IC KEY `80 A2` (card-map §1): in the JPKI AP every P1P2 → `6A86` (documented
    /// for `00 00`, `00 AE`, `80 00`, `00 B6`; the others our choice); outside it `6985` (our
    /// choice, as for the commands an application does not know).
    pub(super) fn set_public_ic_key(&self) -> Response {
        match self.session.app() {
            Some(App::Jpki) => status(StatusWord::INCORRECT_P1P2),
            _ => status(StatusWord::CONDITIONS_NOT_SATISFIED),
        }
    }
}

/// `80 FC` (card-map §1): a plastic card answers `00 00` with `6700`; every other form too
/// (our choice), in every state.
pub(super) fn last_command_indicator() -> Response {
    status(StatusWord::WRONG_LENGTH)
}
