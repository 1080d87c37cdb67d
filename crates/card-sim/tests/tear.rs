//! Tear test: a PIN-verify loop in a child process is killed at random points, many times.
//! The counter on disk never goes back up, never lags behind an answer the card gave, and the
//! file always loads.

use test_support::cards;

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    time::Duration,
};

use card_sim::{PinRef, SimCard};
use cards::*;
use pin_policy::PinKind;
use rand::{RngExt, SeedableRng};

const CHILD_ENV: &str = "CARD_SIM_TEAR_CHILD";
const TEST_NAME: &str = "verify_loop_killed_at_random_points_never_loses_a_count";
const LIMIT: u8 = 15;
/// Upper bound on child processes (the test is bounded in count and time).
const MAX_KILLS: usize = 90;

fn child(path: &str) {
    let mut card = SimCard::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    // bounded: at most LIMIT + 1 wrong tries reach the blocked answer
    for _ in 0..=LIMIT {
        let rapdu = card.process(&hx("00 20 00 80 04 30 30 30 30"));
        writeln!(out, "SW {}", hex::encode_upper(&rapdu)).unwrap();
        out.flush().unwrap();
        if rapdu == [0x69, 0x84] {
            break;
        }
    }
}

#[test]
fn verify_loop_killed_at_random_points_never_loses_a_count() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        child(&path);
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let dir = temp_dir("tear");
    let new_card = |name: &str| {
        let path = dir.join(name);
        let mut contents = my_number_contents();
        contents.authentication =
            Some(key_contents(1, 3, PinKind::Authentication, AUTH_PIN, LIMIT));
        SimCard::create(&path, contents).unwrap();
        path
    };
    let spawn = |path: &std::path::Path| {
        Command::new(&exe)
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let answers_of = |child: &mut std::process::Child| -> Vec<u8> {
        BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map_while(Result::ok)
            // libtest may print its "test … " prefix on the same line as the first answer
            .filter_map(|l| l.rfind("SW ").map(|i| l[i + 3..].trim().to_owned()))
            .map(|sw| match sw.as_str() {
                "6984" => 0,
                s if s.starts_with("63C") => u8::from_str_radix(&s[3..], 16).unwrap(),
                other => panic!("unexpected answer {other}"),
            })
            .collect()
    };

    // One uninterrupted run: the whole countdown, and how long a child lives (kill points are
    // drawn over that span, so the test adapts to a slow or loaded machine).
    let path = new_card("calibration.jpki");
    let started = std::time::Instant::now();
    let mut child = spawn(&path);
    assert!(child.wait().unwrap().success());
    let lifetime = started.elapsed();
    let answers = answers_of(&mut child);
    let expected: Vec<u8> = (0..LIMIT).rev().chain([0]).collect();
    assert_eq!(answers, expected, "63CE … 63C0, then 6984");
    let on_disk = SimCard::open(&path).unwrap();
    assert_eq!(
        on_disk
            .pin_counter(PinRef::Authentication)
            .unwrap()
            .tries_left(),
        0
    );
    let span = u64::try_from(lifetime.as_micros()).unwrap().max(1_000) * 6 / 5;

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x7EA2);
    let mut kills = 0;
    let mut rounds = 0;
    let (mut with_answers, mut in_flight) = (0, 0);
    while kills < MAX_KILLS {
        rounds += 1;
        let path = new_card(&format!("card-{rounds}.jpki"));
        let mut on_disk_before = LIMIT;
        while on_disk_before > 0 && kills < MAX_KILLS {
            let mut child = spawn(&path);
            std::thread::sleep(Duration::from_micros(rng.random_range(0..span)));
            let _ = child.kill();
            child.wait().unwrap();
            kills += 1;
            let answers = answers_of(&mut child);
            // the file always loads
            let card = SimCard::open(&path).unwrap_or_else(|e| panic!("after kill {kills}: {e}"));
            let on_disk = card
                .pin_counter(PinRef::Authentication)
                .unwrap()
                .tries_left();
            assert!(
                on_disk <= on_disk_before,
                "counter went back up: {on_disk_before} → {on_disk}"
            );
            if let Some(&last) = answers.last() {
                with_answers += 1;
                in_flight += usize::from(on_disk < last);
                // every answer given was already on disk; at most one more try was in flight
                assert!(on_disk <= last, "disk {on_disk} > answered {last}");
                assert!(
                    on_disk + 1 >= last,
                    "disk {on_disk} lost counts after {last}"
                );
            }
            for pair in answers.windows(2) {
                assert!(pair[1] + 1 == pair[0] || pair == [0, 0], "{answers:?}");
            }
            on_disk_before = on_disk;
        }
    }
    eprintln!("{kills} kills, {rounds} cards, {with_answers} after answers, {in_flight} mid-try");
    assert!(
        with_answers >= MAX_KILLS / 10,
        "too few kills landed after the child answered: {with_answers}"
    );
}
