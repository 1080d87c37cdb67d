//! ISO/IEC 7816-4 building blocks the applications share: SELECT, the READ BINARY loop,
//! VERIFY and COMPUTE DIGITAL SIGNATURE, and the mapping of status words to errors
//! (shared/jpki-spec.md §3–§5). They send exactly the command they document, nothing before it.

use apdu::{Channel, Command, Response, StatusWord, Transport};
use pin_policy::Pin;

use crate::error::Error;
use crate::file_map::{App, GP_ISD_AID};
use crate::next_gen::SecretStatus;
use crate::types::{CardPin, CertSlot, KeyRef, MAX_SIGN_INPUT, PinRef, PinStatus};

/// Largest offset READ BINARY can address with P1P2 (§5).
const MAX_OFFSET: usize = 0x7FFF;

/// `00 A4 04 0C Lc <AID>` → `9000`. Ends any verified state of the application selected before.
pub(crate) fn select_application<T: Transport>(ch: &mut Channel<T>, app: App) -> Result<(), Error> {
    let resp = ch.send(&Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(app.aid().to_vec()))?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        StatusWord::FILE_NOT_FOUND => Err(Error::ApplicationNotFound {
            application: app.name(),
        }),
        sw => Err(status_error(sw, None, "SELECT application")),
    }
}

/// `00 A4 02 0C 02 <FID>` → `9000`.
pub(crate) fn select_ef<T: Transport>(ch: &mut Channel<T>, fid: u16) -> Result<(), Error> {
    let resp =
        ch.send(&Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec()))?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        StatusWord::FILE_NOT_FOUND => Err(Error::FileNotFound { fid }),
        sw => Err(status_error(sw, None, "SELECT file")),
    }
}

/// `00 B0 P1P2 Le` from `offset`; the card may return fewer bytes near the end.
pub(crate) fn read_binary<T: Transport>(
    ch: &mut Channel<T>,
    offset: usize,
    le: usize,
) -> Result<Vec<u8>, Error> {
    let [_, _, p1, p2] = u32::try_from(offset.min(MAX_OFFSET))
        .unwrap_or(0)
        .to_be_bytes();
    let resp = ch.send(&Command::new(0x00, 0xB0, p1, p2).with_le(le))?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(resp.data),
        sw => Err(status_error(sw, None, "READ BINARY")),
    }
}

/// Reads exactly `total` bytes of the selected EF, starting after the `have` already read:
/// `00 B0 P1P2 00` chunks of 256, then the exact remainder.
pub(crate) fn read_rest<T: Transport>(
    ch: &mut Channel<T>,
    fid: u16,
    mut have: Vec<u8>,
    total: usize,
) -> Result<Vec<u8>, Error> {
    if total > MAX_OFFSET + 1 {
        return Err(Error::MalformedFile {
            fid,
            reason: "content longer than READ BINARY can address",
        });
    }
    have.truncate(total);
    while have.len() < total {
        let want = (total - have.len()).min(256);
        let chunk = read_binary(ch, have.len(), want)?;
        if chunk.is_empty() {
            return Err(Error::MalformedFile {
                fid,
                reason: "file ends before its content does",
            });
        }
        have.extend_from_slice(chunk.get(..want.min(chunk.len())).unwrap_or_default());
    }
    Ok(have)
}

/// Reads a certificate's DER from the current application: SELECT its EF, read 4 bytes of
/// header (`00 B0 00 00 04` → `30 82 LL LL`), then [`read_rest`]. Filler after the DER is not
/// returned.
pub(crate) fn read_certificate_file<T: Transport>(
    ch: &mut Channel<T>,
    slot: CertSlot,
) -> Result<Vec<u8>, Error> {
    read_der_file(ch, slot.fid())?.ok_or(Error::NoCertificate { slot })
}

/// [`read_certificate_file`] by file identifier: `None` for an absent, erased or never-written
/// EF.
pub(crate) fn read_der_file<T: Transport>(
    ch: &mut Channel<T>,
    fid: u16,
) -> Result<Option<Vec<u8>>, Error> {
    match select_ef(ch, fid) {
        Err(Error::FileNotFound { .. }) => return Ok(None),
        other => other?,
    }
    let header = match read_binary(ch, 0, 4) {
        Err(Error::UnexpectedStatus {
            sw: StatusWord::WRONG_P1P2,
            ..
        }) => return Ok(None),
        other => other?,
    };
    let total = match header.as_slice() {
        [0x30, 0x82, hi, lo, ..] => 4 + usize::from(u16::from_be_bytes([*hi, *lo])),
        [0x30, 0x81, len, ..] => 3 + usize::from(*len),
        [0x30, len, ..] if *len < 0x80 => 2 + usize::from(*len),
        // an erased or never-written EF
        [] | [0x00 | 0xFF, ..] => return Ok(None),
        _ => {
            return Err(Error::MalformedFile {
                fid,
                reason: "does not start with a DER SEQUENCE",
            });
        }
    };
    read_rest(ch, fid, header, total).map(Some)
}

/// Reads a whole BER-TLV EF: SELECT it (`00 A4 02 0C 02 <FID>`), `00 B0 00 00 08` for the
/// header, then [`read_rest`]. Filler after the object is not returned.
pub(crate) fn read_tlv_file<T: Transport>(ch: &mut Channel<T>, fid: u16) -> Result<Vec<u8>, Error> {
    select_ef(ch, fid)?;
    let head = read_binary(ch, 0, 8)?;
    let total = object_len(&head).ok_or(Error::MalformedFile {
        fid,
        reason: "no BER-TLV header",
    })?;
    read_rest(ch, fid, head, total)
}

/// `00 A4 04 0C 07 A0 00 00 01 51 00 00`: the GlobalPlatform ISD, which puts the card back at
/// the MF level (card-map §1). A card that refuses it stays where it was: not an error.
pub(crate) fn select_mf_level<T: Transport>(ch: &mut Channel<T>) -> Result<(), Error> {
    ch.send(&Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(GP_ISD_AID.to_vec()))?;
    Ok(())
}

/// `00 CA P1 P2 00` → the object, `None` when the card has none (`6A88`, or `6A82`).
pub(crate) fn get_data<T: Transport>(
    ch: &mut Channel<T>,
    tag: u16,
) -> Result<Option<Vec<u8>>, Error> {
    get_data_le(ch, tag, 256)
}

/// [`get_data`] with an extended Le `00 00 00` (65 536): for objects over 256 bytes, which
/// answer a short Le with `6700` (card-map §1).
pub(crate) fn get_data_extended<T: Transport>(
    ch: &mut Channel<T>,
    tag: u16,
) -> Result<Option<Vec<u8>>, Error> {
    get_data_le(ch, tag, 65_536)
}

fn get_data_le<T: Transport>(
    ch: &mut Channel<T>,
    tag: u16,
    le: usize,
) -> Result<Option<Vec<u8>>, Error> {
    let [p1, p2] = tag.to_be_bytes();
    let resp = ch.send(&Command::new(0x00, 0xCA, p1, p2).with_le(le))?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(Some(resp.data)),
        StatusWord::REFERENCED_DATA_NOT_FOUND | StatusWord::FILE_NOT_FOUND => Ok(None),
        sw => Err(status_error(sw, None, "GET DATA")),
    }
}

/// `00 B2 <record> <SFI<<3|04> 00` (READ RECORD by short EF identifier, no SELECT) → the
/// record, `None` when there is no such record (`6A83`).
pub(crate) fn read_record_sfi<T: Transport>(
    ch: &mut Channel<T>,
    record: u8,
    sfi: u8,
) -> Result<Option<Vec<u8>>, Error> {
    let resp = ch.send(&Command::new(0x00, 0xB2, record, (sfi << 3) | 0x04).with_le(256))?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(Some(resp.data)),
        StatusWord(0x6A83) => Ok(None),
        sw => Err(status_error(sw, None, "READ RECORD")),
    }
}

/// `00 20 00 80 Lc <value>` on the selected key EF of `which`, for key references that are
/// not [`PinRef`]s (照合番号): wrong → [`Error::WrongNumber`], blocked →
/// [`Error::NumberBlocked`].
pub(crate) fn verify_number<T: Transport>(
    ch: &mut Channel<T>,
    which: CardPin,
    value: &[u8],
) -> Result<(), Error> {
    let cmd = Command::new(0x00, 0x20, 0x00, 0x80)
        .with_data(value.to_vec())
        .sensitive();
    let resp = ch.send(&cmd)?;
    match (resp.sw, resp.sw.retries_left()) {
        (StatusWord::SUCCESS, _) => Ok(()),
        (_, Some(tries_left)) => Err(Error::WrongNumber { which, tries_left }),
        (StatusWord::AUTH_METHOD_BLOCKED | StatusWord::REFERENCE_DATA_NOT_USABLE, None) => {
            Err(Error::NumberBlocked { which })
        }
        (sw, None) => Err(status_error(sw, None, "VERIFY")),
    }
}

/// `00 20 00 80` without data on the selected key EF of any application of today's card, for
/// a listing: [`pin_query`]'s answers, and also `6300`, a key the card keeps no count for
/// (card-map §2), as [`SecretStatus::NotCounted`] instead of an error.
pub(crate) fn key_query<T: Transport>(ch: &mut Channel<T>) -> Result<SecretStatus, Error> {
    let resp = ch.send(&Command::new(0x00, 0x20, 0x00, 0x80))?;
    match (resp.sw.retries_left(), resp.sw) {
        (Some(n), _) => Ok(SecretStatus::TriesLeft(n)),
        (None, StatusWord::AUTH_METHOD_BLOCKED | StatusWord::REFERENCE_DATA_NOT_USABLE) => {
            Ok(SecretStatus::TriesLeft(0))
        }
        (None, StatusWord(0x6300)) => Ok(SecretStatus::NotCounted),
        (None, sw) => Err(Error::UnexpectedStatus {
            operation: "VERIFY (retry query)",
            sw,
        }),
    }
}

/// Empty VERIFY on the selected PIN EF: `00 20 00 80` → `63 Cx` ([`key_query`]; a JPKI PIN
/// always has a retry count, so `6300` is the card's error here).
pub(crate) fn pin_query<T: Transport>(ch: &mut Channel<T>) -> Result<PinStatus, Error> {
    match key_query(ch)? {
        SecretStatus::TriesLeft(tries_left) => Ok(PinStatus { tries_left }),
        _ => Err(Error::UnexpectedStatus {
            operation: "VERIFY (retry query)",
            sw: StatusWord(0x6300),
        }),
    }
}

/// `00 20 00 80 Lc <PIN>` on the selected PIN EF.
pub(crate) fn verify<T: Transport>(
    ch: &mut Channel<T>,
    pin: PinRef,
    value: &Pin,
) -> Result<(), Error> {
    // The command is sensitive: its copy of the PIN is zeroized when it drops.
    let cmd = Command::new(0x00, 0x20, 0x00, 0x80)
        .with_data(value.expose_secret().to_vec())
        .sensitive();
    let resp: Response = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        sw => Err(status_error(sw, Some(pin), "VERIFY")),
    }
}

/// `00 24 01 80 Lc <new PIN>` on the selected PIN EF, after VERIFY of the old one.
pub(crate) fn change_reference_data<T: Transport>(
    ch: &mut Channel<T>,
    pin: PinRef,
    new: &Pin,
) -> Result<(), Error> {
    let cmd = Command::new(0x00, 0x24, 0x01, 0x80)
        .with_data(new.expose_secret().to_vec())
        .sensitive();
    let resp = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        StatusWord::WRONG_DATA => Err(Error::UnexpectedStatus {
            operation: "CHANGE REFERENCE DATA (the card refused the new PIN's format)",
            sw: resp.sw,
        }),
        sw => Err(status_error(sw, Some(pin), "CHANGE REFERENCE DATA")),
    }
}

/// Refuses locally what no RSA-2048 PKCS#1 v1.5 block can carry.
pub(crate) const fn check_sign_input(data: &[u8]) -> Result<(), Error> {
    if data.len() > MAX_SIGN_INPUT {
        return Err(Error::SignInputTooLong {
            len: data.len(),
            max: MAX_SIGN_INPUT,
        });
    }
    Ok(())
}

/// SELECT the key EF, then `80 2A 00 80 Lc <data> 00` → 256 bytes + `9000`. With
/// `exact_length`, an answer of any other length is an error.
pub(crate) fn compute_signature<T: Transport>(
    ch: &mut Channel<T>,
    key: KeyRef,
    data: &[u8],
    exact_length: bool,
) -> Result<Vec<u8>, Error> {
    select_ef(ch, key.key_fid())?;
    let cmd = Command::new(0x80, 0x2A, 0x00, 0x80)
        .with_data(data.to_vec())
        .with_le(256);
    let resp = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS if !exact_length || resp.data.len() == 256 => Ok(resp.data),
        StatusWord::SUCCESS => Err(Error::UnexpectedStatus {
            operation: "COMPUTE DIGITAL SIGNATURE (answer is not 256 bytes)",
            sw: resp.sw,
        }),
        sw => Err(status_error(
            sw,
            Some(key.pin()),
            "COMPUTE DIGITAL SIGNATURE",
        )),
    }
}

/// Total length (header included) of the BER-TLV object starting `head`, if the header is whole.
pub(crate) fn object_len(head: &[u8]) -> Option<usize> {
    let mut pos = 1;
    if head.first()? & 0x1F == 0x1F {
        while head.get(pos)? & 0x80 != 0 {
            pos += 1;
        }
        pos += 1;
    }
    let first = *head.get(pos)?;
    pos += 1;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 3 {
            return None;
        }
        let mut len = 0;
        for _ in 0..n {
            len = (len << 8) | usize::from(*head.get(pos)?);
            pos += 1;
        }
        len
    };
    pos.checked_add(len)
}

/// Maps a status word to the error a person understands.
pub(crate) fn status_error(sw: StatusWord, pin: Option<PinRef>, operation: &'static str) -> Error {
    match (sw.retries_left(), pin) {
        (Some(tries_left), Some(pin)) => return Error::WrongPin { pin, tries_left },
        (None, Some(pin))
            if sw == StatusWord::REFERENCE_DATA_NOT_USABLE
                || sw == StatusWord::AUTH_METHOD_BLOCKED =>
        {
            return Error::PinBlocked { pin };
        }
        _ => {}
    }
    match sw {
        StatusWord::SECURITY_STATUS_NOT_SATISFIED => Error::SecurityStatusNotSatisfied,
        sw => Error::UnexpectedStatus { operation, sw },
    }
}
