//! The 認証AP's volatile state: current application and EF, verified secrets, MSE key.
//! Cleared by power-off, reset and SELECT of an application.

use super::NextGenSecret;

/// The next-generation card's two applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NgApp {
    /// 認証AP.
    Auth,
    /// 券面等AP (SELECT only in v1).
    Face,
}

/// Security state of one session on a next-generation card.
#[derive(Debug, Default, Clone)]
pub(crate) struct NgSession {
    pub(crate) app: Option<NgApp>,
    pub(crate) ef: Option<u16>,
    verified: u8,
    /// The key MSE:SET chose for PSO:CDS.
    pub(crate) mse_key: Option<u8>,
}

impl NgSession {
    /// SELECT of an application: it becomes current; nothing verified, no EF, no MSE key.
    pub(crate) fn select_app(&mut self, app: NgApp) {
        *self = NgSession {
            app: Some(app),
            ..NgSession::default()
        };
    }

    pub(crate) fn in_auth(&self) -> bool {
        self.app == Some(NgApp::Auth)
    }

    pub(crate) fn is_verified(&self, secret: NextGenSecret) -> bool {
        self.verified & secret.bit() != 0
    }

    /// Whether PIN4's conditions hold: PIN4 verified, or SIGN_PW (which covers it, P8).
    pub(crate) fn pin4_satisfied(&self) -> bool {
        self.is_verified(NextGenSecret::Pin4) || self.is_verified(NextGenSecret::SignPassword)
    }

    pub(crate) fn set_verified(&mut self, secret: NextGenSecret, verified: bool) {
        if verified {
            self.verified |= secret.bit();
        } else {
            self.verified &= !secret.bit();
        }
    }
}
