//! The holder's municipality as J-LIS writes it: its local government code (団体コード) and its
//! name in romaji (`Tokyo-to`, `Chiyoda-ku`). Certificates write place names in ASCII (the
//! signature subject's `L=` values and the CRL distribution point of both certificates); kanji
//! appear only in the 4-facts address (jpki-spec.md §7.1).

use crate::Error;

/// The 47 prefectures by their code (`01` Hokkaido … `47` Okinawa, JIS X 0401), in romaji as
/// certificates write them and in kanji as addresses do. The romaji form is the one real
/// certificates show (`Tokyo-to`, `Kanagawa-ken`); for Hokkaido, whose name carries no suffix in
/// romaji usage, `Hokkaido` (a choice: no real certificate of Hokkaido was available).
pub const PREFECTURES: [(&str, &str); 47] = [
    ("Hokkaido", "北海道"),
    ("Aomori-ken", "青森県"),
    ("Iwate-ken", "岩手県"),
    ("Miyagi-ken", "宮城県"),
    ("Akita-ken", "秋田県"),
    ("Yamagata-ken", "山形県"),
    ("Fukushima-ken", "福島県"),
    ("Ibaraki-ken", "茨城県"),
    ("Tochigi-ken", "栃木県"),
    ("Gunma-ken", "群馬県"),
    ("Saitama-ken", "埼玉県"),
    ("Chiba-ken", "千葉県"),
    ("Tokyo-to", "東京都"),
    ("Kanagawa-ken", "神奈川県"),
    ("Niigata-ken", "新潟県"),
    ("Toyama-ken", "富山県"),
    ("Ishikawa-ken", "石川県"),
    ("Fukui-ken", "福井県"),
    ("Yamanashi-ken", "山梨県"),
    ("Nagano-ken", "長野県"),
    ("Gifu-ken", "岐阜県"),
    ("Shizuoka-ken", "静岡県"),
    ("Aichi-ken", "愛知県"),
    ("Mie-ken", "三重県"),
    ("Shiga-ken", "滋賀県"),
    ("Kyoto-fu", "京都府"),
    ("Osaka-fu", "大阪府"),
    ("Hyogo-ken", "兵庫県"),
    ("Nara-ken", "奈良県"),
    ("Wakayama-ken", "和歌山県"),
    ("Tottori-ken", "鳥取県"),
    ("Shimane-ken", "島根県"),
    ("Okayama-ken", "岡山県"),
    ("Hiroshima-ken", "広島県"),
    ("Yamaguchi-ken", "山口県"),
    ("Tokushima-ken", "徳島県"),
    ("Kagawa-ken", "香川県"),
    ("Ehime-ken", "愛媛県"),
    ("Kochi-ken", "高知県"),
    ("Fukuoka-ken", "福岡県"),
    ("Saga-ken", "佐賀県"),
    ("Nagasaki-ken", "長崎県"),
    ("Kumamoto-ken", "熊本県"),
    ("Oita-ken", "大分県"),
    ("Miyazaki-ken", "宮崎県"),
    ("Kagoshima-ken", "鹿児島県"),
    ("Okinawa-ken", "沖縄県"),
];

/// What a romaji place name may hold: printable ASCII letters, digits, `-`, space, `'` and `.`
/// (`Yokohama-shi-Naka-ku`, `Gunma-ken`).
const ROMAJI_HINT: &str = "must be written in romaji (ASCII letters, digits, '-', ' ', '.', \
                           '''), as J-LIS writes place names in certificates, e.g. \
                           Tokyo-to / Chiyoda-ku; kanji belong only in the address";

/// A local government code (全国地方公共団体コード): two digits of prefecture and three of the
/// municipality (`13101` 千代田区), without the check digit certificates leave off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MunicipalityCode([u8; 5]);

impl MunicipalityCode {
    /// Parses a code: 5 digits, or 6 whose last is the check digit (verified). The prefecture
    /// part must be `01`–`47`.
    ///
    /// # Errors
    /// [`Error::BadHolder`] naming `municipality code` with what is wrong.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |reason| Error::BadHolder {
            field: "municipality code",
            reason,
        };
        let bytes = text.as_bytes();
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(bad("must be digits (the 団体コード, e.g. 13101 or 131016)"));
        }
        let (digits, check) = match bytes {
            [a, b, c, d, e] => ([*a, *b, *c, *d, *e], None),
            [a, b, c, d, e, f] => ([*a, *b, *c, *d, *e], Some(*f)),
            _ => {
                return Err(bad(
                    "must be 5 digits, or 6 with the check digit (e.g. 13101 or 131016)",
                ));
            }
        };
        let code = Self(digits);
        if check.is_some_and(|c| c != code.check_digit()) {
            return Err(bad("check digit (the 6th) does not match the first five"));
        }
        if !(1..=47).contains(&code.prefecture_number()) {
            return Err(bad("prefecture part (first two digits) must be 01 to 47"));
        }
        Ok(code)
    }

    /// The five digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("00000")
    }

    /// The prefecture number, 1–47.
    pub fn prefecture_number(&self) -> u8 {
        let [a, b, ..] = self.0;
        (a - b'0') * 10 + (b - b'0')
    }

    /// The check digit: weights 6, 5, 4, 3, 2 on the five digits, the sum's remainder modulo 11
    /// subtracted from 11, last digit kept (総務省's rule for 団体コード).
    pub fn check_digit(&self) -> u8 {
        let sum: u32 = self
            .0
            .iter()
            .zip([6u32, 5, 4, 3, 2])
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        let check = (11 - sum % 11) % 10;
        // check < 10
        b'0' + u8::try_from(check).unwrap_or(0)
    }

    /// The prefecture's names (romaji, kanji) from [`PREFECTURES`].
    pub fn prefecture(&self) -> (&'static str, &'static str) {
        PREFECTURES
            .get(usize::from(self.prefecture_number()).saturating_sub(1))
            .copied()
            .unwrap_or(("", ""))
    }
}

impl std::fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The holder's municipality, used in the signature certificate's subject (`L=<prefecture>,
/// L=<city>`) and in the CRL distribution point of both certificates (`OU=<prefecture>,
/// CN=<city> CRLDP`), which also names the CRL partition the certificate's revocation is
/// published in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Municipality {
    /// The local government code.
    pub code: MunicipalityCode,
    /// Prefecture in romaji, e.g. `Tokyo-to`.
    pub prefecture: String,
    /// City, ward, town or village in romaji, e.g. `Chiyoda-ku` (`Yokohama-shi-Naka-ku` for a
    /// ward of a designated city).
    pub city: String,
}

/// The place names a signature certificate's subject carries (`L=<prefecture>, L=<city>`), as
/// written (the subject carries no 団体コード).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Locality {
    /// The first `L=`, the prefecture (`Tokyo-to`).
    pub prefecture: String,
    /// The second `L=`, the city (`Chiyoda-ku`).
    pub city: String,
}

impl Municipality {
    /// The names a certificate's subject carries.
    pub fn locality(&self) -> Locality {
        Locality {
            prefecture: self.prefecture.clone(),
            city: self.city.clone(),
        }
    }

    /// A municipality from its code and its romaji name, the prefecture from [`PREFECTURES`].
    ///
    /// # Errors
    /// [`Error::BadHolder`] for a malformed code or a city name that is not romaji.
    pub fn new(code: &str, city: &str) -> Result<Self, Error> {
        let code = MunicipalityCode::parse(code)?;
        let out = Self {
            code,
            prefecture: code.prefecture().0.to_owned(),
            city: city.to_owned(),
        };
        out.validate()?;
        Ok(out)
    }

    /// Checks both names are non-empty romaji (ASCII letters, digits and `-`, space, `'`, `.`,
    /// starting with a letter), at most 64 characters each.
    ///
    /// # Errors
    /// [`Error::BadHolder`] naming `prefecture` or `city`, with the romaji hint.
    pub fn validate(&self) -> Result<(), Error> {
        for (field, text) in [("prefecture", &self.prefecture), ("city", &self.city)] {
            if text.is_empty() {
                return Err(Error::BadHolder {
                    field,
                    reason: "must not be empty",
                });
            }
            if text.len() > 64 {
                return Err(Error::BadHolder {
                    field,
                    reason: "longer than 64 characters",
                });
            }
            let romaji = text.starts_with(|c: char| c.is_ascii_alphabetic())
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ' ' | '\'' | '.'));
            if !romaji {
                return Err(Error::BadHolder {
                    field,
                    reason: ROMAJI_HINT,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_published_codes() {
        // 131016 千代田区, 141046 横浜市中区, 011002 札幌市, 472018 那覇市, 130001 東京都
        for full in ["131016", "141046", "011002", "472018", "130001"] {
            let code = MunicipalityCode::parse(full).unwrap();
            assert_eq!(full.as_bytes()[5], code.check_digit(), "{full}");
            assert_eq!(code.as_str(), &full[..5]);
        }
        assert!(MunicipalityCode::parse("131017").is_err());
    }

    #[test]
    fn prefectures_come_from_the_code() {
        assert_eq!(
            Municipality::new("13101", "Chiyoda-ku").unwrap().prefecture,
            "Tokyo-to"
        );
        assert_eq!(
            MunicipalityCode::parse("14104").unwrap().prefecture(),
            ("Kanagawa-ken", "神奈川県")
        );
        assert_eq!(
            MunicipalityCode::parse("01100").unwrap().prefecture().0,
            "Hokkaido"
        );
        assert_eq!(
            MunicipalityCode::parse("47201").unwrap().prefecture().0,
            "Okinawa-ken"
        );
        for bad in ["00101", "48101", "1310", "1310a", "", "1310166"] {
            assert!(MunicipalityCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kanji_and_control_characters_are_refused_with_the_hint() {
        for city in ["千代田区", "Chiyoda\u{202e}ku", "-ku", "", "Chiyoda\nku"] {
            let err = Municipality::new("13101", city).unwrap_err().to_string();
            assert!(err.contains("city"), "{city:?}: {err}");
        }
        let err = Municipality::new("13101", "千代田区")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("romaji") && err.contains("Chiyoda-ku"),
            "{err}"
        );
        let mut m = Municipality::new("14104", "Yokohama-shi-Naka-ku").unwrap();
        m.prefecture = "東京都".into();
        assert!(m.validate().unwrap_err().to_string().contains("prefecture"));
    }
}
