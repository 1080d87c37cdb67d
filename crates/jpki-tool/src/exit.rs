//! From an error to the exit code: the table both binaries share ([`cli_common::exit`]).

use apdu::TransportError;
use cli_common::exit;
use jpki_tool::{cms, login};

/// A certificate or signature that does not verify (exit code 4).
#[derive(Debug, thiserror::Error)]
pub(crate) enum Exit {
    #[error("{0}")]
    NotVerified(String),
}

/// The exit code of an error: the table of [`cli_common::exit`].
pub(crate) fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if let Some(exit) = cause.downcast_ref::<Exit>() {
            return match exit {
                Exit::NotVerified(_) => exit::NOT_VERIFIED,
            };
        }
        if let Some(err) = cause.downcast_ref::<jpki_applet::Error>() {
            match err {
                jpki_applet::Error::WrongPin { .. }
                | jpki_applet::Error::PinBlocked { .. }
                | jpki_applet::Error::WrongNumber { .. }
                | jpki_applet::Error::NumberBlocked { .. }
                // the next-generation card's secrets (signing password, 4-digit PIN, PUK)
                | jpki_applet::Error::WrongSecret { .. }
                | jpki_applet::Error::SecretBlocked { .. } => {
                    return exit::WRONG_PIN;
                }
                jpki_applet::Error::PinFormat { .. }
                | jpki_applet::Error::NumberFormat { .. }
                | jpki_applet::Error::SecretFormat { .. } => {
                    return exit::INVALID_INPUT;
                }
                jpki_applet::Error::SignatureInvalid { .. } => return exit::NOT_VERIFIED,
                jpki_applet::Error::Exchange(apdu::ExchangeError::Transport(t))
                    if is_no_card(t) =>
                {
                    return exit::NO_CARD;
                }
                _ => {}
            }
        }
        if let Some(t) = cause.downcast_ref::<TransportError>()
            && is_no_card(t)
        {
            return exit::NO_CARD;
        }
        if cause.downcast_ref::<cms::CmsError>().is_some()
            || cause.downcast_ref::<login::LoginError>().is_some()
        {
            return exit::NOT_VERIFIED;
        }
        if cli_common::is_invalid_input(cause) {
            return exit::INVALID_INPUT;
        }
    }
    exit::ERROR
}

pub(crate) fn is_no_card(t: &TransportError) -> bool {
    matches!(
        t,
        TransportError::NoService
            | TransportError::NoReader
            | TransportError::NoCard
            | TransportError::UnknownReader { .. }
    )
}
