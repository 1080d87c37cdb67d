//! The card a CLI behaviour test runs against: written once, the suite runs on every target.
//!
//! - Without the `real-reader` feature: a fresh simulator card file per test (`--card FILE`),
//!   built from the cert crate's fixtures, with the CA certificates and CRLs beside it.
//! - With the `real-reader` feature: the card in the PC/SC reader named by `JPKI_TEST_READER`
//!   (`--reader NAME`), its PINs in `JPKI_TEST_AUTH_PIN`, `JPKI_TEST_SIGN_PIN`,
//!   `JPKI_TEST_TEXT_PIN`, its 照合番号B in `JPKI_TEST_NUMBER_B`, and `JPKI_TEST_CA_DIR` a
//!   directory with `auth-ca.pem` and `sign-ca.pem` (and, if known, `auth.crl`, `sign.crl` or
//!   an authority's `crl/` directory of partition CRLs, and the card-face CA's `face-visual-ca.pem`, the card CA's `card-ca.pem`). `cargo xtask interop` runs it on
//!   the card served through pcscd and vpcd; a physical card works the same way.
//!
//! On a reader the card is shared and its PINs lock for real: tests that only read share it
//! ([`Target::new`]), a test that changes a PIN (and changes it back) has it alone
//! ([`Target::exclusive`]), and a test that spends wrong PINs runs only on a simulator
//! ([`Target::simulator_only`]): a card file, or a simulator served in the reader when
//! `JPKI_TEST_SIMULATED_CARD=1` says so (interop sets it); on any other reader it prints why it
//! did not run.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use card_sim::SimCard;
use cert::JpkiCertificate;
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

use super::common::Scratch;

/// The fixture keys and certificates, built once per test binary.
pub fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

/// Which card the commands reach.
enum Card {
    /// A simulator card file, opened in process.
    File(PathBuf),
    /// A card in a PC/SC reader.
    Reader(String),
}

/// Shared (reading tests) or exclusive (PIN-changing tests) use of the one card in a reader.
enum Hold {
    Own,
    Shared(RwLockReadGuard<'static, ()>),
    Exclusive(RwLockWriteGuard<'static, ()>),
}

fn reader_lock() -> &'static RwLock<()> {
    static LOCK: RwLock<()> = RwLock::new(());
    &LOCK
}

/// Which of the card's PINs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pin {
    Auth,
    Sign,
    Text,
}

/// The card under test, its PINs and its CA files, and a scratch directory for the test.
pub struct Target {
    card: Card,
    auth_pin: String,
    sign_pin: String,
    text_pin: String,
    number_b: String,
    /// Whether the card may be driven into states a real card must never see.
    simulated: bool,
    ca_dir: PathBuf,
    /// Files the test writes (documents, signatures, challenges).
    pub dir: Scratch,
    _hold: Hold,
}

#[cfg(feature = "real-reader")]
fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set for the real-reader tests"))
}

impl Target {
    /// A target for a test that reads the card or spends only right PINs.
    pub fn new(name: &str) -> Self {
        Self::open(name, false)
    }

    /// A target for a test that changes the card (a PIN, changed back at its end): on a reader
    /// no other test runs meanwhile.
    pub fn exclusive(name: &str) -> Self {
        Self::open(name, true)
    }

    /// A target only if it is a simulator card (a file, or served in the reader): for a test
    /// that spends wrong PINs; on a reader it has the card alone. On a real card it prints
    /// `why` (visible even when the test harness captures output) and returns `None`.
    pub fn simulator_only(name: &str, why: &str) -> Option<Self> {
        let t = Self::open(name, true);
        if t.simulated {
            return Some(t);
        }
        skip(name, why);
        None
    }

    /// Whether the card is a fresh simulator card file (fixture contents, every PIN untried),
    /// as opposed to a card in a reader (whose contents the test learns from the card).
    pub fn is_fixture_card(&self) -> bool {
        matches!(self.card, Card::File(_))
    }

    #[cfg(not(feature = "real-reader"))]
    fn open(name: &str, _exclusive: bool) -> Self {
        let dir = Scratch::new(name);
        let path = simulator_card(&dir);
        Self {
            card: Card::File(path),
            auth_pin: sample::AUTH_PIN.to_owned(),
            sign_pin: sample::SIGN_PIN.to_owned(),
            text_pin: sample::TEXT_PIN.to_owned(),
            number_b: sample::number_b().unwrap(),
            simulated: true,
            ca_dir: dir.path(""),
            dir,
            _hold: Hold::Own,
        }
    }

    #[cfg(feature = "real-reader")]
    fn open(name: &str, exclusive: bool) -> Self {
        // a test that failed while holding the card leaves the lock poisoned: still usable
        let hold = if exclusive {
            Hold::Exclusive(reader_lock().write().unwrap_or_else(|e| e.into_inner()))
        } else {
            Hold::Shared(reader_lock().read().unwrap_or_else(|e| e.into_inner()))
        };
        Self {
            card: Card::Reader(env("JPKI_TEST_READER")),
            auth_pin: env("JPKI_TEST_AUTH_PIN"),
            sign_pin: env("JPKI_TEST_SIGN_PIN"),
            text_pin: env("JPKI_TEST_TEXT_PIN"),
            number_b: env("JPKI_TEST_NUMBER_B"),
            simulated: std::env::var("JPKI_TEST_SIMULATED_CARD").is_ok_and(|v| v == "1"),
            ca_dir: PathBuf::from(env("JPKI_TEST_CA_DIR")),
            dir: Scratch::new(name),
            _hold: hold,
        }
    }

    /// The options naming the card: `--card FILE` or `--reader NAME`.
    pub fn card_args(&self) -> Vec<std::ffi::OsString> {
        match &self.card {
            Card::File(p) => vec!["--card".into(), p.into()],
            Card::Reader(r) => vec!["--reader".into(), r.into()],
        }
    }

    /// The simulator card file (`None` on a reader).
    pub fn card_file(&self) -> Option<&Path> {
        match &self.card {
            Card::File(p) => Some(p),
            Card::Reader(_) => None,
        }
    }

    /// Runs `jpki-tool <card> --pin-stdin args…` with `stdin` piped in.
    pub fn tool(&self, args: &[&str], stdin: &str) -> Output {
        test_support::process::run_with_stdin(
            Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
                .args(self.card_args())
                .arg("--pin-stdin")
                .args(args),
            stdin,
        )
    }

    /// The card's `pin`.
    pub fn pin(&self, pin: Pin) -> &str {
        match pin {
            Pin::Auth => &self.auth_pin,
            Pin::Sign => &self.sign_pin,
            Pin::Text => &self.text_pin,
        }
    }

    /// `pin` and a newline: what a command reads from standard input.
    pub fn pin_line(&self, pin: Pin) -> String {
        format!("{}\n", self.pin(pin))
    }

    /// The card's 照合番号B and a newline, for `--pin-stdin` (the sample card's on the
    /// simulator, `JPKI_TEST_NUMBER_B` on a reader).
    pub fn number_b_line(&self) -> String {
        format!("{}\n", self.number_b)
    }

    /// The CA certificate file of `hierarchy` (`auth` or `sign`).
    pub fn ca(&self, hierarchy: &str) -> PathBuf {
        self.ca_dir.join(format!("{hierarchy}-ca.pem"))
    }

    /// The CA certificate of `hierarchy`, parsed.
    pub fn ca_cert(&self, hierarchy: &str) -> JpkiCertificate {
        JpkiCertificate::from_pem(&std::fs::read_to_string(self.ca(hierarchy)).unwrap()).unwrap()
    }

    /// The CRL of `hierarchy` when the target has one: `<hierarchy>.crl`, or an authority's
    /// `crl/` directory (one CRL per municipality partition and the ARLs: the tool picks the
    /// certificate's partition).
    pub fn crl(&self, hierarchy: &str) -> Option<PathBuf> {
        [
            self.ca_dir.join(format!("{hierarchy}.crl")),
            self.ca_dir.join("crl"),
        ]
        .into_iter()
        .find(|p| p.exists())
    }

    /// `--ca FILE [--crl FILE|DIR]` for `hierarchy`, as strings.
    pub fn trust_args(&self, hierarchy: &str) -> Vec<String> {
        let mut args = vec!["--ca".to_owned(), path_str(&self.ca(hierarchy))];
        if let Some(crl) = self.crl(hierarchy) {
            args.extend(["--crl".to_owned(), path_str(&crl)]);
        }
        args
    }

    /// `--at TIME` where the fixture certificates are valid (simulator), nothing (now) on a
    /// reader, whose card was issued for now.
    pub fn at_args(&self) -> Vec<String> {
        if self.is_fixture_card() {
            vec!["--at".to_owned(), reference_time()]
        } else {
            Vec::new()
        }
    }

    /// The verification time as a Unix time for openssl's `-attime` (`None`: now).
    pub fn attime(&self) -> Option<i64> {
        self.is_fixture_card()
            .then(|| fixtures::REFERENCE_TIME.unix_timestamp())
    }

    /// The card's signature certificate: from the fixtures on a simulator, else exported from
    /// the card with the signature PIN.
    pub fn sign_certificate(&self) -> JpkiCertificate {
        if self.is_fixture_card() {
            return set().my_number_sign.certificate.clone();
        }
        let file = self.dir.path("expected-sign.der");
        let out = self.tool(
            &["cert", "export", "sign", "-o", &path_str(&file)],
            &self.pin_line(Pin::Sign),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        JpkiCertificate::from_der(&std::fs::read(&file).unwrap()).unwrap()
    }
}

/// A My Number card with both certificates and the text-support application in
/// `dir/card.jpkicard`, with the CA certificates (`auth-ca.pem`, `sign-ca.pem`), CRLs
/// (`auth.crl`, `sign.crl`), the card-face CA keys (`face-*-ca.pem`) and the card CA key
/// (`card-ca.pem`) beside it.
pub fn simulator_card(dir: &Scratch) -> PathBuf {
    let s = set();
    let path = dir.path("card.jpkicard");
    SimCard::create(&path, sample::my_number(s, true).unwrap()).unwrap();
    std::fs::write(dir.path("sign-ca.pem"), s.sign_ca.certificate().to_pem()).unwrap();
    std::fs::write(dir.path("auth-ca.pem"), s.auth_ca.certificate().to_pem()).unwrap();
    std::fs::write(dir.path("sign.crl"), &s.sign_crl).unwrap();
    // Logins are checked at the current time: an authentication CRL issued now, not the
    // fixture's (past its nextUpdate, so refused as stale).
    std::fs::write(dir.path("auth.crl"), super::common::current_crl(&s.auth_ca)).unwrap();
    for (ap, name) in [
        (sample::FaceAp::Text, "face-text-ca.pem"),
        (sample::FaceAp::Visual, "face-visual-ca.pem"),
    ] {
        std::fs::write(dir.path(name), sample::face_ca_pem(ap).unwrap()).unwrap();
    }
    std::fs::write(dir.path("card-ca.pem"), sample::card_ca_pem().unwrap()).unwrap();
    path
}

/// The reference time, when the fixture certificates are valid, in RFC 3339 (for `--at`).
pub fn reference_time() -> String {
    fixtures::REFERENCE_TIME
        .format(&cert::time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A path as a string argument.
pub fn path_str(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

/// Says that test `name` did not run on this target and why, on the process's standard error
/// (not the harness's captured output), as one line `cargo xtask interop` reports.
pub fn skip(name: &str, why: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED on a real card (simulator only): {name}: {why}"
    );
}
