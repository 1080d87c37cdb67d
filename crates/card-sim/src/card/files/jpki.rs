//! The content of the JPKI AP's files the card computes: EF `0006` (token info) and EF `0008`
//! (certificate availability), card-map §3.

use crate::{contents::CardData, profile::CardProfile};

/// Size of EF 0006.
pub(crate) const TOKEN_INFO_LEN: usize = 160;

/// EF 0006: a PKCS#11 `CK_TOKEN_INFO` with 4-byte big-endian ULONGs and space-padded text,
/// byte for byte the layout of real cards (card-map §3, soltia48/myna-card's test vector):
///
/// | bytes | field | value |
/// |---|---|---|
/// | 0–31 | label | `JPKIAPICCTOKEN2` (Juki card `JPKIAPICCTOKEN`) + spaces |
/// | 32–63 | manufacturerID | `00000000000000000000000000000001` |
/// | 64–79 | model | `E16R01NJ` + spaces |
/// | 80–95 | serialNumber | 16 digits per card, see [`token_serial`] |
/// | 96–99 | flags | `00 00 04 0D` |
/// | 100–115 | max sessions, sessions, max RW sessions, RW sessions | 1, 0, 1, 0 |
/// | 116–123 | max / min PIN length | 16, 6 |
/// | 124–139 | total/free public, total/free private memory | `FFFFFFFF` ×4 |
/// | 140–143 | hardware, firmware version | ASCII `03`, `01` |
/// | 144–159 | utcTime | ASCII `9` ×16 |
///
/// The Juki card uses the same layout with its own label (choice: sources show only the label).
pub(crate) fn token_info(data: &CardData) -> [u8; TOKEN_INFO_LEN] {
    let label: &[u8] = match data.profile {
        CardProfile::MyNumber => b"JPKIAPICCTOKEN2",
        CardProfile::Juki => b"JPKIAPICCTOKEN",
    };
    let mut out = [b' '; TOKEN_INFO_LEN];
    let mut put = |at: usize, bytes: &[u8]| {
        for (dst, src) in out.iter_mut().skip(at).zip(bytes) {
            *dst = *src;
        }
    };
    put(0, label);
    put(32, b"00000000000000000000000000000001");
    put(64, b"E16R01NJ");
    put(80, &token_serial(data));
    let ulongs: [u32; 11] = [0x0000_040D, 1, 0, 1, 0, 16, 6, !0, !0, !0, !0];
    for (i, value) in ulongs.iter().enumerate() {
        put(96 + 4 * i, &value.to_be_bytes());
    }
    put(140, b"0301");
    put(144, b"9999999999999999");
    out
}

/// EF 0006's serialNumber (choice: real cards' scheme is unknown): 16 ASCII digits derived
/// from the card's identity, so a card answers the same serial for its whole life and two
/// cards differ. The identity is the card ID of an issued card (GET DATA `0045`'s bytes), else
/// the signature certificate, else the authentication certificate (cards built from bare
/// contents). Never the My Number: 12 digits are too few to hide behind a hash.
pub(crate) fn token_serial(data: &CardData) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let identity: &[u8] = match (&data.admin, &data.signature, &data.authentication) {
        (Some(admin), _, _) => &admin.card_id,
        (None, Some(key), _) | (None, None, Some(key)) => &key.certificate,
        (None, None, None) => &[],
    };
    let digest = Sha256::new()
        .chain_update(b"card-sim token serial\0")
        .chain_update(identity)
        .finalize();
    let mut first = [0u8; 8];
    for (dst, src) in first.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    let number = u64::from_be_bytes(first) % 10_000_000_000_000_000;
    let mut out = [b'0'; 16];
    for (dst, src) in out.iter_mut().zip(format!("{number:016}").bytes()) {
        *dst = src;
    }
    out
}

/// EF 0008: byte 0 signature, byte 1 authentication: `8F` present, `00` absent; byte 2 `00`.
pub(crate) fn availability(data: &CardData) -> Vec<u8> {
    let flag = |present: bool| if present { 0x8F } else { 0x00 };
    vec![
        flag(data.signature.is_some()),
        flag(data.authentication.is_some()),
        0x00,
    ]
}
