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

pub mod authority;
mod error;

pub use authority::{Authority, IssueRequest, RetryLimits, text_facts};
pub use error::Error;
