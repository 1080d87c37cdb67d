//! The CLI against a card in a real PC/SC reader (feature `real-reader`). Never spends a wrong
//! PIN: a real card's PINs lock. `cargo xtask interop` runs this against the simulator served
//! through pcscd and vpcd; point it at a physical card by setting the variables below.
#![cfg(feature = "real-reader")]

#[path = "support/common.rs"]
mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::Scratch;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set for the real-reader tests"))
}

fn tool(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .args(["--reader", &env("JPKI_TEST_READER"), "--pin-stdin"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

#[track_caller]
fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ca(file: &str) -> String {
    format!("{}/{file}", env("JPKI_TEST_CA_DIR"))
}

#[test]
fn every_read_only_command_works_on_the_reader() {
    // the card is there: --wait returns at once
    let info = ok(&tool(&["--wait", "5", "info"], ""));
    assert!(info.contains("card:"), "{info}");
    let status = ok(&tool(&["pin", "status"], ""));
    assert!(status.contains("authentication PIN:"), "{status}");
    let auth = ok(&tool(&["cert", "show", "auth", "--json"], ""));
    assert!(auth.contains("\"days_left\":"), "{auth}");
    let sign = ok(&tool(
        &["cert", "show", "sign"],
        &format!("{}\n", env("JPKI_TEST_SIGN_PIN")),
    ));
    assert!(sign.contains("name:"), "{sign}");
    let text = ok(&tool(
        &["text"],
        &format!("{}\n", env("JPKI_TEST_TEXT_PIN")),
    ));
    assert!(text.contains("My Number:"), "{text}");
}

#[test]
fn sign_verify_and_login_through_the_reader() {
    let dir = Scratch::new("real-reader");
    let doc = dir.path("doc.txt");
    std::fs::write(&doc, "signed through a PC/SC reader\n").unwrap();
    let p7s = dir.path("doc.p7s");
    let (d, s) = (doc.to_str().unwrap(), p7s.to_str().unwrap());
    ok(&tool(
        &["sign", "--key", "sign", d, "-o", s],
        &format!("{}\n", env("JPKI_TEST_SIGN_PIN")),
    ));
    let v = ok(&tool(&["verify", s, d, "--ca", &ca("sign-ca.pem")], ""));
    assert!(v.contains("Verification successful"), "{v}");
    assert!(v.contains("revocation: not checked (no CRL given)"), "{v}");
    let (ch, resp) = (dir.path("ch.txt"), dir.path("resp.txt"));
    let (ch, resp) = (ch.to_str().unwrap(), resp.to_str().unwrap());
    ok(&tool(&["auth", "challenge", "-o", ch], ""));
    ok(&tool(
        &["auth", "respond", ch, "-o", resp],
        &format!("{}\n", env("JPKI_TEST_AUTH_PIN")),
    ));
    let who = ok(&tool(
        &[
            "auth",
            "check",
            ch,
            resp,
            "--ca",
            &ca("auth-ca.pem"),
            "--no-revocation-check",
        ],
        "",
    ));
    assert!(who.contains("login OK"), "{who}");
    assert!(who.contains("revocation: not checked"), "{who}");
}
