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

pub mod anchors;
pub mod card_sign;
pub mod cms;
#[cfg(feature = "simulator")]
pub mod demo;
pub mod input;
pub mod login;
/// PIN input (a no-echo prompt or `--pin-stdin`), shared with `jpki-sim`.
pub use cli_common::pins as pin_input;
pub mod report;

