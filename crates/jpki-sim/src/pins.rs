//! Where PINs come from: a no-echo prompt, or standard input with `--pin-stdin` (one bounded
//! line per PIN); never argv. The reading itself is `cli_common::pins`, shared with jpki-tool.

use cli_common::pins::PinInput;
use pin_policy::{Pin, PinKind};

/// Where PINs come from.
pub(crate) struct PinSource(std::cell::RefCell<PinInput>);

impl PinSource {
    pub(crate) fn new(stdin: bool) -> Self {
        Self(std::cell::RefCell::new(if stdin {
            PinInput::Stdin
        } else {
            PinInput::Prompt
        }))
    }

    /// Reads one PIN and checks its format rule.
    pub(crate) fn read(&self, kind: PinKind, what: &str) -> anyhow::Result<Pin> {
        Ok(self.0.borrow_mut().read_pin(kind, what)?)
    }
}
