//! Both generations side by side (shared/next-gen-profile.md §2.7, §2.8): P-384 CAs under the
//! SAME names as the RSA-2048 ones, issuers and CRLs chosen by key and algorithm, mixed chains
//! refused, the RSA cut-off, GeneralizedTime past 2049, the NG-sim v1 policy arc.

use std::sync::LazyLock;

use cert::time::macros::datetime;
use cert::time::{Duration, OffsetDateTime};
use cert::{
    Algorithm, CertKind, CertificateAuthority, Crl, CrlScope, Error, Hierarchy, JpkiCertificate,
    Revocation, RevocationCheck, Serial, SubjectKey, TrustAnchors, oid,
};
use test_support::fixtures::{self, FixtureSet, REFERENCE_TIME};

#[path = "support/ng.rs"]
mod ng;

struct Both {
    rsa: FixtureSet,
    ng_sign_ca: CertificateAuthority,
    ng_auth_ca: CertificateAuthority,
    ng_sign: JpkiCertificate,
    ng_auth: JpkiCertificate,
}

static BOTH: LazyLock<Both> = LazyLock::new(|| {
    let ng_sign_ca = ng::ng_ca(Hierarchy::Signature, 1);
    let ng_auth_ca = ng::ng_ca(Hierarchy::Authentication, 2);
    Both {
        rsa: fixtures::build().unwrap(),
        ng_sign: ng::ng_sign(&ng_sign_ca, &ng::card_public(11), 0x3001, None).unwrap(),
        ng_auth: ng::ng_auth(&ng_auth_ca, &ng::card_public(12), 0x3002, None).unwrap(),
        ng_sign_ca,
        ng_auth_ca,
    }
});

/// Anchors holding both generations of both hierarchies, RSA first or P-384 first.
fn anchors(ng_first: bool) -> TrustAnchors {
    let b = &*BOTH;
    let rsa = [b.rsa.sign_ca.certificate(), b.rsa.auth_ca.certificate()];
    let ng = [b.ng_sign_ca.certificate(), b.ng_auth_ca.certificate()];
    let (first, second) = if ng_first { (ng, rsa) } else { (rsa, ng) };
    let mut anchors = TrustAnchors::new();
    for ca in first.into_iter().chain(second) {
        anchors.add(ca.clone()).unwrap();
    }
    anchors
}

fn crl(ca: &CertificateAuthority, scope: CrlScope, revoked: &[u64]) -> Crl {
    let request = cert::CrlRequest {
        this_update: REFERENCE_TIME,
        next_update: Some(REFERENCE_TIME + Duration::days(1)),
        crl_number: 1,
        scope,
    };
    let entries = revoked.iter().map(|s| Revocation {
        serial: Serial::from(*s),
        revoked_at: REFERENCE_TIME - Duration::days(1),
        reason: None,
    });
    Crl::from_der(&ca.issue_crl(&request, entries).unwrap()).unwrap()
}

fn partition(c: &JpkiCertificate) -> CrlScope {
    CrlScope::Partition(c.crl_distribution_point().unwrap().clone())
}

#[test]
fn the_p384_cas_keep_the_rsa_cas_names_and_are_p384() {
    let b = &*BOTH;
    for (ng, rsa) in [
        (&b.ng_sign_ca, &b.rsa.sign_ca),
        (&b.ng_auth_ca, &b.rsa.auth_ca),
    ] {
        let (n, r) = (ng.certificate(), rsa.certificate());
        assert_eq!(n.subject().to_der(), r.subject().to_der());
        assert_eq!(n.algorithm(), Algorithm::EcdsaP384);
        assert_eq!(n.signature_algorithm(), Algorithm::EcdsaP384);
        assert_eq!(r.algorithm(), Algorithm::Rsa2048);
        assert_ne!(n.subject_key_id(), r.subject_key_id());
        assert!(matches!(n.public_key(), SubjectKey::P384(_)));
        assert_eq!(ng.algorithm(), Algorithm::EcdsaP384);
    }
}

#[test]
fn ng_and_rsa_certificates_verify_against_anchors_holding_both_in_either_order() {
    let b = &*BOTH;
    let cases = [
        (&b.ng_sign, &b.ng_sign_ca, CertKind::Signature),
        (&b.ng_auth, &b.ng_auth_ca, CertKind::Authentication),
        (
            &b.rsa.my_number_sign.certificate,
            &b.rsa.sign_ca,
            CertKind::Signature,
        ),
        (
            &b.rsa.my_number_auth.certificate,
            &b.rsa.auth_ca,
            CertKind::Authentication,
        ),
    ];
    for ng_first in [false, true] {
        let anchors = anchors(ng_first);
        for (c, ca, kind) in cases {
            assert_eq!(c.kind(), kind);
            let v = anchors
                .verify(c, REFERENCE_TIME, RevocationCheck::NotChecked)
                .unwrap();
            assert_eq!(
                v.anchor.fingerprint_sha256(),
                ca.certificate().fingerprint_sha256(),
                "ng_first={ng_first}"
            );
            assert_eq!(v.anchor.algorithm(), c.algorithm());
        }
    }
}

#[test]
fn ng_certificates_carry_the_ng_sim_policies_and_p384_keys() {
    let b = &*BOTH;
    assert_eq!(
        oid::dotted(oid::POLICY_NG_SIGN).unwrap(),
        format!("{}.1.1", oid::NG_SIM_ARC)
    );
    assert_eq!(
        oid::dotted(oid::POLICY_NG_AUTH).unwrap(),
        format!("{}.1.3", oid::NG_SIM_ARC)
    );
    assert_eq!(
        oid::dotted(oid::POLICY_NG_CARD_AUTH).unwrap(),
        format!("{}.1.9", oid::NG_SIM_ARC)
    );
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b.ng_sign.der(), oid::POLICY_NG_SIGN));
    assert!(!contains(b.ng_sign.der(), oid::POLICY_SIGN.as_bytes()));
    assert!(contains(b.ng_auth.der(), oid::POLICY_NG_AUTH));
    assert_eq!(b.ng_sign.algorithm(), Algorithm::EcdsaP384);
    assert_eq!(b.ng_sign.signature_algorithm(), Algorithm::EcdsaP384);
    assert_eq!(
        b.ng_sign.public_key(),
        &ng::card_public(11),
        "the card key comes back"
    );
    // The 4 facts, keyUsage and names are today's: the profile checks passed in from_der.
    assert_eq!(
        b.ng_sign.four_facts().unwrap().name,
        fixtures::holder().name
    );
    assert_eq!(
        b.ng_sign.authority_key_id(),
        b.ng_sign_ca.certificate().subject_key_id()
    );
    let ski = ng::card_public(11).key_identifier().unwrap();
    assert_eq!(b.ng_sign.subject_key_id(), Some(&ski[..]));
}

#[test]
fn the_ng_ca_past_2049_is_written_as_generalized_time() {
    // A CA issued 2030-04-01 runs 20 years, to 2050-03-31 23:59:59 JST.
    let ca = CertificateAuthority::create(
        &cert::CaRequest {
            hierarchy: Hierarchy::Signature,
            environment: cert::Environment::Production,
            serial: Serial::from(0x0C00_0100),
            not_before: datetime!(2030-04-01 00:00:00 UTC),
            not_after: cert::validity::ng_ca_not_after(cert::time::macros::date!(2030 - 04 - 01))
                .unwrap(),
        },
        ng::card_key(3),
    )
    .unwrap();
    let ca = ca.certificate();
    assert_eq!(ca.not_after(), datetime!(2050-03-31 14:59:59 UTC));
    let generalized = [&[0x18, 0x0F][..], b"20500331145959Z"].concat();
    let der = ca.der();
    assert!(der.windows(generalized.len()).any(|w| w == generalized));
    // notBefore in 2030 stays UTCTime.
    let utc = [&[0x17, 0x0D][..], b"300401000000Z"].concat();
    assert!(der.windows(utc.len()).any(|w| w == utc));
}

#[test]
fn a_crl_of_the_other_generation_under_the_same_name_is_never_used() {
    let b = &*BOTH;
    let anchors = anchors(false);
    let ng_cert = &b.ng_sign;
    // The RSA CA's CRL for the same partition, same issuer name, listing the NG serial.
    let rsa_crl = crl(&b.rsa.sign_ca, partition(ng_cert), &[0x3001]);
    assert_eq!(rsa_crl.issuer(), ng_cert.issuer());
    let ng_crl = crl(&b.ng_sign_ca, partition(ng_cert), &[]);
    assert_eq!(ng_crl.signature_algorithm(), Algorithm::EcdsaP384);
    // Alone it is refused, not taken as "not revoked" or "revoked".
    let err = anchors
        .verify(ng_cert, REFERENCE_TIME, RevocationCheck::Crl(&rsa_crl))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::CrlIssuerMismatch | Error::KeyAlgorithmMismatch { .. }
        ),
        "{err}"
    );
    let err = anchors
        .verify(
            ng_cert,
            REFERENCE_TIME,
            RevocationCheck::Crls(core::slice::from_ref(&rsa_crl)),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::CrlIssuerMismatch | Error::KeyAlgorithmMismatch { .. }
        ),
        "{err}"
    );
    // Among several it is passed over: the NG CRL decides (not revoked)…
    let both = [rsa_crl.clone(), ng_crl.clone()];
    let v = anchors
        .verify(ng_cert, REFERENCE_TIME, RevocationCheck::Crls(&both))
        .unwrap();
    assert!(v.revocation.is_checked());
    // …and in the other direction, the NG CRL listing the RSA certificate's serial does not
    // revoke the RSA certificate.
    let rsa_cert = &b.rsa.my_number_sign.certificate;
    let ng_listing_rsa = crl(
        &b.ng_sign_ca,
        partition(rsa_cert),
        &[u64::from_str_radix(&rsa_cert.serial().to_string(), 16).unwrap()],
    );
    let rsa_clean = crl(&b.rsa.sign_ca, partition(rsa_cert), &[]);
    let v = anchors
        .verify(
            rsa_cert,
            REFERENCE_TIME,
            RevocationCheck::Crls(&[ng_listing_rsa.clone(), rsa_clean]),
        )
        .unwrap();
    assert!(v.revocation.is_checked());
    // Only the wrong generation's CRLs given: no CRL for the partition, never "checked".
    let err = anchors
        .verify(
            rsa_cert,
            REFERENCE_TIME,
            RevocationCheck::Crls(&[ng_listing_rsa, ng_crl]),
        )
        .unwrap_err();
    assert!(matches!(err, Error::NoCrlForPartition { .. }), "{err}");
    // The NG CRL does revoke the NG certificate it lists.
    let revoking = crl(&b.ng_sign_ca, partition(ng_cert), &[0x3001]);
    let err = anchors
        .verify(
            ng_cert,
            REFERENCE_TIME,
            RevocationCheck::Crls(&[rsa_crl, revoking]),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Revoked { .. }), "{err}");
}

#[test]
fn issuing_a_mixed_certificate_is_refused() {
    let b = &*BOTH;
    let rsa_key = SubjectKey::from(b.rsa.my_number_sign.key.as_public_key());
    let err = ng::ng_sign(&b.ng_sign_ca, &rsa_key, 0x3100, None).unwrap_err();
    assert!(matches!(err, Error::MixedAlgorithms { .. }), "{err}");
    let err = ng::ng_auth(&b.rsa.auth_ca, &ng::card_public(13), 0x3101, None).unwrap_err();
    assert!(matches!(err, Error::MixedAlgorithms { .. }), "{err}");
}

#[test]
fn the_rsa_cutoff_refuses_rsa_chains_from_2031_and_is_configurable() {
    let b = &*BOTH;
    let until = datetime!(2032-06-30 14:59:59 UTC);
    let rsa = fixtures_rsa_auth_until(until);
    let ng = ng::ng_auth(&b.ng_auth_ca, &ng::card_public(14), 0x3200, Some(until)).unwrap();
    let anchors = anchors(true);
    assert_eq!(anchors.rsa_cutoff(), cert::RSA_CUTOFF);
    assert_eq!(cert::RSA_CUTOFF, datetime!(2031-01-01 00:00:00 UTC));
    let before = datetime!(2030-12-31 23:59:59 UTC);
    let at = datetime!(2031-01-01 00:00:00 UTC);
    anchors
        .verify(&rsa, before, RevocationCheck::NotChecked)
        .unwrap();
    let err = anchors
        .verify(&rsa, at, RevocationCheck::NotChecked)
        .unwrap_err();
    assert!(matches!(err, Error::RsaCutOff { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("RSA-2048") && text.contains("2031-01-01"),
        "{text}"
    );
    assert!(text.contains("first-generation card"), "{text}");
    // The next generation is not affected.
    anchors
        .verify(&ng, at, RevocationCheck::NotChecked)
        .unwrap();
    // A later cut-off (P5: an extension may be sought).
    let extended = anchors.with_rsa_cutoff(datetime!(2032-01-01 00:00:00 UTC));
    extended
        .verify(&rsa, at, RevocationCheck::NotChecked)
        .unwrap();
}

/// An RSA authentication certificate from the fixture CA, valid past the cut-off.
fn fixtures_rsa_auth_until(until: OffsetDateTime) -> JpkiCertificate {
    let b = &*BOTH;
    let key = SubjectKey::from(b.rsa.my_number_auth.key.as_public_key());
    ng::ng_auth(&b.rsa.auth_ca, &key, 0x3201, Some(until)).unwrap()
}

#[test]
fn ng_sim_certificates_are_never_production() {
    let b = &*BOTH;
    assert!(b.rsa.my_number_sign.certificate.is_production());
    assert!(!b.ng_sign.is_production());
    assert!(!b.ng_auth.is_production());
    assert_eq!(b.ng_sign.environment(), cert::Environment::Production);
}
