//! Interop for the next generation: `openssl x509 -text` reads our P-384 certificates as
//! ecdsa-with-SHA384 / secp384r1, `openssl verify -crl_check` accepts an NG end entity under the
//! P-384 CA with its P-384 CRL and refuses a revoked one. Runs when `openssl` is on PATH (CI
//! installs it); otherwise says so and passes.

use std::process::Command;

use cert::time::Duration;
use cert::{CrlRequest, CrlScope, Hierarchy, Revocation, Serial};
use test_support::fixtures::REFERENCE_TIME;

#[path = "support/ng.rs"]
mod ng;

fn openssl(args: &[&str]) -> Option<(bool, String)> {
    let out = Command::new("openssl").args(args).output().ok()?;
    Some((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

/// A fresh scratch directory for one test, removed when dropped.
fn scratch(tag: &str) -> test_support::cards::TempDir {
    test_support::cards::temp_dir(&format!("cert-ng-openssl-{tag}"))
}

#[test]
fn openssl_reads_and_verifies_the_p384_hierarchy_with_its_crl() {
    if openssl(&["version"]).is_none() {
        eprintln!("openssl not found on PATH: interop test skipped");
        return;
    }
    let ca = ng::ng_ca(Hierarchy::Signature, 1);
    let good = ng::ng_sign(&ca, &ng::card_public(11), 0x3001, None).unwrap();
    let revoked = ng::ng_sign(&ca, &ng::card_public(15), 0x3005, None).unwrap();
    let crl = ca
        .issue_crl(
            &CrlRequest {
                this_update: REFERENCE_TIME,
                next_update: Some(REFERENCE_TIME + Duration::days(1)),
                crl_number: 7,
                scope: CrlScope::Partition(good.crl_distribution_point().unwrap().clone()),
            },
            [Revocation {
                serial: Serial::from(0x3005),
                revoked_at: REFERENCE_TIME - Duration::days(2),
                reason: None,
            }],
        )
        .unwrap();

    let dir = scratch("chain");
    let ca_pem = dir.write("ca.pem", ca.certificate().to_pem().as_bytes());
    let good_pem = dir.write("good.pem", good.to_pem().as_bytes());
    let revoked_pem = dir.write("revoked.pem", revoked.to_pem().as_bytes());
    let crl_der = dir.write("ca.crl.der", &crl);
    let at = (REFERENCE_TIME + Duration::hours(1))
        .unix_timestamp()
        .to_string();

    for pem in [&ca_pem, &good_pem] {
        let (ok, text) = openssl(&["x509", "-noout", "-text", "-in", pem]).unwrap();
        assert!(ok, "{text}");
        assert!(text.contains("ecdsa-with-SHA384"), "{text}");
        assert!(
            text.contains("secp384r1") || text.contains("P-384"),
            "{text}"
        );
        assert!(text.contains("id-ecPublicKey"), "{text}");
    }
    let (ok, text) = openssl(&["x509", "-noout", "-text", "-in", &good_pem]).unwrap();
    assert!(ok);
    assert!(
        text.contains("2.25.173270617506876255557316769785243186282.1.1"),
        "{text}"
    );

    let (ok, text) =
        openssl(&["crl", "-inform", "DER", "-in", &crl_der, "-noout", "-text"]).unwrap();
    assert!(ok && text.contains("ecdsa-with-SHA384"), "{text}");
    let (ok, crl_pem) = openssl(&["crl", "-inform", "DER", "-in", &crl_der]).unwrap();
    assert!(ok, "{crl_pem}");
    let crl_pem = dir.write("ca.crl.pem", crl_pem.as_bytes());

    let verify = |ee: &str| {
        openssl(&[
            "verify",
            "-attime",
            &at,
            "-crl_check",
            "-CRLfile",
            &crl_pem,
            "-CAfile",
            &ca_pem,
            ee,
        ])
        .unwrap()
    };
    let (ok, text) = verify(&good_pem);
    assert!(ok, "{text}");
    let (ok, text) = verify(&revoked_pem);
    assert!(!ok && text.contains("revoked"), "{text}");
}
