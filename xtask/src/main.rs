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
//! - `bench [criterion args]`: `openssl speed rsa2048` and `ecdsap384`, the criterion benchmarks
//!   in release mode, and the signing-path table and the P-384 section written to BENCHMARKS.md.
//! - `fixtures [--check]`: regenerate fixtures/ deterministically, or fail if they differ.
#![forbid(unsafe_code)]

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use summary::Summary;

mod bench;
mod ci;
mod deny;
mod fixtures;
mod fuzz;
mod interop;
mod rules;
mod summary;
mod test;

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
        "test" => test::test(),
        "ci" => ci::ci(),
        "fuzz" => {
            let Some((target, rest)) = rest.split_first() else {
                bail!(
                    "usage: cargo xtask fuzz TARGET [--secs N]; targets: {}",
                    fuzz::fuzz_targets()?.join(", ")
                );
            };
            let secs = secs(rest, 30)?;
            one_step("fuzz", &format!("fuzz {target}"), || {
                fuzz::fuzz(target, secs)
            })
        }
        "fuzz-all" => fuzz::fuzz_all(secs(rest, 30)?),
        "bench" => bench::bench(rest),
        "interop" => interop::interop(&root(), Path::new(&cargo_bin())),
        "deny" => one_step("deny", "cargo deny (offline)", deny::deny),
        "fixtures" => {
            let check = rest.iter().any(|a| a == "--check");
            one_step("fixtures", "fixtures", || fixtures::fixtures(check))
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command {other:?}\n{USAGE}"),
    }
}

/// A task of one step, ending with its summary.
fn one_step(task: &'static str, what: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    let mut summary = Summary::new(task);
    let result = summary.run(what, f);
    summary.finish(result, false)
}

pub(crate) fn root() -> PathBuf {
    // xtask/ sits directly under the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

pub(crate) fn cargo_bin() -> String {
    env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

pub(crate) fn cargo() -> Command {
    let mut c = Command::new(cargo_bin());
    c.current_dir(root());
    c
}

/// Runs a command, echoing it and its duration; fails if it fails.
pub(crate) fn step(what: &str, mut cmd: Command) -> Result<()> {
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

/// Whether the `openssl` crate can build here (libssl-dev and pkg-config).
pub(crate) fn has_libssl() -> bool {
    Command::new("pkg-config")
        .args(["--exists", "openssl"])
        .status()
        .is_ok_and(|s| s.success())
}

/// Why the OpenSSL engine's steps are skipped when [`has_libssl`] is false.
pub(crate) const NO_LIBSSL: &str =
    "libssl-dev or pkg-config missing: feature fast-engine cannot build";
/// What makes them run.
pub(crate) const LIBSSL_REMEDY: &str =
    "apt-get install -y libssl-dev pkg-config (.ci/run installs them)";
