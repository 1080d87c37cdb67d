//! Tests that need no card under test: the demo, `--help`, a JPKI test certificate, and
//! crafted or broken simulator card files of their own. They run the same on every target;
//! `cargo xtask interop` skips them (`--skip offline::`) on the served card.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use card_sim::SimCard;
use test_support::fixtures;
use test_support::sample;

use crate::common::{self, Scratch};
use crate::ok;
use crate::target::{reference_time as at, set, simulator_card as my_number_card};

use sample::SIGN_PIN;

mod status;

/// A signature CN with the real structure for certificates issued in these tests.
fn sign_cn() -> cert::SignatureCommonName {
    let window = cert::WindowId::new("13101", 1).unwrap();
    cert::SignatureCommonName::new(fixtures::ISSUED_AT, 1, &window).unwrap()
}

fn tool(card: &Path, args: &[&str], stdin: &str) -> Output {
    common::tool_with(card, &[], args, stdin)
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
fn demo_walks_a_card_of_each_generation_and_every_step_behaves() {
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
        "signature verified (sha256WithRSAEncryption): chain to the RSA-2048 signature CA (key id ",
        "revocation: not revoked (CRL of",
        "login OK; the service learns only: C=JP, CN=",
        "verification fails: certificate revoked",
        "affiliationChanged",
        "carries the new address: 東京都千代田区霞が関２－１－２",
        "the authentication certificate is untouched",
        "security code printed on the card face: ",
        "card-face 照合番号B: 10 tries left",
        "common-card PIN: 3 tries left",
        "照合番号B (birth date in era, expiry year, security code) opens the card-face application",
        "re-signed at the window for the new address) verifies",
        "is blocked: only the issuing municipality",
        "reset the PIN to 1357",
        "== 10. Renewal (更新)",
        "revoked (superseded), new serial",
        "the old certificate now: certificate revoked",
        "superseded",
        "and the card signs with its new key under the same PIN (1357)",
        "demo complete",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // the next-generation card, from the same authority, after today's card's walk
    let next_gen = text
        .split_once("== 11. The same authority issues the holder a next-generation card")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no next-generation walk in:\n{text}"));
    for expected in [
        "sign-ca-ng.pem",
        "generation: next-generation card (its 認証AP answered SELECT",
        "signatures ecdsa-with-SHA384",
        "-- authentication certificate: ECDSA P-384 key",
        "-- signature certificate (read after the signing password): ECDSA P-384 key",
        "the 10th birthday after issue",
        "signing password (署名用パスワード): 5 tries left",
        "4-digit PIN (暗証番号): 3 tries left",
        "PUK: not set",
        "signing password: verified; 4-digit PIN: 3 tries left (never sent",
        "the relying party's anchors: 4 CA certificates",
        "signature verified (ecdsa-with-SHA384): chain to the ECDSA P-384 signature CA (key id ",
        "login OK (ECDSA P-384 over SHA-384 of the challenge); the service learns only: C=JP, CN=",
        "the 4-digit PIN (暗証番号) is blocked",
        "the PUK re-set the 4-digit PIN to 8642",
        "PUK: 3 tries left",
        "-- today's card (RSA-2048): refused: RSA-2048 JPKI certificates are not accepted from 2031-01-01",
        "-- the next-generation card (ECDSA P-384): accepted",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // the photo read from the card face is a JPEG 2000 file (JP2 signature box)
    let photo = std::fs::read(dir.path("run").join("face.jp2")).unwrap();
    assert_eq!(
        photo.get(..12),
        Some(
            &[
                0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A
            ][..]
        )
    );
    // the signature verified at the cut-off step is the P-384 one, after the RSA refusal
    let cut_off = next_gen.split_once("== 16.").unwrap().1;
    let accepted = cut_off.split_once("accepted").unwrap().1;
    assert!(
        accepted.contains("signature verified (ecdsa-with-SHA384)"),
        "{cut_off}"
    );
    // neither login reveals a name
    for login_line in text.lines().filter(|l| l.starts_with("login OK")) {
        assert!(!login_line.contains("花子"), "{login_line}");
    }
    assert_eq!(
        text.lines().filter(|l| l.starts_with("login OK")).count(),
        2
    );
    demo_signatures_verify_with_the_cli(&dir.path("run"));
    // a second run into the same directory refuses instead of overwriting
    let again = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .args(["demo", "--dir"])
        .arg(dir.path("run"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
}

/// The signatures the demo's cut-off step wrote, checked by `jpki-tool verify` with both
/// generations' anchors and the CRL directory, at their signing time (after 2031-01-01): the
/// P-384 one verifies, the RSA-2048 one is refused by the cut-off (exit 4).
fn demo_signatures_verify_with_the_cli(run: &Path) {
    let verify = |p7s: &str| {
        Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
            .arg("verify")
            .arg(run.join(p7s))
            .arg(run.join("application.xml"))
            .arg("--ca")
            .arg(run.join("authority/sign-ca.pem"))
            .arg("--ca")
            .arg(run.join("authority/sign-ca-ng.pem"))
            .arg("--crl")
            .arg(run.join("authority/crl"))
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let p384 = verify("application.xml.cutoff-p384.p7s");
    let text = ok(&p384);
    assert!(text.contains("Verification successful: "), "{text}");
    assert!(text.contains("revocation: not revoked"), "{text}");
    let rsa = verify("application.xml.cutoff-rsa.p7s");
    assert_eq!(rsa.status.code(), Some(4), "{rsa:?}");
    let err = String::from_utf8_lossy(&rsa.stderr);
    assert!(
        err.contains("RSA-2048 JPKI certificates are not accepted from 2031-01-01"),
        "{err}"
    );
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
            public_key: &cert::SubjectKey::from(set().my_number_sign.key.as_public_key()),
            not_before: fixtures::ISSUED_AT,
            not_after: fixtures::ISSUED_AT + cert::time::Duration::days(365),
            holder: &holder,
            common_name: sign_cn(),
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
            public_key: &cert::SubjectKey::from(s.my_number_sign.key.as_public_key()),
            not_before: fixtures::ISSUED_AT,
            not_after: s.my_number_sign.certificate.not_after(),
            holder: &holder,
            common_name: sign_cn(),
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
