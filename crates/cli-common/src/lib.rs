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

pub mod conventions;
pub mod pins;
pub mod process;

pub use conventions::{EXIT_CODES, InvalidInput, exit, is_invalid_input, one_line, printable};

/// Writes `bytes` to `path` atomically and durably through [`durable::replace`]: an exclusive
/// temp file under a random name (never following a link planted beside `path`), fsync,
/// rename over `path` (a symlink there is replaced, not followed), fsync of the directory. The
/// file is private (0600).
///
/// # Errors
/// The I/O error, naming nothing: the caller says which file.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    durable::replace(path, bytes)
}
