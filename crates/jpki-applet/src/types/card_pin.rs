//! Every PIN and key reference of the whole card (card-map §3–§7), and the 照合番号 a holder
//! types to open the card-face check application (card-map §5).

use core::fmt;

use zeroize::Zeroizing;

/// Whether a 12-digit My Number has the right check digit (weights 6,5,4,3,2,7,6,5,4,3,2;
/// `11 − (sum mod 11)`, and 0 when that is 10 or 11).
///
/// ```
/// assert!(jpki_applet::my_number_check_digit_ok("123456789018"));
/// assert!(!jpki_applet::my_number_check_digit_ok("123456789019"));
/// assert!(!jpki_applet::my_number_check_digit_ok("12345678901"));
/// ```
#[must_use]
pub fn my_number_check_digit_ok(number: &str) -> bool {
    const WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 12 || number.len() != 12 {
        return false;
    }
    let (body, check) = digits.split_at(11);
    let sum: u32 = body.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    let expected = match 11 - sum % 11 {
        10 | 11 => 0,
        n => n,
    };
    check == [expected]
}

/// A key reference of the card that VERIFY checks, in any application: what `pin status`
/// lists. Where each lives is the file map's business ([`CardPin::location`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardPin {
    /// JPKI 利用者証明用 PIN, `0018`.
    JpkiAuth,
    /// JPKI 署名用 password, `001B`.
    JpkiSign,
    /// 券面事項入力補助AP PIN, `0011`.
    TextSupportPin,
    /// 券面事項入力補助AP 照合番号A (the My Number), `0014`.
    TextSupportNumberA,
    /// 券面事項入力補助AP 照合番号B, `0015`.
    TextSupportNumberB,
    /// 券面事項確認AP birth-date key (Japanese-era `YYMMDD`), `0011`.
    FaceBirthDate,
    /// 券面事項確認AP 照合番号B, `0012`.
    FaceNumberB,
    /// 券面事項確認AP 照合番号A, `0013`.
    FaceNumberA,
    /// 共通カードAP PIN, `001C`.
    CommonPin,
    /// 住基AP PIN, `001C`.
    JukiPin,
}

impl CardPin {
    /// All of them, in the order `pin status` lists them.
    pub const ALL: [Self; 10] = [
        Self::JpkiAuth,
        Self::JpkiSign,
        Self::TextSupportPin,
        Self::TextSupportNumberA,
        Self::TextSupportNumberB,
        Self::FaceBirthDate,
        Self::FaceNumberB,
        Self::FaceNumberA,
        Self::CommonPin,
        Self::JukiPin,
    ];

    /// A short machine name (the key of `pin status --json`).
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::JpkiAuth => "auth",
            Self::JpkiSign => "sign",
            Self::TextSupportPin => "text_support",
            Self::TextSupportNumberA => "text_support_number_a",
            Self::TextSupportNumberB => "text_support_number_b",
            Self::FaceBirthDate => "face_birth_date",
            Self::FaceNumberB => "face_number_b",
            Self::FaceNumberA => "face_number_a",
            Self::CommonPin => "common",
            Self::JukiPin => "juki",
        }
    }

    /// The 照合番号 reference of the card-face check application for a number of `kind`.
    #[must_use]
    pub const fn face_number(kind: NumberKind) -> Self {
        match kind {
            NumberKind::A => Self::FaceNumberA,
            NumberKind::B => Self::FaceNumberB,
        }
    }
}

impl fmt::Display for CardPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::JpkiAuth => "authentication PIN",
            Self::JpkiSign => "signature PIN",
            Self::TextSupportPin => "text-support PIN",
            Self::TextSupportNumberA => "text-support 照合番号A",
            Self::TextSupportNumberB => "text-support 照合番号B",
            Self::FaceBirthDate => "card-face birth-date key",
            Self::FaceNumberB => "card-face 照合番号B",
            Self::FaceNumberA => "card-face 照合番号A",
            Self::CommonPin => "common-card PIN",
            Self::JukiPin => "resident-registry PIN",
        })
    }
}

/// Which 照合番号.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumberKind {
    /// 照合番号A: the 12-digit My Number.
    A,
    /// 照合番号B: birth date as Japanese-era `YYMMDD` + expiry year `YYYY` + the 4-digit
    /// security code, 14 digits.
    B,
}

impl fmt::Display for NumberKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::A => "照合番号A",
            Self::B => "照合番号B",
        })
    }
}

/// A 照合番号 (verification number), format-checked before it is ever sent: A by 12 digits
/// (with the My Number check digit), B by 14 (a plausible era month and day), as clients pick
/// them by length (card-map §5, jpki-rs). Its digits are wiped on drop and never printed.
#[derive(Clone)]
pub struct VerificationNumber {
    kind: NumberKind,
    digits: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for VerificationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationNumber")
            .field("kind", &self.kind)
            .field("digits", &"<redacted>")
            .finish()
    }
}

impl VerificationNumber {
    /// Checks the format and picks A or B by length.
    ///
    /// # Errors
    /// A reason a person understands; the value itself is never in it.
    pub fn parse(value: &[u8]) -> Result<Self, &'static str> {
        if !value.iter().all(u8::is_ascii_digit) {
            return Err("a 照合番号 is digits only");
        }
        let kind = match value.len() {
            12 => {
                let text = core::str::from_utf8(value).map_err(|_| "not digits")?;
                if !my_number_check_digit_ok(text) {
                    return Err("照合番号A (the My Number) has a wrong check digit");
                }
                NumberKind::A
            }
            14 => {
                let two = |at: usize| -> u8 {
                    value
                        .get(at..at + 2)
                        .map_or(0, |d| d.iter().fold(0, |n, b| n * 10 + (b - b'0')))
                };
                if !(1..=12).contains(&two(2)) || !(1..=31).contains(&two(4)) {
                    return Err(
                        "照合番号B starts with the birth date as era YYMMDD: month or day out of range",
                    );
                }
                NumberKind::B
            }
            _ => {
                return Err(
                    "a 照合番号 is 12 digits (A, the My Number) or 14 digits (B: era birth date YYMMDD, expiry year, security code)",
                );
            }
        };
        Ok(Self {
            kind,
            digits: Zeroizing::new(value.to_vec()),
        })
    }

    /// A or B.
    #[must_use]
    pub const fn kind(&self) -> NumberKind {
        self.kind
    }

    /// The digits, for the VERIFY command only.
    pub(crate) fn expose_secret(&self) -> &[u8] {
        &self.digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_digits_are_a_fourteen_are_b_and_nothing_else_is_sent() {
        assert_eq!(
            VerificationNumber::parse(b"123456789018").unwrap().kind(),
            NumberKind::A
        );
        // card-map §5: 1980-02-17 (昭和55), expiry 2035, code 2285
        assert_eq!(
            VerificationNumber::parse(b"55021720352285").unwrap().kind(),
            NumberKind::B
        );
        for bad in [
            &b"123456789019"[..], // wrong check digit
            b"55131720352285",    // month 13
            b"55020020352285",    // day 00
            b"1234567890",
            b"1234567890123",
            b"12345678901x",
            b"",
        ] {
            assert!(VerificationNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_digits() {
        let n = VerificationNumber::parse(b"55021720352285").unwrap();
        assert!(!format!("{n:?}").contains("5502"));
    }

    #[test]
    fn keys_are_distinct() {
        let mut keys: Vec<_> = CardPin::ALL.iter().map(|p| p.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), CardPin::ALL.len());
    }
}
