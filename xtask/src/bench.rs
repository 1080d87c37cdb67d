//! `cargo xtask bench`: the openssl anchor, the criterion benchmarks, and BENCHMARKS.md.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::summary::{Outcome, Summary};
use crate::{LIBSSL_REMEDY, NO_LIBSSL, cargo, cargo_bin, has_libssl, interop, root};

mod report;

/// `cargo xtask bench [criterion args]`: `openssl speed -seconds 3 rsa2048` as the anchor, then
/// every criterion bench (with jpki-tool's default `fast-engine` when libssl is there), then a table of
/// the signing path (jpki-tool's `sign_path` bench) against OpenSSL, written to BENCHMARKS.md.
///
/// Criterion output is read from `$CARGO_TARGET_DIR/criterion` (else `target/criterion`); only
/// results written by this run count, so a layer that was skipped (PC/SC without a reader) shows
/// as not run rather than as an old figure.
pub(crate) fn bench(args: &[String]) -> Result<()> {
    let mut summary = Summary::new("bench");
    let result = steps(&mut summary, args);
    summary.finish(result, false)
}

fn steps(s: &mut Summary, args: &[String]) -> Result<()> {
    let started = std::time::SystemTime::now();
    let machine = Machine::probe();

    // `openssl speed` divides by user CPU time unless told `-elapsed`; criterion measures wall
    // time. On a loaded machine the two differ, so both are taken and ratios use wall time.
    let (anchor, anchor_wall) = s
        .run("anchor: openssl speed rsa2048 (CPU and wall clock)", || {
            Ok((openssl_speed(&[])?, openssl_speed(&["-elapsed"])?))
        })?;

    let fast_engine = has_libssl();
    let mut run = cargo();
    run.args(["bench", "--workspace"]);
    // jpki-tool's default features include `fast-engine`; without libssl they cannot link.
    if !fast_engine {
        run.args(["--no-default-features", "--features", "jpki-tool/simulator"]);
        s.skip(
            "fast-engine candidate (the `openssl` engine rows)",
            NO_LIBSSL,
            LIBSSL_REMEDY,
        );
    }
    if !args.is_empty() {
        run.arg("--").args(args);
    }
    // Layer 5: a card served through pcscd and vpcd for as long as the benches run.
    const LAYER_5: &str = "layer 5: a card served through pcscd and vpcd";
    let reader = match interop::bench_reader(&root(), Path::new(&cargo_bin())) {
        Ok(reader) => reader,
        Err(e) => {
            s.record(LAYER_5, Outcome::Failed(format!("{e:#}")));
            return Err(e);
        }
    };
    match &reader {
        Some(r) => {
            s.record(LAYER_5, Outcome::Ok);
            run.env("JPKI_BENCH_READER", &r.reader)
                .env("JPKI_BENCH_PIN", r.sign_pin);
        }
        None => s.skip(
            LAYER_5,
            "pcscd or vpcd missing: the PC/SC layer is not measured",
            "apt-get install -y pcscd vsmartcard-vpcd",
        ),
    }
    s.step("benchmarks", run)?;
    drop(reader);

    let criterion = env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), PathBuf::from)
        .join("criterion");
    let criterion = if criterion.is_absolute() {
        criterion
    } else {
        root().join(criterion)
    };
    s.run("the signing-path report in BENCHMARKS.md", || {
        let report = report::bench_report(&machine, &anchor, &anchor_wall, &criterion, started)?;
        println!("\n{report}");
        let path = root().join("BENCHMARKS.md");
        let notes = std::fs::read_to_string(&path)
            .ok()
            .and_then(|old| old.find(NOTES_MARKER).map(|i| old[i..].to_owned()))
            .unwrap_or_else(|| format!("{NOTES_MARKER}\n"));
        std::fs::write(&path, format!("{report}\n{notes}"))
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("== wrote {}", path.display());
        Ok(())
    })
}

/// Everything after this line of BENCHMARKS.md is hand-written and kept by `cargo xtask bench`.
const NOTES_MARKER: &str = "<!-- hand-written notes below: kept by cargo xtask bench -->";

/// `openssl speed rsa2048`'s figures for one RSA-2048 private / public operation.
pub(super) struct OpensslSpeed {
    pub(super) sign_per_s: f64,
    pub(super) verify_per_s: f64,
}

/// Runs `openssl speed [extra] -seconds 3 rsa2048`.
fn openssl_speed(extra: &[&str]) -> Result<OpensslSpeed> {
    let mut cmd = Command::new("openssl");
    cmd.arg("speed")
        .args(extra)
        .args(["-seconds", "3", "rsa2048"]);
    eprintln!("\n== anchor: {cmd:?}");
    let out = cmd
        .output()
        .context("cannot run `openssl speed` (is openssl installed?)")?;
    if !out.status.success() {
        bail!("openssl speed failed ({})", out.status);
    }
    let speed = parse_openssl_speed(&String::from_utf8_lossy(&out.stdout))
        .context("no `rsa 2048 bits` line in the output of openssl speed")?;
    eprintln!(
        "== openssl: {:.1} sign/s, {:.1} verify/s",
        speed.sign_per_s, speed.verify_per_s
    );
    Ok(speed)
}

/// Reads `rsa 2048 bits 0.000240s 0.000016s   4163.6  60857.0` (sign/s, verify/s last).
fn parse_openssl_speed(out: &str) -> Option<OpensslSpeed> {
    let line = out.lines().find(|l| l.starts_with("rsa 2048 bits"))?;
    let nums: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    match nums.as_slice() {
        [.., sign, verify] if *sign > 0.0 && *verify > 0.0 => Some(OpensslSpeed {
            sign_per_s: *sign,
            verify_per_s: *verify,
        }),
        _ => None,
    }
}

/// The machine the figures come from.
pub(super) struct Machine {
    pub(super) cpus: String,
    pub(super) cpu_model: String,
    pub(super) rustc: String,
    pub(super) openssl: String,
    pub(super) date: String,
    pub(super) load: String,
}

impl Machine {
    fn probe() -> Self {
        let first_line = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .output()
                .ok()
                .and_then(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .next()
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "unknown".into())
        };
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".into());
        Self {
            cpus: first_line("nproc", &[]),
            cpu_model,
            rustc: first_line("rustc", &["--version"]),
            openssl: first_line("openssl", &["version"]),
            date: first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            load: std::fs::read_to_string("/proc/loadavg")
                .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
                .unwrap_or_else(|_| "unknown".into()),
        }
    }
}
