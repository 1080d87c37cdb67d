//! The jpki-tool CLI behaviour suite, written once for every transport (see
//! `support/target.rs`): by default each test gets a fresh simulator card file (`--card`),
//! run in process; with the `real-reader` feature the same tests drive the card in a PC/SC
//! reader (`cargo xtask interop` runs them on the card served through pcscd and vpcd).
//!
//! Modules: [`reading`] reads the card (info, certificates, text, traces); [`signing`] signs
//! and logs in, with openssl checking the signature when installed; [`pins`] spends wrong PINs
//! (simulator only) and changes PINs (and back); [`offline`] needs no card under test (demo,
//! help, crafted or broken simulator card files); [`whole_card`] reads every application of
//! the card (pin status, basic info, the card face; it needs the card and issuer work of
//! issue #16).

use test_support::process::succeeded as ok;

#[path = "../support/common.rs"]
mod common;
#[path = "../support/target.rs"]
mod target;

mod offline;
mod pins;
mod reading;
mod signing;
mod whole_card;

/// Whether openssl is installed (the openssl steps are skipped, visibly, when not).
fn has_openssl() -> bool {
    std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_ok()
}
