//! A card face as the card simulator's contents: what [`crate::Authority::issue_card`] writes
//! onto a card, and what test fixtures build the same way.

use card_sim::{
    CommonContents, MfObjects, TextSupportRecords, VerificationContents, VisualContents,
};
use cert::time::Date;
use pin_policy::{Pin, PinKind};
use rand::CryptoRng;

use super::{CardFace, CommonRecords, FaceAp, FaceKeys, MyNumber, build, common_records, cv};
use crate::error::Error;

/// A [`CardFace`] split into the card simulator's contents (the 共通カードAP still needs its
/// PINs: [`CommonRecords::into_contents`]).
pub struct FaceContents {
    /// The 券面事項入力補助AP's records and key (`TextSupportContents::records`).
    pub records: TextSupportRecords,
    /// The 券面事項確認AP.
    pub visual: VisualContents,
    /// 照合番号B, the birth-date key and the security code.
    pub verification: VerificationContents,
    /// The 共通カードAP's data.
    pub common: CommonRecords,
}

impl CardFace {
    /// The card simulator's contents of this face; `numbers_limit` is the retry limit of
    /// 照合番号A, B and the birth-date key.
    ///
    /// # Errors
    /// [`Error::Pin`] if 照合番号B or the birth-date key break their format (a defect).
    pub fn into_contents(self, numbers_limit: u8) -> Result<FaceContents, Error> {
        Ok(FaceContents {
            verification: VerificationContents {
                number_b: Pin::new(PinKind::VerificationB, self.number_b.as_bytes())?,
                birth_date: Pin::new(PinKind::BirthDate, self.birth_date_key.as_bytes())?,
                retry_limit: numbers_limit,
                security_code: self.security_code.to_string(),
            },
            records: TextSupportRecords {
                integrity: self.text.integrity,
                cv_certificate: self.text.cv_certificate,
                basic_info: self.text.basic_info,
                session_key: self.text.session_key,
                signed_key: self.text.signed_key,
                card_key: self.text.card_key,
            },
            visual: VisualContents {
                age_record: self.visual.age_record,
                card_face: self.visual.card_face,
                basic_info: self.visual.basic_info,
                cv_certificate: self.visual.cv_certificate,
                my_number_image: self.visual.my_number_image,
                card_key: self.visual.card_key,
            },
            common: self.common,
        })
    }
}

impl CommonRecords {
    /// The 共通カードAP and 住基AP contents, with their `001C` PINs and retry limit.
    #[must_use]
    pub fn into_contents(self, common_pin: Pin, juki_pin: Pin, retry_limit: u8) -> CommonContents {
        CommonContents {
            serial: self.serial,
            municipality: self.municipality,
            expiry: self.expiry,
            key_reference: self.key_reference,
            internal_auth_key: self.internal_auth_key,
            common_pin,
            juki_pin,
            retry_limit,
            mf_objects: Some(MfObjects {
                issuer_key_id: self.issuer_key_id,
                root_certificate: self.root_certificate,
                card_certificate: self.card_certificate,
            }),
        }
    }
}

/// Card-face CA keys held in memory, for fixtures and tests: the same records an authority
/// directory's keys make ([`crate::Authority::card_face`]), with no directory.
pub struct FaceAuthority {
    keys: FaceKeys,
}

impl FaceAuthority {
    /// New CA and record-signing keys for both 券面 APs and the card CA behind the MF objects,
    /// drawn from `rng` (text CA, text signer, visual CA, visual signer, card root, card
    /// intermediate).
    ///
    /// # Errors
    /// Key generation errors.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        Ok(FaceAuthority {
            keys: cv::in_memory(rng)?,
        })
    }

    /// A whole card face for `holder`, as [`crate::Authority::card_face`] builds it.
    ///
    /// # Errors
    /// As [`crate::Authority::card_face`].
    pub fn card_face<R: CryptoRng + ?Sized>(
        &self,
        holder: &cert::Holder,
        my_number: &MyNumber,
        card_expiry: Date,
        rng: &mut R,
    ) -> Result<CardFace, Error> {
        build(&self.keys, holder, my_number, card_expiry, rng)
    }

    /// The CA public key of `ap` as PEM SPKI (what `face-*-ca.pem` holds in an authority
    /// directory).
    ///
    /// # Errors
    /// [`Error::CardFace`] if PEM encoding fails.
    pub fn ca_pem(&self, ap: FaceAp) -> Result<String, Error> {
        let ca = match ap {
            FaceAp::Text => &self.keys.text,
            FaceAp::Visual => &self.keys.visual,
        };
        cv::pem(&ca.ca_public_key())
    }

    /// The 共通カードAP content of a card without 券面 APs (a Juki card), as
    /// [`crate::Authority::common_records`] builds it.
    ///
    /// # Errors
    /// Key generation errors.
    pub fn common_records<R: CryptoRng + ?Sized>(
        &self,
        holder: &cert::Holder,
        card_expiry: Date,
        rng: &mut R,
    ) -> Result<CommonRecords, Error> {
        common_records(&self.keys, holder, card_expiry, rng)
    }

    /// The card CA's root public key as PEM SPKI (what `card-ca.pem` holds in an authority
    /// directory; it verifies MF `00F8`).
    ///
    /// # Errors
    /// [`Error::CardFace`] if PEM encoding fails.
    pub fn card_ca_pem(&self) -> Result<String, Error> {
        cv::pem(&self.keys.card.root_public_key())
    }
}
