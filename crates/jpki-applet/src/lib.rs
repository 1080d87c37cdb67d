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
// `text_support`, `face_check`, `whole_card`, `next_gen`}; `records` (parsers, no APDU) ←
// {`face_check`, `whole_card`}; `whole_card` → `face_check`; `applet` → `session`; `applet` and
// `text_support` never name each other; `next_gen` (the next-generation 認証AP, its own
// identifier table `next_gen::ids`) → `text_support` (the shared My Number / 4-facts
// parsers); `generation` (detection, both generations behind one type) → {`applet`,
// `next_gen`}; `error` → `next_gen::secret` (a leaf).
mod applet;
mod digest;
mod error;
mod face_check;
mod file_map;
mod generation;
mod iso;
pub mod next_gen;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod records;
mod session;
mod signature;
mod text_support;
mod types;
mod whole_card;

pub use applet::JpkiApplet;
pub use digest::{HashAlg, digest_info};
pub use error::Error;
pub use face_check::{FaceCheck, FaceSession};
pub use file_map::{App, COMMON_AID, FACE_CHECK_AID, JPKI_AID, JUKI_AID, TEXT_SUPPORT_AID};
pub use generation::{CardSession, JpkiCard, PinReport, detect};
pub use next_gen::{
    NextGenApplet, NgAlgorithm, NgProfile, NgSecret, NgSession, NgTokenInfo, SecretStatus,
};
pub use session::KeySession;
pub use signature::{CardSignature, SignatureAlgorithm};
pub use text_support::{FourFacts, TextSession, TextSupport};
pub use types::{
    Availability, CardFacts, CardKind, CardPin, CertSlot, Generation, KeyRef, MAX_SIGN_INPUT,
    NumberKind, PinRef, PinStatus, Sex, TOKEN_INFO_LEN, TokenInfo, VerificationNumber,
    my_number_check_digit_ok,
};
pub use whole_card::{BasicInfo, WholeCard};

impl<T: apdu::Transport> JpkiApplet<T> {
    /// The text-support application on the same card connection. Its first command selects
    /// it, which ends any verified state of the JPKI application; a [`KeySession`] cannot be
    /// alive meanwhile (both borrow the applet mutably).
    pub fn text_support(&mut self) -> TextSupport<'_, T> {
        TextSupport::new(self.channel_mut())
    }

    /// The applications beyond JPKI (every PIN's status, the basic-info records, the
    /// card-face check application) on the same card connection. Its commands select the
    /// applications they need, which ends any verified state of the JPKI application.
    pub fn whole_card(&mut self) -> WholeCard<'_, T> {
        WholeCard::new(self.channel_mut())
    }
}
