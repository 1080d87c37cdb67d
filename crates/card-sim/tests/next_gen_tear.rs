//! Tear tests of the next-generation card, as tests/tear.rs for today's: a child process runs
//! a VERIFY loop (wrong SIGN_PW) or a CHANGE REFERENCE DATA loop and is killed at random
//! points. The file always loads, the counter on disk never goes back up nor lags behind an
//! answer given, and a changed SIGN_PW is always the old or the new value, never anything else.

mod next_gen_support;

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use card_sim::{NextGenRetryLimits, NextGenSecret, SimCard};
use next_gen_support::*;
use rand::{RngExt, SeedableRng};

const CHILD_ENV: &str = "CARD_SIM_NG_TEAR_CHILD";
const LIMIT: u8 = 15;
const KILLS: usize = 40;

/// The `i`-th SIGN_PW of the change loop.
fn value(i: usize) -> String {
    format!("VALUE{i}")
}

fn new_card(path: &Path) {
    let mut contents = contents();
    contents.sign_pw =
        pin_policy::Pin::new(pin_policy::PinKind::Signature, value(0).as_bytes()).unwrap();
    contents.retry_limits = NextGenRetryLimits {
        sign_pw: LIMIT,
        ..NextGenRetryLimits::default()
    };
    SimCard::create_next_gen(path, contents).unwrap();
}

fn child(mode: &str, path: &str) {
    let mut card = SimCard::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    exchange(&mut card, SELECT_AUTH, "9000");
    match mode {
        "verify" => {
            for _ in 0..=LIMIT {
                let rapdu = card.process(&hx(&verify(0x81, "WRONG99")));
                writeln!(out, "SW {}", hex::encode_upper(&rapdu)).unwrap();
                out.flush().unwrap();
                if rapdu == [0x69, 0x83] {
                    break;
                }
            }
        }
        start => {
            // `start` is the index of the value on the card: change to the next ones
            let start: usize = start.parse().unwrap();
            exchange(&mut card, &verify(0x81, &value(start)), "9000");
            for i in start + 1..start + 200 {
                exchange(&mut card, &change(0x81, &value(i)), "9000");
                writeln!(out, "SET {i}").unwrap();
                out.flush().unwrap();
            }
        }
    }
}

fn spawn(exe: &Path, test: &str, mode: &str, path: &Path) -> std::process::Child {
    Command::new(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{mode}:{}", path.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn lines(child: &mut std::process::Child, tag: &str) -> Vec<String> {
    BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| l.rfind(tag).map(|i| l[i + tag.len()..].trim().to_owned()))
        .collect()
}

fn run_child_if_asked() -> bool {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return false;
    };
    let (mode, path) = spec.split_once(':').unwrap();
    child(mode, path);
    true
}

#[test]
fn ng_verify_loop_killed_at_random_points_never_loses_a_count() {
    const TEST: &str = "ng_verify_loop_killed_at_random_points_never_loses_a_count";
    if run_child_if_asked() {
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let dir = temp_dir("ng-tear-verify");
    let calibration = dir.join("calibration.jpki");
    new_card(&calibration);
    let started = std::time::Instant::now();
    let mut child = spawn(&exe, TEST, "verify", &calibration);
    assert!(child.wait().unwrap().success());
    let span = u64::try_from(started.elapsed().as_micros())
        .unwrap()
        .max(1_000)
        * 6
        / 5;
    assert_eq!(
        lines(&mut child, "SW ").last().map(String::as_str),
        Some("6983")
    );

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x4E47);
    let mut kills = 0;
    let mut round = 0;
    while kills < KILLS {
        round += 1;
        let path = dir.join(format!("card-{round}.jpki"));
        new_card(&path);
        let mut before = LIMIT;
        while before > 0 && kills < KILLS {
            let mut child = spawn(&exe, TEST, "verify", &path);
            std::thread::sleep(Duration::from_micros(rng.random_range(0..span)));
            let _ = child.kill();
            child.wait().unwrap();
            kills += 1;
            let answers: Vec<u8> = lines(&mut child, "SW ")
                .iter()
                .map(|sw| match sw.as_str() {
                    "6983" => 0,
                    s if s.starts_with("63C") => u8::from_str_radix(&s[3..], 16).unwrap(),
                    other => panic!("unexpected answer {other}"),
                })
                .collect();
            let card = SimCard::open(&path).unwrap_or_else(|e| panic!("after kill {kills}: {e}"));
            let on_disk = card
                .next_gen_counter(NextGenSecret::SignPassword)
                .unwrap()
                .tries_left();
            assert!(
                on_disk <= before,
                "counter went back up: {before} → {on_disk}"
            );
            if let Some(&last) = answers.last() {
                assert!(on_disk <= last, "disk {on_disk} > answered {last}");
                assert!(
                    on_disk + 1 >= last,
                    "disk {on_disk} lost counts after {last}"
                );
            }
            before = on_disk;
        }
    }
}

#[test]
fn ng_change_loop_killed_at_random_points_keeps_the_old_or_the_new_value() {
    const TEST: &str = "ng_change_loop_killed_at_random_points_keeps_the_old_or_the_new_value";
    if run_child_if_asked() {
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let dir = temp_dir("ng-tear-change");
    let calibration = dir.join("calibration.jpki");
    new_card(&calibration);
    let started = std::time::Instant::now();
    let mut child = spawn(&exe, TEST, "0", &calibration);
    assert!(child.wait().unwrap().success());
    assert_eq!(lines(&mut child, "SET ").len(), 199);
    let path = dir.join("card.jpki");
    new_card(&path);
    let span = u64::try_from(started.elapsed().as_micros())
        .unwrap()
        .max(1_000)
        * 6
        / 5;

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0xC4A6);
    let mut current = 0;
    for kill in 0..KILLS {
        let mut child = spawn(&exe, TEST, &current.to_string(), &path);
        std::thread::sleep(Duration::from_micros(rng.random_range(0..span)));
        let _ = child.kill();
        child.wait().unwrap();
        let last = lines(&mut child, "SET ")
            .last()
            .map_or(current, |i| i.parse().unwrap());
        let mut card = SimCard::open(&path).unwrap_or_else(|e| panic!("after kill {kill}: {e}"));
        exchange(&mut card, SELECT_AUTH, "9000");
        // on disk: the last value answered 9000, or the one whose change was in flight
        current = [last, last + 1]
            .into_iter()
            .find(|i| card.process(&hx(&verify(0x81, &value(*i)))) == [0x90, 0x00])
            .unwrap_or_else(|| panic!("after kill {kill}: neither value {last} nor the next"));
        // the right value refilled the counter the wrong guess may have used
        let tries = card
            .next_gen_counter(NextGenSecret::SignPassword)
            .unwrap()
            .tries_left();
        assert_eq!(tries, LIMIT, "after kill {kill}");
    }
}
