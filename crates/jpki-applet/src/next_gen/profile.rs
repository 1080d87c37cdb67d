//! The two small files a next-generation card is opened with: the profile record EF `0009`
//! (version, algorithm, secure messaging) and the token info EF `0006`
//! (shared/next-gen-profile.md §2.1, §2.3).

use apdu::tlv;

use super::ids::{self, profile as p};
use crate::error::Error;

/// The signature algorithm a next-generation card's keys use (EF `0009` tag `81`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NgAlgorithm {
    /// ECDSA over P-384 with SHA-384 (`81 01 01`).
    EcdsaP384Sha384,
}

/// EF `0009`: what the card says about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NgProfile {
    /// Profile version (`80`): 1 for NG-sim v1.
    pub version: u8,
    /// The keys' algorithm (`81`).
    pub algorithm: NgAlgorithm,
}

impl NgProfile {
    /// Parses EF `0009`: the primitive objects `80 01 <version>`, `81 01 <algorithm>`,
    /// `82 01 <SM>` in any order, each once; other tags are skipped (a later version may add
    /// some); filler (`00`/`FF`) after them is ignored.
    ///
    /// ```
    /// use jpki_applet::{Error, NgAlgorithm, NgProfile};
    /// let p = NgProfile::parse(&[0x80, 1, 1, 0x81, 1, 1, 0x82, 1, 0]).unwrap();
    /// assert_eq!(p.algorithm, NgAlgorithm::EcdsaP384Sha384);
    /// let sm = NgProfile::parse(&[0x80, 1, 1, 0x81, 1, 1, 0x82, 1, 1]);
    /// assert!(matches!(sm, Err(Error::SecureMessagingRequired)));
    /// ```
    ///
    /// # Errors
    /// [`Error::SecureMessagingRequired`] when `82` is `01`; [`Error::UnsupportedProfile`] for
    /// a version or algorithm this client does not know; [`Error::MalformedFile`] for a missing,
    /// repeated or overlong field or bytes that are not BER-TLV.
    pub fn parse(file: &[u8]) -> Result<Self, Error> {
        let malformed = |reason| Error::MalformedFile {
            fid: ids::ef::PROFILE,
            reason,
        };
        let (mut version, mut algorithm, mut sm) = (None, None, None);
        let mut rest = file;
        while let Some(&first) = rest.first() {
            if first == 0x00 || first == 0xFF {
                break;
            }
            let (tag, value, after) =
                tlv::split_object(rest).map_err(|_| malformed("not BER-TLV"))?;
            rest = after;
            let slot = match tag {
                p::TAG_VERSION => &mut version,
                p::TAG_ALGORITHM => &mut algorithm,
                p::TAG_SECURE_MESSAGING => &mut sm,
                _ => continue,
            };
            let [byte] = value else {
                return Err(malformed("a field is not one byte"));
            };
            if slot.replace(*byte).is_some() {
                return Err(malformed("a field is repeated"));
            }
        }
        let version = version.ok_or(malformed("no version (80)"))?;
        let algorithm = algorithm.ok_or(malformed("no algorithm (81)"))?;
        let sm = sm.ok_or(malformed("no secure-messaging flag (82)"))?;
        if version != p::VERSION_1 {
            return Err(Error::UnsupportedProfile {
                field: "version",
                value: version,
            });
        }
        let algorithm = match algorithm {
            p::ALG_ECDSA_P384_SHA384 => NgAlgorithm::EcdsaP384Sha384,
            other => {
                return Err(Error::UnsupportedProfile {
                    field: "algorithm",
                    value: other,
                });
            }
        };
        match sm {
            p::SM_NOT_REQUIRED => Ok(Self { version, algorithm }),
            p::SM_REQUIRED => Err(Error::SecureMessagingRequired),
            other => Err(Error::UnsupportedProfile {
                field: "secure-messaging flag",
                value: other,
            }),
        }
    }
}

/// EF `0006` of the 認証AP: the token label, space-padded to 32 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NgTokenInfo {
    /// The label without its padding (`JPKINGAPTOKEN1`).
    pub label: String,
}

impl NgTokenInfo {
    /// Parses EF `0006`: 32 bytes of printable ASCII naming the next-generation token.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] for another length, non-ASCII bytes or another label.
    pub fn parse(file: &[u8]) -> Result<Self, Error> {
        let malformed = |reason| Error::MalformedFile {
            fid: ids::ef::TOKEN_INFO,
            reason,
        };
        if file.len() != ids::TOKEN_INFO_LEN {
            return Err(malformed("not 32 bytes"));
        }
        if !file.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            return Err(malformed("not printable ASCII"));
        }
        let label = String::from_utf8_lossy(file)
            .trim_end_matches(' ')
            .to_owned();
        if label != ids::TOKEN_LABEL {
            return Err(malformed("token label is not JPKINGAPTOKEN1"));
        }
        Ok(Self { label })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: [u8; 9] = [0x80, 0x01, 0x01, 0x81, 0x01, 0x01, 0x82, 0x01, 0x00];

    #[test]
    fn the_v1_record_parses_in_any_order_with_filler_and_unknown_tags() {
        let want = NgProfile {
            version: 1,
            algorithm: NgAlgorithm::EcdsaP384Sha384,
        };
        assert_eq!(NgProfile::parse(&V1).unwrap(), want);
        let mut shuffled = vec![0x82, 0x01, 0x00, 0x83, 0x02, 0xAA, 0xBB];
        shuffled.extend_from_slice(&V1[..6]);
        shuffled.extend_from_slice(&[0xFF; 7]);
        assert_eq!(NgProfile::parse(&shuffled).unwrap(), want);
    }

    #[test]
    fn sm_required_unknown_values_and_broken_records_are_refused() {
        let with = |at: usize, value: u8| {
            let mut f = V1;
            f[at] = value;
            NgProfile::parse(&f)
        };
        let sm = with(8, 0x01).unwrap_err();
        assert!(matches!(sm, Error::SecureMessagingRequired));
        assert!(sm.to_string().contains("secure messaging"), "{sm}");
        assert!(matches!(
            with(5, 0x02),
            Err(Error::UnsupportedProfile {
                field: "algorithm",
                value: 2
            })
        ));
        assert!(matches!(
            with(2, 0x02),
            Err(Error::UnsupportedProfile {
                field: "version",
                value: 2
            })
        ));
        assert!(matches!(
            with(8, 0x07),
            Err(Error::UnsupportedProfile { .. })
        ));
        for broken in [&V1[..6], &V1[..8], &[], &[0x80, 0x02, 0x01, 0x01][..]] {
            assert!(
                matches!(
                    NgProfile::parse(broken),
                    Err(Error::MalformedFile { fid: 0x0009, .. })
                ),
                "{broken:02X?}"
            );
        }
        let mut twice = V1.to_vec();
        twice.extend_from_slice(&V1[..3]);
        assert!(matches!(
            NgProfile::parse(&twice),
            Err(Error::MalformedFile {
                reason: "a field is repeated",
                ..
            })
        ));
    }

    #[test]
    fn token_info_is_the_padded_ng_label() {
        let mut file = [b' '; 32];
        file[..14].copy_from_slice(b"JPKINGAPTOKEN1");
        assert_eq!(NgTokenInfo::parse(&file).unwrap().label, "JPKINGAPTOKEN1");
        assert!(NgTokenInfo::parse(&file[..31]).is_err());
        file[..15].copy_from_slice(b"JPKIAPICCTOKEN2");
        assert!(NgTokenInfo::parse(&file).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Hostile files get an error, never a panic; whatever parses is the v1 profile.
        #[test]
        fn profile_and_token_parsers_never_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)
        ) {
            if let Ok(p) = NgProfile::parse(&bytes) {
                proptest::prop_assert_eq!(p.version, 1);
            }
            let _ = NgTokenInfo::parse(&bytes);
        }
    }
}
