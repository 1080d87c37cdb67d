//! `cargo xtask fixtures [--check]`: the deterministic certificate fixtures.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::{cargo, root, step};

pub(crate) fn has_fixture_generator() -> bool {
    root()
        .join("crates/test-support/src/bin/gen-fixtures.rs")
        .is_file()
}

/// Regenerates fixtures/cert with the deterministic generator (test-support's `gen-fixtures`), or with `check`
/// generates into a scratch directory and fails if anything differs from what is committed.
pub(crate) fn fixtures(check: bool) -> Result<()> {
    if !has_fixture_generator() {
        bail!("no fixture generator (crates/test-support/src/bin/gen-fixtures.rs)");
    }
    // The generator writes DIR/cert/; fixtures/README.md is static.
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
            "test-support",
            "--bin",
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
