//! `--crl` with partitioned CRLs: repeatable, a directory of `*.crl` files, the verifier's
//! choice of the certificate's partition, and the refusals (wrong partition, none among those
//! given, stale).

use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use cert::time::{Duration, OffsetDateTime};
use cert::{CrlRequest, CrlScope, Holder, JpkiCertificate, Municipality, Revocation, Serial};
use test_support::fixtures::{self, FixtureSet, ISSUED_AT, REFERENCE_TIME};
use test_support::process::succeeded as ok;

#[path = "support/common.rs"]
mod common;

use common::Scratch;

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

/// The one place that builds a municipality (romaji, its 団体コード).
fn municipality(prefecture: &str, city: &str, code: &str) -> Municipality {
    let m = Municipality::new(code, city).unwrap();
    assert_eq!(m.prefecture, prefecture, "{code} is not in {prefecture}");
    m
}

fn sign_cert(serial: u64, m: Municipality) -> JpkiCertificate {
    let holder = Holder {
        municipality: m,
        ..fixtures::holder()
    };
    set()
        .sign_ca
        .issue_signature(&cert::SignatureRequest {
            serial: Serial::from(serial),
            public_key: set().my_number_sign.certificate.public_key(),
            not_before: ISSUED_AT,
            not_after: REFERENCE_TIME + Duration::days(365),
            holder: &holder,
            common_name: cert::SignatureCommonName::new(
                ISSUED_AT,
                u32::try_from(serial % 100_000).unwrap(),
                &cert::WindowId::new(holder.municipality.code.as_str(), 1).unwrap(),
            )
            .unwrap(),
        })
        .unwrap()
}

fn crl(scope: CrlScope, revoked: &[u64]) -> Vec<u8> {
    set()
        .sign_ca
        .issue_crl(
            &CrlRequest {
                this_update: REFERENCE_TIME,
                next_update: Some(REFERENCE_TIME + Duration::days(1)),
                crl_number: 3,
                scope,
            },
            revoked.iter().map(|s| Revocation {
                serial: Serial::from(*s),
                revoked_at: ISSUED_AT + Duration::days(1),
                reason: Some(cert::RevocationReason::Superseded),
            }),
        )
        .unwrap()
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&cert::time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .args(args)
        .output()
        .unwrap()
}

/// Exit code 4 (not verified), the reason on standard error.
fn refused(out: &Output, what: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "stderr: {err}");
    for w in what {
        assert!(err.contains(w), "{w:?} not in {err}");
    }
}

#[test]
fn crl_takes_files_and_directories_and_picks_the_certificates_partition() {
    let dir = Scratch::new("crl-choice");
    let chiyoda = sign_cert(0x0600_0001, municipality("Tokyo-to", "Chiyoda-ku", "13101"));
    let naka = sign_cert(
        0x0600_0002,
        municipality("Kanagawa-ken", "Yokohama-shi-Naka-ku", "14104"),
    );
    let kita = sign_cert(
        0x0600_0003,
        municipality("Osaka-fu", "Osaka-shi-Kita-ku", "27127"),
    );
    let part =
        |c: &JpkiCertificate| CrlScope::Partition(c.crl_distribution_point().unwrap().clone());
    let crls = dir.path("crls");
    std::fs::create_dir_all(&crls).unwrap();
    std::fs::write(crls.join("chiyoda.crl"), crl(part(&chiyoda), &[])).unwrap();
    std::fs::write(crls.join("naka.crl"), crl(part(&naka), &[0x0600_0002])).unwrap();
    std::fs::write(crls.join("arl.crl"), crl(CrlScope::Authority, &[])).unwrap();
    std::fs::write(crls.join("README.txt"), "not a CRL: left alone\n").unwrap();
    let ca = dir.path("sign-ca.pem");
    std::fs::write(&ca, set().sign_ca.certificate().to_pem()).unwrap();
    let cert_file = |name: &str, c: &JpkiCertificate| {
        let p = dir.path(name);
        std::fs::write(&p, c.to_pem()).unwrap();
        p
    };
    let (chiyoda_pem, naka_pem, kita_pem) = (
        cert_file("chiyoda.pem", &chiyoda),
        cert_file("naka.pem", &naka),
        cert_file("kita.pem", &kita),
    );
    let at = rfc3339(REFERENCE_TIME);
    let verify = |cert: &Path, extra: &[&str]| {
        let mut args = vec!["cert", "verify", s(cert), "--ca", s(&ca), "--at", &at];
        args.extend_from_slice(extra);
        run(&args)
    };

    // A directory: the Chiyoda partition (no entries) decides for the Chiyoda certificate …
    let out = ok(&verify(&chiyoda_pem, &["--crl", s(&crls)]));
    assert!(
        out.contains("  revocation: not revoked (CRL of 2026-01-01 00:00:00 UTC, 0 entries)\n"),
        "{out}"
    );
    // … and the Naka partition, which lists it, for the Naka one.
    refused(
        &verify(&naka_pem, &["--crl", s(&crls)]),
        &["certificate revoked", "superseded"],
    );
    // Repeated files work the same way.
    let (c_crl, n_crl) = (crls.join("chiyoda.crl"), crls.join("naka.crl"));
    refused(
        &verify(&naka_pem, &["--crl", s(&c_crl), "--crl", s(&n_crl)]),
        &["certificate revoked"],
    );
    // One CRL of another partition: refused, naming both partitions.
    refused(
        &verify(&naka_pem, &["--crl", s(&c_crl)]),
        &[
            "CN=Chiyoda-ku CRLDP does not cover a certificate of",
            "CN=Yokohama-shi-Naka-ku CRLDP",
        ],
    );
    // No CRL of the certificate's partition among those given: never "not checked".
    refused(
        &verify(&kita_pem, &["--crl", s(&crls)]),
        &[
            "no CRL for partition",
            "CN=Osaka-shi-Kita-ku CRLDP among the 3 given",
        ],
    );
    // Past the CRLs' nextUpdate: refused as stale unless --allow-stale-crl.
    let late = rfc3339(REFERENCE_TIME + Duration::days(2));
    let base = [
        "cert",
        "verify",
        s(&chiyoda_pem),
        "--ca",
        s(&ca),
        "--at",
        &late,
    ];
    let mut args = base.to_vec();
    args.extend_from_slice(&["--crl", s(&crls)]);
    refused(&run(&args), &["stale", "2026-01-02 00:00:00 UTC"]);
    args.push("--allow-stale-crl");
    ok(&run(&args));
    // --allow-stale-crl needs --crl: a usage error.
    let mut args = base.to_vec();
    args.push("--allow-stale-crl");
    assert_eq!(run(&args).status.code(), Some(2));
}

#[test]
fn a_directory_without_crl_files_is_an_error() {
    let dir = Scratch::new("crl-empty-dir");
    let empty = dir.path("none");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "nothing\n").unwrap();
    let cert = dir.path("sign.pem");
    std::fs::write(&cert, set().my_number_sign.certificate.to_pem()).unwrap();
    let out = run(&["cert", "verify", s(&cert), "--crl", s(&empty)]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holds no *.crl file"), "{err}");
}
