//! Property tests: format rules (spec §1) and retry-counter invariants.

use pin_policy::{Error, Outcome, Pin, PinKind, PinSlot, RetryCounter};
use proptest::prelude::*;

fn kind() -> impl Strategy<Value = PinKind> {
    prop::sample::select(PinKind::ALL.to_vec())
}

/// An independent reading of §1, written as plainly as possible.
fn spec_accepts(kind: PinKind, pin: &[u8]) -> bool {
    let upper_alnum = |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    match kind {
        PinKind::JukiSignature => (4..=16).contains(&pin.len()) && pin.iter().all(upper_alnum),
        PinKind::Authentication | PinKind::TextSupport | PinKind::ResidentRegistry => {
            pin.len() == 4 && pin.iter().all(u8::is_ascii_digit)
        }
        PinKind::VerificationA => pin.len() == 12 && pin.iter().all(u8::is_ascii_digit),
        PinKind::VerificationB => pin.len() == 14 && pin.iter().all(u8::is_ascii_digit),
        PinKind::BirthDate => pin.len() == 6 && pin.iter().all(u8::is_ascii_digit),
        PinKind::Puk => pin.len() == 8 && pin.iter().all(u8::is_ascii_digit),
        PinKind::Signature => {
            (6..=16).contains(&pin.len())
                && pin.iter().all(upper_alnum)
                && pin.iter().any(u8::is_ascii_uppercase)
                && pin.iter().any(u8::is_ascii_digit)
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Right,
    Wrong(Vec<u8>),
    Unlock,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Right),
        6 => prop::collection::vec(any::<u8>(), 0..20).prop_map(Op::Wrong),
        1 => Just(Op::Unlock),
    ]
}

proptest! {
    #[test]
    fn validation_matches_the_spec(kind in kind(), pin in prop::collection::vec(any::<u8>(), 0..24)) {
        prop_assert_eq!(kind.validate(&pin).is_ok(), spec_accepts(kind, &pin));
    }

    #[test]
    fn validation_matches_the_spec_on_near_valid_input(
        kind in kind(),
        pin in "[A-Z0-9a-z!]{0,18}",
    ) {
        prop_assert_eq!(kind.validate(pin.as_bytes()).is_ok(), spec_accepts(kind, pin.as_bytes()));
    }

    #[test]
    fn errors_name_the_first_broken_rule(kind in kind(), pin in prop::collection::vec(any::<u8>(), 0..24)) {
        let rules = kind.rules();
        match kind.validate(&pin) {
            Ok(()) => {}
            Err(Error::TooShort { len, min, max, .. }) => {
                prop_assert!(len < min);
                prop_assert_eq!((min, max), (rules.min_len, rules.max_len));
            }
            Err(Error::TooLong { len, max, .. }) => prop_assert!(len > max),
            Err(Error::BadCharacter { position, allowed, .. }) => {
                prop_assert!(position >= 1);
                prop_assert!(!allowed.contains(pin[position - 1]));
                prop_assert!(pin[..position - 1].iter().all(|&b| allowed.contains(b)));
            }
            Err(Error::MissingLetter { .. }) => prop_assert!(!pin.iter().any(u8::is_ascii_uppercase)),
            Err(Error::MissingDigit { .. }) => prop_assert!(!pin.iter().any(u8::is_ascii_digit)),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn generated_valid_signature_pins_are_accepted(pin in "[A-Z]{1,8}[0-9]{1,8}") {
        prop_assert!(PinKind::Signature.validate(pin.as_bytes()).is_ok() == (pin.len() >= 6));
    }

    #[test]
    fn counter_invariants_hold(limit in 1u8..=15, ops in prop::collection::vec(op(), 0..60)) {
        let stored = Pin::new(PinKind::Signature, b"ABC123").unwrap();
        let mut slot = PinSlot::new(stored, limit).unwrap();
        for op in ops {
            let before = slot.counter().tries_left();
            match op {
                Op::Unlock => {
                    slot.admin_unlock(None).unwrap();
                    prop_assert_eq!(slot.counter().tries_left(), limit);
                }
                Op::Right | Op::Wrong(_) => {
                    let offered: Vec<u8> = match &op {
                        Op::Wrong(w) if w.as_slice() != b"ABC123" => w.clone(),
                        Op::Wrong(_) => b"ABC124".to_vec(),
                        _ => b"ABC123".to_vec(),
                    };
                    match slot.begin_attempt() {
                        Err(_) => {
                            prop_assert_eq!(before, 0);
                            prop_assert_eq!(slot.counter().tries_left(), 0);
                        }
                        Ok(attempt) => {
                            // the decrement happens before any comparison
                            prop_assert_eq!(slot.counter().tries_left(), before - 1);
                            let outcome = slot.check(attempt, &offered);
                            if matches!(op, Op::Right) {
                                prop_assert_eq!(outcome, Outcome::Verified);
                                prop_assert_eq!(slot.counter().tries_left(), limit);
                            } else {
                                prop_assert_eq!(outcome, Outcome::Wrong { tries_left: before - 1 });
                                prop_assert_eq!(slot.counter().tries_left(), before - 1);
                            }
                        }
                    }
                }
            }
            prop_assert!(slot.counter().tries_left() <= limit);
            prop_assert_eq!(slot.counter().is_blocked(), slot.counter().tries_left() == 0);
        }
    }

    #[test]
    fn restore_never_accepts_more_tries_than_the_limit(limit in any::<u8>(), left in any::<u8>()) {
        match RetryCounter::restore(limit, left) {
            Ok(c) => {
                prop_assert!((1..=15).contains(&limit) && left <= limit);
                prop_assert_eq!((c.limit(), c.tries_left()), (limit, left));
            }
            Err(_) => prop_assert!(!(1..=15).contains(&limit) || left > limit),
        }
    }
}
