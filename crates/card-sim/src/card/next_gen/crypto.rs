//! MSE:SET, PSO:COMPUTE DIGITAL SIGNATURE and INTERNAL AUTHENTICATE on the next-generation
//! card (profile §2.4): ECDSA P-384 over a bare SHA-384 hash, answered as 96 bytes r ‖ s.

use apdu::{Command, Response, StatusWord};
use p384::ecdsa::{
    Signature, SigningKey,
    signature::hazmat::{PrehashSigner, RandomizedPrehashSigner},
};
use sha2::{Digest, Sha384};

use super::status;
use crate::{
    card::SimCard,
    next_gen::{NextGenSecret, Nonces, ids},
};

/// Signs a 48-byte hash: r ‖ s, 48 bytes each, big-endian, zero-padded. `None` only if the
/// ECDSA library refuses (it does not for a 48-byte hash).
pub(crate) fn sign_hash(key: &SigningKey, hash: &[u8], nonces: Nonces) -> Option<Vec<u8>> {
    let signature: Signature = match nonces {
        Nonces::Random => key.sign_prehash_with_rng(&mut rand::rng(), hash).ok()?,
        Nonces::Rfc6979 => key.sign_prehash(hash).ok()?,
    };
    Some(signature.to_bytes().to_vec())
}

impl SimCard {
    /// MSE:SET `00 22 41 B6 03 84 01 <01|02>`: chooses the key of PSO:CDS until re-SELECT or
    /// reset → `9000`. Another key number, or a key the card was issued without → `6A88`;
    /// other data `6A80`; no data `6700`; other P1P2 `6A86`.
    pub(super) fn ng_mse(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != ids::MSE_SET_DST {
            return status(StatusWord::INCORRECT_P1P2);
        }
        let key = match cmd.data.as_slice() {
            [] => return status(StatusWord::WRONG_LENGTH),
            [ids::MSE_KEY_TAG, 0x01, key] => *key,
            _ => return status(StatusWord::WRONG_DATA),
        };
        let usable = matches!(key, ids::key::AUTH | ids::key::SIGN)
            && self
                .data
                .next_gen
                .as_ref()
                .is_some_and(|ng| ng.key(key).is_some());
        if !usable {
            return status(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        self.session.ng.mse_key = Some(key);
        status(StatusWord::SUCCESS)
    }

    /// PSO:CDS `00 2A 9E 9A 30 <SHA-384 hash> 00` with the MSE key: 96 bytes r ‖ s + `9000`.
    /// The bare hash is signed (no DigestInfo, no padding). Lc ≠ 48 `6700`; no MSE `6985`;
    /// key `01` before PIN4 or SIGN_PW, key `02` before SIGN_PW `6982`; other P1P2 `6A86`.
    pub(super) fn ng_pso(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != ids::PSO_CDS {
            return status(StatusWord::INCORRECT_P1P2);
        }
        if cmd.data.len() != ids::HASH_LEN {
            return status(StatusWord::WRONG_LENGTH);
        }
        let Some(number) = self.session.ng.mse_key else {
            return status(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let session = &self.session.ng;
        let allowed = match number {
            ids::key::AUTH => session.pin4_satisfied(),
            ids::key::SIGN => session.is_verified(NextGenSecret::SignPassword),
            _ => false,
        };
        if !allowed {
            return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let Some(key) = self.data.next_gen.as_ref().and_then(|ng| ng.key(number)) else {
            return status(StatusWord::REFERENCED_DATA_NOT_FOUND);
        };
        match sign_hash(&key.signing, &cmd.data, self.nonces) {
            Some(signature) => Response::new(signature, StatusWord::SUCCESS),
            None => status(StatusWord::NO_PRECISE_DIAGNOSIS),
        }
    }

    /// INTERNAL AUTHENTICATE `00 88 00 83 Lc <challenge 16–64> 00`: key `03` signs
    /// SHA-384(`JPKI-NG card auth` ‖ challenge) → 96 bytes r ‖ s + `9000`, no PIN. The prefix
    /// keeps the key from signing a caller-chosen hash. Other lengths `6700`; other P1P2
    /// `6A86`.
    pub(super) fn ng_internal_authenticate(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != (0x00, ids::INTERNAL_AUTH_P2) {
            return status(StatusWord::INCORRECT_P1P2);
        }
        if !ids::CHALLENGE_LEN.contains(&cmd.data.len()) {
            return status(StatusWord::WRONG_LENGTH);
        }
        let Some(ng) = self.data.next_gen.as_ref() else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        let hash = Sha384::new()
            .chain_update(ids::CARD_AUTH_PREFIX)
            .chain_update(&cmd.data)
            .finalize();
        match sign_hash(&ng.card_authentication.signing, &hash, self.nonces) {
            Some(signature) => Response::new(signature, StatusWord::SUCCESS),
            None => status(StatusWord::NO_PRECISE_DIAGNOSIS),
        }
    }
}
