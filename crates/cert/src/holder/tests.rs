//! Unit tests of `holder`.

use super::*;
use time::macros::date;

#[test]
fn substitute_positions_mark_each_substituted_character() {
    let t = CardText::plain("渡")
        .then_substitute("なべ")
        .then_plain("\u{3000}太郎");
    assert_eq!(t.text(), "渡なべ\u{3000}太郎");
    assert_eq!(t.substitute_positions(), "011000");
    let back = CardText::from_positions(&t.text(), &t.substitute_positions(), "name").unwrap();
    assert_eq!(back, t);
}

#[test]
fn positions_must_match_text_length() {
    assert!(CardText::from_positions("山田", "0", "name").is_err());
    assert!(CardText::from_positions("山田", "02", "name").is_err());
}

#[test]
fn birth_date_era_boundaries() {
    assert_eq!(
        encode_birth_date(date!(1989 - 01 - 07)).unwrap(),
        "319890107"
    );
    assert_eq!(
        encode_birth_date(date!(1989 - 01 - 08)).unwrap(),
        "419890108"
    );
    assert_eq!(
        encode_birth_date(date!(2019 - 04 - 30)).unwrap(),
        "420190430"
    );
    assert_eq!(
        encode_birth_date(date!(2019 - 05 - 01)).unwrap(),
        "520190501"
    );
    assert_eq!(
        encode_birth_date(date!(1926 - 12 - 25)).unwrap(),
        "319261225"
    );
    assert_eq!(
        encode_birth_date(date!(1912 - 07 - 29)).unwrap(),
        "119120729"
    );
}

#[test]
fn birth_date_decoding_checks_era_and_calendar() {
    assert_eq!(
        decode_birth_date("419900229").ok(),
        None,
        "1990 is not a leap year"
    );
    assert_eq!(
        decode_birth_date("420000229").unwrap(),
        (Era::Heisei, date!(2000 - 02 - 29))
    );
    assert_eq!(
        decode_birth_date("019800101").unwrap(),
        (Era::Unknown, date!(1980 - 01 - 01))
    );
    assert!(decode_birth_date("519800101").is_err());
    assert!(decode_birth_date("61980010").is_err());
    assert!(decode_birth_date("6198001011").is_err());
    assert!(decode_birth_date("x19800101").is_err());
}
