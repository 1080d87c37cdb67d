//! The administrative channel (the city hall): what the card checks and what the municipality
//! signs.
//!
//! A blocked PIN is released only by the issuing municipality, which proves that it holds the
//! municipal administration key (ECDSA P-256) by challenge–response over APDUs:
//!
//! ```text
//! 00 CA 00 45 00                      GET DATA (card ID)     → 16 bytes + 9000
//! 00 84 00 00 10                      GET CHALLENGE          → 16 random bytes + 9000
//! 00 82 00 00 Lc <signature>          EXTERNAL AUTHENTICATE  → 9000 (admin state) / 6300
//! 00 2C 03 80                         RESET RETRY COUNTER    → 9000 (counter back at its limit)
//! 00 2C 02 80 Lc <new PIN>            RESET RETRY COUNTER    → 9000 (new PIN, counter reset)
//! ```
//!
//! The signature is ECDSA P-256 with SHA-256 over [`admin_message`]: the fixed domain string
//! [`ADMIN_DOMAIN`], the card ID and the challenge, as DER or as raw `r || s` (64 bytes). A
//! challenge is consumed by the first EXTERNAL AUTHENTICATE whether or not it verifies, so a
//! recorded response cannot be replayed, and the card ID in the message makes a response for one
//! card useless on another.

use core::fmt;

/// Length of a card ID.
pub const CARD_ID_LEN: usize = 16;

/// The domain-separation prefix of every administrative signature.
pub const ADMIN_DOMAIN: &[u8] = b"JPKI-SIM municipal administration v1\0";

/// Length of a GET CHALLENGE answer.
pub const CHALLENGE_LEN: usize = 16;

/// GET DATA tag (P1P2) of the card ID: `00 45`, ISO/IEC 7816-6 "card issuer's data".
pub const CARD_ID_TAG: u16 = 0x0045;

/// The bytes the municipality signs for EXTERNAL AUTHENTICATE:
/// [`ADMIN_DOMAIN`] ‖ card ID ‖ challenge.
#[must_use]
pub fn admin_message(card_id: &[u8; CARD_ID_LEN], challenge: &[u8; CHALLENGE_LEN]) -> Vec<u8> {
    let mut message = Vec::with_capacity(ADMIN_DOMAIN.len() + CARD_ID_LEN + CHALLENGE_LEN);
    message.extend_from_slice(ADMIN_DOMAIN);
    message.extend_from_slice(card_id);
    message.extend_from_slice(challenge);
    message
}

/// Checks an EXTERNAL AUTHENTICATE response (DER or raw `r || s`) against the admin key.
pub(crate) fn verify_response(
    key: &p256::ecdsa::VerifyingKey,
    card_id: &[u8; CARD_ID_LEN],
    challenge: &[u8; CHALLENGE_LEN],
    response: &[u8],
) -> bool {
    use p256::ecdsa::{Signature, signature::Verifier};
    let signature = if response.len() == 64 {
        Signature::from_slice(response)
    } else {
        Signature::from_der(response)
    };
    let Ok(signature) = signature else {
        return false;
    };
    key.verify(&admin_message(card_id, challenge), &signature)
        .is_ok()
}

/// Upper-case hex without separators (card IDs in `Debug` and tool output).
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
