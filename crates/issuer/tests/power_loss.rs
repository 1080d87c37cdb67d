//! Power loss during the two writes that replace a PIN: a child process running CHANGE REFERENCE
//! DATA back and forth, and one running the city hall's unlock with a new PIN, are killed at
//! random points, many times (bounded). After every kill the card file loads, the counter is
//! never above what it was except by a completed correct VERIFY or the unlock itself (a cut
//! inside a VERIFY leaves the try counted), and the change is all or nothing:
//! the PIN is the old one or the new one — and the new one whenever the child had been answered
//! `9000` — never a mix, and an unlock never leaves a new PIN with a blocked counter or the
//! old PIN with a released one.
//!
//! And power loss while an authority creates its next-generation CAs (several files): after
//! every kill the directory opens, and creating them again finishes the job with serials never
//! handed out twice.

use test_support::cards;

use std::{
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use card_sim::{CardProfile, MyNumber, PinRef, SimCard};
use cards::{TempDir, exchange, hx, lc_ascii, temp_dir};
use issuer::{Authority, IssueRequest, RetryLimits};
use pin_policy::{Pin, PinKind};
use rand::{RngExt, SeedableRng};
use time::{OffsetDateTime, macros::date, macros::datetime};

const CHILD_ENV: &str = "CARD_SIM_POWER_LOSS_CHILD";
const AUTHORITY_ENV: &str = "CARD_SIM_POWER_LOSS_AUTHORITY";
/// Which of [`PINS`] the card holds when the change child starts.
const FIRST_ENV: &str = "CARD_SIM_POWER_LOSS_FIRST";
const CHANGE_TEST: &str = "pin_change_killed_at_random_points_is_all_or_nothing";
const UNLOCK_TEST: &str = "unlock_killed_at_random_points_is_all_or_nothing";
const ENABLE_TEST: &str = "enabling_the_next_generation_killed_at_random_points_resumes";
/// Kills during the creation of the next-generation CAs (each round copies a directory and
/// starts a child; the hand-made test below covers every partial state deterministically).
const ENABLE_KILLS: usize = 60;
/// The next-generation CA files, in the order they are written.
const NG_FILES: [&str; 6] = [
    "sign-ca-ng.key",
    "sign-ca-ng.pem",
    "auth-ca-ng.key",
    "auth-ca-ng.pem",
    "card-auth-ca-ng.key",
    "card-auth-ca-ng.pem",
];
const ISSUED_AT: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
const SELECT_SIGN_PIN: &str = "00 A4 02 0C 02 00 1B";
/// The two signature PINs the change child alternates between.
const PINS: [&str; 2] = ["ABC123", "XYZ789"];
/// The new PIN the unlock child sets.
const UNLOCK_PIN: &str = "NEW456";
const LIMIT: u8 = 5;
/// PIN changes per change child (bounded).
const CHANGES: usize = 12;
/// Kills per test (bounded in count; each costs a process start and a few card loads).
const MAX_KILLS: usize = 400;

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

/// An authority (in `dir/authority`) and a template card issued by it; every round works on a
/// copy.
fn setup(name: &str) -> (TempDir, PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let authority_dir = dir.join("authority");
    let mut authority = Authority::create(
        &authority_dir,
        ISSUED_AT,
        &mut test_support::keys::seeded_rng(7),
    )
    .unwrap();
    let template = dir.join("template.jpki");
    authority
        .issue_card(
            IssueRequest {
                profile: CardProfile::MyNumber,
                holder: test_support::fixtures::holder(),
                my_number: Some(MyNumber::new("123456789018").unwrap()),
                auth_pin: Some(pin(PinKind::Authentication, "1234")),
                sign_pin: Some(pin(PinKind::Signature, PINS[0])),
                text_pin: Some(pin(PinKind::TextSupport, "5678")),
                resident_pin: None,
                retry_limits: RetryLimits::default(),
                card_expiry: date!(2035 - 08 - 20),
                stay_until: None,
                issued_at: ISSUED_AT,
            },
            &template,
            &mut test_support::keys::seeded_rng(8),
        )
        .unwrap();
    (dir, authority_dir, template)
}

fn tries(card: &SimCard) -> u8 {
    card.pin_counter(PinRef::Signature).unwrap().tries_left()
}

/// Whether `candidate` is the signature PIN of the card at `path`, tried on a scratch copy.
fn is_pin(path: &Path, candidate: &str) -> bool {
    let scratch = path.with_extension("probe");
    std::fs::copy(path, &scratch).unwrap();
    let mut card = SimCard::open(&scratch).unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, SELECT_SIGN_PIN, "9000");
    let answer = card.process(&hx(&format!("00 20 00 80 {}", lc_ascii(candidate))));
    std::fs::remove_file(&scratch).unwrap();
    answer == [0x90, 0x00]
}

fn change_child(path: &str) {
    let mut card = SimCard::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, SELECT_SIGN_PIN, "9000");
    let first: usize = std::env::var(FIRST_ENV).unwrap().parse().unwrap();
    for n in first..first + CHANGES {
        let (old, new) = (PINS[n % 2], PINS[(n + 1) % 2]);
        exchange(&mut card, &format!("00 20 00 80 {}", lc_ascii(old)), "9000");
        exchange(&mut card, &format!("00 24 01 80 {}", lc_ascii(new)), "9000");
        writeln!(out, "ACK {}", n + 1 - first).unwrap();
        out.flush().unwrap();
    }
}

fn unlock_child(path: &str) {
    let authority_dir = std::env::var(AUTHORITY_ENV).unwrap();
    let authority = Authority::open(Path::new(&authority_dir)).unwrap();
    let mut card = SimCard::open(path).unwrap();
    let new = pin(PinKind::Signature, UNLOCK_PIN);
    authority
        .unlock(&mut card, PinRef::Signature, Some(&new))
        .unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ACK 1").unwrap();
    out.flush().unwrap();
}

fn spawn(test: &str, path: &Path, authority: &Path, first: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, path)
        .env(AUTHORITY_ENV, authority)
        .env(FIRST_ENV, first.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The last `ACK n` the child printed, 0 if none.
fn acked(child: &mut Child) -> usize {
    BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        // libtest may print its "test … " prefix on the same line as the first answer
        .filter_map(|l| l.rfind("ACK ").and_then(|i| l[i + 4..].trim().parse().ok()))
        .last()
        .unwrap_or(0)
}

/// How long an uninterrupted child lives: kill points are drawn over that span (plus a fifth),
/// so the test adapts to a slow or loaded machine.
fn span_of(test: &str, path: &Path, authority: &Path) -> u64 {
    let started = Instant::now();
    let mut child = spawn(test, path, authority, 0);
    let status = child.wait().unwrap();
    assert!(status.success(), "an uninterrupted child succeeds");
    assert!(acked(&mut child) > 0);
    u64::try_from(started.elapsed().as_micros())
        .unwrap()
        .max(1_000)
        * 6
        / 5
}

#[test]
fn pin_change_killed_at_random_points_is_all_or_nothing() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        change_child(&path);
        return;
    }
    let (dir, authority_dir, template) = setup("power-loss-change");
    let path = dir.join("change.jpki");
    std::fs::copy(&template, &path).unwrap();
    let span = span_of(CHANGE_TEST, &path, &authority_dir);
    // CHANGES is even: the calibration run ends with the first PIN again
    assert!(is_pin(&path, PINS[0]));

    let authority = Authority::open(&authority_dir).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0xC4A6);
    let (mut with_ack, mut in_flight, mut counted_cuts, mut releases) = (0, 0, 0, 0);
    let mut counter = LIMIT;
    // the PIN the file holds before each child: PINS[current]
    let mut current = 0;
    for kill in 1..=MAX_KILLS {
        let mut child = spawn(CHANGE_TEST, &path, &authority_dir, current);
        std::thread::sleep(Duration::from_micros(rng.random_range(0..span)));
        let _ = child.kill();
        child.wait().unwrap();
        let acks = acked(&mut child);
        let mut card = SimCard::open(&path).unwrap_or_else(|e| panic!("after kill {kill}: {e}"));
        // Only correct VERIFYs are sent, but each try is counted on disk before the compare:
        // a cut inside a VERIFY leaves that try counted. So the counter is what it was, one
        // less (cut inside this child's first VERIFY), or back at its limit after a VERIFY
        // that completed (minus one if a later one was cut). Never above its limit, and never
        // anything else.
        let after = tries(&card);
        assert!(
            after == counter || after + 1 == counter || after + 1 >= LIMIT,
            "after kill {kill}: counter {counter} → {after}"
        );
        if acks > 0 {
            assert!(
                after + 1 >= LIMIT,
                "after kill {kill}: a VERIFY completed, counter {after}"
            );
        }
        counted_cuts += usize::from(after < counter.min(LIMIT));
        if after <= 2 {
            // cuts inside VERIFY walked the counter down: the city hall releases it (the PIN
            // stays), so that the test keeps going
            authority
                .unlock(&mut card, PinRef::Signature, None)
                .unwrap();
            releases += 1;
        }
        counter = tries(&card);
        drop(card);
        // all or nothing: the PIN is the one after the last acknowledged change, or after the
        // one in flight — and that PIN, whole
        let after_acks = (current + acks) % 2;
        let holds = if is_pin(&path, PINS[after_acks]) {
            after_acks
        } else {
            let next = (after_acks + 1) % 2;
            assert!(
                acks < CHANGES && is_pin(&path, PINS[next]),
                "after kill {kill} ({acks} changes acknowledged): neither PIN works"
            );
            in_flight += 1;
            next
        };
        with_ack += usize::from(acks > 0);
        current = holds;
    }
    eprintln!(
        "{MAX_KILLS} kills during PIN changes: {with_ack} after an acknowledged change, \
         {in_flight} with a change in flight that landed, {counted_cuts} cut inside a VERIFY \
         (try counted), {releases} city-hall releases"
    );
    assert!(
        with_ack >= MAX_KILLS / 10,
        "too few kills landed after a change was acknowledged: {with_ack}"
    );
}

#[test]
fn unlock_killed_at_random_points_is_all_or_nothing() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        unlock_child(&path);
        return;
    }
    let (dir, authority_dir, template) = setup("power-loss-unlock");
    // a template with the signature PIN blocked
    let blocked = dir.join("blocked.jpki");
    std::fs::copy(&template, &blocked).unwrap();
    {
        let mut card = SimCard::open(&blocked).unwrap();
        exchange(&mut card, SELECT_JPKI, "9000");
        exchange(&mut card, SELECT_SIGN_PIN, "9000");
        for left in (0..LIMIT).rev() {
            exchange(
                &mut card,
                &format!("00 20 00 80 {}", lc_ascii("WRONG1")),
                &format!("63C{left:X}"),
            );
        }
    }
    let path = dir.join("unlock.jpki");
    std::fs::copy(&blocked, &path).unwrap();
    let span = span_of(UNLOCK_TEST, &path, &authority_dir);
    assert!(is_pin(&path, UNLOCK_PIN));

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x0417);
    let (mut done, mut untouched) = (0, 0);
    for kill in 1..=MAX_KILLS {
        std::fs::copy(&blocked, &path).unwrap();
        let mut child = spawn(UNLOCK_TEST, &path, &authority_dir, 0);
        std::thread::sleep(Duration::from_micros(rng.random_range(0..span)));
        let _ = child.kill();
        child.wait().unwrap();
        let acks = acked(&mut child);
        let card = SimCard::open(&path).unwrap_or_else(|e| panic!("after kill {kill}: {e}"));
        let left = tries(&card);
        drop(card);
        if left == LIMIT {
            // done: released with the new PIN, never the old one
            assert!(
                is_pin(&path, UNLOCK_PIN),
                "after kill {kill}: released, old PIN"
            );
            done += 1;
        } else {
            assert_eq!(
                left, 0,
                "after kill {kill}: a counter between blocked and released"
            );
            assert_eq!(
                acks, 0,
                "after kill {kill}: acknowledged, yet still blocked"
            );
            // not done: the old PIN, still blocked (shown by a plain unlock on a copy, after
            // which the old PIN works and the new one does not)
            let probe = path.with_extension("unlocked");
            std::fs::copy(&path, &probe).unwrap();
            let mut card = SimCard::open(&probe).unwrap();
            // opened here only: the next child needs the authority's lock
            Authority::open(&authority_dir)
                .unwrap()
                .unlock(&mut card, PinRef::Signature, None)
                .unwrap();
            drop(card);
            assert!(
                is_pin(&probe, "ABC123"),
                "after kill {kill}: blocked, PIN changed"
            );
            std::fs::remove_file(&probe).unwrap();
            untouched += 1;
        }
    }
    eprintln!("{MAX_KILLS} kills during unlocks: {done} completed, {untouched} left untouched");
    assert!(
        done > 0 && untouched > 0,
        "kills landed on both sides of the write"
    );
}

/// Creates the next-generation CAs of the authority at `path`.
fn enable_child(path: &str) {
    let mut authority = Authority::open(Path::new(path)).unwrap();
    authority
        .enable_next_gen(ISSUED_AT, &mut rand::rng())
        .unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ACK 1").unwrap();
    out.flush().unwrap();
}

/// A copy of the directory tree at `from` (files and subdirectories) in `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The serials of the authority's four CAs of both generations and the card-authentication
/// CA, and its next serial.
fn ca_serials(authority: &Authority) -> (Vec<Vec<u8>>, u64) {
    use cert::keys::Algorithm;
    let mut serials = Vec::new();
    for algorithm in [Algorithm::Rsa2048, Algorithm::EcdsaP384] {
        for h in [cert::Hierarchy::Signature, cert::Hierarchy::Authentication] {
            let ca = authority.ca_of(h, algorithm).unwrap();
            serials.push(ca.certificate().serial().as_bytes().to_vec());
        }
    }
    let pem = std::fs::read(authority.card_auth_ca_path()).unwrap();
    let (_, der) = der::pem::decode_vec(&pem).unwrap();
    let card_ca = cert::CardAuthCertificate::from_der(&der).unwrap();
    serials.push(card_ca.serial().as_bytes().to_vec());
    (serials, authority.next_serial())
}

#[test]
fn enabling_the_next_generation_killed_at_random_points_resumes() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        enable_child(&path);
        return;
    }
    let (dir, template, _) = setup("power-loss-enable");
    let path = dir.join("round");
    copy_tree(&template, &path);
    let span = span_of(ENABLE_TEST, &path, &path);
    assert!(Authority::open(&path).unwrap().has_next_gen());

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x4E47);
    let (mut done, mut resumed, mut partial) = (0, 0, 0);
    for kill in 1..=ENABLE_KILLS {
        std::fs::remove_dir_all(&path).unwrap();
        copy_tree(&template, &path);
        let mut child = spawn(ENABLE_TEST, &path, &path, 0);
        std::thread::sleep(Duration::from_micros(rng.random_range(0..span)));
        let _ = child.kill();
        child.wait().unwrap();
        let acks = acked(&mut child);
        let present = NG_FILES.iter().filter(|f| path.join(f).exists()).count();
        partial += usize::from(present > 0 && present < NG_FILES.len());
        let mut authority =
            Authority::open(&path).unwrap_or_else(|e| panic!("after kill {kill}: {e}"));
        if authority.has_next_gen() {
            done += 1;
        } else {
            assert_eq!(acks, 0, "after kill {kill}: acknowledged, yet not enabled");
            authority
                .enable_next_gen(ISSUED_AT, &mut rand::rng())
                .unwrap_or_else(|e| panic!("after kill {kill}, enabling again: {e}"));
            resumed += 1;
        }
        drop(authority);
        // the directory reopens whole, every CA with a serial of its own below the counter
        let authority = Authority::open(&path).unwrap_or_else(|e| panic!("after kill {kill}: {e}"));
        assert!(authority.has_next_gen());
        let (serials, next) = ca_serials(&authority);
        let mut distinct = serials.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            serials.len(),
            "after kill {kill}: a serial twice"
        );
        for serial in &serials {
            let value = serial.iter().fold(0u64, |n, b| n << 8 | u64::from(*b));
            assert!(
                value < next,
                "after kill {kill}: serial {value:X} not below {next:X}"
            );
        }
    }
    eprintln!(
        "{ENABLE_KILLS} kills while enabling the next generation: {done} completed, {resumed} \
         resumed ({partial} with some of the CA files written)"
    );
    assert!(done > 0 && resumed > 0, "kills landed on both sides");
}

/// The states a kill can leave, made by hand: every prefix of the six files without the
/// CRLs opens without the next generation (the files removed) and enabling again works; the
/// same files missing after the CRLs were published is corruption, refused (the CA keys may
/// have certified cards).
#[test]
fn partial_next_generation_files_open_only_if_never_published() {
    let (dir, template, _) = setup("partial-enable");
    let enabled = dir.join("enabled");
    copy_tree(&template, &enabled);
    Authority::open(&enabled)
        .unwrap()
        .enable_next_gen(ISSUED_AT, &mut rand::rng())
        .unwrap();
    for written in 1..NG_FILES.len() {
        let round = dir.join(format!("round-{written}"));
        copy_tree(&template, &round);
        for name in &NG_FILES[..written] {
            std::fs::copy(enabled.join(name), round.join(name)).unwrap();
        }
        let mut authority = Authority::open(&round).unwrap();
        assert!(!authority.has_next_gen(), "{written} files");
        assert!(NG_FILES.iter().all(|f| !round.join(f).exists()));
        authority
            .enable_next_gen(ISSUED_AT, &mut rand::rng())
            .unwrap();
        drop(authority);
        assert!(Authority::open(&round).unwrap().has_next_gen());

        // published, then a file lost: refused, nothing removed
        std::fs::remove_file(round.join(NG_FILES[written])).unwrap();
        let err = Authority::open(&round).unwrap_err();
        assert!(
            matches!(err, issuer::Error::AuthorityCorrupt { .. }),
            "{err}"
        );
        assert_eq!(
            NG_FILES.iter().filter(|f| round.join(f).exists()).count(),
            NG_FILES.len() - 1
        );
    }
}
