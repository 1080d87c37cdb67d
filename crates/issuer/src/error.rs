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
    /// A card expiry later than the rules allow (spec §1): the 10th birthday after issue, the
    /// 5th for a holder under 18 on the issuing date, and never after a foreign resident's
    /// period of stay.
    #[error(
        "cannot issue the card: its expiry {card_expiry} is after {latest}, the latest allowed ({rule}); give an expiry on or before {latest}"
    )]
    CardExpiryTooLate {
        /// The expiry asked for.
        card_expiry: cert::time::Date,
        /// The latest expiry the rules allow.
        latest: cert::time::Date,
        /// The rule that sets `latest`.
        rule: &'static str,
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
    /// The card was terminated after a fault.
    #[error("the card was terminated after a fault; issue a new card")]
    Terminated,
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
