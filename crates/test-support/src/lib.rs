//! Dev-only helpers shared by the workspace's tests (never a normal dependency: see
//! `xtask/src/rules.rs`).
//!
//! * [`fixtures`]: the deterministic JPKI fixture set (CAs, card certificates, CRLs) that
//!   `fixtures/cert/` holds, and its generator (`cargo run -p test-support --bin gen-fixtures`).
//! * [`keys`]: seeded RSA keys and RNGs.
//! * [`sample`]: cards built from that set.
//! * [`cards`]: quick test cards (seeded keys, self-signed placeholder certificates), the
//!   sample PINs, temp dirs and APDU helpers.
//! * [`process`]: running a binary with PINs on stdin; serving a card to a test playing vpcd.
//! * [`planting`], [`cores`] (Linux), [`leaks`]: what another user can plant beside a file,
//!   core-file checks, and the forms in which a secret could leak into text.
//!
//! Test code: it panics on any failure by design.

#![forbid(unsafe_code)]

pub mod cards;
#[cfg(target_os = "linux")]
pub mod cores;
pub mod fixtures;
pub mod keys;
pub mod leaks;
pub mod planting;
pub mod process;
pub mod sample;
