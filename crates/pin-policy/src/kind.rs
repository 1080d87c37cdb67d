//! The PINs and card keys and their format rules (spec §1, §6): data only. Checking a PIN
//! against its rule is in `format`, which can name an [`Error`](crate::Error).

use core::fmt;

/// The highest retry limit: a `63 Cx` status word can report at most 15 tries left.
pub const MAX_RETRY_LIMIT: u8 = 15;

/// Which PIN: each JPKI certificate key and the text-support application has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PinKind {
    /// 住基カード signature PIN (legacy Juki card): 4–16 characters `A–Z`/`0–9`.
    JukiSignature,
    /// My Number 利用者証明用 (user authentication) PIN: exactly 4 digits.
    Authentication,
    /// My Number 署名用 (signature) PIN: 6–16 characters of `A–Z` and `0–9`,
    /// at least one letter and one digit.
    Signature,
    /// 券面事項入力補助用 (text-support) PIN: exactly 4 digits.
    TextSupport,
    /// 照合番号A: the 12-digit My Number, a key of the 入力補助AP (`0014`) and the 確認AP
    /// (`0013`) (card-map §4, §5). Exactly 12 digits.
    VerificationA,
    /// 照合番号B: birth date as Japanese-era `YYMMDD` + expiry year `YYYY` + the 4-digit
    /// security code, 14 digits (card-map §5). Exactly 14 digits.
    VerificationB,
    /// The 券面事項確認AP's birth-date key `0011`: Japanese-era `YYMMDD`, exactly 6 digits.
    BirthDate,
    /// 住民基本台帳用 PIN of the 共通カードAP and the 住基AP (`001C`): exactly 4 digits.
    ResidentRegistry,
    /// The next-generation card's opt-in PUK (NG-sim v1, our profile: reference `83`, set by
    /// the holder after the signing password; it re-sets the 4-digit PIN only): exactly 8
    /// digits.
    Puk,
}

/// The characters a PIN may consist of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Charset {
    /// `0–9` only.
    Digits,
    /// Upper-case ASCII letters `A–Z` and digits `0–9`.
    UpperAlphanumeric,
}

impl Charset {
    /// Whether `byte` belongs to the set.
    #[must_use]
    pub fn contains(self, byte: u8) -> bool {
        match self {
            Charset::Digits => byte.is_ascii_digit(),
            Charset::UpperAlphanumeric => byte.is_ascii_digit() || byte.is_ascii_uppercase(),
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Charset::Digits => "digits 0-9",
            Charset::UpperAlphanumeric => "letters A-Z and digits 0-9",
        })
    }
}

/// The format rule of one PIN kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinRules {
    /// Minimum length in characters (= bytes: all allowed characters are ASCII).
    pub min_len: usize,
    /// Maximum length.
    pub max_len: usize,
    /// Allowed characters.
    pub charset: Charset,
    /// At least one `A–Z` is required.
    pub needs_letter: bool,
    /// At least one `0–9` is required.
    pub needs_digit: bool,
}

impl PinKind {
    /// All kinds, for iteration.
    pub const ALL: [PinKind; 9] = [
        PinKind::JukiSignature,
        PinKind::Authentication,
        PinKind::Signature,
        PinKind::TextSupport,
        PinKind::VerificationA,
        PinKind::VerificationB,
        PinKind::BirthDate,
        PinKind::ResidentRegistry,
        PinKind::Puk,
    ];

    /// The format rule of this kind (spec §1 table, §6).
    #[must_use]
    pub const fn rules(self) -> PinRules {
        match self {
            PinKind::JukiSignature => PinRules {
                min_len: 4,
                max_len: 16,
                charset: Charset::UpperAlphanumeric,
                needs_letter: false,
                needs_digit: false,
            },
            PinKind::Authentication | PinKind::TextSupport | PinKind::ResidentRegistry => {
                PinKind::digits(4)
            }
            PinKind::VerificationA => PinKind::digits(12),
            PinKind::VerificationB => PinKind::digits(14),
            PinKind::BirthDate => PinKind::digits(6),
            PinKind::Puk => PinKind::digits(8),
            PinKind::Signature => PinRules {
                min_len: 6,
                max_len: 16,
                charset: Charset::UpperAlphanumeric,
                needs_letter: true,
                needs_digit: true,
            },
        }
    }

    /// Exactly `len` digits.
    const fn digits(len: usize) -> PinRules {
        PinRules {
            min_len: len,
            max_len: len,
            charset: Charset::Digits,
            needs_letter: false,
            needs_digit: false,
        }
    }

    /// The retry limit a real card is issued with: authentication 3, signature 5, Juki 5,
    /// text support 3 (spec §1 "Choice"), 住民基本台帳用 PIN 3 (card-map §6); 照合番号A, B
    /// and the birth-date key 10 each (card-map §9, our choice: the real limit is unknown);
    /// the next-generation PUK 3 (NG-sim v1, our choice).
    #[must_use]
    pub const fn default_retry_limit(self) -> u8 {
        match self {
            PinKind::Authentication
            | PinKind::TextSupport
            | PinKind::ResidentRegistry
            | PinKind::Puk => 3,
            PinKind::Signature | PinKind::JukiSignature => 5,
            PinKind::VerificationA | PinKind::VerificationB | PinKind::BirthDate => 10,
        }
    }
}

impl fmt::Display for PinKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PinKind::JukiSignature => "Juki card signature",
            PinKind::Authentication => "user authentication",
            PinKind::Signature => "signature",
            PinKind::TextSupport => "text-support",
            PinKind::VerificationA => "verification number A",
            PinKind::VerificationB => "verification number B",
            PinKind::BirthDate => "birth date",
            PinKind::ResidentRegistry => "resident registry",
            PinKind::Puk => "PUK",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_retry_limits_are_the_real_cards() {
        assert_eq!(PinKind::Authentication.default_retry_limit(), 3);
        assert_eq!(PinKind::Signature.default_retry_limit(), 5);
        assert_eq!(PinKind::JukiSignature.default_retry_limit(), 5);
        assert_eq!(PinKind::TextSupport.default_retry_limit(), 3);
        assert_eq!(PinKind::ResidentRegistry.default_retry_limit(), 3);
        assert_eq!(PinKind::VerificationA.default_retry_limit(), 10);
        assert_eq!(PinKind::VerificationB.default_retry_limit(), 10);
        assert_eq!(PinKind::BirthDate.default_retry_limit(), 10);
        assert_eq!(PinKind::Puk.default_retry_limit(), 3);
    }

    #[test]
    fn the_card_keys_are_fixed_length_digit_strings() {
        for (kind, len) in [
            (PinKind::VerificationA, 12),
            (PinKind::VerificationB, 14),
            (PinKind::BirthDate, 6),
            (PinKind::ResidentRegistry, 4),
            (PinKind::Puk, 8),
        ] {
            let rules = kind.rules();
            assert_eq!((rules.min_len, rules.max_len), (len, len), "{kind}");
            assert_eq!(rules.charset, Charset::Digits, "{kind}");
            assert!(kind.validate("7".repeat(len).as_bytes()).is_ok(), "{kind}");
            assert!(
                kind.validate("7".repeat(len - 1).as_bytes()).is_err(),
                "{kind}"
            );
            assert!(
                kind.validate("7".repeat(len + 1).as_bytes()).is_err(),
                "{kind}"
            );
            let mut letter = "7".repeat(len - 1);
            letter.push('A');
            assert!(kind.validate(letter.as_bytes()).is_err(), "{kind}");
        }
        // 照合番号B of card-map §5's example: 1980-02-17 (昭和55), expiry 2035, code 2285
        assert!(PinKind::VerificationB.validate(b"55021720352285").is_ok());
    }
}
