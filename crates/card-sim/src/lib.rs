#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod admin;
mod card;
mod contents;
mod engine;
mod error;
// The fuzzer's assertion harness for the `card_session` target (fuzz/fuzz_targets): it panics on
// an invariant violation by design, and is never called by the card or the binaries.
#[doc(hidden)]
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]
pub mod fuzzing;
mod holder;
mod life;
pub mod next_gen;
mod profile;
mod store;
pub mod vpcd;

pub use admin::CARD_ID_LEN;
pub use card::{
    ATR, SimCard,
    app::{ApKey, PinRef},
    is_pin_command,
};
pub use contents::{
    Administration, CardContents, CommonContents, FaceUpdate, KeyContents, MfObjects,
    TextSupportContents, TextSupportRecords, VerificationContents, VisualContents,
};
pub use engine::Engine;
pub use error::{Corruption, Error};
pub use holder::{FourFacts, MyNumber, Sex};
pub use life::{CardHistory, CardState, Cessation, KeyRenewal};
pub use next_gen::{
    NEXT_GEN_DIFFERENCES, NextGenContents, NextGenKey, NextGenKeyId, NextGenRenewal,
    NextGenRetryLimits, NextGenSecret, Nonces,
};
pub use profile::{CardProfile, KeyRole};
pub use store::{FORMAT_VERSION, MAGIC};
