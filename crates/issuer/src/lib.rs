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
pub mod card_face;
mod error;

pub use authority::{
    Authority, IdentityCheck, IssueRequest, NextGenIssueRequest, RenewRequest, Renewed,
    RetryLimits, RevokeOutcome, text_facts,
};
pub use card_face::{
    CardFace, CommonRecords, FaceAp, FaceAuthority, FaceContents, FactsRecords, TextRecords,
    VisualRecords,
};
pub use error::Error;
