//! Value types of the JPKI card as the client sees them: certificate slots, PINs, keys, the
//! card generation and the facts read once when the card is opened (shared/jpki-spec.md §3–§4).
//! Where each lives on the card is [`crate::file_map`]'s business, not theirs.

use core::fmt;

use pin_policy::PinKind;

mod card_pin;
mod token_info;

pub use card_pin::{CardPin, NumberKind, VerificationNumber, my_number_check_digit_ok};
pub use token_info::{TOKEN_INFO_LEN, TokenInfo};

/// Bytes of an RSA-2048 block minus the PKCS#1 v1.5 minimum padding (RFC 8017 §9.2).
pub const MAX_SIGN_INPUT: usize = 256 - 11;

/// A certificate file of the JPKI application (§4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertSlot {
    /// 利用者証明用 (user authentication) certificate, EF `000A`.
    Auth,
    /// The CA certificate that issued it, EF `000B`.
    AuthCa,
    /// 署名用 (signature) certificate, EF `0001`: readable only after the signature PIN.
    Sign,
    /// The CA certificate that issued it, EF `0002`.
    SignCa,
}

impl CertSlot {
    /// All four, in display order.
    pub const ALL: [Self; 4] = [Self::Auth, Self::AuthCa, Self::Sign, Self::SignCa];
}

impl fmt::Display for CertSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auth => "authentication",
            Self::AuthCa => "authentication CA",
            Self::Sign => "signature",
            Self::SignCa => "signature CA",
        })
    }
}

/// One of the card's PINs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PinRef {
    /// 利用者証明用 PIN (EF `0018`), 4 digits.
    Auth,
    /// 署名用 PIN (EF `001B`): 6–16 alphanumerics on a My Number card, 4–16 on a Juki card.
    Sign,
    /// 券面事項入力補助用 PIN (text-support application, EF `0011`), 4 digits.
    TextSupport,
}

impl fmt::Display for PinRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auth => "authentication",
            Self::Sign => "signature",
            Self::TextSupport => "text-support",
        })
    }
}

/// A private key of the JPKI application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyRef {
    /// The authentication key (EF `0017`), unlocked by the authentication PIN.
    Auth,
    /// The signature key (EF `001A`), unlocked by the signature PIN.
    Sign,
}

impl KeyRef {
    /// The PIN that unlocks the key.
    #[must_use]
    pub const fn pin(self) -> PinRef {
        match self {
            Self::Auth => PinRef::Auth,
            Self::Sign => PinRef::Sign,
        }
    }

    /// The certificate of the key's public half.
    #[must_use]
    pub const fn certificate(self) -> CertSlot {
        match self {
            Self::Auth => CertSlot::Auth,
            Self::Sign => CertSlot::Sign,
        }
    }
}

/// Which generation of card answers: told apart by which application answers SELECT, never by
/// the ATR (shared/next-gen-profile.md §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Generation {
    /// Today's cards (My Number card or Juki card): RSA-2048, the JPKI AID `D3 92 F0 00 26 …`.
    Current,
    /// The next-generation card (NG-sim v1 profile): ECDSA P-384, the 認証AP.
    NextGen,
}

impl Generation {
    /// A short machine name (`info --json`): `current` or `next_gen`.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::NextGen => "next_gen",
        }
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Current => "first-generation card",
            Self::NextGen => "next-generation card",
        })
    }
}

/// Which card generation the token info names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardKind {
    /// マイナンバーカード (`JPKIAPICCTOKEN2`).
    MyNumber,
    /// 住基カード (`JPKIAPICCTOKEN`).
    Juki,
}

impl CardKind {
    /// The token label (EF `0006`, before its space padding) naming this generation.
    #[must_use]
    pub const fn token_label(self) -> &'static str {
        match self {
            Self::MyNumber => "JPKIAPICCTOKEN2",
            Self::Juki => "JPKIAPICCTOKEN",
        }
    }

    /// The generation a token label names, if any.
    #[must_use]
    pub fn from_token_label(label: &str) -> Option<Self> {
        [Self::MyNumber, Self::Juki]
            .into_iter()
            .find(|k| k.token_label() == label)
    }

    /// The format rule of `pin` on a card of this generation: only the signature PIN's rule
    /// differs (a Juki card allows 4 characters).
    #[must_use]
    pub const fn pin_kind(self, pin: PinRef) -> PinKind {
        match (pin, self) {
            (PinRef::Auth, _) => PinKind::Authentication,
            (PinRef::TextSupport, _) => PinKind::TextSupport,
            (PinRef::Sign, Self::MyNumber) => PinKind::Signature,
            (PinRef::Sign, Self::Juki) => PinKind::JukiSignature,
        }
    }
}

impl fmt::Display for CardKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MyNumber => "My Number card (マイナンバーカード)",
            Self::Juki => "Juki card (住基カード)",
        })
    }
}

/// EF `0008`: which certificates the card was issued with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Availability {
    /// A signature certificate and key are present.
    pub sign: bool,
    /// An authentication certificate and key are present.
    pub auth: bool,
}

impl Availability {
    /// Parses the availability file (EF `0008` on both generations): byte 0 the signature
    /// certificate, byte 1 the authentication one, `00` meaning absent; `None` under 2 bytes.
    #[must_use]
    pub fn from_file(file: &[u8]) -> Option<Self> {
        match file {
            [sign, auth, ..] => Some(Self {
                sign: *sign != 0,
                auth: *auth != 0,
            }),
            _ => None,
        }
    }

    /// Whether the card was issued with `key` (and its certificate).
    #[must_use]
    pub const fn has(self, key: KeyRef) -> bool {
        match key {
            KeyRef::Auth => self.auth,
            KeyRef::Sign => self.sign,
        }
    }
}

/// What [`crate::JpkiApplet::open`] learns once about a card: its generation (and so each
/// PIN's format rule) and which keys and certificates it was issued with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardFacts {
    /// EF `0006`.
    pub token_info: TokenInfo,
    /// EF `0008`.
    pub availability: Availability,
}

impl CardFacts {
    /// The card generation.
    #[must_use]
    pub const fn kind(&self) -> CardKind {
        self.token_info.kind
    }
}

/// Sex as the 券面 applications write it (入力補助AP `DF25`, 確認AP `DF23`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// `9`: not applicable.
    NotApplicable,
    /// `0`: not known (JIS X 0303).
    Unknown,
}

impl Sex {
    /// The JIS X 0303 code as one ASCII digit (card-map §4): `1`, `2`, `9`, `0`.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            b'1' => Some(Self::Male),
            b'2' => Some(Self::Female),
            b'9' => Some(Self::NotApplicable),
            b'0' => Some(Self::Unknown),
            _ => None,
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Male => "male (男)",
            Self::Female => "female (女)",
            Self::NotApplicable => "not applicable",
            Self::Unknown => "unknown",
        })
    }
}

/// A PIN's retry state, read without spending a try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinStatus {
    /// Tries left before the PIN blocks.
    pub tries_left: u8,
}

impl PinStatus {
    /// No tries are left.
    #[must_use]
    pub const fn is_blocked(self) -> bool {
        self.tries_left == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_labels_name_their_generation_and_nothing_else() {
        for kind in [CardKind::MyNumber, CardKind::Juki] {
            assert_eq!(CardKind::from_token_label(kind.token_label()), Some(kind));
        }
        assert_eq!(CardKind::from_token_label("JPKIAPICCTOKEN3"), None);
        assert_eq!(CardKind::from_token_label(""), None);
    }

    #[test]
    fn only_the_signature_pin_rule_depends_on_the_generation() {
        assert_eq!(
            CardKind::Juki.pin_kind(PinRef::Sign),
            PinKind::JukiSignature
        );
        assert_eq!(
            CardKind::MyNumber.pin_kind(PinRef::Sign),
            PinKind::Signature
        );
        for kind in [CardKind::MyNumber, CardKind::Juki] {
            assert_eq!(kind.pin_kind(PinRef::Auth), PinKind::Authentication);
            assert_eq!(kind.pin_kind(PinRef::TextSupport), PinKind::TextSupport);
        }
    }
}
