//! Response APDUs: data and a trailing status word.

use core::fmt;

use crate::command::{Hex, MAX_LE};
use crate::status::StatusWord;

/// Largest well-formed R-APDU: 65536 data bytes and the status word.
pub const MAX_RESPONSE_LEN: usize = MAX_LE + 2;

/// A response APDU.
///
/// ```
/// use apdu::{Response, StatusWord};
/// let r = Response::decode(&[0x30, 0x82, 0x90, 0x00])?;
/// assert_eq!(r.data, [0x30, 0x82]);
/// assert_eq!(r.sw, StatusWord::SUCCESS);
/// assert_eq!(r.encode(), [0x30, 0x82, 0x90, 0x00]);
/// # Ok::<(), apdu::ResponseDecodeError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// Response data (may be empty).
    pub data: Vec<u8>,
    /// The status word.
    pub sw: StatusWord,
}

impl Default for StatusWord {
    fn default() -> Self {
        Self::SUCCESS
    }
}

/// Why bytes are not a well-formed response APDU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseDecodeError {
    /// Fewer than the two status bytes.
    #[error("response APDU of {len} bytes has no room for its status word")]
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// More bytes than the largest possible response.
    #[error(
        "response APDU of {len} bytes is longer than the largest possible ({MAX_RESPONSE_LEN})"
    )]
    TooLong {
        /// Bytes received.
        len: usize,
    },
}

impl Response {
    /// A response with data.
    #[must_use]
    pub fn new(data: impl Into<Vec<u8>>, sw: StatusWord) -> Self {
        Self {
            data: data.into(),
            sw,
        }
    }

    /// A response with only a status word.
    #[must_use]
    pub const fn status(sw: StatusWord) -> Self {
        Self {
            data: Vec::new(),
            sw,
        }
    }

    /// Whether the status word is `9000`.
    #[must_use]
    pub const fn is_success(&self) -> bool {
        self.sw.is_success()
    }

    /// Decodes `data || SW1 SW2`.
    ///
    /// # Errors
    /// Fewer than two bytes, or more than 65538.
    pub fn decode(bytes: &[u8]) -> Result<Self, ResponseDecodeError> {
        if bytes.len() > MAX_RESPONSE_LEN {
            return Err(ResponseDecodeError::TooLong { len: bytes.len() });
        }
        match bytes.split_last_chunk::<2>() {
            Some((data, sw)) => Ok(Self {
                data: data.to_vec(),
                sw: StatusWord::from(*sw),
            }),
            None => Err(ResponseDecodeError::TooShort { len: bytes.len() }),
        }
    }

    /// Encodes to `data || SW1 SW2`.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        self.encode_into(&mut out);
        out
    }

    /// Appends `data || SW1 SW2` to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("data", &format_args!("{}", Hex(&self.data)))
            .field("sw", &self.sw)
            .finish()
    }
}

/// `data SW` in hex, for traces: `3082 9000`.
impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.data.is_empty() {
            write!(f, "{} ", Hex(&self.data))?;
        }
        write!(f, "{:04X}", self.sw.0)
    }
}
