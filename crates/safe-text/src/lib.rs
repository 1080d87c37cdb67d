//! Characters that must never reach a terminal raw: what holder data may not contain, and how
//! text from a certificate or a card is escaped before it is printed.
//!
//! A name or address is printed by every client that shows a certificate. A control character
//! in it (ESC, BEL, CR, LF…) can move the cursor, retitle the terminal or forge a line of a
//! verification report; a bidirectional override can make `…ABC` read as `…CBA`. Issuance
//! refuses them (`cert::Holder::validate`), the card refuses them in its 4 facts, and a
//! certificate from elsewhere may carry anything, so printers pass all such text through
//! [`escape`].
//!
//! A leaf crate so that the card (`card-sim`), the certificate profile (`cert`, which
//! re-exports it as `cert::text`) and the CLIs share one definition without the card
//! depending on the certificate profile.

#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not appear in holder text nor reach a terminal raw: the C0 controls
/// (U+0000–001F, including TAB, CR and LF), DEL (U+007F), the C1 controls (U+0080–009F), the
/// line and paragraph separators (U+2028, U+2029), and the bidirectional formatting
/// characters — marks (U+061C, U+200E, U+200F), embeddings and overrides (U+202A–202E) and
/// isolates (U+2066–2069).
#[must_use]
pub fn is_unsafe_char(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{61C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// `s` with every [unsafe character](is_unsafe_char) written as a Rust-style escape
/// (`\u{1b}`, `\u{a}`, `\u{202e}`); everything else, Japanese text included, unchanged.
/// Borrows when there is nothing to escape.
///
/// ```
/// assert_eq!(safe_text::escape("山田\u{1b}[2J"), "山田\\u{1b}[2J");
/// assert_eq!(safe_text::escape("番号\u{3000}花子"), "番号\u{3000}花子");
/// ```
#[must_use]
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped_and_nothing_else() {
        assert_eq!(escape("a\u{1b}[31mb\u{7}"), "a\\u{1b}[31mb\\u{7}");
        assert_eq!(escape("x\r\ny\t"), "x\\u{d}\\u{a}y\\u{9}");
        assert_eq!(escape("\u{7f}\u{85}\u{9f}"), "\\u{7f}\\u{85}\\u{9f}");
        assert_eq!(
            escape("\u{202a}\u{202e}\u{2066}\u{2069}\u{200f}\u{2028}"),
            "\\u{202a}\\u{202e}\\u{2066}\\u{2069}\\u{200f}\\u{2028}"
        );
        for plain in [
            "",
            "渡なべ\u{3000}花子",
            "東京都千代田区霞が関二丁目１番２号",
            "a\\b ~",
        ] {
            assert!(matches!(escape(plain), Cow::Borrowed(_)), "{plain}");
        }
        // the neighbours of each range stay
        for c in [
            '\u{20}', '\u{7e}', '\u{a0}', '\u{202f}', '\u{2065}', '\u{206a}',
        ] {
            assert!(!is_unsafe_char(c), "{c:?}");
        }
    }
}
