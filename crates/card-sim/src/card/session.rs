//! Volatile security state: cleared by power-off, reset and SELECT of an application.

use crate::card::files::Ef;

/// The applications a card answers SELECT for (spec §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    TextSupport,
    /// 券面事項確認AP (selectable; its files are not simulated).
    Visual,
    /// 共通カードAP (selectable; its files are not simulated).
    Common,
    /// 住基AP (selectable; its files are not simulated).
    Juki,
}

/// The card's PINs, for security state and counter queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinRef {
    /// JPKI authentication PIN, EF 0018.
    Authentication,
    /// JPKI signature PIN, EF 001B (the Juki PIN on a Juki card).
    Signature,
    /// Text-support PIN, EF 0011 of the 券面事項入力補助AP.
    TextSupport,
}

/// Security state of one card session.
///
/// Room for the administrative channel (GET CHALLENGE / EXTERNAL AUTHENTICATE): a pending
/// challenge and an "administrator authenticated" flag belong here, cleared the same way.
#[derive(Debug, Default, Clone)]
pub(crate) struct Session {
    app: Option<App>,
    ef: Option<Ef>,
    verified_authentication: bool,
    verified_signature: bool,
    verified_text_support: bool,
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

    pub(crate) fn is_verified(&self, pin: PinRef) -> bool {
        match pin {
            PinRef::Authentication => self.verified_authentication,
            PinRef::Signature => self.verified_signature,
            PinRef::TextSupport => self.verified_text_support,
        }
    }

    pub(crate) fn set_verified(&mut self, pin: PinRef, verified: bool) {
        match pin {
            PinRef::Authentication => self.verified_authentication = verified,
            PinRef::Signature => self.verified_signature = verified,
            PinRef::TextSupport => self.verified_text_support = verified,
        }
    }
}
