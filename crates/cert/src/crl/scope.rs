//! Which certificates a CRL covers: the IssuingDistributionPoint extension (RFC 5280 §5.2.5).
//!
//! J-LIS partitions its CRLs by municipality: an end-entity certificate names its partition in
//! its cRLDistributionPoints as a directory name (`…, OU=CRL Distribution Points, OU=<pref>,
//! CN=<city> CRLDP`, see [`crate::name::crl_distribution_point`]) and the CA certificates name
//! the CA itself (an authority revocation list, ARL). A partitioned CRL must say which partition
//! it is (RFC 5280 §5.2.5), so ours carry a critical IDP: `fullName = { dirName }` and
//! `onlyContainsUserCerts` (a partition) or `onlyContainsCACerts` (the ARL). A CRL without IDP
//! is a complete CRL: it covers every certificate of its CA.
//!
//! ```text
//! IssuingDistributionPoint ::= SEQUENCE {
//!   distributionPoint          [0] DistributionPointName OPTIONAL,   -- A0 { A0 { A4 { Name } } }
//!   onlyContainsUserCerts      [1] BOOLEAN DEFAULT FALSE,            -- 81 01 FF
//!   onlyContainsCACerts        [2] BOOLEAN DEFAULT FALSE,            -- 82 01 FF
//!   onlySomeReasons            [3] ReasonFlags OPTIONAL,             -- refused
//!   indirectCRL                [4] BOOLEAN DEFAULT FALSE,            -- refused
//!   onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }           -- refused
//! ```
//! Only the two shapes above are read; anything else (other name forms, several names, reason
//! subsets, indirect CRLs) is refused rather than half-understood, since misreading a scope
//! would let a revoked certificate pass.

use crate::der_reader::Reader;
#[cfg(feature = "issue")]
use crate::der_writer as w;
use crate::der_writer::SEQUENCE;
use crate::name::DistinguishedName;
use crate::{CertKind, Error, JpkiCertificate};

/// What a CRL covers, as written by
/// `CertificateAuthority::issue_crl` (feature `issue`) and read back by
/// [`Crl::scope`](crate::Crl::scope).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrlScope {
    /// One partition: the end-entity certificates whose cRLDistributionPoints directory name is
    /// this name (a municipality's `… CRLDP`). IDP: fullName = this dirName,
    /// onlyContainsUserCerts.
    Partition(DistinguishedName),
    /// The authority revocation list: the CA certificates whose cRLDistributionPoints name the
    /// CA (the JPKI CAs' own CRLDP is the CA name). IDP: fullName = the CA's CRLDP dirName,
    /// onlyContainsCACerts.
    Authority,
    /// No IDP: every certificate the CA issued (a complete CRL, e.g. an older or foreign one).
    Complete,
}

impl core::fmt::Display for CrlScope {
    /// `partition C=JP, …, CN=Chiyoda-ku CRLDP`, `authority revocation list` or `complete`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Partition(name) => write!(f, "partition {name}"),
            Self::Authority => f.write_str("authority revocation list"),
            Self::Complete => f.write_str("complete"),
        }
    }
}

/// A parsed IDP: the distribution point's directory name (exact DER and parsed) and whether
/// it holds CA certificates (`onlyContainsCACerts`) or end entities (`onlyContainsUserCerts`).
#[derive(Clone, Debug)]
pub(crate) struct Idp {
    pub name: DistinguishedName,
    pub name_der: Vec<u8>,
    pub ca_certs: bool,
}

fn bad(reason: &'static str) -> Error {
    Error::BadIssuingDistributionPoint { reason }
}

/// The DER of the extension value (the IDP SEQUENCE) for a partition or ARL named `name_der`.
#[cfg(feature = "issue")]
pub(crate) fn write_idp(name_der: &[u8], ca_certs: bool) -> Vec<u8> {
    let full_name = w::tlv(0xA0, &w::tlv(0xA4, name_der));
    let flag = if ca_certs { 0x82 } else { 0x81 };
    w::seq(&[&w::tlv(0xA0, &full_name), &[flag, 1, 0xFF]])
}

/// A `[0] IMPLICIT BOOLEAN` style flag: DER TRUE only (a FALSE must be omitted, DEFAULT).
fn flag(content: &[u8]) -> Result<(), Error> {
    match content {
        [0xFF] => Ok(()),
        [0x00] => Err(bad("a FALSE flag must be omitted in DER (DEFAULT FALSE)")),
        _ => Err(bad("a flag is not a DER BOOLEAN")),
    }
}

/// Parses the IDP extension value. Never panics.
///
/// # Errors
/// [`Error::BadIssuingDistributionPoint`] for malformed DER or a form outside the profile.
pub(crate) fn parse_idp(value: &[u8]) -> Result<Idp, Error> {
    let mut outer = Reader::new(value, "IssuingDistributionPoint");
    let mut idp = outer
        .enter(SEQUENCE, "not a SEQUENCE")
        .map_err(|_| bad("not a SEQUENCE"))?;
    outer.finish().map_err(|_| bad("trailing data"))?;
    let dp = idp
        .read(0xA0, "")
        .map_err(|_| bad("no distributionPoint [0]: a JPKI partition is named"))?;
    let mut dp = Reader::new(dp.content, "IssuingDistributionPoint");
    let full = dp
        .read(0xA0, "")
        .map_err(|_| bad("distributionPoint is not a fullName [0]"))?;
    dp.finish()
        .map_err(|_| bad("trailing data in distributionPoint"))?;
    let mut names = Reader::new(full.content, "IssuingDistributionPoint");
    let dir = names
        .read(0xA4, "")
        .map_err(|_| bad("fullName does not hold a directoryName [4]"))?;
    names
        .finish()
        .map_err(|_| bad("fullName holds more than one name"))?;
    let mut dir = Reader::new(dir.content, "IssuingDistributionPoint");
    let name_tlv = dir
        .read(SEQUENCE, "")
        .map_err(|_| bad("directoryName is not a Name"))?;
    dir.finish()
        .map_err(|_| bad("trailing data in directoryName"))?;
    let name = DistinguishedName::from_der(name_tlv.raw)
        .map_err(|_| bad("directoryName is not a valid Name"))?;

    let mut user = false;
    let mut ca = false;
    while !idp.is_empty() {
        let t = idp.read_any().map_err(|_| bad("truncated field"))?;
        match t.tag {
            0x81 if !user && !ca => {
                flag(t.content)?;
                user = true;
            }
            0x82 if !ca => {
                flag(t.content)?;
                ca = true;
            }
            0x83 => {
                return Err(bad(
                    "onlySomeReasons is not supported: JPKI CRLs cover all reasons",
                ));
            }
            0x84 => {
                return Err(bad(
                    "indirectCRL is not supported: JPKI CAs issue their own CRLs",
                ));
            }
            0x85 => return Err(bad("onlyContainsAttributeCerts does not apply to JPKI")),
            _ => return Err(bad("unexpected or repeated field")),
        }
    }
    if user && ca {
        return Err(bad(
            "onlyContainsUserCerts and onlyContainsCACerts are both TRUE",
        ));
    }
    if !user && !ca {
        return Err(bad(
            "neither onlyContainsUserCerts nor onlyContainsCACerts: not a JPKI partition or ARL",
        ));
    }
    Ok(Idp {
        name,
        name_der: name_tlv.raw.to_vec(),
        ca_certs: ca,
    })
}

/// Whether a CRL with this IDP (`None`: complete CRL) covers `cert`, per RFC 5280 §6.3.3 (b):
/// the IDP name must equal the certificate's CRLDP directory name (or, without CRLDP, its issuer
/// name), and the certificate kind must match the only-contains flag.
///
/// # Errors
/// [`Error::CrlWrongScope`] or [`Error::CrlWrongPartition`].
pub(crate) fn covers(idp: Option<&Idp>, cert: &JpkiCertificate) -> Result<(), Error> {
    let Some(idp) = idp else {
        return Ok(());
    };
    let is_ca = matches!(cert.kind(), CertKind::Ca(_));
    if idp.ca_certs && !is_ca {
        return Err(Error::CrlWrongScope {
            crl: "CA certificates only (an authority revocation list)",
            certificate: "an end-entity certificate",
        });
    }
    if !idp.ca_certs && is_ca {
        return Err(Error::CrlWrongScope {
            crl: "end-entity certificates only (a partition CRL)",
            certificate: "a CA certificate",
        });
    }
    let (point_der, point) = partition_of(cert);
    if point_der != idp.name_der.as_slice() {
        return Err(Error::CrlWrongPartition {
            crl: idp.name.to_string(),
            certificate: point.to_string(),
        });
    }
    Ok(())
}

/// The partition a certificate names: its CRLDP directory name, or its issuer name when it has
/// no CRLDP (RFC 5280 §6.3.3 (b)(2)(ii)'s default).
pub(crate) fn partition_of(cert: &JpkiCertificate) -> (&[u8], &DistinguishedName) {
    match cert.crl_distribution_point_parts() {
        Some((der, name)) => (der, name),
        None => (cert.issuer_der(), cert.issuer()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Environment;
    use crate::Hierarchy;
    use crate::name::crl_distribution_point;

    fn chiyoda() -> DistinguishedName {
        crl_distribution_point(
            Hierarchy::Signature,
            Environment::Production,
            "Tokyo-to",
            "Chiyoda-ku",
        )
    }

    #[cfg(feature = "issue")]
    #[test]
    fn idp_round_trips_for_partition_and_arl() {
        let der = chiyoda().to_der();
        for ca in [false, true] {
            let idp = parse_idp(&write_idp(&der, ca)).unwrap();
            assert_eq!(idp.name, chiyoda());
            assert_eq!(idp.name_der, der);
            assert_eq!(idp.ca_certs, ca);
        }
    }

    #[cfg(feature = "issue")]
    #[test]
    fn idp_bytes_read_back_with_x509_cert() {
        use der::{Decode, Encode};
        use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
        use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
        let der = chiyoda().to_der();
        for ca in [false, true] {
            let idp = IssuingDistributionPoint::from_der(&write_idp(&der, ca)).unwrap();
            assert_eq!(idp.only_contains_user_certs, !ca);
            assert_eq!(idp.only_contains_ca_certs, ca);
            assert!(idp.only_some_reasons.is_none() && !idp.indirect_crl);
            let Some(DistributionPointName::FullName(names)) = idp.distribution_point else {
                panic!("no fullName");
            };
            let [GeneralName::DirectoryName(name)] = names.as_slice() else {
                panic!("not one dirName: {names:?}");
            };
            assert_eq!(name.to_der().unwrap(), der);
        }
    }

    fn idp_with(fields: &[&[u8]]) -> Vec<u8> {
        let name = chiyoda().to_der();
        let mut dn = vec![0xA4];
        crate::der_writer::push_len(&mut dn, name.len());
        dn.extend_from_slice(&name);
        let full = crate::der_writer::tlv(0xA0, &crate::der_writer::tlv(0xA0, &dn));
        let mut parts: Vec<&[u8]> = vec![&full];
        parts.extend_from_slice(fields);
        crate::der_writer::seq(&parts)
    }

    #[test]
    fn malformed_or_foreign_idps_are_refused_with_the_reason() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (idp_with(&[]), "neither"),
            (idp_with(&[&[0x81, 1, 0xFF], &[0x82, 1, 0xFF]]), "both"),
            (idp_with(&[&[0x81, 1, 0x00]]), "FALSE"),
            (idp_with(&[&[0x81, 2, 0xFF, 0xFF]]), "BOOLEAN"),
            (
                idp_with(&[&[0x81, 1, 0xFF], &[0x83, 2, 0x06, 0x40]]),
                "onlySomeReasons",
            ),
            (
                idp_with(&[&[0x81, 1, 0xFF], &[0x84, 1, 0xFF]]),
                "indirectCRL",
            ),
            (idp_with(&[&[0x81, 1, 0xFF], &[0x81, 1, 0xFF]]), "repeated"),
            (vec![0x30, 0x03, 0x81, 0x01, 0xFF], "distributionPoint"),
            (vec![0x04, 0x00], "SEQUENCE"),
            (vec![0x30, 0x05, 0xA0, 0x03, 0x86, 0x01, 0x61], "fullName"),
            (
                vec![0x30, 0x07, 0xA0, 0x05, 0xA0, 0x03, 0x86, 0x01, 0x61],
                "directoryName",
            ),
        ];
        for (der, want) in cases {
            let err = parse_idp(&der).unwrap_err();
            assert!(
                matches!(err, Error::BadIssuingDistributionPoint { .. }),
                "{der:02X?}: {err}"
            );
            assert!(err.to_string().contains(want), "{der:02X?}: {err}");
        }
    }

    #[test]
    fn truncated_idps_never_panic() {
        let good = idp_with(&[&[0x81, 1, 0xFF]]);
        assert!(parse_idp(&good).is_ok());
        for n in 0..good.len() {
            assert!(parse_idp(&good[..n]).is_err(), "cut at {n}");
        }
        for i in 0..good.len() {
            for b in [0x00, 0x80, 0xFF] {
                let mut d = good.clone();
                d[i] ^= b | 1;
                let _ = parse_idp(&d);
            }
        }
    }
}
