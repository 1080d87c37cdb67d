//! `cargo xtask fuzz` and `fuzz-all`: cargo-fuzz targets on the stable toolchain.

use anyhow::{Context, Result, bail};

use crate::summary::Summary;
use crate::{cargo, root, step};

pub(crate) fn fuzz_targets() -> Result<Vec<String>> {
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
pub(crate) fn fuzz(target: &str, secs: u64) -> Result<()> {
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

/// `cargo xtask fuzz-all`: every target in turn, with their summary.
pub(crate) fn fuzz_all(secs: u64) -> Result<()> {
    let mut summary = Summary::new("fuzz-all");
    let result = every_target(&mut summary, secs);
    summary.finish(result, false)
}

/// Every target in turn, one step each (also run by `ci`); stops at the first failure.
pub(crate) fn every_target(s: &mut Summary, secs: u64) -> Result<()> {
    for target in fuzz_targets()? {
        s.run(&format!("fuzz {target}"), || fuzz(&target, secs))?;
    }
    Ok(())
}
