//! Command APDUs (ISO/IEC 7816-3 §12.1 and 7816-4 §5.1): the seven cases and their wire forms.
//!
//! (One piece, over 400 lines: the seven cases' encoding and decoding read the same length rules;
//! kept side by side so each wire form sits next to its inverse.)

use core::fmt;

use zeroize::Zeroize;

/// Largest Lc: extended length fields are two bytes.
pub const MAX_DATA_LEN: usize = 65_535;
/// Largest Le: extended `0000` means 65536.
pub const MAX_LE: usize = 65_536;
/// Largest short Lc.
pub const MAX_SHORT_DATA_LEN: usize = 255;
/// Largest short Le: short `00` means 256.
pub const MAX_SHORT_LE: usize = 256;
/// Largest well-formed C-APDU: header, `00 Lc Lc`, 65535 data bytes, `Le Le`.
pub const MAX_COMMAND_LEN: usize = 4 + 3 + MAX_DATA_LEN + 2;

/// The ISO 7816-3 case of a command: which of Lc/data and Le are present, short or extended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    /// Header only.
    Case1,
    /// Header, short Le.
    Case2Short,
    /// Header, short Lc, data.
    Case3Short,
    /// Header, short Lc, data, short Le.
    Case4Short,
    /// Header, `00`, extended Le.
    Case2Extended,
    /// Header, `00`, extended Lc, data.
    Case3Extended,
    /// Header, `00`, extended Lc, data, extended Le.
    Case4Extended,
}

impl Case {
    /// Whether the case uses extended length fields.
    #[must_use]
    pub const fn is_extended(self) -> bool {
        matches!(
            self,
            Self::Case2Extended | Self::Case3Extended | Self::Case4Extended
        )
    }
}

/// A command APDU.
///
/// `le` is the number of response bytes expected: `Some(256)` is written as short `00`,
/// `Some(65536)` as extended `0000`; `None` means no Le field. Short encoding is used when the
/// lengths fit, unless [`Command::with_extended`] asks for the extended form (decoding keeps the
/// form it read, so decode → encode gives back the same bytes).
///
/// A command that carries a secret (a PIN) is marked with [`Command::sensitive`]: its `Debug`
/// and `Display` print `<redacted>` in place of the data, and the data is zeroized on drop.
///
/// ```
/// use apdu::{Case, Command};
/// // SELECT the JPKI application by DF name (shared/jpki-spec.md §3)
/// let select = Command::new(0x00, 0xA4, 0x04, 0x0C)
///     .with_data(vec![0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);
/// let bytes = select.encode()?;
/// assert_eq!(bytes[..5], [0x00, 0xA4, 0x04, 0x0C, 0x0A]);
/// assert_eq!(Command::decode(&bytes)?, select);
/// assert_eq!(select.case(), Case::Case3Short);
///
/// let verify = Command::new(0x00, 0x20, 0x00, 0x80).with_data(b"1234".to_vec()).sensitive();
/// assert_eq!(verify.to_string(), "00 20 00 80 04 <redacted>");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (Lc is its length).
    pub data: Vec<u8>,
    /// Expected response length, 1..=65536; `None` for no Le field.
    pub le: Option<usize>,
    extended: bool,
    sensitive: bool,
}

/// Why bytes are not a well-formed command APDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandDecodeError {
    /// Fewer than the four header bytes.
    #[error("command APDU of {len} bytes is shorter than its 4-byte header")]
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// More bytes than the largest possible command.
    #[error("command APDU of {len} bytes is longer than the largest possible ({MAX_COMMAND_LEN})")]
    TooLong {
        /// Bytes received.
        len: usize,
    },
    /// An extended length field (`00 hi lo`) is cut off.
    #[error("command APDU ends inside its extended length field")]
    TruncatedExtendedLength,
    /// Extended Lc of zero followed by data.
    #[error("extended Lc of zero is not allowed")]
    ExtendedLcZero,
    /// Lc promises more data than the body holds.
    #[error("Lc says {lc} data bytes but only {available} follow")]
    BodyTooShort {
        /// The Lc value.
        lc: usize,
        /// Bytes after the Lc field.
        available: usize,
    },
    /// After an extended data field, one byte that cannot be an extended Le.
    #[error("extended Le must be two bytes, found one")]
    MalformedExtendedLe,
    /// Bytes after the last field the lengths allow.
    #[error("{extra} unexpected bytes after the command")]
    TrailingBytes {
        /// How many bytes are left over.
        extra: usize,
    },
}

/// Why a command cannot be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandEncodeError {
    /// Data longer than an extended Lc can express.
    #[error("{len} data bytes exceed the largest Lc ({MAX_DATA_LEN})")]
    DataTooLong {
        /// The data length.
        len: usize,
    },
    /// Le of zero or above 65536.
    #[error("Le of {le} is outside 1..={MAX_LE}")]
    LeOutOfRange {
        /// The requested Le.
        le: usize,
    },
}

impl Command {
    /// A case 1 command: header only.
    #[must_use]
    pub const fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
            extended: false,
            sensitive: false,
        }
    }

    /// Sets the command data.
    #[must_use]
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data.zeroize();
        self.data = data.into();
        self
    }

    /// Sets Le (`256` is short `00`, `65536` is extended `0000`).
    #[must_use]
    pub const fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// Asks for the extended length form even where the short one would fit.
    #[must_use]
    pub const fn with_extended(mut self, extended: bool) -> Self {
        self.extended = extended;
        self
    }

    /// Marks the data as secret: redacted in `Debug`/`Display`, zeroized on drop.
    #[must_use]
    pub const fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks or unmarks the data as secret (a card marks VERIFY once it has decoded the INS).
    pub const fn set_sensitive(&mut self, sensitive: bool) {
        self.sensitive = sensitive;
    }

    /// Whether the data is secret.
    #[must_use]
    pub const fn is_sensitive(&self) -> bool {
        self.sensitive
    }

    /// Whether the command asked for, or was read in, the extended form.
    #[must_use]
    pub const fn prefers_extended(&self) -> bool {
        self.extended
    }

    /// The case this command encodes as.
    #[must_use]
    pub fn case(&self) -> Case {
        let extended = self.needs_extended();
        match (self.data.is_empty(), self.le.is_some(), extended) {
            (true, false, _) => Case::Case1,
            (true, true, false) => Case::Case2Short,
            (true, true, true) => Case::Case2Extended,
            (false, false, false) => Case::Case3Short,
            (false, false, true) => Case::Case3Extended,
            (false, true, false) => Case::Case4Short,
            (false, true, true) => Case::Case4Extended,
        }
    }

    fn needs_extended(&self) -> bool {
        if self.data.is_empty() && self.le.is_none() {
            return false;
        }
        self.extended
            || self.data.len() > MAX_SHORT_DATA_LEN
            || self.le.is_some_and(|le| le > MAX_SHORT_LE)
    }

    /// Encodes to wire bytes.
    ///
    /// # Errors
    /// Data longer than 65535 bytes, or Le outside 1..=65536.
    pub fn encode(&self) -> Result<Vec<u8>, CommandEncodeError> {
        let mut out = Vec::with_capacity(4 + 3 + self.data.len() + 2);
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Appends the wire bytes to `out` (nothing is appended on error).
    ///
    /// # Errors
    /// As [`Command::encode`].
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), CommandEncodeError> {
        let len = self.data.len();
        if len > MAX_DATA_LEN {
            return Err(CommandEncodeError::DataTooLong { len });
        }
        if let Some(le) = self.le
            && (le == 0 || le > MAX_LE)
        {
            return Err(CommandEncodeError::LeOutOfRange { le });
        }
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        let extended = self.needs_extended();
        if !self.data.is_empty() {
            if extended {
                out.push(0);
                out.extend_from_slice(&len_bytes(len));
            } else {
                out.push(low_byte(len));
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            if extended {
                if self.data.is_empty() {
                    out.push(0);
                }
                out.extend_from_slice(&len_bytes(le));
            } else {
                out.push(low_byte(le));
            }
        }
        Ok(())
    }

    /// Decodes wire bytes, accepting exactly the seven cases of ISO/IEC 7816-3 §12.1.3.
    ///
    /// # Errors
    /// See [`CommandDecodeError`]; never panics.
    pub fn decode(bytes: &[u8]) -> Result<Self, CommandDecodeError> {
        if bytes.len() > MAX_COMMAND_LEN {
            return Err(CommandDecodeError::TooLong { len: bytes.len() });
        }
        let (&[cla, ins, p1, p2], body) = split_header(bytes)?;
        let mut cmd = Self::new(cla, ins, p1, p2);
        match body {
            // Case 1
            [] => {}
            // Case 2S
            [le] => cmd.le = Some(short_len(*le)),
            // Short Lc: case 3S or 4S
            [lc, rest @ ..] if *lc != 0 => {
                let lc = usize::from(*lc);
                let Some((data, tail)) = rest.split_at_checked(lc) else {
                    return Err(CommandDecodeError::BodyTooShort {
                        lc,
                        available: rest.len(),
                    });
                };
                cmd.data = data.to_vec();
                match tail {
                    [] => {}
                    [le] => cmd.le = Some(short_len(*le)),
                    _ => {
                        return Err(CommandDecodeError::TrailingBytes {
                            extra: tail.len() - 1,
                        });
                    }
                }
            }
            // Extended: `00` then two length bytes
            [_zero, hi, lo, rest @ ..] => {
                cmd.extended = true;
                let n = usize::from(u16::from_be_bytes([*hi, *lo]));
                if rest.is_empty() {
                    // Case 2E
                    cmd.le = Some(if n == 0 { MAX_LE } else { n });
                } else {
                    if n == 0 {
                        return Err(CommandDecodeError::ExtendedLcZero);
                    }
                    let Some((data, tail)) = rest.split_at_checked(n) else {
                        return Err(CommandDecodeError::BodyTooShort {
                            lc: n,
                            available: rest.len(),
                        });
                    };
                    cmd.data = data.to_vec();
                    match tail {
                        [] => {}
                        [hi, lo] => {
                            let le = usize::from(u16::from_be_bytes([*hi, *lo]));
                            cmd.le = Some(if le == 0 { MAX_LE } else { le });
                        }
                        [_] => return Err(CommandDecodeError::MalformedExtendedLe),
                        _ => {
                            return Err(CommandDecodeError::TrailingBytes {
                                extra: tail.len() - 2,
                            });
                        }
                    }
                }
            }
            // `00` followed by fewer than two length bytes
            _ => return Err(CommandDecodeError::TruncatedExtendedLength),
        }
        Ok(cmd)
    }
}

fn split_header(bytes: &[u8]) -> Result<(&[u8; 4], &[u8]), CommandDecodeError> {
    bytes
        .split_first_chunk::<4>()
        .ok_or(CommandDecodeError::TooShort { len: bytes.len() })
}

/// Short length byte: `00` means 256.
fn short_len(b: u8) -> usize {
    if b == 0 { MAX_SHORT_LE } else { usize::from(b) }
}

/// The low byte of a short length (256 → `00`); callers have checked the range.
fn low_byte(n: usize) -> u8 {
    n.to_be_bytes().last().copied().unwrap_or(0)
}

/// Two-byte extended length (65536 → `0000`); callers have checked the range.
fn len_bytes(n: usize) -> [u8; 2] {
    let b = n.to_be_bytes();
    match b.last_chunk::<2>() {
        Some(two) => *two,
        None => [0, 0],
    }
}

/// Two commands are equal when they encode to the same bytes; sensitivity is not compared.
impl PartialEq for Command {
    fn eq(&self, other: &Self) -> bool {
        self.cla == other.cla
            && self.ins == other.ins
            && self.p1 == other.p1
            && self.p2 == other.p2
            && self.data == other.data
            && self.le == other.le
            && self.case() == other.case()
    }
}

impl Eq for Command {}

impl Drop for Command {
    fn drop(&mut self) {
        if self.sensitive {
            self.data.zeroize();
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Command");
        s.field("cla", &format_args!("{:#04X}", self.cla))
            .field("ins", &format_args!("{:#04X}", self.ins))
            .field("p1", &format_args!("{:#04X}", self.p1))
            .field("p2", &format_args!("{:#04X}", self.p2));
        if self.sensitive {
            s.field(
                "data",
                &format_args!("<redacted {} bytes>", self.data.len()),
            );
        } else {
            s.field("data", &format_args!("{}", Hex(&self.data)));
        }
        s.field("le", &self.le).finish()
    }
}

/// The wire form, fields separated by spaces; a sensitive command's data reads `<redacted>`.
impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02X} {:02X} {:02X} {:02X}",
            self.cla, self.ins, self.p1, self.p2
        )?;
        let extended = self.needs_extended();
        if !self.data.is_empty() {
            if extended {
                write!(f, " 00{:04X}", self.data.len())?;
            } else {
                write!(f, " {:02X}", self.data.len())?;
            }
            if self.sensitive {
                f.write_str(" <redacted>")?;
            } else {
                write!(f, " {}", Hex(&self.data))?;
            }
        }
        if let Some(le) = self.le {
            match (extended, self.data.is_empty()) {
                (false, _) => write!(f, " {:02X}", low_byte(le))?,
                (true, true) => write!(f, " 00{:04X}", le & 0xFFFF)?,
                (true, false) => write!(f, " {:04X}", le & 0xFFFF)?,
            }
        }
        Ok(())
    }
}

/// Upper-case hex without separators.
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}
