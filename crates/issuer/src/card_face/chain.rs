//! The simulated J-LIS card CA behind the MF GET DATA objects (card-map §2): a root key, which
//! certifies an intermediate (`00F8`), which certifies each card's 共通 internal-authentication
//! key `0019` (`7F21`; our choice of "the key below": the key INTERNAL AUTHENTICATE uses, so a
//! terminal can check a card's answer to a challenge up to the root). Kept in the authority
//! directory beside the card-face keys:
//!
//! | file | content |
//! |---|---|
//! | `card-ca.key` | root key (証明者鍵ID `9000011` `08 05` `001`), PKCS#8 DER, 0600 |
//! | `card-intermediate.key` | intermediate key (`9000012` `08 05` `001`), PKCS#8 DER, 0600 |
//! | `card-ca.pem` | the root public key, PEM SPKI (clients verify `00F8` with it) |
//!
//! (Our choice: issuer numbers start with `9` like the card-face CAs; the card key's
//! 被証明者鍵ID is `9000013` `08 05` `001`, the same on every card.)

use rsa::{PrivateKey, PublicKey};

use super::cv::{CardCa, key_id, sign_sha256};
use super::tlv;
use crate::error::Error;

/// 証明者鍵ID of the root key: `9000011` + `08 05 "001"` + 4 zero bytes (our choice).
#[must_use]
pub fn root_key_id() -> [u8; 16] {
    key_id(b"9000011")
}

/// Key ID of the intermediate (`00F7`, the 証明者鍵ID in `7F21`): `9000012` … (our choice).
#[must_use]
pub fn intermediate_key_id() -> [u8; 16] {
    key_id(b"9000012")
}

/// 被証明者鍵ID in `7F21`, the card's internal-authentication key: `9000013` … (our choice).
#[must_use]
pub fn card_key_id() -> [u8; 16] {
    key_id(b"9000013")
}

/// The contents of a CV certificate (without `7F 21 L`): `5F 4E 82 01 29` { `issuer_id` +
/// `subject_id` + `subject`'s public key } + `5F 37 82 01 00` PKCS#1 v1.5 SHA-256 signature by
/// `issuer` over those 297 bytes (card-map §5).
pub(crate) fn cv_template(
    issuer: &PrivateKey,
    issuer_id: &[u8; 16],
    subject_id: &[u8; 16],
    subject: &PublicKey,
) -> Result<Vec<u8>, Error> {
    let mut body = Vec::with_capacity(297);
    body.extend_from_slice(issuer_id);
    body.extend_from_slice(subject_id);
    body.extend_from_slice(&tlv::public_key(subject)?);
    let signature = sign_sha256(issuer, &body)?;
    let mut inner = tlv::tlv(&[0x5F, 0x4E], &body)?;
    tlv::push(&mut inner, &[0x5F, 0x37], &signature)?;
    Ok(inner)
}

/// The three MF objects of one card (card-map §2).
pub(crate) struct Chain {
    pub(crate) issuer_key_id: [u8; 16],
    pub(crate) root_certificate: Vec<u8>,
    pub(crate) card_certificate: Vec<u8>,
}

impl CardCa {
    /// `00F7`, `00F8` and `7F21` for a card whose key `0019` has the public key `card_key`.
    pub(crate) fn chain(&self, card_key: &PublicKey) -> Result<Chain, Error> {
        let root_certificate = cv_template(
            &self.root,
            &root_key_id(),
            &intermediate_key_id(),
            &self.intermediate.to_public_key(),
        )?;
        let inner = cv_template(
            &self.intermediate,
            &intermediate_key_id(),
            &card_key_id(),
            card_key,
        )?;
        Ok(Chain {
            issuer_key_id: intermediate_key_id(),
            root_certificate,
            card_certificate: tlv::tlv(&[0x7F, 0x21], &inner)?,
        })
    }

    /// The root public key (`card-ca.pem`).
    pub(crate) fn root_public_key(&self) -> PublicKey {
        self.root.to_public_key()
    }
}
