//! Certificate files are first-class: `cert show FILE` shows one as `cert show SLOT` shows the
//! card's, and `--ca` takes a PEM bundle of several CA certificates, as openssl's `-CAfile`.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use test_support::process::succeeded as ok;

#[path = "support/common.rs"]
mod common;

use card_sim::SimCard;
use common::Scratch;
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

fn card(dir: &Scratch) -> PathBuf {
    let path = dir.path("card.jpkicard");
    SimCard::create(&path, sample::my_number(set(), true).unwrap()).unwrap();
    path
}

fn tool(card: &Path, args: &[&str]) -> Output {
    common::tool_with(card, &[], args, "")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn at() -> String {
    fixtures::REFERENCE_TIME
        .format(&cert::time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn cert_show_reads_a_file_as_it_reads_the_card() {
    let dir = Scratch::new("show-file");
    let card = card(&dir);
    let from_card = ok(&tool(&card, &["cert", "show", "auth"]));
    let der = dir.path("auth.der");
    let pem = dir.path("auth.pem");
    ok(&tool(&card, &["cert", "export", "auth", "-o", s(&der)]));
    ok(&tool(
        &card,
        &["cert", "export", "auth", "--pem", "-o", s(&pem)],
    ));
    for file in [&der, &pem] {
        assert_eq!(ok(&tool(&card, &["cert", "show", s(file)])), from_card);
        let json = ok(&tool(&card, &["cert", "show", s(file), "--json"]));
        assert_eq!(json, ok(&tool(&card, &["cert", "show", "auth", "--json"])));
    }
    // a missing file: one line, naming it
    let out = tool(&card, &["cert", "show", s(&dir.path("missing.pem"))]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("missing.pem"), "{err}");
}

#[test]
fn ca_takes_a_pem_bundle_of_several_certificates() {
    let dir = Scratch::new("ca-bundle");
    let card = card(&dir);
    let leaf = dir.path("auth.der");
    ok(&tool(&card, &["cert", "export", "auth", "-o", s(&leaf)]));
    // both CAs in one file, with the comments and blank lines bundles carry
    let bundle = dir.path("bundle.pem");
    std::fs::write(
        &bundle,
        format!(
            "# JPKI test CAs\nsignature CA\n{}\n\nauthentication CA\n{}",
            set().sign_ca.certificate().to_pem(),
            set().auth_ca.certificate().to_pem()
        ),
    )
    .unwrap();
    let verified = ok(&tool(
        &card,
        &[
            "cert",
            "verify",
            s(&leaf),
            "--ca",
            s(&bundle),
            "--at",
            &at(),
        ],
    ));
    assert!(verified.contains("revocation: not checked"), "{verified}");
    // the auth CA alone is not enough without the bundle's second certificate: sign CA only
    let sign_only = dir.path("sign-only.pem");
    std::fs::write(&sign_only, set().sign_ca.certificate().to_pem()).unwrap();
    let out = tool(
        &card,
        &[
            "cert",
            "verify",
            s(&leaf),
            "--ca",
            s(&sign_only),
            "--at",
            &at(),
        ],
    );
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    // a broken second block is named
    let broken = dir.path("broken.pem");
    std::fs::write(
        &broken,
        format!(
            "{}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            set().sign_ca.certificate().to_pem()
        ),
    )
    .unwrap();
    let out = tool(
        &card,
        &[
            "cert",
            "verify",
            s(&leaf),
            "--ca",
            s(&broken),
            "--at",
            &at(),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("certificate 2"), "{err}");
    // and a PEM file without any certificate
    let empty = dir.path("empty.pem");
    std::fs::write(
        &empty,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let out = tool(&card, &["cert", "verify", s(&leaf), "--ca", s(&empty)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holds no PEM certificate"), "{err}");
}
