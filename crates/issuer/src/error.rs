//! The crate's error type.

use std::path::PathBuf;

/// What went wrong at the authority: its directory, issuance, revocation, or an administrative
/// exchange with a card.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The card refused what the authority asked of it (a card rule, its file).
    #[error(transparent)]
    Card(#[from] card_sim::Error),
    /// Reading or writing a file of the authority directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Creating an authority or a card would replace an existing file.
    #[error("{path} already exists; it is never overwritten")]
    AlreadyExists {
        /// The file.
        path: PathBuf,
    },
    /// Another process (or another `Authority` of this one) has the authority directory open:
    /// two would each hand out the same serials and write back their own revocation lists.
    #[error("the authority {path} is in use by another process")]
    AuthorityInUse {
        /// The authority directory.
        path: PathBuf,
    },
    /// An authority directory whose files are missing or malformed (left untouched).
    #[error("authority file {path} is corrupt ({what}); it was left untouched")]
    AuthorityCorrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        what: &'static str,
    },
    /// A PIN or retry limit that breaks the PIN rules.
    #[error(transparent)]
    Pin(#[from] pin_policy::Error),
    /// The certificate library refused an operation (issuing, parsing, a key).
    #[error("certificate error: {0}")]
    Certificate(#[from] cert::Error),
    /// An issuance request that breaks a rule.
    #[error("cannot issue the card: {reason}")]
    IssueRequest {
        /// Which rule is broken.
        reason: &'static str,
    },
    /// The card-face records cannot be built (see [`crate::card_face`]).
    #[error("cannot build the card face: {reason}")]
    CardFace {
        /// Why.
        reason: &'static str,
    },
    /// The card lacks a part an administrative operation needs.
    #[error("the card has no {part}")]
    NotOnCard {
        /// The part.
        part: &'static str,
    },
    /// The card was not issued by this authority (or by no authority at all): the
    /// municipality cannot administer it.
    #[error(
        "the card was not issued by this authority ({reason}); take it to its issuing municipality (use the authority directory that issued it)"
    )]
    ForeignCard {
        /// Why.
        reason: &'static str,
    },
    /// The card was terminated (after a fault, or returned when its holder died or left
    /// Japan).
    #[error("the card was terminated (after a fault or its return); issue a new card")]
    Terminated,
    /// The card was reported lost: its certificates are revoked; only a fault or its return
    /// ([`crate::Authority::cease`]) is done on it.
    #[error(
        "the card was reported lost on {at} and its certificates are revoked; nothing more is done on it but its return: issue a new card"
    )]
    CardLost {
        /// When it was reported.
        at: cert::time::OffsetDateTime,
    },
    /// A certificate whose renewal (更新) window has not opened yet.
    #[error(
        "the {role} certificate (last day {expiry}) can be renewed from {opens} (three months before its expiry); come back then"
    )]
    RenewalNotOpen {
        /// Which certificate.
        role: card_sim::KeyRole,
        /// The first day it may be renewed.
        opens: cert::time::Date,
        /// Its last valid day (JST).
        expiry: cert::time::Date,
    },
    /// A certificate that cannot be renewed (expired, revoked).
    #[error("the {role} certificate cannot be renewed: {reason}")]
    NotRenewable {
        /// Which certificate.
        role: card_sim::KeyRole,
        /// Why.
        reason: &'static str,
    },
    /// Renewed certificates would end no later than the current ones: the card itself expires.
    #[error(
        "the card itself expires on {card_expiry}, so a renewed certificate would end no later than the current one; the card is renewed (a new card is issued) instead"
    )]
    CardExpiresFirst {
        /// The card's expiry date.
        card_expiry: cert::time::Date,
    },
    /// A renewal or reset request that breaks a rule.
    #[error("cannot do this at the window: {reason}")]
    RenewRequest {
        /// Which rule is broken.
        reason: &'static str,
    },
    /// The card does not say the holder's municipality (no 共通カードAP code or no signature
    /// certificate naming its places).
    #[error(
        "the card does not say the holder's municipality (it needs the 共通カードAP's code and a signature certificate); give the municipality (code and romaji name) in the request"
    )]
    MunicipalityUnknown,
    /// The card refused a command of an administrative exchange.
    #[error("the card refused {command}: status {status}")]
    CardRefused {
        /// The command.
        command: &'static str,
        /// The card's status word.
        status: apdu::StatusWord,
    },
    /// The card could not be reached.
    #[error("no answer from the card: {0}")]
    Transport(#[from] apdu::TransportError),
    /// A card answer that is not a valid R-APDU or has the wrong length.
    #[error("the card answered {command} with a malformed response")]
    BadCardResponse {
        /// The command.
        command: &'static str,
    },
}
