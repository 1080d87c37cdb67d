//! The MF-level GET DATA objects signed by J-LIS (card-map §2): `00F7`, `00F8` and `7F21`.

use crate::error::Error;

/// The largest chain object the card accepts (our choice: an extended Le reaches 65 536 bytes,
/// and a BER-TLV `82 LL LL` length 65 535).
const MAX_OBJECT_LEN: usize = 0xFFFF;

/// The MF's J-LIS objects (card-map §2, our choice of what `7F21` certifies: 共通 key `0019`).
/// The card stores and serves them as given; it never parses or verifies them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfObjects {
    /// GET DATA `00F7`: the 16-byte 証明者鍵ID of the intermediate that signs `7F21`.
    pub issuer_key_id: [u8; 16],
    /// GET DATA `00F8`: the CV certificate root → intermediate, template contents (without
    /// `7F 21 L`).
    pub root_certificate: Vec<u8>,
    /// GET DATA `7F21`: the CV certificate intermediate → the card's internal-authentication
    /// key, `7F 21 82 02 33` { `5F 4E`, `5F 37` }.
    pub card_certificate: Vec<u8>,
}

impl MfObjects {
    /// Both certificates non-empty and within [`MAX_OBJECT_LEN`].
    pub(crate) fn check(&self) -> Result<(), Error> {
        for (part, bytes) in [
            ("MF 00F8 certificate", &self.root_certificate),
            ("MF 7F21 certificate", &self.card_certificate),
        ] {
            if bytes.is_empty() || bytes.len() > MAX_OBJECT_LEN {
                return Err(Error::InvalidContents {
                    part,
                    reason: "must be 1 to 65535 bytes",
                });
            }
        }
        Ok(())
    }
}
