//! The next-generation card, NG-sim v1 (shared/next-gen-profile.md Part 2): one 認証AP with
//! three P-384 keys and three secrets, a 券面等AP that answers SELECT only, and the five
//! current AIDs answering `6A82`.
//!
//! Every identifier is in [`ids`] (ours, to be replaced when the real specification is
//! published); the issuer's input is [`NextGenContents`]; the commands are in the card's
//! `next_gen` handler module, behind the secure-messaging seam of `channel`.

pub(crate) mod channel;
mod contents;
pub mod ids;
pub(crate) mod session;

pub use contents::{NextGenContents, NextGenKey, NextGenRenewal, NextGenRetryLimits};

/// Where the simulated NG-sim v1 card differs from the profile (and from the real card the
/// profile anticipates), one line each, for `jpki-sim inspect` and the README.
pub const NEXT_GEN_DIFFERENCES: &[&str] = &[
    "no secure messaging in v1: plain APDUs only, SM class bytes (0C) answer 6882, EF 0009 says 82 01 00 (the real card requires SM)",
    "the 券面等AP answers SELECT only: 券面確認 and the rest of 入力補助 (照合番号A/B) are not simulated",
    "住基 functions of the 認証AP are not simulated",
    "all identifiers (ATR, AIDs, FIDs, key and secret references, the card-authentication prefix) are ours, not J-LIS's",
];

/// The three secrets of the 認証AP (profile §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NextGenSecret {
    /// 署名用パスワード, reference `81`.
    SignPassword,
    /// 暗証番号 (4 digits), reference `82`.
    Pin4,
    /// The opt-in PUK, reference `83`.
    Puk,
}

impl NextGenSecret {
    /// All three, for iteration.
    pub const ALL: [NextGenSecret; 3] = [
        NextGenSecret::SignPassword,
        NextGenSecret::Pin4,
        NextGenSecret::Puk,
    ];

    /// The key reference (VERIFY P2).
    #[must_use]
    pub fn reference(self) -> u8 {
        match self {
            NextGenSecret::SignPassword => ids::secret::SIGN_PW,
            NextGenSecret::Pin4 => ids::secret::PIN4,
            NextGenSecret::Puk => ids::secret::PUK,
        }
    }

    /// The secret with this reference.
    #[must_use]
    pub fn from_reference(reference: u8) -> Option<Self> {
        NextGenSecret::ALL
            .into_iter()
            .find(|s| s.reference() == reference)
    }

    /// Its format.
    #[must_use]
    pub fn kind(self) -> pin_policy::PinKind {
        match self {
            NextGenSecret::SignPassword => pin_policy::PinKind::Signature,
            NextGenSecret::Pin4 => pin_policy::PinKind::Authentication,
            NextGenSecret::Puk => pin_policy::PinKind::Puk,
        }
    }

    pub(crate) fn bit(self) -> u8 {
        match self {
            NextGenSecret::SignPassword => 1,
            NextGenSecret::Pin4 => 2,
            NextGenSecret::Puk => 4,
        }
    }
}

/// The three P-384 keys of the 認証AP, by number (profile §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NextGenKeyId {
    /// Key `01`, EF `000A`/`000B`: authentication (PIN4 or SIGN_PW).
    Authentication,
    /// Key `02`, EF `0001`/`0002`: signature (SIGN_PW).
    Signature,
    /// Key `03`, EF `000C`/`000D`: card authentication (genuineness; no PIN).
    CardAuthentication,
}

impl From<crate::KeyRole> for NextGenKeyId {
    fn from(role: crate::KeyRole) -> Self {
        match role {
            crate::KeyRole::Authentication => NextGenKeyId::Authentication,
            crate::KeyRole::Signature => NextGenKeyId::Signature,
        }
    }
}

impl NextGenKeyId {
    /// The key number (MSE:SET `84 01 <n>`).
    #[must_use]
    pub fn number(self) -> u8 {
        match self {
            NextGenKeyId::Authentication => ids::key::AUTH,
            NextGenKeyId::Signature => ids::key::SIGN,
            NextGenKeyId::CardAuthentication => ids::key::CARD_AUTH,
        }
    }
}

/// How the card chooses ECDSA nonces: random by default, RFC 6979 for fixed test vectors.
/// Clients must assume neither (profile §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Nonces {
    /// Fresh random nonces (the default).
    #[default]
    Random,
    /// RFC 6979 deterministic nonces: the same hash gives the same signature.
    Rfc6979,
}
