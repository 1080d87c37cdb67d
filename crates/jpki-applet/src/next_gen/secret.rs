//! The three secrets of the next-generation 認証AP and their format rules
//! (shared/next-gen-profile.md §2.3), checked before anything is sent: a secret that cannot be
//! right never costs a try.

use core::fmt;

use zeroize::Zeroizing;

use super::ids;

/// A secret of the 認証AP (VERIFY P2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NgSecret {
    /// 署名用パスワード (reference `81`): 6–16 `A–Z`/`0–9`, at least one letter and one digit.
    /// Once verified it satisfies every condition of the 4-digit PIN.
    SignPassword,
    /// 暗証番号 (reference `82`): 4 digits; unlocks the authentication key and the My Number.
    Pin4,
    /// PUK (reference `83`): 8 digits, optional, set after the signing password; it re-sets
    /// the 4-digit PIN only.
    Puk,
}

impl NgSecret {
    /// All three, in the order `pin status` lists them.
    pub const ALL: [Self; 3] = [Self::SignPassword, Self::Pin4, Self::Puk];

    /// The reference (VERIFY / CHANGE REFERENCE DATA P2).
    #[must_use]
    pub const fn reference(self) -> u8 {
        match self {
            Self::SignPassword => ids::secret::SIGN_PASSWORD,
            Self::Pin4 => ids::secret::PIN4,
            Self::Puk => ids::secret::PUK,
        }
    }

    /// A short machine name (the key of `pin status --json`).
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::SignPassword => "sign_password",
            Self::Pin4 => "pin4",
            Self::Puk => "puk",
        }
    }

    /// Checks `value` against this secret's format rule; the reason never contains the value.
    ///
    /// ```
    /// use jpki_applet::NgSecret;
    /// assert!(NgSecret::SignPassword.check_format(b"ABC123").is_ok());
    /// assert!(NgSecret::SignPassword.check_format(b"ABCDEF").is_err()); // no digit
    /// assert!(NgSecret::Pin4.check_format(b"1234").is_ok());
    /// assert!(NgSecret::Puk.check_format(b"1234567").is_err());
    /// ```
    ///
    /// # Errors
    /// Which rule `value` breaks.
    pub fn check_format(self, value: &[u8]) -> Result<(), &'static str> {
        match self {
            Self::SignPassword => {
                if !(6..=16).contains(&value.len()) {
                    return Err("the signing password is 6 to 16 characters");
                }
                if !value
                    .iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                {
                    return Err("the signing password is upper-case letters A-Z and digits 0-9");
                }
                if !value.iter().any(u8::is_ascii_uppercase)
                    || !value.iter().any(u8::is_ascii_digit)
                {
                    return Err("the signing password needs at least one letter and one digit");
                }
                Ok(())
            }
            Self::Pin4 => digits(value, 4, "the PIN is exactly 4 digits"),
            Self::Puk => digits(value, ids::PUK_LEN, "the PUK is exactly 8 digits"),
        }
    }
}

fn digits(value: &[u8], len: usize, rule: &'static str) -> Result<(), &'static str> {
    if value.len() == len && value.iter().all(u8::is_ascii_digit) {
        Ok(())
    } else {
        Err(rule)
    }
}

impl fmt::Display for NgSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SignPassword => "signing password (署名用パスワード)",
            Self::Pin4 => "4-digit PIN (暗証番号)",
            Self::Puk => "PUK",
        })
    }
}

/// A secret that passed its format rule, wiped on drop, never printed.
#[derive(Clone)]
pub(crate) struct CheckedSecret {
    which: NgSecret,
    bytes: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for CheckedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckedSecret")
            .field("which", &self.which)
            .field("bytes", &"<redacted>")
            .finish()
    }
}

impl CheckedSecret {
    /// Checks `value`'s format; the reason is [`NgSecret::check_format`]'s.
    pub(crate) fn new(which: NgSecret, value: &[u8]) -> Result<Self, &'static str> {
        which.check_format(value)?;
        Ok(Self {
            which,
            bytes: Zeroizing::new(value.to_vec()),
        })
    }

    pub(crate) const fn which(&self) -> NgSecret {
        self.which
    }

    pub(crate) fn expose_secret(&self) -> &[u8] {
        &self.bytes
    }
}

/// A secret's state from VERIFY without data, with its ISO 7816-4 meaning (§2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretStatus {
    /// `9000`: verified since the last reset or SELECT of the 認証AP.
    Verified,
    /// `63Cx`: not verified, `x` tries left (`63C0`: blocked).
    TriesLeft(u8),
    /// `6983`: blocked.
    Blocked,
    /// `6A88`: not set (the PUK before the holder sets one).
    NotSet,
    /// `6300` to an empty VERIFY: the card keeps no retry count for this key (card-map §2: "a
    /// key with no limit answers `6300`"); seen on today's whole card, not on a next-generation
    /// secret.
    NotCounted,
}

impl SecretStatus {
    /// No try is left.
    #[must_use]
    pub const fn is_blocked(self) -> bool {
        matches!(self, Self::Blocked | Self::TriesLeft(0))
    }

    /// Tries left, when the card said (`Some(0)` when blocked by `6983`; `None` for verified,
    /// not set, or not counted).
    #[must_use]
    pub const fn tries_left(self) -> Option<u8> {
        match self {
            Self::TriesLeft(n) => Some(n),
            Self::Blocked => Some(0),
            Self::Verified | Self::NotSet | Self::NotCounted => None,
        }
    }
}

impl fmt::Display for SecretStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Verified => f.write_str("verified"),
            Self::TriesLeft(0) | Self::Blocked => f.write_str("blocked"),
            Self::TriesLeft(1) => f.write_str("1 try left"),
            Self::TriesLeft(n) => write!(f, "{n} tries left"),
            Self::NotSet => f.write_str("not set"),
            Self::NotCounted => f.write_str("no retry limit (the card counts no tries: 6300)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_password_rule_is_6_to_16_upper_alphanumerics_with_a_letter_and_a_digit() {
        for good in [&b"ABC123"[..], b"A1B2C3D4E5F6G7H8", b"1A2345"] {
            assert_eq!(
                NgSecret::SignPassword.check_format(good),
                Ok(()),
                "{good:?}"
            );
        }
        for bad in [
            &b"ABC12"[..],
            b"A1B2C3D4E5F6G7H8I",
            b"abc123",
            b"ABCDEF",
            b"123456",
            b"ABC 12",
            b"",
        ] {
            assert!(NgSecret::SignPassword.check_format(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn pin4_and_puk_are_exact_digit_counts() {
        assert_eq!(NgSecret::Pin4.check_format(b"0000"), Ok(()));
        assert_eq!(NgSecret::Puk.check_format(b"12345678"), Ok(()));
        for bad in [&b"123"[..], b"12345", b"12a4", b""] {
            assert!(NgSecret::Pin4.check_format(bad).is_err(), "{bad:?}");
        }
        for bad in [&b"1234567"[..], b"123456789", b"1234567A", b"1234"] {
            assert!(NgSecret::Puk.check_format(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn references_are_the_profile_table() {
        let refs: Vec<u8> = NgSecret::ALL.iter().map(|s| s.reference()).collect();
        assert_eq!(refs, [0x81, 0x82, 0x83]);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let s = CheckedSecret::new(NgSecret::Puk, b"13572468").unwrap();
        assert!(!format!("{s:?}").contains("1357"));
    }
}
