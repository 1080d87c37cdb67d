//! Conventions shared by the two command-line tools, `jpki-sim` and `jpki-tool`: one table of exit codes, one way to print an
//! error on one line, one way to print text that came from a card or a certificate.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the operation failed: file, card, authority or other error |
//! | 2 | usage error: unknown option, missing argument (clap's own code) |
//! | 3 | wrong PIN, or PIN blocked |
//! | 4 | not verified: a signature, certificate or login refused |
//! | 5 | no PC/SC service, reader or card |
//! | 6 | invalid input: a bad argument value, holder data, date, or a PIN breaking its format rule |

use std::borrow::Cow;
use std::error::Error as StdError;

/// Exit codes of `jpki-sim` and `jpki-tool` (see the [module](self) table).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The operation failed: file, card, authority or other error.
    pub const ERROR: u8 = 1;
    /// Usage error (clap's own code): unknown option, missing argument.
    pub const USAGE: u8 = 2;
    /// Wrong PIN, or PIN blocked.
    pub const WRONG_PIN: u8 = 3;
    /// A signature, certificate or login that does not verify.
    pub const NOT_VERIFIED: u8 = 4;
    /// No PC/SC service, reader or card.
    pub const NO_CARD: u8 = 5;
    /// Invalid input: a bad argument value, holder data, date, or a PIN breaking its format
    /// rule.
    pub const INVALID_INPUT: u8 = 6;
}

/// The exit-code table, for both binaries' `--help` (clap `after_help`).
pub const EXIT_CODES: &str = "\
Exit codes (the same for jpki-tool and jpki-sim):
  0  success
  1  the operation failed (file, card, authority or other error)
  2  usage error (unknown option, missing argument)
  3  wrong PIN, or PIN blocked
  4  not verified (a signature, certificate or login refused)
  5  no PC/SC service, reader or card
  6  invalid input (a bad argument value, holder data, date, or a PIN breaking its format rule)
141  standard output closed by its reader (`| head`), as SIGPIPE ends other tools";

/// Bad input from the user: the binaries exit with [`exit::INVALID_INPUT`].
#[derive(Debug)]
pub struct InvalidInput(pub String);

impl std::fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for InvalidInput {}

/// Text from a card, a certificate, a CMS signature or a file name, made safe to print:
/// control characters and bidirectional overrides escaped (see [`cert::text::escape`]).
#[must_use]
pub fn printable(s: &str) -> Cow<'_, str> {
    cert::text::escape(s)
}

/// An error and its causes on one line, `outer: cause: cause`: a cause whose text an earlier
/// part already shows (a wrapper that prints its source, `{path}: {source}`) is left out, and
/// control characters (from a file name, say) are escaped so the line stays one line.
#[must_use]
pub fn one_line<'a>(chain: impl IntoIterator<Item = &'a (dyn StdError + 'static)>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in chain {
        let text = cause.to_string();
        if text.is_empty() || parts.iter().any(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    printable(&parts.join(": ")).into_owned()
}

/// Whether an error of the libraries under both binaries is the user's input being wrong
/// (exit code [`exit::INVALID_INPUT`]) rather than an operation failing: [`InvalidInput`],
/// holder data, a My Number, 4 facts, a PIN breaking its rule, an issuance request that
/// breaks a rule.
#[must_use]
pub fn is_invalid_input(cause: &(dyn StdError + 'static)) -> bool {
    if cause.downcast_ref::<InvalidInput>().is_some() {
        return true;
    }
    #[cfg(feature = "card-sim")]
    if let Some(e) = cause.downcast_ref::<card_sim::Error>() {
        return matches!(
            e,
            card_sim::Error::Pin(_)
                | card_sim::Error::WrongPinKind { .. }
                | card_sim::Error::NotOnProfile { .. }
                | card_sim::Error::InvalidMyNumber { .. }
                | card_sim::Error::InvalidFacts { .. }
        );
    }
    if let Some(e) = cause.downcast_ref::<cert::Error>() {
        return matches!(e, cert::Error::BadHolder { .. });
    }
    if let Some(e) = cause.downcast_ref::<crate::pins::PinInputError>() {
        return !matches!(e, crate::pins::PinInputError::Stdin { .. });
    }
    cause.downcast_ref::<pin_policy::Error>().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(std::io::Error);
    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "/tmp/x: {}", self.0)
        }
    }
    impl StdError for Wrapper {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn one_line_says_each_cause_once_and_escapes_controls() {
        let io = std::io::Error::other("Is a directory (os error 21)");
        let outer = Wrapper(io);
        let mut chain: Vec<&(dyn StdError + 'static)> = vec![&outer];
        chain.extend(outer.source());
        assert_eq!(one_line(chain), "/tmp/x: Is a directory (os error 21)");

        let evil = InvalidInput("bad\u{1b}[2J\nline".into());
        let line = one_line([&evil as &(dyn StdError + 'static)]);
        assert_eq!(line, "bad\\u{1b}[2J\\u{a}line");
        assert!(is_invalid_input(&evil));
        assert!(!is_invalid_input(&outer));
    }

    #[test]
    fn the_help_table_lists_every_code_once() {
        for code in [
            exit::OK,
            exit::ERROR,
            exit::USAGE,
            exit::WRONG_PIN,
            exit::NOT_VERIFIED,
            exit::NO_CARD,
            exit::INVALID_INPUT,
        ] {
            let row = format!("\n  {code}  ");
            assert_eq!(EXIT_CODES.matches(&row).count(), 1, "{code}");
        }
    }
}
