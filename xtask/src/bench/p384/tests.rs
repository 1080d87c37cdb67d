//! The P-384 report section's parser and rendering, on captured `openssl speed` output.
use std::collections::HashMap;

use super::*;

fn anchor() -> P384Anchor {
    P384Anchor {
        cpu: OpensslSpeed {
            sign_per_s: 1000.0,
            verify_per_s: 1250.0,
        },
        // 1 ms per signature, 0.8 ms per verify
        wall: OpensslSpeed {
            sign_per_s: 1000.0,
            verify_per_s: 1250.0,
        },
    }
}

fn rsa() -> OpensslSpeed {
    OpensslSpeed {
        sign_per_s: 4000.0,
        verify_per_s: 50_000.0,
    }
}

fn render(figures: &[(&str, f64)], p384: &Result<P384Anchor, String>) -> String {
    let map: HashMap<String, f64> = figures.iter().map(|(k, v)| ((*k).into(), *v)).collect();
    let mean = |id: &str| map.get(id).copied();
    let mut w = String::new();
    section(&mut w, &mean, p384, &rsa()).unwrap();
    w
}

fn line<'a>(report: &'a str, starts: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.starts_with(starts))
        .unwrap_or_else(|| panic!("no line starting {starts:?} in\n{report}"))
}

#[test]
fn ratios_against_the_openssl_figure_of_the_same_operation() {
    let report = render(
        &[
            (SIGN_RFC6979, 2.5e6),
            (VERIFY, 0.4e6),
            (RSA_SIGN, 2.5e6),
            (RSA_VERIFY, 40e3),
            (CHAIN_RAW, 0.8e6),
        ],
        &Ok(anchor()),
    );
    assert!(report.contains("1000.0 sign/s, 1250.0 verify/s"));
    let sign = line(&report, "| P-384 sign, `p384` `sign_prehash`");
    assert!(
        sign.contains("| 2.500 ms | 400 | 1.000 ms | 2.50× |"),
        "{sign}"
    );
    let verify = line(&report, "| P-384 verify");
    assert!(verify.contains("| 800.0 µs | 0.50× |"), "{verify}");
    let rsa_sign = line(&report, "| RSA-2048 sign, `rsa`");
    assert!(rsa_sign.contains("| 250.0 µs | 10.00× |"), "{rsa_sign}");
    let chain = line(&report, "| P-384 chain EE → CA, raw");
    assert!(chain.ends_with("| 1.00× |"), "{chain}");
    // Not in this run: said so, with no ratio.
    let randomized = line(&report, "| P-384 sign, `p384` `sign_prehash_with_rng`");
    assert!(randomized.contains("| not run |"), "{randomized}");
    let card = line(&report, "| NG card in process");
    assert!(card.contains("| not run |"), "{card}");
    assert!(report.contains("`p384` P-384 sign takes 1.00× the time of `rsa` RSA-2048 sign"));
    assert!(report.contains("P-384 verify 10.00× RSA-2048 verify"));
    assert!(report.contains("OpenSSL: P-384 sign 4.00× RSA-2048 sign, verify 40.00×"));
}

#[test]
fn goals_met_not_met_and_not_yet_measured() {
    let met = render(
        &[
            (CARD_SIGN, 0.3e6),
            (CHAIN_CERT_API, 0.81e6),
            (CHAIN_CRL_ONCE, 0.6e6),
        ],
        &Ok(anchor()),
    );
    assert!(
        met.contains("checked once when loaded (`p384-chain/cert-api-crl-verified-once`): 0.75× one OpenSSL verify."),
        "{met}"
    );
    let card = line(&met, "| card-in-process");
    assert!(card.ends_with("| ≤ 0.35× | 0.30× | met |"), "{card}");
    let chain = line(&met, "| P-384 chain + CRL");
    assert!(chain.ends_with("| ≤ 1.00× | 1.01× | NOT met |"), "{chain}");

    let missing = render(&[(SIGN_RANDOMIZED, 2e6), (CHAIN_RAW, 0.6e6)], &Ok(anchor()));
    let card = line(&missing, "| card-in-process");
    assert!(card.contains("not yet measured (needs `2-card/compute-signature-p384`"));
    assert!(
        card.contains("raw `p384` randomized sign alone: 2.00×"),
        "{card}"
    );
    let chain = line(&missing, "| P-384 chain + CRL");
    assert!(
        chain.contains("raw-crate chain without CRL: 0.75×"),
        "{chain}"
    );
}

#[test]
fn without_the_openssl_p384_figure_the_report_says_so() {
    let why = "`openssl speed ecdsap384` printed no `384 bits ecdsa` line".to_owned();
    let report = render(&[(SIGN_RFC6979, 2.5e6), (CARD_SIGN, 0.1e6)], &Err(why));
    assert!(report.contains("No OpenSSL P-384 figure in this run (`openssl speed"));
    let sign = line(&report, "| P-384 sign, `p384` `sign_prehash`");
    assert!(sign.ends_with("| 2.500 ms | 400 | no figure | |"), "{sign}");
    // The card was measured but there is nothing to compare it with.
    let card = line(&report, "| card-in-process");
    assert!(card.contains("not yet measured"), "{card}");
    assert!(!report.contains("| met |"));
}
