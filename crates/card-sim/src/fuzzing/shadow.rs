//! The shadow model of the `card_session` harness: what the card's security state must be,
//! derived only from the commands sent and the answers given.

use super::{AUTH_PIN, BIRTH_KEY, COMMON_PIN, MY_NUMBER, NUMBER_B, SIGN_PIN, TEXT_PIN};
use crate::{PinRef, SimCard};

/// Every key reference with a counter (入力補助 `0012` is blocked as issued and has none).
pub(super) const PINS: [PinRef; 10] = [
    PinRef::Authentication,
    PinRef::Signature,
    PinRef::TextSupport,
    PinRef::TextSupportA,
    PinRef::TextSupportB,
    PinRef::VisualBirthDate,
    PinRef::VisualB,
    PinRef::VisualA,
    PinRef::Common,
    PinRef::Juki,
];

pub(super) fn index(pin: PinRef) -> usize {
    PINS.iter()
        .position(|p| *p == pin)
        .unwrap_or_else(|| panic!("{pin:?} is not in the model"))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum App {
    Jpki,
    TextSupport,
    Visual,
    Common,
    Juki,
}

/// What the card's security state must be, derived only from the commands sent and the
/// answers given.
pub(super) struct Shadow {
    pub(super) app: Option<App>,
    pub(super) ef: Option<u16>,
    pub(super) verified: [bool; 10],
    pub(super) pins: [Vec<u8>; 10],
    pub(super) tries: [u8; 10],
}

impl Shadow {
    pub(super) fn new(card: &SimCard) -> Self {
        Shadow {
            app: None,
            ef: None,
            verified: [false; 10],
            pins: [
                AUTH_PIN, SIGN_PIN, TEXT_PIN, MY_NUMBER, NUMBER_B, BIRTH_KEY, NUMBER_B, MY_NUMBER,
                COMMON_PIN, COMMON_PIN,
            ]
            .map(<[u8]>::to_vec),
            tries: PINS.map(|p| tries(card, p)),
        }
    }

    pub(super) fn clear(&mut self) {
        self.app = None;
        self.ef = None;
        self.verified = [false; 10];
    }

    /// The PIN EF selected, if any.
    pub(super) fn pin_ef(&self) -> Option<PinRef> {
        self.pin_at(self.ef?)
    }

    /// The PIN whose EF has this FID in the current application, if any.
    pub(super) fn pin_at(&self, fid: u16) -> Option<PinRef> {
        match (self.app?, fid) {
            (App::Jpki, 0x0018) => Some(PinRef::Authentication),
            (App::Jpki, 0x001B) => Some(PinRef::Signature),
            (App::TextSupport, 0x0011) => Some(PinRef::TextSupport),
            (App::TextSupport, 0x0014) => Some(PinRef::TextSupportA),
            (App::TextSupport, 0x0015) => Some(PinRef::TextSupportB),
            (App::Visual, 0x0011) => Some(PinRef::VisualBirthDate),
            (App::Visual, 0x0012) => Some(PinRef::VisualB),
            (App::Visual, 0x0013) => Some(PinRef::VisualA),
            (App::Common, 0x001C) => Some(PinRef::Common),
            (App::Juki, 0x001C) => Some(PinRef::Juki),
            _ => None,
        }
    }

    /// The PIN protecting the key EF with this FID in the current application, if it is one.
    pub(super) fn key_pin_at(&self, fid: u16) -> Option<PinRef> {
        match (self.app?, fid) {
            (App::Jpki, 0x0017) => Some(PinRef::Authentication),
            (App::Jpki, 0x001A) => Some(PinRef::Signature),
            _ => None,
        }
    }

    /// The keys of which one must be verified to read the binary EF selected (empty: free).
    pub(super) fn read_pins(&self) -> &'static [PinRef] {
        const TEXT_ANY: &[PinRef] = &[
            PinRef::TextSupport,
            PinRef::TextSupportA,
            PinRef::TextSupportB,
        ];
        let (Some(app), Some(ef)) = (self.app, self.ef) else {
            return &[];
        };
        match (app, ef) {
            (App::Jpki, 0x0001) => &[PinRef::Signature],
            (App::TextSupport, 0x0001) => &[PinRef::TextSupport, PinRef::TextSupportA],
            (App::TextSupport, 0x0002) => &[PinRef::TextSupport, PinRef::TextSupportB],
            (App::TextSupport, 0x0003 | 0x0006 | 0x0007) => TEXT_ANY,
            (App::Visual, 0x0001) => &[PinRef::VisualBirthDate],
            (App::Visual, 0x0002 | 0x0006) => &[PinRef::VisualA, PinRef::VisualB],
            (App::Visual, 0x0005) => &[PinRef::VisualA],
            _ => &[],
        }
    }

    /// The EF a VERIFY or COMPUTE DIGITAL SIGNATURE acts on: P2 `80` the current EF, `80|SFI`
    /// (SFI `01`–`1E`) the EF of that FID without SELECT.
    pub(super) fn target(&self, p2: u8) -> Option<u16> {
        match p2 {
            0x80 => self.ef,
            _ if p2 & 0xE0 == 0x80 && (0x01..=0x1E).contains(&(p2 & 0x1F)) => {
                Some(u16::from(p2 & 0x1F))
            }
            _ => None,
        }
    }

    pub(super) fn is_verified(&self, pin: PinRef) -> bool {
        self.verified[index(pin)]
    }
}

pub(super) fn tries(card: &SimCard, pin: PinRef) -> u8 {
    card.pin_counter(pin)
        .expect("the card has every key")
        .tries_left()
}
