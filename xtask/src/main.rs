//! Build automation for the JPKI toolkit: `cargo xtask <command>`.
//!
//! Commands:
//! - `test`: formatting, clippy with warnings denied, every test (doc tests and one pass of each
//!   benchmark included), the API documentation built with warnings denied, and the fixtures
//!   check. The one test command.
//! - `ci`: `test`, then `deny`, then `interop`, then every fuzz target for 30 seconds.
//! - `deny`: `cargo deny check` against the offline RustSec copy in ../shared/advisory-db.
//! - `interop`: pcscd + vpcd + `jpki-sim serve` driven by OpenSC, pcsc_scan, openssl, jpki-tool.
//! - `fuzz <target> [--secs N]`: one cargo-fuzz target on the stable toolchain.
//! - `fuzz-all [--secs N]`: every target in turn.
//! - `bench [criterion args]`: `openssl speed rsa2048`, the criterion benchmarks in release mode,
//!   and the signing-path table written to BENCHMARKS.md.
//! - `fixtures [--check]`: regenerate fixtures/ deterministically, or fail if they differ.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

mod deny;
mod interop;
mod rules;

const USAGE: &str = "usage: cargo xtask <test | ci | deny | interop | fuzz TARGET [--secs N] | fuzz-all [--secs N] | bench [ARGS] | fixtures [--check]>";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        bail!("{USAGE}");
    };
    match cmd.as_str() {
        "test" => test(),
        "ci" => ci(),
        "fuzz" => {
            let Some((target, rest)) = rest.split_first() else {
                bail!(
                    "usage: cargo xtask fuzz TARGET [--secs N]; targets: {}",
                    fuzz_targets()?.join(", ")
                );
            };
            fuzz(target, secs(rest, 30)?)
        }
        "fuzz-all" => fuzz_all(secs(rest, 30)?),
        "bench" => bench(rest),
        "interop" => interop::interop(&root(), Path::new(&cargo_bin())),
        "deny" => deny::deny(),
        "fixtures" => fixtures(rest.iter().any(|a| a == "--check")),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command {other:?}\n{USAGE}"),
    }
}

fn root() -> PathBuf {
    // xtask/ sits directly under the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn cargo_bin() -> String {
    env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn cargo() -> Command {
    let mut c = Command::new(cargo_bin());
    c.current_dir(root());
    c
}

/// Runs a command, echoing it and its duration; fails if it fails.
fn step(what: &str, mut cmd: Command) -> Result<()> {
    eprintln!("\n== {what}: {cmd:?}");
    let start = Instant::now();
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    eprintln!("== {what}: {status} in {:.1?}", start.elapsed());
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

fn secs(args: &[String], default: u64) -> Result<u64> {
    match args {
        [] => Ok(default),
        [flag, n] if flag == "--secs" => n
            .parse()
            .with_context(|| format!("--secs {n:?} is not a number")),
        _ => bail!("expected --secs N, got {args:?}"),
    }
}

fn test() -> Result<()> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    step("format check", fmt)?;

    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    step("clippy", clippy)?;

    // --all-targets runs lib, bin, integration tests, examples and each criterion bench once
    // (criterion's test mode); doc tests need their own run.
    let mut tests = cargo();
    tests.args(["test", "--workspace", "--all-targets"]);
    step("tests", tests)?;

    let mut doc = cargo();
    doc.args(["test", "--workspace", "--doc"]);
    step("doc tests", doc)?;

    // The API documentation builds without a warning (broken links, stray HTML), private items
    // included: they are what the next developer reads.
    let mut api_doc = cargo();
    api_doc
        .args([
            "doc",
            "--workspace",
            "--no-deps",
            "--document-private-items",
        ])
        .env("RUSTDOCFLAGS", "-D warnings");
    step("API documentation", api_doc)?;

    // The card's second RSA engine (issue 8): clippy over every feature, then the card's tests
    // and the clients' tests against it run again with OpenSSL signing (benches once each, in
    // criterion's test mode, with their OpenSSL rows).
    if has_libssl() {
        let mut clippy = cargo();
        clippy.args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]);
        step("clippy, all features", clippy)?;
        let mut fast = cargo();
        fast.args([
            "test",
            "-p",
            "card-sim",
            "-p",
            "issuer",
            "-p",
            "jpki-sim",
            "-p",
            "jpki-applet",
            "-p",
            "jpki-tool",
            "--features",
            "card-sim/fast-engine,jpki-sim/fast-engine,jpki-tool/fast-engine",
            "--lib",
            "--bins",
            "--tests",
            "--benches",
        ]);
        step("card and client tests on the OpenSSL engine", fast)?;
    } else {
        eprintln!(
            "note: libssl-dev/pkg-config missing: the fast-engine tests are skipped \
             (.ci/run installs them)"
        );
    }

    if has_fixture_generator() {
        fixtures(true)?;
    }
    Ok(())
}

fn ci() -> Result<()> {
    test()?;
    deny::deny()?;
    interop::interop(&root(), Path::new(&cargo_bin()))?;
    fuzz_all(30)
}

/// Supply chain: `cargo deny check` (advisories, bans, licenses, sources; see deny.toml) against
/// the offline RustSec snapshot in ../shared/advisory-db, never fetching.
///
/// cargo-deny reads a database only at `<db-path>/advisory-db-<hash of its URL>/` and dates it
/// by `.git/FETCH_HEAD`, while the snapshot is a plain read-only directory. So this stages one
/// under target/advisory-dbs (deny.toml's `db-path`): a link to the snapshot's `crates/` and a
/// FETCH_HEAD dated by the snapshot's newest advisory, so that deny.toml's staleness limit
/// counts from the snapshot, not from today.
fn fuzz_targets() -> Result<Vec<String>> {
    let dir = root().join("fuzz/fuzz_targets");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            names.push(stem.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// cargo-fuzz on stable: `RUSTC_BOOTSTRAP=1` lets cargo-fuzz pass the `-Z` sanitizer flags to
/// the stable compiler (AddressSanitizer stays on). New inputs go to `fuzz/corpus/<target>`
/// (ignored by git); the committed seeds in `fuzz/seeds/<target>` are read only.
fn fuzz(target: &str, secs: u64) -> Result<()> {
    let targets = fuzz_targets()?;
    if !targets.iter().any(|t| t == target) {
        bail!("no fuzz target {target:?}; targets: {}", targets.join(", "));
    }
    let corpus = root().join("fuzz/corpus").join(target);
    let seeds = root().join("fuzz/seeds").join(target);
    std::fs::create_dir_all(&corpus)?;
    let mut run = cargo();
    run.env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", "run", target])
        .arg(&corpus);
    if seeds.is_dir() {
        run.arg(&seeds);
    }
    run.args([
        "--",
        &format!("-max_total_time={secs}"),
        "-print_final_stats=1",
    ]);
    step(&format!("fuzz {target} for {secs} s"), run)
}

fn fuzz_all(secs: u64) -> Result<()> {
    for target in fuzz_targets()? {
        fuzz(&target, secs)?;
    }
    Ok(())
}

/// `cargo xtask bench [criterion args]`: `openssl speed -seconds 3 rsa2048` as the anchor, then
/// every criterion bench (with jpki-tool's `fast-engine` when libssl is there), then a table of
/// the signing path (jpki-tool's `sign_path` bench) against OpenSSL, written to BENCHMARKS.md.
///
/// Criterion output is read from `$CARGO_TARGET_DIR/criterion` (else `target/criterion`); only
/// results written by this run count, so a layer that was skipped (PC/SC without a reader) shows
/// as not run rather than as an old figure.
fn bench(args: &[String]) -> Result<()> {
    let started = std::time::SystemTime::now();
    let machine = Machine::probe();

    // `openssl speed` divides by user CPU time unless told `-elapsed`; criterion measures wall
    // time. On a loaded machine the two differ, so both are taken and ratios use wall time.
    let anchor = openssl_speed(&[])?;
    let anchor_wall = openssl_speed(&["-elapsed"])?;

    let fast_engine = has_libssl();
    let mut run = cargo();
    run.args(["bench", "--workspace"]);
    if fast_engine {
        run.args(["--features", "jpki-tool/fast-engine"]);
    } else {
        eprintln!("note: libssl-dev/pkg-config missing: the fast-engine candidate is not measured");
    }
    if !args.is_empty() {
        run.arg("--").args(args);
    }
    // Layer 5: a card served through pcscd and vpcd for as long as the benches run.
    let reader = interop::bench_reader(&root(), Path::new(&cargo_bin()))?;
    if let Some(r) = &reader {
        run.env("JPKI_BENCH_READER", &r.reader)
            .env("JPKI_BENCH_PIN", r.sign_pin);
    }
    step("benchmarks", run)?;
    drop(reader);

    let criterion = env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), PathBuf::from)
        .join("criterion");
    let criterion = if criterion.is_absolute() {
        criterion
    } else {
        root().join(criterion)
    };
    let report = bench_report(&machine, &anchor, &anchor_wall, &criterion, started)?;
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
}

/// Everything after this line of BENCHMARKS.md is hand-written and kept by `cargo xtask bench`.
const NOTES_MARKER: &str = "<!-- hand-written notes below: kept by cargo xtask bench -->";

/// `openssl speed rsa2048`'s figures for one RSA-2048 private / public operation.
struct OpensslSpeed {
    sign_per_s: f64,
    verify_per_s: f64,
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
struct Machine {
    cpus: String,
    cpu_model: String,
    rustc: String,
    openssl: String,
    date: String,
    load: String,
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

/// The mean (ns) of one criterion benchmark, if this run wrote it.
fn criterion_mean(dir: &Path, id: &str, since: std::time::SystemTime) -> Option<f64> {
    let path = dir.join(id).join("new").join("estimates.json");
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= since);
    if !fresh {
        return None;
    }
    json_mean(&std::fs::read_to_string(path).ok()?)
}

/// `{"mean":{"confidence_interval":{..},"point_estimate":1234.5,..},..}` → 1234.5: a hand
/// parser for the one number needed (xtask stays free of serde).
fn json_mean(json: &str) -> Option<f64> {
    let mean = json.find("\"mean\"")?;
    let rest = &json[mean..];
    let key = "\"point_estimate\"";
    let at = rest.find(key)? + key.len();
    let value = rest[at..].trim_start().strip_prefix(':')?.trim_start();
    let end = value
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .unwrap_or(value.len());
    value[..end].parse().ok().filter(|v: &f64| v.is_finite())
}

/// The raw `rsa` sign every `rsa`-engine layer is compared with.
const RAW_RSA: &str = "1-raw/rsa-sign-blinded";
/// The raw OpenSSL operation every `openssl`-engine layer is compared with.
const RAW_OPENSSL: &str = "engine/openssl-private-encrypt";

/// The signing path's layers as the `sign_path` bench names them: (id, label, the raw sign its
/// overhead is counted against).
const LAYERS: &[(&str, &str, Option<&str>)] = &[
    (
        RAW_RSA,
        "1 raw sign, `rsa` 0.10 blinded (the card's default engine)",
        None,
    ),
    (
        "1-raw/rsa-sign-unblinded",
        "1 raw sign, `rsa` 0.10 unblinded (reference)",
        None,
    ),
    (
        "2-card/compute-signature-rsa",
        "2 card: COMPUTE DIGITAL SIGNATURE handler, engine `rsa`",
        Some(RAW_RSA),
    ),
    (
        "3-client/applet-sign-rsa",
        "3 client: `JpkiApplet::sign` over SimCard (5 APDUs), engine `rsa`",
        Some(RAW_RSA),
    ),
    (
        "4-cms/sign-1MiB-rsa",
        "4 CMS detached signature of 1 MiB, engine `rsa`",
        Some(RAW_RSA),
    ),
    (
        "5-pcsc/sign",
        "5 PC/SC: `JpkiApplet::sign` via pcscd + vpcd (`jpki-sim serve --engine rsa`, release)",
        Some(RAW_RSA),
    ),
    (
        RAW_OPENSSL,
        "1 raw sign, OpenSSL `RSA_private_encrypt` blinded (the fast engine's operation)",
        None,
    ),
    (
        "2-card/compute-signature-openssl",
        "2 card: COMPUTE DIGITAL SIGNATURE handler, engine `openssl` (fast-engine)",
        Some(RAW_OPENSSL),
    ),
    (
        "3-client/applet-sign-openssl",
        "3 client: `JpkiApplet::sign` over SimCard, engine `openssl`",
        Some(RAW_OPENSSL),
    ),
    (
        "4-cms/sign-1MiB-openssl",
        "4 CMS detached signature of 1 MiB, engine `openssl`",
        Some(RAW_OPENSSL),
    ),
    (
        "engine/rsa-raw-blinded",
        "`rsa` 0.10 blinded, raw DigestInfo (same group as the OpenSSL raw row)",
        None,
    ),
];

/// Benchmarks outside the signing path shown in the report: (criterion id, label).
const OTHERS: &[(&str, &str)] = &[
    (
        "command/decode_sign_4s",
        "decode a C-APDU: COMPUTE DIGITAL SIGNATURE, case 4 short (57 bytes)",
    ),
    ("command/encode_sign_4s", "encode that C-APDU"),
    (
        "command/decode_write_4e_4k",
        "decode a C-APDU: case 4 extended with 4 KiB of data",
    ),
    ("response/decode_256", "decode an R-APDU of 256 bytes + SW"),
    (
        "parse_signature_cert",
        "parse a JPKI signature certificate (typed view with the 4 facts)",
    ),
    (
        "verify_chain",
        "verify a certificate chain (EE → CA, RSA-2048)",
    ),
    (
        "crl_lookup/hit/1000000",
        "look up a revoked serial in a CRL of 1,000,000 entries",
    ),
    (
        "verify/in-memory",
        "card: VERIFY with the right PIN, in memory",
    ),
    (
        "verify/file-backed",
        "card: VERIFY with the right PIN, counter written and fsynced before and after",
    ),
];

fn bench_report(
    machine: &Machine,
    anchor_cpu: &OpensslSpeed,
    anchor: &OpensslSpeed,
    criterion: &Path,
    since: std::time::SystemTime,
) -> Result<String> {
    use std::fmt::Write as _;

    let mean = |id: &str| criterion_mean(criterion, id, since);
    if mean(RAW_RSA).is_none() {
        bail!(
            "no fresh sign_path results under {} (did the jpki-tool bench run?)",
            criterion.display()
        );
    }
    let openssl_ns = 1e9 / anchor.sign_per_s;
    let ms = |ns: f64| ns / 1e6;

    let mut s = String::new();
    let w = &mut s;
    writeln!(w, "# Benchmarks: the RSA-2048 signing path (issue 8)\n")?;
    writeln!(
        w,
        "Written by `cargo xtask bench` ({}). One run on a shared, noisy machine: read ratios \
         as ±15 %, not as a trend.\n",
        machine.date
    )?;
    writeln!(
        w,
        "Machine: {} CPUs, {}; {}; {}; load average at start {}.\n",
        machine.cpus, machine.cpu_model, machine.rustc, machine.openssl, machine.load
    )?;
    writeln!(
        w,
        "Anchor, same command: `openssl speed -seconds 3 rsa2048` = {:.1} sign/s, {:.1} \
         verify/s (divided by user CPU time, openssl's default); with `-elapsed` (wall clock, \
         as criterion measures) = {:.1} sign/s ({:.3} ms), {:.1} verify/s. Ratios below use \
         the wall-clock figure.\n",
        anchor_cpu.sign_per_s,
        anchor_cpu.verify_per_s,
        anchor.sign_per_s,
        ms(openssl_ns),
        anchor.verify_per_s
    )?;
    writeln!(
        w,
        "| layer | time per signature | signatures/s | ours / openssl | over raw sign |"
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|")?;
    for (id, what, base) in LAYERS {
        let Some(ns) = mean(id) else {
            if id.starts_with("5-") || id.contains("openssl") {
                writeln!(w, "| {what} | not run | | | |")?;
            }
            continue;
        };
        let over = base
            .and_then(&mean)
            .map(|b| format!("{:+.1} %", (ns / b - 1.0) * 100.0))
            .unwrap_or_default();
        writeln!(
            w,
            "| {what} | {:.3} ms | {:.1} | {:.2}× | {over} |",
            ms(ns),
            1e9 / ns,
            ns / openssl_ns
        )?;
    }
    if let Some(ns) = mean("1-raw/rsa-verify") {
        writeln!(
            w,
            "| 1 raw verify, `rsa` 0.10 (verify/s) | {:.1} µs | {:.1} | {:.2}× | |",
            ns / 1e3,
            1e9 / ns,
            ns / (1e9 / anchor.verify_per_s)
        )?;
    }
    let apdu = mean("5-pcsc/apdu");
    if let Some(ns) = apdu {
        writeln!(
            w,
            "\nPC/SC latency per APDU (VERIFY without data, `63 Cx`): {:.3} ms.",
            ms(ns)
        )?;
    }
    writeln!(
        w,
        "\nAPDU codec, certificates and the card's PIN state, same run \
         (`crates/apdu/benches/apdu.rs`, `crates/cert/benches/cert.rs`, \
         `crates/card-sim/benches/card.rs`; all figures in {}/report/index.html):\n",
        criterion.display()
    )?;
    writeln!(w, "| operation | time | per second |")?;
    writeln!(w, "|---|---:|---:|")?;
    for (id, what) in OTHERS {
        if let Some(ns) = mean(id) {
            let time = if ns >= 1e6 {
                format!("{:.3} ms", ns / 1e6)
            } else if ns >= 1e3 {
                format!("{:.2} µs", ns / 1e3)
            } else {
                format!("{ns:.1} ns")
            };
            writeln!(w, "| {what} | {time} | {:.0} |", 1e9 / ns)?;
        }
    }
    if let (Some(ours), Some(theirs)) = (
        mean("crl_load/cert_read_and_parse/1000000"),
        mean("crl_load/openssl_crl_noout/1000000"),
    ) {
        writeln!(
            w,
            "\nCRL of 1,000,000 entries: `cert` reads and indexes it in {:.0} ms, `openssl crl \
             -noout` (a process, same run) takes {:.0} ms: ratio {:.2}.",
            ours / 1e6,
            theirs / 1e6,
            ours / theirs
        )?;
    }
    writeln!(w)?;

    writeln!(w, "## Targets\n")?;
    for (id, name) in [
        (
            "2-card/compute-signature-rsa",
            "layer 2 adds under 5 % to raw sign (engine `rsa`)",
        ),
        (
            "3-client/applet-sign-rsa",
            "layer 3 adds under 5 % to raw sign (engine `rsa`)",
        ),
        (
            "2-card/compute-signature-openssl",
            "layer 2 adds under 5 % to raw sign (engine `openssl`)",
        ),
        (
            "3-client/applet-sign-openssl",
            "layer 3 adds under 5 % to raw sign (engine `openssl`)",
        ),
    ] {
        let base = LAYERS
            .iter()
            .find(|l| l.0 == id)
            .and_then(|l| l.2)
            .and_then(&mean);
        match (mean(id), base) {
            (Some(ns), Some(b)) => {
                let p = (ns / b - 1.0) * 100.0;
                writeln!(
                    w,
                    "- {name}: {} ({p:+.1} % by time)",
                    if p < 5.0 { "met" } else { "NOT met" }
                )?
            }
            _ => writeln!(w, "- {name}: not measured")?,
        }
    }
    match apdu {
        Some(ns) => writeln!(
            w,
            "- PC/SC path under 1 ms per APDU on loopback: {} ({:.3} ms)",
            if ns < 1e6 { "met" } else { "NOT met" },
            ms(ns)
        )?,
        None => writeln!(
            w,
            "- PC/SC path under 1 ms per APDU on loopback: not measured (set JPKI_BENCH_READER)"
        )?,
    }
    // The card's operation on the fast engine: the whole COMPUTE DIGITAL SIGNATURE handler,
    // not only the raw OpenSSL call.
    let best_engine = mean("2-card/compute-signature-openssl");
    match best_engine {
        Some(ns) => writeln!(
            w,
            "- fast engine within 1.15× of `openssl speed rsa2048` (the card's COMPUTE DIGITAL \
             SIGNATURE on engine `openssl`): {} ({:.2}× wall clock; {:.2}× against openssl's \
             CPU-time figure)",
            if ns / openssl_ns <= 1.15 {
                "met"
            } else {
                "NOT met"
            },
            ns / openssl_ns,
            ns * anchor_cpu.sign_per_s / 1e9
        )?,
        None => writeln!(
            w,
            "- fast engine within 1.15× of `openssl speed rsa2048`: not measured (filtered out, \
             or feature fast-engine unavailable: it needs libssl-dev and pkg-config)"
        )?,
    }
    writeln!(
        w,
        "- no allocation or copy of the key per signature: not measurable by timing; see the notes \
         (`JPKI_BENCH_PROFILE` + `valgrind --tool=dhat`)."
    )?;
    Ok(s)
}

/// Whether the `openssl` crate can build here (libssl-dev and pkg-config).
fn has_libssl() -> bool {
    Command::new("pkg-config")
        .args(["--exists", "openssl"])
        .status()
        .is_ok_and(|s| s.success())
}

fn has_fixture_generator() -> bool {
    root()
        .join("crates/cert/examples/gen-fixtures.rs")
        .is_file()
}

/// Regenerates fixtures/cert with the `cert` crate's deterministic generator, or with `check`
/// generates into a scratch directory and fails if anything differs from what is committed.
fn fixtures(check: bool) -> Result<()> {
    if !has_fixture_generator() {
        bail!("no fixture generator yet (crates/cert/examples/gen-fixtures.rs)");
    }
    // The generator writes DIR/cert/; fixtures/real-ca and fixtures/README.md are static.
    let committed = root().join("fixtures/cert");
    let out = if check {
        let scratch = root().join("target/xtask-fixtures");
        if scratch.exists() {
            std::fs::remove_dir_all(&scratch)?;
        }
        scratch
    } else {
        root().join("fixtures")
    };
    let mut gen_cmd = cargo();
    gen_cmd
        .args([
            "run",
            "--quiet",
            "-p",
            "cert",
            "--example",
            "gen-fixtures",
            "--",
            "--out",
        ])
        .arg(&out);
    step("generate fixtures", gen_cmd)?;
    if check {
        let diffs = compare_dirs(&committed, &out.join("cert"))?;
        if !diffs.is_empty() {
            bail!(
                "fixtures differ from what the generator writes ({}); run `cargo xtask fixtures` and commit",
                diffs.join(", ")
            );
        }
        eprintln!("== fixtures: committed files match the generator");
    }
    Ok(())
}

fn list_files(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            list_files(&path, base, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_path_buf());
        }
    }
    Ok(())
}

/// Relative paths that are missing on one side or differ in content.
fn compare_dirs(a: &Path, b: &Path) -> Result<Vec<String>> {
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    if a.is_dir() {
        list_files(a, a, &mut fa)?;
    }
    list_files(b, b, &mut fb)?;
    fa.sort();
    fb.sort();
    let mut diffs = Vec::new();
    for f in fa.iter().filter(|f| !fb.contains(f)) {
        diffs.push(format!("{} only committed", f.display()));
    }
    for f in &fb {
        if !fa.contains(f) {
            diffs.push(format!("{} not committed", f.display()));
        } else if std::fs::read(a.join(f))? != std::fs::read(b.join(f))? {
            diffs.push(format!("{} differs", f.display()));
        }
    }
    Ok(diffs)
}
