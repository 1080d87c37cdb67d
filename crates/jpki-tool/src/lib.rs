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
pub mod demo;
pub mod input;
pub mod login;
pub mod pin_input;
pub mod report;
