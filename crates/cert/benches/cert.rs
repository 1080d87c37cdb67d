//! Benchmarks: certificate parse, chain verify, CRL load and lookup at 1 k / 100 k / 1 M entries,
//! with `openssl crl -noout` timed in the same run for the ratio.
//!
//! `cargo bench -p cert` runs everything; `cargo bench -p cert -- --test` runs each benchmark
//! once and only the 1 k CRL.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cert::time::macros::datetime;
use cert::{
    Crl, CrlRequest, JpkiCertificate, Revocation, RevocationCheck, RevocationReason, Serial,
    TrustAnchors,
};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use test_support::fixtures::{self, REFERENCE_TIME};

/// Criterion's test mode: `cargo bench -- --test`, or `cargo test --benches` (which runs the
/// bench binary without `--bench`). Only the 1k-entry CRL is built then.
fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

fn sizes() -> &'static [usize] {
    if test_mode() {
        &[1_000]
    } else {
        &[1_000, 100_000, 1_000_000]
    }
}

fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn openssl_crl(path: &str) {
    let status = Command::new("openssl")
        .args(["crl", "-inform", "DER", "-noout", "-in", path])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Serials spread over 8 bytes, in increasing order as real CRLs list them.
fn serial_of(i: usize) -> Serial {
    Serial::from((u64::try_from(i).unwrap() + 1) * 0x0001_0000_0001)
}

fn certificates(c: &mut Criterion) {
    let set = fixtures::build().unwrap();
    let der = set.my_number_sign.certificate.der().to_vec();
    let mut anchors = TrustAnchors::new();
    anchors.add(set.sign_ca.certificate().clone()).unwrap();
    anchors.add(set.auth_ca.certificate().clone()).unwrap();
    let cert = JpkiCertificate::from_der(&der).unwrap();

    c.bench_function("parse/signature_cert", |b| {
        b.iter(|| JpkiCertificate::from_der(black_box(&der)).unwrap())
    });
    c.bench_function("verify/chain", |b| {
        b.iter(|| {
            anchors
                .verify(
                    black_box(&cert),
                    REFERENCE_TIME,
                    RevocationCheck::NotChecked,
                )
                .unwrap()
                .anchor
                .serial()
        })
    });
}

fn crls(c: &mut Criterion) {
    let set = fixtures::build().unwrap();
    let dir = std::env::temp_dir().join(format!("cert-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let have_openssl = openssl_available();
    if !have_openssl {
        eprintln!("openssl not on PATH: no comparison");
    }
    let mut summary = Vec::new();

    for &n in sizes() {
        let revoked = (0..n).map(|i| Revocation {
            serial: serial_of(i),
            revoked_at: datetime!(2025-01-01 00:00:00 UTC),
            reason: Some(RevocationReason::KeyCompromise),
        });
        let request = CrlRequest {
            this_update: REFERENCE_TIME,
            next_update: Some(datetime!(2026-01-02 00:00:00 UTC)),
            crl_number: 1,
            scope: cert::CrlScope::Complete,
        };
        let der = set.sign_ca.issue_crl(&request, revoked).unwrap();
        let path: PathBuf = dir.join(format!("crl-{n}.der"));
        std::fs::write(&path, &der).unwrap();
        let path_str = path.to_str().unwrap().to_owned();

        let mut group = c.benchmark_group("crl_load");
        if n >= 100_000 {
            group
                .sample_size(10)
                .measurement_time(Duration::from_secs(8));
        }
        group.bench_with_input(BenchmarkId::new("cert_read_and_parse", n), &path, |b, p| {
            b.iter(|| Crl::from_der(&std::fs::read(p).unwrap()).unwrap().len())
        });
        if have_openssl {
            group.bench_with_input(
                BenchmarkId::new("openssl_crl_noout", n),
                &path_str,
                |b, p| b.iter(|| openssl_crl(p)),
            );
        }
        group.finish();

        let crl = Crl::from_der(&der).unwrap();
        let mut group = c.benchmark_group("crl_lookup");
        let hit = serial_of(n / 2);
        let miss = Serial::from(3);
        group.bench_with_input(BenchmarkId::new("hit", n), &crl, |b, crl| {
            b.iter(|| crl.lookup(black_box(hit)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("miss", n), &crl, |b, crl| {
            b.iter(|| crl.lookup(black_box(miss)))
        });
        group.finish();

        let mut group = c.benchmark_group("crl_verify_signature");
        if n >= 100_000 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::from_parameter(n), &crl, |b, crl| {
            b.iter(|| crl.verify_signed_by(set.sign_ca.certificate()).unwrap())
        });
        group.finish();

        // One direct side-by-side timing for the ratio line (median of 3).
        if have_openssl && !test_mode() {
            let median = |f: &dyn Fn()| {
                let mut t: Vec<Duration> = (0..3)
                    .map(|_| {
                        let s = Instant::now();
                        f();
                        s.elapsed()
                    })
                    .collect();
                t.sort();
                t[1]
            };
            let ours = median(&|| {
                black_box(Crl::from_der(&std::fs::read(&path).unwrap()).unwrap());
            });
            let theirs = median(&|| openssl_crl(&path_str));
            summary.push(format!(
                "CRL {n:>9} entries ({:>6} KiB): cert {ours:>10.2?}  openssl crl -noout {theirs:>10.2?}  ratio {:.2}",
                der.len() / 1024,
                ours.as_secs_f64() / theirs.as_secs_f64()
            ));
        }
        let _ = std::fs::remove_file(&path);
    }
    let _ = std::fs::remove_dir(&dir);
    for line in summary {
        println!("{line}");
    }
}

criterion_group!(benches, certificates, crls);
criterion_main!(benches);
