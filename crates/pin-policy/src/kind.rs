//! The four JPKI PINs and their format rules (spec §1, §6).

use core::fmt;

use crate::error::Error;

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
    pub const ALL: [PinKind; 4] = [
        PinKind::JukiSignature,
        PinKind::Authentication,
        PinKind::Signature,
        PinKind::TextSupport,
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
            PinKind::Authentication | PinKind::TextSupport => PinRules {
                min_len: 4,
                max_len: 4,
                charset: Charset::Digits,
                needs_letter: false,
                needs_digit: false,
            },
            PinKind::Signature => PinRules {
                min_len: 6,
                max_len: 16,
                charset: Charset::UpperAlphanumeric,
                needs_letter: true,
                needs_digit: true,
            },
        }
    }

    /// The retry limit a real card is issued with: authentication 3, signature 5, Juki 5,
    /// text support 3 (spec §1 "Choice").
    #[must_use]
    pub const fn default_retry_limit(self) -> u8 {
        match self {
            PinKind::Authentication | PinKind::TextSupport => 3,
            PinKind::Signature | PinKind::JukiSignature => 5,
        }
    }

    /// Checks `pin` against this kind's format rule.
    ///
    /// Rules are checked in this order and the first broken one is reported: length, allowed
    /// characters (first offending position), at least one letter, at least one digit.
    ///
    /// # Errors
    /// [`Error::TooShort`], [`Error::TooLong`], [`Error::BadCharacter`], [`Error::MissingLetter`]
    /// or [`Error::MissingDigit`].
    pub fn validate(self, pin: &[u8]) -> Result<(), Error> {
        let rules = self.rules();
        let len = pin.len();
        if len < rules.min_len {
            return Err(Error::TooShort {
                kind: self,
                len,
                min: rules.min_len,
                max: rules.max_len,
            });
        }
        if len > rules.max_len {
            return Err(Error::TooLong {
                kind: self,
                len,
                min: rules.min_len,
                max: rules.max_len,
            });
        }
        if let Some(index) = pin.iter().position(|&b| !rules.charset.contains(b)) {
            return Err(Error::BadCharacter {
                kind: self,
                position: index + 1,
                allowed: rules.charset,
            });
        }
        if rules.needs_letter && !pin.iter().any(u8::is_ascii_uppercase) {
            return Err(Error::MissingLetter { kind: self });
        }
        if rules.needs_digit && !pin.iter().any(u8::is_ascii_digit) {
            return Err(Error::MissingDigit { kind: self });
        }
        Ok(())
    }
}

impl fmt::Display for PinKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PinKind::JukiSignature => "Juki card signature",
            PinKind::Authentication => "user authentication",
            PinKind::Signature => "signature",
            PinKind::TextSupport => "text-support",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication_pin_needs_exactly_four_digits() {
        assert_eq!(PinKind::Authentication.validate(b"1234"), Ok(()));
        assert_eq!(
            PinKind::Authentication.validate(b"123"),
            Err(Error::TooShort {
                kind: PinKind::Authentication,
                len: 3,
                min: 4,
                max: 4
            })
        );
        assert_eq!(
            PinKind::Authentication.validate(b"12345"),
            Err(Error::TooLong {
                kind: PinKind::Authentication,
                len: 5,
                min: 4,
                max: 4
            })
        );
        assert_eq!(
            PinKind::Authentication.validate(b"12a4"),
            Err(Error::BadCharacter {
                kind: PinKind::Authentication,
                position: 3,
                allowed: Charset::Digits
            })
        );
    }

    #[test]
    fn signature_pin_needs_a_letter_and_a_digit() {
        assert_eq!(PinKind::Signature.validate(b"ABC123"), Ok(()));
        assert_eq!(PinKind::Signature.validate(b"1A1A1A1A1A1A1A1A"), Ok(()));
        assert_eq!(
            PinKind::Signature.validate(b"123456"),
            Err(Error::MissingLetter {
                kind: PinKind::Signature
            })
        );
        assert_eq!(
            PinKind::Signature.validate(b"ABCDEF"),
            Err(Error::MissingDigit {
                kind: PinKind::Signature
            })
        );
        assert_eq!(
            PinKind::Signature.validate(b"abc123"),
            Err(Error::BadCharacter {
                kind: PinKind::Signature,
                position: 1,
                allowed: Charset::UpperAlphanumeric
            })
        );
        assert!(matches!(
            PinKind::Signature.validate(b"AB12"),
            Err(Error::TooShort {
                min: 6,
                max: 16,
                ..
            })
        ));
        assert!(matches!(
            PinKind::Signature.validate(b"AB12AB12AB12AB12A"),
            Err(Error::TooLong { len: 17, .. })
        ));
    }

    #[test]
    fn juki_pin_allows_letters_only_or_digits_only() {
        assert_eq!(PinKind::JukiSignature.validate(b"ABCD"), Ok(()));
        assert_eq!(PinKind::JukiSignature.validate(b"0000"), Ok(()));
        assert!(PinKind::JukiSignature.validate(b"AB-D").is_err());
    }

    #[test]
    fn error_message_names_the_rule_but_not_the_character() {
        let err = PinKind::Signature.validate(b"ABC12x").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("character 6"), "{msg}");
        assert!(!msg.contains('x'), "{msg}");
        let msg = PinKind::Authentication
            .validate(b"1")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("too short") && msg.contains('4'), "{msg}");
    }

    #[test]
    fn default_retry_limits_are_the_real_cards() {
        assert_eq!(PinKind::Authentication.default_retry_limit(), 3);
        assert_eq!(PinKind::Signature.default_retry_limit(), 5);
        assert_eq!(PinKind::JukiSignature.default_retry_limit(), 5);
        assert_eq!(PinKind::TextSupport.default_retry_limit(), 3);
    }
}
