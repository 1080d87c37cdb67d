//! The card face at the window: the simulated J-LIS card-face CAs of the authority and the
//! records of a new card or of a facts change (see [`crate::card_face`]).

use std::path::PathBuf;

use cert::time::Date;
use rand::CryptoRng;
use rsa::PublicKey;

use card_sim::MyNumber;

use super::Authority;
use crate::card_face::{self, CardFace, FaceAp, FactsRecords};
use crate::error::Error;

impl Authority {
    /// Everything J-LIS writes into the 券面 APs and the 共通カードAP of a new card, for
    /// `holder`, deterministic from `rng`. An authority without card-face and card CA keys
    /// (created before them) gets them now, drawn from `rng` first (text CA, text signer,
    /// visual CA, visual signer, card root, card intermediate) and written to its directory.
    ///
    /// # Errors
    /// Holder data the records cannot carry ([`Error::Certificate`], [`Error::Card`],
    /// [`Error::CardFace`]), key generation and I/O errors.
    pub fn card_face<R: CryptoRng + ?Sized>(
        &mut self,
        holder: &cert::Holder,
        my_number: &MyNumber,
        card_expiry: Date,
        rng: &mut R,
    ) -> Result<CardFace, Error> {
        if self.face.is_none() {
            self.face = Some(card_face::generate_keys(&self.dir, rng)?);
        }
        let keys = self.face.as_ref().ok_or(NO_KEYS)?;
        card_face::build(keys, holder, my_number, card_expiry, rng)
    }

    /// The 共通カードAP content of a card without 券面 APs (a Juki card, card-map §8), its MF
    /// objects signed by the card CA; the keys are made first as for [`Self::card_face`].
    ///
    /// # Errors
    /// Key generation and I/O errors.
    pub fn common_records<R: CryptoRng + ?Sized>(
        &mut self,
        holder: &cert::Holder,
        card_expiry: Date,
        rng: &mut R,
    ) -> Result<card_face::CommonRecords, Error> {
        if self.face.is_none() {
            self.face = Some(card_face::generate_keys(&self.dir, rng)?);
        }
        let keys = self.face.as_ref().ok_or(NO_KEYS)?;
        card_face::common_records(keys, holder, card_expiry, rng)
    }

    /// The records that carry the 4 facts (入力補助 `0003`, 確認AP `0001` and `0002`), 照合番号B
    /// and the birth-date key, for a card whose keys already exist: `text_key` (入力補助 `0013`,
    /// only checked: no facts record holds it) and `visual_key` (確認AP card key).
    ///
    /// # Errors
    /// [`Error::CardFace`] if this authority has no card-face CA keys yet (they come with its
    /// first [`Self::card_face`]) or `security_code` is not 4 digits; holder data errors.
    pub fn facts_records(
        &self,
        holder: &cert::Holder,
        my_number: &MyNumber,
        card_expiry: Date,
        security_code: &str,
        text_key: &PublicKey,
        visual_key: &PublicKey,
    ) -> Result<FactsRecords, Error> {
        let keys = self.face.as_ref().ok_or(NO_KEYS)?;
        card_face::facts(
            keys,
            holder,
            my_number,
            card_expiry,
            security_code,
            text_key,
            visual_key,
        )
    }

    /// The public key of an AP's card-face CA (which verifies its CV certificate), or `None`
    /// before the first [`Self::card_face`].
    #[must_use]
    pub fn face_ca_public_key(&self, ap: FaceAp) -> Option<PublicKey> {
        let keys = self.face.as_ref()?;
        Some(match ap {
            FaceAp::Text => keys.text.ca_public_key(),
            FaceAp::Visual => keys.visual.ca_public_key(),
        })
    }

    /// The card CA's root public key (which verifies MF `00F8`), or `None` before the first
    /// [`Self::card_face`] or [`Self::common_records`].
    #[must_use]
    pub fn card_ca_public_key(&self) -> Option<PublicKey> {
        Some(self.face.as_ref()?.card.root_public_key())
    }

    /// The path of the card CA's root public key (`card-ca.pem`, PEM SPKI).
    #[must_use]
    pub fn card_ca_path(&self) -> PathBuf {
        self.dir.join("card-ca.pem")
    }

    /// The path of an AP's card-face CA public key (PEM SPKI; written with the keys).
    #[must_use]
    pub fn face_ca_path(&self, ap: FaceAp) -> PathBuf {
        self.dir.join(format!("{}-ca.pem", ap.stem()))
    }
}

const NO_KEYS: Error = Error::CardFace {
    reason: "this authority has no card-face CA keys yet; they are made by its first card_face",
};
