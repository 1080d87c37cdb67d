//! What can go wrong talking to a JPKI card, in the card holder's terms.

use apdu::{ExchangeError, StatusWord, TransportError};

use crate::types::{CardPin, CertSlot, PinRef};

/// Errors of [`crate::JpkiApplet`] and [`crate::TextSupport`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The exchange with the card failed below the APDU level (reader, service, card removed).
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    /// The card has no such application: it is not a JPKI card, or this part was never issued.
    #[error(
        "the card has no {application} application (6A82): is this a My Number or Juki card? (a Juki card, or a simulator card file made before the whole card, has only some of them)"
    )]
    ApplicationNotFound {
        /// Which application.
        application: &'static str,
    },
    /// A file the operation needs is not on the card.
    #[error("file {fid:04X} is not on the card (6A82)")]
    FileNotFound {
        /// The file identifier.
        fid: u16,
    },
    /// The certificate slot is empty: the card was issued without this certificate.
    #[error("the card holds no {slot} certificate (it was issued without one)")]
    NoCertificate {
        /// The slot.
        slot: CertSlot,
    },
    /// A wrong PIN: the card counted the try.
    #[error("{}", wrong_pin_message(*pin, *tries_left))]
    WrongPin {
        /// Which PIN.
        pin: PinRef,
        /// Tries the card says are left (0: it is now blocked).
        tries_left: u8,
    },
    /// The PIN is blocked: no further try is possible.
    #[error("the {pin} PIN is blocked: only the issuing municipality (city hall) can unlock it")]
    PinBlocked {
        /// Which PIN.
        pin: PinRef,
    },
    /// The PIN breaks its format rule; it was not sent, so no try was spent.
    #[error("the {pin} PIN was not sent to the card: {source}")]
    PinFormat {
        /// Which PIN.
        pin: PinRef,
        /// The broken rule.
        #[source]
        source: pin_policy::Error,
    },
    /// The operation needs a PIN that has not been verified (6982).
    #[error(
        "the card refused: security status not satisfied (6982) — the PIN must be verified first"
    )]
    SecurityStatusNotSatisfied,
    /// The data to sign is longer than an RSA-2048 PKCS#1 v1.5 block can carry.
    #[error("{len} bytes cannot be signed: at most {max} fit an RSA-2048 PKCS#1 v1.5 block")]
    SignInputTooLong {
        /// Bytes given.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A file's content is not what the specification says it holds.
    #[error("file {fid:04X} is malformed: {reason}")]
    MalformedFile {
        /// The file identifier.
        fid: u16,
        /// What is wrong.
        reason: &'static str,
    },
    /// A wrong 照合番号 or other non-PIN key value: the card counted the try.
    #[error("{}", wrong_number_message(*which, *tries_left))]
    WrongNumber {
        /// Which key reference.
        which: CardPin,
        /// Tries the card says are left (0: it is now blocked).
        tries_left: u8,
    },
    /// A 照合番号 (or other non-PIN key value) is blocked.
    #[error("the {which} is blocked: only the issuing municipality (city hall) can unlock it")]
    NumberBlocked {
        /// Which key reference.
        which: CardPin,
    },
    /// A 照合番号 that cannot be right; it was not sent, so no try was spent.
    #[error("the 照合番号 was not sent to the card: {reason}")]
    NumberFormat {
        /// The broken rule.
        reason: &'static str,
    },
    /// A signature on a record of the card does not verify.
    #[error("the signature of {what} does not verify")]
    SignatureInvalid {
        /// Which record or certificate.
        what: &'static str,
    },
    /// The card answered a status word this operation does not expect.
    #[error("the card answered {sw} to {operation}")]
    UnexpectedStatus {
        /// The command.
        operation: &'static str,
        /// The status word.
        sw: StatusWord,
    },
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Self::Exchange(ExchangeError::Transport(e))
    }
}

fn wrong_number_message(which: CardPin, tries_left: u8) -> String {
    match tries_left {
        0 => format!(
            "wrong {which}: it is now blocked; only the issuing municipality (city hall) can unlock it"
        ),
        1 => format!("wrong {which}: 1 try left before it is blocked"),
        n => format!("wrong {which}: {n} tries left"),
    }
}

fn wrong_pin_message(pin: PinRef, tries_left: u8) -> String {
    match tries_left {
        0 => format!(
            "wrong {pin} PIN: it is now blocked; only the issuing municipality (city hall) can unlock it"
        ),
        1 => format!("wrong {pin} PIN: 1 try left before it is blocked"),
        n => format!("wrong {pin} PIN: {n} tries left"),
    }
}
