//! Holder data: the 4 facts (基本4情報) and the municipality, as a signature certificate carries them.

use time::{Date, Month};

use crate::Error;

/// A piece of card text: characters as registered, or a substitute (e.g. kana for a kanji the
/// character set lacks).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TextPart {
    /// Characters written as registered.
    Plain(String),
    /// Characters written in place of ones that cannot be represented (the "kana fallback").
    Substitute(String),
}

/// Text of a name or address, with the substitute-character positions derivable from it.
///
/// The certificate carries the text and a string with one `0` (as registered) or `1`
/// (substitute) per character; [`CardText::substitute_positions`] derives the latter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CardText {
    parts: Vec<TextPart>,
}

impl CardText {
    /// Text with no substituted characters.
    pub fn plain(text: impl Into<String>) -> Self {
        Self::default().then_plain(text)
    }

    /// Appends characters as registered.
    #[must_use]
    pub fn then_plain(self, text: impl Into<String>) -> Self {
        self.push(TextPart::Plain(text.into()))
    }

    /// Appends substitute characters (kana fallback).
    #[must_use]
    pub fn then_substitute(self, text: impl Into<String>) -> Self {
        self.push(TextPart::Substitute(text.into()))
    }

    fn push(mut self, part: TextPart) -> Self {
        let text_of = |p: &TextPart| match p {
            TextPart::Plain(s) | TextPart::Substitute(s) => s.is_empty(),
        };
        if text_of(&part) {
            return self;
        }
        // Keep a canonical form: adjacent parts of the same kind merge.
        match (self.parts.last_mut(), part) {
            (Some(TextPart::Plain(a)), TextPart::Plain(b))
            | (Some(TextPart::Substitute(a)), TextPart::Substitute(b)) => a.push_str(&b),
            (_, part) => self.parts.push(part),
        }
        self
    }

    /// The parts in order (adjacent parts always differ in kind).
    pub fn parts(&self) -> &[TextPart] {
        &self.parts
    }

    /// The text as written in the certificate.
    pub fn text(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                TextPart::Plain(s) | TextPart::Substitute(s) => s.as_str(),
            })
            .collect()
    }

    /// One `0`/`1` per character of [`text`](Self::text): `1` marks a substitute.
    pub fn substitute_positions(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            let (s, flag) = match p {
                TextPart::Plain(s) => (s, '0'),
                TextPart::Substitute(s) => (s, '1'),
            };
            out.extend(std::iter::repeat_n(flag, s.chars().count()));
        }
        out
    }

    /// Rebuilds the text from the certificate's two strings.
    pub fn from_positions(text: &str, positions: &str, field: &'static str) -> Result<Self, Error> {
        if text.chars().count() != positions.chars().count() {
            return Err(Error::BadFourFacts {
                field,
                reason: "substitute-position string length differs from the text",
            });
        }
        let mut out = Self::default();
        for (c, flag) in text.chars().zip(positions.chars()) {
            let mut buf = [0u8; 4];
            let s: &str = c.encode_utf8(&mut buf);
            out = match flag {
                '0' => out.then_plain(s),
                '1' => out.then_substitute(s),
                _ => {
                    return Err(Error::BadFourFacts {
                        field,
                        reason: "substitute positions must be 0 or 1",
                    });
                }
            };
        }
        Ok(out)
    }
}

/// Gender as the signature certificate encodes it (`1`, `2`, `3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gender {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// `3`.
    Unknown,
}

impl Gender {
    /// The certificate's digit.
    pub fn code(self) -> char {
        match self {
            Self::Male => '1',
            Self::Female => '2',
            Self::Unknown => '3',
        }
    }

    /// Parses the certificate's digit.
    pub fn from_code(s: &str) -> Result<Self, Error> {
        match s {
            "1" => Ok(Self::Male),
            "2" => Ok(Self::Female),
            "3" => Ok(Self::Unknown),
            _ => Err(Error::BadFourFacts {
                field: "gender",
                reason: "must be 1, 2 or 3",
            }),
        }
    }
}

/// Japanese era digits of the date-of-birth field (`E` in `EYYYYMMDD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Era {
    /// `0`: unknown / before Meiji.
    Unknown,
    /// `1` 明治 (from 1868-10-23).
    Meiji,
    /// `2` 大正 (from 1912-07-30).
    Taisho,
    /// `3` 昭和 (from 1926-12-25).
    Showa,
    /// `4` 平成 (from 1989-01-08).
    Heisei,
    /// `5` 令和 (from 2019-05-01).
    Reiwa,
}

impl Era {
    /// The era a Gregorian date falls in.
    pub fn of(date: Date) -> Self {
        let ymd = (date.year(), u8::from(date.month()), date.day());
        if ymd >= (2019, 5, 1) {
            Self::Reiwa
        } else if ymd >= (1989, 1, 8) {
            Self::Heisei
        } else if ymd >= (1926, 12, 25) {
            Self::Showa
        } else if ymd >= (1912, 7, 30) {
            Self::Taisho
        } else if ymd >= (1868, 10, 23) {
            Self::Meiji
        } else {
            Self::Unknown
        }
    }

    /// The certificate's digit.
    pub fn digit(self) -> char {
        match self {
            Self::Unknown => '0',
            Self::Meiji => '1',
            Self::Taisho => '2',
            Self::Showa => '3',
            Self::Heisei => '4',
            Self::Reiwa => '5',
        }
    }

    fn from_digit(c: u8) -> Option<Self> {
        Some(match c {
            b'0' => Self::Unknown,
            b'1' => Self::Meiji,
            b'2' => Self::Taisho,
            b'3' => Self::Showa,
            b'4' => Self::Heisei,
            b'5' => Self::Reiwa,
            _ => return None,
        })
    }
}

/// Encodes a birth date as `EYYYYMMDD` (era digit + Gregorian date).
pub fn encode_birth_date(date: Date) -> Result<String, Error> {
    if !(1..=9999).contains(&date.year()) {
        return Err(Error::BadHolder {
            field: "birth_date",
            reason: "year must have four digits",
        });
    }
    Ok(format!(
        "{}{:04}{:02}{:02}",
        Era::of(date).digit(),
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// Decodes `EYYYYMMDD`. The era digit must be `0` or agree with the date.
pub fn decode_birth_date(s: &str) -> Result<(Era, Date), Error> {
    let bad = |reason| Error::BadFourFacts {
        field: "birth_date",
        reason,
    };
    let b = s.as_bytes();
    if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
        return Err(bad("must be 9 digits EYYYYMMDD"));
    }
    let num = |r: std::ops::Range<usize>| {
        b.get(r)
            .unwrap_or_default()
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let era = b
        .first()
        .and_then(|&c| Era::from_digit(c))
        .ok_or_else(|| bad("era digit must be 0–5"))?;
    let year = i32::try_from(num(1..5)).map_err(|_| bad("year out of range"))?;
    let month = u8::try_from(num(5..7))
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| bad("month out of range"))?;
    let day = u8::try_from(num(7..9)).map_err(|_| bad("day out of range"))?;
    let date = Date::from_calendar_date(year, month, day).map_err(|_| bad("no such date"))?;
    if era != Era::Unknown && era != Era::of(date) {
        return Err(bad("era digit does not match the Gregorian date"));
    }
    Ok((era, date))
}

/// Everything a signature certificate says about its holder.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Holder {
    /// Name: 氏 + U+3000 + 名, with substitutes marked.
    pub name: CardText,
    /// Full-width address from the prefecture on (≤ 200 characters), with substitutes marked.
    pub address: CardText,
    /// Date of birth (Gregorian; the era digit is derived).
    pub birth_date: Date,
    /// Gender.
    pub gender: Gender,
    /// Registered municipality.
    pub municipality: Municipality,
}

/// The earliest date of birth a certificate can state: 1868-01-25, the first day of Meiji 1
/// (明治元年1月1日) in the Gregorian calendar. The era digit has no era before it.
pub const EARLIEST_BIRTH_DATE: Date = time::macros::date!(1868 - 01 - 25);

impl Holder {
    /// Checks the holder data can be written into a certificate: name and address present,
    /// the address at most 200 characters, no control character or bidirectional override
    /// in the name and address ([`crate::text::is_unsafe_char`]), the municipality in romaji
    /// ([`Municipality::validate`]), a date of birth from
    /// [`EARLIEST_BIRTH_DATE`] on.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |field, reason| Err(Error::BadHolder { field, reason });
        let name = self.name.text();
        if name.is_empty() {
            return bad("name", "must not be empty");
        }
        let address = self.address.text();
        if address.is_empty() {
            return bad("address", "must not be empty");
        }
        if address.chars().count() > 200 {
            return bad("address", "longer than 200 characters");
        }
        self.municipality.validate()?;
        for (field, text) in [("name", name.as_str()), ("address", address.as_str())] {
            if text.chars().any(crate::text::is_unsafe_char) {
                return bad(
                    field,
                    "contains a control character or a bidirectional override; remove it",
                );
            }
        }
        if self.birth_date < EARLIEST_BIRTH_DATE {
            return bad(
                "birth_date",
                "is before 1868-01-25 (Meiji 1): no era digit exists for it",
            );
        }
        encode_birth_date(self.birth_date).map(|_| ())
    }

    /// [`validate`](Self::validate), and the date of birth is not after `today` (the issuing
    /// date, in JST).
    pub fn validate_on(&self, today: Date) -> Result<(), Error> {
        self.validate()?;
        if self.birth_date > today {
            return Err(Error::BadHolder {
                field: "birth_date",
                reason: "is in the future",
            });
        }
        Ok(())
    }
}

/// The 4 facts decoded from a signature certificate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FourFacts {
    /// Name with substitutes marked.
    pub name: CardText,
    /// Era digit as written.
    pub era: Era,
    /// Date of birth.
    pub birth_date: Date,
    /// Gender.
    pub gender: Gender,
    /// Address with substitutes marked.
    pub address: CardText,
}

mod municipality;
pub use municipality::{Locality, Municipality, MunicipalityCode, PREFECTURES};

#[cfg(test)]
mod tests;
