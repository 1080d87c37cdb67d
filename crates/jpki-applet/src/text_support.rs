//! 券面事項入力補助AP (text-support application): the My Number and the 4 facts (§6).

use apdu::{Channel, Transport, tlv};
use pin_policy::{Pin, PinKind};

use crate::error::Error;
use crate::file_map::{App, text_support as ef};
use crate::iso::{object_len, read_binary, read_rest, select_application, select_ef, verify};
use crate::types::{PinRef, Sex, my_number_check_digit_ok};

/// The 4 facts (基本4情報) as the text-support application holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FourFacts {
    /// Name (`DF22`).
    pub name: String,
    /// Address (`DF23`).
    pub address: String,
    /// Date of birth, `YYYYMMDD` (`DF24`), as year, month, day.
    pub birth: (u16, u8, u8),
    /// Sex (`DF25`).
    pub sex: Sex,
}

/// The client of the text-support application, sharing a channel with [`crate::JpkiApplet`].
#[derive(Debug)]
pub struct TextSupport<'a, T> {
    channel: &'a mut Channel<T>,
}

impl<'a, T: Transport> TextSupport<'a, T> {
    /// Borrows a channel.
    pub const fn new(channel: &'a mut Channel<T>) -> Self {
        Self { channel }
    }

    /// Verifies PIN `0011` once (the PIN is format-checked first; a PIN that cannot be right is
    /// never sent): `00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08`, `00 A4 02 0C 02 00 11`,
    /// `00 20 00 80 04 <PIN>`. The session reads both files under this one VERIFY.
    ///
    /// # Errors
    /// [`Error::ApplicationNotFound`] on a card without the application; PIN errors.
    pub fn verify_pin(self, pin: &[u8]) -> Result<TextSession<'a, T>, Error> {
        let checked = Pin::new(PinKind::TextSupport, pin).map_err(|source| Error::PinFormat {
            pin: PinRef::TextSupport,
            source,
        })?;
        select_application(self.channel, App::TextSupport)?;
        select_ef(self.channel, ef::PIN)?;
        verify(self.channel, PinRef::TextSupport, &checked)?;
        Ok(TextSession {
            channel: self.channel,
        })
    }

    /// [`TextSupport::verify_pin`], then [`TextSession::my_number`].
    ///
    /// # Errors
    /// As those two.
    pub fn my_number(&mut self, pin: &[u8]) -> Result<String, Error> {
        TextSupport::new(&mut *self.channel)
            .verify_pin(pin)?
            .my_number()
    }

    /// [`TextSupport::verify_pin`], then [`TextSession::four_facts`].
    ///
    /// # Errors
    /// As those two.
    pub fn four_facts(&mut self, pin: &[u8]) -> Result<FourFacts, Error> {
        TextSupport::new(&mut *self.channel)
            .verify_pin(pin)?
            .four_facts()
    }
}

/// The text-support application with its PIN verified, from [`TextSupport::verify_pin`]. It
/// borrows the channel mutably, so no other application can be selected (which would end the
/// verified state) while it lives.
#[derive(Debug)]
pub struct TextSession<'a, T> {
    channel: &'a mut Channel<T>,
}

impl<T: Transport> TextSession<'_, T> {
    /// Reads EF `0001`: `00 A4 02 0C 02 00 01`, `00 B0 00 00 00` → `FF 10 0C` + 12 digits.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] when the content or its check digit is wrong.
    pub fn my_number(&mut self) -> Result<String, Error> {
        read_my_number(self.channel, ef::MY_NUMBER)
    }

    /// Reads EF `0002`: `00 A4 02 0C 02 00 02`, `00 B0 00 00 08` (the header), then the rest
    /// → `FF 20 len { DF21 … DF25 }`.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] for missing or undecodable fields.
    pub fn four_facts(&mut self) -> Result<FourFacts, Error> {
        read_four_facts(self.channel, ef::FOUR_FACTS)
    }
}

/// SELECT `fid` in the current application and read the My Number from it: `FF 10 0C` + 12
/// digits (+ filler). The next-generation 認証AP keeps the same bytes in another EF.
pub(crate) fn read_my_number<T: Transport>(
    channel: &mut Channel<T>,
    fid: u16,
) -> Result<String, Error> {
    select_ef(channel, fid)?;
    let file = read_binary(channel, 0, 256)?;
    let malformed = |reason| Error::MalformedFile { fid, reason };
    let (tag, value, _filler) =
        tlv::split_object(&file).map_err(|_| malformed("not a BER-TLV object"))?;
    if tag != 0xFF10 {
        return Err(malformed("tag is not FF10"));
    }
    let number = core::str::from_utf8(value).map_err(|_| malformed("not ASCII digits"))?;
    if !my_number_check_digit_ok(number) {
        return Err(malformed("not 12 digits with a valid check digit"));
    }
    Ok(number.to_owned())
}

/// SELECT `fid` in the current application and read the 4 facts from it:
/// `FF 20 len { DF21 … DF25 }`, the offset table checked.
pub(crate) fn read_four_facts<T: Transport>(
    channel: &mut Channel<T>,
    fid: u16,
) -> Result<FourFacts, Error> {
    select_ef(channel, fid)?;
    let head = read_binary(channel, 0, 8)?;
    let malformed = |reason| Error::MalformedFile { fid, reason };
    let total = object_len(&head).ok_or(malformed("no BER-TLV header"))?;
    let file = read_rest(channel, fid, head, total)?;
    let object = tlv::parse(&file).map_err(|_| malformed("not BER-TLV"))?;
    check_offset_table(&file).map_err(malformed)?;
    let text = |tag, what| -> Result<String, Error> {
        let v = tlv::find_value(&object, tag).ok_or(malformed(what))?;
        String::from_utf8(v.to_vec()).map_err(|_| malformed("a text field is not UTF-8"))
    };
    let name = text(0xDF22, "no name (DF22)")?;
    let address = text(0xDF23, "no address (DF23)")?;
    let birth = text(0xDF24, "no birth date (DF24)")?;
    let birth = parse_yyyymmdd(&birth).ok_or(malformed("birth date is not YYYYMMDD"))?;
    let sex = match text(0xDF25, "no sex (DF25)")?.as_bytes() {
        [code] => Sex::from_code(*code),
        _ => None,
    }
    .ok_or(malformed("sex is not 0, 1, 2 or 9"))?;
    Ok(FourFacts {
        name,
        address,
        birth,
        sex,
    })
}

/// The fields of EF `0002` in the order the card writes them, after `DF21`.
const FACT_TAGS: [u32; 4] = [0xDF22, 0xDF23, 0xDF24, 0xDF25];

/// Checks EF `0002`'s `DF21` table against where the objects really are: the first child is
/// `DF21` with 4 two-byte big-endian offsets, counted from byte 0 of the EF, of the `DF22`,
/// `DF23`, `DF24` and `DF25` tags, which follow in that order and nothing else (card-map §4;
/// real cards: `FF 20 62 DF 21 08 000E 0020 0056 0061`).
///
/// Strict, as soltia48/myna-card's `check_offsets` is (the one public client that reads the
/// table; jpki/myna and jpki-rs ignore it): a card whose table disagrees with its own objects
/// is broken or is not a My Number card, and the simulator once wrote a wrong one (issue #16),
/// which this check would have caught.
fn check_offset_table(file: &[u8]) -> Result<(), &'static str> {
    let (tag, value, after) = tlv::split_object(file).map_err(|_| "not BER-TLV")?;
    if tag != 0xFF20 {
        return Err("tag is not FF20");
    }
    // byte 0 of the EF to byte 0 of the value: the FF20 header
    let mut pos = file
        .len()
        .checked_sub(value.len() + after.len())
        .ok_or("not BER-TLV")?;
    let mut rest = value;
    let mut table: Option<&[u8]> = None;
    let mut starts = Vec::with_capacity(FACT_TAGS.len());
    let mut tags = Vec::with_capacity(FACT_TAGS.len());
    while !rest.is_empty() {
        let (tag, value, after) = tlv::split_object(rest).map_err(|_| "not BER-TLV")?;
        if table.is_none() {
            if tag != 0xDF21 {
                return Err("the offset table (DF21) is not the first object");
            }
            table = Some(value);
        } else {
            starts.push(pos);
            tags.push(tag);
        }
        pos += rest.len() - after.len();
        rest = after;
    }
    if tags != FACT_TAGS {
        return Err("the objects are not DF22, DF23, DF24, DF25 in that order");
    }
    let table = table.ok_or("no offset table (DF21)")?;
    if table.len() != 2 * FACT_TAGS.len() {
        return Err("the offset table (DF21) is not 4 two-byte offsets");
    }
    let agrees = table.chunks_exact(2).zip(&starts).all(|(entry, start)| {
        <[u8; 2]>::try_from(entry).is_ok_and(|be| usize::from(u16::from_be_bytes(be)) == *start)
    });
    if agrees {
        Ok(())
    } else {
        Err("the offset table (DF21) does not point at the objects")
    }
}

fn parse_yyyymmdd(s: &str) -> Option<(u16, u8, u8)> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y = s.get(0..4)?.parse().ok()?;
    let m = s.get(4..6)?.parse().ok()?;
    let d = s.get(6..8)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

#[cfg(test)]
mod tests;
