//! `--json` on every command that reads: one JSON document on standard output (serde_json),
//! with the fields the text form shows.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

#[path = "support/common.rs"]
mod common;

use card_sim::SimCard;
use common::Scratch;
use sample::{SIGN_PIN, TEXT_PIN};
use serde_json::Value;
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

fn card(dir: &Scratch) -> PathBuf {
    let path = dir.path("card.jpkicard");
    SimCard::create(&path, sample::my_number(set(), true).unwrap()).unwrap();
    std::fs::write(
        dir.path("sign-ca.pem"),
        set().sign_ca.certificate().to_pem(),
    )
    .unwrap();
    std::fs::write(dir.path("sign.crl"), &set().sign_crl).unwrap();
    path
}

/// Runs jpki-tool and parses its standard output as one JSON document.
fn json(card: &Path, args: &[&str], stdin: &str) -> Value {
    let out: Output = common::tool_with(card, &[], args, stdin);
    assert!(
        out.status.success(),
        "{args:?}: exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{args:?}: one line: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}"))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn every_reading_command_speaks_json() {
    let dir = Scratch::new("json");
    let card = card(&dir);

    let info = json(&card, &["info", "--json"], "");
    assert_eq!(info["auth_certificate"], true);
    assert_eq!(info["sign_certificate"], true);
    assert_eq!(info["generation"], "current");
    assert_eq!(info["signature_algorithm"], "sha256WithRSAEncryption");
    let token = &info["token"];
    assert_eq!(token["label"], "JPKIAPICCTOKEN2");
    assert_eq!(token["model"], "E16R01NJ");
    assert_eq!(
        (token["min_pin_len"].as_u64(), token["max_pin_len"].as_u64()),
        (Some(6), Some(16))
    );
    let serial = token["serial"].as_str().unwrap();
    assert!(
        serial.len() == 16 && serial.bytes().all(|b| b.is_ascii_digit()),
        "{info}"
    );
    assert_eq!(info["pins"]["auth"]["tries_left"], 3);
    assert_eq!(info["pins"]["text_support"]["present"], true);

    let status = json(&card, &["pin", "status", "--json"], "");
    assert_eq!(status, info["pins"]);
    assert_eq!(status["sign"]["blocked"], false);

    let shown = json(&card, &["cert", "show", "auth", "--json"], "");
    assert_eq!(
        shown["serial"],
        set().my_number_auth.certificate.serial().to_string()
    );

    let text = json(&card, &["text", "--json"], &format!("{TEXT_PIN}\n"));
    assert_eq!(text["my_number"].as_str().unwrap().len(), 12);
    assert!(text["name"].is_string() && text["address"].is_string());

    // a signature, then its verification and the signer's certificate
    let doc = dir.path("doc.txt");
    std::fs::write(&doc, b"a document").unwrap();
    let p7s = dir.path("doc.p7s");
    let out = common::tool_with(
        &card,
        &[],
        &["sign", "--key", "sign", s(&doc), "-o", s(&p7s)],
        &format!("{SIGN_PIN}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let at = fixtures::REFERENCE_TIME
        .format(&cert::time::format_description::well_known::Rfc3339)
        .unwrap();
    let ca = dir.path("sign-ca.pem");
    let crl = dir.path("sign.crl");
    let verified = json(
        &card,
        &[
            "verify",
            s(&p7s),
            s(&doc),
            "--ca",
            s(&ca),
            "--crl",
            s(&crl),
            "--at",
            &at,
            "--json",
        ],
        "",
    );
    assert_eq!(verified["verified"], true);
    assert_eq!(verified["revocation"]["checked"], true);
    assert_eq!(verified["signer"]["kind"], "signature (署名用)");

    let signer = dir.path("sign.der");
    let out = common::tool_with(
        &card,
        &[],
        &["cert", "export", "sign", "-o", s(&signer)],
        &format!("{SIGN_PIN}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let checked = json(
        &card,
        &[
            "cert",
            "verify",
            s(&signer),
            "--ca",
            s(&ca),
            "--at",
            &at,
            "--json",
        ],
        "",
    );
    assert_eq!(checked["verified"], true);
    assert_eq!(checked["revocation"]["checked"], false);
    assert_eq!(
        checked["revocation"]["result"],
        "not checked (no CRL given)"
    );
}
