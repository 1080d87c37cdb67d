//! Secrets: sentinel PINs go through `jpki-sim issue --pin-stdin`, a traced `serve` session
//! (VERIFY right and wrong, CHANGE REFERENCE DATA, RESET RETRY COUNTER), `inspect`, and the
//! `Debug` and `Display` forms of every type that holds them. They never appear in stdout,
//! stderr, traces, `Debug` output or error messages — in ASCII or in hex. The card file holds
//! them as stored (plain, in a file of mode 0600), and no CLI takes a PIN on argv.
//!
//! (One piece, over 400 lines: one sentinel set followed through every output of the binary.)

use test_support::cards;
#[cfg(target_os = "linux")]
use test_support::cores;
use test_support::leaks;
#[path = "support/sim.rs"]
mod sim;

use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use card_sim::{PinRef, SimCard, vpcd};
use cards::{HOLDER, hx, lc_ascii, temp_dir};
use issuer::Authority;
use leaks::{forms, shows_digits};
use pin_policy::{Pin, PinKind};
use sim::{serve_traced, serve_traced_with};

const AUTH: &str = "8642";
const SIGN: &str = "SENTINEL9";
const TEXT: &str = "9753";
/// The new signature PIN set by CHANGE REFERENCE DATA in the traced session.
const SIGN_NEW: &str = "SENTINEL7";
/// A wrong signature PIN offered in the traced session.
const SIGN_WRONG: &str = "SENTINEL8";
/// A PIN breaking the format rules (no digit).
const BAD_FORMAT: &str = "SENTINELX";

const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for secret in [AUTH, SIGN, TEXT, SIGN_NEW, SIGN_WRONG, BAD_FORMAT] {
        for form in forms(secret) {
            assert!(
                !text.contains(&form),
                "{what} shows the PIN {secret} as {form:?}:\n{text}"
            );
        }
        assert!(
            !shows_digits(text, secret),
            "{what} shows the PIN {secret}:\n{text}"
        );
    }
}

fn run(args: &[&str], stdin: &str) -> Output {
    sim::run_jpki_sim(args, stdin)
}

/// Runs jpki-sim and asserts that nothing it printed shows a sentinel; returns the output.
#[track_caller]
fn run_clean(args: &[&str], stdin: &str) -> Output {
    let out = run(args, stdin);
    assert_clean(
        &format!("stdout of {args:?}"),
        &String::from_utf8_lossy(&out.stdout),
    );
    assert_clean(
        &format!("stderr of {args:?}"),
        &String::from_utf8_lossy(&out.stderr),
    );
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn issue_args<'a>(authority: &'a Path, card: &'a Path) -> Vec<&'a str> {
    let mut args = vec![
        "issue",
        "--authority",
        s(authority),
        "--out",
        s(card),
        "--my-number",
        "123456789018",
        "--pin-stdin",
    ];
    args.extend(HOLDER);
    args
}

#[test]
fn sentinel_pins_never_leave_the_card_file() {
    let dir = temp_dir("secrets");
    let authority = dir.join("authority");
    let card = dir.join("card.jpki");
    assert!(
        run_clean(&["authority", "init", s(&authority)], "")
            .status
            .success()
    );

    // A PIN of the wrong format is refused without being echoed, and no card is written.
    let bad = run_clean(
        &issue_args(&authority, &card),
        &format!("{AUTH}\n{BAD_FORMAT}\n{TEXT}\n"),
    );
    assert!(!bad.status.success(), "a signature PIN without a digit");
    assert!(!card.exists());

    // argv never carries a PIN: there is no such flag.
    let mut with_flag = issue_args(&authority, &card);
    with_flag.extend(["--pin", AUTH]);
    let refused = run(&with_flag, "");
    assert_eq!(refused.status.code(), Some(2), "clap refuses --pin");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--pin"),
        "the error names the flag"
    );
    assert!(!card.exists());

    let issued = run_clean(
        &issue_args(&authority, &card),
        &format!("{AUTH}\n{SIGN}\n{TEXT}\n"),
    );
    assert!(issued.status.success(), "{issued:?}");
    assert!(
        run_clean(&["inspect", "--card", s(&card)], "")
            .status
            .success()
    );

    // The card file holds the PINs as stored (it is the card's memory), readable only by
    // its owner.
    let bytes = std::fs::read(&card).unwrap();
    assert!(
        bytes.windows(SIGN.len()).any(|w| w == SIGN.as_bytes()),
        "the PIN is stored in the card file"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&card).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "card file mode {mode:o}");
    }

    // A traced vpcd session: right and wrong VERIFY, a PIN change, a RESET RETRY COUNTER
    // without authority.
    let (child, mut stream) = serve_traced(&card);
    let mut send = |capdu: &str| -> Vec<u8> {
        vpcd::write_frame(&mut stream, &hx(capdu)).unwrap();
        vpcd::read_frame(&mut stream).unwrap().unwrap()
    };
    assert_eq!(send("04"), card_sim::ATR);
    for (capdu, expected) in [
        (SELECT_JPKI.to_owned(), "9000"),
        ("00 A4 02 0C 02 00 18".to_owned(), "9000"),
        (format!("00 20 00 80 {}", lc_ascii(AUTH)), "9000"),
        ("00 A4 02 0C 02 00 1B".to_owned(), "9000"),
        (format!("00 20 00 80 {}", lc_ascii(SIGN_WRONG)), "63C4"),
        (format!("00 20 00 80 {}", lc_ascii(SIGN)), "9000"),
        (format!("00 24 01 80 {}", lc_ascii(BAD_FORMAT)), "6A80"),
        (format!("00 24 01 80 {}", lc_ascii(SIGN_NEW)), "9000"),
        (format!("00 2C 02 80 {}", lc_ascii(SIGN)), "6982"),
    ] {
        assert_eq!(hex::encode_upper(send(&capdu)), expected, "{capdu}");
    }
    drop(stream);
    let out = child.wait_with_output().unwrap();
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(
        trace.contains("<redacted 4 bytes>"),
        "the trace shows PIN commands: {trace}"
    );
    assert_clean("the serve trace", &trace);
    assert_clean("serve's stdout", &String::from_utf8_lossy(&out.stdout));

    // The change was made: the new PIN is what the file holds now.
    let bytes = std::fs::read(&card).unwrap();
    assert!(
        bytes
            .windows(SIGN_NEW.len())
            .any(|w| w == SIGN_NEW.as_bytes())
    );
    assert!(!bytes.windows(SIGN.len()).any(|w| w == SIGN.as_bytes()));

    // Debug of the card and of its authority.
    let sim = SimCard::open(&card).unwrap();
    assert_clean("Debug of SimCard", &format!("{sim:?} {sim:#?}"));
    let auth = Authority::open(&authority).unwrap();
    assert_clean("Debug of Authority", &format!("{auth:?} {auth:#?}"));
    assert_eq!(
        sim.pin_counter(PinRef::Signature).unwrap().tries_left(),
        5,
        "the correct VERIFY restored the counter"
    );
}

/// The My Number of the sample holder and the name as the card stores it (UTF-8), in the hex
/// a trace would show them in.
const MY_NUMBER_HEX: &str = "313233343536373839303138";

fn name_hex() -> String {
    hex::encode_upper("番号\u{3000}花子".as_bytes())
}

/// One traced `serve` session: PINs in every form a client could send (odd INS, other CLAs,
/// chained, the admin channel's EXTERNAL AUTHENTICATE), then the personal data read from the
/// text-support AP and the signature certificate. Returns the trace.
fn traced_session(card: &Path, extra: &[&str]) -> String {
    let (child, mut stream) = serve_traced_with(card, extra);
    let mut send = |capdu: &str| -> String {
        vpcd::write_frame(&mut stream, &hx(capdu)).unwrap();
        hex::encode_upper(vpcd::read_frame(&mut stream).unwrap().unwrap())
    };
    assert_eq!(send("04"), hex::encode_upper(card_sim::ATR));
    let select_text = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
    let sign = lc_ascii(SIGN);
    let text = lc_ascii(TEXT);
    for (capdu, expected) in [
        (SELECT_JPKI.to_owned(), "9000"),
        ("00 A4 02 0C 02 00 1B".to_owned(), "9000"),
        // the PIN forms: the card answers each, the trace must redact each
        (format!("00 21 00 80 {sign}"), "6D00"),
        (format!("80 20 00 80 {sign}"), "9000"),
        (format!("10 20 00 80 {sign}"), "6E00"),
        (format!("0C 20 00 80 {sign}"), "69FC"),
        (format!("00 25 01 80 {sign}"), "6D00"),
        (format!("00 2D 02 80 {sign}"), "6D00"),
        (format!("84 24 01 80 {sign}"), "6E00"),
        (format!("00 82 00 00 {sign}"), "6985"),
        (format!("00 20 00 80 {sign}"), "9000"),
        // the signature certificate (the 4 facts in its SAN), read after the PIN
        ("00 A4 02 0C 02 00 01".to_owned(), "9000"),
        ("00 B0 00 00 00".to_owned(), "9000"),
        ("00 B0 01 00 00".to_owned(), "9000"),
        ("00 B0 02 00 00".to_owned(), "9000"),
        // the text-support AP: My Number and 4 facts
        (select_text.to_owned(), "9000"),
        ("00 A4 02 0C 02 00 11".to_owned(), "9000"),
        (format!("00 20 00 80 {text}"), "9000"),
        ("00 A4 02 0C 02 00 01".to_owned(), "9000"),
        ("00 B0 00 00 11".to_owned(), "9000"),
        ("00 A4 02 0C 02 00 02".to_owned(), "9000"),
        ("00 B0 00 00 00".to_owned(), "9000"),
    ] {
        let got = send(&capdu);
        assert!(got.ends_with(expected), "{capdu} → {got}");
    }
    drop(stream);
    let out = child.wait_with_output().unwrap();
    assert_clean("serve's stdout", &String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn traces_redact_pins_in_every_form_and_personal_data_unless_asked() {
    let dir = temp_dir("secrets-trace");
    let authority = dir.join("authority");
    let card = dir.join("card.jpki");
    assert!(
        run(&["authority", "init", s(&authority)], "")
            .status
            .success()
    );
    let issued = run(
        &issue_args(&authority, &card),
        &format!("{AUTH}\n{SIGN}\n{TEXT}\n"),
    );
    assert!(issued.status.success(), "{issued:?}");

    let trace = traced_session(&card, &[]);
    assert_clean("the serve trace", &trace);
    // 9 commands carrying the sentinel signature PIN, each redacted (and the text PIN)
    assert_eq!(trace.matches("<redacted 9 bytes>").count(), 9, "{trace}");
    assert!(
        trace.contains("> 00 21 00 80 09 <redacted 9 bytes>"),
        "{trace}"
    );
    assert!(
        trace.contains("> 80 20 00 80 09 <redacted 9 bytes>"),
        "{trace}"
    );
    for personal in [MY_NUMBER_HEX.to_owned(), name_hex()] {
        assert!(!trace.contains(&personal), "{personal} in:\n{trace}");
    }
    // the signature certificate's three chunks, My Number and 4 facts: redacted
    assert_eq!(
        trace.matches("<redacted 256 bytes> 9000").count(),
        3,
        "{trace}"
    );
    assert!(trace.contains("< <redacted 17 bytes> 9000"), "{trace}");

    // asked for: the personal data shows, the PINs still do not
    let trace = traced_session(&card, &["--trace-personal-data"]);
    assert_clean("the serve trace with personal data", &trace);
    assert!(trace.contains(MY_NUMBER_HEX), "{trace}");
    assert!(trace.contains(&name_hex()), "{trace}");
    assert_eq!(trace.matches("<redacted 9 bytes>").count(), 9, "{trace}");
}

#[test]
fn debug_and_errors_of_pin_holding_types_redact_the_pin() {
    // Pin and the contents types
    let pin = Pin::new(PinKind::Signature, SIGN.as_bytes()).unwrap();
    assert_clean("Debug of Pin", &format!("{pin:?} {pin:#?}"));
    let mut contents = cards::my_number_contents();
    let key = contents.signature.as_mut().unwrap();
    key.pin = pin.clone();
    assert_clean("Debug of KeyContents", &format!("{key:?}"));
    contents.authentication.as_mut().unwrap().pin =
        Pin::new(PinKind::Authentication, AUTH.as_bytes()).unwrap();
    contents.text_support.as_mut().unwrap().pin =
        Pin::new(PinKind::TextSupport, TEXT.as_bytes()).unwrap();
    assert_clean(
        "Debug of CardContents",
        &format!("{contents:?} {contents:#?}"),
    );
    let card = SimCard::new(contents).unwrap();
    assert_clean("Debug of SimCard", &format!("{card:?} {card:#?}"));

    // a PIN command, decoded as the card does it (marked sensitive), in Debug and Display
    for capdu in [
        format!("00 20 00 80 {}", lc_ascii(SIGN)),
        format!("00 24 01 80 {}", lc_ascii(SIGN_NEW)),
        format!("00 2C 02 80 {}", lc_ascii(AUTH)),
    ] {
        let mut command = apdu::Command::decode(&hx(&capdu)).unwrap();
        assert!(card_sim::is_pin_command(command.ins));
        command.set_sensitive(true);
        assert_clean("Debug of Command", &format!("{command:?} {command:#?}"));
        assert_clean("Display of Command", &format!("{command}"));
    }

    // errors about a PIN of the wrong format name the rule, never the PIN
    for (kind, bad) in [
        (PinKind::Signature, BAD_FORMAT),
        (PinKind::Authentication, "SENTINEL9"),
        (PinKind::Authentication, "86420"),
        (PinKind::TextSupport, "9753X"),
    ] {
        let err = Pin::new(kind, bad.as_bytes()).unwrap_err();
        let text = format!("{err} / {err:?}");
        assert!(!text.contains(bad), "{kind:?} error shows {bad}: {text}");
        let card_err = card_sim::Error::from(err);
        let text = format!("{card_err} / {card_err:?}");
        assert!(!text.contains(bad), "card-sim error shows {bad}: {text}");
    }
}

/// Core files: `jpki-sim` disables them first thing (`RLIMIT_CORE` 0/0, not dumpable), so a
/// `serve` holding a verified sentinel PIN writes no core file when it is sent SIGQUIT — even
/// when its parent raised the soft limit before starting it, and where a control process
/// started the same way does dump core.
#[cfg(target_os = "linux")]
#[test]
fn a_serve_holding_a_pin_writes_no_core_file() {
    use std::os::unix::process::ExitStatusExt;

    let dir = temp_dir("secrets-core");
    let authority = dir.join("authority");
    let card = dir.join("card.jpki");
    assert!(
        run(&["authority", "init", s(&authority)], "")
            .status
            .success()
    );
    let issued = run(
        &issue_args(&authority, &card),
        &format!("{AUTH}\n{SIGN}\n{TEXT}\n"),
    );
    assert!(issued.status.success(), "{issued:?}");
    let control = cores::control_dumps_core(&dir.join("control"));

    // serve, after a VERIFY with the sentinel PIN went through it
    let cwd = dir.join("serve");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let serve = cores::spawn_with_cores(
        &cwd,
        env!("CARGO_BIN_EXE_jpki-sim"),
        &["serve", "--card", s(&card), "--addr", &addr],
    );
    let (mut stream, _) = listener.accept().unwrap();
    let mut send = |capdu: &str| -> String {
        vpcd::write_frame(&mut stream, &hx(capdu)).unwrap();
        hex::encode_upper(vpcd::read_frame(&mut stream).unwrap().unwrap())
    };
    assert_eq!(send(SELECT_JPKI), "9000");
    assert_eq!(send("00 A4 02 0C 02 00 1B"), "9000");
    assert_eq!(send(&format!("00 20 00 80 {}", lc_ascii(SIGN))), "9000");

    let (soft, hard) = cores::core_limits(serve.id());
    assert_eq!(
        (soft.as_str(), hard.as_str()),
        ("0", "0"),
        "serve's core limits"
    );
    let dumpable_seen = cores::assert_not_dumpable(serve.id());
    let (status, new) = cores::quit_and_collect(serve, &cwd);
    drop(stream);
    assert_eq!(status.signal(), Some(3), "serve died of SIGQUIT: {status}");
    assert!(!status.core_dumped(), "serve dumped core");
    assert!(
        new.is_empty(),
        "serve left core files {new:?} (holding the PIN: {})",
        cores::any_holds(&new, SIGN)
    );
    eprintln!(
        "{}",
        cores::summary(
            "serve",
            "a verified PIN in memory",
            dumpable_seen,
            control.as_deref()
        )
    );
}
