//! The client's map of the card: every application identifier, elementary-file identifier,
//! key reference and MF data object it addresses, in one place (shared/jpki-spec.md §3, §4, §6;
//! shared/card-map.md §2–§7). The other modules name files only through this one.

use crate::types::{CardPin, CertSlot, KeyRef, PinRef};

/// DF name of the JPKI application (公的個人認証AP, §3).
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

/// DF name of the text-support application (券面事項入力補助AP, §3).
pub const TEXT_SUPPORT_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// DF name of the card-face check application (券面事項確認AP, card-map §5).
pub const FACE_CHECK_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];

/// DF name of the common card application (共通カードAP, card-map §6).
pub const COMMON_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00];

/// DF name of the resident registry application (住基AP, card-map §7).
pub const JUKI_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01];

/// DF name of the GlobalPlatform issuer security domain: selecting it returns the card to the
/// MF level (card-map §1), where the MF's GET DATA objects answer.
pub(crate) const GP_ISD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00];

/// An application of the card the client selects by DF name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum App {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    TextSupport,
    /// 券面事項確認AP.
    FaceCheck,
    /// 共通カードAP.
    Common,
    /// 住基AP.
    Juki,
}

impl App {
    /// Its DF name.
    #[must_use]
    pub const fn aid(self) -> &'static [u8] {
        match self {
            Self::Jpki => &JPKI_AID,
            Self::TextSupport => &TEXT_SUPPORT_AID,
            Self::FaceCheck => &FACE_CHECK_AID,
            Self::Common => &COMMON_AID,
            Self::Juki => &JUKI_AID,
        }
    }

    /// Its name in errors and reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Jpki => "JPKI (公的個人認証)",
            Self::TextSupport => "text-support (券面事項入力補助)",
            Self::FaceCheck => "card-face check (券面事項確認)",
            Self::Common => "common card (共通カード)",
            Self::Juki => "resident registry (住基)",
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
    /// Basic info `FF 40 L { DF41 DF42 DF43 }`, free (card-map §4).
    pub(crate) const BASIC_INFO: u16 = 0x0005;
    /// The text-support PIN.
    pub(crate) const PIN: u16 = 0x0011;
    /// 照合番号A (the My Number) as a key reference.
    pub(crate) const NUMBER_A: u16 = 0x0014;
    /// 照合番号B as a key reference.
    pub(crate) const NUMBER_B: u16 = 0x0015;
}

/// Files and key references of the card-face check application (card-map §5).
pub(crate) mod face_check {
    /// The card face `FF 20 82 LL LL { DF21 … DF2A }`, after 照合番号A or B.
    pub(crate) const CARD_FACE: u16 = 0x0002;
    /// Basic info `FF 30 L { DF31 … DF35 }`, free.
    pub(crate) const BASIC_INFO: u16 = 0x0003;
    /// The application's CV certificate `7F 21 …`, free.
    pub(crate) const CV_CERTIFICATE: u16 = 0x0004;
    /// The My Number image `FF 40 L { DF41 DF42 DF43 }`, after 照合番号A only.
    pub(crate) const MY_NUMBER_IMAGE: u16 = 0x0005;
    /// The birth-date key (Japanese-era `YYMMDD`).
    pub(crate) const BIRTH_DATE: u16 = 0x0011;
    /// 照合番号B.
    pub(crate) const NUMBER_B: u16 = 0x0012;
    /// 照合番号A.
    pub(crate) const NUMBER_A: u16 = 0x0013;
}

/// Files and key references of the common card application (card-map §6).
pub(crate) mod common {
    /// Short EF identifier of the record EF `0001` (serial, municipality, expiry).
    pub(crate) const RECORD_SFI: u8 = 0x01;
    /// The record EF `0001` itself, for errors.
    pub(crate) const RECORD_EF: u16 = 0x0001;
    /// The 4-digit PIN.
    pub(crate) const PIN: u16 = 0x001C;
}

/// Key references of the resident registry application (card-map §7).
pub(crate) mod juki {
    /// The 4-digit PIN.
    pub(crate) const PIN: u16 = 0x001C;
}

/// GET DATA objects at the MF level (card-map §2).
pub(crate) mod mf {
    /// Issuing municipality code, 5 ASCII digits.
    pub(crate) const MUNICIPALITY: u16 = 0x00F0;
    /// Expiry, `YYYYMMDD`.
    pub(crate) const EXPIRY: u16 = 0x00F2;
    /// 証明者鍵ID of the intermediate that signs `7F21`.
    pub(crate) const ISSUER_KEY_ID: u16 = 0x00F7;
    /// CV certificate root → intermediate, without `7F 21 L`.
    pub(crate) const INTERMEDIATE_CERTIFICATE: u16 = 0x00F8;
    /// CV certificate intermediate → the card's key.
    pub(crate) const CARD_CERTIFICATE: u16 = 0x7F21;
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

impl CardPin {
    /// The application holding the key reference and its EF.
    #[must_use]
    pub const fn location(self) -> (App, u16) {
        match self {
            Self::JpkiAuth => (App::Jpki, jpki::AUTH_PIN),
            Self::JpkiSign => (App::Jpki, jpki::SIGN_PIN),
            Self::TextSupportPin => (App::TextSupport, text_support::PIN),
            Self::TextSupportNumberA => (App::TextSupport, text_support::NUMBER_A),
            Self::TextSupportNumberB => (App::TextSupport, text_support::NUMBER_B),
            Self::FaceBirthDate => (App::FaceCheck, face_check::BIRTH_DATE),
            Self::FaceNumberB => (App::FaceCheck, face_check::NUMBER_B),
            Self::FaceNumberA => (App::FaceCheck, face_check::NUMBER_A),
            Self::CommonPin => (App::Common, common::PIN),
            Self::JukiPin => (App::Juki, juki::PIN),
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

    #[test]
    fn every_key_reference_is_where_card_map_puts_it() {
        // card-map §3–§7, in the order `pin status` lists them
        let want = [
            ("D392F000260100000001", 0x0018),
            ("D392F000260100000001", 0x001B),
            ("D3921000310001010408", 0x0011),
            ("D3921000310001010408", 0x0014),
            ("D3921000310001010408", 0x0015),
            ("D3921000310001010402", 0x0011),
            ("D3921000310001010402", 0x0012),
            ("D3921000310001010402", 0x0013),
            ("D3921000310001010100", 0x001C),
            ("D3921000310001010401", 0x001C),
        ];
        let got: Vec<(String, u16)> = CardPin::ALL
            .iter()
            .map(|p| {
                let (app, fid) = p.location();
                (hex::encode_upper(app.aid()), fid)
            })
            .collect();
        let want: Vec<(String, u16)> = want.iter().map(|(a, f)| ((*a).to_owned(), *f)).collect();
        assert_eq!(got, want);
        assert_eq!(hex::encode_upper(GP_ISD_AID), "A0000001510000");
    }
}
