//! End-entity subject common names with the real structure (spec §7.1), as validated types.
//!
//! Real certificates show (observed, structure only):
//! * authentication: 23 characters = 14 characters + the 5-digit municipality code (団体コード
//!   without its check digit, e.g. `14104`) + `003A`;
//! * signature: 28 characters = `YYYYMMDDhhmmss` of the request + a 5-digit sequence + a
//!   9-character window ID.
//!
//! Choices (the meaning of these parts is not public):
//! * the authentication CN's 14 leading characters are `YYMMDDhhmm` (JST) of the request followed
//!   by a 4-digit sequence number (`0000`–`9999`) that tells apart requests of the same minute;
//! * the signature CN's time is JST, and its window ID is the 5-digit municipality code followed
//!   by a 4-digit window number (`0000`–`9999`) of that municipality's office; parsing accepts
//!   any 9 characters of `0-9A-Z`, as real window IDs are not documented further.
//!
//! Parsing ([`AuthenticationCommonName::parse`], [`SignatureCommonName::parse`]) checks only the
//! observed structure (lengths, character classes, the fixed `003A`), so real certificates parse.

use std::fmt;

use time::OffsetDateTime;

use crate::Error;
use crate::validity::JST;

/// The fixed suffix of an authentication CN (observed on real certificates).
pub const AUTHENTICATION_SUFFIX: &str = "003A";
/// Length of an authentication certificate's CN.
pub const AUTHENTICATION_LEN: usize = 23;
/// Length of a signature certificate's CN.
pub const SIGNATURE_LEN: usize = 28;

fn bad(kind: &'static str, reason: &'static str) -> Error {
    Error::BadCommonName { kind, reason }
}

fn all(s: &str, class: fn(&u8) -> bool) -> bool {
    s.as_bytes().iter().all(class)
}

fn upper_alnum(b: &u8) -> bool {
    b.is_ascii_digit() || b.is_ascii_uppercase()
}

/// Checks a 団体コード given without its check digit: exactly 5 ASCII digits.
fn check_code<'a>(kind: &'static str, code: &'a str) -> Result<&'a str, Error> {
    if code.len() == 5 && all(code, u8::is_ascii_digit) {
        Ok(code)
    } else if code.len() == 6 && all(code, u8::is_ascii_digit) {
        Err(bad(
            kind,
            "the municipality code has 6 digits: give the 団体コード without its check digit (5 digits, e.g. 13101)",
        ))
    } else {
        Err(bad(
            kind,
            "the municipality code must be 5 ASCII digits (団体コード without its check digit, e.g. 13101)",
        ))
    }
}

/// The JST calendar fields of an instant, refusing years outside 0000–9999.
fn jst_fields(kind: &'static str, t: OffsetDateTime) -> Result<(i32, u8, u8, u8, u8, u8), Error> {
    let t = t.to_offset(JST);
    if !(0..=9999).contains(&t.year()) {
        return Err(bad(
            kind,
            "the request time must fall within the years 0000 to 9999",
        ));
    }
    Ok((
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    ))
}

/// The CN of a user-authentication certificate: 23 characters, `<14><5-digit code>003A`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuthenticationCommonName(String);

impl AuthenticationCommonName {
    /// `YYMMDDhhmm` (JST) of `requested_at` + the 4-digit `sequence` + the 5-digit
    /// `municipality_code` + `003A` (see the module's choices).
    ///
    /// # Errors
    /// [`Error::BadCommonName`] if `sequence` exceeds 9999 or the code is not 5 digits.
    pub fn new(
        requested_at: OffsetDateTime,
        sequence: u16,
        municipality_code: &str,
    ) -> Result<Self, Error> {
        const KIND: &str = "authentication";
        if sequence > 9999 {
            return Err(bad(
                KIND,
                "the sequence number must be 0 to 9999 (4 digits)",
            ));
        }
        let code = check_code(KIND, municipality_code)?;
        let (y, mo, d, h, mi, _) = jst_fields(KIND, requested_at)?;
        Self::parse(&format!(
            "{:02}{mo:02}{d:02}{h:02}{mi:02}{sequence:04}{code}{AUTHENTICATION_SUFFIX}",
            y % 100
        ))
    }

    /// Checks the observed structure: 23 characters, the first 14 of `0-9A-Z`, then 5 digits,
    /// then `003A`.
    ///
    /// # Errors
    /// [`Error::BadCommonName`] naming the part that differs.
    pub fn parse(cn: &str) -> Result<Self, Error> {
        const KIND: &str = "authentication";
        if cn.len() != AUTHENTICATION_LEN || !cn.is_ascii() {
            return Err(bad(KIND, "must be 23 ASCII characters"));
        }
        let (head, rest) = cn.split_at(14);
        let (code, suffix) = rest.split_at(5);
        if !all(head, upper_alnum) {
            return Err(bad(KIND, "the first 14 characters must be 0-9 or A-Z"));
        }
        check_code(KIND, code)?;
        if suffix != AUTHENTICATION_SUFFIX {
            return Err(bad(KIND, "must end with 003A"));
        }
        Ok(Self(cn.to_owned()))
    }

    /// The CN text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 5-digit municipality code (characters 15–19).
    pub fn municipality_code(&self) -> &str {
        self.0.get(14..19).unwrap_or_default()
    }
}

/// A 9-character window ID (`0-9A-Z`) ending a signature CN.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WindowId(String);

impl WindowId {
    /// The window ID of our choice: the 5-digit municipality code + a 4-digit window number.
    ///
    /// # Errors
    /// [`Error::BadCommonName`] if the code is not 5 digits or `window` exceeds 9999.
    pub fn new(municipality_code: &str, window: u16) -> Result<Self, Error> {
        const KIND: &str = "window ID";
        let code = check_code(KIND, municipality_code)?;
        if window > 9999 {
            return Err(bad(KIND, "the window number must be 0 to 9999 (4 digits)"));
        }
        Ok(Self(format!("{code}{window:04}")))
    }

    /// Any 9 characters of `0-9A-Z` (real window IDs are not documented further).
    ///
    /// # Errors
    /// [`Error::BadCommonName`] otherwise.
    pub fn parse(id: &str) -> Result<Self, Error> {
        if id.len() == 9 && all(id, upper_alnum) {
            Ok(Self(id.to_owned()))
        } else {
            Err(bad("window ID", "must be 9 characters of 0-9 or A-Z"))
        }
    }

    /// The ID text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The CN of a signature certificate: 28 characters, `YYYYMMDDhhmmss` + 5-digit sequence +
/// 9-character window ID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SignatureCommonName(String);

impl SignatureCommonName {
    /// `YYYYMMDDhhmmss` (JST) of `requested_at` + the 5-digit `sequence` + `window`.
    ///
    /// # Errors
    /// [`Error::BadCommonName`] if `sequence` exceeds 99999 or the year is outside 0000–9999.
    pub fn new(
        requested_at: OffsetDateTime,
        sequence: u32,
        window: &WindowId,
    ) -> Result<Self, Error> {
        const KIND: &str = "signature";
        if sequence > 99_999 {
            return Err(bad(
                KIND,
                "the sequence number must be 0 to 99999 (5 digits)",
            ));
        }
        let (y, mo, d, h, mi, s) = jst_fields(KIND, requested_at)?;
        Self::parse(&format!(
            "{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}{sequence:05}{}",
            window.as_str()
        ))
    }

    /// Checks the observed structure: 28 characters, 14 digits of a time, 5 digits, then a
    /// 9-character window ID of `0-9A-Z`.
    ///
    /// # Errors
    /// [`Error::BadCommonName`] naming the part that differs.
    pub fn parse(cn: &str) -> Result<Self, Error> {
        const KIND: &str = "signature";
        if cn.len() != SIGNATURE_LEN || !cn.is_ascii() {
            return Err(bad(KIND, "must be 28 ASCII characters"));
        }
        let (stamp, rest) = cn.split_at(14);
        let (sequence, window) = rest.split_at(5);
        if !all(stamp, u8::is_ascii_digit) {
            return Err(bad(
                KIND,
                "the first 14 characters must be digits (YYYYMMDDhhmmss)",
            ));
        }
        if !all(sequence, u8::is_ascii_digit) {
            return Err(bad(
                KIND,
                "characters 15 to 19 must be digits (the sequence)",
            ));
        }
        WindowId::parse(window)?;
        Ok(Self(cn.to_owned()))
    }

    /// The CN text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The window ID (the last 9 characters).
    pub fn window_id(&self) -> &str {
        self.0.get(19..).unwrap_or_default()
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
display_as_str!(AuthenticationCommonName, WindowId, SignatureCommonName);

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn authentication_cn_has_the_real_structure() {
        // 2025-06-02 01:23:45 UTC is 10:23 JST.
        let cn =
            AuthenticationCommonName::new(datetime!(2025-06-02 01:23:45 UTC), 7, "13101").unwrap();
        assert_eq!(cn.as_str(), "2506021023000713101003A");
        assert_eq!(cn.as_str().len(), 23);
        assert_eq!(cn.municipality_code(), "13101");
    }

    #[test]
    fn signature_cn_has_the_real_structure() {
        // 2025-06-02 15:04:05 UTC is 2025-06-03 00:04:05 JST: the JST date.
        let window = WindowId::new("14104", 12).unwrap();
        let cn = SignatureCommonName::new(datetime!(2025-06-02 15:04:05 UTC), 42, &window).unwrap();
        assert_eq!(cn.as_str(), "2025060300040500042141040012");
        assert_eq!(cn.as_str().len(), 28);
        assert_eq!(cn.window_id(), "141040012");
    }

    #[test]
    fn bad_inputs_are_refused_with_the_reason() {
        let t = datetime!(2025-06-02 01:23:45 UTC);
        let reason = |e: Error| match e {
            Error::BadCommonName { reason, .. } => reason,
            other => panic!("unexpected {other:?}"),
        };
        assert!(
            reason(AuthenticationCommonName::new(t, 1, "131016").unwrap_err())
                .contains("without its check digit")
        );
        assert!(
            reason(AuthenticationCommonName::new(t, 1, "1310A").unwrap_err())
                .contains("5 ASCII digits")
        );
        assert!(
            reason(AuthenticationCommonName::new(t, 10_000, "13101").unwrap_err())
                .contains("0 to 9999")
        );
        assert!(reason(WindowId::new("13101", 10_000).unwrap_err()).contains("0 to 9999"));
        let w = WindowId::new("13101", 1).unwrap();
        assert!(
            reason(SignatureCommonName::new(t, 100_000, &w).unwrap_err()).contains("0 to 99999")
        );
    }

    #[test]
    fn parse_checks_each_part() {
        AuthenticationCommonName::parse("ABCDEFGHIJ0123141040003A").unwrap_err();
        AuthenticationCommonName::parse("ABCDEFGHIJ012314104003A").unwrap();
        AuthenticationCommonName::parse("ABCDEFGHIJ012314104003B").unwrap_err();
        AuthenticationCommonName::parse("abcdefghij012314104003A").unwrap_err();
        AuthenticationCommonName::parse("ABCDEFGHIJ01231410X003A").unwrap_err();
        // multi-byte text of the right byte length is not ASCII
        AuthenticationCommonName::parse("ＡBCDEFGHIJ0114104003A").unwrap_err();
        SignatureCommonName::parse("2025060300040500042141040012").unwrap();
        SignatureCommonName::parse("2025060300040500042AB1C2D3E4").unwrap();
        SignatureCommonName::parse("2025060300040500042abcdefghi").unwrap_err();
        SignatureCommonName::parse("20250603000405000A2141040012").unwrap_err();
        SignatureCommonName::parse("2025060300040500042141040012X").unwrap_err();
    }
}
