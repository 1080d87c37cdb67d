//! Typed parsers of the records of the whole card (card-map §4–§6): the card face
//! ([`CardFace`]), the My Number image ([`MyNumberImage`]), the CV certificate of the 券面
//! applications ([`CvCertificate`]), the two basic-info files ([`TextBasicInfo`],
//! [`FaceBasicInfo`]) and the common card application's record ([`CommonRecord`]). They read
//! bytes only (no APDU), refuse what is truncated, mistagged or out of place with
//! [`Error::MalformedFile`], and never panic. Signatures are checked here too, with the key
//! the CV certificate certifies.

use core::fmt;

use apdu::tlv;

use crate::error::Error;

mod basic_info;
mod card_face;
mod chain;
mod cv;
mod keys;

pub use basic_info::{CommonRecord, FaceBasicInfo, TextBasicInfo};
pub use card_face::{CardFace, MyNumberImage};
pub use chain::CardChain;
pub use cv::{CvCertificate, KeyId};
pub use keys::card_public_key;

/// A date as the card writes it, `YYYYMMDD` in ASCII.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CardDate {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
}

impl CardDate {
    /// Parses 8 ASCII digits `YYYYMMDD` with a month 1–12 and a day 1–31.
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let num = |r: core::ops::Range<usize>| -> Option<u16> {
            core::str::from_utf8(bytes.get(r)?).ok()?.parse().ok()
        };
        let date = Self {
            year: num(0..4)?,
            month: u8::try_from(num(4..6)?).ok()?,
            day: u8::try_from(num(6..8)?).ok()?,
        };
        ((1..=12).contains(&date.month) && (1..=31).contains(&date.day)).then_some(date)
    }
}

impl fmt::Display for CardDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One object inside a constructed record, located in the file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Child<'a> {
    /// Its tag.
    pub(crate) tag: u32,
    /// Offset of its tag from byte 0 of the file.
    pub(crate) at: usize,
    /// The whole TLV, header included.
    pub(crate) raw: &'a [u8],
    /// Its value.
    pub(crate) value: &'a [u8],
}

/// Splits `file` into the object tagged `outer` (filler after it is ignored) and its children,
/// in order, each with its offset from byte 0 of the file.
pub(crate) fn children(file: &[u8], outer: u32) -> Result<Vec<Child<'_>>, &'static str> {
    let (tag, value, after) = tlv::split_object(file).map_err(|_| "not BER-TLV")?;
    if tag != outer {
        return Err("the record does not start with its tag");
    }
    let mut pos = file
        .len()
        .checked_sub(value.len() + after.len())
        .ok_or("not BER-TLV")?;
    let mut rest = value;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (tag, value, after) =
            tlv::split_object(rest).map_err(|_| "an inner object is not BER-TLV")?;
        let len = rest.len() - after.len();
        out.push(Child {
            tag,
            at: pos,
            raw: rest.get(..len).ok_or("not BER-TLV")?,
            value,
        });
        pos += len;
        rest = after;
    }
    Ok(out)
}

/// The value of the one child tagged `tag`.
pub(crate) fn value_of<'a>(
    children: &[Child<'a>],
    tag: u32,
    missing: &'static str,
) -> Result<&'a [u8], &'static str> {
    let mut found = children.iter().filter(|c| c.tag == tag);
    match (found.next(), found.next()) {
        (Some(c), None) => Ok(c.value),
        (None, _) => Err(missing),
        (Some(_), Some(_)) => Err("a field appears twice"),
    }
}

/// The value as a fixed-size array.
pub(crate) fn fixed<const N: usize>(
    value: &[u8],
    wrong: &'static str,
) -> Result<[u8; N], &'static str> {
    <[u8; N]>::try_from(value).map_err(|_| wrong)
}

/// ASCII digits as text.
pub(crate) fn digits(
    value: &[u8],
    len: usize,
    wrong: &'static str,
) -> Result<String, &'static str> {
    if value.len() == len && value.iter().all(u8::is_ascii_digit) {
        Ok(value.iter().map(|b| char::from(*b)).collect())
    } else {
        Err(wrong)
    }
}

/// `reason` as a [`Error::MalformedFile`] of `fid`.
pub(crate) fn malformed(fid: u16) -> impl Fn(&'static str) -> Error {
    move |reason| Error::MalformedFile { fid, reason }
}

#[cfg(test)]
mod tests;
