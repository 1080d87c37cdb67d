//! The client's map of the card: every application identifier and elementary-file identifier
//! it addresses, in one place (shared/jpki-spec.md §3, §4, §6). The other modules name files
//! only through this one.

use crate::types::{CertSlot, KeyRef, PinRef};

/// DF name of the JPKI application (公的個人認証AP, §3).
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

/// DF name of the text-support application (券面事項入力補助AP, §3).
pub const TEXT_SUPPORT_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// An application of the card the client selects by DF name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum App {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    TextSupport,
}

impl App {
    /// Its DF name.
    pub(crate) const fn aid(self) -> &'static [u8] {
        match self {
            Self::Jpki => &JPKI_AID,
            Self::TextSupport => &TEXT_SUPPORT_AID,
        }
    }

    /// Its name in errors.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Jpki => "JPKI (公的個人認証)",
            Self::TextSupport => "text-support (券面事項入力補助)",
        }
    }
}

/// Files of the JPKI application (§4).
pub(crate) mod jpki {
    /// Token info: label naming the card generation, 160 bytes.
    pub(crate) const TOKEN_INFO: u16 = 0x0006;
    /// Certificate availability: byte 0 signature, byte 1 authentication.
    pub(crate) const AVAILABILITY: u16 = 0x0008;
    /// Signature certificate (readable after the signature PIN).
    pub(crate) const SIGN_CERT: u16 = 0x0001;
    /// Signature CA certificate.
    pub(crate) const SIGN_CA_CERT: u16 = 0x0002;
    /// Authentication certificate.
    pub(crate) const AUTH_CERT: u16 = 0x000A;
    /// Authentication CA certificate.
    pub(crate) const AUTH_CA_CERT: u16 = 0x000B;
    /// Authentication private key.
    pub(crate) const AUTH_KEY: u16 = 0x0017;
    /// Authentication PIN.
    pub(crate) const AUTH_PIN: u16 = 0x0018;
    /// Signature private key.
    pub(crate) const SIGN_KEY: u16 = 0x001A;
    /// Signature PIN.
    pub(crate) const SIGN_PIN: u16 = 0x001B;
}

/// Files of the text-support application (§6).
pub(crate) mod text_support {
    /// The My Number: `FF 10 0C` + 12 digits.
    pub(crate) const MY_NUMBER: u16 = 0x0001;
    /// The 4 facts: `FF 20 len { DF21 … DF25 }`.
    pub(crate) const FOUR_FACTS: u16 = 0x0002;
    /// The text-support PIN.
    pub(crate) const PIN: u16 = 0x0011;
}

impl CertSlot {
    /// The EF holding it.
    #[must_use]
    pub const fn fid(self) -> u16 {
        match self {
            Self::Auth => jpki::AUTH_CERT,
            Self::AuthCa => jpki::AUTH_CA_CERT,
            Self::Sign => jpki::SIGN_CERT,
            Self::SignCa => jpki::SIGN_CA_CERT,
        }
    }
}

impl KeyRef {
    /// The EF of the private key.
    pub(crate) const fn key_fid(self) -> u16 {
        match self {
            Self::Auth => jpki::AUTH_KEY,
            Self::Sign => jpki::SIGN_KEY,
        }
    }
}

impl PinRef {
    /// The application holding the PIN and its EF.
    pub(crate) const fn location(self) -> (App, u16) {
        match self {
            Self::Auth => (App::Jpki, jpki::AUTH_PIN),
            Self::Sign => (App::Jpki, jpki::SIGN_PIN),
            Self::TextSupport => (App::TextSupport, text_support::PIN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_matches_the_spec_tables() {
        let certs: Vec<u16> = CertSlot::ALL.iter().map(|s| s.fid()).collect();
        assert_eq!(certs, [0x000A, 0x000B, 0x0001, 0x0002]);
        assert_eq!(KeyRef::Auth.key_fid(), 0x0017);
        assert_eq!(KeyRef::Sign.key_fid(), 0x001A);
        assert_eq!(PinRef::Auth.location(), (App::Jpki, 0x0018));
        assert_eq!(PinRef::Sign.location(), (App::Jpki, 0x001B));
        assert_eq!(PinRef::TextSupport.location(), (App::TextSupport, 0x0011));
        assert_eq!(
            App::Jpki.aid(),
            hex::decode("D392F000260100000001").unwrap()
        );
        assert_eq!(
            App::TextSupport.aid(),
            hex::decode("D3921000310001010408").unwrap()
        );
    }
}
