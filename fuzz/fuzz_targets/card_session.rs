//! Arbitrary APDU sequences to a My Number card bound to a municipality, checked against a
//! shadow model of the card's security state after every command. The model, its invariants
//! and the input format live in the library, `card_sim::fuzzing` (so that every test pass
//! type-checks it and runs it over the seeds in fuzz/seeds/card_session).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| card_sim::fuzzing::card_session(data));
