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
mod tests {
    use super::*;

    #[test]
    fn four_facts_file_layout_parses_with_filler_after_it() {
        // shared/jpki-spec.md §6: FF 20 len { DF21 … DF25 }, file padded after the object
        let mut file = hex::decode("FF200EDF2102000ADF2203414243DF250131").unwrap();
        file[2] = u8::try_from(file.len() - 3).unwrap();
        file.extend_from_slice(&[0xFF; 8]);
        let (tlv, rest) = parse_prefix(&file).unwrap();
        assert_eq!(rest, &[0xFF; 8]);
        assert_eq!(find_value(&tlv, 0xDF22), Some(&b"ABC"[..]));
        assert_eq!(find_value(&tlv, 0xDF25), Some(&b"1"[..]));
        assert_eq!(find_value(&tlv, 0xDF24), None);
        assert!(matches!(
            parse(&file),
            Err(TlvError::TrailingBytes { extra: 8 })
        ));
    }

    #[test]
    fn my_number_file_layout_is_read_as_an_opaque_object() {
        // §6: FF 10 0C + 12 ASCII digits (+ filler). FF has the constructed bit, yet the
        // content is plain digits: a strict BER parse must fail, the opaque read succeeds.
        let mut file = vec![0xFF, 0x10, 0x0C];
        file.extend_from_slice(b"123456789018");
        file.extend_from_slice(&[0xFF; 4]);
        assert!(parse_prefix(&file).is_err());
        let (tag, value, rest) = split_object(&file).unwrap();
        assert_eq!(tag, 0xFF10);
        assert_eq!(value, b"123456789018");
        assert_eq!(rest, &[0xFF; 4]);
        assert!(matches!(
            split_object(&file[..10]),
            Err(TlvError::Truncated { .. })
        ));
        assert!(matches!(
            split_object(&[]),
            Err(TlvError::Truncated { offset: 0 })
        ));
    }

    #[test]
    fn long_form_lengths_round_trip() {
        let value = vec![0xAB; 300];
        let tlv = primitive(0xDF22, &value).unwrap();
        let bytes = encode(&tlv);
        assert_eq!(bytes[..5], [0xDF, 0x22, 0x82, 0x01, 0x2C]);
        assert_eq!(
            find_value(&parse(&bytes).unwrap(), 0xDF22),
            Some(value.as_slice())
        );
    }

    #[test]
    fn rejects_truncation_overrun_depth_and_bad_lengths() {
        assert!(matches!(parse(&[]), Err(TlvError::Truncated { offset: 0 })));
        assert!(matches!(parse(&[0xDF]), Err(TlvError::Truncated { .. })));
        assert!(matches!(
            parse(&[0x80, 0x05, 1, 2]),
            Err(TlvError::Truncated { .. })
        ));
        // indefinite length and a 5-byte length
        assert!(matches!(
            parse(&[0x80, 0x80]),
            Err(TlvError::BadLength { .. })
        ));
        assert!(matches!(
            parse(&[0x80, 0x85, 0, 0, 0, 0, 1]),
            Err(TlvError::BadLength { .. })
        ));
        // inner object claims more than the outer holds
        assert!(matches!(
            parse(&[0x70, 0x03, 0x80, 0x05, 0x00, 0, 0, 0, 0]),
            Err(TlvError::Overrun { .. })
        ));
        // a four-byte tag
        assert!(matches!(
            parse(&[0x5F, 0x81, 0x81, 0x01, 0x00]),
            Err(TlvError::BadTag { .. })
        ));
        // padding is not a tag
        assert!(matches!(parse(&[0x00, 0x00]), Err(TlvError::BadTag { .. })));
        // 17 levels of nesting
        let mut deep = vec![0x80, 0x00];
        for _ in 0..17 {
            let len = u8::try_from(deep.len()).unwrap();
            deep.splice(0..0, [0x70, len]);
        }
        assert!(matches!(parse(&deep), Err(TlvError::TooDeep)));
    }

    #[test]
    fn deep_nesting_of_a_large_input_is_refused_without_recursing() {
        // 30 000 well-formed levels would overflow a recursive parser's stack.
        const LEVELS: usize = 30_000;
        let mut deep = Vec::with_capacity(LEVELS * 6 + 2);
        for level in 0..LEVELS {
            let content = u32::try_from(6 * (LEVELS - 1 - level) + 2).unwrap();
            deep.extend_from_slice(&[0x70, 0x84]);
            deep.extend_from_slice(&content.to_be_bytes());
        }
        deep.extend_from_slice(&[0x80, 0x00]);
        assert_eq!(parse(&deep), Err(TlvError::TooDeep));
    }

    #[test]
    fn a_127_byte_value_inside_a_constructed_object_encodes_correctly() {
        // iso7816-tlv's own to_vec gets this wrong (long-form length counted as one byte)
        for n in [126usize, 127, 128, 255, 256] {
            let object =
                constructed(0xFF20, vec![primitive(0xDF23, &vec![0x41; n]).unwrap()]).unwrap();
            let bytes = encode(&object);
            let back = parse(&bytes).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert_eq!(find_value(&back, 0xDF23).map(<[u8]>::len), Some(n));
            assert_eq!(encode(&back), bytes, "{n}: stable");
        }
        let bytes = encode(&primitive(0x80, &[0; 127]).unwrap());
        assert_eq!(bytes[..2], [0x80, 0x7F]);
    }

    #[test]
    fn builders_refuse_tags_of_the_wrong_kind() {
        assert!(constructed(0xDF22, vec![]).is_err());
        assert!(primitive(0xFF20, b"x").is_err());
        assert!(primitive(0x0100_0000, b"x").is_err());
    }
}
