//! The next-generation (P-384) hierarchy beside the fixture RSA one, under the SAME CA names:
//! what the next-generation tests share.

#![allow(dead_code)]

use cert::time::macros::{date, datetime};
use cert::time::{Duration, OffsetDateTime};
use cert::{
    AuthenticationCommonName, AuthenticationRequest, CaRequest, CertificateAuthority, Environment,
    Hierarchy, JpkiCertificate, Municipality, Serial, SignatureCommonName, SignatureRequest,
    SubjectKey, WindowId, keys, validity,
};
use test_support::fixtures::{self, ISSUED_AT};
use test_support::keys::seeded_rng;

/// Issue date of the P-384 CAs (20 years: to 2045-03-31 23:59:59 JST).
pub const NG_CA_ISSUED: cert::time::Date = date!(2025 - 04 - 01);

/// A P-384 CA of `hierarchy` with a seeded key, 20 years.
pub fn ng_ca(hierarchy: Hierarchy, seed: u64) -> CertificateAuthority {
    CertificateAuthority::create(
        &CaRequest {
            hierarchy,
            environment: Environment::Production,
            serial: Serial::from(0x0C00_0000 + seed),
            not_before: datetime!(2025-04-01 00:00:00 UTC),
            not_after: validity::ng_ca_not_after(NG_CA_ISSUED).unwrap(),
        },
        keys::generate_p384(&mut seeded_rng(seed)),
    )
    .unwrap()
}

/// A seeded P-384 card key.
pub fn card_key(seed: u64) -> p384::SecretKey {
    keys::generate_p384(&mut seeded_rng(seed))
}

/// The NG public key of a seeded card key.
pub fn card_public(seed: u64) -> SubjectKey {
    SubjectKey::from(card_key(seed).public_key())
}

/// The fixture municipality (千代田区).
pub fn chiyoda() -> Municipality {
    fixtures::holder().municipality
}

/// Valid until `until` (default: 10 years, the NG rule for the fixture holder).
pub fn ng_auth(
    ca: &CertificateAuthority,
    key: &SubjectKey,
    serial: u64,
    until: Option<OffsetDateTime>,
) -> Result<JpkiCertificate, cert::Error> {
    let m = chiyoda();
    let not_after = until.unwrap_or_else(|| {
        validity::ng_auth_not_after(
            validity::jst_date(ISSUED_AT),
            fixtures::holder().birth_date,
            date!(2040 - 01 - 01),
        )
        .unwrap()
    });
    ca.issue_authentication(&AuthenticationRequest {
        serial: Serial::from(serial),
        public_key: key,
        not_before: ISSUED_AT,
        not_after,
        municipality: &m,
        common_name: AuthenticationCommonName::new(
            ISSUED_AT,
            u16::try_from(serial % 10_000).unwrap(),
            m.code.as_str(),
        )
        .unwrap(),
    })
}

/// A signature certificate for the fixture holder, valid until `until` (default 5 years).
pub fn ng_sign(
    ca: &CertificateAuthority,
    key: &SubjectKey,
    serial: u64,
    until: Option<OffsetDateTime>,
) -> Result<JpkiCertificate, cert::Error> {
    let holder = fixtures::holder();
    ca.issue_signature(&SignatureRequest {
        serial: Serial::from(serial),
        public_key: key,
        not_before: ISSUED_AT,
        not_after: until.unwrap_or(ISSUED_AT + Duration::days(5 * 365)),
        holder: &holder,
        common_name: SignatureCommonName::new(
            ISSUED_AT,
            u32::try_from(serial % 100_000).unwrap(),
            &WindowId::new(holder.municipality.code.as_str(), 1).unwrap(),
        )
        .unwrap(),
    })
}
