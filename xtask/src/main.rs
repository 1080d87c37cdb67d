//! Build automation for the JPKI toolkit: `cargo xtask <command>`.
//!
//! Commands:
//! - `test`: formatting, clippy with warnings denied, every test (doc tests and one pass of each
//!   benchmark included), and the fixtures check. The one test command.
//! - `ci`: `test`, then `interop`, then every fuzz target for 30 seconds.
//! - `interop`: pcscd + vpcd + `jpki-sim serve` driven by OpenSC, pcsc_scan, openssl, jpki-tool.
//! - `fuzz <target> [--secs N]`: one cargo-fuzz target on the stable toolchain.
//! - `fuzz-all [--secs N]`: every target in turn.
//! - `bench [criterion args]`: the criterion benchmarks in release mode.
//! - `fixtures [--check]`: regenerate fixtures/ deterministically, or fail if they differ.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

mod interop;

const USAGE: &str = "usage: cargo xtask <test | ci | interop | fuzz TARGET [--secs N] | fuzz-all [--secs N] | bench [ARGS] | fixtures [--check]>";

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

    if has_fixture_generator() {
        fixtures(true)?;
    }
    Ok(())
}

fn ci() -> Result<()> {
    test()?;
    interop::interop(&root(), Path::new(&cargo_bin()))?;
    fuzz_all(30)
}

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
/// the stable compiler (AddressSanitizer stays on). New inputs go to fuzz/corpus/<target>
/// (ignored by git); the committed seeds in fuzz/seeds/<target> are read only.
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

fn bench(args: &[String]) -> Result<()> {
    let mut run = cargo();
    run.args(["bench", "--workspace"]);
    if !args.is_empty() {
        run.arg("--").args(args);
    }
    step("benchmarks", run)
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
