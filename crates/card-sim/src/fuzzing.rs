//! The `card_session` fuzz target's harness, kept in the library so that every test pass
//! type-checks and runs it (`fuzzing::tests` runs the committed seeds and a few hundred
//! generated sessions): never called by the card, and hidden from the documentation.
//!
//! Arbitrary APDU sequences to a My Number card bound to a municipality: every answer is a
//! valid R-APDU of at least two bytes, nothing panics, and a shadow model of the security
//! state checks the card's security invariants after every command:
//!
//! - a PIN's tries left never go up, except on a VERIFY answered `9000` with the correct PIN
//!   (the only other way up, the municipal unlock, needs the administration key, which the
//!   fuzzer does not have: EXTERNAL AUTHENTICATE and RESET RETRY COUNTER never succeed);
//! - tries go down only on a VERIFY with data, by one, for the PIN EF selected or named by SFI
//!   in P2 (READ BINARY by SFI makes its EF current, as the card does);
//! - VERIFY is answered `9000` only for the current PIN (which CHANGE REFERENCE DATA may have
//!   changed);
//! - COMPUTE DIGITAL SIGNATURE is answered `9000` only when that key's PIN was verified since
//!   the last power-off, reset or SELECT of an application (by its AID or a prefix of it; SELECT
//!   MF changes nothing, SELECT of the GlobalPlatform ISD clears everything);
//! - the signature certificate (EF 0001) is never read without the signature PIN verified,
//!   nor the text-support files without the text-support PIN.
//!
//! Input: a sequence of records. `FE` powers the card off, `FD` resets it; `FF hi lo <bytes>`
//! is a C-APDU of up to 65 535 bytes; any other byte `n` is followed by a C-APDU of `n` bytes.
//!
//! The harness is an assertion harness: it panics (`assert!`, `expect`) on an invariant
//! violation, which is how libFuzzer learns of a finding.

pub use crate::card::{AID_JPKI, AID_TEXT_SUPPORT};
use crate::{
    Administration, CardContents, CardProfile, CommonContents, FourFacts, KeyContents, MyNumber,
    PinRef, Sex, SimCard, TextSupportContents, TextSupportRecords, VerificationContents,
    VisualContents,
};

mod card;
pub mod next_gen;
mod shadow;
use card::contents;
use shadow::{App, PINS, Shadow, index, tries};

/// The GlobalPlatform issuer security domain's AID (card-map §1).
const GP_ISD: [u8; 7] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00];

const AUTH_PIN: &[u8] = b"1234";
const SIGN_PIN: &[u8] = b"ABC123";
const TEXT_PIN: &[u8] = b"5678";
const MY_NUMBER: &[u8] = b"123456789018";
const NUMBER_B: &[u8] = b"02010120352285";
const BIRTH_KEY: &[u8] = b"020101";
const COMMON_PIN: &[u8] = b"4321";

/// The AIDs of the 券面事項確認AP, 共通カードAP and 住基AP (card-map §5–§7).
const AID_VISUAL: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];
const AID_COMMON: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00];
const AID_JUKI: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01];

/// Fill byte of the signature certificate: it appears in no other file of the card (the
/// other certificates use other fill bytes; the text-support files hold ASCII and Japanese
/// UTF-8, whose bytes are never `C5`).
const SIGN_CERT_FILL: u8 = 0xC5;

/// Checks one exchange against the shadow and advances the shadow.
fn check(shadow: &mut Shadow, card: &SimCard, capdu: &[u8], rapdu: &[u8]) {
    assert!(rapdu.len() >= 2, "answer shorter than a status word");
    let response = apdu::Response::decode(rapdu).expect("a valid R-APDU");
    assert!(
        matches!(response.sw.sw1(), 0x61..=0x6F | 0x90..=0x9F),
        "status word {}",
        response.sw
    );
    let ok = response.sw.0 == 0x9000;
    let after = PINS.map(|p| tries(card, p));
    // A command the card could not decode is answered 6700 and changes nothing.
    let command = apdu::Command::decode(capdu).ok();
    let (ins, p1, p2, data) = command.as_ref().map_or((None, 0, 0, &[][..]), |c| {
        (Some(c.ins), c.p1, c.p2, c.data.as_slice())
    });
    // The PIN a VERIFY acts on: the current PIN EF, or one named by SFI in P2.
    let verify_pin = shadow.target(p2).and_then(|fid| shadow.pin_at(fid));

    // Counters: up only on a correct VERIFY; down only on a VERIFY with data, by one, for the
    // PIN EF selected.
    for pin in PINS {
        let (before, now) = (shadow.tries[index(pin)], after[index(pin)]);
        if now > before {
            assert!(
                ins == Some(0x20) && ok && verify_pin == Some(pin),
                "{pin:?} tries went up {before} → {now} without a correct VERIFY"
            );
        }
        if now < before {
            assert!(
                ins == Some(0x20) && !data.is_empty() && verify_pin == Some(pin),
                "{pin:?} tries went down {before} → {now} outside a VERIFY of that PIN"
            );
            assert_eq!(now + 1, before, "{pin:?} lost more than one try at once");
        }
    }
    shadow.tries = after;

    // The municipal channel never opens without the administration key.
    if matches!(ins, Some(0x82 | 0x2C)) {
        assert!(
            !ok,
            "administrative command {ins:02X?} succeeded without the key"
        );
    }

    // READ BINARY by SFI (P1 `100x xxxx`) and READ RECORD by SFI (P2 `SFI<<3 | 04/05`) make
    // that EF current before the access check, unless refused before the lookup (length,
    // P1/P2 form, no such EF).
    let refused_early = matches!(response.sw.0, 0x6700 | 0x6A86 | 0x6A82);
    if ins == Some(0xB0) && p1 & 0x80 != 0 && !refused_early {
        shadow.ef = Some(u16::from(p1 & 0x1F));
    }
    if ins == Some(0xB2) && p2 >> 3 != 0 && !refused_early {
        shadow.ef = Some(u16::from(p2 >> 3));
    }

    match ins {
        Some(0xA4) if ok => match p1 {
            // the GlobalPlatform ISD: back to the power-on state (card-map §1)
            0x04 if data == GP_ISD => shadow.clear(),
            // an AID or a proper prefix of one, the first in card-map order (§1)
            0x04 => {
                assert!(!data.is_empty(), "SELECT of an empty DF name answered 9000");
                shadow.clear();
                shadow.app = [
                    (&AID_JPKI, App::Jpki),
                    (&AID_TEXT_SUPPORT, App::TextSupport),
                    (&AID_VISUAL, App::Visual),
                    (&AID_COMMON, App::Common),
                    (&AID_JUKI, App::Juki),
                ]
                .into_iter()
                .find(|(aid, _)| aid.starts_with(data))
                .map(|(_, app)| app);
                assert!(
                    shadow.app.is_some(),
                    "SELECT of a name that begins no AID answered 9000"
                );
            }
            // SELECT MF with an application current: nothing changes (card-map §1)
            0x00 => assert!(
                shadow.app.is_some() && data.is_empty(),
                "SELECT MF answered 9000 with no application current or by FID"
            ),
            0x02 => {
                assert!(shadow.app.is_some(), "EF selected with no application");
                let fid = <[u8; 2]>::try_from(data).expect("FID of two bytes");
                shadow.ef = Some(u16::from_be_bytes(fid));
            }
            other => panic!("SELECT with P1 {other:02X} answered 9000"),
        },
        Some(0x20) if !data.is_empty() => {
            let pin = verify_pin;
            if ok {
                let pin = pin.expect("VERIFY 9000 with no PIN EF selected");
                assert_eq!(
                    data,
                    shadow.pins[index(pin)].as_slice(),
                    "VERIFY accepted a wrong {pin:?} PIN"
                );
                assert_eq!(
                    after[index(pin)],
                    card.pin_counter(pin).expect("PIN").limit(),
                    "a correct PIN leaves the counter below its limit"
                );
                shadow.verified[index(pin)] = true;
            } else if response.sw.sw1() == 0x63
                && let Some(pin) = pin
            {
                // wrong PIN: no longer verified
                shadow.verified[index(pin)] = false;
            }
        }
        Some(0x24) if ok => {
            let pin = shadow
                .pin_ef()
                .expect("CHANGE 9000 with no PIN EF selected");
            assert!(
                shadow.is_verified(pin),
                "{pin:?} PIN changed without being verified"
            );
            assert!(
                matches!(
                    pin,
                    PinRef::Authentication | PinRef::Signature | PinRef::TextSupport
                ),
                "{pin:?} changed by CHANGE REFERENCE DATA"
            );
            shadow.pins[index(pin)] = data.to_vec();
        }
        Some(0x32) if ok => {
            let pin = shadow
                .pin_ef()
                .expect("CHANGE KEY 9000 with no PIN EF selected");
            assert!(
                matches!(pin, PinRef::Common | PinRef::Juki),
                "{pin:?} changed by CHANGE KEY"
            );
            assert!(shadow.is_verified(pin), "{pin:?} changed without VERIFY");
            shadow.pins[index(pin)] = data.to_vec();
        }
        Some(0x88) if ok => {
            assert_eq!(
                shadow.app,
                Some(App::Common),
                "INTERNAL AUTHENTICATE answered outside the 共通カードAP"
            );
        }
        // the 券面 APs' own keys sign without a credential (card-map §4, §5)
        Some(0x2A) if ok && matches!(shadow.app, Some(App::TextSupport | App::Visual)) => {
            assert_eq!(
                (p1, p2),
                (0x00, 0x00),
                "a 券面 AP signed with P1P2 {p1:02X}{p2:02X}"
            );
        }
        Some(0x2A) if ok => {
            let pin = shadow
                .target(p2)
                .and_then(|fid| shadow.key_pin_at(fid))
                .expect("a signature without a key EF selected or named");
            assert!(
                shadow.is_verified(pin),
                "signed with the key of the {pin:?} PIN without that PIN verified"
            );
        }
        Some(0xB0) if ok && !response.data.is_empty() => {
            let needs = shadow.read_pins();
            if !needs.is_empty() {
                assert!(
                    needs.iter().any(|p| shadow.is_verified(*p)),
                    "EF protected by {needs:?} read without any of them"
                );
            }
            if response.data.contains(&SIGN_CERT_FILL) {
                assert!(
                    shadow.is_verified(PinRef::Signature),
                    "signature certificate bytes served without the signature PIN"
                );
            }
        }
        _ => {}
    }
}

/// What one session exercised: the exchanges, and how many of them reached the states the
/// invariants are about (so that a test can tell a session that checked something from one
/// that only sent noise).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// C-APDUs sent.
    pub exchanges: usize,
    /// VERIFY commands with data answered `9000`.
    pub verified: usize,
    /// VERIFY commands with data answered `63Cx` or `6983` (a try spent or a PIN blocked).
    pub refused: usize,
    /// COMPUTE DIGITAL SIGNATURE answered `9000`.
    pub signed: usize,
}

/// The fuzz target: runs `data` as a session (see the module documentation for its format)
/// and panics on any invariant violation.
pub fn card_session(data: &[u8]) {
    let _ = session(data);
}

/// [`card_session`], returning what the session exercised.
pub fn session(data: &[u8]) -> Stats {
    let (contents, administration) = contents();
    let mut card = SimCard::new_administered(contents.clone(), administration.clone())
        .expect("fixed contents are valid");
    let mut shadow = Shadow::new(&card);
    let mut stats = Stats::default();
    let mut rest = data;
    while let Some((&head, tail)) = rest.split_first() {
        let (len, tail) = match head {
            0xFE => {
                card.power_off();
                shadow.clear();
                rest = tail;
                continue;
            }
            0xFD => {
                card.reset();
                shadow.clear();
                rest = tail;
                continue;
            }
            0xFF => match tail {
                [hi, lo, more @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), more),
                _ => (tail.len(), tail),
            },
            n => (usize::from(n), tail),
        };
        let (capdu, tail) = tail.split_at(len.min(tail.len()));
        let rapdu = card.process(capdu);
        check(&mut shadow, &card, capdu, &rapdu);
        stats.count(capdu, &rapdu);
        rest = tail;
    }
    stats
}

impl Stats {
    fn count(&mut self, capdu: &[u8], rapdu: &[u8]) {
        self.exchanges += 1;
        let sw = match rapdu {
            [.., sw1, sw2] => u16::from_be_bytes([*sw1, *sw2]),
            _ => return,
        };
        match apdu::Command::decode(capdu) {
            Ok(c) if c.ins == 0x20 && !c.data.is_empty() => match sw {
                0x9000 => self.verified += 1,
                0x63C0..=0x63CF | 0x6983 => self.refused += 1,
                _ => {}
            },
            Ok(c) if c.ins == 0x2A && sw == 0x9000 => self.signed += 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
