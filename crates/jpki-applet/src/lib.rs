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

mod applet;
mod digest;
mod error;
#[cfg(feature = "pcsc")]
pub mod pcsc;
mod text_support;

pub use applet::{
    Availability, CardKind, CertSlot, JPKI_AID, JpkiApplet, KeyRef, MAX_SIGN_INPUT, PinRef,
    PinStatus, TokenInfo,
};
pub use digest::{HashAlg, digest_info};
pub use error::Error;
pub use text_support::{FourFacts, Sex, TEXT_SUPPORT_AID, TextSupport, my_number_check_digit_ok};

impl<T: apdu::Transport> JpkiApplet<T> {
    /// The text-support application on the same card connection.
    pub fn text_support(&mut self) -> TextSupport<'_, T> {
        TextSupport::new(self.channel_mut())
    }
}
