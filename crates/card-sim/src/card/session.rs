//! Volatile security state: cleared by power-off, reset and SELECT of an application.

use crate::card::app::{App, PinRef};
use crate::card::files::Ef;

/// Security state of one card session, including the administrative channel's pending
/// challenge and "municipality authenticated" state, all cleared together.
#[derive(Debug, Default, Clone)]
pub(crate) struct Session {
    app: Option<App>,
    ef: Option<Ef>,
    /// The verified key references, one bit each ([`PinRef::bit`]).
    verified: u16,
    challenge: Option<[u8; crate::admin::CHALLENGE_LEN]>,
    admin: bool,
    /// A next-generation card's state (unused on today's card).
    pub(crate) ng: crate::next_gen::session::NgSession,
}

impl Session {
    pub(crate) fn app(&self) -> Option<App> {
        self.app
    }

    pub(crate) fn ef(&self) -> Option<Ef> {
        self.ef
    }

    /// SELECT of an application: new current DF, no current EF, nothing verified.
    pub(crate) fn select_app(&mut self, app: App) {
        *self = Session {
            app: Some(app),
            ..Session::default()
        };
    }

    pub(crate) fn select_ef(&mut self, ef: Ef) {
        self.ef = Some(ef);
    }

    /// Remembers the challenge of GET CHALLENGE (replacing any earlier one).
    pub(crate) fn set_challenge(&mut self, challenge: [u8; crate::admin::CHALLENGE_LEN]) {
        self.challenge = Some(challenge);
    }

    /// Takes the pending challenge: it serves one EXTERNAL AUTHENTICATE, right or wrong.
    pub(crate) fn take_challenge(&mut self) -> Option<[u8; crate::admin::CHALLENGE_LEN]> {
        self.challenge.take()
    }

    pub(crate) fn is_admin(&self) -> bool {
        self.admin
    }

    pub(crate) fn set_admin(&mut self, admin: bool) {
        self.admin = admin;
    }

    pub(crate) fn is_verified(&self, pin: PinRef) -> bool {
        self.verified & pin.bit() != 0
    }

    /// Whether any of `pins` is verified (access "PIN or A").
    pub(crate) fn any_verified(&self, pins: &[PinRef]) -> bool {
        pins.iter().any(|p| self.is_verified(*p))
    }

    pub(crate) fn set_verified(&mut self, pin: PinRef, verified: bool) {
        if verified {
            self.verified |= pin.bit();
        } else {
            self.verified &= !pin.bit();
        }
    }
}
