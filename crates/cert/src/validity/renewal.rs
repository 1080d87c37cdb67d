//! When a certificate may be renewed (更新) at the municipal window.

use time::{Date, Month};

use crate::Error;

/// The first day a certificate expiring on `expiry` (its last valid day, JST) may be renewed:
/// the day after the same date three months earlier, or the 1st of the following month when
/// that month has no such date (spec §1: expiry 2023-07-07 → 2023-04-08; expiry 2023-05-28 →
/// 2023-03-01; expiry 2023-05-31 → 2023-03-01).
///
/// # Errors
/// [`Error::BadValidity`] for a date at the very edge of the calendar's range.
pub fn renewal_opens(expiry: Date) -> Result<Date, Error> {
    let out_of_range = || Error::BadValidity {
        reason: "date out of range",
    };
    let months = expiry.year() * 12 + i32::from(u8::from(expiry.month())) - 1 - 3;
    let (year, month0) = (months.div_euclid(12), months.rem_euclid(12));
    let month = u8::try_from(month0 + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(out_of_range)?;
    match Date::from_calendar_date(year, month, expiry.day()) {
        Ok(same_date) => same_date.next_day().ok_or_else(out_of_range),
        Err(_) => Date::from_calendar_date(year, month.next(), 1).map_err(|_| out_of_range()),
    }
}

/// Whether a certificate expiring on `expiry` may be renewed on `today` (both JST dates): from
/// [`renewal_opens`] until its last day. An expired certificate is not renewed but issued anew.
///
/// # Errors
/// As [`renewal_opens`].
pub fn renewable_on(expiry: Date, today: Date) -> Result<bool, Error> {
    Ok(renewal_opens(expiry)? <= today && today <= expiry)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_window_opens_the_day_after_three_months_before() {
        for (expiry, opens) in [
            (date!(2023 - 07 - 07), date!(2023 - 04 - 08)),
            (date!(2023 - 05 - 28), date!(2023 - 03 - 01)),
            (date!(2023 - 05 - 31), date!(2023 - 03 - 01)),
            (date!(2023 - 05 - 30), date!(2023 - 03 - 01)),
            (date!(2024 - 05 - 29), date!(2024 - 03 - 01)),
            (date!(2024 - 05 - 30), date!(2024 - 03 - 01)),
            (date!(2024 - 02 - 15), date!(2023 - 11 - 16)),
            (date!(2024 - 03 - 31), date!(2024 - 01 - 01)),
            (date!(2024 - 12 - 31), date!(2024 - 10 - 01)),
        ] {
            assert_eq!(renewal_opens(expiry).unwrap(), opens, "{expiry}");
        }
    }

    #[test]
    fn renewable_from_the_opening_day_to_the_last_day() {
        let expiry = date!(2023 - 07 - 07);
        assert!(!renewable_on(expiry, date!(2023 - 04 - 07)).unwrap());
        assert!(renewable_on(expiry, date!(2023 - 04 - 08)).unwrap());
        assert!(renewable_on(expiry, expiry).unwrap());
        assert!(!renewable_on(expiry, date!(2023 - 07 - 08)).unwrap());
    }
}
