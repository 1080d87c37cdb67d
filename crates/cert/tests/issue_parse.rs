//! Issue → parse round trips: every holder field comes back; the profile is what §7 says.
//!
//! (One piece, over 400 lines: the round trips share one issued set of certificates, built once.)

use std::sync::LazyLock;

use cert::time::macros::{date, datetime};
use cert::time::{Date, Month};
use cert::{
    AuthenticationRequest, CaRequest, CardText, CertKind, CertificateAuthority, Environment, Error,
    Gender, Hierarchy, Holder, JpkiCertificate, Municipality, RevocationCheck, Serial,
    SignatureRequest, TrustAnchors, keys, validity,
};
use proptest::prelude::*;

struct Setup {
    sign_ca: CertificateAuthority,
    auth_ca: CertificateAuthority,
    test_sign_ca: CertificateAuthority,
    card_key: cert::rsa::PrivateKey,
}

fn make_ca(hierarchy: Hierarchy, environment: Environment, seed: u64) -> CertificateAuthority {
    CertificateAuthority::create(
        &CaRequest {
            hierarchy,
            environment,
            serial: Serial::from(0x0100 + seed),
            not_before: datetime!(2020-01-01 00:00:00 UTC),
            not_after: datetime!(2040-01-01 00:00:00 UTC),
        },
        test_support::keys::generate_seeded_key(seed).unwrap(),
    )
    .unwrap()
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| Setup {
    sign_ca: make_ca(Hierarchy::Signature, Environment::Production, 101),
    auth_ca: make_ca(Hierarchy::Authentication, Environment::Production, 102),
    test_sign_ca: make_ca(Hierarchy::Signature, Environment::Test, 103),
    card_key: test_support::keys::generate_seeded_key(104).unwrap(),
});

fn issue_sign(
    ca: &CertificateAuthority,
    holder: &Holder,
    serial: u64,
) -> Result<JpkiCertificate, Error> {
    ca.issue_signature(&SignatureRequest {
        serial: Serial::from(serial),
        public_key: &cert::SubjectKey::from(SETUP.card_key.as_public_key()),
        not_before: datetime!(2025-06-02 01:00:00 UTC),
        not_after: datetime!(2029-08-20 14:59:59 UTC),
        holder,
        common_name: sign_cn(),
    })
}

/// A signature CN with the real structure (`YYYYMMDDhhmmss` + sequence + window ID).
fn sign_cn() -> cert::SignatureCommonName {
    let window = cert::WindowId::new("13101", 1).unwrap();
    cert::SignatureCommonName::new(datetime!(2025-06-02 01:00:00 UTC), 1, &window).unwrap()
}

/// An authentication CN with the real structure (14 + municipality code + `003A`).
fn auth_cn() -> cert::AuthenticationCommonName {
    cert::AuthenticationCommonName::new(datetime!(2025-06-02 01:00:00 UTC), 1, "13101").unwrap()
}

fn holder() -> Holder {
    test_support::fixtures::holder()
}

#[test]
fn signature_round_trip_returns_every_holder_field() {
    let h = holder();
    let issued = issue_sign(&SETUP.sign_ca, &h, 0x2001).unwrap();
    let parsed = JpkiCertificate::from_der(issued.der()).unwrap();
    assert_eq!(parsed.kind(), CertKind::Signature);
    assert_eq!(parsed.environment(), Environment::Production);
    assert_eq!(parsed.serial(), Serial::from(0x2001));
    let facts = parsed.four_facts().unwrap();
    assert_eq!(facts.name, h.name);
    assert_eq!(facts.address, h.address);
    assert_eq!(facts.birth_date, h.birth_date);
    assert_eq!(facts.era, cert::Era::Showa);
    assert_eq!(facts.gender, h.gender);
    assert_eq!(parsed.municipality(), Some(&h.municipality.locality()));
    assert_eq!(parsed.not_before(), datetime!(2025-06-02 01:00:00 UTC));
    assert_eq!(parsed.not_after(), datetime!(2029-08-20 14:59:59 UTC));
    assert_eq!(
        parsed.rsa_public_key(),
        Some(SETUP.card_key.as_public_key())
    );
    let cn = parsed.subject().common_name().unwrap();
    assert_eq!(cn.chars().count(), 28);
    assert_eq!(
        parsed.subject().to_string(),
        format!("C=JP, L=Tokyo-to, L=Chiyoda-ku, CN={cn}")
    );
}

#[test]
fn aki_and_ski_link_the_certificate_to_its_ca() {
    let c = issue_sign(&SETUP.sign_ca, &holder(), 7).unwrap();
    let ca = SETUP.sign_ca.certificate();
    assert_eq!(c.authority_key_id(), ca.subject_key_id());
    assert_eq!(c.authority_cert_serial(), Some(ca.serial()));
    let ski = cert::issue::key_identifier(&cert::SubjectKey::from(SETUP.card_key.as_public_key()))
        .unwrap();
    assert_eq!(c.subject_key_id(), Some(&ski[..]));
    assert_eq!(c.issuer(), ca.subject());
}

#[test]
fn authentication_certificate_has_no_personal_data() {
    let m = Municipality::new("01100", "Sapporo-shi").unwrap();
    let c = SETUP
        .auth_ca
        .issue_authentication(&AuthenticationRequest {
            serial: Serial::from(0x1001),
            public_key: &cert::SubjectKey::from(SETUP.card_key.as_public_key()),
            not_before: datetime!(2025-06-02 01:00:00 UTC),
            not_after: datetime!(2029-08-20 14:59:59 UTC),
            municipality: &m,
            common_name: auth_cn(),
        })
        .unwrap();
    assert_eq!(c.kind(), CertKind::Authentication);
    assert!(c.four_facts().is_none());
    assert!(c.municipality().is_none());
    let cn = c.subject().common_name().unwrap();
    assert_eq!(cn.chars().count(), 23);
    assert_eq!(c.subject().to_string(), format!("C=JP, CN={cn}"));
}

#[test]
fn a_ca_issues_only_for_its_own_hierarchy() {
    let err = issue_sign(&SETUP.auth_ca, &holder(), 1).unwrap_err();
    assert!(matches!(err, Error::WrongKind { .. }), "{err}");
}

#[test]
fn test_environment_is_never_production() {
    let c = issue_sign(&SETUP.test_sign_ca, &holder(), 9).unwrap();
    assert_eq!(c.environment(), Environment::Test);
    assert_eq!(
        c.issuer().values(cert::AttributeKind::Organization).next(),
        Some("JPKI-TEST")
    );
    let mut production = TrustAnchors::new();
    production.add(SETUP.sign_ca.certificate().clone()).unwrap();
    assert!(matches!(
        production.verify(
            &c,
            datetime!(2026-01-01 00:00:00 UTC),
            RevocationCheck::NotChecked
        ),
        Err(Error::UnknownIssuer)
    ));
}

#[test]
fn generations_sharing_one_name_are_told_apart_by_aki_and_signature() {
    let old = make_ca(Hierarchy::Signature, Environment::Production, 111);
    let new = make_ca(Hierarchy::Signature, Environment::Production, 112);
    assert_eq!(old.certificate().subject(), new.certificate().subject());
    let mut anchors = TrustAnchors::new();
    anchors.add(old.certificate().clone()).unwrap();
    anchors.add(new.certificate().clone()).unwrap();
    let at = datetime!(2026-01-01 00:00:00 UTC);
    let by_new = issue_sign(&new, &holder(), 1).unwrap();
    let by_old = issue_sign(&old, &holder(), 1).unwrap();
    assert_eq!(
        anchors
            .verify(&by_new, at, RevocationCheck::NotChecked)
            .unwrap()
            .anchor
            .serial(),
        new.certificate().serial()
    );
    assert_eq!(
        anchors
            .verify(&by_old, at, RevocationCheck::NotChecked)
            .unwrap()
            .anchor
            .serial(),
        old.certificate().serial()
    );
}

#[test]
fn invalid_holder_data_is_refused_before_signing() {
    let mut h = holder();
    h.address = CardText::plain("あ".repeat(201));
    assert!(matches!(
        issue_sign(&SETUP.sign_ca, &h, 1),
        Err(Error::BadHolder {
            field: "address",
            ..
        })
    ));
    let mut h = holder();
    h.name = CardText::default();
    assert!(matches!(
        issue_sign(&SETUP.sign_ca, &h, 1),
        Err(Error::BadHolder { field: "name", .. })
    ));
}

#[test]
fn control_characters_and_bidi_overrides_in_holder_text_are_refused() {
    let hostile = [
        "\u{1b}[2J",
        "\u{7}",
        "\n",
        "\r",
        "\t",
        "\u{0}",
        "\u{7f}",
        "\u{85}",
        "\u{9b}",
        "\u{202e}",
        "\u{202a}",
        "\u{2066}",
        "\u{2069}",
        "\u{200f}",
        "\u{2028}",
    ];
    for bad in hostile {
        let mut h = holder();
        h.name = CardText::plain(format!("山田\u{3000}太{bad}郎"));
        let name = issue_sign(&SETUP.sign_ca, &h, 1);
        assert!(
            matches!(name, Err(Error::BadHolder { field: "name", .. })),
            "{bad:?}: {name:?}"
        );
        let mut h = holder();
        h.address = CardText::plain("東京都").then_substitute(format!("千代田区{bad}"));
        assert!(matches!(
            h.validate(),
            Err(Error::BadHolder {
                field: "address",
                ..
            })
        ));
        let mut h = holder();
        h.municipality.city = format!("Chiyoda{bad}ku");
        assert!(matches!(
            h.validate(),
            Err(Error::BadHolder { field: "city", .. })
        ));
        let mut h = holder();
        h.municipality.prefecture = format!("Tokyo{bad}to");
        assert!(matches!(
            h.validate(),
            Err(Error::BadHolder {
                field: "prefecture",
                ..
            })
        ));
    }
    // full-width spaces, kana, kanji and ASCII stay allowed
    let mut h = holder();
    h.name = CardText::plain("ＳＭＩＴＨ\u{3000}John-Paul O'Neil");
    h.validate().unwrap();
}

#[test]
fn births_before_meiji_or_in_the_future_are_refused() {
    let born = |d: Date| {
        let mut h = holder();
        h.birth_date = d;
        h
    };
    for d in [
        date!(0985 - 01 - 01),
        date!(1800 - 06 - 15),
        date!(1868 - 01 - 24),
    ] {
        assert!(
            matches!(
                born(d).validate(),
                Err(Error::BadHolder {
                    field: "birth_date",
                    ..
                })
            ),
            "{d}"
        );
    }
    born(date!(1868 - 01 - 25)).validate().unwrap();
    let today = date!(2026 - 03 - 01);
    born(today).validate_on(today).unwrap();
    assert!(matches!(
        born(date!(2026 - 03 - 02)).validate_on(today),
        Err(Error::BadHolder {
            field: "birth_date",
            reason: "is in the future"
        })
    ));
}

#[test]
fn ca_from_parts_checks_the_key() {
    let ca = SETUP.sign_ca.certificate().clone();
    let wrong = test_support::keys::generate_seeded_key(999).unwrap();
    assert!(CertificateAuthority::from_parts(ca.clone(), wrong).is_err());
    let pkcs8 = SETUP.sign_ca.private_key_pkcs8_der().unwrap();
    let again =
        CertificateAuthority::from_parts(ca, keys::from_pkcs8_der(&pkcs8).unwrap()).unwrap();
    // Deterministic PKCS#1 v1.5: the rebuilt CA issues byte-identical certificates.
    assert_eq!(
        issue_sign(&again, &holder(), 3).unwrap().der(),
        issue_sign(&SETUP.sign_ca, &holder(), 3).unwrap().der()
    );
}

#[test]
fn seeded_keys_are_reproducible_and_distinct() {
    let a = test_support::keys::generate_seeded_key(5).unwrap();
    let b = test_support::keys::generate_seeded_key(5).unwrap();
    let c = test_support::keys::generate_seeded_key(6).unwrap();
    assert_eq!(a.as_public_key(), b.as_public_key());
    assert_ne!(a.as_public_key(), c.as_public_key());
}

fn text_strategy(max: usize) -> impl Strategy<Value = CardText> {
    let chars = prop_oneof![
        prop::char::range('あ', 'ん'),
        prop::char::range('ア', 'ン'),
        prop::char::range('一', '龥'),
        prop::char::range('０', '９'),
        Just('\u{3000}'),
        Just('-'),
    ];
    prop::collection::vec((any::<bool>(), prop::collection::vec(chars, 1..6)), 1..max).prop_map(
        |parts| {
            parts.into_iter().fold(CardText::default(), |t, (sub, cs)| {
                let s: String = cs.into_iter().collect();
                if sub {
                    t.then_substitute(s)
                } else {
                    t.then_plain(s)
                }
            })
        },
    )
}

fn date_strategy() -> impl Strategy<Value = Date> {
    (1868i32..2025, 1u8..=12, 1u8..=31).prop_filter_map("valid date", |(y, m, d)| {
        Date::from_calendar_date(y, Month::try_from(m).ok()?, d)
            .ok()
            .filter(|d| *d >= cert::holder::EARLIEST_BIRTH_DATE)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn holder_data_round_trips(
        name in text_strategy(6),
        address in text_strategy(20),
        birth_date in date_strategy(),
        gender in prop_oneof![Just(Gender::Male), Just(Gender::Female), Just(Gender::Unknown)],
        code in 1u32..=47,
        city in "[A-Z][a-z]{1,8}-(shi|ku|machi|mura)",
    ) {
        let h = Holder {
            name,
            address,
            birth_date,
            gender,
            municipality: Municipality::new(&format!("{code:02}201"), &city).unwrap(),
        };
        let c = issue_sign(&SETUP.sign_ca, &h, 42).unwrap();
        let parsed = JpkiCertificate::from_der(c.der()).unwrap();
        let facts = parsed.four_facts().unwrap();
        prop_assert_eq!(&facts.name, &h.name);
        prop_assert_eq!(&facts.address, &h.address);
        prop_assert_eq!(facts.birth_date, h.birth_date);
        prop_assert_eq!(facts.gender, h.gender);
        prop_assert_eq!(parsed.municipality(), Some(&h.municipality.locality()));
    }
}

#[test]
fn validity_rules_give_the_fixture_dates() {
    let issued = date!(2025 - 06 - 02);
    let auth =
        validity::my_number_auth_not_after(issued, date!(1985 - 08 - 20), date!(2035 - 08 - 20))
            .unwrap();
    assert_eq!(auth, datetime!(2029-08-20 14:59:59 UTC));
}

#[test]
fn validity_given_in_another_offset_is_written_in_utc() {
    // Given in JST; the notAfter is 2049-12-31 23:00 UTC, in the UTCTime range only once
    // converted (rcgen picks the time type from the year of the value it is given).
    let not_before = datetime!(2025-06-02 10:23:45 +9);
    let not_after = datetime!(2050-01-01 08:00:00 +9);
    let c = SETUP
        .sign_ca
        .issue_signature(&SignatureRequest {
            serial: Serial::from(0x2101),
            public_key: &cert::SubjectKey::from(SETUP.card_key.as_public_key()),
            not_before,
            not_after,
            holder: &holder(),
            common_name: sign_cn(),
        })
        .unwrap();
    assert_eq!(c.not_before(), datetime!(2025-06-02 01:23:45 UTC));
    assert_eq!(c.not_after(), datetime!(2049-12-31 23:00:00 UTC));
    // UTCTime "491231230000Z", not GeneralizedTime.
    let utc_time = b"\x17\x0d491231230000Z";
    assert!(c.der().windows(utc_time.len()).any(|w| w == utc_time));

    // The other way round: 2049 in the given offset, 2050 in UTC -> GeneralizedTime.
    let c = issue_sign_at(not_before, datetime!(2049-12-31 23:00:00 -5)).unwrap();
    assert_eq!(c.not_after(), datetime!(2050-01-01 04:00:00 UTC));
    let generalized = b"\x18\x0f20500101040000Z";
    assert!(c.der().windows(generalized.len()).any(|w| w == generalized));
}

#[test]
fn dates_outside_four_digit_years_are_errors_not_panics() {
    let ancient = Date::from_calendar_date(-1, Month::January, 1)
        .unwrap()
        .midnight()
        .assume_utc();
    let err = issue_sign_at(ancient, datetime!(2029-08-20 14:59:59 UTC)).unwrap_err();
    assert!(matches!(err, Error::BadValidity { .. }), "{err}");
    let err = CertificateAuthority::create(
        &CaRequest {
            hierarchy: Hierarchy::Signature,
            environment: Environment::Production,
            serial: Serial::from(1),
            not_before: ancient,
            not_after: datetime!(2040-01-01 00:00:00 UTC),
        },
        test_support::keys::generate_seeded_key(101).unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadValidity { .. }), "{err}");
    let err = issue_sign_at(
        datetime!(2029-08-20 14:59:59 UTC),
        datetime!(2025-06-02 01:00:00 UTC),
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadValidity { .. }), "{err}");
}

fn issue_sign_at(
    not_before: cert::time::OffsetDateTime,
    not_after: cert::time::OffsetDateTime,
) -> Result<JpkiCertificate, Error> {
    SETUP.sign_ca.issue_signature(&SignatureRequest {
        serial: Serial::from(0x2102),
        public_key: &cert::SubjectKey::from(SETUP.card_key.as_public_key()),
        not_before,
        not_after,
        holder: &holder(),
        common_name: sign_cn(),
    })
}

/// `(OID, critical)` of each extension, in order.
fn extensions_of(der: &[u8]) -> Vec<(String, bool)> {
    use x509_cert::der::Decode;
    let c = x509_cert::Certificate::from_der(der).unwrap();
    c.tbs_certificate()
        .extensions()
        .unwrap()
        .iter()
        .map(|e| (e.extn_id.to_string(), e.critical))
        .collect()
}

#[test]
fn extensions_are_in_the_real_order() {
    // Spec §7.1: CA KU, SAN, BC, CRLDP, SKI; signature EE KU, SAN, CP, IAN, CRLDP, AKI, SKI;
    // authentication EE KU, EKU, CP, IAN, CRLDP, AIA, AKI, SKI.
    let s = |o: &str, c: bool| (o.to_owned(), c);
    assert_eq!(
        extensions_of(SETUP.sign_ca.certificate().der()),
        [
            s("2.5.29.15", true),  // keyUsage
            s("2.5.29.17", false), // subjectAltName (directoryName)
            s("2.5.29.19", true),  // basicConstraints
            s("2.5.29.31", false), // cRLDistributionPoints
            s("2.5.29.14", false), // subjectKeyIdentifier
        ]
    );
    let sign = issue_sign(&SETUP.sign_ca, &holder(), 0x2001).unwrap();
    assert_eq!(
        extensions_of(sign.der()),
        [
            s("2.5.29.15", true),  // keyUsage
            s("2.5.29.17", false), // subjectAltName (the six otherNames)
            s("2.5.29.32", true),  // certificatePolicies
            s("2.5.29.18", false), // issuerAltName
            s("2.5.29.31", false), // cRLDistributionPoints
            s("2.5.29.35", false), // authorityKeyIdentifier
            s("2.5.29.14", false), // subjectKeyIdentifier
        ]
    );
    let auth = SETUP
        .auth_ca
        .issue_authentication(&AuthenticationRequest {
            serial: Serial::from(0x1001),
            public_key: &cert::SubjectKey::from(SETUP.card_key.as_public_key()),
            not_before: datetime!(2025-06-02 01:00:00 UTC),
            not_after: datetime!(2029-08-20 14:59:59 UTC),
            municipality: &holder().municipality,
            common_name: auth_cn(),
        })
        .unwrap();
    assert_eq!(
        extensions_of(auth.der()),
        [
            s("2.5.29.15", true),          // keyUsage
            s("2.5.29.37", false),         // extKeyUsage
            s("2.5.29.32", true),          // certificatePolicies
            s("2.5.29.18", false),         // issuerAltName
            s("2.5.29.31", false),         // cRLDistributionPoints
            s("1.3.6.1.5.5.7.1.1", false), // authorityInfoAccess
            s("2.5.29.35", false),         // authorityKeyIdentifier
            s("2.5.29.14", false),         // subjectKeyIdentifier
        ]
    );
}

#[test]
fn the_issuer_name_is_the_ca_subject_byte_for_byte() {
    // rcgen's names are maps; the second OU must survive as a second RDN, C as PrintableString.
    for (ca, c) in [
        (
            &SETUP.sign_ca,
            issue_sign(&SETUP.sign_ca, &holder(), 0x2001).unwrap(),
        ),
        (
            &SETUP.test_sign_ca,
            issue_sign(&SETUP.test_sign_ca, &holder(), 9).unwrap(),
        ),
    ] {
        let subject = ca.certificate().subject().to_der();
        assert_eq!(c.issuer().to_der(), subject);
        assert!(c.der().windows(subject.len()).any(|w| w == subject));
        assert_eq!(
            c.issuer()
                .values(cert::AttributeKind::OrganizationalUnit)
                .count(),
            2
        );
    }
}
