//! The used-challenge list (`auth check --used`): one acceptance per challenge even when
//! checks run at once, no symlink followed, created private.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use test_support::process::succeeded as ok;

#[path = "support/common.rs"]
mod common;

use card_sim::SimCard;
use common::Scratch;
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A challenge answered by the fixture card, and the authentication CA and CRL.
struct Login {
    challenge: PathBuf,
    response: PathBuf,
    ca: PathBuf,
    crl: PathBuf,
}

fn login(dir: &Scratch) -> Login {
    let set = set();
    let card = dir.path("card.jpkicard");
    SimCard::create(&card, sample::my_number(set, true).unwrap()).unwrap();
    let l = Login {
        challenge: dir.path("ch.txt"),
        response: dir.path("resp.txt"),
        ca: dir.path("auth-ca.pem"),
        crl: dir.path("auth.crl"),
    };
    std::fs::write(&l.ca, set.auth_ca.certificate().to_pem()).unwrap();
    std::fs::write(&l.crl, common::current_crl(&set.auth_ca)).unwrap();
    ok(&common::tool_with(
        &card,
        &[],
        &["auth", "challenge", "-o", s(&l.challenge)],
        "",
    ));
    ok(&common::tool_with(
        &card,
        &[],
        &["auth", "respond", s(&l.challenge), "-o", s(&l.response)],
        &format!("{}\n", sample::AUTH_PIN),
    ));
    l
}

fn check(l: &Login, used: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jpki-tool"));
    c.args(["auth", "check", s(&l.challenge), s(&l.response)])
        .args(["--ca", s(&l.ca), "--crl", s(&l.crl), "--used", s(used)])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn nonce_of(challenge: &Path) -> String {
    let text = std::fs::read_to_string(challenge).unwrap();
    let line = text.lines().find(|l| l.starts_with("nonce:")).unwrap();
    line["nonce:".len()..].trim().to_owned()
}

#[test]
fn concurrent_checks_of_one_challenge_accept_it_once() {
    const CHECKS: usize = 8;
    let dir = Scratch::new("used-race");
    let l = login(&dir);
    let used = dir.path("used.txt");
    // a busy relying party: 200,000 challenges already used
    let mut earlier = String::with_capacity(200_000 * 65);
    for i in 0..200_000u32 {
        earlier.push_str(&format!("{i:064x}\n"));
    }
    std::fs::write(&used, earlier).unwrap();
    let children: Vec<_> = (0..CHECKS)
        .map(|_| check(&l, &used).spawn().unwrap())
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let accepted = outs.iter().filter(|o| o.status.success()).count();
    let replayed = outs
        .iter()
        .filter(|o| {
            o.status.code() == Some(4)
                && String::from_utf8_lossy(&o.stderr).contains("already used")
        })
        .count();
    let report: Vec<String> = outs
        .iter()
        .map(|o| {
            format!(
                "{:?} {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr)
            )
        })
        .collect();
    assert_eq!(
        (accepted, replayed),
        (1, CHECKS - 1),
        "{CHECKS} checks at once: {report:#?}"
    );
    let nonce = nonce_of(&l.challenge);
    let text = std::fs::read_to_string(&used).unwrap();
    assert_eq!(text.lines().filter(|x| *x == nonce).count(), 1);
    assert_eq!(text.lines().count(), 200_001);
}

#[test]
fn the_list_is_private_and_no_symlink_fifo_or_huge_file_is_used() {
    let dir = Scratch::new("used-link");
    let l = login(&dir);
    // created with mode 0600
    let used = dir.path("used.txt");
    ok(&check(&l, &used).output().unwrap());
    let mode = std::fs::metadata(&used).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // a symlink planted where the list should be: refused, its target untouched
    let target = dir.path("someone-elses-file");
    std::fs::write(&target, b"not a list\n").unwrap();
    let link = dir.path("planted.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = check(&l, &link).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), b"not a list\n");
    // not a regular file, or over its cap: one line, exit 1
    let fifo = dir.path("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let sparse = dir.path("sparse.txt");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    for (bad, what) in [
        (Path::new("/dev/zero"), "is a character device"),
        (fifo.as_path(), "is a FIFO"),
        (sparse.as_path(), "is larger than 64 MiB"),
    ] {
        let out = check(&l, bad).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(what), "{what:?} not in {err}");
    }
    // a list whose last line was cut short (a crash mid-write) still refuses the replay
    let torn = dir.path("torn.txt");
    std::fs::write(&torn, b"0123").unwrap();
    ok(&check(&l, &torn).output().unwrap());
    let replay = check(&l, &torn).output().unwrap();
    assert_eq!(replay.status.code(), Some(4));
    let nonce = nonce_of(&l.challenge);
    let text = std::fs::read_to_string(&torn).unwrap();
    assert_eq!(text, format!("0123\n{nonce}\n"));
}
