//! Validity rules of spec §1.
//!
//! * Juki card signature certificate: three years from issuance.
//! * My Number authentication certificate: the earliest of the holder's 5th birthday after
//!   issuance and the card's expiry.
//! * My Number signature certificate: the same, and never after the authentication certificate.
//! * CA certificate: to the day before the anniversary of its issue date ([`ca_not_after`]).
//! * Next-generation card (P-384): [`ng_auth_not_after`], [`ng_sign_not_after`],
//!   [`ng_ca_not_after`] (10 / 5 years, CA 20 years; `next_gen`).
//!
//! `notAfter` is always 23:59:59 JST (14:59:59 UTC) of the final day, as on real certificates.
//!
//! Choice (29 February): a birthday on 29 February falls on **28 February** in common years,
//! both for the 5th birthday and for the Juki "same date three years later". This keeps the
//! certificate within the holder's age year, the conservative reading; the alternative (1 March)
//! would add a day.
//!
//! "After issuance" is strict: a birthday on the issue date itself is not counted.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::Error;

mod issuance;
mod next_gen;
mod renewal;
pub use issuance::{
    ADULT_CARD_AGE, JUKI_ISSUANCE_ENDED, SIGNATURE_MIN_AGE, age_on, latest_card_expiry,
    may_have_signature,
};
pub use next_gen::{NG_CA_YEARS, ng_auth_not_after, ng_ca_not_after, ng_sign_not_after};
pub use renewal::{renewable_on, renewal_opens};

/// Japan Standard Time (UTC+9).
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// 23:59:59 JST of `date`, as a UTC instant (`…145959Z`).
pub fn end_of_day_jst(date: Date) -> OffsetDateTime {
    PrimitiveDateTime::new(date, Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT))
        .assume_offset(JST)
        .to_offset(UtcOffset::UTC)
}

/// The date in JST of an instant.
pub fn jst_date(instant: OffsetDateTime) -> Date {
    instant.to_offset(JST).date()
}

/// The anniversary of `birth` in `year` (29 February → 28 February in common years).
pub fn anniversary(birth: Date, year: i32) -> Result<Date, Error> {
    let day = birth.day();
    Date::from_calendar_date(year, birth.month(), day)
        .or_else(|_| {
            if birth.month() == Month::February && day == 29 {
                Date::from_calendar_date(year, Month::February, 28)
            } else {
                Date::from_calendar_date(year, birth.month(), day)
            }
        })
        .map_err(|_| Error::BadValidity {
            reason: "date out of range",
        })
}

/// The holder's 5th birthday strictly after the issue date.
pub fn fifth_birthday_after(issued: Date, birth: Date) -> Result<Date, Error> {
    if birth > issued {
        return Err(Error::BadValidity {
            reason: "birth date is after the issue date",
        });
    }
    let year = issued.year();
    let first = if anniversary(birth, year)? > issued {
        year
    } else {
        year + 1
    };
    anniversary(birth, first + 4)
}

/// notAfter of a Juki card signature certificate: the same date three years after issuance.
pub fn juki_not_after(issued: Date) -> Result<OffsetDateTime, Error> {
    Ok(end_of_day_jst(anniversary(issued, issued.year() + 3)?))
}

/// notAfter of a CA certificate issued on `issued` (its JST date) for `years` years: 23:59:59 JST
/// of the day before the `years`-th anniversary (`…145959Z`). All six real J-LIS CAs follow it,
/// e.g. issued 2023-07-16 10:01 JST → notAfter 2033-07-15 23:59:59 JST (signca03 / authca03).
/// An issue date of 29 February has its anniversary on 28 February in common years (see the
/// module's choice), so such a CA ends on 27 February.
///
/// # Errors
/// [`Error::BadValidity`] if `years` is not positive or the date falls outside `time`'s range.
pub fn ca_not_after(issued: Date, years: i32) -> Result<OffsetDateTime, Error> {
    if years < 1 {
        return Err(Error::BadValidity {
            reason: "a CA must be valid for at least one year",
        });
    }
    let out_of_range = || Error::BadValidity {
        reason: "date out of range",
    };
    let year = issued.year().checked_add(years).ok_or_else(out_of_range)?;
    let last = anniversary(issued, year)?
        .previous_day()
        .ok_or_else(out_of_range)?;
    Ok(end_of_day_jst(last))
}

/// notAfter of a My Number authentication certificate: the earlier of the 5th birthday after
/// issuance and the card expiry date.
pub fn my_number_auth_not_after(
    issued: Date,
    birth: Date,
    card_expiry: Date,
) -> Result<OffsetDateTime, Error> {
    end_by(issued, fifth_birthday_after(issued, birth)?, card_expiry)
}

/// The end (23:59:59 JST) of `by_age` or of the card's expiry, whichever is earlier; the one
/// rule of both generations' end-entity certificates.
pub(crate) fn end_by(
    issued: Date,
    by_age: Date,
    card_expiry: Date,
) -> Result<OffsetDateTime, Error> {
    if card_expiry < issued {
        return Err(Error::BadValidity {
            reason: "the card expires before the issue date",
        });
    }
    Ok(end_of_day_jst(by_age.min(card_expiry)))
}

/// `own`, no later than the last day of the authentication certificate (a signature
/// certificate never outlives it), for both generations.
pub(crate) fn within_authentication(
    issued: Date,
    own: OffsetDateTime,
    auth_not_after: OffsetDateTime,
) -> Result<OffsetDateTime, Error> {
    let auth_last_day = end_of_day_jst(jst_date(auth_not_after));
    if auth_last_day < end_of_day_jst(issued) {
        return Err(Error::BadValidity {
            reason: "the authentication certificate expires before the issue date",
        });
    }
    Ok(own.min(auth_last_day))
}

/// notAfter of a My Number signature certificate: as for authentication, and no later than the
/// authentication certificate's `notAfter`.
pub fn my_number_sign_not_after(
    issued: Date,
    birth: Date,
    card_expiry: Date,
    auth_not_after: OffsetDateTime,
) -> Result<OffsetDateTime, Error> {
    let own = my_number_auth_not_after(issued, birth, card_expiry)?;
    within_authentication(issued, own, auth_not_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn not_after_is_2359_59_jst() {
        assert_eq!(
            end_of_day_jst(date!(2033 - 07 - 15)),
            datetime!(2033-07-15 14:59:59 UTC)
        );
    }

    #[test]
    fn fifth_birthday_table() {
        // (issued, birth, expected 5th birthday after issue)
        let table = [
            // birthday later in the issue year counts as the first
            (
                date!(2025 - 04 - 01),
                date!(1990 - 06 - 15),
                date!(2029 - 06 - 15),
            ),
            // birthday earlier in the year: first is next year
            (
                date!(2025 - 04 - 01),
                date!(1990 - 03 - 31),
                date!(2030 - 03 - 31),
            ),
            // issued on the birthday itself: not counted
            (
                date!(2025 - 04 - 01),
                date!(1990 - 04 - 01),
                date!(2030 - 04 - 01),
            ),
            // the day after the birthday
            (
                date!(2025 - 04 - 02),
                date!(1990 - 04 - 01),
                date!(2030 - 04 - 01),
            ),
            // the day before the birthday
            (
                date!(2025 - 03 - 31),
                date!(1990 - 04 - 01),
                date!(2029 - 04 - 01),
            ),
            // 29 February birthday, 5th falls in a common year -> 28 February
            (
                date!(2025 - 04 - 01),
                date!(2000 - 02 - 29),
                date!(2030 - 02 - 28),
            ),
            // 29 February birthday, 5th falls in a leap year -> 29 February
            (
                date!(2023 - 04 - 01),
                date!(2000 - 02 - 29),
                date!(2028 - 02 - 29),
            ),
            // issued on 28 Feb of a common year, born 29 Feb: that day counts as the birthday
            (
                date!(2025 - 02 - 28),
                date!(2000 - 02 - 29),
                date!(2030 - 02 - 28),
            ),
        ];
        for (issued, birth, expected) in table {
            assert_eq!(
                fifth_birthday_after(issued, birth).unwrap(),
                expected,
                "issued {issued} birth {birth}"
            );
        }
    }

    #[test]
    fn card_expiry_first_wins() {
        let na = my_number_auth_not_after(
            date!(2025 - 04 - 01),
            date!(1990 - 06 - 15),
            date!(2027 - 01 - 10),
        )
        .unwrap();
        assert_eq!(na, datetime!(2027-01-10 14:59:59 UTC));
        let birthday_first = my_number_auth_not_after(
            date!(2025 - 04 - 01),
            date!(1990 - 06 - 15),
            date!(2035 - 06 - 15),
        )
        .unwrap();
        assert_eq!(birthday_first, datetime!(2029-06-15 14:59:59 UTC));
    }

    #[test]
    fn sign_cert_never_outlives_auth_cert() {
        let issued = date!(2025 - 04 - 01);
        let birth = date!(1990 - 06 - 15);
        let card = date!(2035 - 06 - 15);
        let auth = datetime!(2028-12-31 14:59:59 UTC);
        assert_eq!(
            my_number_sign_not_after(issued, birth, card, auth).unwrap(),
            auth
        );
        let auth_later = datetime!(2031-01-01 14:59:59 UTC);
        assert_eq!(
            my_number_sign_not_after(issued, birth, card, auth_later).unwrap(),
            datetime!(2029-06-15 14:59:59 UTC)
        );
    }

    #[test]
    fn juki_is_three_years() {
        assert_eq!(
            juki_not_after(date!(2015 - 06 - 01)).unwrap(),
            datetime!(2018-06-01 14:59:59 UTC)
        );
        assert_eq!(
            juki_not_after(date!(2012 - 02 - 29)).unwrap(),
            datetime!(2015-02-28 14:59:59 UTC)
        );
    }

    #[test]
    fn ca_ends_the_day_before_the_anniversary() {
        assert_eq!(
            ca_not_after(date!(2023 - 07 - 16), 10).unwrap(),
            datetime!(2033-07-15 14:59:59 UTC)
        );
        assert_eq!(
            ca_not_after(date!(2024 - 02 - 29), 10).unwrap(),
            datetime!(2034-02-27 14:59:59 UTC)
        );
        assert_eq!(
            ca_not_after(date!(2025 - 01 - 01), 1).unwrap(),
            datetime!(2025-12-31 14:59:59 UTC)
        );
        assert!(ca_not_after(date!(2025 - 01 - 01), 0).is_err());
        assert!(ca_not_after(date!(2025 - 01 - 01), i32::MAX).is_err());
    }

    #[test]
    fn impossible_inputs_are_errors() {
        assert!(fifth_birthday_after(date!(2020 - 01 - 01), date!(2021 - 01 - 01)).is_err());
        assert!(
            my_number_auth_not_after(
                date!(2025 - 04 - 01),
                date!(1990 - 06 - 15),
                date!(2025 - 03 - 01)
            )
            .is_err()
        );
    }
}
