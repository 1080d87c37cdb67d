//! Certificates of several municipality partitions and their CRLs, issued by the fixture CAs:
//! what the CRL-partition tests and the openssl partition test share.

#![allow(dead_code)]

use cert::time::{Duration, OffsetDateTime};
use cert::{
    CertificateAuthority, CrlRequest, CrlScope, Holder, JpkiCertificate, Municipality, Revocation,
    RevocationReason, Serial,
};
use test_support::fixtures::{self, FixtureSet, ISSUED_AT, REFERENCE_TIME};

/// The one place that builds a municipality (romaji, as real certificates write place names;
/// the 5-digit 団体コード is kept for when `Municipality` carries it).
pub fn municipality(prefecture: &str, city: &str, code: &str) -> Municipality {
    let m = Municipality::new(code, city).unwrap();
    assert_eq!(m.prefecture, prefecture, "{code} is not in {prefecture}");
    m
}

/// 東京都千代田区, 13101.
pub fn chiyoda() -> Municipality {
    municipality("Tokyo-to", "Chiyoda-ku", "13101")
}

/// 神奈川県横浜市中区, 14104.
pub fn naka() -> Municipality {
    municipality("Kanagawa-ken", "Yokohama-shi-Naka-ku", "14104")
}

/// 大阪府大阪市北区, 27127.
pub fn kita() -> Municipality {
    municipality("Osaka-fu", "Osaka-shi-Kita-ku", "27127")
}

/// Valid until well after [`REFERENCE_TIME`].
fn not_after() -> OffsetDateTime {
    REFERENCE_TIME + Duration::days(365)
}

/// A signature certificate of `m` (the fixture holder moved there; the fixture's key).
pub fn sign_cert(set: &FixtureSet, serial: u64, m: &Municipality) -> JpkiCertificate {
    let holder = Holder {
        municipality: m.clone(),
        ..fixtures::holder()
    };
    set.sign_ca
        .issue_signature(&cert::SignatureRequest {
            serial: Serial::from(serial),
            public_key: set.my_number_sign.certificate.public_key(),
            not_before: ISSUED_AT,
            not_after: not_after(),
            holder: &holder,
            common_name: cert::SignatureCommonName::new(
                ISSUED_AT,
                u32::try_from(serial % 100_000).unwrap(),
                &cert::WindowId::new(m.code.as_str(), 1).unwrap(),
            )
            .unwrap(),
        })
        .unwrap()
}

/// An authentication certificate of `m` (the fixture's key).
pub fn auth_cert(set: &FixtureSet, serial: u64, m: &Municipality) -> JpkiCertificate {
    set.auth_ca
        .issue_authentication(&cert::AuthenticationRequest {
            serial: Serial::from(serial),
            public_key: set.my_number_auth.certificate.public_key(),
            not_before: ISSUED_AT,
            not_after: not_after(),
            municipality: m,
            common_name: cert::AuthenticationCommonName::new(
                ISSUED_AT,
                u16::try_from(serial % 10_000).unwrap(),
                m.code.as_str(),
            )
            .unwrap(),
        })
        .unwrap()
}

/// The partition a certificate names (its CRLDP directory name).
pub fn partition_of(c: &JpkiCertificate) -> CrlScope {
    CrlScope::Partition(c.crl_distribution_point().unwrap().clone())
}

/// One revocation at a fixed date.
pub fn revoked(serial: u64, reason: Option<RevocationReason>) -> Revocation {
    Revocation {
        serial: Serial::from(serial),
        revoked_at: ISSUED_AT + Duration::days(30),
        reason,
    }
}

/// A CRL of `scope` issued at `this_update`, next update a day later.
pub fn crl_at(
    ca: &CertificateAuthority,
    scope: CrlScope,
    this_update: OffsetDateTime,
    entries: &[Revocation],
) -> Vec<u8> {
    ca.issue_crl(
        &CrlRequest {
            this_update,
            next_update: Some(this_update + Duration::days(1)),
            crl_number: 1,
            scope,
        },
        entries.iter().copied(),
    )
    .unwrap()
}

/// A CRL of `scope` issued at [`REFERENCE_TIME`].
pub fn crl(ca: &CertificateAuthority, scope: CrlScope, entries: &[Revocation]) -> Vec<u8> {
    crl_at(ca, scope, REFERENCE_TIME, entries)
}
