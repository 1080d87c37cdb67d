//! The commands, one module per group; and what they share: reading a PIN, writing a file.

use std::path::Path;

use anyhow::{Context, Result};
use jpki_tool::pin_input::PinInput;

pub(crate) mod auth;
pub(crate) mod card;
pub(crate) mod certs;
#[cfg(feature = "simulator")]
pub(crate) mod demo;
pub(crate) mod face;
pub(crate) mod sign;
pub(crate) mod text;
pub(crate) mod trust;

pub(crate) fn read_pin(pins: &mut PinInput, what: &str) -> Result<zeroize::Zeroizing<String>> {
    Ok(pins.read(what)?)
}

/// Writes a file atomically and durably: an exclusive temp file beside it under a random name
/// (never following a link planted at a fixed name), fsync, rename over `path` (a symlink at
/// `path` is replaced, not followed), fsync of the directory. The file is private (0600).
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    cli_common::write_file(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
