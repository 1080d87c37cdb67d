//! Any bytes into the command decoder: it must answer Ok or a typed error, never panic, and
//! whatever it accepts must encode back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = apdu::Command::decode(data) {
        assert_eq!(cmd.encode().ok().as_deref(), Some(data), "decode/encode disagree");
    }
});
