//! Bounded input: every file jpki-tool reads has a cap (`jpki_tool::input`), documents are
//! hashed as they stream, and a sparse huge file, `/dev/zero` or a FIFO is one clear line and
//! a non-zero exit — inside a 64 MiB data limit (`prlimit --data`, util-linux), so a tool that
//! reads such an input whole fails these tests instead of passing slowly.
//!
//! (One piece, over 400 lines: every capped input of every command, each under the same data
//! limit and one shared set of hostile files.)

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};
use test_support::process::succeeded as ok;

#[path = "support/common.rs"]
mod common;

use card_sim::SimCard;
use cert::{CrlRequest, Revocation, RevocationReason, Serial};
use common::Scratch;
use jpki_tool::cms;
use jpki_tool::input::Input;
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

/// The data limit the children run under.
const MEMORY_LIMIT: u64 = 64 * 1024 * 1024;

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

fn at() -> String {
    fixtures::REFERENCE_TIME
        .format(&cert::time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn have_prlimit() -> bool {
    static HAVE: OnceLock<bool> = OnceLock::new();
    *HAVE.get_or_init(|| {
        let ok = Command::new("prlimit")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!("prlimit (util-linux) not installed: memory is not limited in these tests");
        }
        ok
    })
}

/// Runs jpki-tool with `args` under a 64 MiB data limit, `stdin` as given. A child still
/// running after two minutes (a blocked open, an endless read) is killed and the test fails.
fn run_limited(args: &[&str], stdin: Stdio) -> Output {
    let tool = env!("CARGO_BIN_EXE_jpki-tool");
    let mut cmd = if have_prlimit() {
        let mut c = Command::new("prlimit");
        c.arg(format!("--data={MEMORY_LIMIT}")).arg(tool);
        c
    } else {
        Command::new(tool)
    };
    let mut child = cmd
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "jpki-tool {args:?} did not finish: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_limited(args, Stdio::null())
}

/// Exit 1 with exactly one line on standard error, containing every one of `what`.
fn one_clear_line(out: &Output, args: &[&str], what: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    for w in what {
        assert!(err.contains(w), "{args:?}: {w:?} not in {err}");
    }
}

/// Small valid inputs of every kind, signed by the fixture CAs.
struct Files {
    card: PathBuf,
    sign_ca: PathBuf,
    sign_crl: PathBuf,
    sign_cert: PathBuf,
    doc: PathBuf,
    p7s: PathBuf,
    challenge: PathBuf,
}

fn files(dir: &Scratch) -> Files {
    let set = set();
    let f = Files {
        card: dir.path("card.jpkicard"),
        sign_ca: dir.path("sign-ca.pem"),
        sign_crl: dir.path("sign.crl"),
        sign_cert: dir.path("sign.pem"),
        doc: dir.path("doc.txt"),
        p7s: dir.path("doc.p7s"),
        challenge: dir.path("challenge.txt"),
    };
    SimCard::create(&f.card, sample::my_number(set, true).unwrap()).unwrap();
    std::fs::write(&f.sign_ca, set.sign_ca.certificate().to_pem()).unwrap();
    std::fs::write(&f.sign_crl, &set.sign_crl).unwrap();
    std::fs::write(&f.sign_cert, set.my_number_sign.certificate.to_pem()).unwrap();
    std::fs::write(&f.doc, b"a small document\n").unwrap();
    std::fs::write(&f.p7s, sign(File::open(&f.doc).unwrap())).unwrap();
    ok(&run(&["auth", "challenge", "-o", s(&f.challenge)]));
    f
}

fn sign(content: impl std::io::Read) -> Vec<u8> {
    let signer = &set().my_number_sign;
    cms::sign_detached(
        content,
        signer.certificate.der(),
        &[],
        SystemTime::from(fixtures::REFERENCE_TIME),
        |di| {
            signer
                .key
                .sign(rsa::pkcs1v15::Pkcs1v15Sign::new_unprefixed(), di)
        },
    )
    .unwrap()
}

/// Every command line that reads `bad` as one input, with the input's kind.
fn commands_reading(f: &Files, bad: &str) -> Vec<(Input, Vec<String>)> {
    let at = at();
    let card = s(&f.card);
    let v = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    vec![
        (
            Input::Signature,
            v(&["verify", bad, s(&f.doc), "--ca", s(&f.sign_ca), "--at", &at]),
        ),
        (
            Input::Document,
            v(&["verify", s(&f.p7s), bad, "--ca", s(&f.sign_ca), "--at", &at]),
        ),
        (
            Input::Crl,
            v(&[
                "verify",
                s(&f.p7s),
                s(&f.doc),
                "--ca",
                s(&f.sign_ca),
                "--crl",
                bad,
            ]),
        ),
        (Input::Certificate, v(&["cert", "verify", bad])),
        (
            Input::Certificate,
            v(&["cert", "verify", s(&f.sign_cert), "--ca", bad]),
        ),
        (
            Input::Crl,
            v(&["cert", "verify", s(&f.sign_cert), "--crl", bad]),
        ),
        (
            Input::Challenge,
            v(&["auth", "check", bad, s(&f.doc), "--no-revocation-check"]),
        ),
        (
            Input::Response,
            v(&[
                "auth",
                "check",
                s(&f.challenge),
                bad,
                "--no-revocation-check",
            ]),
        ),
        (
            Input::Challenge,
            v(&["--card", card, "auth", "respond", bad, "-o", "/dev/null"]),
        ),
        (
            Input::Document,
            v(&[
                "--card",
                card,
                "--pin-stdin",
                "sign",
                "--key",
                "auth",
                bad,
                "-o",
                "/dev/null",
            ]),
        ),
    ]
}

#[test]
fn sparse_files_over_their_cap_are_refused_before_they_are_read() {
    let dir = Scratch::new("sparse");
    let f = files(&dir);
    for (what, args) in commands_reading(&f, "BAD") {
        let Some(cap) = what.cap() else {
            continue; // documents are streamed: see the next tests
        };
        let bad = dir.path("sparse");
        // a sparse file: four gigabytes by its size, no blocks on disk
        File::create(&bad).unwrap().set_len(4 << 30).unwrap();
        let args: Vec<&str> = args
            .iter()
            .map(|a| if a == "BAD" { s(&bad) } else { a.as_str() })
            .collect();
        let mib = format!("larger than {}", jpki_tool::input::size_text(cap));
        one_clear_line(&run(&args), &args, &[what.name(), s(&bad), &mib]);
        // just over the cap is refused too
        File::create(&bad).unwrap().set_len(cap + 1).unwrap();
        one_clear_line(&run(&args), &args, &[&mib]);
    }
}

#[test]
fn dev_zero_and_fifos_are_refused_at_once() {
    let dir = Scratch::new("nonfile");
    let f = files(&dir);
    let fifo = dir.path("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for (bad, kind) in [
        ("/dev/zero", "is a character device, not a regular file"),
        (s(&fifo), "is a FIFO, not a regular file"),
        (s(&dir.path("")), "is a directory, not a regular file"),
    ] {
        for (what, args) in commands_reading(&f, bad) {
            if matches!(what, Input::Crl) && kind.starts_with("is a directory") {
                continue; // `--crl DIR` reads the directory's *.crl files: tests/crl_choice.rs
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            one_clear_line(&run(&args), &args, &[what.name(), kind]);
        }
    }
}

#[test]
fn a_pin_line_from_dev_zero_is_refused() {
    let dir = Scratch::new("pinzero");
    let f = files(&dir);
    let args = ["--card", s(&f.card), "--pin-stdin", "cert", "show", "sign"];
    let out = run_limited(&args, Stdio::from(File::open("/dev/zero").unwrap()));
    // not a PIN: invalid input (exit 6), one line
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("longer than 256 bytes"), "{err}");
}

#[test]
fn a_large_document_is_signed_and_verified_in_constant_memory() {
    let dir = Scratch::new("bigdoc");
    let f = files(&dir);
    // 256 MiB, four times the data limit: some data at both ends, a sparse middle
    let doc = dir.path("big.bin");
    let mut file = File::create(&doc).unwrap();
    file.write_all(b"head of a large document\n").unwrap();
    file.set_len(256 << 20).unwrap();
    drop(file);
    let p7s = dir.path("big.p7s");
    ok(&run_limited(
        &[
            "--card",
            s(&f.card),
            "--pin-stdin",
            "sign",
            "--key",
            "sign",
            s(&doc),
            "-o",
            s(&p7s),
        ],
        Stdio::from(
            // the PIN on standard input, through a file
            {
                let pin = dir.path("pin.txt");
                std::fs::write(&pin, format!("{}\n", sample::SIGN_PIN)).unwrap();
                File::open(pin).unwrap()
            },
        ),
    ));
    // the fixture certificate is valid at the reference time, not necessarily now
    let out = ok(&run(&[
        "verify",
        s(&p7s),
        s(&doc),
        "--ca",
        s(&f.sign_ca),
        "--crl",
        s(&f.sign_crl),
        "--at",
        &at(),
    ]));
    assert!(out.contains("Verification successful:"), "{out}");
    // the same signature over the document with one byte changed at its end
    let mut file = std::fs::OpenOptions::new().append(true).open(&doc).unwrap();
    file.write_all(b"!").unwrap();
    drop(file);
    let out = run(&[
        "verify",
        s(&p7s),
        s(&doc),
        "--ca",
        s(&f.sign_ca),
        "--at",
        &at(),
    ]);
    assert_eq!(out.status.code(), Some(4));
}

/// A serial of 20 octets, the longest RFC 5280 allows: the largest CRL entries.
fn long_serial(i: u32) -> Serial {
    let mut magnitude = [0x5Au8; 20];
    magnitude[16..].copy_from_slice(&i.to_be_bytes());
    Serial::from_be_bytes(&magnitude).unwrap()
}

#[test]
fn a_crl_of_a_million_entries_loads() {
    const ENTRIES: u32 = 1_000_000;
    let dir = Scratch::new("bigcrl");
    let set = set();
    let started = Instant::now();
    let revoked = (0..ENTRIES).map(|i| Revocation {
        serial: long_serial(i),
        revoked_at: fixtures::ISSUED_AT,
        reason: Some(RevocationReason::KeyCompromise),
    });
    let request = CrlRequest {
        this_update: fixtures::REFERENCE_TIME,
        next_update: None,
        crl_number: 7,
        scope: cert::CrlScope::Complete,
    };
    let der = set.sign_ca.issue_crl(&request, revoked).unwrap();
    let generated = started.elapsed();
    let pem = der::pem::encode_string("X509 CRL", der::pem::LineEnding::LF, &der).unwrap();
    let cap = Input::Crl.cap().unwrap();
    eprintln!(
        "CRL of {ENTRIES} entries: {} bytes DER, {} bytes PEM (cap {cap}); generated in {generated:?}",
        der.len(),
        pem.len()
    );
    assert!(
        u64::try_from(pem.len()).unwrap() < cap,
        "the cap fits the PEM"
    );
    let ca = dir.path("sign-ca.pem");
    std::fs::write(&ca, set.sign_ca.certificate().to_pem()).unwrap();
    let cert = dir.path("sign.pem");
    std::fs::write(&cert, set.my_number_sign.certificate.to_pem()).unwrap();
    for (name, bytes) in [("crl.der", der.as_slice()), ("crl.pem", pem.as_bytes())] {
        let path = dir.path(name);
        std::fs::write(&path, bytes).unwrap();
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
            .args([
                "cert",
                "verify",
                s(&cert),
                "--ca",
                s(&ca),
                "--crl",
                s(&path),
            ])
            .args(["--at", &at()])
            .output()
            .unwrap();
        let took = started.elapsed();
        let out = ok(&out);
        eprintln!("{name}: cert verify in {took:?}");
        assert!(out.contains(", 1000000 entries)"), "{out}");
    }
}
