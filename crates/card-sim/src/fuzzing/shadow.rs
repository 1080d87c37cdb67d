//! The shadow model of the `card_session` harness: what the card's security state must be,
//! derived only from the commands sent and the answers given.

use super::{AUTH_PIN, SIGN_PIN, TEXT_PIN};
use crate::{PinRef, SimCard};

pub(super) const PINS: [PinRef; 3] = [
    PinRef::Authentication,
    PinRef::Signature,
    PinRef::TextSupport,
];

pub(super) fn index(pin: PinRef) -> usize {
    match pin {
        PinRef::Authentication => 0,
        PinRef::Signature => 1,
        PinRef::TextSupport => 2,
        other => panic!("{other:?} is not in the model"),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum App {
    Jpki,
    TextSupport,
    Other,
}

/// What the card's security state must be, derived only from the commands sent and the
/// answers given.
pub(super) struct Shadow {
    pub(super) app: Option<App>,
    pub(super) ef: Option<u16>,
    pub(super) verified: [bool; 3],
    pub(super) pins: [Vec<u8>; 3],
    pub(super) tries: [u8; 3],
}

impl Shadow {
    pub(super) fn new(card: &SimCard) -> Self {
        Shadow {
            app: None,
            ef: None,
            verified: [false; 3],
            pins: [AUTH_PIN.to_vec(), SIGN_PIN.to_vec(), TEXT_PIN.to_vec()],
            tries: PINS.map(|p| tries(card, p)),
        }
    }

    pub(super) fn clear(&mut self) {
        self.app = None;
        self.ef = None;
        self.verified = [false; 3];
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

    /// The PIN protecting the binary EF selected, if it is protected.
    pub(super) fn read_pin(&self) -> Option<PinRef> {
        match (self.app?, self.ef?) {
            (App::Jpki, 0x0001) => Some(PinRef::Signature),
            (App::TextSupport, 0x0001 | 0x0002) => Some(PinRef::TextSupport),
            _ => None,
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
        .expect("the card has all three PINs")
        .tries_left()
}
