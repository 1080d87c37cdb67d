//! The checks by our own `jpki-tool` over PC/SC that are about PC/SC itself (the readers
//! listing, an empty or unknown reader), and its CLI behaviour suite on the served card, which
//! holds every jpki-tool flow (info, PINs, certificates, signatures with openssl's
//! `cms -verify`, login, text-support data).

use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};

use crate::summary::Outcome;

use super::env::{AUTH_PIN, Env, READERS, SIGN_PIN, TEXT_PIN, run, success, text};

fn readers(env: &Env) -> Result<String> {
    Ok(text(&run(Command::new(&env.jpki_tool).arg("readers"))?))
}

/// The readers listing names the served card's reader with the card's ATR.
pub(super) fn jpki_tool_readers(env: &Env) -> Result<()> {
    let readers = success(
        "jpki-tool readers",
        run(Command::new(&env.jpki_tool).arg("readers"))?,
    )?;
    ensure!(
        readers.contains(&format!(
            "{}: card present, ATR 3BE000FF8131FE4514",
            env.reader
        )),
        "{readers}"
    );
    Ok(())
}

pub(super) fn jpki_tool_no_card(env: &Env) -> Result<()> {
    let other = READERS
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name != env.reader)
        .context("no second vpcd reader")?;
    // The other reader is empty: interop starts only with both readers free, and the
    // brute-force and next-generation cards are served there only during their own checks. A
    // card there now is a failure, not a reason to skip the two empty-reader assertions in
    // silence.
    let listing = readers(env)?;
    ensure!(
        listing.contains(&format!("{other}: no card")),
        "{other} is not empty, so the empty-reader errors cannot be checked: {listing}"
    );
    let empty = run(Command::new(&env.jpki_tool).args(["--reader", other, "info"]))?;
    ensure!(
        empty.status.code() == Some(5) && text(&empty).contains("no card"),
        "empty reader: {} {}",
        empty.status,
        text(&empty)
    );
    // waiting for a card that never comes ends with the same error, after the wait
    let start = Instant::now();
    let waited =
        run(Command::new(&env.jpki_tool).args(["--reader", other, "--wait", "1", "info"]))?;
    ensure!(
        waited.status.code() == Some(5) && start.elapsed() >= Duration::from_millis(900),
        "--wait 1 on an empty reader: {} after {:?}: {}",
        waited.status,
        start.elapsed(),
        text(&waited)
    );
    let unknown =
        run(Command::new(&env.jpki_tool).args(["--reader", "No Such Reader 99", "info"]))?;
    ensure!(
        unknown.status.code() == Some(5) && text(&unknown).contains("no reader named"),
        "unknown reader: {} {}",
        unknown.status,
        text(&unknown)
    );
    Ok(())
}

/// The suite's tests that ran on the reader, each with its outcome, from the last
/// [`jpki_tool_suite`]: interop reports each as a step of its own.
static SUITE_STEPS: Mutex<Vec<(String, Outcome)>> = Mutex::new(Vec::new());

/// Takes the steps [`jpki_tool_suite`] recorded.
pub(super) fn take_suite_steps() -> Vec<(String, Outcome)> {
    std::mem::take(&mut *SUITE_STEPS.lock().unwrap_or_else(|e| e.into_inner()))
}

/// The jpki-tool CLI behaviour suite (`crates/jpki-tool/tests/cli`) on the served card: the
/// same tests `cargo test -p jpki-tool` runs on simulator card files, here through pcscd and
/// vpcd with the card's PINs and the authority's CA files and CRLs. Its tests that need no
/// card (`offline::`) are not run again. The served card is a simulator, so the tests a real
/// card must never see (wrong PINs, counted and restored) run too; a test that still says it
/// skipped is listed here, not counted.
pub(super) fn jpki_tool_suite(env: &Env) -> Result<()> {
    let out = run(Command::new(&env.cargo)
        .current_dir(&env.root)
        .args([
            "test",
            "-p",
            "jpki-tool",
            "--features",
            "real-reader",
            "--test",
            "cli",
            "--",
            "--skip",
            "offline::",
        ])
        .env("JPKI_TEST_READER", &env.reader)
        .env("JPKI_TEST_AUTH_PIN", AUTH_PIN)
        .env("JPKI_TEST_SIGN_PIN", SIGN_PIN)
        .env("JPKI_TEST_TEXT_PIN", TEXT_PIN)
        .env("JPKI_TEST_NUMBER_B", &env.number_b)
        .env("JPKI_TEST_CA_DIR", env.dir.join("authority"))
        // a simulator: the tests that spend wrong PINs (and restore them) run on it too
        .env("JPKI_TEST_SIMULATED_CARD", "1"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut results = Vec::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, verdict)) = rest.rsplit_once(" ... ")
        {
            results.push((name.to_owned(), verdict.to_owned()));
        }
    }
    let skipped: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("SKIPPED on a real card (simulator only): "))
        .collect();
    let mut steps = Vec::new();
    for (name, verdict) in &results {
        if let Some(why) = skipped
            .iter()
            .find_map(|s| s.strip_prefix(name.as_str())?.strip_prefix(": "))
        {
            // by design, not a broken setup: not a SKIPPED step (CI fails on those)
            eprintln!("interop:        suite {name}: skipped as on a real card ({why})");
            continue;
        }
        let outcome = if verdict == "ok" {
            Outcome::Ok
        } else {
            Outcome::Failed(format!("{verdict}: see the suite's output"))
        };
        steps.push((format!("jpki-tool suite on the reader: {name}"), outcome));
    }
    *SUITE_STEPS.lock().unwrap_or_else(|e| e.into_inner()) = steps;
    ensure!(out.status.success(), "{stdout}{stderr}");
    let ran = results.len() - skipped.len();
    ensure!(
        results.iter().all(|(_, v)| v == "ok") && ran > 0,
        "the suite did not run on the reader: {stdout}{stderr}"
    );
    Ok(())
}
