//! Every identifier of the next-generation card, in one table.
//!
//! NG-sim v1: these values are ours (shared/next-gen-profile.md Part 2), not J-LIS's; they are
//! to be replaced, here and only here, when the real APDU specification is published.

/// The answer to reset (profile §2.1): T=1, compact-TLV issuer data "JPKINGSIM", TCK valid.
/// A hint only: clients tell the generations apart by which application answers SELECT.
pub const ATR: [u8; 16] = [
    0x3B, 0x8B, 0x80, 0x01, 0x80, 0x59, 0x4A, 0x50, 0x4B, 0x49, 0x4E, 0x47, 0x53, 0x49, 0x4D, 0x95,
];

/// 認証AP ("JPKINGAUTH", ISO 7816-5 category `F`, unregistered) (profile §2.2).
pub const AID_AUTH: [u8; 11] = *b"\xF0JPKINGAUTH";
/// 券面等AP ("JPKINGFACE") (profile §2.2); v1 answers SELECT only.
pub const AID_FACE: [u8; 11] = *b"\xF0JPKINGFACE";

/// FCI tag (`6F`) and DF-name tag (`84`) of SELECT with P2 `00`.
pub(crate) const FCI_TAG: u8 = 0x6F;
pub(crate) const DF_NAME_TAG: u8 = 0x84;

/// The EFs of the 認証AP (profile §2.3).
pub mod fid {
    /// Authentication certificate.
    pub const AUTH_CERT: u16 = 0x000A;
    /// Authentication CA certificate.
    pub const AUTH_CA_CERT: u16 = 0x000B;
    /// Signature certificate (read after SIGN_PW).
    pub const SIGN_CERT: u16 = 0x0001;
    /// Signature CA certificate.
    pub const SIGN_CA_CERT: u16 = 0x0002;
    /// Card-authentication certificate.
    pub const CARD_AUTH_CERT: u16 = 0x000C;
    /// Card-authentication CA certificate.
    pub const CARD_AUTH_CA_CERT: u16 = 0x000D;
    /// Token info (`JPKINGAPTOKEN1`, space-padded to 32 bytes).
    pub const TOKEN_INFO: u16 = 0x0006;
    /// Certificate availability, 3 bytes as today's card.
    pub const AVAILABILITY: u16 = 0x0008;
    /// The profile EF: version, algorithm, secure messaging.
    pub const PROFILE: u16 = 0x0009;
    /// My Number (bytes as today's 入力補助 `0001`), after PIN4 or SIGN_PW.
    pub const MY_NUMBER: u16 = 0x0021;
    /// The 4 facts (bytes as today's 入力補助 `0002`), after PIN4 or SIGN_PW.
    pub const FOUR_FACTS: u16 = 0x0022;
}

/// Key numbers (MSE:SET `84 01 <n>`, INTERNAL AUTHENTICATE P2 `80|n`).
pub mod key {
    /// Authentication key (after PIN4 or SIGN_PW).
    pub const AUTH: u8 = 0x01;
    /// Signature key (after SIGN_PW).
    pub const SIGN: u8 = 0x02;
    /// Card-authentication (genuineness) key (no PIN; INTERNAL AUTHENTICATE only).
    pub const CARD_AUTH: u8 = 0x03;
}

/// Secret references (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER P2).
pub mod secret {
    /// 署名用パスワード SIGN_PW.
    pub const SIGN_PW: u8 = 0x81;
    /// 暗証番号 PIN4.
    pub const PIN4: u8 = 0x82;
    /// The opt-in PUK.
    pub const PUK: u8 = 0x83;
}

/// Prefix of what INTERNAL AUTHENTICATE signs: SHA-384(prefix ‖ challenge).
pub const CARD_AUTH_PREFIX: &[u8] = b"JPKI-NG card auth";
/// INTERNAL AUTHENTICATE challenge lengths.
pub const CHALLENGE_LEN: core::ops::RangeInclusive<usize> = 16..=64;
/// INTERNAL AUTHENTICATE P2: `83` = key `03`.
pub(crate) const INTERNAL_AUTH_P2: u8 = 0x80 | key::CARD_AUTH;
/// PSO:CDS input: a bare SHA-384 hash.
pub const HASH_LEN: usize = 48;
/// PSO:CDS / INTERNAL AUTHENTICATE output: r ‖ s, 48 bytes each.
pub const SIGNATURE_LEN: usize = 96;

/// Token info, space-padded to 32 bytes.
pub const TOKEN_INFO: &[u8; 32] = b"JPKINGAPTOKEN1                  ";
/// EF `0009`: `80 01 01` version 1, `81 01 01` ECDSA P-384/SHA-384, `82 01 00` SM not required.
pub const PROFILE_EF: [u8; 9] = [0x80, 0x01, 0x01, 0x81, 0x01, 0x01, 0x82, 0x01, 0x00];

/// Default retry limits (issuance parameters): SIGN_PW 5, PIN4 3, PUK 3.
pub const DEFAULT_SIGN_PW_RETRIES: u8 = 5;
/// See [`DEFAULT_SIGN_PW_RETRIES`].
pub const DEFAULT_PIN4_RETRIES: u8 = 3;
/// See [`DEFAULT_SIGN_PW_RETRIES`].
pub const DEFAULT_PUK_RETRIES: u8 = 3;

/// Instructions (CLA `00`).
pub(crate) mod ins {
    pub(crate) const SELECT: u8 = 0xA4;
    pub(crate) const READ_BINARY: u8 = 0xB0;
    pub(crate) const VERIFY: u8 = 0x20;
    pub(crate) const CHANGE: u8 = 0x24;
    pub(crate) const RESET_RETRY_COUNTER: u8 = 0x2C;
    pub(crate) const MSE: u8 = 0x22;
    pub(crate) const PSO: u8 = 0x2A;
    pub(crate) const INTERNAL_AUTHENTICATE: u8 = 0x88;
}

/// MSE:SET P1P2 (`41 B6`: set, digital-signature template) and its data tag `84` (key).
pub(crate) const MSE_SET_DST: (u8, u8) = (0x41, 0xB6);
pub(crate) const MSE_KEY_TAG: u8 = 0x84;
/// PSO:CDS P1P2 `9E 9A`.
pub(crate) const PSO_CDS: (u8, u8) = (0x9E, 0x9A);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_atr_check_byte_is_the_xor_of_t0_to_the_last_historical_byte() {
        let tck = ATR.iter().skip(1).fold(0u8, |acc, b| acc ^ b);
        assert_eq!(tck, 0, "XOR of T0..TCK must be 0");
        assert_eq!(&ATR[6..15], b"JPKINGSIM");
    }

    #[test]
    fn the_aids_spell_the_profile() {
        assert_eq!(
            AID_AUTH,
            [
                0xF0, 0x4A, 0x50, 0x4B, 0x49, 0x4E, 0x47, 0x41, 0x55, 0x54, 0x48
            ]
        );
        assert_eq!(
            AID_FACE,
            [
                0xF0, 0x4A, 0x50, 0x4B, 0x49, 0x4E, 0x47, 0x46, 0x41, 0x43, 0x45
            ]
        );
        assert_eq!(TOKEN_INFO.len(), 32);
    }
}
