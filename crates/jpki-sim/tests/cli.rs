//! The `jpki-sim` binary end to end: PINs through `--pin-stdin`, never argv.
//!
//! (One piece, over 400 lines: each subcommand of the one binary, end to end, sharing its process
//! helpers.)

use test_support::cards;
#[path = "support/sim.rs"]
mod sim;

use std::io::Read;
use std::path::Path;
use std::process::Output;

use card_sim::{PinRef, SimCard, vpcd};
use cards::{HOLDER, exchange, hx, lc_ascii, temp_dir};
use sim::{fails, ok, s, serve_traced};

const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";

fn run(args: &[&str], stdin: &str) -> Output {
    sim::run_jpki_sim(args, stdin)
}

/// One vpcd frame to the served card, its answer back.
fn send(stream: &mut std::net::TcpStream, payload: &[u8]) -> Vec<u8> {
    vpcd::write_frame(stream, payload).unwrap();
    vpcd::read_frame(stream).unwrap().unwrap()
}

/// `jpki-sim serve --trace` of `card`, with the test playing vpcd: powered on, the JPKI
/// application and the authentication PIN selected.
fn serve_at_auth_pin(card: &Path) -> (std::process::Child, std::net::TcpStream) {
    let (child, mut stream) = serve_traced(card);
    assert_eq!(send(&mut stream, &[4]), card_sim::ATR);
    assert_eq!(send(&mut stream, &hx(SELECT_JPKI)), [0x90, 0x00]);
    assert_eq!(send(&mut stream, &hx("00 A4 02 0C 02 00 18")), [0x90, 0x00]);
    (child, stream)
}

/// `authority init` + `issue` of a My Number card; returns (authority dir, card path).
fn issue(dir: &Path, extra: &[&str]) -> (std::path::PathBuf, std::path::PathBuf) {
    issue_with(dir, extra, "1234\nABC123\n5678\n")
}

fn issue_with(dir: &Path, extra: &[&str], pins: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let authority = dir.join("authority");
    if !authority.exists() {
        let out = ok(&["authority", "init", s(&authority)], "");
        assert!(out.contains("sign-ca.pem"), "{out}");
    }
    let card = dir.join(format!("card{}", extra.len()));
    let mut args = vec![
        "issue",
        "--authority",
        s(&authority),
        "--out",
        s(&card),
        "--my-number",
        "123456789018",
        "--pin-stdin",
    ];
    args.extend(HOLDER);
    args.extend(extra);
    let out = ok(&args, pins);
    assert!(out.contains("issued My Number card"), "{out}");
    (authority, card)
}

#[test]
fn issue_and_inspect_with_real_and_municipal_retry_limits() {
    let dir = temp_dir("cli-issue");
    let (authority, card) = issue(&dir, &[]);
    let first = sim::first_serial(&authority);
    let out = ok(&["inspect", "--card", s(&card)], "");
    for expected in [
        "profile: My Number",
        "state: active",
        &format!("authentication certificate: serial {first:08X}"),
        &format!("signature certificate: serial {:08X}", first + 1),
        "authentication PIN: 3 of 3 tries left",
        "signature PIN: 5 of 5 tries left",
        "text-support PIN: 3 of 3 tries left",
        "23:59:59 JST",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }
    for secret in ["1234", "ABC123", "5678", "123456789018"] {
        assert!(!out.contains(secret), "inspect shows no secrets");
    }
    // the same as one JSON document
    let json = ok(&["inspect", "--card", s(&card), "--json"], "");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["profile"], "My Number");
    assert_eq!(v["terminated"], false);
    assert_eq!(
        v["authentication_certificate"]["serial"],
        format!("{first:08X}")
    );
    assert_eq!(v["pins"]["signature"]["tries_left"], 5);
    assert_eq!(v["pins"]["text_support"]["limit"], 3);
    assert_eq!(v["text_support"], true);
    for secret in ["1234", "ABC123", "5678", "123456789018"] {
        assert!(!json.contains(secret), "inspect --json shows no secrets");
    }
    // the file the binary wrote is a card whose PINs are the ones piped in
    let mut sim = SimCard::open(&card).unwrap();
    exchange(&mut sim, SELECT_JPKI, "9000");
    exchange(&mut sim, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut sim,
        &format!("00 20 00 80 {}", lc_ascii("ABC123")),
        "9000",
    );

    let (_, card) = issue(&dir, &["--retry-limits", "municipal"]);
    let out = ok(&["inspect", "--card", s(&card)], "");
    assert!(
        out.contains("authentication PIN: 5 of 5 tries left"),
        "{out}"
    );
    assert!(out.contains("signature PIN: 3 of 3 tries left"), "{out}");
    assert!(out.contains("text-support PIN: 5 of 5 tries left"), "{out}");
    assert!(out.contains(&format!("serial {:08X}", first + 2)), "{out}");

    // a Juki card: one PIN, the Juki rule
    let authority = dir.join("authority");
    let juki = dir.join("juki");
    let out = sim::issue_juki(&authority, &juki);
    assert!(out.contains("issued Juki card"), "{out}");
    let out = ok(&["inspect", "--card", s(&juki)], "");
    assert!(out.contains("profile: Juki"), "{out}");
    assert!(out.contains("authentication certificate: none"), "{out}");
    assert!(out.contains("signature PIN: 5 of 5 tries left"), "{out}");

    // no signature certificate: the PINs asked are authentication and text-support only
    let (_, card) = issue_with(&dir, &["--no-sign"], "1234\n5678\n");
    let out = ok(&["inspect", "--card", s(&card)], "");
    assert!(out.contains("signature certificate: none"), "{out}");
}

#[test]
fn errors_are_one_line_with_documented_exit_codes() {
    let dir = temp_dir("cli-errors");
    let (authority, card) = issue(&dir, &[]);
    let mut args = vec![
        "issue",
        "--authority",
        s(&authority),
        "--out",
        "PLACEHOLDER",
        "--my-number",
        "123456789018",
        "--pin-stdin",
    ];
    args.extend(HOLDER);
    let out_path = dir.join("new-card");
    args[4] = s(&out_path);
    // a PIN breaking its rule: exit 6 (invalid input), nothing written
    let err = fails(&args, "12\nABC123\n5678\n", 6);
    assert!(err.contains("authentication PIN"), "{err}");
    assert!(!err.contains("12\n"), "{err}");
    assert!(!out_path.exists());
    // stdin ends early: exit 6
    let err = fails(&args, "1234\n", 6);
    assert!(err.contains("standard input ended"), "{err}");
    // bad My Number, bad date: exit 6
    let mut bad = args.clone();
    bad[6] = "123456789017";
    fails(&bad, "", 6);
    let mut bad = args.clone();
    let birth = bad.iter().position(|a| *a == "1990-01-01").unwrap();
    bad[birth] = "1990-02-30";
    fails(&bad, "", 6);
    // an existing card file is never replaced: exit 1
    args[4] = s(&card);
    let err = fails(&args, "1234\nABC123\n5678\n", 1);
    assert!(err.contains("already exists"), "{err}");
    // not a card file: exit 1, left untouched
    let foreign = dir.join("foreign");
    std::fs::write(&foreign, b"hello").unwrap();
    let err = fails(&["inspect", "--card", s(&foreign)], "", 1);
    assert!(err.contains("not a card file"), "{err}");
    assert_eq!(std::fs::read(&foreign).unwrap(), b"hello");
    // usage errors: exit 2 (clap)
    assert_eq!(run(&["issue", "--pin", "1234"], "").status.code(), Some(2));
}

fn block(card: &Path, ef: &str, tries: u8) {
    let mut sim = SimCard::open(card).unwrap();
    exchange(&mut sim, SELECT_JPKI, "9000");
    exchange(&mut sim, &format!("00 A4 02 0C 02 {ef}"), "9000");
    for left in (0..tries).rev() {
        exchange(
            &mut sim,
            &format!("00 20 00 80 {}", lc_ascii("9999")),
            &format!("63C{left}"),
        );
    }
}

#[test]
fn admin_unlock_releases_a_pin_blocked_by_wrong_verifies() {
    let dir = temp_dir("cli-unlock");
    let (authority, card) = issue(&dir, &[]);
    block(&card, "00 18", 3);
    let out = ok(&["inspect", "--card", s(&card)], "");
    assert!(
        out.contains("authentication PIN: 0 of 3 tries left (BLOCKED"),
        "{out}"
    );

    let target = ["--authority", s(&authority), "--card", s(&card)];
    let mut args = vec!["admin", "unlock", "--pin", "auth"];
    args.extend(target);
    let out = ok(&args, "");
    assert!(out.contains("authentication PIN unlocked"), "{out}");
    let sim = SimCard::open_snapshot(&card).unwrap();
    assert_eq!(
        sim.pin_counter(PinRef::Authentication)
            .unwrap()
            .tries_left(),
        3
    );

    // again, with a new PIN from stdin; a PIN breaking the rule is refused (exit 6)
    block(&card, "00 18", 3);
    args.extend(["--new-pin", "--pin-stdin"]);
    fails(&args, "12345\n", 6);
    ok(&args, "4321\n");
    let mut sim = SimCard::open(&card).unwrap();
    exchange(&mut sim, SELECT_JPKI, "9000");
    exchange(&mut sim, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut sim,
        &format!("00 20 00 80 {}", lc_ascii("1234")),
        "63C2",
    );
    exchange(
        &mut sim,
        &format!("00 20 00 80 {}", lc_ascii("4321")),
        "9000",
    );
    drop(sim);

    // another authority's city hall cannot unlock it
    let other = dir.join("other-authority");
    ok(&["authority", "init", s(&other)], "");
    block(&card, "00 18", 3);
    let err = fails(
        &[
            "admin",
            "unlock",
            "--pin",
            "auth",
            "--authority",
            s(&other),
            "--card",
            s(&card),
        ],
        "",
        1,
    );
    assert!(err.contains("EXTERNAL AUTHENTICATE"), "{err}");
}

#[test]
fn admin_change_facts_and_fault() {
    let dir = temp_dir("cli-admin");
    let (authority, card) = issue(&dir, &[]);
    let target = ["--authority", s(&authority), "--card", s(&card)];
    let mut args = vec!["admin", "change-facts"];
    args.extend(target);
    args.extend(HOLDER);
    let address = args
        .iter()
        .position(|a| *a == "東京都千代田区霞が関二丁目1番2号")
        .unwrap();
    args[address] = "東京都千代田区永田町一丁目7番1号";
    let first = sim::first_serial(&authority);
    let out = ok(&args, "");
    assert!(
        out.contains(&format!("new signature certificate {:08X}", first + 2)),
        "{out}"
    );
    let out = ok(&["inspect", "--card", s(&card)], "");
    assert!(
        out.contains(&format!("authentication certificate: serial {first:08X}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("signature certificate: serial {:08X}", first + 2)),
        "{out}"
    );
    let crl = sim::holder_crl(&authority, "sign");
    assert!(crl.lookup(cert::Serial::from(first + 1)).is_some());
    assert!(crl.lookup(cert::Serial::from(first + 2)).is_none());

    let mut args = vec!["admin", "fault"];
    args.extend(target);
    ok(&args, "");
    let out = ok(&["inspect", "--card", s(&card)], "");
    assert!(out.contains("state: terminated"), "{out}");
    let crl = sim::holder_crl(&authority, "auth");
    assert!(crl.lookup(cert::Serial::from(first)).is_some());
    let err = fails(&args, "", 1);
    assert!(err.contains("terminated"), "{err}");
}

#[test]
fn serve_answers_vpcd_and_traces_with_pins_redacted() {
    let dir = temp_dir("cli-serve");
    let (_, card) = issue(&dir, &[]);
    // play vpcd: the card connects to us
    let (child, mut stream) = serve_at_auth_pin(&card);
    let mut send = |payload: &[u8]| send(&mut stream, payload);
    assert_eq!(send(&hx("00 20 00 80 04 31 32 33 34")), [0x90, 0x00]);
    assert_eq!(send(&hx("00 20 00 80 04 39 39 39 39")), [0x63, 0xC2]);
    drop(stream);
    // the listener is gone: one failed reconnect and it gives up (exit 1)
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut err = String::new();
    out.stderr.as_slice().read_to_string(&mut err).unwrap();
    assert!(err.contains("> 00 A4 02 0C 02 0018"), "{err}");
    assert!(err.contains("> 00 20 00 80 04 <redacted 4 bytes>"), "{err}");
    assert!(err.contains("< 63C2"), "{err}");
    assert!(
        !err.contains("31323334") && !err.contains("39393939"),
        "{err}"
    );
    assert!(err.contains("is pcscd running"), "{err}");
    // the VERIFYs were durable
    let sim = SimCard::open(&card).unwrap();
    assert_eq!(
        sim.pin_counter(PinRef::Authentication)
            .unwrap()
            .tries_left(),
        2
    );
}

#[test]
fn a_served_card_is_refused_to_a_second_simulator_and_the_city_hall_but_can_be_inspected() {
    let dir = temp_dir("cli-in-use");
    let (authority, card) = issue(&dir, &[]);
    let (child, mut stream) = serve_at_auth_pin(&card);
    let mut send = |payload: &[u8]| send(&mut stream, payload);
    assert_eq!(send(&hx("00 20 00 80 04 39 39 39 39")), [0x63, 0xC2]);

    // looking works, and sees the served card's count
    let out = ok(&["inspect", "--card", s(&card)], "");
    assert!(
        out.contains("authentication PIN: 2 of 3 tries left"),
        "{out}"
    );
    // a second simulator of the card is refused before it reaches for a reader
    let err = fails(
        &[
            "serve",
            "--card",
            s(&card),
            "--addr",
            "127.0.0.1:9",
            "--give-up-after",
            "1",
        ],
        "",
        1,
    );
    assert!(err.contains("is in use by another simulator"), "{err}");
    // the city hall needs the card in its own reader
    let unlock = [
        "admin",
        "unlock",
        "--pin",
        "auth",
        "--authority",
        s(&authority),
        "--card",
        s(&card),
    ];
    let err = fails(&unlock, "", 1);
    assert!(err.contains("is in use by another simulator"), "{err}");

    // the served card went on undisturbed
    assert_eq!(send(&hx("00 20 00 80 04 31 32 33 34")), [0x90, 0x00]);
    assert_eq!(send(&hx("00 20 00 80 04 39 39 39 39")), [0x63, 0xC2]);
    drop(stream);
    assert_eq!(child.wait_with_output().unwrap().status.code(), Some(1));
    // out of the reader, the card goes to the city hall
    let out = ok(&unlock, "");
    assert!(
        out.contains("authentication PIN unlocked (3 of 3 tries, was 2)"),
        "{out}"
    );
}

#[test]
fn issues_run_at_once_from_one_authority_take_turns_and_share_no_serial() {
    use std::collections::HashSet;
    const CARDS: usize = 4;
    let dir = temp_dir("cli-concurrent-issue");
    let authority = dir.join("authority");
    ok(&["authority", "init", s(&authority)], "");

    // the window is busy while the issues start: each of them has to wait its turn
    let busy = issuer::Authority::open(&authority).unwrap();
    let issues: Vec<_> = (0..CARDS)
        .map(|n| {
            let args: Vec<String> = [
                "issue",
                "--authority",
                s(&authority),
                "--out",
                s(&dir.join(format!("card-{n}"))),
                "--my-number",
                "123456789018",
                "--pin-stdin",
            ]
            .into_iter()
            .chain(HOLDER)
            .map(str::to_owned)
            .collect();
            std::thread::spawn(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                run(&args, "1234\nABC123\n5678\n")
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    drop(busy);

    let mut waited = 0;
    for issue in issues {
        let out = issue.join().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        waited += usize::from(err.contains("waiting for the authority"));
    }
    assert!(waited > 0, "no issue waited for the authority");

    let mut serials = HashSet::new();
    for n in 0..CARDS {
        let card = SimCard::open_snapshot(dir.join(format!("card-{n}"))).unwrap();
        for role in [
            card_sim::KeyRole::Authentication,
            card_sim::KeyRole::Signature,
        ] {
            let der = card.certificate(role).unwrap();
            let serial = cert::JpkiCertificate::from_der(der).unwrap().serial();
            assert!(serials.insert(serial), "serial {serial} is on two cards");
        }
    }
    let state = std::fs::read_to_string(authority.join("authority.txt")).unwrap();
    assert!(
        state.contains(&format!(
            "next-serial: {:08x}",
            sim::first_serial(&authority) + 2 * CARDS as u64
        )),
        "{state}"
    );
}

/// `issue` args for a new card `out` of `authority`, with `holder` overriding (or adding to) the
/// sample holder.
fn issue_args_with<'a>(authority: &'a Path, out: &'a Path, holder: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "issue",
        "--authority",
        s(authority),
        "--out",
        s(out),
        "--my-number",
        "123456789018",
        "--pin-stdin",
    ];
    let mut sample: Vec<&str> = HOLDER.to_vec();
    for pair in holder.chunks(2) {
        if let [flag, value] = pair {
            match sample.iter().position(|a| a == flag) {
                Some(at) => sample[at + 1] = value,
                None => sample.extend([*flag, *value]),
            }
        }
    }
    args.extend(sample);
    args
}

/// Item 6: control characters and bidi overrides in holder data are refused at issuance with
/// the invalid-input code, and the error line does not echo them raw.
#[test]
fn issue_refuses_control_characters_and_bidi_overrides_in_holder_data() {
    let dir = temp_dir("cli-controls");
    let (authority, _) = issue(&dir, &[]);
    let out = dir.join("hostile");
    for (flag, value) in [
        ("--name", "番号 花\u{1b}[2J子"),
        ("--name", "番号 花子\u{7}"),
        ("--address", "東京都千代田区\nOK: verified"),
        ("--address", "東京都\r千代田区"),
        ("--address", "東京都\u{202e}区田代千"),
    ] {
        let args = issue_args_with(&authority, &out, &[flag, value]);
        let err = fails(&args, "1234\nABC123\n5678\n", 6);
        assert!(err.contains(flag), "{flag} {value:?}: {err}");
        assert!(err.contains("control character"), "{err}");
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{202e}'),
            "{err}"
        );
        assert!(!out.exists(), "{flag} {value:?}: no card written");
    }
}

/// Place names are romaji as J-LIS writes them; the municipality is its 団体コード. Kanji, a
/// control character, a malformed code or a prefecture the code does not name are invalid input
/// (6) naming the flag, and no card is written.
#[test]
fn issue_takes_the_municipality_code_and_romaji_names() {
    let dir = temp_dir("cli-municipality");
    let (authority, _) = issue(&dir, &[]);
    let out = dir.join("new");
    for (extra, flag, expect) in [
        (vec!["--city", "千代田区"], "--city", "romaji"),
        (vec!["--city", "Chiyoda\u{2066}ku"], "--city", "romaji"),
        (vec!["--prefecture", "東京都"], "--prefecture", "romaji"),
        (vec!["--prefecture", "Osaka-fu"], "--prefecture", "Tokyo-to"),
        (
            vec!["--municipality-code", "131017"],
            "--municipality-code",
            "check digit",
        ),
        (
            vec!["--municipality-code", "99101"],
            "--municipality-code",
            "01 to 47",
        ),
    ] {
        let args = issue_args_with(&authority, &out, &extra);
        let err = fails(&args, "1234\nABC123\n5678\n", 6);
        assert!(
            err.contains(flag) && err.contains(expect),
            "{extra:?}: {err}"
        );
        assert!(!err.contains('\u{2066}'), "{err}");
        assert!(!out.exists(), "{extra:?}: no card written");
    }
    let args = issue_args_with(
        &authority,
        &out,
        &["--municipality-code", "131016", "--prefecture", "Tokyo-to"],
    );
    ok(&args, "1234\nABC123\n5678\n");
    let card = SimCard::open_snapshot(&out).unwrap();
    let sign =
        cert::JpkiCertificate::from_der(card.certificate(card_sim::KeyRole::Signature).unwrap())
            .unwrap();
    let locality = sign.municipality().unwrap();
    assert_eq!(
        (locality.prefecture.as_str(), locality.city.as_str()),
        ("Tokyo-to", "Chiyoda-ku")
    );
}

/// Item 8: birth dates before Meiji or in the future, a too-long name and a past card expiry
/// are invalid input (6), like every other bad value; none writes a card.
#[test]
fn bad_dates_and_a_too_long_name_are_invalid_input() {
    let dir = temp_dir("cli-dates");
    let (authority, _) = issue(&dir, &[]);
    let out = dir.join("new");
    let long_name = format!("番号 {}", "花".repeat(400));
    for (holder, expect) in [
        (vec!["--birth", "0985-01-01"], "1868-01-25"),
        (vec!["--birth", "1800-06-15"], "1868-01-25"),
        (vec!["--birth", "1868-01-24"], "1868-01-25"),
        (vec!["--birth", "2999-01-01"], "future"),
        (vec!["--name", long_name.as_str()], "too long"),
    ] {
        let args = issue_args_with(&authority, &out, &holder);
        let err = fails(&args, "1234\nABC123\n5678\n", 6);
        assert!(err.contains(expect), "{holder:?}: {err}");
        assert!(!out.exists());
    }
    let mut args = issue_args_with(&authority, &out, &[]);
    args.extend(["--card-expiry", "2001-01-01"]);
    let err = fails(&args, "1234\nABC123\n5678\n", 6);
    assert!(err.contains("--card-expiry"), "{err}");
    // the first day of Meiji is a date of birth a card can state
    let args = issue_args_with(&authority, &out, &["--birth", "1868-01-25"]);
    ok(&args, "1234\nABC123\n5678\n");
}

/// Item 8: errors name what the user gave, say each cause once, and say what to do.
#[test]
fn errors_name_the_users_paths_once_and_say_what_to_do() {
    let dir = temp_dir("cli-paths");
    let (authority, card) = issue(&dir, &[]);
    // a missing directory is named, not the lock file inside it
    let missing = dir.join("no-such-dir").join("card.jpki");
    let args = issue_args_with(&authority, &missing, &[]);
    let err = fails(&args, "1234\nABC123\n5678\n", 1);
    assert!(err.contains("no-such-dir does not exist"), "{err}");
    assert!(!err.contains(".lock"), "{err}");
    let err = fails(
        &[
            "admin",
            "fault",
            "--authority",
            s(&dir.join("none")),
            "--card",
            s(&card),
        ],
        "",
        1,
    );
    assert!(err.contains("authority init"), "{err}");
    assert!(!err.contains(".lock"), "{err}");
    // a directory given as the card: said once
    let err = fails(&["inspect", "--card", s(&dir)], "", 1);
    assert_eq!(err.matches("not a regular file").count(), 1, "{err}");
    // a missing card file: named as given
    let err = fails(&["inspect", "--card", s(&dir.join("gone.jpki"))], "", 1);
    assert_eq!(err.matches("gone.jpki does not exist").count(), 1, "{err}");
    // a card of another authority: say so, and what to do
    let other = dir.join("other-authority");
    ok(&["authority", "init", s(&other)], "");
    block(&card, "00 18", 3);
    let err = fails(
        &[
            "admin",
            "unlock",
            "--pin",
            "auth",
            "--authority",
            s(&other),
            "--card",
            s(&card),
        ],
        "",
        1,
    );
    assert!(err.contains("another authority"), "{err}");
    assert!(err.contains("issuing municipality"), "{err}");
    // a file name with a control character stays on one line
    let weird = dir.join("a\nb");
    let err = fails(&["inspect", "--card", s(&weird)], "", 1);
    assert!(err.contains("a\\u{a}b"), "{err}");
}

/// Item 8: the one exit-code table, in `--help`.
#[test]
fn help_shows_the_shared_exit_code_table() {
    let help = ok(&["--help"], "");
    assert!(help.contains(cli_common::EXIT_CODES), "{help}");
    assert!(help.contains("6  invalid input"), "{help}");
}
