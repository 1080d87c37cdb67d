//! Where PINs come from: a no-echo prompt, or standard input with `--pin-stdin`; never argv.

use std::io::BufRead;

use anyhow::Context as _;
use pin_policy::{Pin, PinKind};
use zeroize::Zeroizing;

use crate::invalid;

/// Where PINs come from.
pub(crate) enum PinSource {
    Prompt,
    Stdin,
}

impl PinSource {
    pub(crate) fn new(stdin: bool) -> Self {
        if stdin { Self::Stdin } else { Self::Prompt }
    }

    /// Reads one PIN and checks its format rule.
    pub(crate) fn read(&self, kind: PinKind, what: &str) -> anyhow::Result<Pin> {
        let text: Zeroizing<String> = match self {
            Self::Prompt => Zeroizing::new(
                rpassword::prompt_password(format!("{what}: ")).map_err(|e| {
                    invalid(format!(
                        "cannot prompt for the {what} ({e}); pipe the PINs in with --pin-stdin"
                    ))
                })?,
            ),
            Self::Stdin => {
                let mut line = Zeroizing::new(String::new());
                let n = std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .with_context(|| format!("reading the {what} from standard input"))?;
                if n == 0 {
                    return Err(invalid(format!(
                        "standard input ended before the {what} (one PIN per line)"
                    )));
                }
                let len = line.trim_end_matches(['\r', '\n']).len();
                line.truncate(len);
                line
            }
        };
        Pin::new(kind, text.as_bytes()).map_err(|e| invalid(format!("{what}: {e}")))
    }
}
