//! CRL partitions (RFC 5280 §5.2.5 IssuingDistributionPoint): one CRL per municipality and an
//! authority revocation list per CA, written, read back, chosen by the verifier and refused
//! where they do not cover a certificate.

#[path = "support/partitions.rs"]
mod partitions;

use std::sync::LazyLock;

use cert::time::Duration;
use cert::{
    Crl, CrlScope, Error, JpkiCertificate, RevocationCheck, RevocationReason, RevocationStatus,
    TrustAnchors,
};
use partitions::{auth_cert, chiyoda, crl, crl_at, kita, naka, partition_of, revoked, sign_cert};
use test_support::fixtures::{self, FixtureSet, REFERENCE_TIME};

static SET: LazyLock<FixtureSet> = LazyLock::new(|| fixtures::build().unwrap());

fn anchors() -> TrustAnchors {
    let mut a = TrustAnchors::new();
    a.add(SET.sign_ca.certificate().clone()).unwrap();
    a.add(SET.auth_ca.certificate().clone()).unwrap();
    a
}

fn parse(der: &[u8]) -> Crl {
    Crl::from_der(der).unwrap()
}

fn sign_ca_cert() -> &'static JpkiCertificate {
    SET.sign_ca.certificate()
}

#[test]
fn scopes_are_written_and_read_back() {
    let c = sign_cert(&SET, 0x0600_0001, &chiyoda());
    let dp = c.crl_distribution_point().unwrap().clone();
    assert_eq!(
        dp.to_string(),
        "C=JP, O=JPKI, OU=JPKI for digital signature, OU=CRL Distribution Points, \
         OU=Tokyo-to, CN=Chiyoda-ku CRLDP"
    );
    let part = parse(&crl(&SET.sign_ca, partition_of(&c), &[]));
    assert_eq!(part.scope(), CrlScope::Partition(dp.clone()));
    assert_eq!(part.distribution_point(), Some(&dp));

    // The ARL names the CA's own CRLDP, which is the CA name.
    let arl = parse(&crl(&SET.sign_ca, CrlScope::Authority, &[]));
    assert_eq!(arl.scope(), CrlScope::Authority);
    let ca_dp = sign_ca_cert().crl_distribution_point().unwrap();
    assert_eq!(ca_dp, sign_ca_cert().subject());
    assert_eq!(arl.distribution_point(), Some(ca_dp));

    let complete = parse(&crl(&SET.sign_ca, CrlScope::Complete, &[]));
    assert_eq!(complete.scope(), CrlScope::Complete);
    assert_eq!(complete.distribution_point(), None);
    assert_eq!(CrlScope::Authority.to_string(), "authority revocation list");
}

#[test]
fn the_idp_name_is_the_certificates_crldp_byte_for_byte() {
    let c = auth_cert(&SET, 0x0600_0002, &naka());
    let der = crl(&SET.auth_ca, partition_of(&c), &[]);
    // The CRLDP's dirName DER, as the certificate carries it, appears in the CRL's IDP.
    let dp_der = c.crl_distribution_point().unwrap().to_der();
    assert!(
        c.der().windows(dp_der.len()).any(|w| w == dp_der),
        "the certificate does not carry the canonical DER"
    );
    assert!(der.windows(dp_der.len()).any(|w| w == dp_der));
    // 2.5.29.28, critical.
    let idp_ext = [0x06, 0x03, 0x55, 0x1D, 0x1C, 0x01, 0x01, 0xFF];
    assert!(der.windows(idp_ext.len()).any(|w| w == idp_ext));
}

#[test]
fn the_right_partition_passes_and_a_wrong_one_is_refused_naming_both() {
    let c = sign_cert(&SET, 0x0600_0003, &chiyoda());
    let other = sign_cert(&SET, 0x0600_0004, &naka());
    let own = parse(&crl(&SET.sign_ca, partition_of(&c), &[]));
    let wrong = parse(&crl(&SET.sign_ca, partition_of(&other), &[]));
    own.check(&c).unwrap();
    let a = anchors();
    let v = a
        .verify(&c, REFERENCE_TIME, RevocationCheck::Crl(&own))
        .unwrap();
    assert!(v.revocation.is_checked());

    for err in [
        wrong.check(&c).unwrap_err(),
        a.verify(&c, REFERENCE_TIME, RevocationCheck::Crl(&wrong))
            .unwrap_err(),
    ] {
        let Error::CrlWrongPartition { crl, certificate } = &err else {
            panic!("{err}");
        };
        assert_eq!(*crl, other.crl_distribution_point().unwrap().to_string());
        assert_eq!(
            *certificate,
            c.crl_distribution_point().unwrap().to_string()
        );
        assert!(crl.ends_with("CN=Yokohama-shi-Naka-ku CRLDP"), "{crl}");
        assert!(
            certificate.ends_with("CN=Chiyoda-ku CRLDP"),
            "{certificate}"
        );
        let text = err.to_string();
        assert!(
            text.contains("CRL for C=JP")
                && text.contains("CN=Yokohama-shi-Naka-ku CRLDP does not cover a certificate of"),
            "{text}"
        );
        assert!(text.contains("CN=Chiyoda-ku CRLDP"), "{text}");
    }
}

#[test]
fn an_arl_does_not_decide_on_end_entities_nor_a_partition_on_cas() {
    let ee = sign_cert(&SET, 0x0600_0005, &chiyoda());
    let arl = parse(&crl(&SET.sign_ca, CrlScope::Authority, &[]));
    let part = parse(&crl(&SET.sign_ca, partition_of(&ee), &[]));
    let err = arl.check(&ee).unwrap_err();
    assert!(
        matches!(
            err,
            Error::CrlWrongScope {
                certificate: "an end-entity certificate",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("authority revocation list"),
        "{err}"
    );
    let err = anchors()
        .verify(&ee, REFERENCE_TIME, RevocationCheck::Crl(&arl))
        .unwrap_err();
    assert!(matches!(err, Error::CrlWrongScope { .. }), "{err}");

    let ca = sign_ca_cert();
    let err = part.check(ca).unwrap_err();
    assert!(
        matches!(
            err,
            Error::CrlWrongScope {
                certificate: "a CA certificate",
                ..
            }
        ),
        "{err}"
    );
    arl.check(ca).unwrap();
    arl.verify_signed_by(ca).unwrap();
}

#[test]
fn a_complete_crl_still_covers_every_certificate_of_its_ca() {
    let complete = parse(&crl(&SET.sign_ca, CrlScope::Complete, &[]));
    for m in [chiyoda(), naka(), kita()] {
        complete.check(&sign_cert(&SET, 0x0600_0006, &m)).unwrap();
    }
    complete.check(sign_ca_cert()).unwrap();
    // Not another CA's, though.
    let auth = auth_cert(&SET, 0x0600_0007, &chiyoda());
    assert!(matches!(
        complete.check(&auth),
        Err(Error::CrlIssuerMismatch)
    ));
}

/// Every partition of both hierarchies and both ARLs, as a client would be given them.
fn published(revoked_serial: u64) -> Vec<Crl> {
    let sign_chiyoda = partition_of(&sign_cert(&SET, 1, &chiyoda()));
    let sign_naka = partition_of(&sign_cert(&SET, 1, &naka()));
    let auth_chiyoda = partition_of(&auth_cert(&SET, 1, &chiyoda()));
    vec![
        parse(&crl(
            &SET.sign_ca,
            sign_naka,
            &[revoked(0x0700_0001, None), revoked(0x0700_0002, None)],
        )),
        parse(&crl(&SET.auth_ca, auth_chiyoda, &[])),
        parse(&crl(&SET.sign_ca, CrlScope::Authority, &[])),
        parse(&crl(
            &SET.sign_ca,
            sign_chiyoda,
            &[revoked(
                revoked_serial,
                Some(RevocationReason::KeyCompromise),
            )],
        )),
        parse(&crl(&SET.auth_ca, CrlScope::Authority, &[])),
    ]
}

#[test]
fn the_verifier_picks_the_certificates_partition_among_many() {
    let crls = published(0x0600_0009);
    let a = anchors();
    let good = sign_cert(&SET, 0x0600_0008, &chiyoda());
    let v = a
        .verify(&good, REFERENCE_TIME, RevocationCheck::Crls(&crls))
        .unwrap();
    // The Chiyoda signature partition (one entry), not the Naka one.
    assert!(
        matches!(
            v.revocation,
            RevocationStatus::NotRevoked { crl_entries: 1, .. }
        ),
        "{:?}",
        v.revocation
    );
    let bad = sign_cert(&SET, 0x0600_0009, &chiyoda());
    let err = a
        .verify(&bad, REFERENCE_TIME, RevocationCheck::Crls(&crls))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Revoked {
                reason: Some(RevocationReason::KeyCompromise),
                ..
            }
        ),
        "{err}"
    );
    let auth = auth_cert(&SET, 0x0600_0009, &chiyoda());
    a.verify(&auth, REFERENCE_TIME, RevocationCheck::Crls(&crls))
        .unwrap();
}

#[test]
fn no_crl_for_the_partition_is_an_error_never_an_unchecked_certificate() {
    let crls = published(0x0600_0009);
    let c = sign_cert(&SET, 0x0600_000A, &kita());
    let err = anchors()
        .verify(&c, REFERENCE_TIME, RevocationCheck::Crls(&crls))
        .unwrap_err();
    let Error::NoCrlForPartition { partition, given } = &err else {
        panic!("{err}");
    };
    assert_eq!(*given, 5);
    assert_eq!(*partition, c.crl_distribution_point().unwrap().to_string());
    assert!(
        err.to_string()
            .contains("CN=Osaka-shi-Kita-ku CRLDP among the 5 given"),
        "{err}"
    );
    let err = anchors()
        .verify(&c, REFERENCE_TIME, RevocationCheck::Crls(&[]))
        .unwrap_err();
    assert!(
        matches!(err, Error::NoCrlForPartition { given: 0, .. }),
        "{err}"
    );
}

#[test]
fn of_two_crls_of_one_partition_the_newest_decides() {
    let c = sign_cert(&SET, 0x0600_000B, &naka());
    let old = parse(&crl_at(
        &SET.sign_ca,
        partition_of(&c),
        REFERENCE_TIME - Duration::hours(1),
        &[],
    ));
    let new = parse(&crl(
        &SET.sign_ca,
        partition_of(&c),
        &[revoked(0x0600_000B, Some(RevocationReason::Superseded))],
    ));
    for crls in [[old.clone(), new.clone()], [new, old]] {
        let err = anchors()
            .verify(&c, REFERENCE_TIME, RevocationCheck::Crls(&crls))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Revoked {
                    reason: Some(RevocationReason::Superseded),
                    ..
                }
            ),
            "{err}"
        );
    }
}

#[test]
fn a_crl_past_its_next_update_is_refused_unless_the_caller_accepts_it() {
    let c = auth_cert(&SET, 0x0600_000C, &naka());
    let crls = [parse(&crl(&SET.auth_ca, partition_of(&c), &[]))];
    let a = anchors();
    let next = REFERENCE_TIME + Duration::days(1);
    a.verify(&c, next, RevocationCheck::Crls(&crls)).unwrap();
    let late = next + Duration::seconds(1);
    for check in [RevocationCheck::Crls(&crls), RevocationCheck::Crl(&crls[0])] {
        let err = a.verify(&c, late, check).unwrap_err();
        assert!(
            matches!(err, Error::CrlStale { next_update, at } if next_update == next && at == late),
            "{err}"
        );
        assert!(err.to_string().contains("2026-01-02 00:00:00 UTC"), "{err}");
    }
    let v = a
        .verify(&c, late, RevocationCheck::CrlsAcceptingStale(&crls))
        .unwrap();
    assert!(
        matches!(v.revocation, RevocationStatus::NotRevoked { crl_next_update: Some(n), .. } if n == next)
    );
}

#[test]
fn an_unknown_critical_crl_extension_is_refused() {
    let c = sign_cert(&SET, 0x0600_000D, &chiyoda());
    let mut der = crl(&SET.sign_ca, partition_of(&c), &[]);
    let idp_oid = [0x06, 0x03, 0x55, 0x1D, 0x1C];
    let at = der
        .windows(idp_oid.len())
        .position(|w| w == idp_oid)
        .unwrap();
    der[at + 4] = 0x63; // 2.5.29.99
    let err = Crl::from_der(&der).unwrap_err();
    assert!(
        matches!(err, Error::UnknownCriticalExtension { .. }),
        "{err}"
    );
}

#[test]
fn truncated_or_corrupt_partition_crls_never_panic() {
    let c = sign_cert(&SET, 0x0600_000E, &chiyoda());
    let der = crl(
        &SET.sign_ca,
        partition_of(&c),
        &[revoked(
            0x0600_000E,
            Some(RevocationReason::CertificateHold),
        )],
    );
    let parsed = parse(&der);
    assert!(parsed.check(&c).is_err());
    for n in 0..der.len() {
        assert!(Crl::from_der(&der[..n]).is_err(), "cut at {n}");
    }
    // Every byte (the IDP's included) flipped: an error or a CRL, never a panic.
    for i in 0..der.len() {
        for mask in [0x01, 0x80, 0xFF] {
            let mut d = der.clone();
            d[i] ^= mask;
            if let Ok(crl) = Crl::from_der(&d) {
                let _ = crl.check(&c);
                let _ = crl.scope();
            }
        }
    }
}

#[test]
fn the_real_cas_name_themselves_as_their_crl_distribution_point() {
    // So an ARL's IDP (the CA's CRLDP) covers the real CA certificates too.
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../jpki-tool/anchors");
    for name in [
        "signca01", "signca02", "signca03", "authca01", "authca02", "authca03",
    ] {
        let pem = std::fs::read_to_string(dir.join(format!("{name}.pem"))).unwrap();
        let ca = JpkiCertificate::from_pem(&pem).unwrap();
        assert_eq!(ca.crl_distribution_point(), Some(ca.subject()), "{name}");
    }
}

#[test]
fn a_partition_crl_under_the_cas_name_but_another_key_is_refused_not_skipped() {
    use cert::time::macros::{date, datetime};
    let forger = cert::CertificateAuthority::create(
        &cert::CaRequest {
            hierarchy: cert::Hierarchy::Signature,
            environment: cert::Environment::Production,
            serial: cert::Serial::from(0x0999),
            not_before: datetime!(2017-04-01 00:00:00 UTC),
            not_after: cert::validity::end_of_day_jst(date!(2037 - 03 - 31)),
        },
        test_support::keys::generate_seeded_key(977).unwrap(),
    )
    .unwrap();
    let c = sign_cert(&SET, 0x0600_000F, &chiyoda());
    let forged = parse(&crl(&forger, partition_of(&c), &[]));
    let other = parse(&crl(&SET.sign_ca, CrlScope::Authority, &[]));
    let err = anchors()
        .verify(&c, REFERENCE_TIME, RevocationCheck::Crls(&[forged, other]))
        .unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err}");
}
