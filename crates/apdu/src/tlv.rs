//! BER-TLV (ISO/IEC 7816-4 §5.2) through the `iso7816-tlv` crate, behind a guard.
//!
//! JPKI card files are BER-TLV: the 券面事項入力補助AP's 4-facts file is
//! `FF 20 len { DF21 … DF22 name … DF25 sex }`. The underlying parser recurses once per
//! nesting level, so input is first walked here without recursion and refused when it nests
//! deeper than [`MAX_DEPTH`] or when a length overruns its container: hostile bytes get an
//! error, never a stack overflow or a panic.
//!
//!
//! Encode with [`encode`], never with `Tlv::to_vec`: iso7816-tlv 0.4.4 writes a 127-byte value's
//! length in the long form (`81 7F`) while counting it as one byte in the enclosing object's
//! length, so a constructed object holding one comes out malformed (found by fuzzing).
//!
//! ```
//! use apdu::tlv;
//! let facts = tlv::constructed(0xFF20, vec![
//!     tlv::primitive(0xDF22, "番号 花子".as_bytes())?,
//!     tlv::primitive(0xDF25, b"2")?,
//! ])?;
//! let bytes = tlv::encode(&facts);
//! assert_eq!(bytes[..2], [0xFF, 0x20]);
//! let back = tlv::parse(&bytes)?;
//! assert_eq!(tlv::find_value(&back, 0xDF22), Some("番号 花子".as_bytes()));
//! assert_eq!(tlv::find_value(&back, 0xDF25), Some(&b"2"[..]));
//! # Ok::<(), tlv::TlvError>(())
//! ```

pub use iso7816_tlv::ber::{Tag, Tlv, Value};

/// Deepest nesting accepted by [`parse`] and [`parse_prefix`].
pub const MAX_DEPTH: usize = 16;

/// Why bytes are not acceptable BER-TLV.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TlvError {
    /// The input ends inside a tag, a length or a value.
    #[error("BER-TLV is truncated at byte {offset}")]
    Truncated {
        /// Where the missing bytes should have been.
        offset: usize,
    },
    /// A length field this parser does not accept (indefinite, or more than 4 bytes).
    #[error("BER-TLV has an unsupported length field at byte {offset}")]
    BadLength {
        /// Where the length field starts.
        offset: usize,
    },
    /// A tag longer than 3 bytes, or otherwise not a valid tag.
    #[error("BER-TLV has an invalid tag at byte {offset}")]
    BadTag {
        /// Where the tag starts.
        offset: usize,
    },
    /// An object extends past the end of the object that contains it.
    #[error("BER-TLV object at byte {offset} overruns its container")]
    Overrun {
        /// Where the object starts.
        offset: usize,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("BER-TLV nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// Bytes after the object where exactly one was expected.
    #[error("{extra} bytes follow the BER-TLV object")]
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// The `iso7816-tlv` crate refused the input or the object.
    #[error("BER-TLV rejected: {0}")]
    Rejected(iso7816_tlv::TlvError),
}

/// Parses exactly one BER-TLV object.
///
/// # Errors
/// See [`TlvError`].
pub fn parse(input: &[u8]) -> Result<Tlv, TlvError> {
    let (tlv, rest) = parse_prefix(input)?;
    if rest.is_empty() {
        Ok(tlv)
    } else {
        Err(TlvError::TrailingBytes { extra: rest.len() })
    }
}

/// Parses one BER-TLV object at the start of `input` and returns what follows it (card files
/// are often longer than their content: the rest is filler).
///
/// # Errors
/// See [`TlvError`].
pub fn parse_prefix(input: &[u8]) -> Result<(Tlv, &[u8]), TlvError> {
    let end = check_object(input)?;
    let (object, rest) = input
        .split_at_checked(end)
        .ok_or(TlvError::Truncated { offset: end })?;
    let tlv = Tlv::from_bytes(object).map_err(TlvError::Rejected)?;
    Ok((tlv, rest))
}

/// Reads one object's tag and value without interpreting the value, and returns what follows.
///
/// For card files whose tag has the constructed bit but whose content is not BER-TLV (the
/// My Number file `FF 10 0C` + 12 digits, shared/jpki-spec.md §6). The tag comes back as a
/// number (`0xFF10`).
///
/// # Errors
/// A truncated object, or a tag or length field this module does not accept.
pub fn split_object(input: &[u8]) -> Result<(u32, &[u8], &[u8]), TlvError> {
    let (_, after_tag) = read_tag(input, 0)?;
    let tag = input
        .get(..after_tag)
        .unwrap_or_default()
        .iter()
        .fold(0u32, |t, &b| (t << 8) | u32::from(b));
    let (len, after_len) = read_len(input, after_tag)?;
    let rest = input.get(after_len..).unwrap_or_default();
    let (value, rest) = rest.split_at_checked(len).ok_or(TlvError::Truncated {
        offset: input.len(),
    })?;
    Ok((tag, value, rest))
}

/// DER-style definite-length encoding of `tlv` and everything inside it: lengths below 128 in
/// one byte, longer ones as `81`–`84` and the shortest big-endian count.
#[must_use]
pub fn encode(tlv: &Tlv) -> Vec<u8> {
    let mut out = Vec::new();
    write(tlv, &mut out);
    out
}

fn write(tlv: &Tlv, out: &mut Vec<u8>) {
    out.extend_from_slice(tlv.tag().to_bytes());
    match tlv.value() {
        Value::Primitive(v) => {
            push_len(v.len(), out);
            out.extend_from_slice(v);
        }
        Value::Constructed(children) => {
            let mut content = Vec::new();
            for child in children {
                write(child, &mut content);
            }
            push_len(content.len(), out);
            out.extend_from_slice(&content);
        }
    }
}

fn push_len(n: usize, out: &mut Vec<u8>) {
    let bytes = n.to_be_bytes();
    let significant: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    match significant.as_slice() {
        [] => out.push(0),
        [b] if *b < 0x80 => out.push(*b),
        long => {
            out.push(0x80 | u8::try_from(long.len()).unwrap_or(0));
            out.extend_from_slice(long);
        }
    }
}

/// A primitive object.
///
/// # Errors
/// `tag` is not a valid tag of at most 3 bytes, or names a constructed object.
pub fn primitive(tag: u32, value: &[u8]) -> Result<Tlv, TlvError> {
    let tag = Tag::try_from(tag).map_err(TlvError::Rejected)?;
    Tlv::new(tag, Value::Primitive(value.to_vec())).map_err(TlvError::Rejected)
}

/// A constructed object holding `children` in order.
///
/// # Errors
/// `tag` is not a valid tag of at most 3 bytes, or names a primitive object.
pub fn constructed(tag: u32, children: Vec<Tlv>) -> Result<Tlv, TlvError> {
    let tag = Tag::try_from(tag).map_err(TlvError::Rejected)?;
    Tlv::new(tag, Value::Constructed(children)).map_err(TlvError::Rejected)
}

/// The value of the first primitive object tagged `tag` inside `tlv` (or `tlv` itself).
#[must_use]
pub fn find_value(tlv: &Tlv, tag: u32) -> Option<&[u8]> {
    let tag = Tag::try_from(tag).ok()?;
    match tlv.find(&tag)?.value() {
        Value::Primitive(v) => Some(v),
        Value::Constructed(_) => None,
    }
}

/// Walks one object without recursion, checking tags, lengths and depth; returns its length.
fn check_object(input: &[u8]) -> Result<usize, TlvError> {
    // Ends of the constructed objects we are inside, innermost last.
    let mut open: Vec<usize> = Vec::new();
    let mut pos = 0;
    let mut first_end = None;
    loop {
        // Close every container that ends here.
        while open.last() == Some(&pos) {
            open.pop();
        }
        if let Some(end) = first_end
            && open.is_empty()
        {
            return Ok(end);
        }
        let start = pos;
        let (constructed, after_tag) = read_tag(input, pos)?;
        let (len, after_len) = read_len(input, after_tag)?;
        let end = after_len
            .checked_add(len)
            .ok_or(TlvError::Overrun { offset: start })?;
        if end > input.len() {
            return Err(TlvError::Truncated {
                offset: input.len(),
            });
        }
        if open.last().is_some_and(|&outer| end > outer) {
            return Err(TlvError::Overrun { offset: start });
        }
        if first_end.is_none() {
            first_end = Some(end);
        }
        if constructed && len > 0 {
            if open.len() >= MAX_DEPTH {
                return Err(TlvError::TooDeep);
            }
            open.push(end);
            pos = after_len;
        } else {
            pos = end;
        }
    }
}

fn byte_at(input: &[u8], pos: usize) -> Result<u8, TlvError> {
    input
        .get(pos)
        .copied()
        .ok_or(TlvError::Truncated { offset: pos })
}

/// Reads a tag of 1 to 3 bytes; returns whether it is constructed and the next position.
fn read_tag(input: &[u8], pos: usize) -> Result<(bool, usize), TlvError> {
    let first = byte_at(input, pos)?;
    let constructed = first & 0x20 != 0;
    if first == 0x00 {
        // `00` is padding between objects, not a tag.
        return Err(TlvError::BadTag { offset: pos });
    }
    let mut next = pos + 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = byte_at(input, next)?;
            next += 1;
            if next - pos > 3 {
                return Err(TlvError::BadTag { offset: pos });
            }
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    Ok((constructed, next))
}

/// Reads a definite length of at most 4 bytes; returns it and the next position.
fn read_len(input: &[u8], pos: usize) -> Result<(usize, usize), TlvError> {
    let first = byte_at(input, pos)?;
    if first < 0x80 {
        return Ok((usize::from(first), pos + 1));
    }
    let n = usize::from(first & 0x7F);
    if n == 0 || n > 4 {
        return Err(TlvError::BadLength { offset: pos });
    }
    let mut len = 0usize;
    for i in 1..=n {
        len = (len << 8) | usize::from(byte_at(input, pos + i)?);
    }
    Ok((len, pos + 1 + n))
}

#[cfg(test)]
mod tests;
