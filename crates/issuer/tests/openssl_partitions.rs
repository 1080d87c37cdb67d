//! The CRLs an authority publishes, read by openssl as an independent relying party: every file
//! of `crl/` (the municipality partitions and the ARLs) is a CRL openssl reads and whose
//! signature it checks against the CA, and `openssl verify -crl_check` with a certificate's own
//! partition finds a revoked certificate revoked and a good one good, while the partition of
//! another municipality does not cover the certificate.

use std::path::Path;
use std::process::Command;

use card_sim::{CardProfile, KeyRole, SimCard};
use cert::time::{Duration, OffsetDateTime};
use cert::{Hierarchy, JpkiCertificate, RevocationReason};
use issuer::{Authority, IssueRequest, RetryLimits};
use pin_policy::{Pin, PinKind};
use test_support::cards::temp_dir;
use test_support::fixtures::{holder, other_holder};

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl on PATH (the CI installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A signature-only My Number card for `holder`, issued now (openssl checks at the real time).
fn issue(authority: &mut Authority, dir: &Path, name: &str, holder: cert::Holder) -> SimCard {
    let now = OffsetDateTime::now_utc();
    let request = IssueRequest {
        profile: CardProfile::MyNumber,
        holder,
        my_number: None,
        auth_pin: None,
        sign_pin: Some(Pin::new(PinKind::Signature, b"ABC123").unwrap()),
        text_pin: None,
        resident_pin: None,
        retry_limits: RetryLimits::default(),
        // within both holders' 10th birthday after issue
        card_expiry: cert::validity::jst_date(now + Duration::days(5 * 365)),
        issued_at: now,
        stay_until: None,
    };
    authority
        .issue_card(
            request,
            &dir.join(name),
            &mut test_support::keys::seeded_rng(5),
        )
        .unwrap()
}

fn sign_cert(card: &SimCard) -> JpkiCertificate {
    JpkiCertificate::from_der(card.certificate(KeyRole::Signature).unwrap()).unwrap()
}

#[test]
fn openssl_checks_each_municipality_partition_and_every_published_crl() {
    let dir = temp_dir("openssl-partitions");
    let mut authority = Authority::create(
        &dir.join("authority"),
        OffsetDateTime::now_utc() - Duration::hours(1),
        &mut test_support::keys::seeded_rng(41),
    )
    .unwrap();
    let chiyoda = sign_cert(&issue(&mut authority, &dir, "chiyoda", holder()));
    let osaka = sign_cert(&issue(&mut authority, &dir, "osaka", other_holder()));
    authority
        .revoke(
            &chiyoda,
            RevocationReason::KeyCompromise,
            OffsetDateTime::now_utc(),
        )
        .unwrap();

    let ca = authority.ca_path(Hierarchy::Signature);
    // every published CRL: read, its signature checked against its CA
    let mut seen = 0;
    for entry in std::fs::read_dir(authority.crl_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let ca = authority.ca_path(if name.starts_with("sign-") {
            Hierarchy::Signature
        } else {
            Hierarchy::Authentication
        });
        let (ok, out) = openssl(&[
            "crl",
            "-inform",
            "DER",
            "-in",
            s(&path),
            "-noout",
            "-text",
            "-CAfile",
            s(&ca),
        ]);
        assert!(ok && out.contains("verify OK"), "{name}: {out}");
        assert!(
            out.contains("Issuing Distribution Point") && out.contains("critical"),
            "{name}: {out}"
        );
        seen += 1;
    }
    // two municipalities × two hierarchies, and the two ARLs
    assert_eq!(seen, 6);

    let pem = |c: &JpkiCertificate, name: &str| {
        let p = dir.join(format!("{name}.pem"));
        std::fs::write(&p, c.to_pem()).unwrap();
        p
    };
    let crl_pem = |c: &JpkiCertificate, name: &str| {
        let p = dir.join(format!("{name}.crl.pem"));
        let der = authority.crl_path_for(c).unwrap();
        let (ok, out) = openssl(&["crl", "-inform", "DER", "-in", s(&der), "-out", s(&p)]);
        assert!(ok, "{out}");
        p
    };
    let (chiyoda_pem, osaka_pem) = (pem(&chiyoda, "chiyoda"), pem(&osaka, "osaka"));
    let (chiyoda_crl, osaka_crl) = (crl_pem(&chiyoda, "chiyoda"), crl_pem(&osaka, "osaka"));
    let verify = |crl: &Path, cert: &Path| {
        openssl(&[
            "verify",
            "-crl_check",
            "-CAfile",
            s(&ca),
            "-CRLfile",
            s(crl),
            s(cert),
        ])
    };

    let (ok, out) = verify(&chiyoda_crl, &chiyoda_pem);
    assert!(!ok && out.contains("certificate revoked"), "{out}");
    let (ok, out) = verify(&osaka_crl, &osaka_pem);
    assert!(ok && out.contains("OK"), "{out}");
    // the other municipality's partition does not cover the certificate
    let (ok, out) = verify(&chiyoda_crl, &osaka_pem);
    assert!(
        !ok && (out.contains("different CRL scope")
            || out.contains("unable to get certificate CRL")),
        "{out}"
    );
    let (ok, out) = verify(&osaka_crl, &chiyoda_pem);
    assert!(!ok && !out.contains(": OK"), "{out}");
}
