//! Which card and which key: the words the card's contents, its file maps and its errors
//! share. A leaf, so that [`Error`](crate::Error) can name them without a circle through
//! the contents it checks.

use core::fmt;

use pin_policy::PinKind;

/// Which card: the legacy Juki card or the My Number card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardProfile {
    /// 個人番号カード: authentication and signature keys (either optional), text-support AP.
    MyNumber,
    /// 住基カード: one signature key (Juki PIN rule), no authentication key, no text-support AP.
    Juki,
}

impl fmt::Display for CardProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CardProfile::MyNumber => "My Number",
            CardProfile::Juki => "Juki",
        })
    }
}

/// The two JPKI keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// 利用者証明用: EF 000A/000B (certificates), 0017 (key), 0018 (PIN).
    Authentication,
    /// 署名用: EF 0001/0002 (certificates), 001A (key), 001B (PIN).
    Signature,
}

impl fmt::Display for KeyRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyRole::Authentication => "authentication",
            KeyRole::Signature => "signature",
        })
    }
}

impl CardProfile {
    /// The PIN kind of a key on this profile.
    #[must_use]
    pub fn pin_kind(self, role: KeyRole) -> PinKind {
        match (self, role) {
            (CardProfile::Juki, _) => PinKind::JukiSignature,
            (CardProfile::MyNumber, KeyRole::Authentication) => PinKind::Authentication,
            (CardProfile::MyNumber, KeyRole::Signature) => PinKind::Signature,
        }
    }
}
