//! An NG-sim v1 card (card-sim) carrying real P-384 certificates from `cert`: a P-384 CA per
//! hierarchy under today's DNs, the holder's authentication and signature certificates, and the
//! card-authentication CA with the card's genuineness certificate. Every key is seeded, so each
//! run builds the same card.

#![allow(dead_code)]

use std::sync::OnceLock;

use card_sim::{MyNumber, NextGenContents, NextGenKey, NextGenRetryLimits, SimCard};
use cert::time::{Duration, OffsetDateTime};
use cert::{
    AuthenticationCommonName, AuthenticationRequest, CaRequest, CardAuthCertificate,
    CardAuthenticationAuthority, CardAuthenticationRequest, CertificateAuthority, Environment,
    Hierarchy, JpkiCertificate, Serial, SignatureCommonName, SignatureRequest, SubjectKey,
    WindowId, keys, validity,
};
use pin_policy::{Pin, PinKind};
use test_support::fixtures::{self, ISSUED_AT};
use test_support::keys::seeded_rng;

pub const SIGN_PW: &[u8] = b"ABC123";
pub const PIN4: &[u8] = b"1234";
pub const MY_NUMBER: &str = "123456789018";
/// The card serial in the genuineness certificate's CN.
pub const CARD_SERIAL: &str = "0123456789ABCDEF";
/// When the chains are checked: a day after issuance.
pub fn checked_at() -> OffsetDateTime {
    ISSUED_AT + Duration::days(1)
}

/// The CAs' notBefore (two months before the cards) and notAfter (20 years, NG rule).
fn ca_validity() -> (OffsetDateTime, OffsetDateTime) {
    let not_before = ISSUED_AT - Duration::days(60);
    let not_after = validity::ng_ca_not_after(validity::jst_date(not_before)).unwrap();
    (not_before, not_after)
}

/// The P-384 hierarchy and the certificates of one holder's card.
pub struct NgIssued {
    pub auth_ca: CertificateAuthority,
    pub sign_ca: CertificateAuthority,
    pub card_auth_ca: CardAuthenticationAuthority,
    pub auth_key: p384::SecretKey,
    pub sign_key: p384::SecretKey,
    pub card_auth_key: p384::SecretKey,
    pub auth_cert: JpkiCertificate,
    pub sign_cert: JpkiCertificate,
    pub card_auth_cert: CardAuthCertificate,
}

fn seeded_key(seed: u64) -> p384::SecretKey {
    keys::generate_p384(&mut seeded_rng(seed))
}

fn ng_ca(hierarchy: Hierarchy, seed: u64) -> CertificateAuthority {
    CertificateAuthority::create(
        &CaRequest {
            hierarchy,
            environment: Environment::Production,
            serial: Serial::from(0x0C00_0000 + seed),
            not_before: ca_validity().0,
            not_after: ca_validity().1,
        },
        seeded_key(seed),
    )
    .unwrap()
}

fn issue() -> NgIssued {
    let holder = fixtures::holder();
    let m = holder.municipality.clone();
    let auth_ca = ng_ca(Hierarchy::Authentication, 601);
    let sign_ca = ng_ca(Hierarchy::Signature, 602);
    let card_auth_ca = CardAuthenticationAuthority::create(
        Serial::from(0x0D00_0001),
        ca_validity().0,
        ca_validity().1,
        seeded_key(603),
    )
    .unwrap();
    let (auth_key, sign_key, card_auth_key) = (seeded_key(611), seeded_key(612), seeded_key(613));
    let auth_not_after = validity::ng_auth_not_after(
        validity::jst_date(ISSUED_AT),
        holder.birth_date,
        fixtures::CARD_EXPIRY,
    )
    .unwrap();
    let auth_cert = auth_ca
        .issue_authentication(&AuthenticationRequest {
            serial: Serial::from(0x6001),
            public_key: &SubjectKey::from(auth_key.public_key()),
            not_before: ISSUED_AT,
            not_after: auth_not_after,
            municipality: &m,
            common_name: AuthenticationCommonName::new(ISSUED_AT, 6001, m.code.as_str()).unwrap(),
        })
        .unwrap();
    let sign_cert = sign_ca
        .issue_signature(&SignatureRequest {
            serial: Serial::from(0x6002),
            public_key: &SubjectKey::from(sign_key.public_key()),
            not_before: ISSUED_AT,
            not_after: ISSUED_AT + Duration::days(5 * 365),
            holder: &holder,
            common_name: SignatureCommonName::new(
                ISSUED_AT,
                6002,
                &WindowId::new(m.code.as_str(), 1).unwrap(),
            )
            .unwrap(),
        })
        .unwrap();
    let card_auth_cert = card_auth_ca
        .issue(&CardAuthenticationRequest {
            serial: Serial::from(0x4001),
            card_serial: CARD_SERIAL,
            public_key: &card_auth_key.public_key(),
            not_before: ISSUED_AT,
            not_after: validity::end_of_day_jst(fixtures::CARD_EXPIRY),
        })
        .unwrap();
    NgIssued {
        auth_ca,
        sign_ca,
        card_auth_ca,
        auth_key,
        sign_key,
        card_auth_key,
        auth_cert,
        sign_cert,
        card_auth_cert,
    }
}

/// The one hierarchy of this test binary (P-384 keys are seeded: the same every run).
pub fn issued() -> &'static NgIssued {
    static ISSUED: OnceLock<NgIssued> = OnceLock::new();
    ISSUED.get_or_init(issue)
}

/// What the municipal window writes onto the card; `with_sign` false leaves the signature key
/// and certificate off (as for a holder under 15).
pub fn contents(with_sign: bool) -> NextGenContents {
    let i = issued();
    NextGenContents {
        authentication: Some(NextGenKey {
            private_key: i.auth_key.clone(),
            certificate: i.auth_cert.der().to_vec(),
            ca_certificate: i.auth_ca.certificate().der().to_vec(),
        }),
        signature: with_sign.then(|| NextGenKey {
            private_key: i.sign_key.clone(),
            certificate: i.sign_cert.der().to_vec(),
            ca_certificate: i.sign_ca.certificate().der().to_vec(),
        }),
        card_authentication: NextGenKey {
            private_key: i.card_auth_key.clone(),
            certificate: i.card_auth_cert.der().to_vec(),
            ca_certificate: i.card_auth_ca.certificate().der().to_vec(),
        },
        my_number: MyNumber::new(MY_NUMBER).unwrap(),
        facts: test_support::cards::facts(),
        sign_pw: Pin::new(PinKind::Signature, SIGN_PW).unwrap(),
        pin4: Pin::new(PinKind::Authentication, PIN4).unwrap(),
        retry_limits: NextGenRetryLimits::default(),
    }
}

/// A fresh in-memory NG-sim v1 card with every key.
pub fn card() -> SimCard {
    SimCard::new_next_gen(contents(true)).unwrap()
}

/// The P-384 anchors of both hierarchies.
pub fn anchors() -> cert::TrustAnchors {
    let i = issued();
    let mut anchors = cert::TrustAnchors::new();
    anchors.add(i.auth_ca.certificate().clone()).unwrap();
    anchors.add(i.sign_ca.certificate().clone()).unwrap();
    anchors
}
