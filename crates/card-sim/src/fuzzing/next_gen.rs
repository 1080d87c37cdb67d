//! The `ng_session` fuzz target's harness: arbitrary APDU sequences to a next-generation
//! (NG-sim v1) card, in the input format of [`super::session`] (`FE` power-off, `FD` reset,
//! `FF hi lo <bytes>` or `n <n bytes>` a C-APDU), checked after every command against a
//! shadow of its secrets and security state:
//!
//! - every answer is a valid R-APDU; an SM class byte is never answered `9000`;
//! - a secret's tries go up only on a right VERIFY of it, on RESET RETRY COUNTER `9000`
//!   (PIN4 refilled with the PUK, the PUK's own counter refilled), or when SIGN_PW sets a
//!   PUK; they go down only on a VERIFY with data of it (the PUK also on RESET RETRY
//!   COUNTER), by one;
//! - VERIFY and RESET RETRY COUNTER accept only the current values (which CHANGE REFERENCE
//!   DATA and RESET RETRY COUNTER may have changed); CHANGE only after the right secret
//!   (SIGN_PW for `81` and `83`, PIN4 or SIGN_PW for `82`);
//! - PSO:CDS is answered `9000` only with an MSE key whose secret is verified since the
//!   last reset or SELECT of an application, with 96 bytes that verify over the hash;
//! - the signature certificate's bytes are never served without SIGN_PW, the My Number's
//!   digits never without PIN4 or SIGN_PW.

use p384::ecdsa::{Signature, signature::hazmat::PrehashVerifier};
use pin_policy::{Pin, PinKind};

use crate::{
    FourFacts, MyNumber, NextGenContents, NextGenKey, NextGenKeyId, NextGenRetryLimits,
    NextGenSecret, Sex, SimCard, next_gen::ids,
};

/// Fill byte of the signature certificate (in no other EF of the card).
const SIGN_CERT_FILL: u8 = 0xC5;
const MY_NUMBER: &str = "123456789018";
/// The secrets as issued (the fuzzer's dictionary should know them).
pub const SIGN_PW: &[u8] = b"ABC123";
/// See [`SIGN_PW`].
pub const PIN4: &[u8] = b"1234";

fn key(seed: u8, fill: u8) -> NextGenKey {
    NextGenKey {
        private_key: p384::SecretKey::from_slice(&[seed; 48]).expect("fixed key"),
        certificate: vec![fill; 40],
        ca_certificate: vec![fill.wrapping_add(1); 40],
    }
}

fn card() -> SimCard {
    SimCard::new_next_gen(NextGenContents {
        authentication: Some(key(0x11, 0xA0)),
        signature: Some(key(0x22, SIGN_CERT_FILL)),
        card_authentication: key(0x33, 0xB0),
        my_number: MyNumber::new(MY_NUMBER).expect("fixed"),
        facts: FourFacts {
            name: "A".into(),
            address: "B".into(),
            birth_date: "20000101".into(),
            sex: Sex::Male,
        },
        sign_pw: Pin::new(PinKind::Signature, SIGN_PW).expect("fixed"),
        pin4: Pin::new(PinKind::Authentication, PIN4).expect("fixed"),
        retry_limits: NextGenRetryLimits::default(),
    })
    .expect("fixed contents are valid")
}

/// The model of the card: current values, tries, verified secrets, application, EF, MSE key.
struct Shadow {
    values: [Option<Vec<u8>>; 3],
    tries: [Option<u8>; 3],
    verified: [bool; 3],
    in_auth: bool,
    ef: Option<u16>,
    mse: Option<u8>,
}

fn at(secret: NextGenSecret) -> usize {
    match secret {
        NextGenSecret::SignPassword => 0,
        NextGenSecret::Pin4 => 1,
        NextGenSecret::Puk => 2,
    }
}

fn tries(card: &SimCard) -> [Option<u8>; 3] {
    NextGenSecret::ALL.map(|s| card.next_gen_counter(s).map(|c| c.tries_left()))
}

impl Shadow {
    fn clear(&mut self) {
        self.verified = [false; 3];
        self.in_auth = false;
        self.ef = None;
        self.mse = None;
    }

    fn is(&self, secret: NextGenSecret) -> bool {
        self.verified[at(secret)]
    }
}

/// Counts of the guarded states a session reached.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NgStats {
    /// C-APDUs sent.
    pub exchanges: usize,
    /// VERIFY with data answered `9000`.
    pub verified: usize,
    /// VERIFY with data answered `63Cx` or `6983`.
    pub refused: usize,
    /// PSO:CDS answered `9000`.
    pub signed: usize,
}

/// The fuzz target.
pub fn ng_session(data: &[u8]) {
    let _ = ng_stats(data);
}

/// [`ng_session`], returning what the session exercised.
pub fn ng_stats(data: &[u8]) -> NgStats {
    let mut card = card();
    let mut shadow = Shadow {
        values: [Some(SIGN_PW.to_vec()), Some(PIN4.to_vec()), None],
        tries: tries(&card),
        verified: [false; 3],
        in_auth: false,
        ef: None,
        mse: None,
    };
    let mut stats = NgStats::default();
    let mut rest = data;
    while let Some((&head, tail)) = rest.split_first() {
        let (len, tail) = match head {
            0xFE | 0xFD => {
                if head == 0xFE {
                    card.power_off();
                } else {
                    card.reset();
                }
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
        check(&mut shadow, &card, capdu, &rapdu, &mut stats);
        rest = tail;
    }
    stats
}

fn check(shadow: &mut Shadow, card: &SimCard, capdu: &[u8], rapdu: &[u8], stats: &mut NgStats) {
    stats.exchanges += 1;
    let response = apdu::Response::decode(rapdu).expect("a valid R-APDU");
    assert!(
        matches!(response.sw.sw1(), 0x61..=0x6F | 0x90..=0x9F),
        "status word {}",
        response.sw
    );
    let ok = response.sw.0 == 0x9000;
    let after = tries(card);
    let Ok(c) = apdu::Command::decode(capdu) else {
        assert_eq!(
            after, shadow.tries,
            "an undecodable command changed a counter"
        );
        return;
    };
    if matches!(c.cla, 0x08 | 0x0C) {
        assert_eq!(response.sw.0, 0x6882, "SM class answered {}", response.sw);
    }
    let (ins, p1, p2, data) = (c.ins, c.p1, c.p2, c.data.as_slice());
    let target = NextGenSecret::from_reference(p2);
    let verify_with_data = ins == 0x20 && p1 == 0 && !data.is_empty();
    let reset_counter = ins == 0x2C && (p1, p2) == (0x00, ids::secret::PIN4);
    for secret in NextGenSecret::ALL {
        let (before, now) = (shadow.tries[at(secret)], after[at(secret)]);
        let up = match (before, now) {
            (Some(b), Some(n)) => n > b,
            (None, Some(_)) => true,
            (_, None) => {
                assert!(before.is_none(), "{secret:?} vanished");
                false
            }
        };
        if up {
            let right_verify = verify_with_data && ok && target == Some(secret);
            let by_puk = reset_counter && ok && secret != NextGenSecret::SignPassword;
            let puk_set = ins == 0x24 && ok && secret == NextGenSecret::Puk;
            assert!(
                right_verify || by_puk || puk_set,
                "{secret:?} tries went up {before:?} → {now:?}"
            );
        }
        if let (Some(b), Some(n)) = (before, now)
            && n < b
        {
            let tried = (verify_with_data && target == Some(secret))
                || (reset_counter && secret == NextGenSecret::Puk);
            assert!(tried, "{secret:?} tries went down outside a try of it");
            assert_eq!(n + 1, b, "{secret:?} lost more than one try at once");
        }
    }
    shadow.tries = after;
    match ins {
        0xA4 if ok && p1 == 0x04 => {
            assert!(
                data == ids::AID_AUTH || data == ids::AID_FACE,
                "SELECT of {data:02X?} answered 9000"
            );
            shadow.clear();
            shadow.in_auth = data == ids::AID_AUTH;
        }
        0xA4 if ok && p1 == 0x02 => {
            assert!(shadow.in_auth, "EF selected outside the 認証AP");
            let fid = <[u8; 2]>::try_from(data).expect("FID of two bytes");
            shadow.ef = Some(u16::from_be_bytes(fid));
        }
        0x20 if verify_with_data => {
            let Some(secret) = target else {
                assert!(!ok, "VERIFY of reference {p2:02X} answered 9000");
                return;
            };
            if ok {
                assert_eq!(
                    Some(data),
                    shadow.values[at(secret)].as_deref(),
                    "VERIFY accepted a wrong {secret:?}"
                );
                shadow.verified[at(secret)] = true;
                stats.verified += 1;
            } else if response.sw.sw1() == 0x63 || response.sw.0 == 0x6983 {
                shadow.verified[at(secret)] = false;
                stats.refused += 1;
            }
        }
        0x24 if ok => {
            let secret = target.expect("CHANGE of a known reference");
            let allowed = match secret {
                NextGenSecret::Pin4 => {
                    shadow.is(NextGenSecret::Pin4) || shadow.is(NextGenSecret::SignPassword)
                }
                _ => shadow.is(NextGenSecret::SignPassword),
            };
            assert!(allowed, "{secret:?} changed without the right secret");
            assert!(
                secret.kind().validate(data).is_ok(),
                "{secret:?} set to a bad format"
            );
            shadow.values[at(secret)] = Some(data.to_vec());
            if secret == NextGenSecret::Puk {
                shadow.verified[at(secret)] = false;
            }
        }
        0x2C if ok => {
            let (puk, pin4) = data.split_at(8.min(data.len()));
            assert_eq!(
                Some(puk),
                shadow.values[at(NextGenSecret::Puk)].as_deref(),
                "a wrong PUK reset PIN4"
            );
            shadow.values[at(NextGenSecret::Pin4)] = Some(pin4.to_vec());
            shadow.verified[at(NextGenSecret::Pin4)] = false;
        }
        0x22 if ok => shadow.mse = data.get(2).copied(),
        0x2A if ok => {
            let key = match shadow.mse {
                Some(ids::key::AUTH) => {
                    assert!(
                        shadow.is(NextGenSecret::Pin4) || shadow.is(NextGenSecret::SignPassword),
                        "key 01 signed without PIN4 or SIGN_PW"
                    );
                    NextGenKeyId::Authentication
                }
                Some(ids::key::SIGN) => {
                    assert!(
                        shadow.is(NextGenSecret::SignPassword),
                        "key 02 signed without SIGN_PW"
                    );
                    NextGenKeyId::Signature
                }
                other => panic!("PSO:CDS answered 9000 with MSE key {other:02X?}"),
            };
            let public = card.next_gen_public_key(key).expect("key on the card");
            let signature = Signature::from_slice(&response.data).expect("96 bytes r‖s");
            public
                .verify_prehash(data, &signature)
                .expect("the signature verifies");
            stats.signed += 1;
        }
        0x88 if ok => assert!(shadow.in_auth, "INTERNAL AUTHENTICATE outside the 認証AP"),
        0xB0 if ok && !response.data.is_empty() => {
            if response.data.contains(&SIGN_CERT_FILL) {
                assert!(
                    shadow.is(NextGenSecret::SignPassword),
                    "signature certificate without SIGN_PW"
                );
            }
            if shadow.ef == Some(ids::fid::MY_NUMBER) {
                assert!(
                    shadow.is(NextGenSecret::Pin4) || shadow.is(NextGenSecret::SignPassword),
                    "My Number without PIN4 or SIGN_PW"
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
