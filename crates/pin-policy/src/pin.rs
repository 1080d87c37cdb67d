//! A format-checked PIN held in a zeroizing buffer.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::{error::Error, kind::PinKind};

/// The longest PIN any kind allows (signature and Juki PINs: 16 characters).
pub const MAX_PIN_LEN: usize = 16;

/// A PIN that satisfies its kind's format rule.
///
/// The bytes live in a [`Zeroizing`] buffer (wiped on drop) and `Debug` prints `<redacted>`.
/// There is deliberately no equality or comparison method: the only way to compare a PIN is
/// [`Attempt::check`](crate::Attempt::check), which exists only after a try was counted.
#[derive(Clone)]
pub struct Pin {
    kind: PinKind,
    bytes: Zeroizing<Vec<u8>>,
}

impl Pin {
    /// Copies `bytes` into a new PIN after checking `kind`'s format rule.
    ///
    /// # Errors
    /// The broken rule, see [`PinKind::validate`].
    pub fn new(kind: PinKind, bytes: &[u8]) -> Result<Self, Error> {
        kind.validate(bytes)?;
        Ok(Pin {
            kind,
            bytes: Zeroizing::new(bytes.to_vec()),
        })
    }

    /// Takes ownership of a zeroizing buffer (no unprotected copy is made).
    ///
    /// # Errors
    /// The broken rule, see [`PinKind::validate`]; the buffer is wiped in that case too.
    pub fn from_zeroizing(kind: PinKind, bytes: Zeroizing<Vec<u8>>) -> Result<Self, Error> {
        kind.validate(&bytes)?;
        Ok(Pin { kind, bytes })
    }

    /// Which PIN this is.
    #[must_use]
    pub fn kind(&self) -> PinKind {
        self.kind
    }

    /// The PIN's ASCII bytes, for writing the card's state file. Do not compare them yourself:
    /// use [`Attempt::check`](crate::Attempt::check).
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        &self.bytes
    }

    /// Constant-time match of `offered` against this PIN. The time taken depends only on
    /// `MAX_PIN_LEN`, never on the stored PIN's content or length.
    pub(crate) fn ct_matches(&self, offered: &[u8]) -> Choice {
        let mut stored_buf = Zeroizing::new([0u8; MAX_PIN_LEN]);
        let mut offered_buf = Zeroizing::new([0u8; MAX_PIN_LEN]);
        copy_prefix(stored_buf.as_mut_slice(), &self.bytes);
        copy_prefix(offered_buf.as_mut_slice(), offered);
        let same_len = (self.bytes.len() as u64).ct_eq(&(offered.len() as u64));
        stored_buf.as_slice().ct_eq(offered_buf.as_slice()) & same_len
    }
}

/// Copies as much of `src` as fits into `dst`.
fn copy_prefix(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pin")
            .field("kind", &self.kind)
            .field("bytes", &format_args!("<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let pin = Pin::new(PinKind::Signature, b"SECRET123").unwrap();
        let dbg = format!("{pin:?}");
        assert!(dbg.contains("<redacted>"), "{dbg}");
        assert!(!dbg.contains("SECRET123"), "{dbg}");
    }

    #[test]
    fn ct_matches_needs_same_length_and_content() {
        let pin = Pin::new(PinKind::JukiSignature, b"ABCD").unwrap();
        assert!(bool::from(pin.ct_matches(b"ABCD")));
        assert!(!bool::from(pin.ct_matches(b"ABCE")));
        assert!(!bool::from(pin.ct_matches(b"ABC")));
        assert!(!bool::from(pin.ct_matches(b"ABCD\0")));
        assert!(!bool::from(pin.ct_matches(b"")));
        assert!(!bool::from(pin.ct_matches(&[b'A'; 40])));
    }

    #[test]
    fn invalid_pin_is_rejected() {
        assert!(Pin::new(PinKind::Authentication, b"12345").is_err());
        assert!(
            Pin::from_zeroizing(PinKind::Authentication, Zeroizing::new(b"12".to_vec())).is_err()
        );
    }
}
