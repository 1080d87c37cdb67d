//! Checking a PIN against its kind's format rule (spec §1, §6).

use crate::error::Error;
use crate::kind::PinKind;

impl PinKind {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Charset;

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
}
