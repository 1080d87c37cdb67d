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

// Module graph (no cycles): `types` ← `file_map` ← `iso` ← {`applet`, `session`,
// `text_support`}; `applet` → `session`; `applet` and `text_support` never name each other.
mod applet;
mod digest;
mod error;
mod file_map;
mod iso;
#[cfg(feature = "pcsc")]
pub mod pcsc;
mod session;
mod text_support;
mod types;

pub use applet::JpkiApplet;
pub use digest::{HashAlg, digest_info};
pub use error::Error;
pub use file_map::{JPKI_AID, TEXT_SUPPORT_AID};
pub use session::KeySession;
pub use text_support::{FourFacts, Sex, TextSession, TextSupport, my_number_check_digit_ok};
pub use types::{
    Availability, CardFacts, CardKind, CertSlot, KeyRef, MAX_SIGN_INPUT, PinRef, PinStatus,
    TOKEN_INFO_LEN, TokenInfo,
};

impl<T: apdu::Transport> JpkiApplet<T> {
    /// The text-support application on the same card connection. Its first command selects
    /// it, which ends any verified state of the JPKI application; a [`KeySession`] cannot be
    /// alive meanwhile (both borrow the applet mutably).
    pub fn text_support(&mut self) -> TextSupport<'_, T> {
        TextSupport::new(self.channel_mut())
    }
}
