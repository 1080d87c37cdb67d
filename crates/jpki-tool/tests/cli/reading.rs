//! Reading the card: info, PIN status, certificates (show, export, verify, openssl verify),
//! text-support data and the APDU trace.

use std::process::Command;

use crate::ok;
use crate::target::{Pin, Target, path_str, set};

/// `NAME: N tries left` in `text`, as N.
fn tries(text: &str, name: &str) -> Option<u8> {
    let line = text.lines().find(|l| l.trim_start().starts_with(name))?;
    line.split(':')
        .nth(1)?
        .trim()
        .strip_suffix(" tries left")?
        .parse()
        .ok()
}

#[test]
fn info_names_the_card_its_certificates_and_pin_tries() {
    let t = Target::new("info");
    let out = ok(&t.tool(&["info"], ""));
    assert!(out.contains("My Number card"), "{out}");
    assert!(out.contains("auth cert:   present"), "{out}");
    assert!(out.contains("sign cert:   present"), "{out}");
    // the token info of EF 0006: a 16-digit serial, the model, the PIN length bounds
    let serial = out
        .lines()
        .find_map(|l| l.strip_prefix("token:       JPKIAPICCTOKEN2 serial "))
        .unwrap_or_else(|| panic!("no token line in {out}"));
    assert!(
        serial.len() == 16 && serial.bytes().all(|b| b.is_ascii_digit()),
        "{out}"
    );
    assert!(out.contains("\nmodel:       "), "{out}");
    // the generation's algorithm (a next-generation card says ecdsa-with-SHA384)
    assert!(
        out.contains("\nsignatures:  sha256WithRSAEncryption\n"),
        "{out}"
    );
    if t.is_fixture_card() {
        assert!(out.contains("\nmodel:       E16R01NJ\n"), "{out}");
        assert!(
            out.contains("\nPIN length:  6 to 16 characters (token info)\n"),
            "{out}"
        );
    }
    let counts = [
        ("authentication PIN", 3),
        ("signature PIN", 5),
        ("text-support PIN", 3),
    ];
    for (name, max) in counts {
        let n = tries(&out, name).unwrap_or_else(|| panic!("no {name} tries in {out}"));
        if t.is_fixture_card() {
            // a fresh card: every PIN untried
            assert_eq!(n, max, "{name}: {out}");
        } else {
            assert!((1..=max).contains(&n), "{name}: {out}");
        }
    }
    // pin status says the same
    let status = ok(&t.tool(&["pin", "status"], ""));
    for (name, _) in counts {
        assert_eq!(tries(&status, name), tries(&out, name), "{status}");
    }
}

#[test]
fn cert_show_decodes_the_signature_certificate_after_the_pin() {
    let t = Target::new("show");
    let out = ok(&t.tool(&["cert", "show", "sign"], &t.pin_line(Pin::Sign)));
    let sign = t.sign_certificate();
    let facts = sign.four_facts().unwrap();
    assert!(out.contains(&facts.name.text()), "{out}");
    assert!(out.contains(&facts.address.text()), "{out}");
    assert!(out.contains("valid until"), "{out}");
    let json = ok(&t.tool(&["cert", "show", "auth", "--json"], ""));
    assert!(
        json.starts_with('{') && json.contains("\"days_left\":"),
        "{json}"
    );
    assert!(
        !json.contains("four_facts"),
        "the authentication certificate has no 4 facts: {json}"
    );
    let pem = ok(&t.tool(&["cert", "show", "auth-ca", "--pem"], ""));
    let from_card = cert::JpkiCertificate::from_pem(&pem).unwrap();
    assert_eq!(from_card.der(), t.ca_cert("auth").der());
    if t.is_fixture_card() {
        assert_eq!(pem, set().auth_ca.certificate().to_pem());
    }
}

#[test]
fn cert_export_then_verify_with_ca_and_crl() {
    let t = Target::new("export");
    let out_file = t.dir.path("auth.der");
    let out_s = path_str(&out_file);
    ok(&t.tool(&["cert", "export", "auth", "-o", &out_s], ""));
    let der = std::fs::read(&out_file).unwrap();
    if t.is_fixture_card() {
        assert_eq!(der, set().my_number_auth.certificate.der());
    }
    // the exported certificate chains to the authentication CA
    let exported = cert::JpkiCertificate::from_der(&der).unwrap();
    exported.verify_signed_by(&t.ca_cert("auth")).unwrap();
    let mut args = vec!["cert".to_owned(), "verify".to_owned(), out_s.clone()];
    args.extend(t.trust_args("auth"));
    args.extend(t.at_args());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let verified = ok(&t.tool(&args, ""));
    assert!(verified.starts_with("OK:"), "{verified}");
    if t.crl("auth").is_some() {
        assert!(verified.contains("not revoked"), "{verified}");
    }
    // against the real J-LIS anchors our simulator's certificate is untrusted: exit code 4
    if t.is_fixture_card() {
        let mut args = vec!["cert", "verify", &out_s];
        let at = t.at_args();
        args.extend(at.iter().map(String::as_str));
        let refused = t.tool(&args, "");
        assert_eq!(
            refused.status.code(),
            Some(4),
            "{}",
            String::from_utf8_lossy(&refused.stderr)
        );
    }
}

#[test]
fn text_support_shows_my_number_and_four_facts() {
    let t = Target::new("text");
    let out = ok(&t.tool(&["text"], &t.pin_line(Pin::Text)));
    let number = out
        .lines()
        .find_map(|l| l.strip_prefix("My Number:"))
        .unwrap_or_else(|| panic!("no My Number in {out}"))
        .trim();
    assert!(
        number.len() == 12 && number.bytes().all(|b| b.is_ascii_digit()),
        "{out}"
    );
    if t.is_fixture_card() {
        assert!(out.contains("My Number:  123456789018"), "{out}");
        assert!(
            out.contains(&test_support::fixtures::holder().name.text()),
            "{out}"
        );
    }
}

#[test]
fn verbose_traces_apdus_with_pins_redacted() {
    let t = Target::new("verbose");
    let pin = t.pin(Pin::Sign);
    let out = t.tool(
        &["--verbose", "cert", "show", "sign"],
        &t.pin_line(Pin::Sign),
    );
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    let n = pin.len();
    assert!(
        err.contains(&format!("> 00 20 00 80 {n:02X} <redacted {n} bytes>")),
        "{err}"
    );
    assert!(
        !err.contains(pin) && !err.contains(&hex::encode_upper(pin)),
        "{err}"
    );
}

#[test]
fn openssl_verify_accepts_certificates_read_from_the_card() {
    if !crate::has_openssl() {
        eprintln!("openssl not installed; .ci/run installs it");
        return;
    }
    let t = Target::new("osslverify");
    for (slot, stdin) in [("auth", String::new()), ("sign", t.pin_line(Pin::Sign))] {
        let out_file = t.dir.path(&format!("{slot}.pem"));
        ok(&t.tool(
            &["cert", "export", slot, "-o", &path_str(&out_file), "--pem"],
            &stdin,
        ));
        let mut openssl = Command::new("openssl");
        openssl.arg("verify");
        if let Some(at) = t.attime() {
            openssl.args(["-attime", &at.to_string()]);
        }
        let o = openssl
            .arg("-CAfile")
            .arg(t.ca(slot))
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

/// From the real-reader suite: every reading command once, with `--wait` (which returns at
/// once when the card is there; a card file ignores it).
#[test]
fn every_read_only_command_works_on_the_reader() {
    let t = Target::new("readonly");
    let info = ok(&t.tool(&["--wait", "5", "info"], ""));
    assert!(info.contains("card:"), "{info}");
    let status = ok(&t.tool(&["pin", "status"], ""));
    assert!(status.contains("authentication PIN:"), "{status}");
    let auth = ok(&t.tool(&["cert", "show", "auth", "--json"], ""));
    assert!(auth.contains("\"days_left\":"), "{auth}");
    let sign = ok(&t.tool(&["cert", "show", "sign"], &t.pin_line(Pin::Sign)));
    assert!(sign.contains("name:"), "{sign}");
    let text = ok(&t.tool(&["text"], &t.pin_line(Pin::Text)));
    assert!(text.contains("My Number:"), "{text}");
}
