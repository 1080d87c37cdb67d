//! Issue 18's "done when", through the binary: one authority issues a card of each
//! generation; `sign`, `verify`, `auth respond`/`check`, `pin status`, `pin change` and the PUK
//! reset work on the next-generation card unchanged; the RSA cut-off takes effect by setting
//! the verification time; a revoked next-generation certificate is caught in its own CRL.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/common.rs"]
mod common;

use common::{Scratch, tool_with};
use issuer::{Authority, IssueRequest, NextGenIssueRequest, RetryLimits};
use pin_policy::{Pin, PinKind};
use test_support::fixtures::holder;

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Cards {
    authority: PathBuf,
    rsa: PathBuf,
    ng: PathBuf,
}

/// An authority with one card of each generation for the same holder (issued now: the CLI
/// checks at the current time).
fn issue(scratch: &Scratch) -> Cards {
    let now = cert::time::OffsetDateTime::now_utc();
    let dir = scratch.path("authority");
    let mut authority = Authority::create(&dir, now, &mut rand::rng()).unwrap();
    let card_expiry =
        cert::validity::latest_card_expiry(cert::validity::jst_date(now), holder().birth_date)
            .unwrap();
    let rsa = scratch.path("rsa.card");
    authority
        .issue_card(
            IssueRequest {
                profile: card_sim::CardProfile::MyNumber,
                holder: holder(),
                my_number: None,
                auth_pin: Some(pin(PinKind::Authentication, "1234")),
                sign_pin: Some(pin(PinKind::Signature, "ABC123")),
                text_pin: None,
                resident_pin: None,
                retry_limits: RetryLimits::default(),
                card_expiry,
                stay_until: None,
                issued_at: now,
            },
            &rsa,
            &mut rand::rng(),
        )
        .unwrap();
    let ng = scratch.path("ng.card");
    authority
        .issue_next_gen_card(
            NextGenIssueRequest {
                holder: holder(),
                my_number: card_sim::MyNumber::new("123456789018").unwrap(),
                with_authentication: true,
                with_signature: true,
                sign_password: pin(PinKind::Signature, "XYZ789"),
                pin4: pin(PinKind::Authentication, "2468"),
                retry_limits: card_sim::NextGenRetryLimits::default(),
                card_expiry,
                stay_until: None,
                issued_at: now,
            },
            &ng,
            &mut rand::rng(),
        )
        .unwrap();
    Cards {
        authority: dir,
        rsa,
        ng,
    }
}

#[test]
fn one_command_verifies_signatures_of_both_generations_and_the_rsa_cut_off_shows() {
    let scratch = Scratch::new("ng-sign");
    let cards = issue(&scratch);
    let doc = scratch.path("doc.txt");
    std::fs::write(&doc, b"a document signed by both generations\n").unwrap();
    let a = &cards.authority;
    let (rsa_p7s, ng_p7s) = (scratch.path("rsa.p7s"), scratch.path("ng.p7s"));
    for (card, secret, out) in [
        (&cards.rsa, "ABC123\n", &rsa_p7s),
        (&cards.ng, "XYZ789\n", &ng_p7s),
    ] {
        let o = tool_with(
            card,
            &[],
            &["sign", "--key", "sign", "--output", s(out), s(&doc)],
            secret,
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    // one command, both anchors of the signature hierarchy (same name), the CRL directory
    let (rsa_ca, ng_ca, crl) = (
        a.join("sign-ca.pem"),
        a.join("sign-ca-ng.pem"),
        a.join("crl"),
    );
    let verify = |p7s: &Path| {
        run(&[
            "verify",
            "--ca",
            s(&rsa_ca),
            "--ca",
            s(&ng_ca),
            "--crl",
            s(&crl),
            s(p7s),
            s(&doc),
        ])
    };
    for p7s in [&rsa_p7s, &ng_p7s] {
        let o = verify(p7s);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("not revoked"), "{}", text(&o));
    }
    // openssl agrees on the next-generation CMS (RFC 5753)
    let o =
        test_support::process::openssl_cms_verify(&ng_p7s, &doc, &a.join("sign-ca-ng.pem"), None);
    assert!(o.status.success(), "{}", text(&o));
    // past 2031-01-01 the RSA signature is refused with the reason, the P-384 one is not
    // (revocation is not checked then: today's CRLs are stale by then)
    let later = ["--at", "2031-02-01T00:00:00Z"];
    let run_later = |p7s: &Path| {
        run(&[
            "verify",
            "--ca",
            s(&a.join("sign-ca.pem")),
            "--ca",
            s(&a.join("sign-ca-ng.pem")),
            later[0],
            later[1],
            s(p7s),
            s(&doc),
        ])
    };
    let o = run_later(&rsa_p7s);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        text(&o).contains("not accepted from 2031-01-01"),
        "{}",
        text(&o)
    );
    let o = run_later(&ng_p7s);
    assert!(o.status.success(), "{}", text(&o));
    // the cut-off is configurable: moved past the check time, the RSA signature verifies again
    let o = run(&[
        "verify",
        "--ca",
        s(&a.join("sign-ca.pem")),
        "--rsa-cutoff",
        "2032-01-01T00:00:00Z",
        later[0],
        later[1],
        s(&rsa_p7s),
        s(&doc),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&["verify", "--rsa-cutoff", "soon", s(&rsa_p7s), s(&doc)]);
    assert_eq!(o.status.code(), Some(6), "{}", text(&o));
}

#[test]
fn logins_of_both_generations_check_with_one_command() {
    let scratch = Scratch::new("ng-auth");
    let cards = issue(&scratch);
    let a = &cards.authority;
    for (card, secret, name) in [(&cards.rsa, "1234\n", "rsa"), (&cards.ng, "2468\n", "ng")] {
        let challenge = scratch.path(&format!("{name}.challenge"));
        let response = scratch.path(&format!("{name}.response"));
        let o = run(&["auth", "challenge", "--output", s(&challenge)]);
        assert!(o.status.success(), "{}", text(&o));
        let o = tool_with(
            card,
            &[],
            &["auth", "respond", s(&challenge), "--output", s(&response)],
            secret,
        );
        assert!(o.status.success(), "{}", text(&o));
        let o = run(&[
            "auth",
            "check",
            s(&challenge),
            s(&response),
            "--ca",
            s(&a.join("auth-ca.pem")),
            "--ca",
            s(&a.join("auth-ca-ng.pem")),
            "--crl",
            s(&a.join("crl")),
        ]);
        assert!(o.status.success(), "{name}: {}", text(&o));
    }
}

#[test]
fn next_generation_secrets_from_the_command_line() {
    let scratch = Scratch::new("ng-pins");
    let cards = issue(&scratch);
    let card = &cards.ng;
    let status = || {
        let o = tool_with(card, &[], &["pin", "status", "--json"], "");
        assert!(o.status.success(), "{}", text(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let j = status();
    assert_eq!(j["sign_password"]["tries_left"], 5, "{j}");
    assert_eq!(j["pin4"]["tries_left"], 3, "{j}");
    assert_eq!(j["puk"]["set"], false, "{j}");
    // set the PUK (signing password, new PUK twice), block the 4-digit PIN, reset it with the PUK
    let o = tool_with(
        card,
        &[],
        &["pin", "change", "puk"],
        "XYZ789\n12345678\n12345678\n",
    );
    assert!(o.status.success(), "{}", text(&o));
    for _ in 0..3 {
        let o = tool_with(card, &[], &["pin", "change", "auth"], "0000\n1357\n1357\n");
        assert!(!o.status.success());
    }
    assert_eq!(status()["pin4"]["blocked"], true);
    let o = tool_with(
        card,
        &[],
        &["pin", "reset", "--with-puk"],
        "12345678\n1357\n1357\n",
    );
    assert!(o.status.success(), "{}", text(&o));
    let j = status();
    assert_eq!(j["pin4"]["tries_left"], 3, "{j}");
    // the new 4-digit PIN signs a login; the old one is wrong
    let o = tool_with(card, &[], &["pin", "change", "auth"], "1357\n2468\n2468\n");
    assert!(o.status.success(), "{}", text(&o));
    // the PUK does not exist on today's card
    let o = tool_with(
        &cards.rsa,
        &[],
        &["pin", "reset", "--with-puk"],
        "12345678\n1357\n1357\n",
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("next-generation"), "{}", text(&o));
}

#[test]
fn a_revoked_next_generation_certificate_is_caught_in_its_own_crl() {
    let scratch = Scratch::new("ng-revoke");
    let cards = issue(&scratch);
    let doc = scratch.path("doc.txt");
    std::fs::write(&doc, b"revoked later\n").unwrap();
    let p7s = scratch.path("ng.p7s");
    let o = tool_with(
        &cards.ng,
        &[],
        &["sign", "--key", "sign", "--output", s(&p7s), s(&doc)],
        "XYZ789\n",
    );
    assert!(o.status.success(), "{}", text(&o));
    let sign_cert = {
        let card = card_sim::SimCard::open_snapshot(&cards.ng).unwrap();
        cert::JpkiCertificate::from_der(card.certificate(card_sim::KeyRole::Signature).unwrap())
            .unwrap()
    };
    let mut authority = Authority::open(&cards.authority).unwrap();
    authority
        .revoke(
            &sign_cert,
            cert::RevocationReason::KeyCompromise,
            cert::time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    assert!(
        authority
            .crl_path_for(&sign_cert)
            .unwrap()
            .ends_with("sign-ng-13101.crl")
    );
    drop(authority);
    let a = &cards.authority;
    let o = run(&[
        "verify",
        "--ca",
        s(&a.join("sign-ca.pem")),
        "--ca",
        s(&a.join("sign-ca-ng.pem")),
        "--crl",
        s(&a.join("crl")),
        s(&p7s),
        s(&doc),
    ]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("revoked"), "{}", text(&o));
}
