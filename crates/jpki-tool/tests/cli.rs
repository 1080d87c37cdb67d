//! Every jpki-tool command against a simulator card file, in process (`--card`), with PINs on
//! standard input. The card is built from the cert crate's fixture keys and certificates.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

#[path = "support/common.rs"]
mod common;

use card_sim::SimCard;
use common::Scratch;
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

use sample::{AUTH_PIN, SIGN_PIN, TEXT_PIN};

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

/// A My Number card with both certificates and the text-support application, in a file, with
/// the CA certificates and CRLs beside it.
fn my_number_card(dir: &Scratch) -> PathBuf {
    let s = set();
    let path = dir.path("card.jpkicard");
    SimCard::create(&path, sample::my_number(s, true).unwrap()).unwrap();
    std::fs::write(dir.path("sign-ca.pem"), s.sign_ca.certificate().to_pem()).unwrap();
    std::fs::write(dir.path("auth-ca.pem"), s.auth_ca.certificate().to_pem()).unwrap();
    std::fs::write(dir.path("sign.crl"), &s.sign_crl).unwrap();
    std::fs::write(dir.path("auth.crl"), &s.auth_crl).unwrap();
    path
}

fn tool(card: &Path, args: &[&str], stdin: &str) -> Output {
    common::tool_with(card, &[], args, stdin)
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn at() -> String {
    fixtures::REFERENCE_TIME
        .format(&cert::time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn info_names_the_card_its_certificates_and_pin_tries() {
    let dir = Scratch::new("info");
    let card = my_number_card(&dir);
    let out = ok(&tool(&card, &["info"], ""));
    assert!(out.contains("My Number card"), "{out}");
    assert!(out.contains("auth cert:   present"), "{out}");
    assert!(out.contains("sign cert:   present"), "{out}");
    assert!(out.contains("authentication PIN: 3 tries left"), "{out}");
    assert!(out.contains("signature PIN: 5 tries left"), "{out}");
    assert!(out.contains("text-support PIN: 3 tries left"), "{out}");
}

#[test]
fn cert_show_decodes_the_signature_certificate_after_the_pin() {
    let dir = Scratch::new("show");
    let card = my_number_card(&dir);
    let out = ok(&tool(
        &card,
        &["cert", "show", "sign"],
        &format!("{SIGN_PIN}\n"),
    ));
    let facts = set().my_number_sign.certificate.four_facts().unwrap();
    assert!(out.contains(&facts.name.text()), "{out}");
    assert!(out.contains(&facts.address.text()), "{out}");
    assert!(out.contains("valid until"), "{out}");
    let json = ok(&tool(&card, &["cert", "show", "auth", "--json"], ""));
    assert!(
        json.starts_with('{') && json.contains("\"days_left\":"),
        "{json}"
    );
    assert!(
        !json.contains("four_facts"),
        "the authentication certificate has no 4 facts: {json}"
    );
    let pem = ok(&tool(&card, &["cert", "show", "auth-ca", "--pem"], ""));
    assert_eq!(pem, set().auth_ca.certificate().to_pem());
}

#[test]
fn cert_export_then_verify_with_ca_and_crl() {
    let dir = Scratch::new("export");
    let card = my_number_card(&dir);
    let out_file = dir.path("auth.der");
    ok(&tool(
        &card,
        &["cert", "export", "auth", "-o", out_file.to_str().unwrap()],
        "",
    ));
    assert_eq!(
        std::fs::read(&out_file).unwrap(),
        set().my_number_auth.certificate.der()
    );
    let ca = dir.path("auth-ca.pem");
    let crl = dir.path("auth.crl");
    let verified = ok(&tool(
        &card,
        &[
            "cert",
            "verify",
            out_file.to_str().unwrap(),
            "--ca",
            ca.to_str().unwrap(),
            "--crl",
            crl.to_str().unwrap(),
            "--at",
            &at(),
        ],
        "",
    ));
    assert!(verified.starts_with("OK:"), "{verified}");
    // against the real J-LIS anchors our simulator's certificate is untrusted: exit code 4
    let refused = tool(
        &card,
        &["cert", "verify", out_file.to_str().unwrap(), "--at", &at()],
        "",
    );
    assert_eq!(
        refused.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn a_wrong_pin_costs_one_try_and_says_how_many_are_left() {
    let dir = Scratch::new("wrongpin");
    let card = my_number_card(&dir);
    let out = tool(&card, &["cert", "show", "sign"], "XYZ999\n");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("4 tries left"), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    let status = ok(&tool(&card, &["pin", "status"], ""));
    assert!(status.contains("signature PIN: 4 tries left"), "{status}");
    // a PIN that breaks the format is never sent: no try is spent
    let out = tool(&card, &["cert", "show", "sign"], "abc\n");
    assert_eq!(out.status.code(), Some(6), "invalid input");
    let status = ok(&tool(&card, &["pin", "status"], ""));
    assert!(status.contains("signature PIN: 4 tries left"), "{status}");
}

#[test]
fn pin_change_takes_effect_and_checks_the_new_pin_locally() {
    let dir = Scratch::new("change");
    let card = my_number_card(&dir);
    ok(&tool(
        &card,
        &["pin", "change", "auth"],
        "1234\n9876\n9876\n",
    ));
    // the old PIN is now wrong, the new one works
    let out = tool(
        &card,
        &["auth", "respond", "/nonexistent", "-o", "/dev/null"],
        "1234\n",
    );
    assert_eq!(out.status.code(), Some(1), "no challenge file");
    let bad = tool(&card, &["pin", "change", "auth"], "1234\n1111\n1111\n");
    assert_eq!(bad.status.code(), Some(3));
    ok(&tool(
        &card,
        &["pin", "change", "auth"],
        "9876\n2468\n2468\n",
    ));
    // a new PIN of the wrong format is refused before anything is sent
    let bad = tool(&card, &["pin", "change", "auth"], "2468\n12345\n12345\n");
    assert_eq!(bad.status.code(), Some(6), "invalid input");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("not sent"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let status = ok(&tool(&card, &["pin", "status"], ""));
    assert!(
        status.contains("authentication PIN: 3 tries left"),
        "{status}"
    );
    // mismatched confirmation
    let bad = tool(&card, &["pin", "change", "auth"], "2468\n1357\n1358\n");
    assert_eq!(bad.status.code(), Some(6), "invalid input");
}

#[test]
fn sign_and_verify_a_file_and_openssl_agrees() {
    let dir = Scratch::new("sign");
    let card = my_number_card(&dir);
    let doc = dir.path("form.xml");
    std::fs::write(&doc, "<申告書>e-Tax</申告書>\n".repeat(50)).unwrap();
    let p7s = dir.path("form.xml.p7s");
    ok(&tool(
        &card,
        &[
            "sign",
            "--key",
            "sign",
            doc.to_str().unwrap(),
            "-o",
            p7s.to_str().unwrap(),
        ],
        &format!("{SIGN_PIN}\n"),
    ));
    let ca = dir.path("sign-ca.pem");
    let crl = dir.path("sign.crl");
    let out = ok(&tool(
        &card,
        &[
            "verify",
            p7s.to_str().unwrap(),
            doc.to_str().unwrap(),
            "--ca",
            ca.to_str().unwrap(),
            "--crl",
            crl.to_str().unwrap(),
            "--at",
            &at(),
        ],
        "",
    ));
    assert!(out.contains("Verification successful"), "{out}");
    let facts = set().my_number_sign.certificate.four_facts().unwrap();
    assert!(
        out.contains(&facts.name.text()),
        "the signer's 4 facts are shown: {out}"
    );
    if Command::new("openssl").arg("version").output().is_ok() {
        let o = Command::new("openssl")
            .args([
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ])
            .arg("-in")
            .arg(&p7s)
            .arg("-content")
            .arg(&doc)
            .arg("-CAfile")
            .arg(&ca)
            .args([
                "-attime",
                &fixtures::REFERENCE_TIME.unix_timestamp().to_string(),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // a changed document fails with exit code 4
    std::fs::write(&doc, "tampered").unwrap();
    let bad = tool(
        &card,
        &[
            "verify",
            p7s.to_str().unwrap(),
            doc.to_str().unwrap(),
            "--ca",
            ca.to_str().unwrap(),
            "--at",
            &at(),
        ],
        "",
    );
    assert_eq!(bad.status.code(), Some(4));
}

#[test]
fn login_flow_reveals_only_the_subject() {
    let dir = Scratch::new("login");
    let card = my_number_card(&dir);
    let challenge = dir.path("challenge.txt");
    let response = dir.path("response.txt");
    let used = dir.path("used.txt");
    ok(&tool(
        &card,
        &[
            "auth",
            "challenge",
            "--service",
            "portal.example.jp",
            "-o",
            challenge.to_str().unwrap(),
        ],
        "",
    ));
    ok(&tool(
        &card,
        &[
            "auth",
            "respond",
            challenge.to_str().unwrap(),
            "-o",
            response.to_str().unwrap(),
        ],
        &format!("{AUTH_PIN}\n"),
    ));
    let ca = dir.path("auth-ca.pem");
    let crl = dir.path("auth.crl");
    // the fixture certificates are valid at the reference time; the challenge was issued now,
    // so check "now" against a certificate that may be expired only if the fixtures are old:
    // the fixture card expires in 2035, the certificates on the 5th birthday after 2025.
    let args = [
        "auth",
        "check",
        challenge.to_str().unwrap(),
        response.to_str().unwrap(),
        "--ca",
        ca.to_str().unwrap(),
        "--crl",
        crl.to_str().unwrap(),
        "--used",
        used.to_str().unwrap(),
    ];
    let out = ok(&tool(&card, &args, ""));
    assert!(out.contains("login OK: C=JP, CN="), "{out}");
    let facts = set().my_number_sign.certificate.four_facts().unwrap();
    assert!(!out.contains(&facts.name.text()), "no name leaks: {out}");
    // the same response again is a replay
    let replay = tool(&card, &args, "");
    assert_eq!(replay.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&replay.stderr).contains("already used"));
}

#[test]
fn text_support_shows_my_number_and_four_facts() {
    let dir = Scratch::new("text");
    let card = my_number_card(&dir);
    let out = ok(&tool(&card, &["text"], &format!("{TEXT_PIN}\n")));
    assert!(out.contains("My Number:  123456789018"), "{out}");
    assert!(out.contains(&fixtures::holder().name.text()), "{out}");
}

#[test]
fn verbose_traces_apdus_with_pins_redacted() {
    let dir = Scratch::new("verbose");
    let card = my_number_card(&dir);
    let out = tool(
        &card,
        &["--verbose", "cert", "show", "sign"],
        &format!("{SIGN_PIN}\n"),
    );
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("> 00 20 00 80 06 <redacted 6 bytes>"), "{err}");
    assert!(
        !err.contains(SIGN_PIN) && !err.contains(&hex::encode_upper(SIGN_PIN)),
        "{err}"
    );
}

#[test]
fn missing_or_corrupt_card_files_are_one_clear_line() {
    let dir = Scratch::new("corrupt");
    let out = tool(&dir.path("none.jpkicard"), &["info"], "");
    assert_eq!(out.status.code(), Some(1));
    let bad = dir.path("bad.jpkicard");
    std::fs::write(&bad, b"not a card").unwrap();
    let out = tool(&bad, &["info"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        std::fs::read(&bad).unwrap(),
        b"not a card",
        "never overwritten"
    );
}

#[test]
fn demo_walks_through_a_cards_life_and_every_step_behaves() {
    let dir = Scratch::new("demo");
    let out = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .args(["demo", "--dir"])
        .arg(dir.path("run"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = ok(&out);
    for expected in [
        "== 1. The municipal window issues a card",
        "valid until:",
        "days left",
        "authentication PIN: 3 tries left",
        "wrong authentication PIN: 2 tries left",
        "authentication PIN changed",
        "signature verified: chain to the signature CA, revocation: not revoked (CRL of",
        "login OK; the service learns only: C=JP, CN=",
        "verification fails: certificate revoked",
        "affiliationChanged",
        "carries the new address: 東京都千代田区霞が関２－１－２",
        "the authentication certificate is untouched",
        "is blocked: only the issuing municipality",
        "reset the PIN to 1357",
        "demo complete",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // the login reveals no name
    let login_line = text.lines().find(|l| l.starts_with("login OK")).unwrap();
    assert!(!login_line.contains("花子"), "{login_line}");
    // a second run into the same directory refuses instead of overwriting
    let again = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .args(["demo", "--dir"])
        .arg(dir.path("run"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn a_jpki_test_certificate_is_reported_and_refused() {
    use cert::{CaRequest, CertificateAuthority, Environment, Hierarchy, Serial, SignatureRequest};
    let dir = Scratch::new("testcard");
    let ca = CertificateAuthority::create(
        &CaRequest {
            hierarchy: Hierarchy::Signature,
            environment: Environment::Test,
            serial: Serial::from(0x7E57u64),
            not_before: fixtures::ISSUED_AT,
            not_after: fixtures::ISSUED_AT + cert::time::Duration::days(3650),
        },
        test_support::keys::generate_seeded_key(7357).unwrap(),
    )
    .unwrap();
    let holder = fixtures::holder();
    let c = ca
        .issue_signature(&SignatureRequest {
            serial: Serial::from(0x1234u64),
            public_key: set().my_number_sign.key.as_public_key(),
            not_before: fixtures::ISSUED_AT,
            not_after: fixtures::ISSUED_AT + cert::time::Duration::days(365),
            holder: &holder,
        })
        .unwrap();
    let file = dir.path("test.pem");
    std::fs::write(&file, c.to_pem()).unwrap();
    let ca_file = dir.path("test-ca.pem");
    std::fs::write(&ca_file, ca.certificate().to_pem()).unwrap();
    // even with its own CA given as the anchor, a test certificate proves nothing
    let out = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .args(["cert", "verify"])
        .arg(&file)
        .arg("--ca")
        .arg(&ca_file)
        .args(["--at", &at()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("JPKI-TEST"), "{err}");
}

#[test]
fn openssl_verify_accepts_certificates_read_from_the_card() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("openssl not installed; .ci/run installs it");
        return;
    }
    let dir = Scratch::new("osslverify");
    let card = my_number_card(&dir);
    for (slot, ca, stdin) in [
        ("auth", "auth-ca.pem", String::new()),
        ("sign", "sign-ca.pem", format!("{SIGN_PIN}\n")),
    ] {
        let out_file = dir.path(&format!("{slot}.pem"));
        ok(&tool(
            &card,
            &[
                "cert",
                "export",
                slot,
                "-o",
                out_file.to_str().unwrap(),
                "--pem",
            ],
            &stdin,
        ));
        let o = Command::new("openssl")
            .args([
                "verify",
                "-attime",
                &fixtures::REFERENCE_TIME.unix_timestamp().to_string(),
                "-CAfile",
            ])
            .arg(dir.path(ca))
            .arg(&out_file)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{slot}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains(": OK"));
    }
}

/// A signature certificate "from elsewhere": issued by the fixture signature CA for the
/// fixture card key, then its name and address patched to carry ESC, CR/LF and a bidi
/// override (same byte and character counts) and re-signed with the CA key, so it parses,
/// chains and verifies like any other.
fn hostile_sign_certificate() -> Vec<u8> {
    use sha2::Digest as _;
    let s = set();
    let holder = cert::Holder {
        name: cert::CardText::plain("番号\u{3000}ZZZZ"),
        address: cert::CardText::plain("東京都Ｒ千代田区QQ"),
        ..fixtures::holder()
    };
    let issued = s
        .sign_ca
        .issue_signature(&cert::SignatureRequest {
            serial: cert::Serial::from(0x7777),
            public_key: s.my_number_sign.key.as_public_key(),
            not_before: fixtures::ISSUED_AT,
            not_after: s.my_number_sign.certificate.not_after(),
            holder: &holder,
        })
        .unwrap();
    let mut der = issued.der().to_vec();
    let patch = |der: &mut Vec<u8>, from: &[u8], to: &[u8]| {
        assert_eq!(from.len(), to.len());
        let at = der.windows(from.len()).position(|w| w == from).unwrap();
        der[at..at + to.len()].copy_from_slice(to);
    };
    patch(&mut der, b"ZZZZ", b"\x1b[2J");
    patch(&mut der, "Ｒ".as_bytes(), "\u{202e}".as_bytes());
    patch(&mut der, "区QQ".as_bytes(), "区\r\n".as_bytes());
    // re-sign: tbsCertificate starts at 4 (30 82 LL LL), the signature is the last 256 bytes
    let tbs_len = 4 + usize::from(u16::from_be_bytes([der[6], der[7]]));
    let digest = sha2::Sha256::digest(&der[4..4 + tbs_len]);
    let key = cert::keys::from_pkcs8_der(&s.sign_ca.private_key_pkcs8_der().unwrap()).unwrap();
    let signature = key
        .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
        .unwrap();
    let end = der.len();
    der[end - 256..].copy_from_slice(&signature);
    let parsed = cert::JpkiCertificate::from_der(&der).unwrap();
    parsed.verify_signed_by(s.sign_ca.certificate()).unwrap();
    assert!(parsed.four_facts().unwrap().name.text().contains('\u{1b}'));
    der
}

#[track_caller]
fn assert_no_raw_controls(what: &str, text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || !cert::text::is_unsafe_char(c),
            "{what} prints {c:?} raw:\n{text:?}"
        );
    }
    for line in text.lines() {
        assert!(!line.starts_with("OK"), "{what} has a forged line: {text}");
    }
}

/// Item 6: a certificate carrying ESC, CR/LF and a bidi override in its 4 facts is shown
/// escaped by `cert show` (text and JSON) and by `verify`.
#[test]
fn names_with_control_characters_from_a_certificate_are_printed_escaped() {
    let dir = Scratch::new("hostile");
    let s = set();
    let path = dir.path("card.jpkicard");
    let mut contents = sample::my_number(s, true).unwrap();
    contents.signature.as_mut().unwrap().certificate = hostile_sign_certificate();
    SimCard::create(&path, contents).unwrap();
    std::fs::write(dir.path("sign-ca.pem"), s.sign_ca.certificate().to_pem()).unwrap();

    let text = ok(&tool(
        &path,
        &["cert", "show", "sign"],
        &format!("{SIGN_PIN}\n"),
    ));
    assert_no_raw_controls("cert show", &text);
    assert!(text.contains("番号\u{3000}\\u{1b}[2J"), "{text}");
    assert!(
        text.contains("東京都\\u{202e}千代田区\\u{d}\\u{a}"),
        "{text}"
    );
    let json = ok(&tool(
        &path,
        &["cert", "show", "sign", "--json"],
        &format!("{SIGN_PIN}\n"),
    ));
    assert_no_raw_controls("cert show --json", json.trim_end());
    assert!(
        json.contains("\\u001b[2J") && json.contains("\\u202e"),
        "{json}"
    );

    let doc = dir.path("doc.txt");
    std::fs::write(&doc, "signed\n").unwrap();
    let p7s = dir.path("doc.p7s");
    let (doc_s, p7s_s) = (doc.to_str().unwrap(), p7s.to_str().unwrap());
    ok(&tool(
        &path,
        &["sign", "--key", "sign", doc_s, "-o", p7s_s],
        &format!("{SIGN_PIN}\n"),
    ));
    let ca = dir.path("sign-ca.pem");
    let out = ok(&tool(
        &path,
        &[
            "verify",
            p7s_s,
            doc_s,
            "--ca",
            ca.to_str().unwrap(),
            "--at",
            &at(),
        ],
        "",
    ));
    assert!(out.starts_with("Verification successful"), "{out}");
    assert_no_raw_controls("verify", &out);
    assert!(out.contains("\\u{1b}[2J"), "{out}");
}

/// Item 8: one exit-code table in `--help`, the same as jpki-sim's; a bad `--at` is invalid
/// input (6); a cause is said once.
#[test]
fn exit_codes_are_one_table_and_errors_one_line_each_cause_once() {
    let help = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains(cli_common::EXIT_CODES), "{help}");

    let dir = Scratch::new("conventions");
    let card = my_number_card(&dir);
    let cert_file = dir.path("auth.der");
    ok(&tool(
        &card,
        &["cert", "export", "auth", "-o", cert_file.to_str().unwrap()],
        "",
    ));
    let out = tool(
        &card,
        &[
            "cert",
            "verify",
            cert_file.to_str().unwrap(),
            "--at",
            "yesterday",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--at"), "{err}");

    // a directory given as the card file: said once
    let out = tool(Path::new(&std::env::temp_dir()), &["info"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(err.matches("not a regular file").count(), 1, "{err}");
    // a missing card file: named once, as given
    let out = tool(
        &std::env::temp_dir().join("no-such-card.jpki"),
        &["info"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        err.matches("no-such-card.jpki does not exist").count(),
        1,
        "{err}"
    );
}
