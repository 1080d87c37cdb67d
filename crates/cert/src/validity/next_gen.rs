//! Validity rules of the next-generation card (NG-sim v1, shared/next-gen-profile.md §2.7,
//! public fact P3/P4): end-entity certificates run to the holder's 10th birthday after issue
//! (the 5th for a holder under 18), capped by the card's expiry, the signature certificate also
//! by the authentication certificate; CA certificates run 20 years. `notAfter` is 23:59:59 JST
//! of the final day, as today.

use time::{Date, OffsetDateTime};

use super::{ca_not_after, issuance::latest_card_expiry};
use crate::Error;

/// Years of a next-generation CA certificate (P4: about to 2050).
pub const NG_CA_YEARS: i32 = 20;

/// notAfter of a next-generation (P-384) CA issued on `issued`: 20 years, to the day before
/// the anniversary, 23:59:59 JST (as [`ca_not_after`]). Past 2049 it is written as
/// GeneralizedTime.
///
/// # Errors
/// [`Error::BadValidity`] if the date falls outside `time`'s range.
pub fn ng_ca_not_after(issued: Date) -> Result<OffsetDateTime, Error> {
    ca_not_after(issued, NG_CA_YEARS)
}

/// notAfter of a next-generation authentication certificate: the holder's 10th birthday after
/// issue (5th if under 18 on the issue date), no later than the card's expiry.
///
/// # Errors
/// [`Error::BadValidity`] if the card expires before the issue date or the birth date is after
/// it.
pub fn ng_auth_not_after(
    issued: Date,
    birth: Date,
    card_expiry: Date,
) -> Result<OffsetDateTime, Error> {
    super::end_by(issued, latest_card_expiry(issued, birth)?, card_expiry)
}

/// notAfter of a next-generation signature certificate: as [`ng_auth_not_after`], and no later
/// than the authentication certificate's notAfter.
///
/// # Errors
/// As [`ng_auth_not_after`]; also if the authentication certificate expires before the issue
/// date.
pub fn ng_sign_not_after(
    issued: Date,
    birth: Date,
    card_expiry: Date,
    auth_not_after: OffsetDateTime,
) -> Result<OffsetDateTime, Error> {
    let own = ng_auth_not_after(issued, birth, card_expiry)?;
    super::within_authentication(issued, own, auth_not_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn ca_runs_twenty_years_to_2359_jst() {
        assert_eq!(
            ng_ca_not_after(date!(2030 - 04 - 01)).unwrap(),
            datetime!(2050-03-31 14:59:59 UTC)
        );
    }

    #[test]
    fn adult_ten_years_minor_five_capped_by_card_and_auth() {
        let issued = date!(2028 - 06 - 10);
        // Adult born 1990-08-01: the 1st birthday after issue is 2028-08-01, the 10th 2037-08-01.
        let adult = ng_auth_not_after(issued, date!(1990 - 08 - 01), date!(2040 - 01 - 01));
        assert_eq!(adult.unwrap(), datetime!(2037-08-01 14:59:59 UTC));
        // Minor born 2015-03-03: 5th birthday after issue is 2033-03-03.
        let minor = ng_auth_not_after(issued, date!(2015 - 03 - 03), date!(2040 - 01 - 01));
        assert_eq!(minor.unwrap(), datetime!(2033-03-03 14:59:59 UTC));
        // The card expires first.
        let capped = ng_auth_not_after(issued, date!(1990 - 08 - 01), date!(2035 - 12 - 31));
        assert_eq!(capped.unwrap(), datetime!(2035-12-31 14:59:59 UTC));
        // The signature certificate stops with the authentication certificate.
        let sign = ng_sign_not_after(
            issued,
            date!(1990 - 08 - 01),
            date!(2040 - 01 - 01),
            datetime!(2036-01-01 14:59:59 UTC),
        );
        assert_eq!(sign.unwrap(), datetime!(2036-01-01 14:59:59 UTC));
        assert!(ng_auth_not_after(issued, date!(1990 - 08 - 01), date!(2027 - 01 - 01)).is_err());
    }
}
