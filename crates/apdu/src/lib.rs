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

mod channel;
mod command;
mod response;
mod secret;
mod status;
pub mod tlv;
mod transport;

pub use channel::{
    CLA_CHAINING, Channel, ExchangeError, INS_GET_RESPONSE, MAX_GET_RESPONSE_ROUNDS,
};
pub use command::{
    Case, Command, CommandDecodeError, CommandEncodeError, MAX_COMMAND_LEN, MAX_DATA_LEN, MAX_LE,
    MAX_SHORT_DATA_LEN, MAX_SHORT_LE,
};
pub use response::{MAX_RESPONSE_LEN, Response, ResponseDecodeError};
pub use secret::is_secret_ins;
pub use status::StatusWord;
pub use transport::{Transport, TransportError};
