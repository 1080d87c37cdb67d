//! The holder's text data held by the 券面事項入力補助AP (spec §6).

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::Error;

/// Weights of the My Number check digit, left to right over the first 11 digits (spec §6).
const CHECK_WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// A 12-digit individual number (マイナンバー) whose check digit is valid.
///
/// Personal data: `Debug` is redacted and the digits are wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MyNumber([u8; 12]);

impl MyNumber {
    /// Parses 12 ASCII digits and checks the check digit.
    ///
    /// # Errors
    /// [`Error::InvalidMyNumber`].
    pub fn new(digits: &str) -> Result<Self, Error> {
        let bytes: [u8; 12] = digits
            .as_bytes()
            .try_into()
            .map_err(|_| Error::InvalidMyNumber {
                reason: "it must have exactly 12 digits",
            })?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(Error::InvalidMyNumber {
                reason: "it must consist of digits 0-9",
            });
        }
        let (body, check) = bytes.split_at(11);
        let expected = Self::check_digit(body)?;
        if check != [expected] {
            return Err(Error::InvalidMyNumber {
                reason: "its check digit is wrong",
            });
        }
        Ok(MyNumber(bytes))
    }

    /// Completes 11 ASCII digits with their check digit.
    ///
    /// # Errors
    /// [`Error::InvalidMyNumber`] unless `first_11` is 11 ASCII digits.
    pub fn from_first_11(first_11: &str) -> Result<Self, Error> {
        let body = first_11.as_bytes();
        let check = Self::check_digit(body)?;
        let mut bytes = [0u8; 12];
        for (dst, src) in bytes.iter_mut().zip(body.iter().chain([check].iter())) {
            *dst = *src;
        }
        Ok(MyNumber(bytes))
    }

    /// The check digit (as an ASCII digit) of 11 ASCII digits: weights 6,5,4,3,2,7,6,5,4,3,2;
    /// 11 − (sum mod 11), 0 when that is 10 or 11.
    ///
    /// # Errors
    /// [`Error::InvalidMyNumber`] unless `body` is 11 ASCII digits.
    pub fn check_digit(body: &[u8]) -> Result<u8, Error> {
        if body.len() != 11 || !body.iter().all(u8::is_ascii_digit) {
            return Err(Error::InvalidMyNumber {
                reason: "the first part must be 11 digits",
            });
        }
        let sum: u32 = body
            .iter()
            .zip(CHECK_WEIGHTS)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        let check = 11 - sum % 11;
        let check = if check >= 10 { 0 } else { check };
        // `check` < 10, so the conversion cannot fail; fall back to '0' to stay panic-free.
        Ok(b'0' + u8::try_from(check).unwrap_or(0))
    }

    /// The 12 ASCII digits.
    #[must_use]
    pub fn digits(&self) -> &[u8; 12] {
        &self.0
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MyNumber(<redacted>)")
    }
}

/// Sex as the text-support AP codes it (DF25): `1`, `2` or `9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// `9` (not applicable / not recorded).
    NotApplicable,
}

impl Sex {
    /// The ASCII code stored in DF25.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Sex::Male => b'1',
            Sex::Female => b'2',
            Sex::NotApplicable => b'9',
        }
    }

    /// Parses a DF25 code.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            b'1' => Some(Sex::Male),
            b'2' => Some(Sex::Female),
            b'9' => Some(Sex::NotApplicable),
            _ => None,
        }
    }
}

/// The 4 facts (基本4情報) as printed on the card.
#[derive(Clone, PartialEq, Eq)]
pub struct FourFacts {
    /// Name (氏 + U+3000 + 名), UTF-8.
    pub name: String,
    /// Address, UTF-8, from the prefecture.
    pub address: String,
    /// Date of birth, `YYYYMMDD` ASCII digits.
    pub birth_date: String,
    /// Sex.
    pub sex: Sex,
}

impl FourFacts {
    /// Checks the fields' formats.
    ///
    /// # Errors
    /// [`Error::InvalidFacts`].
    pub fn validate(&self) -> Result<(), Error> {
        let birth = self.birth_date.as_bytes();
        if birth.len() != 8 || !birth.iter().all(u8::is_ascii_digit) {
            return Err(Error::InvalidFacts {
                reason: "the date of birth must be YYYYMMDD",
            });
        }
        if self.name.is_empty() || self.address.is_empty() {
            return Err(Error::InvalidFacts {
                reason: "name and address must not be empty",
            });
        }
        if [&self.name, &self.address]
            .iter()
            .any(|t| t.chars().any(safe_text::is_unsafe_char))
        {
            return Err(Error::InvalidFacts {
                reason: "name or address contains a control character or a bidirectional override; remove it",
            });
        }
        // Each field must fit a 2-byte BER length and the offsets in DF21 (u16).
        if self.name.len() > 1024 || self.address.len() > 4096 {
            return Err(Error::InvalidFacts {
                reason: "name or address is too long",
            });
        }
        Ok(())
    }
}

impl fmt::Debug for FourFacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FourFacts").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_follows_the_public_algorithm() {
        // 1*6+2*5+3*4+4*3+5*2+6*7+7*6+8*5+9*4+0*3+1*2 = 212; 212 mod 11 = 3; 11-3 = 8
        assert_eq!(MyNumber::check_digit(b"12345678901").unwrap(), b'8');
        assert!(MyNumber::new("123456789018").is_ok());
        assert!(MyNumber::new("123456789017").is_err());
        assert!(MyNumber::new("12345678901").is_err());
        assert!(MyNumber::new("12345678901X").is_err());
        // sum mod 11 = 0 or 1 → check digit 0
        // 00000000000: sum 0 → 11 → 0
        assert_eq!(MyNumber::check_digit(b"00000000000").unwrap(), b'0');
        // 00000000005: 5*2 = 10 → 11-10 = 1
        assert_eq!(MyNumber::check_digit(b"00000000005").unwrap(), b'1');
        // 00000000030: 3*3 = 9 → 2
        assert_eq!(MyNumber::check_digit(b"00000000030").unwrap(), b'2');
        // 10000000000 → 6 → 5
        assert_eq!(MyNumber::check_digit(b"10000000000").unwrap(), b'5');
        // 00000100000: 1*7 → 4 ; 00001000001: 2+2=4 → 7 ; 20000000000: 12 mod 11 = 1 → 0
        assert_eq!(MyNumber::check_digit(b"00000100000").unwrap(), b'4');
        assert_eq!(MyNumber::check_digit(b"00001000001").unwrap(), b'7');
        assert_eq!(MyNumber::check_digit(b"20000000000").unwrap(), b'0');
        assert_eq!(
            MyNumber::from_first_11("12345678901").unwrap().digits(),
            b"123456789018"
        );
    }

    #[test]
    fn facts_with_control_characters_or_bidi_overrides_are_refused() {
        let facts = |name: &str, address: &str| FourFacts {
            name: name.to_owned(),
            address: address.to_owned(),
            birth_date: "19900101".to_owned(),
            sex: Sex::Female,
        };
        assert!(
            facts("番号\u{3000}花子", "東京都千代田区")
                .validate()
                .is_ok()
        );
        for bad in [
            "\u{1b}[2J",
            "\u{7}",
            "\n",
            "\r",
            "\u{85}",
            "\u{202e}",
            "\u{2066}",
        ] {
            assert!(
                matches!(
                    facts(&format!("番号{bad}"), "東京都").validate(),
                    Err(Error::InvalidFacts { .. })
                ),
                "{bad:?}"
            );
            assert!(
                facts("番号", &format!("東京都{bad}")).validate().is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn my_number_debug_is_redacted() {
        let n = MyNumber::new("123456789018").unwrap();
        assert!(!format!("{n:?}").contains("1234"));
    }
}
