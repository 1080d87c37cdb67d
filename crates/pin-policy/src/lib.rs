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

mod error;
mod format;
mod kind;
mod pin;
mod retry;
mod slot;

pub use error::{Blocked, Error};
pub use kind::{Charset, MAX_RETRY_LIMIT, PinKind, PinRules};
pub use pin::{MAX_PIN_LEN, Pin};
pub use retry::{Attempt, Outcome, RetryCounter};
pub use slot::PinSlot;
