//! The state file `authority.txt`, format `JPKI-SIM-AUTHORITY/2`: the serial counter, the CRL
//! number, the common-name sequence, the municipality register and the revocations, one per
//! line as `key: value`:
//!
//! ```text
//! JPKI-SIM-AUTHORITY/2
//! next-serial: 0133c34b
//! crl-number: 7
//! cn-sequence: 2
//! municipality: 13101 | Tokyo-to | Chiyoda-ku
//! revoked: sign 0133c34a 1775005200 3 13101
//! revoked: auth-ng 0133c350 1775005300 1 13101
//! ```
//!
//! * `next-serial` (hex): the next serial of the one counter the two CAs and every certificate
//!   share, `01000000`–`7FFFFFFF` (4 bytes, a positive DER INTEGER of exactly 4 octets, as
//!   J-LIS's); `80000000` once used up.
//! * `cn-sequence` (decimal): the sequence number of the next subject CN (see `certify`).
//! * `municipality:` the register: 団体コード, romaji prefecture and city as the certificates'
//!   CRL distribution point writes them (`|` separates them: romaji names may hold spaces but
//!   never `|`). One CRL partition per line.
//! * `revoked:` the CA (`sign`/`auth` for the RSA-2048 CAs, `sign-ng`/`auth-ng` for the
//!   next-generation P-384 CAs of the same names, see `ca_tag`), serial (hex), revocation time (Unix seconds), RFC 5280
//!   reason code, and the partition (the 団体コード of a registered municipality).
//!
//! A `JPKI-SIM-AUTHORITY/1` file (2-byte serials from `1000`, CA serials `01`/`02`, revocations
//! without partition) is refused with [`Error::AuthorityVersion`], not converted: its CA
//! certificates and the certificates on its cards keep their short serials and their
//! revocations name no partition, so a conversion would either re-issue the CAs (every card
//! issued so far would stop verifying) or guess partitions.

use std::path::Path;

use cert::keys::Algorithm;
use cert::time::OffsetDateTime;
use cert::{Hierarchy, Municipality, MunicipalityCode, Revocation, RevocationReason, Serial};

use crate::error::Error;

/// The first line of a state file of this version.
pub(super) const MAGIC: &str = "JPKI-SIM-AUTHORITY/2";
/// The first line of the previous version, refused with a clear error.
const MAGIC_V1: &str = "JPKI-SIM-AUTHORITY/1";

/// The smallest serial: 4 bytes, no leading zero byte.
pub(super) const SERIAL_MIN: u64 = 0x0100_0000;
/// One past the largest serial: `7FFFFFFF` is the largest positive 4-byte DER INTEGER.
pub(super) const SERIAL_END: u64 = 0x8000_0000;
/// The range a new authority draws its first serial from (the real CAs: `0132C4AB`–`06D18006`,
/// end entities around `06BFC341`), leaving room for over 2 billion serials.
pub(super) const SERIAL_START_SPAN: u64 = 0x0600_0000;

/// One revocation, with the partition (municipality) whose CRL lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Revoked {
    /// The hierarchy (which CA's CRLs).
    pub hierarchy: Hierarchy,
    /// The generation: the RSA-2048 CA or the P-384 CA of that hierarchy (same name).
    pub algorithm: Algorithm,
    /// The partition: the municipality named by the certificate's CRL distribution point.
    pub partition: MunicipalityCode,
    /// Serial, time and reason.
    pub revocation: Revocation,
}

/// Everything `authority.txt` holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct State {
    /// The next serial to hand out (`SERIAL_MIN..=SERIAL_END`; `SERIAL_END`: used up).
    pub next_serial: u64,
    /// The cRLNumber of the last publication.
    pub crl_number: u64,
    /// The sequence number of the next subject CN.
    pub cn_sequence: u64,
    /// The municipalities this authority issues for, by code.
    pub register: Vec<Municipality>,
    /// Every revocation.
    pub revoked: Vec<Revoked>,
}

/// The short name of a CA — a hierarchy in a generation — in the state file and the CRL file
/// names: `sign`, `auth` (RSA-2048), `sign-ng`, `auth-ng` (P-384).
pub(crate) fn ca_tag(h: Hierarchy, algorithm: Algorithm) -> &'static str {
    match (h, algorithm) {
        (Hierarchy::Signature, Algorithm::Rsa2048) => "sign",
        (Hierarchy::Authentication, Algorithm::Rsa2048) => "auth",
        (Hierarchy::Signature, Algorithm::EcdsaP384) => "sign-ng",
        (Hierarchy::Authentication, Algorithm::EcdsaP384) => "auth-ng",
    }
}

impl State {
    /// The file's text.
    pub(super) fn render(&self) -> String {
        let mut text = format!(
            "{MAGIC}\nnext-serial: {:08x}\ncrl-number: {}\ncn-sequence: {}\n",
            self.next_serial, self.crl_number, self.cn_sequence
        );
        for m in &self.register {
            text.push_str(&format!(
                "municipality: {} | {} | {}\n",
                m.code, m.prefecture, m.city
            ));
        }
        for r in &self.revoked {
            let code = r.revocation.reason.map_or(0, RevocationReason::code);
            text.push_str(&format!(
                "revoked: {} {} {} {code} {}\n",
                ca_tag(r.hierarchy, r.algorithm),
                hex_serial(&r.revocation.serial),
                r.revocation.revoked_at.unix_timestamp(),
                r.partition
            ));
        }
        text
    }

    /// Parses the text of `path`.
    ///
    /// # Errors
    /// [`Error::AuthorityVersion`] for a version 1 file, [`Error::AuthorityCorrupt`] naming
    /// what is malformed.
    pub(super) fn parse(text: &str, path: &Path) -> Result<Self, Error> {
        let corrupt = |what: &'static str| Error::AuthorityCorrupt {
            path: path.to_path_buf(),
            what,
        };
        let mut lines = text.lines();
        match lines.next() {
            Some(MAGIC) => {}
            Some(MAGIC_V1) => {
                return Err(Error::AuthorityVersion {
                    path: path.to_path_buf(),
                    found: MAGIC_V1.to_owned(),
                    why: "its CAs and cards carry short serials and its revocations name no \
                          CRL partition",
                });
            }
            _ => return Err(corrupt("not a JPKI-SIM-AUTHORITY/2 file")),
        }
        let (mut next_serial, mut crl_number, mut cn_sequence) = (None, None, None);
        let (mut register, mut revoked) = (Vec::<Municipality>::new(), Vec::new());
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let (key, value) = line
                .split_once(':')
                .ok_or_else(|| corrupt("a line without ':'"))?;
            let value = value.trim();
            match key {
                "next-serial" => {
                    next_serial = Some(
                        u64::from_str_radix(value, 16)
                            .ok()
                            .filter(|n| (SERIAL_MIN..=SERIAL_END).contains(n))
                            .ok_or_else(|| {
                                corrupt("next-serial is not hex within 01000000 to 80000000")
                            })?,
                    );
                }
                "crl-number" => {
                    crl_number = Some(value.parse().map_err(|_| corrupt("a bad crl-number"))?);
                }
                "cn-sequence" => {
                    cn_sequence = Some(value.parse().map_err(|_| corrupt("a bad cn-sequence"))?);
                }
                "municipality" => {
                    let m = parse_municipality(value)
                        .ok_or_else(|| corrupt("a malformed municipality line"))?;
                    if register.iter().any(|r| {
                        r.code == m.code || (r.prefecture == m.prefecture && r.city == m.city)
                    }) {
                        return Err(corrupt("a municipality registered twice"));
                    }
                    register.push(m);
                }
                "revoked" => {
                    let r =
                        parse_revoked(value).ok_or_else(|| corrupt("a malformed revoked line"))?;
                    if !register.iter().any(|m| m.code == r.partition) {
                        return Err(corrupt(
                            "a revocation whose partition is not a registered municipality \
                             (municipality lines come first)",
                        ));
                    }
                    revoked.push(r);
                }
                _ => return Err(corrupt("an unknown key")),
            }
        }
        register.sort_by_key(|m| m.code);
        Ok(Self {
            next_serial: next_serial.ok_or_else(|| corrupt("no next-serial"))?,
            crl_number: crl_number.ok_or_else(|| corrupt("no crl-number"))?,
            cn_sequence: cn_sequence.ok_or_else(|| corrupt("no cn-sequence"))?,
            register,
            revoked,
        })
    }
}

pub(super) fn hex_serial(s: &Serial) -> String {
    s.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_municipality(value: &str) -> Option<Municipality> {
    let mut parts = value.split('|').map(str::trim);
    let code = MunicipalityCode::parse(parts.next()?).ok()?;
    let prefecture = parts.next()?.to_owned();
    let city = parts.next()?.to_owned();
    if parts.next().is_some() {
        return None;
    }
    let m = Municipality {
        code,
        prefecture,
        city,
    };
    m.validate().ok()?;
    Some(m)
}

fn parse_revoked(value: &str) -> Option<Revoked> {
    let mut parts = value.split_whitespace();
    let (hierarchy, algorithm) = match parts.next()? {
        "sign" => (Hierarchy::Signature, Algorithm::Rsa2048),
        "auth" => (Hierarchy::Authentication, Algorithm::Rsa2048),
        "sign-ng" => (Hierarchy::Signature, Algorithm::EcdsaP384),
        "auth-ng" => (Hierarchy::Authentication, Algorithm::EcdsaP384),
        _ => return None,
    };
    let serial_hex = parts.next()?;
    if serial_hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..serial_hex.len())
        .step_by(2)
        .map(|i| {
            serial_hex
                .get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    let serial = Serial::from_be_bytes(&bytes?).ok()?;
    let revoked_at = OffsetDateTime::from_unix_timestamp(parts.next()?.parse().ok()?).ok()?;
    let code: u8 = parts.next()?.parse().ok()?;
    let reason = Some(RevocationReason::from_code(code)?);
    let partition = MunicipalityCode::parse(parts.next()?).ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some(Revoked {
        hierarchy,
        algorithm,
        partition,
        revocation: Revocation {
            serial,
            revoked_at,
            reason,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            next_serial: 0x0133_C34B,
            crl_number: 7,
            cn_sequence: 2,
            register: vec![
                Municipality::new("13101", "Chiyoda-ku").unwrap(),
                Municipality::new("14104", "Yokohama-shi Naka-ku").unwrap(),
            ],
            revoked: vec![
                Revoked {
                    hierarchy: Hierarchy::Signature,
                    algorithm: Algorithm::Rsa2048,
                    partition: MunicipalityCode::parse("14104").unwrap(),
                    revocation: Revocation {
                        serial: Serial::from(0x0133_C34A),
                        revoked_at: OffsetDateTime::from_unix_timestamp(1_775_005_200).unwrap(),
                        reason: Some(RevocationReason::CertificateHold),
                    },
                },
                Revoked {
                    hierarchy: Hierarchy::Authentication,
                    algorithm: Algorithm::EcdsaP384,
                    partition: MunicipalityCode::parse("13101").unwrap(),
                    revocation: Revocation {
                        serial: Serial::from(0x0133_C350),
                        revoked_at: OffsetDateTime::from_unix_timestamp(1_775_005_300).unwrap(),
                        reason: Some(RevocationReason::KeyCompromise),
                    },
                },
            ],
        }
    }

    #[test]
    fn the_state_file_round_trips_with_spaces_in_romaji_names() {
        let s = state();
        let text = s.render();
        assert!(
            text.starts_with("JPKI-SIM-AUTHORITY/2\nnext-serial: 0133c34b\n"),
            "{text}"
        );
        assert!(text.contains("municipality: 14104 | Kanagawa-ken | Yokohama-shi Naka-ku\n"));
        assert!(text.contains("revoked: sign 0133c34a 1775005200 6 14104\n"));
        assert!(text.contains("revoked: auth-ng 0133c350 1775005300 1 13101\n"));
        assert_eq!(State::parse(&text, Path::new("a")).unwrap(), s);
    }

    #[test]
    fn malformed_and_old_files_are_refused_by_what_is_wrong() {
        let good = state().render();
        let v1 = "JPKI-SIM-AUTHORITY/1\nnext-serial: 1000\ncrl-number: 1\n";
        assert!(matches!(
            State::parse(v1, Path::new("a")),
            Err(Error::AuthorityVersion { .. })
        ));
        for (bad, what) in [
            (good.replace("0133c34b", "00ffffff"), "next-serial"),
            (good.replace("0133c34b", "80000001"), "next-serial"),
            (good.replace(" 14104\n", " 13102\n"), "partition"),
            (good.replace("revoked: sign", "revoked: both"), "revoked"),
            (good.replace(" 6 14104", " 7 14104"), "revoked"),
            (
                good.replace("13101 |", "13101 | Tokyo-to | x |"),
                "municipality",
            ),
            (good.replace("Chiyoda-ku", "千代田区"), "municipality"),
            (good.replace("14104 |", "13101 |"), "twice"),
            (good.replace("cn-sequence: 2\n", ""), "cn-sequence"),
        ] {
            match State::parse(&bad, Path::new("a")) {
                Err(Error::AuthorityCorrupt { what: w, .. }) => assert!(w.contains(what), "{w}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(State::parse(&good.replace("0133c34b", "80000000"), Path::new("a")).is_ok());
    }
}
