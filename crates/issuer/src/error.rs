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
    /// An authority directory in a format this version does not open (left untouched).
    #[error(
        "{path} is a {found} authority; this version opens only JPKI-SIM-AUTHORITY/2 and does not convert it ({why}): create a new authority with `jpki-sim authority init` and issue the cards again; the old directory was left untouched"
    )]
    AuthorityVersion {
        /// The state file.
        path: PathBuf,
        /// The format it declares.
        found: String,
        /// Why it cannot be carried over.
        why: &'static str,
    },
    /// The 4-byte serial counter shared by the CAs and every certificate is used up.
    #[error(
        "the authority's serial numbers are used up (the next would be {next:#x}, beyond the 4-byte 7FFFFFFF); create a new authority for further cards"
    )]
    SerialsExhausted {
        /// The serial that would come next.
        next: u64,
    },
    /// A municipality that clashes with the authority's register: its code is registered with
    /// other romaji names, or its names are another code's (both would name one CRL partition).
    #[error(
        "municipality {code} ({prefecture} {city}) clashes with the register: {registered}; issue with the registered names"
    )]
    MunicipalityClash {
        /// The code asked for.
        code: String,
        /// Its prefecture as asked.
        prefecture: String,
        /// Its city as asked.
        city: String,
        /// What the register holds.
        registered: String,
    },
    /// A certificate whose CRL distribution point names no municipality of the register: no
    /// partition CRL of this authority can list it.
    #[error(
        "the certificate's CRL distribution point names no municipality this authority issues for; it cannot be revoked here"
    )]
    UnknownPartition,
    /// `release` of a certificate that is not on the revocation list.
    #[error("the certificate (serial {serial}) is not revoked; there is no hold to release")]
    NotRevoked {
        /// Its serial (hex).
        serial: String,
    },
    /// `release` of a certificate revoked for good (only a hold, certificateHold, is released).
    #[error(
        "the certificate (serial {serial}) is revoked for good ({reason}), not on hold; only a hold (certificate-hold) can be released"
    )]
    NotOnHold {
        /// Its serial (hex).
        serial: String,
        /// The reason it was revoked for.
        reason: String,
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
