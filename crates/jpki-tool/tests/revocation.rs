//! Every verifying command states its revocation result: `revocation: not checked (no CRL
//! given)` when no CRL is given, in text and JSON; `--require-revocation` makes that an error;
//! `auth check` refuses to decide a login without a CRL unless `--no-revocation-check`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::SystemTime;
use test_support::process::succeeded as ok;

#[path = "support/common.rs"]
mod common;

use card_sim::SimCard;
use common::Scratch;
use jpki_tool::cms;
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

fn at() -> String {
    fixtures::REFERENCE_TIME
        .format(&cert::time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit code 4 with one line on standard error containing `what`.
fn refused(out: &Output, what: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(4),
        "stdout: {}\nstderr: {err}",
        stdout(out)
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(what), "{what:?} not in {err}");
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The revoked signature certificate (a 4-facts change) signs a document: the CA, its CRL
/// (listing the certificate), the document, the signature and the certificate, in `dir`.
struct Revoked {
    ca: PathBuf,
    crl: PathBuf,
    doc: PathBuf,
    p7s: PathBuf,
    cert: PathBuf,
}

fn revoked_signature(dir: &Scratch) -> Revoked {
    let set = set();
    let r = Revoked {
        ca: dir.path("sign-ca.pem"),
        crl: dir.path("sign.crl"),
        doc: dir.path("application.xml"),
        p7s: dir.path("application.xml.p7s"),
        cert: dir.path("old-sign.pem"),
    };
    std::fs::write(&r.ca, set.sign_ca.certificate().to_pem()).unwrap();
    std::fs::write(&r.crl, &set.sign_crl).unwrap();
    std::fs::write(&r.cert, set.revoked_sign.certificate.to_pem()).unwrap();
    let doc = b"<application>signed before the holder moved</application>\n";
    std::fs::write(&r.doc, doc).unwrap();
    let signer = &set.revoked_sign;
    let p7s = cms::sign_detached(
        &doc[..],
        signer.certificate.der(),
        &[],
        SystemTime::from(fixtures::REFERENCE_TIME),
        |di| {
            signer
                .key
                .sign(rsa::pkcs1v15::Pkcs1v15Sign::new_unprefixed(), di)
        },
    )
    .unwrap();
    std::fs::write(&r.p7s, p7s).unwrap();
    r
}

#[test]
fn verify_without_a_crl_says_revocation_was_not_checked() {
    let dir = Scratch::new("rev-verify");
    let r = revoked_signature(&dir);
    let base = ["verify", s(&r.p7s), s(&r.doc), "--ca", s(&r.ca), "--at"];
    let at = at();
    let with = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.push(&at);
        args.extend_from_slice(extra);
        run(&args)
    };
    // The certificate is revoked; without a CRL that cannot be known, and the report says so.
    let text = ok(&with(&[]));
    assert!(
        text.starts_with("Verification successful (revocation not checked):"),
        "{text}"
    );
    assert!(
        text.contains("  revocation: not checked (no CRL given)\n"),
        "{text}"
    );
    let json = ok(&with(&["--json"]));
    assert!(json.starts_with("{\"verified\":true,"), "{json}");
    assert!(
        json.contains(
            "\"revocation\":{\"checked\":false,\"result\":\"not checked (no CRL given)\"}"
        ),
        "{json}"
    );
    // --require-revocation: no CRL is an error, before anything else is read
    refused(&with(&["--require-revocation"]), "revocation not checked");
    // with the CRL: revoked, exit 4
    refused(&with(&["--crl", s(&r.crl)]), "certificate revoked");
    refused(
        &with(&["--crl", s(&r.crl), "--require-revocation"]),
        "affiliationChanged",
    );
}

#[test]
fn cert_verify_without_a_crl_says_revocation_was_not_checked() {
    let dir = Scratch::new("rev-certverify");
    let r = revoked_signature(&dir);
    let at = at();
    let base = ["cert", "verify", s(&r.cert), "--ca", s(&r.ca), "--at", &at];
    let with = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        run(&args)
    };
    let text = ok(&with(&[]));
    assert!(text.starts_with("OK: signature certificate"), "{text}");
    assert!(
        text.contains("  revocation: not checked (no CRL given)\n"),
        "{text}"
    );
    let json = ok(&with(&["--json"]));
    assert!(
        json.contains(
            "\"revocation\":{\"checked\":false,\"result\":\"not checked (no CRL given)\"}"
        ),
        "{json}"
    );
    refused(&with(&["--require-revocation"]), "--crl");
    refused(&with(&["--crl", s(&r.crl)]), "certificate revoked");
    // a certificate that is not revoked: the report names the CRL it was checked against
    let good = dir.path("good-sign.pem");
    std::fs::write(&good, set().my_number_sign.certificate.to_pem()).unwrap();
    let out = ok(&run(&[
        "cert",
        "verify",
        s(&good),
        "--ca",
        s(&r.ca),
        "--at",
        &at,
        "--crl",
        s(&r.crl),
        "--require-revocation",
    ]));
    assert!(
        out.contains("  revocation: not revoked (CRL of 2026-01-01 00:00:00 UTC, 2 entries)\n"),
        "{out}"
    );
}

#[test]
fn auth_check_needs_a_crl_unless_told_not_to_check() {
    let dir = Scratch::new("rev-auth");
    let set = set();
    let card = dir.path("card.jpkicard");
    SimCard::create(&card, sample::my_number(set, true).unwrap()).unwrap();
    let (ca, crl) = (dir.path("auth-ca.pem"), dir.path("auth.crl"));
    std::fs::write(&ca, set.auth_ca.certificate().to_pem()).unwrap();
    std::fs::write(&crl, common::current_crl(&set.auth_ca)).unwrap();
    let (ch, resp) = (dir.path("ch.txt"), dir.path("resp.txt"));
    ok(&run(&["auth", "challenge", "-o", s(&ch)]));
    ok(&common::tool_with(
        &card,
        &[],
        &["auth", "respond", s(&ch), "-o", s(&resp)],
        &format!("{}\n", sample::AUTH_PIN),
    ));
    let base = ["auth", "check", s(&ch), s(&resp), "--ca", s(&ca)];
    let with = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        run(&args)
    };
    // no CRL, no waiver: no login decision
    refused(&with(&[]), "--no-revocation-check");
    // the waiver: accepted, and the report says revocation was not checked
    let out = ok(&with(&["--no-revocation-check"]));
    assert!(out.starts_with("login OK: C=JP, CN="), "{out}");
    assert!(
        out.contains("  revocation: not checked (no CRL given)\n"),
        "{out}"
    );
    let json = ok(&with(&["--no-revocation-check", "--json"]));
    assert!(
        json.starts_with("{\"login\":true,") && json.contains("\"revocation\":{\"checked\":false,"),
        "{json}"
    );
    // with the CRL
    let out = ok(&with(&["--crl", s(&crl)]));
    assert!(out.contains("  revocation: not revoked (CRL of"), "{out}");
    let json = ok(&with(&["--crl", s(&crl), "--json"]));
    assert!(
        json.contains("\"revocation\":{\"checked\":true,") && json.contains("\"crl_entries\":"),
        "{json}"
    );
    // both is a contradiction: a usage error
    assert_eq!(
        with(&["--crl", s(&crl), "--no-revocation-check"])
            .status
            .code(),
        Some(2)
    );
}
