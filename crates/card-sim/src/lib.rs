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

mod card;
mod contents;
mod error;
mod holder;
mod store;

pub use card::{ATR, SimCard, session::PinRef};
pub use contents::{CardContents, CardProfile, KeyContents, KeyRole, TextSupportContents};
pub use error::{Corruption, Error};
pub use holder::{FourFacts, MyNumber, Sex};
pub use store::{FORMAT_VERSION, MAGIC};
