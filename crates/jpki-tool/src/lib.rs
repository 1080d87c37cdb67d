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
pub mod p384_check;
/// PIN input (a no-echo prompt or `--pin-stdin`), shared with `jpki-sim`.
pub use cli_common::pins as pin_input;
pub mod report;
pub mod status;

#[cfg(all(test, feature = "simulator"))]
mod tests {
    /// The engine simulator cards sign with in this build (OpenSSL with the default features,
    /// `rsa` with `--no-default-features --features simulator`). `cargo xtask test` runs each
    /// pass with `JPKI_EXPECT_ENGINE` set to the engine that pass is meant to test.
    #[test]
    fn card_engine_is_the_one_the_pass_expects() {
        let engine = card_sim::Engine::DEFAULT;
        println!("simulator cards sign with the {engine} engine");
        #[cfg(feature = "fast-engine")]
        assert_eq!(engine.name(), "openssl");
        if let Some(expected) = std::env::var_os("JPKI_EXPECT_ENGINE") {
            assert_eq!(std::ffi::OsStr::new(engine.name()), expected);
        }
    }
}
