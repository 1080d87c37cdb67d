//! Every identifier the client uses on a next-generation card, in one table: **NG-sim v1, our
//! own values** (shared/next-gen-profile.md §2.1–§2.4), to be replaced clause by clause when the
//! Digital Agency publishes the real APDU specification (profile P11). Nothing here is J-LIS's:
//! the AIDs are ISO 7816-5 category `F` (unregistered), so they cannot collide with a real card.
//! The card simulator keeps its own copy; neither side reads the other's.

/// DF name of the (仮称)認証AP: `F0` + "JPKINGAUTH" (§2.2).
pub const AUTH_AID: [u8; 11] = [
    0xF0, 0x4A, 0x50, 0x4B, 0x49, 0x4E, 0x47, 0x41, 0x55, 0x54, 0x48,
];

/// DF name of the (仮称)券面等AP: `F0` + "JPKINGFACE" (§2.2); v1 answers SELECT only.
pub const FACE_AID: [u8; 11] = [
    0xF0, 0x4A, 0x50, 0x4B, 0x49, 0x4E, 0x47, 0x46, 0x41, 0x43, 0x45,
];

/// Elementary files of the 認証AP (§2.3).
pub mod ef {
    /// Signature certificate (readable after the signing password).
    pub const SIGN_CERT: u16 = 0x0001;
    /// Signature CA certificate.
    pub const SIGN_CA_CERT: u16 = 0x0002;
    /// Token info: [`super::TOKEN_LABEL`] space-padded to 32 bytes.
    pub const TOKEN_INFO: u16 = 0x0006;
    /// Certificate availability, 3 bytes as today (byte 0 signature, byte 1 authentication).
    pub const AVAILABILITY: u16 = 0x0008;
    /// The profile record: `80 01 <version> 81 01 <algorithm> 82 01 <SM>`.
    pub const PROFILE: u16 = 0x0009;
    /// Authentication certificate.
    pub const AUTH_CERT: u16 = 0x000A;
    /// Authentication CA certificate.
    pub const AUTH_CA_CERT: u16 = 0x000B;
    /// Card-authentication (genuineness) certificate.
    pub const CARD_AUTH_CERT: u16 = 0x000C;
    /// The CA certificate that issued it.
    pub const CARD_AUTH_CA_CERT: u16 = 0x000D;
    /// My Number, bytes as today's 入力補助AP `0001` (`FF 10 0C` + 12 digits).
    pub const MY_NUMBER: u16 = 0x0021;
    /// The 4 facts, bytes as today's 入力補助AP `0002`.
    pub const FOUR_FACTS: u16 = 0x0022;
}

/// The token label of EF `0006`, before its space padding.
pub const TOKEN_LABEL: &str = "JPKINGAPTOKEN1";
/// Length of EF `0006`.
pub const TOKEN_INFO_LEN: usize = 32;

/// Tags and values of the profile record EF `0009` (§2.3).
pub mod profile {
    /// Tag of the profile version.
    pub const TAG_VERSION: u32 = 0x80;
    /// Tag of the signature algorithm.
    pub const TAG_ALGORITHM: u32 = 0x81;
    /// Tag of the secure-messaging flag.
    pub const TAG_SECURE_MESSAGING: u32 = 0x82;
    /// The one version this client knows: NG-sim v1.
    pub const VERSION_1: u8 = 0x01;
    /// ECDSA P-384 with SHA-384.
    pub const ALG_ECDSA_P384_SHA384: u8 = 0x01;
    /// Secure messaging not required.
    pub const SM_NOT_REQUIRED: u8 = 0x00;
    /// Secure messaging required.
    pub const SM_REQUIRED: u8 = 0x01;
}

/// Key numbers for MSE:SET `84 01 <key>` (§2.3).
pub mod key {
    /// The authentication key (PIN4 or signing password).
    pub const AUTH: u8 = 0x01;
    /// The signature key (signing password).
    pub const SIGN: u8 = 0x02;
    /// The card-authentication key (no secret), used by INTERNAL AUTHENTICATE.
    pub const CARD_AUTH: u8 = 0x03;
}

/// Secret references for VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER P2 (§2.3).
pub mod secret {
    /// 署名用パスワード, 6–16 `A–Z`/`0–9` with at least one letter and one digit.
    pub const SIGN_PASSWORD: u8 = 0x81;
    /// 暗証番号, 4 digits.
    pub const PIN4: u8 = 0x82;
    /// PUK, 8 digits, optional.
    pub const PUK: u8 = 0x83;
}

/// Length of the PUK in digits.
pub const PUK_LEN: usize = 8;

/// MSE:SET for the digital-signature template: `00 22 41 B6` (§2.4).
pub const MSE_SET_P1P2: (u8, u8) = (0x41, 0xB6);
/// The key-reference data object inside MSE:SET: `84 01 <key>`.
pub const MSE_KEY_TAG: u8 = 0x84;
/// PSO: COMPUTE DIGITAL SIGNATURE `00 2A 9E 9A` (§2.4).
pub const PSO_CDS_P1P2: (u8, u8) = (0x9E, 0x9A);
/// INTERNAL AUTHENTICATE `00 88 00 83` (§2.4).
pub const INTERNAL_AUTH_P1P2: (u8, u8) = (0x00, 0x83);
/// The challenge INTERNAL AUTHENTICATE accepts, in bytes.
pub const CHALLENGE_LEN: core::ops::RangeInclusive<usize> = 16..=64;
/// What the card-authentication key signs: SHA-384(this prefix ‖ challenge) (§2.4).
pub const CARD_AUTH_PREFIX: &[u8] = b"JPKI-NG card auth";

/// SHA-384 output, the only hash PSO:CDS takes.
pub const HASH_LEN: usize = 48;
/// Fixed-size `r ‖ s` a P-384 signature comes back as.
pub const SIGNATURE_LEN: usize = 96;
