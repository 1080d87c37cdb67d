//! Secrets through the client CLI: a card with sentinel PINs, every PIN-taking command run
//! with `--card`, `--pin-stdin` and `--verbose` (the APDU trace on stderr), right PINs, a wrong
//! PIN, a PIN of the wrong format and a PIN change. No sentinel appears in stdout or stderr,
//! in ASCII or in hex; argv never carries a PIN (there is no `--pin` flag).

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/common.rs"]
mod common;
#[cfg(target_os = "linux")]
use test_support::cores;
use test_support::leaks;

use card_sim::{PinRef, SimCard};
use common::Scratch;
use leaks::{forms, shows_digits};
use pin_policy::{Pin, PinKind};
use test_support::sample;

const AUTH: &str = "8642";
const SIGN: &str = "SENTINEL9";
const TEXT: &str = "9753";
const AUTH_NEW: &str = "8462";
const SIGN_WRONG: &str = "SENTINEL8";
const BAD_FORMAT: &str = "SENTINELX";
const ALL: [&str; 6] = [AUTH, SIGN, TEXT, AUTH_NEW, SIGN_WRONG, BAD_FORMAT];

/// Runs the command with the APDU trace on, and checks no sentinel shows in either stream.
fn tool(card: &Path, args: &[&str], stdin: &str) -> Output {
    let out = common::tool_with(card, &["--verbose"], args, stdin);
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        for secret in ALL {
            for form in forms(secret) {
                assert!(
                    !text.contains(&form),
                    "{stream} of {args:?} shows {secret} as {form:?}:\n{text}"
                );
            }
            assert!(
                !shows_digits(&text, secret),
                "{stream} of {args:?} shows {secret}:\n{text}"
            );
        }
    }
    out
}

#[track_caller]
fn code(out: &Output, expected: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(expected),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn tries(card: &Path, pin: PinRef) -> u8 {
    SimCard::open(card)
        .unwrap()
        .pin_counter(pin)
        .unwrap()
        .tries_left()
}

#[test]
fn sentinel_pins_never_appear_in_output_traces_or_errors() {
    let set = test_support::fixtures::build().unwrap();
    let dir = Scratch::new("secrets");
    let card = dir.path("card.jpki");
    let mut contents = sample::my_number(&set, true).unwrap();
    contents.authentication.as_mut().unwrap().pin =
        Pin::new(PinKind::Authentication, AUTH.as_bytes()).unwrap();
    contents.signature.as_mut().unwrap().pin =
        Pin::new(PinKind::Signature, SIGN.as_bytes()).unwrap();
    contents.text_support.as_mut().unwrap().pin =
        Pin::new(PinKind::TextSupport, TEXT.as_bytes()).unwrap();
    SimCard::create(&card, contents).unwrap();
    let doc = dir.path("doc.txt");
    std::fs::write(&doc, "a document to sign\n").unwrap();
    let p7s = dir.path("doc.p7s");
    let (doc_s, p7s_s) = (doc.to_str().unwrap(), p7s.to_str().unwrap());

    // The trace is on: stderr shows APDUs, with the PIN commands redacted.
    let info = tool(&card, &["info"], "");
    assert!(
        String::from_utf8_lossy(&info.stderr).contains("00 A4 04 0C"),
        "--verbose traces APDUs"
    );
    code(&info, 0);
    code(&tool(&card, &["pin", "status"], ""), 0);

    // right PINs
    let signed = tool(
        &card,
        &["sign", "--key", "sign", doc_s, "-o", p7s_s],
        &format!("{SIGN}\n"),
    );
    let trace = code(&signed, 0);
    assert!(
        trace.contains("<redacted 9 bytes>"),
        "the VERIFY is traced: {trace}"
    );
    code(
        &tool(&card, &["cert", "show", "sign"], &format!("{SIGN}\n")),
        0,
    );
    code(&tool(&card, &["text"], &format!("{TEXT}\n")), 0);

    // a wrong PIN: one try spent, the message says how many are left, never the PIN
    let wrong = code(
        &tool(&card, &["cert", "show", "sign"], &format!("{SIGN_WRONG}\n")),
        3,
    );
    assert!(wrong.contains("4 tries left"), "{wrong}");
    assert_eq!(tries(&card, PinRef::Signature), 4);

    // a PIN of the wrong format: refused before anything is sent (invalid input)
    code(
        &tool(&card, &["cert", "show", "sign"], &format!("{BAD_FORMAT}\n")),
        6,
    );
    assert_eq!(tries(&card, PinRef::Signature), 4);
    let bad_new = tool(
        &card,
        &["pin", "change", "sign"],
        &format!("{SIGN}\n{BAD_FORMAT}\n{BAD_FORMAT}\n"),
    );
    code(&bad_new, 6);

    // a PIN change (old, new, new again)
    code(
        &tool(
            &card,
            &["pin", "change", "auth"],
            &format!("{AUTH}\n{AUTH_NEW}\n{AUTH_NEW}\n"),
        ),
        0,
    );
    code(&tool(&card, &["pin", "status"], ""), 0);

    // argv never carries a PIN: there is no such flag, and the card is not touched
    for args in [
        &["--pin", AUTH, "info"][..],
        &["info", "--pin", AUTH],
        &["sign", "--key", "sign", doc_s, "-o", p7s_s, "--pin", SIGN],
    ] {
        let refused = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
            .arg("--card")
            .arg(&card)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(refused.status.code(), Some(2), "clap refuses {args:?}");
        assert!(String::from_utf8_lossy(&refused.stderr).contains("--pin"));
    }
    assert_eq!(tries(&card, PinRef::Signature), 4);
    assert_eq!(tries(&card, PinRef::Authentication), 3);
}

/// Core files: `jpki-tool` disables them first thing (`RLIMIT_CORE` 0/0, not dumpable). One
/// waiting for the new PIN of a PIN change, with the current (sentinel) PIN already read, is
/// sent SIGQUIT: no core file — where a control process started the same way dumps one.
#[cfg(target_os = "linux")]
#[test]
fn a_tool_holding_a_pin_writes_no_core_file() {
    use std::io::Write as _;
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};

    let set = test_support::fixtures::build().unwrap();
    let dir = Scratch::new("secrets-core");
    let card = dir.path("card.jpki");
    let mut contents = sample::my_number(&set, true).unwrap();
    contents.authentication.as_mut().unwrap().pin =
        Pin::new(PinKind::Authentication, AUTH.as_bytes()).unwrap();
    SimCard::create(&card, contents).unwrap();
    let control = cores::control_dumps_core(&dir.path("control"));

    let cwd = dir.path("tool");
    let mut tool = cores::spawn_with_cores(
        &cwd,
        env!("CARGO_BIN_EXE_jpki-tool"),
        &[
            "--card",
            card.to_str().unwrap(),
            "--pin-stdin",
            "pin",
            "change",
            "auth",
        ],
    );
    // the current PIN; the new one never comes, so the tool waits with the PIN in memory
    let mut stdin = tool.stdin.take().unwrap();
    stdin.write_all(format!("{AUTH}\n").as_bytes()).unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let (soft, hard) = loop {
        let limits = cores::core_limits(tool.id());
        // (the shell first raises the soft limit, then execs jpki-tool, which sets both to 0)
        if (limits.0 == "0" && limits.1 == "0") || Instant::now() > deadline {
            break limits;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(
        (soft.as_str(), hard.as_str()),
        ("0", "0"),
        "jpki-tool's core limits"
    );
    let dumpable_seen = cores::assert_not_dumpable(tool.id());
    // time to read the line and block on the next
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        tool.try_wait().unwrap().is_none(),
        "jpki-tool waits for the new PIN"
    );
    let (status, new) = cores::quit_and_collect(tool, &cwd);
    drop(stdin);
    assert_eq!(
        status.signal(),
        Some(3),
        "jpki-tool died of SIGQUIT: {status}"
    );
    assert!(!status.core_dumped(), "jpki-tool dumped core");
    assert!(
        new.is_empty(),
        "jpki-tool left core files {new:?} (holding the PIN: {})",
        cores::any_holds(&new, AUTH)
    );
    assert_eq!(tries(&card, PinRef::Authentication), 3, "nothing was sent");
    eprintln!(
        "{}",
        cores::summary("jpki-tool", "a PIN read", dumpable_seen, control.as_deref())
    );
}

/// Item 7: the APDU trace shows no personal data read from the card — the My Number and the
/// 4 facts of the text-support AP, the signature certificate with the 4 facts — unless
/// `--trace-personal-data` asks for it; the PINs never, not even then.
#[test]
fn traces_show_personal_data_only_when_asked_and_pins_never() {
    let set = test_support::fixtures::build().unwrap();
    let dir = Scratch::new("secrets-personal");
    let card = dir.path("card.jpki");
    let mut contents = sample::my_number(&set, true).unwrap();
    contents.signature.as_mut().unwrap().pin =
        Pin::new(PinKind::Signature, SIGN.as_bytes()).unwrap();
    contents.text_support.as_mut().unwrap().pin =
        Pin::new(PinKind::TextSupport, TEXT.as_bytes()).unwrap();
    SimCard::create(&card, contents).unwrap();
    let my_number = hex::encode_upper(sample::MY_NUMBER);
    let name = hex::encode_upper(test_support::fixtures::holder().name.text());
    let address = hex::encode_upper(test_support::fixtures::holder().address.text());

    for (personal, args, stdin) in [
        (false, vec!["text"], format!("{TEXT}\n")),
        (false, vec!["cert", "show", "sign"], format!("{SIGN}\n")),
        (
            true,
            vec!["--trace-personal-data", "text"],
            format!("{TEXT}\n"),
        ),
        (
            true,
            vec!["--trace-personal-data", "cert", "show", "sign"],
            format!("{SIGN}\n"),
        ),
    ] {
        // `tool` checks that no PIN shows in either stream
        let out = tool(&card, &args, &stdin);
        let trace = code(&out, 0);
        assert!(trace.contains("<redacted"), "{args:?}: {trace}");
        let shown = [&my_number, &name, &address]
            .iter()
            .filter(|p| trace.contains(p.as_str()))
            .count();
        if personal {
            assert!(shown >= 1, "{args:?} shows the data asked for: {trace}");
        } else {
            assert_eq!(shown, 0, "{args:?} shows personal data: {trace}");
            assert!(
                trace.contains("<redacted 17 bytes>") || args[0] == "cert",
                "{trace}"
            );
        }
    }
}
