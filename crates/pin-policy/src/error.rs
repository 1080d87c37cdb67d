//! The crate's error type.

use crate::kind::{Charset, PinKind};

/// Everything that can go wrong when checking a PIN's format or building a retry counter.
///
/// Messages never contain PIN characters: a bad character is reported by position only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The PIN has fewer characters than the rule allows.
    #[error("{kind} PIN too short: {len} characters, it needs {min} to {max}")]
    TooShort {
        /// Which PIN.
        kind: PinKind,
        /// Characters given.
        len: usize,
        /// Minimum length.
        min: usize,
        /// Maximum length.
        max: usize,
    },
    /// The PIN has more characters than the rule allows.
    #[error("{kind} PIN too long: {len} characters, it needs {min} to {max}")]
    TooLong {
        /// Which PIN.
        kind: PinKind,
        /// Characters given.
        len: usize,
        /// Minimum length.
        min: usize,
        /// Maximum length.
        max: usize,
    },
    /// A character outside the allowed set.
    #[error("{kind} PIN: character {position} is not allowed (use only {allowed})")]
    BadCharacter {
        /// Which PIN.
        kind: PinKind,
        /// 1-based position of the first offending character.
        position: usize,
        /// What is allowed.
        allowed: Charset,
    },
    /// The rule needs at least one letter `A–Z`.
    #[error("{kind} PIN needs at least one letter A-Z")]
    MissingLetter {
        /// Which PIN.
        kind: PinKind,
    },
    /// The rule needs at least one digit `0–9`.
    #[error("{kind} PIN needs at least one digit 0-9")]
    MissingDigit {
        /// Which PIN.
        kind: PinKind,
    },
    /// A retry limit outside `1..=15` (a `63 Cx` status word reports at most 15).
    #[error("retry limit {limit} is out of range: it must be 1 to {max}", max = crate::kind::MAX_RETRY_LIMIT)]
    InvalidRetryLimit {
        /// The limit given.
        limit: u8,
    },
    /// A stored counter with more tries left than its limit.
    #[error("retry counter is inconsistent: {remaining} tries left of a limit of {limit}")]
    InconsistentCounter {
        /// The stored limit.
        limit: u8,
        /// The stored tries left.
        remaining: u8,
    },
    /// A PIN of one kind given where another kind is needed.
    #[error("a {found} PIN was given where a {expected} PIN is needed")]
    KindMismatch {
        /// The slot's kind.
        expected: PinKind,
        /// The PIN's kind.
        found: PinKind,
    },
    /// The PIN is blocked.
    #[error(transparent)]
    Blocked(#[from] Blocked),
}

/// The PIN's retry counter is exhausted: no further try is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("PIN blocked: only the issuing municipality can unlock it")]
pub struct Blocked;
