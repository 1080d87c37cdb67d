//! Retry accounting: a counter that is decremented before a PIN can be compared.

use crate::{
    error::{Blocked, Error},
    kind::{MAX_RETRY_LIMIT, PinKind},
    pin::Pin,
};

/// A PIN's retry counter: the limit set at issuance and the tries left.
///
/// Invariant: `0 <= tries_left <= limit`, `1 <= limit <= 15`. Tries left only go down through
/// [`begin_attempt`](Self::begin_attempt) and only go up (back to the limit) through a correct
/// PIN ([`Attempt::check`]) or [`admin_unlock`](Self::admin_unlock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryCounter {
    limit: u8,
    remaining: u8,
}

impl RetryCounter {
    /// A fresh counter with `limit` tries.
    ///
    /// # Errors
    /// [`Error::InvalidRetryLimit`] unless `1 <= limit <= 15`.
    pub fn new(limit: u8) -> Result<Self, Error> {
        if limit == 0 || limit > MAX_RETRY_LIMIT {
            return Err(Error::InvalidRetryLimit { limit });
        }
        Ok(RetryCounter {
            limit,
            remaining: limit,
        })
    }

    /// A fresh counter with the real card's default limit for `kind`.
    #[must_use]
    pub fn for_kind(kind: PinKind) -> Self {
        let limit = kind.default_retry_limit();
        RetryCounter {
            limit,
            remaining: limit,
        }
    }

    /// Rebuilds a counter from stored values (a card file).
    ///
    /// # Errors
    /// [`Error::InvalidRetryLimit`] or [`Error::InconsistentCounter`] (more tries left than the
    /// limit): a corrupt store must not be able to raise the tries left.
    pub fn restore(limit: u8, tries_left: u8) -> Result<Self, Error> {
        let mut counter = RetryCounter::new(limit)?;
        if tries_left > limit {
            return Err(Error::InconsistentCounter {
                limit,
                remaining: tries_left,
            });
        }
        counter.remaining = tries_left;
        Ok(counter)
    }

    /// The limit set at issuance.
    #[must_use]
    pub fn limit(&self) -> u8 {
        self.limit
    }

    /// Tries left before the PIN blocks (what `63 Cx` reports).
    #[must_use]
    pub fn tries_left(&self) -> u8 {
        self.remaining
    }

    /// No tries left: every VERIFY with data is refused.
    #[must_use]
    pub fn is_blocked(&self) -> bool {
        self.remaining == 0
    }

    /// Counts one try: decrements the counter **now** and returns the token that allows the
    /// comparison. Persist the counter durably, then call [`Attempt::check`].
    ///
    /// # Errors
    /// [`Blocked`] when no tries are left; the counter is unchanged.
    pub fn begin_attempt(&mut self) -> Result<Attempt, Blocked> {
        if self.remaining == 0 {
            return Err(Blocked);
        }
        self.remaining -= 1;
        Ok(Attempt {
            limit: self.limit,
            tries_left_if_wrong: self.remaining,
        })
    }

    /// Administrative unlock (the city hall): tries left back to the limit.
    /// Call only after authenticating the municipality.
    pub fn admin_unlock(&mut self) {
        self.remaining = self.limit;
    }

    fn reset(&mut self) {
        self.remaining = self.limit;
    }
}

/// A counted try, issued by [`RetryCounter::begin_attempt`] after the decrement.
///
/// Not `Clone`: one counted try allows exactly one comparison.
#[derive(Debug)]
#[must_use = "an attempt is the only way to compare a PIN; the try is already counted"]
pub struct Attempt {
    limit: u8,
    tries_left_if_wrong: u8,
}

impl Attempt {
    /// Tries left should the PIN be wrong (already the counter's value).
    #[must_use]
    pub fn tries_left_if_wrong(&self) -> u8 {
        self.tries_left_if_wrong
    }

    /// Compares `offered` with `stored` in constant time. On a match `counter` (the one that
    /// issued this attempt) is reset to its limit; persist it again.
    ///
    /// The attempt is bound to the counter state it created: given a counter in any other
    /// state (another counter, or one changed since), nothing is compared and the answer is
    /// [`Outcome::Wrong`] with that counter's tries left.
    pub fn check(self, counter: &mut RetryCounter, stored: &Pin, offered: &[u8]) -> Outcome {
        if (counter.limit, counter.remaining) != (self.limit, self.tries_left_if_wrong) {
            return Outcome::Wrong {
                tries_left: counter.remaining,
            };
        }
        if bool::from(stored.ct_matches(offered)) {
            counter.reset();
            Outcome::Verified
        } else {
            Outcome::Wrong {
                tries_left: self.tries_left_if_wrong,
            }
        }
    }
}

/// The result of one counted try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    /// The PIN matched; the counter is back at its limit.
    Verified,
    /// The PIN did not match; `tries_left` is 0 when this try exhausted the counter.
    Wrong {
        /// Tries left (`63 Cx`).
        tries_left: u8,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin() -> Pin {
        Pin::new(PinKind::Authentication, b"1234").unwrap()
    }

    #[test]
    fn wrong_pins_count_down_to_blocked() {
        let stored = pin();
        let mut counter = RetryCounter::new(3).unwrap();
        for expected in [2, 1, 0] {
            let attempt = counter.begin_attempt().unwrap();
            assert_eq!(
                counter.tries_left(),
                expected,
                "decremented before the check"
            );
            assert_eq!(
                attempt.check(&mut counter, &stored, b"0000"),
                Outcome::Wrong {
                    tries_left: expected
                }
            );
        }
        assert!(counter.is_blocked());
        assert_eq!(counter.begin_attempt().unwrap_err(), Blocked);
        assert_eq!(counter.tries_left(), 0);
    }

    #[test]
    fn correct_pin_resets_even_on_the_last_try() {
        let stored = pin();
        let mut counter = RetryCounter::restore(3, 1).unwrap();
        let attempt = counter.begin_attempt().unwrap();
        assert_eq!(counter.tries_left(), 0);
        assert_eq!(
            attempt.check(&mut counter, &stored, b"1234"),
            Outcome::Verified
        );
        assert_eq!(counter.tries_left(), 3);
    }

    #[test]
    fn limits_are_bounded_by_the_status_word() {
        assert_eq!(
            RetryCounter::new(0),
            Err(Error::InvalidRetryLimit { limit: 0 })
        );
        assert_eq!(
            RetryCounter::new(16),
            Err(Error::InvalidRetryLimit { limit: 16 })
        );
        assert_eq!(RetryCounter::new(15).unwrap().tries_left(), 15);
        assert_eq!(
            RetryCounter::restore(3, 4),
            Err(Error::InconsistentCounter {
                limit: 3,
                remaining: 4
            })
        );
    }

    #[test]
    fn an_attempt_only_works_on_the_counter_state_it_created() {
        let stored = pin();
        let mut a = RetryCounter::new(3).unwrap();
        let mut b = RetryCounter::new(5).unwrap();
        let attempt = a.begin_attempt().unwrap();
        // another counter: no comparison, no reset
        assert_eq!(
            attempt.check(&mut b, &stored, b"1234"),
            Outcome::Wrong { tries_left: 5 }
        );
        // the same counter, changed since the attempt began
        let attempt = a.begin_attempt().unwrap();
        a.admin_unlock();
        assert_eq!(
            attempt.check(&mut a, &stored, b"1234"),
            Outcome::Wrong { tries_left: 3 }
        );
        let attempt = a.begin_attempt().unwrap();
        assert_eq!(attempt.check(&mut a, &stored, b"1234"), Outcome::Verified);
    }

    #[test]
    fn admin_unlock_restores_the_limit() {
        let mut counter = RetryCounter::restore(5, 0).unwrap();
        counter.admin_unlock();
        assert_eq!(counter.tries_left(), 5);
        assert!(!counter.is_blocked());
    }
}
