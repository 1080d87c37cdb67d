//! `Debug` of the keys' contents: certificates by size, the private key not at all.

use core::fmt;

use super::{KeyContents, KeySlot};

/// Certificates by size, the private key not at all: a `Debug` dump is read by people and
/// lands in logs.
impl fmt::Debug for KeyContents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyContents")
            .field(
                "certificate",
                &format_args!("<{} bytes>", self.certificate.len()),
            )
            .field(
                "ca_certificate",
                &format_args!("<{} bytes>", self.ca_certificate.len()),
            )
            .field("private_key", &format_args!("<redacted>"))
            .field("pin", &self.pin)
            .field("retry_limit", &self.retry_limit)
            .finish()
    }
}

impl fmt::Debug for KeySlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySlot")
            .field(
                "certificate",
                &format_args!("<{} bytes>", self.certificate.len()),
            )
            .field(
                "ca_certificate",
                &format_args!("<{} bytes>", self.ca_certificate.len()),
            )
            .field("private_key", &self.private_key)
            .field("pin", &self.pin)
            .finish()
    }
}
