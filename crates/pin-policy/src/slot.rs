//! A PIN together with its retry counter: what a card stores for each PIN EF.

use crate::{
    error::{Blocked, Error},
    kind::PinKind,
    pin::Pin,
    retry::{Attempt, Outcome, RetryCounter},
};

/// One PIN of a card with its retry counter.
///
/// ```
/// # use pin_policy::{Pin, PinKind, PinSlot};
/// let mut slot = PinSlot::new(Pin::new(PinKind::Authentication, b"1234")?, 3)?;
/// let attempt = slot.begin_attempt()?; // counted: 2 tries left from here on
/// assert_eq!(slot.counter().tries_left(), 2);
/// // ... persist, then:
/// let _ = slot.check(attempt, b"1234");
/// assert_eq!(slot.counter().tries_left(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PinSlot {
    pin: Pin,
    counter: RetryCounter,
}

impl PinSlot {
    /// Issues a PIN with a retry limit (`1..=15`).
    ///
    /// # Errors
    /// [`Error::InvalidRetryLimit`].
    pub fn new(pin: Pin, retry_limit: u8) -> Result<Self, Error> {
        Ok(PinSlot {
            pin,
            counter: RetryCounter::new(retry_limit)?,
        })
    }

    /// Issues a PIN with the real card's default limit for its kind.
    #[must_use]
    pub fn with_default_limit(pin: Pin) -> Self {
        let counter = RetryCounter::for_kind(pin.kind());
        PinSlot { pin, counter }
    }

    /// Rebuilds a slot from stored parts.
    #[must_use]
    pub fn restore(pin: Pin, counter: RetryCounter) -> Self {
        PinSlot { pin, counter }
    }

    /// The PIN's kind.
    #[must_use]
    pub fn kind(&self) -> PinKind {
        self.pin.kind()
    }

    /// The stored PIN (for persistence).
    #[must_use]
    pub fn pin(&self) -> &Pin {
        &self.pin
    }

    /// The retry counter.
    #[must_use]
    pub fn counter(&self) -> RetryCounter {
        self.counter
    }

    /// Counts one try (see [`RetryCounter::begin_attempt`]). Persist the slot, then
    /// [`check`](Self::check).
    ///
    /// # Errors
    /// [`Blocked`].
    pub fn begin_attempt(&mut self) -> Result<Attempt, Blocked> {
        self.counter.begin_attempt()
    }

    /// Compares `offered` with the stored PIN in constant time, consuming the counted try;
    /// resets the counter on success.
    pub fn check(&mut self, attempt: Attempt, offered: &[u8]) -> Outcome {
        attempt.check(&mut self.counter, &self.pin, offered)
    }

    /// Replaces the PIN (CHANGE REFERENCE DATA, after the caller verified the old one).
    /// The counter is left as it is.
    ///
    /// # Errors
    /// [`Error::KindMismatch`] when `new` is of another kind; nothing is changed.
    pub fn change_pin(&mut self, new: Pin) -> Result<(), Error> {
        self.ensure_kind(&new)?;
        self.pin = new;
        Ok(())
    }

    /// Administrative unlock: the counter back to its limit and, optionally, a new PIN.
    /// Call only after authenticating the municipality.
    ///
    /// # Errors
    /// [`Error::KindMismatch`] when `new` is of another kind; nothing is changed.
    pub fn admin_unlock(&mut self, new: Option<Pin>) -> Result<(), Error> {
        if let Some(new) = new {
            self.ensure_kind(&new)?;
            self.pin = new;
        }
        self.counter.admin_unlock();
        Ok(())
    }

    fn ensure_kind(&self, new: &Pin) -> Result<(), Error> {
        if new.kind() == self.kind() {
            Ok(())
        } else {
            Err(Error::KindMismatch {
                expected: self.kind(),
                found: new.kind(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_unlock_with_new_pin_replaces_it() {
        let mut slot = PinSlot::new(Pin::new(PinKind::Signature, b"ABC123").unwrap(), 3).unwrap();
        for _ in 0..3 {
            let a = slot.begin_attempt().unwrap();
            let _ = slot.check(a, b"XXX999");
        }
        assert!(slot.begin_attempt().is_err());
        slot.admin_unlock(Some(Pin::new(PinKind::Signature, b"NEW999").unwrap()))
            .unwrap();
        assert_eq!(slot.counter().tries_left(), 3);
        let a = slot.begin_attempt().unwrap();
        assert_eq!(slot.check(a, b"ABC123"), Outcome::Wrong { tries_left: 2 });
        let a = slot.begin_attempt().unwrap();
        assert_eq!(slot.check(a, b"NEW999"), Outcome::Verified);
    }

    #[test]
    fn pins_of_another_kind_are_refused() {
        let mut slot =
            PinSlot::with_default_limit(Pin::new(PinKind::Authentication, b"1234").unwrap());
        assert_eq!(slot.counter().limit(), 3);
        let other = Pin::new(PinKind::TextSupport, b"5678").unwrap();
        assert_eq!(
            slot.change_pin(other.clone()),
            Err(Error::KindMismatch {
                expected: PinKind::Authentication,
                found: PinKind::TextSupport
            })
        );
        assert!(slot.admin_unlock(Some(other)).is_err());
        let a = slot.begin_attempt().unwrap();
        assert_eq!(slot.check(a, b"1234"), Outcome::Verified);
    }
}
