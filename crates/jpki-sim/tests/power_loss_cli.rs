//! Power loss of the real `jpki-sim` binary (issue #9), in a bounded loop with a fixed count:
//!
//! - `serve`: the test plays vpcd (the binary is its client), drives VERIFY (wrong and right),
//!   CHANGE REFERENCE DATA back and forth between two PINs, blocks the PIN and runs the city
//!   hall's unlock over APDUs (GET DATA, GET CHALLENGE, EXTERNAL AUTHENTICATE, RESET RETRY
//!   COUNTER with a new PIN), and SIGKILLs the process at a random instant of the exchange or
//!   right after sending a chosen APDU. After every kill the card file loads and holds exactly
//!   the state the answers seen lead to — or, for the one APDU sent and not answered, the state
//!   before it or one its writes can leave: the counter rises only by a correct VERIFY or the
//!   unlock, a PIN change is all or nothing, an unlock never leaves a new PIN blocked or the old
//!   PIN released.
//! - `issue`: kills `jpki-sim issue --pin-stdin` at random points, most of them inside the write
//!   phase (after the RSA keys are generated). After every kill the authority opens and issues
//!   the next card, the card file is absent or complete and chains to the authority's CAs, no
//!   serial is ever on two cards or below the authority's next serial, and no leftover temp file
//!   blocks the next issue (a retry into the same path included).
//!
//! Seeds are printed; a failure names its round.
//!
//! (One piece, over 400 lines: one bounded power-loss loop per subcommand, sharing the vpcd player
//! and the checks after each cut.)

use test_support::cards;
#[path = "support/sim.rs"]
mod sim;

use std::{
    collections::HashSet,
    io::Write as _,
    net::{TcpListener, TcpStream},
    os::unix::process::ExitStatusExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
        mpsc,
    },
    time::{Duration, Instant},
};

use card_sim::{
    CARD_ID_LEN, CardProfile, KeyRole, MyNumber, PinRef, SimCard, admin::CHALLENGE_LEN, vpcd,
};
use cards::{HOLDER, exchange, hx, lc_ascii, temp_dir};
use cert::{Hierarchy, JpkiCertificate, Serial};
use issuer::{Authority, IssueRequest, RetryLimits};
use pin_policy::{Pin, PinKind};
use rand::{RngExt, SeedableRng};
use time::{OffsetDateTime, macros::date, macros::datetime};

const ISSUED_AT: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
const SELECT_SIGN_PIN: &str = "00 A4 02 0C 02 00 1B";
/// The two signature PINs the card alternates between (by CHANGE REFERENCE DATA and by the
/// unlock's new PIN).
const PINS: [&str; 2] = ["ABC123", "XYZ789"];
const WRONG: &str = "WRONG1";
const LIMIT: u8 = 5;
/// Kills of `jpki-sim serve` (a fixed count; each costs a process start, a few dozen APDUs with
/// their fsyncs, and a few card loads).
const SERVE_KILLS: usize = 1_000;
/// Kills of `jpki-sim issue` (a fixed count; each costs up to two RSA-2048 key generations).
const ISSUE_KILLS: usize = 400;
/// An uninterrupted issue (asserted to succeed) after every this many kills, and at the end.
const ISSUE_CHECK_EVERY: usize = 20;

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

fn request(sign_pin: &str) -> IssueRequest {
    IssueRequest {
        profile: CardProfile::MyNumber,
        holder: test_support::fixtures::holder(),
        my_number: Some(MyNumber::new("123456789018").unwrap()),
        auth_pin: Some(pin(PinKind::Authentication, "1234")),
        sign_pin: Some(pin(PinKind::Signature, sign_pin)),
        text_pin: Some(pin(PinKind::TextSupport, "5678")),
        resident_pin: None,
        retry_limits: RetryLimits::default(),
        card_expiry: date!(2035 - 08 - 20),
        stay_until: None,
        issued_at: ISSUED_AT,
    }
}

/// A new authority in `dir/authority`.
fn authority_in(dir: &Path) -> PathBuf {
    let authority_dir = dir.join("authority");
    Authority::create(
        &authority_dir,
        ISSUED_AT,
        &mut test_support::keys::seeded_rng(7),
    )
    .unwrap();
    authority_dir
}

/// Microseconds, at least 1.
fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap().max(1)
}

/// SIGKILL, then reap; asserts the process died of that signal (it never exits on its own
/// while the test holds its connection or its stdin).
fn kill(mut child: Child, round: usize) {
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "round {round}: jpki-sim ended by itself: {status}"
    );
}

// ---------------------------------------------------------------------------------------------
// serve

/// What the card file holds for the signature PIN: which of [`PINS`], and the tries left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct State {
    pin: usize,
    tries: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    GetAtr,
    PowerOn,
    SelectJpki,
    SelectSignPin,
    VerifyWrong,
    VerifyRight,
    /// CHANGE REFERENCE DATA to the other PIN.
    Change,
    GetCardId,
    GetChallenge,
    ExternalAuthenticate,
    /// RESET RETRY COUNTER `02 80` with the other PIN.
    Reset,
}

/// What `op` does to the card file in `s`: the status word expected, the state after the
/// answer, and every state the file may hold if the process dies after `op` was sent and
/// before its answer arrived (`s` itself, and what each of its writes leaves).
fn apply(op: Op, s: State) -> (&'static str, State, Vec<State>) {
    let other = State {
        pin: 1 - s.pin,
        ..s
    };
    match op {
        Op::VerifyWrong if s.tries == 0 => ("6984", s, vec![s]),
        Op::VerifyWrong => {
            let next = State {
                tries: s.tries - 1,
                ..s
            };
            (verify_failed(next.tries), next, vec![s, next])
        }
        // the try is counted on disk, then (correct PIN) the counter goes back to its limit
        Op::VerifyRight => {
            assert!(s.tries > 0, "planned a correct VERIFY on a blocked PIN");
            let counted = State {
                tries: s.tries - 1,
                ..s
            };
            let next = State { tries: LIMIT, ..s };
            ("9000", next, vec![s, counted, next])
        }
        Op::Change => ("9000", other, vec![s, other]),
        Op::Reset => {
            let next = State {
                pin: 1 - s.pin,
                tries: LIMIT,
            };
            ("9000", next, vec![s, next])
        }
        Op::GetAtr
        | Op::PowerOn
        | Op::SelectJpki
        | Op::SelectSignPin
        | Op::GetCardId
        | Op::GetChallenge
        | Op::ExternalAuthenticate => ("9000", s, vec![s]),
    }
}

fn verify_failed(tries: u8) -> &'static str {
    ["63C0", "63C1", "63C2", "63C3", "63C4", "63C5"][usize::from(tries)]
}

/// The round's script from the state the card file holds: wrong and right VERIFYs, two PIN
/// changes, the PIN blocked, the city hall's unlock with the other PIN, a VERIFY and a change.
fn plan(start: State) -> Vec<Op> {
    struct Plan {
        ops: Vec<Op>,
        s: State,
    }
    impl Plan {
        fn push(&mut self, op: Op) {
            self.s = apply(op, self.s).1;
            self.ops.push(op);
        }
    }
    let mut p = Plan {
        ops: vec![Op::GetAtr, Op::PowerOn, Op::SelectJpki, Op::SelectSignPin],
        s: start,
    };
    for step in 0..4 {
        if p.s.tries == 0 {
            for op in [
                Op::GetCardId,
                Op::GetChallenge,
                Op::ExternalAuthenticate,
                Op::Reset,
            ] {
                p.push(op);
            }
        }
        if p.s.tries > 1 {
            p.push(Op::VerifyWrong);
        }
        p.push(Op::VerifyRight);
        p.push(Op::Change);
        if step == 1 {
            // block it: the counter to 0, then once more (6984)
            while p.s.tries > 0 {
                p.push(Op::VerifyWrong);
            }
            p.push(Op::VerifyWrong);
        }
    }
    p.ops
}

/// The C-APDU (or control payload) of `op` in state `s`.
fn capdu(
    op: Op,
    s: State,
    card_id: &[u8; CARD_ID_LEN],
    challenge: &[u8; CHALLENGE_LEN],
    authority: &Authority,
) -> Vec<u8> {
    let other = PINS[1 - s.pin];
    match op {
        Op::GetAtr => vec![4],
        Op::PowerOn => vec![1],
        Op::SelectJpki => hx(SELECT_JPKI),
        Op::SelectSignPin => hx(SELECT_SIGN_PIN),
        Op::VerifyWrong => hx(&format!("00 20 00 80 {}", lc_ascii(WRONG))),
        Op::VerifyRight => hx(&format!("00 20 00 80 {}", lc_ascii(PINS[s.pin]))),
        Op::Change => hx(&format!("00 24 01 80 {}", lc_ascii(other))),
        Op::GetCardId => hx("00 CA 00 45 00"),
        Op::GetChallenge => hx("00 84 00 00 10"),
        Op::ExternalAuthenticate => {
            let response = authority.admin_response(card_id, challenge);
            hx(&format!(
                "00 82 00 00 {:02X} {}",
                response.len(),
                hex::encode(response)
            ))
        }
        Op::Reset => hx(&format!("00 2C 02 80 {}", lc_ascii(other))),
    }
}

/// The tries left and the PIN of the card at `path`. The PIN is found on a scratch copy,
/// released first by the city hall (plain unlock: the PIN stays) so that a blocked or nearly
/// blocked counter does not hide it.
fn read_state(path: &Path, authority: &Authority, round: usize) -> State {
    let card = SimCard::open(path).unwrap_or_else(|e| panic!("round {round}: card file: {e}"));
    let tries = card.pin_counter(PinRef::Signature).unwrap().tries_left();
    drop(card);
    let scratch = path.with_extension("probe");
    std::fs::copy(path, &scratch).unwrap();
    let mut card = SimCard::open(&scratch).unwrap();
    authority
        .unlock(&mut card, PinRef::Signature, None)
        .unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, SELECT_SIGN_PIN, "9000");
    let holds = PINS
        .iter()
        .position(|p| card.process(&hx(&format!("00 20 00 80 {}", lc_ascii(p)))) == [0x90, 0x00]);
    drop(card);
    std::fs::remove_file(&scratch).unwrap();
    let pin = holds.unwrap_or_else(|| panic!("round {round}: neither PIN works (tries {tries})"));
    State { pin, tries }
}

/// When the killer strikes.
#[derive(Clone, Copy, Debug)]
enum KillAt {
    /// This long after the process was started.
    Uniform(Duration),
    /// This long after the script's APDU number `n` was sent.
    AfterSending(usize, Duration),
}

/// The end of one round, seen from vpcd's side.
struct Exchange {
    /// The state after the last answer received.
    model: State,
    /// The APDU sent and never answered, and the states it may leave.
    in_flight: Option<(Op, Vec<State>)>,
    /// APDUs answered.
    answered: usize,
    /// The script ran to its end.
    complete: bool,
    /// From the start of the process to the last answer.
    elapsed: Duration,
}

/// One `serve` process, driven through `ops` from `start` and killed at `at`.
fn serve_round(
    path: &Path,
    authority: &Authority,
    start: State,
    ops: &[Op],
    at: KillAt,
    round: usize,
) -> Exchange {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let child = Command::new(env!("CARGO_BIN_EXE_jpki-sim"))
        .args(["serve", "--card", path.to_str().unwrap(), "--addr", &addr])
        .args(["--give-up-after", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let killed = Arc::new(AtomicBool::new(false));
    let (sent_tx, sent_rx) = mpsc::channel::<usize>();
    let killer = {
        let killed = Arc::clone(&killed);
        std::thread::spawn(move || {
            match at {
                KillAt::Uniform(delay) => std::thread::sleep(delay),
                KillAt::AfterSending(n, delay) => {
                    // a closed channel: the script ended (or broke) first
                    while let Ok(sent) = sent_rx.recv() {
                        if sent == n {
                            std::thread::sleep(delay);
                            break;
                        }
                    }
                }
            }
            kill(child, round);
            killed.store(true, Ordering::SeqCst);
        })
    };
    let mut model = start;
    let mut seen = Exchange {
        model,
        in_flight: None,
        answered: 0,
        complete: false,
        elapsed: Duration::ZERO,
    };
    // accept, unless the process dies before it connects
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break Some(stream),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if killed.load(Ordering::SeqCst) {
                    break None;
                }
                std::thread::sleep(Duration::from_micros(100));
            }
            Err(e) => panic!("round {round}: accept: {e}"),
        }
    };
    // held until the killer is done: dropping it would let serve end by itself
    let mut held: Option<TcpStream> = None;
    if let Some(mut stream) = stream {
        stream.set_nonblocking(false).unwrap();
        stream.set_nodelay(true).unwrap();
        let (mut card_id, mut challenge) = ([0u8; CARD_ID_LEN], [0u8; CHALLENGE_LEN]);
        seen.complete = true;
        for (n, &op) in ops.iter().enumerate() {
            let (sw, next, possible) = apply(op, model);
            seen.in_flight = Some((op, possible));
            let payload = capdu(op, model, &card_id, &challenge, authority);
            let sent = vpcd::write_frame(&mut stream, &payload);
            let _ = sent_tx.send(n);
            if sent.is_err() {
                seen.complete = false;
                break;
            }
            if op == Op::PowerOn {
                // no answer to power on
                seen.in_flight = None;
                model = next;
                continue;
            }
            let Ok(Some(answer)) = vpcd::read_frame(&mut stream) else {
                seen.complete = false;
                break;
            };
            seen.in_flight = None;
            seen.answered += 1;
            if op == Op::GetAtr {
                assert_eq!(answer, card_sim::ATR, "round {round}: ATR");
            } else {
                let (data, got) = answer.split_at(answer.len() - 2);
                assert_eq!(
                    hex::encode_upper(got),
                    sw,
                    "round {round}: {op:?} in {model:?} (started {start:?})"
                );
                match op {
                    Op::GetCardId => card_id = data.try_into().unwrap(),
                    Op::GetChallenge => challenge = data.try_into().unwrap(),
                    _ => {}
                }
            }
            model = next;
            seen.elapsed = started.elapsed();
        }
        held = Some(stream);
    }
    drop(sent_tx);
    killer.join().unwrap();
    drop(held);
    seen.model = model;
    seen
}

#[test]
fn serve_killed_at_random_points_keeps_the_card_consistent() {
    let dir = temp_dir("power-loss-serve");
    let authority_dir = authority_in(&dir);
    let mut authority = Authority::open(&authority_dir).unwrap();
    let path = dir.join("card.jpki");
    authority
        .issue_card(
            request(PINS[0]),
            &path,
            &mut test_support::keys::seeded_rng(8),
        )
        .unwrap();

    // Calibration: one uninterrupted round (killed only after its script ran to the end),
    // timed from the start of the process to its last answer.
    let start = State {
        pin: 0,
        tries: LIMIT,
    };
    let ops = plan(start);
    let calibration = serve_round(
        &path,
        &authority,
        start,
        &ops,
        KillAt::AfterSending(ops.len() - 1, Duration::from_millis(50)),
        0,
    );
    let span = calibration.elapsed;
    assert!(
        calibration.complete,
        "an uninterrupted round runs its script"
    );
    assert_eq!(read_state(&path, &authority, 0), calibration.model);
    // per APDU, on average (the write of a VERIFY or a change is a few times that of a SELECT)
    let per_apdu = micros(span) / u64::try_from(ops.len()).unwrap();

    let seed: u64 = std::env::var("POWER_LOSS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5E4E);
    eprintln!(
        "serve power loss: seed {seed} (POWER_LOSS_SEED), script of {} APDUs, span {span:?}",
        ops.len()
    );
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut state = calibration.model;
    let (mut before_connect, mut between, mut in_flight, mut landed, mut ended) = (0, 0, 0, 0, 0);
    let (mut unlocks_cut, mut rises_unanswered) = (0, 0);
    for round in 1..=SERVE_KILLS {
        let ops = plan(state);
        let at = if rng.random_bool(0.5) {
            KillAt::Uniform(Duration::from_micros(
                rng.random_range(0..micros(span) * 11 / 10),
            ))
        } else {
            // right after an APDU went out: inside its processing and its writes
            KillAt::AfterSending(
                rng.random_range(0..ops.len()),
                Duration::from_micros(rng.random_range(0..per_apdu * 2)),
            )
        };
        let seen = serve_round(&path, &authority, state, &ops, at, round);
        let after = read_state(&path, &authority, round);
        match &seen.in_flight {
            None => {
                assert_eq!(
                    after, seen.model,
                    "round {round} ({at:?}): the file is not what the answers seen say"
                );
                if seen.complete {
                    ended += 1;
                } else if seen.answered == 0 {
                    before_connect += 1;
                } else {
                    between += 1;
                }
            }
            Some((op, possible)) => {
                assert!(
                    possible.contains(&after),
                    "round {round} ({at:?}): {op:?} cut in {:?} left {after:?}, not one of {possible:?}",
                    seen.model
                );
                in_flight += 1;
                if after != seen.model {
                    landed += 1;
                }
                if *op == Op::Reset {
                    unlocks_cut += 1;
                }
                if after.tries > seen.model.tries {
                    // only a correct VERIFY or the unlock, cut after its write, raises it
                    assert!(matches!(op, Op::VerifyRight | Op::Reset), "round {round}");
                    rises_unanswered += 1;
                }
            }
        }
        state = after;
    }
    eprintln!(
        "{SERVE_KILLS} kills of jpki-sim serve survived: {in_flight} with an APDU in flight \
         ({landed} of them after its write landed, {rises_unanswered} counter releases not yet \
         answered, {unlocks_cut} inside RESET RETRY COUNTER), {between} between APDUs, \
         {before_connect} before the first answer, {ended} after the script's end"
    );
    assert!(
        in_flight >= SERVE_KILLS / 4 && landed > 0 && unlocks_cut > 0,
        "the kills did not spread over the exchange"
    );
}

// ---------------------------------------------------------------------------------------------
// issue

const ISSUE_PINS: &str = "1234\nABC123\n5678\n";

fn spawn_issue(authority: &Path, out: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jpki-sim"))
        .args(["issue", "--authority", authority.to_str().unwrap()])
        .args([
            "--out",
            out.to_str().unwrap(),
            "--my-number",
            "123456789018",
        ])
        .arg("--pin-stdin")
        .args(HOLDER)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // the PINs fit in the pipe: written at once, then stdin is closed
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ISSUE_PINS.as_bytes())
        .unwrap();
    child
}

/// An uninterrupted `jpki-sim issue` into `out`, asserted to succeed.
fn issue_to_the_end(authority: &Path, out: &Path, round: usize) {
    let mut args = vec![
        "issue",
        "--authority",
        authority.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--my-number",
        "123456789018",
        "--pin-stdin",
    ];
    args.extend(HOLDER);
    let output = sim::run_jpki_sim(&args, ISSUE_PINS);
    assert!(
        output.status.success(),
        "round {round}: the next issue fails: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The authority's next serial, from its state file.
fn next_serial(authority: &Path) -> Serial {
    let text = std::fs::read_to_string(authority.join("authority.txt")).unwrap();
    let hex = text
        .lines()
        .find_map(|l| l.strip_prefix("next-serial:"))
        .unwrap()
        .trim();
    Serial::from(u64::from_str_radix(hex, 16).unwrap())
}

/// Whether the issue has reached its write phase: the authority's state file is being or has
/// been replaced, or the card file (or its temp file) exists.
fn writing(authority: &Path, state_inode: u64, out: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    has_temp(&authority.join("authority.txt"))
        || std::fs::metadata(authority.join("authority.txt"))
            .map_or(true, |m| m.ino() != state_inode)
        || out.exists()
        || has_temp(out)
}

/// Whether `temp` is a temp file of `target`: `.NAME.<random>.tmp` beside it.
fn is_temp_of(temp: &Path, target: &Path) -> bool {
    let name = target.file_name().unwrap().to_str().unwrap();
    temp.parent() == target.parent()
        && temp.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            n.strip_prefix(&format!(".{name}."))
                .is_some_and(|rest| rest.ends_with(".tmp"))
        })
}

/// Whether a temp file of `target` is beside it.
fn has_temp(target: &Path) -> bool {
    std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .any(|e| is_temp_of(&e.unwrap().path(), target))
}

fn state_inode(authority: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(authority.join("authority.txt"))
        .unwrap()
        .ino()
}

/// Temp files left in `dirs`; each must be readable by its owner only (they hold PINs and keys).
fn leftover_temps(dirs: &[&Path], round: usize) -> Vec<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let mut found = Vec::new();
    for dir in dirs {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "tmp") {
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(
                    mode,
                    0o600,
                    "round {round}: {} mode {mode:o}",
                    path.display()
                );
                found.push(path);
            }
        }
    }
    found
}

/// A card that survived: complete, bound to this authority, its certificates chained to the
/// authority's CAs, its serials new and below the authority's next serial.
fn check_card(path: &Path, authority_dir: &Path, serials: &mut HashSet<Serial>, round: usize) {
    // opened (and dropped) here: the next issue needs the authority's lock
    let authority = Authority::open(authority_dir)
        .unwrap_or_else(|e| panic!("round {round}: the authority does not open: {e}"));
    let next = next_serial(authority_dir);
    let card = SimCard::open(path)
        .unwrap_or_else(|e| panic!("round {round}: {} does not load: {e}", path.display()));
    assert_eq!(card.profile(), CardProfile::MyNumber);
    assert_eq!(
        card.administration().map(|a| a.admin_key),
        Some(*authority.admin_public_key()),
        "round {round}: not bound to the authority"
    );
    for (pin, limit) in [
        (PinRef::Authentication, 3),
        (PinRef::Signature, LIMIT),
        (PinRef::TextSupport, 3),
    ] {
        assert_eq!(
            card.pin_counter(pin).map(|c| c.tries_left()),
            Some(limit),
            "round {round}: {pin:?}"
        );
    }
    for (role, hierarchy) in [
        (KeyRole::Authentication, Hierarchy::Authentication),
        (KeyRole::Signature, Hierarchy::Signature),
    ] {
        let der = card
            .certificate(role)
            .unwrap_or_else(|| panic!("round {round}: no {role} certificate"));
        let certificate = JpkiCertificate::from_der(der).unwrap();
        certificate
            .verify_signed_by(authority.ca(hierarchy).certificate())
            .unwrap_or_else(|e| panic!("round {round}: {role} certificate: {e}"));
        let serial = certificate.serial();
        assert!(
            serial < next,
            "round {round}: serial {serial} not below the next serial {next}"
        );
        assert!(
            serials.insert(serial),
            "round {round}: serial {serial} is on two cards"
        );
    }
}

#[test]
fn issue_killed_at_random_points_never_leaves_a_half_card_or_a_reused_serial() {
    let dir = temp_dir("power-loss-issue");
    let authority_dir = authority_in(&dir);
    let cards = dir.join("cards");
    std::fs::create_dir_all(&cards).unwrap();
    let mut serials = HashSet::new();

    // Calibration: two uninterrupted issues, timed in whole and from the start of the write
    // phase to the end.
    let (mut span, mut write_span) = (Duration::ZERO, Duration::ZERO);
    for n in 0..2 {
        let out = cards.join(format!("calibration-{n}.jpki"));
        let inode = state_inode(&authority_dir);
        let started = Instant::now();
        let mut child = spawn_issue(&authority_dir, &out);
        let mut writing_since = None;
        let status = loop {
            if writing_since.is_none() && writing(&authority_dir, inode, &out) {
                writing_since = Some(Instant::now());
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            std::thread::sleep(Duration::from_micros(50));
        };
        assert!(status.success(), "an uninterrupted issue succeeds");
        span = span.max(started.elapsed());
        write_span = write_span.max(writing_since.unwrap().elapsed());
        check_card(&out, &authority_dir, &mut serials, 0);
    }

    let seed: u64 = std::env::var("POWER_LOSS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x155E);
    eprintln!(
        "issue power loss: seed {seed} (POWER_LOSS_SEED), span {span:?}, write phase {write_span:?}"
    );
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let (mut complete, mut absent, mut in_write, mut exited) = (0, 0, 0, 0);
    let (mut state_temps, mut card_temps, mut retries_over_temp, mut checks) = (0, 0, 0, 0);
    let mut next_card = 0;
    for round in 1..=ISSUE_KILLS {
        let out = cards.join(format!("card-{next_card}.jpki"));
        let inode = state_inode(&authority_dir);
        let started = Instant::now();
        let mut child = spawn_issue(&authority_dir, &out);
        // three kills in four inside the write phase, the rest anywhere
        if rng.random_bool(0.75) {
            let delay = Duration::from_micros(rng.random_range(0..micros(write_span) * 6 / 5));
            loop {
                if writing(&authority_dir, inode, &out) {
                    in_write += 1;
                    break;
                }
                if child.try_wait().unwrap().is_some() || started.elapsed() > span * 20 {
                    break;
                }
                std::thread::sleep(Duration::from_micros(50));
            }
            std::thread::sleep(delay);
        } else {
            std::thread::sleep(Duration::from_micros(
                rng.random_range(0..micros(span) * 11 / 10),
            ));
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.signal().is_none() {
            // it finished before the kill: then completely
            assert!(status.success(), "round {round}: issue failed: {status}");
            assert!(out.exists(), "round {round}: success without a card");
            exited += 1;
        }

        // temp files first: opening the authority or the card removes those of a dead writer
        let temps = leftover_temps(&[&cards, &authority_dir], round);
        let card_temp = temps.iter().any(|t| is_temp_of(t, &out)) && !out.exists();
        let state = authority_dir.join("authority.txt");
        state_temps += usize::from(temps.iter().any(|t| is_temp_of(t, &state)));
        card_temps += usize::from(card_temp);
        if out.exists() {
            check_card(&out, &authority_dir, &mut serials, round);
            complete += 1;
            next_card += 1;
        } else {
            // the next round issues into the same path again; the authority opens all the same
            drop(
                Authority::open(&authority_dir)
                    .unwrap_or_else(|e| panic!("round {round}: the authority does not open: {e}")),
            );
            absent += 1;
        }
        let stale = leftover_temps(&[&authority_dir], round);
        assert!(
            stale.is_empty(),
            "round {round}: the authority opened with {stale:?} left"
        );
        if card_temp || round % ISSUE_CHECK_EVERY == 0 {
            // the next issue goes through: into the same path, over the leftover temp file of
            // the card, if there is one, which it removes
            retries_over_temp += usize::from(card_temp);
            let out = cards.join(format!("card-{next_card}.jpki"));
            issue_to_the_end(&authority_dir, &out, round);
            assert!(!has_temp(&out), "round {round}: temp file stays");
            check_card(&out, &authority_dir, &mut serials, round);
            next_card += 1;
            checks += 1;
        }
    }
    let left = leftover_temps(&[&cards, &authority_dir], ISSUE_KILLS);
    eprintln!(
        "{ISSUE_KILLS} kills of jpki-sim issue survived: {in_write} aimed at the write phase, \
         {complete} left a complete card ({exited} had finished), {absent} left none; \
         after {state_temps} the authority's state temp file was there (removed when the \
         authority was next opened), after {card_temps} the card's ({retries_over_temp} removed \
         by the issue into the same path); {checks} uninterrupted issues after a kill; {} \
         serials on {} cards, all distinct; {} temp files left at the end",
        serials.len(),
        serials.len() / 2,
        left.len()
    );
    assert!(
        complete > 0 && absent > 0 && in_write >= ISSUE_KILLS / 2,
        "the kills did not land on both sides of the write"
    );
}
