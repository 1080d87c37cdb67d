//! The applications beyond JPKI, read through one channel (card-map §2–§7): every PIN and key
//! reference's tries left, the free basic-info records, and the card-face check application
//! ([`FaceCheck`]).

use apdu::{Channel, Transport};

use crate::error::Error;
use crate::face_check::FaceCheck;
use crate::file_map::{App, common, face_check, mf, text_support};
use crate::iso;
use crate::next_gen::SecretStatus;
use crate::records::{CardChain, CardDate, CommonRecord, FaceBasicInfo, TextBasicInfo};
use crate::types::CardPin;

/// What `text basic-info` shows: every free record that says which card this is. Each part
/// is `None` when the card has no such application or object (a Juki card, an older card).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BasicInfo {
    /// 券面事項入力補助AP EF `0005`.
    pub text_support: Option<TextBasicInfo>,
    /// 券面事項確認AP EF `0003`.
    pub face_check: Option<FaceBasicInfo>,
    /// 共通カードAP record 1.
    pub common: Option<CommonRecord>,
    /// MF GET DATA `00F0`: the issuing municipality code.
    pub mf_municipality: Option<String>,
    /// MF GET DATA `00F2`: the expiry.
    pub mf_expiry: Option<CardDate>,
}

/// The whole card over a borrowed channel, from [`crate::JpkiApplet::whole_card`]. Each
/// operation selects the application it needs (ending any verified state elsewhere).
#[derive(Debug)]
pub struct WholeCard<'a, T> {
    channel: &'a mut Channel<T>,
}

/// `Ok(None)` for an application or file the card does not have.
fn absent_as_none<R>(r: Result<R, Error>) -> Result<Option<R>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::ApplicationNotFound { .. } | Error::FileNotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl<'a, T: Transport> WholeCard<'a, T> {
    /// Borrows a channel.
    pub const fn new(channel: &'a mut Channel<T>) -> Self {
        Self { channel }
    }

    /// The state of one key reference without spending a try: SELECT its application
    /// (`00 A4 04 0C 0A <AID>`) and key EF (`00 A4 02 0C 02 <FID>`), then `00 20 00 80` with no
    /// data → `63 Cx` ([`SecretStatus::TriesLeft`]; `6983`/`6984` as 0), or `6300` for a key the
    /// card keeps no count for ([`SecretStatus::NotCounted`]). `None` when the card has no
    /// such application or key (`6A82`).
    ///
    /// # Errors
    /// Transport failures; another answer.
    pub fn pin_status(&mut self, pin: CardPin) -> Result<Option<SecretStatus>, Error> {
        let (app, fid) = pin.location();
        absent_as_none((|| {
            iso::select_application(self.channel, app)?;
            iso::select_ef(self.channel, fid)?;
            iso::key_query(self.channel)
        })())
    }

    /// [`WholeCard::pin_status`] of every key reference, in [`CardPin::ALL`] order. An
    /// application found absent is not asked again.
    ///
    /// # Errors
    /// As [`WholeCard::pin_status`].
    pub fn pin_statuses(&mut self) -> Result<Vec<(CardPin, Option<SecretStatus>)>, Error> {
        let mut absent: Vec<App> = Vec::new();
        let mut out = Vec::with_capacity(CardPin::ALL.len());
        for pin in CardPin::ALL {
            let (app, fid) = pin.location();
            if absent.contains(&app) {
                out.push((pin, None));
                continue;
            }
            let state = match iso::select_application(self.channel, app) {
                Err(Error::ApplicationNotFound { .. }) => {
                    absent.push(app);
                    None
                }
                Err(e) => return Err(e),
                Ok(()) => absent_as_none(
                    iso::select_ef(self.channel, fid).and_then(|()| iso::key_query(self.channel)),
                )?,
            };
            out.push((pin, state));
        }
        Ok(out)
    }

    /// 券面事項入力補助AP EF `0005` (free): SELECT the application, `00 A4 02 0C 02 00 05`,
    /// `00 B0 00 00 08`, then the rest.
    ///
    /// # Errors
    /// [`Error::MalformedFile`]; [`Error::ApplicationNotFound`] on a card without it.
    pub fn text_basic_info(&mut self) -> Result<TextBasicInfo, Error> {
        iso::select_application(self.channel, App::TextSupport)?;
        TextBasicInfo::parse(&iso::read_tlv_file(self.channel, text_support::BASIC_INFO)?)
    }

    /// 券面事項確認AP EF `0003` (free): SELECT the application, `00 A4 02 0C 02 00 03`,
    /// `00 B0 00 00 08`, then the rest.
    ///
    /// # Errors
    /// As [`WholeCard::text_basic_info`].
    pub fn face_basic_info(&mut self) -> Result<FaceBasicInfo, Error> {
        iso::select_application(self.channel, App::FaceCheck)?;
        FaceBasicInfo::parse(&iso::read_tlv_file(self.channel, face_check::BASIC_INFO)?)
    }

    /// 共通カードAP record 1 of EF `0001`: SELECT the application, `00 B2 01 0C 00`.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] (also for a missing record); [`Error::ApplicationNotFound`].
    pub fn common_record(&mut self) -> Result<CommonRecord, Error> {
        iso::select_application(self.channel, App::Common)?;
        let record = iso::read_record_sfi(self.channel, 1, common::RECORD_SFI)?.ok_or(
            Error::MalformedFile {
                fid: common::RECORD_EF,
                reason: "record 1 is missing",
            },
        )?;
        CommonRecord::parse(&record)
    }

    /// An MF-level GET DATA object: SELECT the GlobalPlatform ISD (back to the MF level), then
    /// `00 CA P1 P2 00`. `None` when the card has no such object (`6A88`).
    ///
    /// # Errors
    /// Transport failures; unexpected status words.
    pub fn mf_data(&mut self, tag: u16) -> Result<Option<Vec<u8>>, Error> {
        iso::select_mf_level(self.channel)?;
        iso::get_data(self.channel, tag)
    }

    /// The J-LIS card chain (card-map §2): SELECT the GlobalPlatform ISD, then GET DATA
    /// `00 CA 00 F7`, `00 CA 00 F8`, `00 CA 7F 21`, each with an extended Le `00 00 00` (the
    /// certificates are 563 and 568 bytes). `None` when the card has none of the three (an
    /// older card); check it with [`CardChain::verify`].
    ///
    /// # Errors
    /// [`Error::MalformedFile`] (FID `3F00`) when only some are there or they do not parse
    /// (see [`CardChain::parse`]); transport failures.
    pub fn card_chain(&mut self) -> Result<Option<CardChain>, Error> {
        iso::select_mf_level(self.channel)?;
        let id = iso::get_data_extended(self.channel, mf::ISSUER_KEY_ID)?;
        let intermediate = iso::get_data_extended(self.channel, mf::INTERMEDIATE_CERTIFICATE)?;
        let card = iso::get_data_extended(self.channel, mf::CARD_CERTIFICATE)?;
        match (id, intermediate, card) {
            (None, None, None) => Ok(None),
            (Some(id), Some(intermediate), Some(card)) => {
                CardChain::parse(&id, &intermediate, &card).map(Some)
            }
            _ => Err(Error::MalformedFile {
                fid: 0x3F00,
                reason: "the card has only part of GET DATA 00F7, 00F8, 7F21",
            }),
        }
    }

    /// Everything [`BasicInfo`] holds, each part `None` when absent: the four reads above and
    /// MF GET DATA `00F0`, `00F2`.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] for a record that is there but wrong; transport failures.
    pub fn basic_info(&mut self) -> Result<BasicInfo, Error> {
        let text_support = absent_as_none(self.text_basic_info())?;
        let face_check = absent_as_none(self.face_basic_info())?;
        let common = absent_as_none(self.common_record())?;
        let bad = |reason| Error::MalformedFile {
            fid: 0x3F00,
            reason,
        };
        let mf_municipality = match self.mf_data(mf::MUNICIPALITY)? {
            Some(v) if v.len() == 5 && v.iter().all(u8::is_ascii_digit) => {
                Some(v.iter().map(|b| char::from(*b)).collect())
            }
            Some(_) => return Err(bad("GET DATA 00F0 is not 5 digits")),
            None => None,
        };
        let mf_expiry = match self.mf_data(mf::EXPIRY)? {
            Some(v) => Some(CardDate::parse(&v).ok_or(bad("GET DATA 00F2 is not YYYYMMDD"))?),
            None => None,
        };
        Ok(BasicInfo {
            text_support,
            face_check,
            common,
            mf_municipality,
            mf_expiry,
        })
    }

    /// The card-face check application on this channel.
    pub fn face_check(&mut self) -> FaceCheck<'_, T> {
        FaceCheck::new(self.channel)
    }
}
