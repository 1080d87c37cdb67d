//! What the card face derives from the holder data: the 4 facts as the 券面 APs carry them,
//! the Japanese-era birth date key, 照合番号B and the municipality code.

use cert::Era;
use cert::time::Date;
use zeroize::Zeroizing;

use card_sim::{FourFacts, Sex};

use crate::error::Error;

/// The text-support application's 4 facts, from the same holder data as the certificate.
#[must_use]
pub fn text_facts(holder: &cert::Holder) -> FourFacts {
    let d = holder.birth_date;
    FourFacts {
        name: holder.name.text(),
        address: holder.address.text(),
        birth_date: format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day()),
        sex: match holder.gender {
            cert::Gender::Male => Sex::Male,
            cert::Gender::Female => Sex::Female,
            cert::Gender::Unknown => Sex::NotApplicable,
        },
    }
}

/// The birth date as Japanese-era `YYMMDD` (確認AP key `0011`; the first 6 digits of
/// 照合番号B). A date before 明治 1868-10-23 counts as 明治 (元年 from 1868-01-25).
///
/// # Errors
/// [`Error::CardFace`] before 1868 (no era year).
pub fn birth_date_key(birth: Date) -> Result<Zeroizing<String>, Error> {
    let first_year = match Era::of(birth) {
        Era::Reiwa => 2019,
        Era::Heisei => 1989,
        Era::Showa => 1926,
        Era::Taisho => 1912,
        Era::Meiji | Era::Unknown => 1868,
    };
    let era_year = birth.year() - first_year + 1;
    if !(1..=99).contains(&era_year) {
        return Err(Error::CardFace {
            reason: "the birth date has no two-digit Japanese era year",
        });
    }
    Ok(Zeroizing::new(format!(
        "{era_year:02}{:02}{:02}",
        u8::from(birth.month()),
        birth.day()
    )))
}

/// 照合番号B = era `YYMMDD` + expiry year `YYYY` + the 4-digit security code (card-map §5):
/// 1980-02-17, 2035, `2285` → `55021720352285`.
///
/// # Errors
/// [`Error::CardFace`] for a code that is not 4 digits, an expiry year that is not 4 digits,
/// or a birth date without an era year.
pub fn number_b(
    birth: Date,
    expiry_year: i32,
    security_code: &str,
) -> Result<Zeroizing<String>, Error> {
    if security_code.len() != 4 || !security_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::CardFace {
            reason: "the security code must be 4 digits",
        });
    }
    if !(1000..=9999).contains(&expiry_year) {
        return Err(Error::CardFace {
            reason: "the expiry year must have 4 digits",
        });
    }
    let mut b = birth_date_key(birth)?;
    b.push_str(&format!("{expiry_year:04}"));
    b.push_str(security_code);
    Ok(b)
}

/// The 5-digit municipality code (団体コード without check digit) a card carries for its
/// holder's municipality (共通 EF `0001`, GET DATA `00F0`).
#[must_use]
pub fn municipality_code(municipality: &cert::Municipality) -> String {
    municipality.code.to_string()
}
