//! Arbitrary APDU sequences to a next-generation (NG-sim v1) card, checked against a shadow
//! of its secrets and security state after every command. The model, its invariants and the
//! input format live in the library, `card_sim::fuzzing::next_gen` (so that every test pass
//! type-checks it and runs it over the seeds in fuzz/seeds/ng_session).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| card_sim::fuzzing::next_gen::ng_session(data));
