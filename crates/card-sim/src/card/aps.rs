//! The commands of the 券面, 共通カード and 住基 APs (card-map §1, §4–§7): READ RECORD,
//! INTERNAL AUTHENTICATE, CHANGE KEY and the 券面 APs' `80 2A 00 00`, plus the MF-level GET
//! DATA objects (card-map §2).

use apdu::{Command, Response, StatusWord};

use super::{
    ATR, INCOMPATIBLE_FILE, SimCard,
    app::{ApKey, App},
    commands::{MAX_SIGN_INPUT, selected_pin_of, status},
    files::Access,
};
use crate::engine::SigningKey;

pub(crate) const INS_READ_RECORD: u8 = 0xB2;
pub(crate) const INS_INTERNAL_AUTHENTICATE: u8 = 0x88;
pub(crate) const INS_CHANGE_KEY: u8 = 0x32;

/// `6A 83` record not found.
const RECORD_NOT_FOUND: StatusWord = StatusWord(0x6A83);

/// DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// GET DATA `00F0`: the issuing municipality code.
const TAG_MUNICIPALITY: u16 = 0x00F0;
/// GET DATA `00F2`: the card expiry.
const TAG_EXPIRY: u16 = 0x00F2;
/// GET DATA `5F51`: the contact ATR without TS.
const TAG_ATR: u16 = 0x5F51;
/// GET DATA `00F7`: the 証明者鍵ID of the intermediate that signs `7F21`.
const TAG_ISSUER_KEY_ID: u16 = 0x00F7;
/// GET DATA `00F8`: CV certificate root → intermediate, without `7F 21 L`.
const TAG_ROOT_CERTIFICATE: u16 = 0x00F8;
/// GET DATA `7F21`: CV certificate intermediate → 共通 key `0019` (our choice).
const TAG_CARD_CERTIFICATE: u16 = 0x7F21;

impl SimCard {
    /// READ RECORD `00 B2 P1 P2 Le` (card-map §1, §6, §7). P2 `04`: record P1 of the current
    /// EF; `05`: records P1 to the last, concatenated; `(SFI<<3)|04` or `|05`: of the EF with
    /// FID `00 SFI` of the current AP, which becomes current (`00 B2 01 0C 00` reads 共通
    /// `0001`). Up to Le bytes (`00` = 256) + `9000`.
    ///
    /// No such record `6A83`; P1 `00` or other P2 low bits `6A86` (our choice); binary, key or
    /// PIN EF `6981`; no current EF `6986`; no such EF `6A82`; command data or no Le `6700`.
    pub(super) fn read_record(&mut self, cmd: &Command) -> Response {
        let (Some(le), true) = (cmd.le, cmd.data.is_empty()) else {
            return status(StatusWord::WRONG_LENGTH);
        };
        let to_last = match cmd.p2 & 0x07 {
            0x04 => false,
            0x05 => true,
            _ => return status(StatusWord::INCORRECT_P1P2),
        };
        if cmd.p1 == 0 {
            return status(StatusWord::INCORRECT_P1P2);
        }
        let sfi = cmd.p2 >> 3;
        if sfi != 0 {
            match self.ef_by_sfi(sfi) {
                Ok(ef) => self.session.select_ef(ef),
                Err(sw) => return status(sw),
            }
        }
        let Some(ef) = self.session.ef() else {
            return status(StatusWord::COMMAND_NOT_ALLOWED_NO_EF);
        };
        match ef.access() {
            Access::Record { needs } if !needs.is_empty() && !self.session.any_verified(needs) => {
                return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
            }
            Access::Record { .. } => {}
            Access::Binary { .. } | Access::Key(_) | Access::ApKey(_) | Access::Pin(_) => {
                return status(INCOMPATIBLE_FILE);
            }
        }
        let Some(records) = ef.records(&self.data) else {
            return status(StatusWord::NO_PRECISE_DIAGNOSIS);
        };
        let first = usize::from(cmd.p1) - 1;
        let chosen: Vec<u8> = if to_last {
            records.iter().skip(first).flatten().copied().collect()
        } else {
            records.get(first).cloned().unwrap_or_default()
        };
        if chosen.is_empty() {
            return status(RECORD_NOT_FOUND);
        }
        let n = chosen.len().min(le);
        Response::new(
            chosen.get(..n).unwrap_or(&chosen).to_vec(),
            StatusWord::SUCCESS,
        )
    }

    /// INTERNAL AUTHENTICATE `00 88 00 80|SFI Lc <challenge> 00` (card-map §1, §6): only 共通
    /// key `0019` answers: 256 bytes, PKCS#1 v1.5 over DigestInfo(SHA-256(challenge)),
    /// deterministic, no PIN. JPKI keys `6982`; the 券面 AP keys `6985`; in the 住基AP `6985`
    /// (our choice, no source); a PIN or data EF `6981`; no current EF `6986`; no such EF
    /// `6A82`; P1 other than `00` or a bad P2 `6A86`; no challenge or one over 255 bytes `6700`.
    pub(super) fn internal_authenticate(&mut self, cmd: &Command) -> Response {
        if cmd.p1 != 0x00 {
            return status(StatusWord::INCORRECT_P1P2);
        }
        if self.session.app() == Some(App::Juki) {
            return status(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let ef = if cmd.p2 == 0x80 {
            match self.session.ef() {
                Some(ef) => ef,
                None => return status(StatusWord::COMMAND_NOT_ALLOWED_NO_EF),
            }
        } else {
            match self.ef_by_sfi_in_p2(cmd.p2) {
                Ok(ef) => ef,
                Err(sw) => return status(sw),
            }
        };
        match ef.access() {
            Access::ApKey(ApKey::InternalAuthentication) => {}
            Access::ApKey(ApKey::TextSupport | ApKey::Visual) => {
                return status(StatusWord::CONDITIONS_NOT_SATISFIED);
            }
            Access::Key(_) => return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED),
            Access::Binary { .. } | Access::Record { .. } | Access::Pin(_) => {
                return status(INCOMPATIBLE_FILE);
            }
        }
        if cmd.data.is_empty() || cmd.data.len() > 255 {
            return status(StatusWord::WRONG_LENGTH);
        }
        let Some(common) = &self.data.common else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        let mut input = SHA256_DIGEST_INFO_PREFIX.to_vec();
        input.extend_from_slice(&sha256(&cmd.data));
        sign_with(&common.internal_auth_key, self.engine, &input)
    }

    /// `80 2A 00 00 Lc <data> 00` in a 券面 AP (card-map §1, §4, §5): PKCS#1 v1.5 type-01
    /// padding over the data as given (normally a SHA-256 DigestInfo) with the AP's own key,
    /// no credential: 256 bytes + `9000`. P1P2 other than `00 00` `6A86`; data empty or over
    /// 245 bytes `6700`; an old card without the key `6A82`. In the 共通カード and 住基 APs every
    /// `80 2A` is `6985` (our choice, no source).
    pub(super) fn ap_signature(&mut self, cmd: &Command) -> Response {
        let key = match self.session.app() {
            Some(App::TextSupport) => self
                .data
                .text_support
                .as_ref()
                .and_then(|t| t.records.as_ref())
                .map(|r| &r.card_key),
            Some(App::Visual) => self.data.visual.as_ref().map(|v| &v.card_key),
            _ => return status(StatusWord::CONDITIONS_NOT_SATISFIED),
        };
        if (cmd.p1, cmd.p2) != (0x00, 0x00) {
            return status(StatusWord::INCORRECT_P1P2);
        }
        let Some(key) = key else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        if cmd.data.is_empty() || cmd.data.len() > MAX_SIGN_INPUT {
            return status(StatusWord::WRONG_LENGTH);
        }
        sign_with(key, self.engine, &cmd.data)
    }

    /// CHANGE KEY `80 32 00 80 Lc <new>` on the selected `001C` of the 共通カードAP or the
    /// 住基AP, after VERIFY (card-map §6, §7): `9000`, written to the card file first; the
    /// counter unchanged. Any other key reference `6985` (our choice); not verified `6982`;
    /// a new value breaking the 4-digit rule `6A80`; no data `6700`; P1P2 other than `00 80`
    /// `6A86`; no current EF `6986`; not a PIN EF `6981`; not writable `6581`, nothing changed.
    pub(super) fn change_key(&mut self, cmd: &Command) -> Response {
        if (cmd.p1, cmd.p2) != (0x00, 0x80) {
            return status(StatusWord::INCORRECT_P1P2);
        }
        let pin = match selected_pin_of(&self.session) {
            Ok(pin) => pin,
            Err(sw) => return status(sw),
        };
        if !pin.key_changeable() {
            return status(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        self.set_new_value(pin, &cmd.data)
    }

    /// The MF-level GET DATA objects (card-map §2), in any state (our choice for `00F0` and
    /// `00F2`; `5F51` answers with an AP current too): `00F0` the municipality code (5 ASCII
    /// digits), `00F2` the expiry (`YYYYMMDD`), `5F51` the contact ATR without TS, `00F7`,
    /// `00F8`, `7F21` the J-LIS chain as issued ([`crate::MfObjects`]). `None` for every other
    /// tag (`0045` is the administrative channel's), for `00F0`/`00F2` on a card without the
    /// 共通カードAP and for the chain on a card issued without it.
    pub(super) fn mf_object(&self, tag: u16) -> Option<Vec<u8>> {
        let common = self.data.common.as_ref();
        match tag {
            TAG_MUNICIPALITY => common.map(|c| c.municipality.as_bytes().to_vec()),
            TAG_EXPIRY => common.map(|c| c.expiry.as_bytes().to_vec()),
            TAG_ATR => ATR.get(1..).map(<[u8]>::to_vec),
            TAG_ISSUER_KEY_ID | TAG_ROOT_CERTIFICATE | TAG_CARD_CERTIFICATE => {
                let mf = common.and_then(|c| c.mf_objects.as_ref())?;
                Some(match tag {
                    TAG_ISSUER_KEY_ID => mf.issuer_key_id.to_vec(),
                    TAG_ROOT_CERTIFICATE => mf.root_certificate.clone(),
                    _ => mf.card_certificate.clone(),
                })
            }
            _ => None,
        }
    }
}

fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(data).into()
}

fn sign_with(key: &SigningKey, engine: crate::Engine, input: &[u8]) -> Response {
    match key.sign(engine, input) {
        Ok(signature) => Response::new(signature, StatusWord::SUCCESS),
        Err(_) => status(StatusWord::NO_PRECISE_DIAGNOSIS),
    }
}
