//! Status words (ISO/IEC 7816-4 §5.6): the two trailer bytes of every response.

use core::fmt;

/// A status word `SW1 SW2`.
///
/// Status words stay data at this layer; the applet layer maps them to meaning. The named
/// constants cover what JPKI cards and their clients use (shared/jpki-spec.md §5).
///
/// ```
/// use apdu::StatusWord;
/// let sw = StatusWord::from_bytes(0x63, 0xC2);
/// assert_eq!(sw.retries_left(), Some(2));
/// assert_eq!(sw.to_string(), "63C2 (verification failed, 2 tries left)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// `9000`: normal processing.
    pub const SUCCESS: Self = Self(0x9000);
    /// `6281`: part of the returned data may be corrupted (a 62xx warning).
    pub const DATA_MAY_BE_CORRUPTED: Self = Self(0x6281);
    /// `6282`: end of file reached before Le bytes were read (a 62xx warning).
    pub const END_OF_FILE: Self = Self(0x6282);
    /// `6700`: wrong length (Lc or Le).
    pub const WRONG_LENGTH: Self = Self(0x6700);
    /// `6881`: logical channel not supported.
    pub const LOGICAL_CHANNEL_NOT_SUPPORTED: Self = Self(0x6881);
    /// `6882`: secure messaging not supported.
    pub const SECURE_MESSAGING_NOT_SUPPORTED: Self = Self(0x6882);
    /// `6982`: security status not satisfied (for example, PIN not verified).
    pub const SECURITY_STATUS_NOT_SATISFIED: Self = Self(0x6982);
    /// `6983`: authentication method blocked.
    pub const AUTH_METHOD_BLOCKED: Self = Self(0x6983);
    /// `6984`: reference data not usable (a blocked PIN on JPKI cards).
    pub const REFERENCE_DATA_NOT_USABLE: Self = Self(0x6984);
    /// `6985`: conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: Self = Self(0x6985);
    /// `6986`: command not allowed (no current EF).
    pub const COMMAND_NOT_ALLOWED_NO_EF: Self = Self(0x6986);
    /// `6A80`: incorrect parameters in the command data field.
    pub const WRONG_DATA: Self = Self(0x6A80);
    /// `6A81`: function not supported.
    pub const FUNCTION_NOT_SUPPORTED: Self = Self(0x6A81);
    /// `6A82`: file or application not found.
    pub const FILE_NOT_FOUND: Self = Self(0x6A82);
    /// `6A86`: incorrect parameters P1-P2.
    pub const INCORRECT_P1P2: Self = Self(0x6A86);
    /// `6A88`: referenced data or reference data not found.
    pub const REFERENCED_DATA_NOT_FOUND: Self = Self(0x6A88);
    /// `6B00`: wrong parameters P1-P2 (offset outside the EF for READ BINARY).
    pub const WRONG_P1P2: Self = Self(0x6B00);
    /// `6D00`: instruction code not supported or invalid.
    pub const INS_NOT_SUPPORTED: Self = Self(0x6D00);
    /// `6E00`: class not supported.
    pub const CLA_NOT_SUPPORTED: Self = Self(0x6E00);
    /// `6F00`: no precise diagnosis.
    pub const NO_PRECISE_DIAGNOSIS: Self = Self(0x6F00);

    /// Builds a status word from its two bytes.
    #[must_use]
    pub const fn from_bytes(sw1: u8, sw2: u8) -> Self {
        Self(u16::from_be_bytes([sw1, sw2]))
    }

    /// `61xx`: `n` more response bytes are available through GET RESPONSE (`00` = 256).
    #[must_use]
    pub const fn bytes_available(n: u8) -> Self {
        Self::from_bytes(0x61, n)
    }

    /// `6Cxx`: wrong Le; re-issue the command with Le = `n` (`00` = 256).
    #[must_use]
    pub const fn wrong_le(n: u8) -> Self {
        Self::from_bytes(0x6C, n)
    }

    /// `63Cx`: verification failed, `tries_left` tries remain (values above 15 saturate).
    #[must_use]
    pub const fn verify_failed(tries_left: u8) -> Self {
        let x = if tries_left > 0x0F { 0x0F } else { tries_left };
        Self::from_bytes(0x63, 0xC0 | x)
    }

    /// `62xx`: a warning, state of non-volatile memory unchanged.
    #[must_use]
    pub const fn warning(sw2: u8) -> Self {
        Self::from_bytes(0x62, sw2)
    }

    /// The first byte.
    #[must_use]
    pub const fn sw1(self) -> u8 {
        self.0.to_be_bytes()[0]
    }

    /// The second byte.
    #[must_use]
    pub const fn sw2(self) -> u8 {
        self.0.to_be_bytes()[1]
    }

    /// Both bytes, SW1 first.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// `9000`.
    #[must_use]
    pub const fn is_success(self) -> bool {
        self.0 == 0x9000
    }

    /// For `63Cx`, the number of tries left; `None` for anything else.
    #[must_use]
    pub const fn retries_left(self) -> Option<u8> {
        if self.sw1() == 0x63 && self.sw2() & 0xF0 == 0xC0 {
            Some(self.sw2() & 0x0F)
        } else {
            None
        }
    }

    /// For `61xx`, the number of bytes GET RESPONSE can fetch (`6100` means 256).
    #[must_use]
    pub const fn bytes_remaining(self) -> Option<usize> {
        self.count_after(0x61)
    }

    /// For `6Cxx`, the Le the card asks for (`6C00` means 256).
    #[must_use]
    pub const fn exact_le(self) -> Option<usize> {
        self.count_after(0x6C)
    }

    /// For `sw1 xx`, the byte count `xx` (`00` meaning 256).
    const fn count_after(self, sw1: u8) -> Option<usize> {
        if self.sw1() == sw1 {
            Some(if self.sw2() == 0 {
                256
            } else {
                self.sw2() as usize
            })
        } else {
            None
        }
    }

    /// A short English description, as a person reading a trace wants it.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self.0 {
            0x9000 => "success",
            0x6281 => "warning: returned data may be corrupted",
            0x6282 => "warning: end of file reached before Le bytes",
            0x6283 => "warning: selected file invalidated",
            0x6700 => "wrong length",
            0x6881 => "logical channel not supported",
            0x6882 => "secure messaging not supported",
            0x6982 => "security status not satisfied",
            0x6983 => "authentication method blocked",
            0x6984 => "reference data not usable (blocked)",
            0x6985 => "conditions of use not satisfied",
            0x6986 => "command not allowed (no current EF)",
            0x6A80 => "incorrect data",
            0x6A81 => "function not supported",
            0x6A82 => "file or application not found",
            0x6A86 => "incorrect P1-P2",
            0x6A88 => "referenced data not found",
            0x6B00 => "wrong parameters (offset outside the file)",
            0x6D00 => "instruction not supported",
            0x6E00 => "class not supported",
            0x6F00 => "no precise diagnosis",
            _ => match self.sw1() {
                0x61 => "more data available (GET RESPONSE)",
                0x6C => "wrong Le (re-issue with the exact length)",
                0x62 => "warning (non-volatile memory unchanged)",
                0x63 if self.sw2() & 0xF0 == 0xC0 => "verification failed",
                0x63 => "warning (non-volatile memory changed)",
                0x64 => "execution error (memory unchanged)",
                0x65 => "execution error (memory changed)",
                0x67 => "wrong length",
                0x68 => "function in CLA not supported",
                0x69 => "command not allowed",
                0x6A => "wrong parameters",
                _ => "unknown status",
            },
        }
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({}", self.0, self.description())?;
        if let Some(n) = self.retries_left() {
            let s = if n == 1 { "try" } else { "tries" };
            write!(f, ", {n} {s} left")?;
        } else if let Some(n) = self.bytes_remaining() {
            write!(f, ", {n} bytes")?;
        } else if let Some(n) = self.exact_le() {
            write!(f, ", Le = {n}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X})", self.0)
    }
}

impl From<[u8; 2]> for StatusWord {
    fn from(b: [u8; 2]) -> Self {
        Self::from_bytes(b[0], b[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_constant_has_its_own_description() {
        let named = [
            StatusWord::SUCCESS,
            StatusWord::WRONG_LENGTH,
            StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED,
            StatusWord::SECURE_MESSAGING_NOT_SUPPORTED,
            StatusWord::SECURITY_STATUS_NOT_SATISFIED,
            StatusWord::AUTH_METHOD_BLOCKED,
            StatusWord::REFERENCE_DATA_NOT_USABLE,
            StatusWord::CONDITIONS_NOT_SATISFIED,
            StatusWord::COMMAND_NOT_ALLOWED_NO_EF,
            StatusWord::WRONG_DATA,
            StatusWord::FUNCTION_NOT_SUPPORTED,
            StatusWord::FILE_NOT_FOUND,
            StatusWord::INCORRECT_P1P2,
            StatusWord::REFERENCED_DATA_NOT_FOUND,
            StatusWord::WRONG_P1P2,
            StatusWord::INS_NOT_SUPPORTED,
            StatusWord::CLA_NOT_SUPPORTED,
            StatusWord::bytes_available(0x10),
            StatusWord::wrong_le(0x10),
            StatusWord::warning(0x82),
            StatusWord::verify_failed(2),
        ];
        let mut seen = std::collections::HashSet::new();
        for sw in named {
            let d = sw.description();
            assert_ne!(d, "unknown status", "{sw:?}");
            assert!(seen.insert(d), "two status words share {d:?}");
        }
    }

    #[test]
    fn retries_left_only_for_63cx() {
        for x in 0..=15 {
            assert_eq!(
                StatusWord::from_bytes(0x63, 0xC0 | x).retries_left(),
                Some(x)
            );
        }
        assert_eq!(StatusWord::from_bytes(0x63, 0x00).retries_left(), None);
        assert_eq!(StatusWord::SUCCESS.retries_left(), None);
        assert_eq!(StatusWord::REFERENCE_DATA_NOT_USABLE.retries_left(), None);
        assert_eq!(StatusWord::verify_failed(200), StatusWord(0x63CF));
    }

    #[test]
    fn byte_counts_of_61xx_and_6cxx_treat_00_as_256() {
        assert_eq!(StatusWord(0x6100).bytes_remaining(), Some(256));
        assert_eq!(StatusWord(0x6110).bytes_remaining(), Some(16));
        assert_eq!(StatusWord(0x6C00).exact_le(), Some(256));
        assert_eq!(StatusWord(0x6C07).exact_le(), Some(7));
        assert_eq!(StatusWord::SUCCESS.exact_le(), None);
    }

    #[test]
    fn display_is_hex_and_meaning() {
        assert_eq!(StatusWord::SUCCESS.to_string(), "9000 (success)");
        assert_eq!(
            StatusWord(0x63C1).to_string(),
            "63C1 (verification failed, 1 try left)"
        );
        assert_eq!(
            StatusWord(0x6A82).to_string(),
            "6A82 (file or application not found)"
        );
        assert_eq!(format!("{:?}", StatusWord(0x6982)), "StatusWord(6982)");
        assert_eq!(StatusWord::from([0x90, 0x00]), StatusWord::SUCCESS);
        assert_eq!(StatusWord(0x6A80).to_bytes(), [0x6A, 0x80]);
    }
}
