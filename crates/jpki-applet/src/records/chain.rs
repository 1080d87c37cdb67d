//! The J-LIS card chain at the MF level (card-map §2): GET DATA `00F7` (the 証明者鍵ID of the
//! intermediate), `00F8` (CV certificate root → intermediate, the template contents without
//! `7F 21 L`) and `7F21` (CV certificate intermediate → the card's key; our reading: the 共通
//! internal-authentication key `0019`, so a challenge answer checks up to the root).

use rsa::PublicKey;

use super::{CvCertificate, KeyId, fixed, malformed};
use crate::error::Error;

/// The pseudo-FID errors name for MF objects.
const MF: u16 = 0x3F00;

/// The three MF objects, parsed.
#[derive(Clone, Debug)]
pub struct CardChain {
    /// `00F7`: the intermediate's key ID.
    pub issuer_key_id: KeyId,
    /// `00F8`: root → intermediate.
    pub intermediate: CvCertificate,
    /// `7F21`: intermediate → the card's key.
    pub card: CvCertificate,
}

impl CardChain {
    /// Parses `00F7`, `00F8` and `7F21` as the card answered them.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] (FID `3F00`) for a `00F7` that is not 16 bytes, a certificate
    /// that does not parse, or IDs that do not link: `7F21`'s 証明者鍵ID and `00F8`'s
    /// 被証明者鍵ID must both be `00F7`.
    pub fn parse(issuer_key_id: &[u8], intermediate: &[u8], card: &[u8]) -> Result<Self, Error> {
        let bad = malformed(MF);
        let issuer_key_id =
            KeyId(fixed(issuer_key_id, "GET DATA 00F7 is not 16 bytes").map_err(&bad)?);
        // 00F8 is the template contents: parsed with the 7F21 header put back
        let len =
            u16::try_from(intermediate.len()).map_err(|_| bad("GET DATA 00F8 is too long"))?;
        let mut wrapped = vec![0x7F, 0x21, 0x82];
        wrapped.extend_from_slice(&len.to_be_bytes());
        wrapped.extend_from_slice(intermediate);
        let intermediate = CvCertificate::parse(&wrapped, MF)?;
        let card = CvCertificate::parse(card, MF)?;
        if intermediate.subject_key_id != issuer_key_id {
            return Err(bad("00F8 does not certify the key 00F7 names"));
        }
        if card.issuer_key_id != issuer_key_id {
            return Err(bad("7F21 is not signed by the key 00F7 names"));
        }
        Ok(Self {
            issuer_key_id,
            intermediate,
            card,
        })
    }

    /// The root's key ID (`00F8`'s 証明者鍵ID).
    #[must_use]
    pub fn root_key_id(&self) -> KeyId {
        self.intermediate.issuer_key_id
    }

    /// The key `7F21` certifies (the card's internal-authentication key).
    #[must_use]
    pub fn card_key(&self) -> &PublicKey {
        &self.card.public_key
    }

    /// Checks `7F21` against the key `00F8` certifies, and `00F8` against `root` (the card CA's
    /// public key, given by the user: it is not on the card).
    ///
    /// # Errors
    /// [`Error::SignatureInvalid`] naming the certificate that does not verify.
    pub fn verify(&self, root: &PublicKey) -> Result<(), Error> {
        self.card.verify_as(
            &self.intermediate.public_key,
            "the card certificate (MF 7F21)",
        )?;
        self.intermediate
            .verify_as(root, "the intermediate certificate (MF 00F8)")
    }
}
