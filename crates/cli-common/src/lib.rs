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
pub mod trace;

pub use conventions::{EXIT_CODES, InvalidInput, exit, is_invalid_input, one_line, printable};

/// A JSON document for `--json` output (serde_json, one line): beyond what JSON requires
/// (`"`, `\\`, U+0000–001F, which serde_json escapes), DEL, the C1 controls and the
/// bidirectional and line-separator characters of [`cert::text::is_unsafe_char`] are written
/// as `\uXXXX` too, so a program that prints a decoded field stays as safe as the text
/// output. Those characters can only stand inside strings, so escaping them after
/// serialization changes no structure.
#[must_use]
pub fn json(value: &serde_json::Value) -> String {
    let raw = value.to_string();
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        // U+0000–001F are escaped by serde_json already
        if cert::text::is_unsafe_char(c) && u32::from(c) > 0x1f {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

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

#[cfg(test)]
mod tests {
    #[test]
    fn json_escapes_what_json_requires_and_what_a_terminal_fears() {
        let v = serde_json::json!({ "name": "a\"b\\c\n\u{1}\u{1b}[2J\u{7f}\u{85}\u{202e}\u{2066}番号" });
        assert_eq!(
            super::json(&v),
            "{\"name\":\"a\\\"b\\\\c\\n\\u0001\\u001b[2J\\u007f\\u0085\\u202e\\u2066番号\"}"
        );
        // and it is still the same JSON
        let back: serde_json::Value = serde_json::from_str(&super::json(&v)).unwrap();
        assert_eq!(back, v);
    }
}
