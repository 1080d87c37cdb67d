//! COMPUTE DIGITAL SIGNATURE (card-map §3): which key P2 names, and the six schemes of P1.

use apdu::{Command, Response, StatusWord};

use super::commands::{MAX_SIGN_INPUT, MODULUS_LEN, status};
use super::{
    INCOMPATIBLE_FILE, SimCard,
    app::App,
    files::{Access, Ef, pin_of},
};
use crate::profile::KeyRole;

impl SimCard {
    /// The key of COMPUTE DIGITAL SIGNATURE: P2 `80` = the current key EF (no current EF →
    /// `6986`); P2 `80|SFI` (SFI `01`–`1E`) = the key EF with FID `00 SFI` of the current
    /// application without SELECT (`97` = `0017`, `9A` = `001A`; the current EF stays as it
    /// was). No such EF → `6A82`; not a key EF → `6981`; any other P2 → `6A86`.
    fn signing_key_role(&self, p2: u8) -> Result<KeyRole, StatusWord> {
        let access = if p2 == 0x80 {
            self.session
                .ef()
                .map(Ef::access)
                .ok_or(StatusWord::COMMAND_NOT_ALLOWED_NO_EF)?
        } else {
            self.ef_by_sfi_in_p2(p2)?.access()
        };
        match access {
            Access::Key(role) => Ok(role),
            _ => Err(INCOMPATIBLE_FILE),
        }
    }

    /// COMPUTE DIGITAL SIGNATURE `80 2A P1 P2 Lc <data> 00` (card-map §3), RSA-2048 → 256
    /// bytes + `9000`. P2 names the key (see [`Self::signing_key_role`]: `80` the current key
    /// EF, `97`/`9A` keys `0017`/`001A` by SFI). P1 picks the scheme:
    ///
    /// | P1 | the card signs | data |
    /// |---|---|---|
    /// | `00` | PKCS#1 v1.5 type-01 padding over the data as given (normally a DigestInfo) | 1–245 B |
    /// | `01` | PKCS#1 v1.5 over the bare SHA-256 of the data (32 B, no DigestInfo) | ≥ 1 B |
    /// | `02` | PKCS#1 v1.5 over the SHA-256 DigestInfo of the given hash | 32 B |
    /// | `03` | PKCS#1 v1.5 over the SHA-256 DigestInfo of the data's SHA-256 | ≥ 1 B |
    /// | `04` | RSASSA-PSS (SHA-256, MGF1-SHA-256, random 32-byte salt) over the given hash | 32 B |
    /// | `05` | RSASSA-PSS over the data's SHA-256 | ≥ 1 B |
    ///
    /// Other P1 → `6A86`; key's PIN not verified → `6982`; data of the wrong length → `6700`
    /// (card-map allows `6985` or `6700`: `6700`, as for P1 `00` already).
    ///
    /// In the other APs: see [`Self::ap_signature`].
    pub(super) fn compute_signature(&mut self, cmd: &Command) -> Response {
        if self.session.app().is_some_and(|app| app != App::Jpki) {
            return self.ap_signature(cmd);
        }
        let Some(scheme) = SignScheme::from_p1(cmd.p1) else {
            return status(StatusWord::INCORRECT_P1P2);
        };
        let role = match self.signing_key_role(cmd.p2) {
            Ok(role) => role,
            Err(sw) => return status(sw),
        };
        if !self.session.is_verified(pin_of(role)) {
            return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let Some(input) = scheme.input(&cmd.data) else {
            return status(StatusWord::WRONG_LENGTH);
        };
        let key = match role {
            KeyRole::Authentication => self.data.authentication.as_ref(),
            KeyRole::Signature => self.data.signature.as_ref(),
        };
        let Some(key) = key else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        let key = &key.private_key;
        if key.size() != MODULUS_LEN {
            return status(StatusWord::NO_PRECISE_DIAGNOSIS);
        }
        let signature = match input {
            SignInput::Pkcs1v15(data) => key.sign(self.engine, &data),
            SignInput::Pss(hash) => key.sign_pss(self.engine, &hash),
        };
        match signature {
            Ok(signature) => Response::new(signature, StatusWord::SUCCESS),
            Err(_) => status(StatusWord::NO_PRECISE_DIAGNOSIS),
        }
    }
}

/// DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// COMPUTE DIGITAL SIGNATURE's P1 (card-map §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignScheme {
    /// `00`: PKCS#1 v1.5 over the data as given.
    Raw,
    /// `01`: card SHA-256, PKCS#1 v1.5 over the bare hash.
    BareHashOfData,
    /// `02`: the data is a SHA-256 hash; the card adds the DigestInfo.
    DigestInfoOfHash,
    /// `03`: card SHA-256 and DigestInfo.
    DigestInfoOfData,
    /// `04`: PSS over a given SHA-256 hash.
    PssOfHash,
    /// `05`: card SHA-256, then PSS.
    PssOfData,
}

/// What the engine signs.
enum SignInput {
    /// Bytes for PKCS#1 v1.5 type-01 padding.
    Pkcs1v15(Vec<u8>),
    /// A SHA-256 hash for PSS.
    Pss([u8; 32]),
}

impl SignScheme {
    fn from_p1(p1: u8) -> Option<Self> {
        Some(match p1 {
            0x00 => SignScheme::Raw,
            0x01 => SignScheme::BareHashOfData,
            0x02 => SignScheme::DigestInfoOfHash,
            0x03 => SignScheme::DigestInfoOfData,
            0x04 => SignScheme::PssOfHash,
            0x05 => SignScheme::PssOfData,
            _ => return None,
        })
    }

    /// The engine's input for `data`, or `None` when `data` has the wrong length (empty for
    /// every scheme, over 245 bytes for `00`, not 32 bytes for `02`/`04`).
    fn input(self, data: &[u8]) -> Option<SignInput> {
        use sha2::{Digest, Sha256};
        if data.is_empty() {
            return None;
        }
        let sha256 = || -> [u8; 32] { Sha256::digest(data).into() };
        let given_hash = || <[u8; 32]>::try_from(data).ok();
        let digest_info = |hash: [u8; 32]| {
            let mut out = SHA256_DIGEST_INFO_PREFIX.to_vec();
            out.extend_from_slice(&hash);
            SignInput::Pkcs1v15(out)
        };
        Some(match self {
            SignScheme::Raw if data.len() <= MAX_SIGN_INPUT => SignInput::Pkcs1v15(data.to_vec()),
            SignScheme::Raw => return None,
            SignScheme::BareHashOfData => SignInput::Pkcs1v15(sha256().to_vec()),
            SignScheme::DigestInfoOfHash => digest_info(given_hash()?),
            SignScheme::DigestInfoOfData => digest_info(sha256()),
            SignScheme::PssOfHash => SignInput::Pss(given_hash()?),
            SignScheme::PssOfData => SignInput::Pss(sha256()),
        })
    }
}
