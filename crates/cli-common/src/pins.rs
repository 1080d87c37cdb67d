//! PINs come from a no-echo prompt on the terminal, or — for scripts — one per line on
//! standard input (`--pin-stdin`). Never from the command line: argv is visible to every user
//! of the machine.

use std::io::{BufRead, Read};

use pin_policy::{Pin, PinKind};
use zeroize::Zeroizing;

/// The longest line read as a PIN from standard input (the longest PIN is 16 characters; the
/// rest is room for a clumsy line ending): a longer line, or `/dev/zero`, is refused without
/// reading further.
pub const MAX_PIN_LINE: u64 = 256;

/// Where PINs are read from.
#[derive(Debug)]
pub enum PinInput {
    /// A no-echo prompt on the controlling terminal.
    Prompt,
    /// One PIN per line on standard input, in the order the command asks for them.
    Stdin,
    /// PINs given in advance (for the demo and tests), consumed in order.
    Scripted(Vec<Zeroizing<String>>),
}

/// Why a PIN could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PinInputError {
    /// No terminal to prompt on.
    #[error("cannot prompt for the {what}: no terminal ({source}); pipe it in with --pin-stdin")]
    NoTerminal {
        /// What was asked for.
        what: String,
        /// The terminal error.
        source: std::io::Error,
    },
    /// Standard input ended.
    #[error("standard input ended before the {what} was given (one PIN per line)")]
    StdinEnded {
        /// What was asked for.
        what: String,
    },
    /// The line is longer than any PIN ([`MAX_PIN_LINE`] bytes without a newline).
    #[error(
        "the {what} line on standard input is longer than {} bytes: not a PIN (one PIN per line)",
        MAX_PIN_LINE
    )]
    LineTooLong {
        /// What was asked for.
        what: String,
    },
    /// The PIN breaks its kind's format rule.
    #[error("{what}: {source}")]
    Format {
        /// What was asked for.
        what: String,
        /// The broken rule.
        source: pin_policy::Error,
    },
    /// Reading standard input failed.
    #[error("reading the {what} from standard input: {source}")]
    Stdin {
        /// What was asked for.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl PinInput {
    /// Standard input with the binaries' `--pin-stdin` flag, else the no-echo prompt.
    #[must_use]
    pub fn from_stdin_flag(pin_stdin: bool) -> Self {
        if pin_stdin { Self::Stdin } else { Self::Prompt }
    }

    /// Reads one PIN, described by `what` ("signature PIN", "new authentication PIN").
    ///
    /// # Errors
    /// See [`PinInputError`].
    pub fn read(&mut self, what: &str) -> Result<Zeroizing<String>, PinInputError> {
        match self {
            Self::Prompt => rpassword::prompt_password(format!("{what}: "))
                .map(Zeroizing::new)
                .map_err(|source| PinInputError::NoTerminal {
                    what: what.into(),
                    source,
                }),
            Self::Stdin => {
                // room for the longest accepted line: no reallocation leaves a copy of the PIN behind
                let mut line = Zeroizing::new(String::with_capacity(
                    usize::try_from(MAX_PIN_LINE).unwrap_or(256),
                ));
                let n = std::io::stdin()
                    .lock()
                    .take(MAX_PIN_LINE)
                    .read_line(&mut line)
                    .map_err(|source| PinInputError::Stdin {
                        what: what.into(),
                        source,
                    })?;
                if n == 0 {
                    return Err(PinInputError::StdinEnded { what: what.into() });
                }
                if !line.ends_with('\n') && u64::try_from(n).unwrap_or(u64::MAX) >= MAX_PIN_LINE {
                    return Err(PinInputError::LineTooLong { what: what.into() });
                }
                let trimmed = line.trim_end_matches(['\r', '\n']).len();
                line.truncate(trimmed);
                Ok(line)
            }
            Self::Scripted(queue) => {
                if queue.is_empty() {
                    Err(PinInputError::StdinEnded { what: what.into() })
                } else {
                    Ok(queue.remove(0))
                }
            }
        }
    }

    /// Reads one PIN of `kind` and checks its format rule.
    ///
    /// # Errors
    /// See [`PinInputError`]; [`PinInputError::Format`] for a PIN that breaks its rule.
    pub fn read_pin(&mut self, kind: PinKind, what: &str) -> Result<Pin, PinInputError> {
        let text = self.read(what)?;
        Pin::new(kind, text.as_bytes()).map_err(|source| PinInputError::Format {
            what: what.into(),
            source,
        })
    }
}
