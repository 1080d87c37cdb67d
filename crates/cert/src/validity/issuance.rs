//! The rules of spec §1 that bound a card at issuance: the holder's age on the issuing date,
//! the latest card expiry, the signature certificate's minimum age, the end of a foreign
//! resident's period of stay and the end of Juki card issuance.
//!
//! Choice (age): a holder is a year older from each birthday on ([`super::anniversary`], so a
//! 29 February birthday falls on 28 February in common years, as for the certificates). The
//! Act on Calculation of Age (年齢計算ニ関スル法律) completes the year at the end of the day
//! before the birthday; for a rule stated in whole dates both readings give the same age.

use time::{Date, Month};

use super::anniversary;
use crate::Error;

/// Holders younger than this on the issuing date get no signature certificate (spec §1).
pub const SIGNATURE_MIN_AGE: u32 = 15;

/// Holders younger than this on the issuing date get a card that expires on the 5th birthday
/// after issue instead of the 10th (spec §1).
pub const ADULT_CARD_AGE: u32 = 18;

/// The first day no Juki card (住基カード) is issued: new issuance ended December 2015, when the
/// My Number card replaced it.
pub const JUKI_ISSUANCE_ENDED: Date = match Date::from_calendar_date(2016, Month::January, 1) {
    Ok(d) => d,
    Err(_) => Date::MIN,
};

/// The holder's age in whole years on `on` (both JST dates).
///
/// # Errors
/// [`Error::BadValidity`] when `birth` is after `on`, or a date at the calendar's edge.
pub fn age_on(birth: Date, on: Date) -> Result<u32, Error> {
    if birth > on {
        return Err(Error::BadValidity {
            reason: "birth date is after the issue date",
        });
    }
    let mut years = on.year() - birth.year();
    if anniversary(birth, on.year())? > on {
        years -= 1;
    }
    u32::try_from(years).map_err(|_| Error::BadValidity {
        reason: "birth date is after the issue date",
    })
}

/// The latest expiry date of a My Number card issued on `issued` to a holder born on
/// `birth`: the 10th birthday after issue, the 5th for a holder under 18 on the issuing date
/// (spec §1).
///
/// # Errors
/// [`Error::BadValidity`] when `birth` is after `issued`, or a date at the calendar's edge.
pub fn latest_card_expiry(issued: Date, birth: Date) -> Result<Date, Error> {
    let fifth = super::fifth_birthday_after(issued, birth)?;
    if age_on(birth, issued)? < ADULT_CARD_AGE {
        return Ok(fifth);
    }
    anniversary(birth, fifth.year() + 5)
}

/// Whether a holder born on `birth` may get a signature certificate on `issued` (15 or older).
///
/// # Errors
/// As [`age_on`].
pub fn may_have_signature(birth: Date, issued: Date) -> Result<bool, Error> {
    Ok(age_on(birth, issued)? >= SIGNATURE_MIN_AGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn age_counts_birthdays_with_the_29_february_rule() {
        let born = date!(2010 - 06 - 15);
        assert_eq!(age_on(born, date!(2025 - 06 - 14)).unwrap(), 14);
        assert_eq!(age_on(born, date!(2025 - 06 - 15)).unwrap(), 15);
        assert_eq!(age_on(born, born).unwrap(), 0);
        let leap = date!(2008 - 02 - 29);
        // common year: the birthday is 28 February
        assert_eq!(age_on(leap, date!(2023 - 02 - 27)).unwrap(), 14);
        assert_eq!(age_on(leap, date!(2023 - 02 - 28)).unwrap(), 15);
        assert_eq!(age_on(leap, date!(2024 - 02 - 28)).unwrap(), 15);
        assert_eq!(age_on(leap, date!(2024 - 02 - 29)).unwrap(), 16);
        assert!(age_on(date!(2030 - 01 - 01), date!(2029 - 12 - 31)).is_err());
    }

    #[test]
    fn under_18_cards_end_on_the_5th_birthday_adults_on_the_10th() {
        // 17 on the issuing date: 5th birthday after issue
        assert_eq!(
            latest_card_expiry(date!(2026 - 04 - 01), date!(2008 - 06 - 15)).unwrap(),
            date!(2030 - 06 - 15)
        );
        // 18 that very day: 10th
        assert_eq!(
            latest_card_expiry(date!(2026 - 06 - 15), date!(2008 - 06 - 15)).unwrap(),
            date!(2036 - 06 - 15)
        );
        // the birthday later in the issuing year is the first of the ten
        assert_eq!(
            latest_card_expiry(date!(2026 - 04 - 01), date!(1985 - 08 - 20)).unwrap(),
            date!(2035 - 08 - 20)
        );
    }

    #[test]
    fn signature_from_the_15th_birthday() {
        let born = date!(2011 - 12 - 07);
        assert!(!may_have_signature(born, date!(2026 - 12 - 06)).unwrap());
        assert!(may_have_signature(born, date!(2026 - 12 - 07)).unwrap());
    }
}
