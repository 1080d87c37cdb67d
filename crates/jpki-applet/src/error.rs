//! What can go wrong talking to a JPKI card, in the card holder's terms.

use apdu::{ExchangeError, StatusWord, TransportError};

use crate::next_gen::NgSecret;
use crate::types::{CardPin, CertSlot, Generation, PinRef};

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
    /// The operation does not exist on this generation of card.
    #[error("{what} ({generation})")]
    NotOnThisGeneration {
        /// What is missing, e.g. "this card has no PUK".
        what: &'static str,
        /// The card's generation.
        generation: Generation,
    },
    /// The card says (EF `0009`) it needs secure messaging, which NG-sim v1 clients lack.
    #[error(
        "this card requires secure messaging, not supported in NG-sim v1 (shared/next-gen-profile.md §2.6)"
    )]
    SecureMessagingRequired,
    /// EF `0009` names a profile version, algorithm or flag this client does not know.
    #[error(
        "the card's profile (EF 0009) has {field} {value:02X}, which this client does not support: update jpki-applet"
    )]
    UnsupportedProfile {
        /// Which field.
        field: &'static str,
        /// Its value.
        value: u8,
    },
    /// A next-generation secret breaks its format rule; it was not sent, so no try was spent.
    #[error("the {secret} was not sent to the card: {reason}")]
    SecretFormat {
        /// Which secret.
        secret: NgSecret,
        /// The broken rule.
        reason: &'static str,
    },
    /// A wrong next-generation secret: the card counted the try.
    #[error("{}", wrong_secret_message(*secret, *tries_left))]
    WrongSecret {
        /// Which secret.
        secret: NgSecret,
        /// Tries the card says are left (0: it is now blocked).
        tries_left: u8,
    },
    /// A next-generation secret is blocked.
    #[error("the {secret} is blocked: {}", unblock_advice(*secret))]
    SecretBlocked {
        /// Which secret.
        secret: NgSecret,
    },
    /// The holder has not set a PUK on this card (`6A88`).
    #[error(
        "no PUK is set on this card: set one with the signing password first, or ask the issuing municipality"
    )]
    PukNotSet,
    /// The hash given to sign is not the length the card's algorithm takes.
    #[error("a {len}-byte hash cannot be signed: this card signs {expected}-byte hashes")]
    HashLength {
        /// Bytes given.
        len: usize,
        /// Bytes the card takes.
        expected: usize,
    },
    /// An INTERNAL AUTHENTICATE challenge outside 16–64 bytes; nothing was sent.
    #[error("a {len}-byte challenge cannot be sent: the card takes 16 to 64 bytes")]
    ChallengeLength {
        /// Bytes given.
        len: usize,
    },
    /// The card's signature is not the fixed `r ‖ s` length.
    #[error(
        "the card answered a {len}-byte signature where {expected} bytes (r ‖ s) belong: not a NG-sim v1 card, or a broken one"
    )]
    SignatureLength {
        /// Bytes answered.
        len: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// The card's `r` or `s` is zero or not below the P-384 group order: not a signature.
    #[error("the card's signature has r or s zero or not below the P-384 group order")]
    SignatureValue,
    /// The card's signature does not verify with the certificate's key: it is not used.
    #[error("the card's signature was refused: {what}")]
    CardSignatureInvalid {
        /// What failed.
        what: &'static str,
    },
    /// The certificate's public key cannot be used to check the card's signatures.
    #[error("the certificate's key cannot check the card's signatures: {reason}")]
    CertificateKey {
        /// Why.
        reason: &'static str,
    },
}

fn wrong_secret_message(secret: NgSecret, tries_left: u8) -> String {
    match tries_left {
        0 => format!(
            "wrong {secret}: it is now blocked; {}",
            unblock_advice(secret)
        ),
        1 => format!("wrong {secret}: 1 try left before it is blocked"),
        n => format!("wrong {secret}: {n} tries left"),
    }
}

const fn unblock_advice(secret: NgSecret) -> &'static str {
    match secret {
        NgSecret::Pin4 => {
            "reset it with the PUK if you set one, otherwise the issuing municipality (city hall) can"
        }
        NgSecret::SignPassword | NgSecret::Puk => {
            "only the issuing municipality (city hall) can unlock it"
        }
    }
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
