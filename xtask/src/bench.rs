//! `cargo xtask bench`: the openssl anchor, the criterion benchmarks, and BENCHMARKS.md.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::summary::{Outcome, Summary};
use crate::{LIBSSL_REMEDY, NO_LIBSSL, cargo, cargo_bin, has_libssl, interop, root};

mod p384;
mod report;

/// `cargo xtask bench [criterion args]`: `openssl speed -seconds 3 rsa2048` and `ecdsap384` as
/// the anchors, then every criterion bench (with jpki-tool's default `fast-engine` when libssl is
/// there), then a table of the signing path (jpki-tool's `sign_path` bench) against OpenSSL and
/// the P-384 section of issue 18 (`crates/cert/benches/ecdsa.rs`), written to BENCHMARKS.md.
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
    // The P-384 anchor of issue 18: without it the report says so, the run goes on.
    const P384_ANCHOR: &str = "anchor: openssl speed ecdsap384 (CPU and wall clock)";
    let p384_anchor = openssl_ecdsap384();
    match &p384_anchor {
        Ok(_) => s.record(P384_ANCHOR, Outcome::Ok),
        Err(why) => s.skip(P384_ANCHOR, why, P384_ANCHOR_REMEDY),
    }

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
    // Its next-generation row (`5-pcsc/sign-p384`): a P-384 card on the second reader.
    const LAYER_5_NG: &str = "layer 5: a next-generation card served through pcscd and vpcd";
    match &reader {
        Some(r) => {
            s.record(LAYER_5, Outcome::Ok);
            run.env("JPKI_BENCH_READER", &r.reader)
                .env("JPKI_BENCH_PIN", r.sign_pin);
            match &r.next_gen {
                Ok(ng_reader) => {
                    s.record(LAYER_5_NG, Outcome::Ok);
                    run.env("JPKI_BENCH_NG_READER", ng_reader)
                        .env("JPKI_BENCH_NG_PASSWORD", r.ng_password);
                }
                Err(why) => s.skip(
                    LAYER_5_NG,
                    why,
                    "free the second vpcd reader (Virtual PCD 00 01) and run again",
                ),
            }
        }
        None => {
            for layer in [LAYER_5, LAYER_5_NG] {
                s.skip(
                    layer,
                    "pcscd or vpcd missing: the PC/SC layer is not measured",
                    "apt-get install -y pcscd vsmartcard-vpcd",
                );
            }
        }
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
        let report = report::bench_report(
            &machine,
            &anchor,
            &anchor_wall,
            &p384_anchor,
            &criterion,
            started,
        )?;
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

/// One `openssl speed` result line: operations per second for one key size / curve.
pub(super) struct OpensslSpeed {
    pub(super) sign_per_s: f64,
    pub(super) verify_per_s: f64,
}

/// `openssl speed ecdsap384` by user CPU time (openssl's default) and by wall clock (`-elapsed`).
pub(super) struct P384Anchor {
    pub(super) cpu: OpensslSpeed,
    pub(super) wall: OpensslSpeed,
}

/// What `cargo xtask bench` says when openssl gives no ECDSA P-384 figure.
const P384_ANCHOR_REMEDY: &str = "an openssl whose `openssl speed ecdsap384` prints a `384 bits ecdsa` \
     line (OpenSSL 1.1.1 or 3.x with EC)";

/// Runs `openssl speed [extra] -seconds 3 <algorithm>` and returns its standard output.
fn openssl_speed_output(extra: &[&str], algorithm: &str) -> Result<String> {
    let mut cmd = Command::new("openssl");
    cmd.arg("speed")
        .args(extra)
        .args(["-seconds", "3", algorithm]);
    eprintln!("\n== anchor: {cmd:?}");
    let out = cmd
        .output()
        .context("cannot run `openssl speed` (is openssl installed?)")?;
    if !out.status.success() {
        bail!(
            "openssl speed {algorithm} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `openssl speed [extra] -seconds 3 rsa2048`.
fn openssl_speed(extra: &[&str]) -> Result<OpensslSpeed> {
    let speed = parse_openssl_speed(&openssl_speed_output(extra, "rsa2048")?)
        .context("no `rsa 2048 bits` line in the output of openssl speed")?;
    eprintln!(
        "== openssl: {:.1} sign/s, {:.1} verify/s",
        speed.sign_per_s, speed.verify_per_s
    );
    Ok(speed)
}

/// Runs `openssl speed -seconds 3 ecdsap384`, then again with `-elapsed`. `Err` says why there
/// is no figure (the report then says so; the run goes on).
fn openssl_ecdsap384() -> Result<P384Anchor, String> {
    let once = |extra: &[&str]| -> Result<OpensslSpeed, String> {
        let out = openssl_speed_output(extra, "ecdsap384").map_err(|e| format!("{e:#}"))?;
        let speed = parse_openssl_ecdsap384(&out).ok_or_else(|| {
            "`openssl speed ecdsap384` printed no `384 bits ecdsa` line".to_owned()
        })?;
        eprintln!(
            "== openssl: {:.1} ECDSA P-384 sign/s, {:.1} verify/s",
            speed.sign_per_s, speed.verify_per_s
        );
        Ok(speed)
    };
    Ok(P384Anchor {
        cpu: once(&[])?,
        wall: once(&["-elapsed"])?,
    })
}

/// Reads `rsa 2048 bits 0.000240s 0.000016s   4163.6  60857.0` (sign/s, verify/s last).
fn parse_openssl_speed(out: &str) -> Option<OpensslSpeed> {
    parse_speed_line(out, "rsa 2048 bits")
}

/// Reads ` 384 bits ecdsa (nistp384)   0.0010s   0.0008s    995.2   1258.6` (OpenSSL 1.1.1
/// and 3.x; sign/s, verify/s last).
fn parse_openssl_ecdsap384(out: &str) -> Option<OpensslSpeed> {
    parse_speed_line(out, "384 bits ecdsa")
}

/// The result line starting with `name` (after leading spaces), which must end with the four
/// columns `<sign time>s <verify time>s <sign/s> <verify/s>`, rates finite and positive.
fn parse_speed_line(out: &str, name: &str) -> Option<OpensslSpeed> {
    let line = out
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(name))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let seconds = |w: &str| w.strip_suffix('s').and_then(|n| n.parse::<f64>().ok());
    let rate = |w: &str| w.parse::<f64>().ok().filter(|r| r.is_finite() && *r > 0.0);
    match words.as_slice() {
        [.., sign_time, verify_time, sign, verify]
            if seconds(sign_time).is_some() && seconds(verify_time).is_some() =>
        {
            Some(OpensslSpeed {
                sign_per_s: rate(sign)?,
                verify_per_s: rate(verify)?,
            })
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `openssl speed -seconds 1 rsa2048 ecdsap384` on the bench machine (OpenSSL 3.0.22,
    /// 2026-12-07; the build details are cut), standard output as printed.
    const OPENSSL_3_0: &str = "\
version: 3.0.22
built on: Wed Oct 21 09:54:24 2026 UTC
options: bn(64,64)
CPUINFO: OPENSSL_ia32cap=0xfffa32034f8bffff:0x415f46f1bf2ffb
                  sign    verify    sign/s verify/s
rsa 2048 bits 0.000309s 0.000019s   3232.8  53969.7
                              sign    verify    sign/s verify/s
 384 bits ecdsa (nistp384)   0.0010s   0.0008s    995.2   1258.6
";

    #[test]
    fn reads_both_anchors_from_real_openssl_output() {
        let rsa = parse_openssl_speed(OPENSSL_3_0).unwrap();
        assert_eq!((rsa.sign_per_s, rsa.verify_per_s), (3232.8, 53969.7));
        let ec = parse_openssl_ecdsap384(OPENSSL_3_0).unwrap();
        assert_eq!((ec.sign_per_s, ec.verify_per_s), (995.2, 1258.6));
        // `openssl speed ecdsap384` alone (no RSA line): still read, and RSA is absent.
        let alone = "                              sign    verify    sign/s verify/s\n \
                     384 bits ecdsa (nistp384)   0.0011s   0.0009s    947.0   1153.0\n";
        let ec = parse_openssl_ecdsap384(alone).unwrap();
        assert_eq!((ec.sign_per_s, ec.verify_per_s), (947.0, 1153.0));
        assert!(parse_openssl_speed(alone).is_none());
    }

    #[test]
    fn no_figure_from_a_missing_or_malformed_line() {
        // An openssl without EC, or one that failed: no line at all.
        assert!(parse_openssl_ecdsap384("speed: Unknown algorithm ecdsap384\n").is_none());
        assert!(parse_openssl_ecdsap384("").is_none());
        // The line without its timing columns: the curve size is not taken for a rate.
        assert!(parse_openssl_ecdsap384(" 384 bits ecdsa (nistp384)   995.2   1258.6\n").is_none());
        // Zero or infinite rates (a run too short to count) give no figure.
        assert!(
            parse_openssl_ecdsap384(" 384 bits ecdsa (nistp384) 0.0000s 0.0000s inf inf\n")
                .is_none()
        );
        assert!(
            parse_openssl_ecdsap384(" 384 bits ecdsa (nistp384) 0.0010s 0.0008s 0.0 1258.6\n")
                .is_none()
        );
        // Another curve's line is not P-384's.
        assert!(
            parse_openssl_ecdsap384(" 256 bits ecdsa (nistp256) 0.0000s 0.0001s 40000.0 13000.0\n")
                .is_none()
        );
    }
}
