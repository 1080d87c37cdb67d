//! Signing and logging in: a CMS signature that jpki-tool and openssl verify, and the login
//! challenge, response and check.

use crate::ok;
use crate::target::{Pin, Target, path_str};

/// `jpki-tool verify SIG DOC` with the target's CA (and CRL) and time.
fn verify_args(t: &Target, p7s: &str, doc: &str) -> Vec<String> {
    let mut args = vec!["verify".to_owned(), p7s.to_owned(), doc.to_owned()];
    args.extend(t.trust_args("sign"));
    args.extend(t.at_args());
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn sign_and_verify_a_file_and_openssl_agrees() {
    let t = Target::new("sign");
    let doc = t.dir.path("form.xml");
    std::fs::write(&doc, "<申告書>e-Tax</申告書>\n".repeat(50)).unwrap();
    let p7s = t.dir.path("form.xml.p7s");
    let (doc_s, p7s_s) = (path_str(&doc), path_str(&p7s));
    ok(&t.tool(
        &["sign", "--key", "sign", &doc_s, "-o", &p7s_s],
        &t.pin_line(Pin::Sign),
    ));
    let out = ok(&t.tool(&strs(&verify_args(&t, &p7s_s, &doc_s)), ""));
    assert!(out.contains("Verification successful"), "{out}");
    if t.crl("sign").is_some() {
        assert!(out.contains("not revoked"), "{out}");
    }
    let sign = t.sign_certificate();
    let facts = sign.four_facts().unwrap();
    assert!(
        out.contains(&facts.name.text()),
        "the signer's 4 facts are shown: {out}"
    );
    if crate::has_openssl() {
        let o = test_support::process::openssl_cms_verify(&p7s, &doc, &t.ca("sign"), t.attime());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    } else {
        eprintln!("openssl not installed: its cms -verify is not run; .ci/run installs it");
    }
    // a changed document fails with exit code 4
    std::fs::write(&doc, "tampered").unwrap();
    let mut args = vec!["verify", &p7s_s, &doc_s, "--ca"];
    let ca = path_str(&t.ca("sign"));
    args.push(&ca);
    let at = t.at_args();
    args.extend(at.iter().map(String::as_str));
    let bad = t.tool(&args, "");
    assert_eq!(bad.status.code(), Some(4));
}

#[test]
fn login_flow_reveals_only_the_subject() {
    let t = Target::new("login");
    let challenge = path_str(&t.dir.path("challenge.txt"));
    let response = path_str(&t.dir.path("response.txt"));
    let used = path_str(&t.dir.path("used.txt"));
    ok(&t.tool(
        &[
            "auth",
            "challenge",
            "--service",
            "portal.example.jp",
            "-o",
            &challenge,
        ],
        "",
    ));
    ok(&t.tool(
        &["auth", "respond", &challenge, "-o", &response],
        &t.pin_line(Pin::Auth),
    ));
    // the challenge was issued now, so the check is at now: the fixture certificates are
    // valid until the 5th birthday after 2025, a served card's from its issuance
    let mut args = vec!["auth".to_owned(), "check".to_owned(), challenge, response];
    args.extend(t.trust_args("auth"));
    args.extend(["--used".to_owned(), used]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ok(&t.tool(&args, ""));
    assert!(out.contains("login OK: C=JP, CN="), "{out}");
    let sign = t.sign_certificate();
    let name = sign.four_facts().unwrap().name.text();
    assert!(!out.contains(&name), "no name leaks: {out}");
    // the same response again is a replay
    let replay = t.tool(&args, "");
    assert_eq!(replay.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&replay.stderr).contains("already used"));
}

/// From the real-reader suite: sign, verify without a CRL, and log in without a revocation
/// check, at the current time.
#[test]
fn sign_verify_and_login_through_the_reader() {
    let t = Target::new("real-reader");
    let doc = t.dir.path("doc.txt");
    std::fs::write(&doc, "signed through a PC/SC reader\n").unwrap();
    let p7s = t.dir.path("doc.p7s");
    let (d, s) = (path_str(&doc), path_str(&p7s));
    ok(&t.tool(
        &["sign", "--key", "sign", &d, "-o", &s],
        &t.pin_line(Pin::Sign),
    ));
    let ca = path_str(&t.ca("sign"));
    let v = ok(&t.tool(&["verify", &s, &d, "--ca", &ca], ""));
    assert!(v.contains("Verification successful"), "{v}");
    assert!(v.contains("revocation: not checked (no CRL given)"), "{v}");
    let (ch, resp) = (
        path_str(&t.dir.path("ch.txt")),
        path_str(&t.dir.path("resp.txt")),
    );
    ok(&t.tool(&["auth", "challenge", "-o", &ch], ""));
    ok(&t.tool(
        &["auth", "respond", &ch, "-o", &resp],
        &t.pin_line(Pin::Auth),
    ));
    let auth_ca = path_str(&t.ca("auth"));
    let who = ok(&t.tool(
        &[
            "auth",
            "check",
            &ch,
            &resp,
            "--ca",
            &auth_ca,
            "--no-revocation-check",
        ],
        "",
    ));
    assert!(who.contains("login OK"), "{who}");
    assert!(who.contains("revocation: not checked"), "{who}");
}
