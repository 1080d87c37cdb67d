//! The free basic-info records: 入力補助AP EF `0005`, 確認AP EF `0003` (card-map §4, §5) and
//! the 共通カードAP record (card-map §6).

use apdu::tlv;

use super::cv::KeyId;
use super::{CardDate, children, digits, fixed, malformed, value_of};
use crate::error::Error;

/// 券面事項入力補助AP EF `0005`: `FF 40 L { DF41 04; DF42 10; DF43 81 80 }`, padded with `FF`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextBasicInfo {
    /// `DF41`: spec version, extended Lc/Le, vendor ID, vendor byte (`01 03 0E 01` seen).
    pub profile: [u8; 4],
    /// `DF42`: a key ID (card-map: not the one EF `0004` certifies).
    pub key_id: KeyId,
    /// `DF43`: 128 bytes of unknown meaning.
    pub unknown: Vec<u8>,
}

impl TextBasicInfo {
    /// Parses the file; the `FF` filler after `FF40` is ignored.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] (fid `0005`).
    pub fn parse(file: &[u8]) -> Result<Self, Error> {
        let bad = malformed(0x0005);
        let kids = children(file, 0xFF40).map_err(&bad)?;
        let get = |tag, what| value_of(&kids, tag, what).map_err(&bad);
        Ok(Self {
            profile: fixed(get(0xDF41, "no profile (DF41)")?, "DF41 is not 4 bytes")
                .map_err(&bad)?,
            key_id: KeyId(
                fixed(get(0xDF42, "no key ID (DF42)")?, "DF42 is not 16 bytes").map_err(&bad)?,
            ),
            unknown: get(0xDF43, "no DF43")?.to_vec(),
        })
    }
}

/// 券面事項確認AP EF `0003`: `FF 30 L { DF31 04; DF32 10; DF33 01; DF34 05; DF35 82 01 10 }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaceBasicInfo {
    /// `DF31` (`06 03 0E 01` seen).
    pub profile: [u8; 4],
    /// `DF32`: a key ID.
    pub key_id: KeyId,
    /// `DF33`: a version byte.
    pub version: u8,
    /// `DF34`: the issuing municipality code, 5 digits.
    pub municipality: String,
    /// `DF35`: its first 16 bytes, a key ID (the 256 opaque bytes after it are not kept).
    pub extra_key_id: KeyId,
}

impl FaceBasicInfo {
    /// Parses the file; filler after `FF30` is ignored.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] (fid `0003`).
    pub fn parse(file: &[u8]) -> Result<Self, Error> {
        let bad = malformed(0x0003);
        let kids = children(file, 0xFF30).map_err(&bad)?;
        let get = |tag, what| value_of(&kids, tag, what).map_err(&bad);
        let extra = get(0xDF35, "no DF35")?;
        Ok(Self {
            profile: fixed(get(0xDF31, "no profile (DF31)")?, "DF31 is not 4 bytes")
                .map_err(&bad)?,
            key_id: KeyId(
                fixed(get(0xDF32, "no key ID (DF32)")?, "DF32 is not 16 bytes").map_err(&bad)?,
            ),
            version: match get(0xDF33, "no version (DF33)")? {
                [v] => *v,
                _ => return Err(bad("DF33 is not 1 byte")),
            },
            municipality: digits(
                get(0xDF34, "no municipality (DF34)")?,
                5,
                "the municipality code (DF34) is not 5 digits",
            )
            .map_err(&bad)?,
            extra_key_id: KeyId(
                fixed(
                    extra.get(..16).unwrap_or_default(),
                    "DF35 is shorter than 16 bytes",
                )
                .map_err(&bad)?,
            ),
        })
    }
}

/// 共通カードAP record 1 of EF `0001`: `01 1C` + 28 ASCII digits = serial (15) +
/// municipality code (5) + expiry `YYYYMMDD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommonRecord {
    /// The card's serial number, 15 digits.
    pub serial: String,
    /// The issuing municipality code, 5 digits.
    pub municipality: String,
    /// The card's expiry.
    pub expiry: CardDate,
}

impl CommonRecord {
    /// Parses the record as READ RECORD returns it.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] (fid `0001`).
    pub fn parse(record: &[u8]) -> Result<Self, Error> {
        let bad = malformed(0x0001);
        let (tag, value, _rest) =
            tlv::split_object(record).map_err(|_| bad("the record is not a simple TLV"))?;
        if tag != 0x01 {
            return Err(bad("the record's tag is not 01"));
        }
        let all = digits(value, 28, "the record is not 28 digits").map_err(&bad)?;
        let part = |r: core::ops::Range<usize>| all.get(r).unwrap_or_default().to_owned();
        Ok(Self {
            serial: part(0..15),
            municipality: part(15..20),
            expiry: CardDate::parse(value.get(20..28).unwrap_or_default())
                .ok_or(bad("the expiry is not YYYYMMDD"))?,
        })
    }
}
