//! `cargo xtask deny`: `cargo deny check` against the offline RustSec snapshot in
//! ../shared/advisory-db.
//!
//! The snapshot's age is ours to judge, not cargo-deny's: no commit can refresh shared/ from
//! these machines, so a snapshot past [`MAX_AGE_DAYS`] is reported as a warning with the
//! remedy, and CI does not start failing on a date. deny.toml therefore sets cargo-deny's own
//! `maximum-db-staleness` far out. An advisory that matches a dependency fails as always.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// Past this age (days since the snapshot's newest advisory) the snapshot is reported stale.
pub const MAX_AGE_DAYS: i64 = 180;

/// cargo-deny's directory name for `https://github.com/rustsec/advisory-db` (deny.toml
/// `db-urls`) under its `db-path`.
const STAGED_NAME: &str = "advisory-db-3157b0e258782691";

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Today, in days since 1970-01-01 (UTC).
fn today() -> Result<i64> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    Ok(i64::try_from(secs / 86_400)?)
}

/// The newest `date = "YYYY-MM-DD"` of the advisories in `crates/<crate>/*.md`.
fn newest_advisory(crates: &Path) -> Result<(i64, i64, i64)> {
    let mut newest = None;
    for dir in std::fs::read_dir(crates).with_context(|| format!("{}", crates.display()))? {
        let dir = dir?.path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(dir)? {
            let text = std::fs::read_to_string(file?.path()).unwrap_or_default();
            let date = text
                .lines()
                .find_map(|l| l.strip_prefix("date = \""))
                .and_then(|rest| rest.get(..10))
                .and_then(|ymd| {
                    let mut parts = ymd.split('-').map(str::parse::<i64>);
                    match (parts.next(), parts.next(), parts.next()) {
                        (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) => Some((y, m, d)),
                        _ => None,
                    }
                });
            newest = newest.max(date);
        }
    }
    newest.context("no dated advisory in the snapshot")
}

/// How old a snapshot is, and whether that is past [`MAX_AGE_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Age {
    /// Days from the newest advisory to today.
    pub days: i64,
    /// Past the limit.
    pub stale: bool,
}

/// Stages `snapshot` where cargo-deny looks for its database (`db_path`) and runs `cargo deny
/// --offline check [checks…]` with `config`. The snapshot's age is returned (and printed as a
/// warning when stale); the run fails only when cargo-deny does.
pub fn run(snapshot: &Path, config: &Path, db_path: &Path, checks: &[&str]) -> Result<Age> {
    let crates = snapshot.join("crates");
    if !crates.is_dir() {
        bail!(
            "no advisory database at {}: a copy of shared/ must sit beside the repository",
            snapshot.display()
        );
    }
    if !crate::cargo()
        .args(["deny", "--version"])
        .output()?
        .status
        .success()
    {
        bail!("cargo-deny is missing: cargo install --locked cargo-deny");
    }
    let (y, m, d) = newest_advisory(&crates)?;
    let newest = days_from_civil(y, m, d);
    let days = today()? - newest;
    let age = Age {
        days,
        stale: days > MAX_AGE_DAYS,
    };
    eprintln!(
        "advisory database: {} (newest advisory {y}-{m:02}-{d:02}, {days} days old)",
        snapshot.display()
    );
    if age.stale {
        eprintln!(
            "xtask: warning: the advisory snapshot is {days} days old, past the {MAX_AGE_DAYS}-day limit: advisories published since {y}-{m:02}-{d:02} are not checked. Remedy: refresh ../shared/advisory-db (a newer RustSec snapshot; see shared/advisory-db.md)"
        );
    }
    let staged = db_path.join(STAGED_NAME);
    if staged.symlink_metadata().is_ok() {
        // removes the link, never the snapshot it points to
        std::fs::remove_dir_all(&staged)?;
    }
    std::fs::create_dir_all(staged.join(".git"))?;
    std::os::unix::fs::symlink(&crates, staged.join("crates"))?;
    // dated by the snapshot's newest advisory, never by the time of staging
    let secs = u64::try_from(newest)? * 86_400;
    std::fs::File::create(staged.join(".git/FETCH_HEAD"))?
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))?;
    // cargo-deny reads the whole graph, every platform's crates included; a build downloads
    // only this platform's, so fetch the rest first (from the registry, not the advisory db).
    let mut fetch = crate::cargo();
    fetch.args(["fetch", "--locked"]);
    crate::step("cargo fetch", fetch)?;
    let mut run = crate::cargo();
    run.args(["deny", "--offline", "--manifest-path"])
        .arg(crate::root().join("Cargo.toml"))
        .arg("--config")
        .arg(config)
        .arg("check")
        .args(checks);
    crate::step("cargo deny (offline)", run)?;
    Ok(age)
}

/// `cargo xtask deny`: every check of deny.toml against ../shared/advisory-db.
pub fn deny() -> Result<()> {
    let root = crate::root();
    run(
        &root.join("../shared/advisory-db"),
        &root.join("deny.toml"),
        &root.join("target/advisory-dbs"),
        &[],
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// A copy of deny.toml whose `db-path` is `db_path`, written into `dir` (for tests).
    pub fn config_with_db_path(dir: &Path, db_path: &Path) -> Result<PathBuf> {
        let text = std::fs::read_to_string(crate::root().join("deny.toml"))?;
        let mut out = String::new();
        for line in text.lines() {
            if line.starts_with("db-path") {
                out.push_str(&format!("db-path = {:?}\n", db_path.display().to_string()));
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
        let path = dir.join("deny.toml");
        std::fs::write(&path, out)?;
        Ok(path)
    }

    fn advisory(snapshot: &Path, package: &str, id: &str, date: &str) {
        let dir = snapshot.join("crates").join(package);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("{id}.md")),
            format!(
                "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{package}\"\ndate = \"{date}\"\n\n[versions]\npatched = []\n```\n\n# A test advisory\n\nWritten by xtask's deny test.\n"
            ),
        )
        .unwrap();
    }

    #[test]
    fn the_calendar_alone_never_fails_the_check_but_a_matching_advisory_does() {
        let dir = std::env::temp_dir().join(format!("xtask-deny-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let snapshot = dir.join("advisory-db");
        let db_path = dir.join("dbs");
        std::fs::create_dir_all(&db_path).unwrap();
        let config = config_with_db_path(&dir, &db_path).unwrap();

        // a snapshot six years old, with nothing that matches our tree: a warning, no failure
        advisory(
            &snapshot,
            "no-such-crate-of-ours",
            "RUSTSEC-2020-9001",
            "2020-01-01",
        );
        let age = run(&snapshot, &config, &db_path, &["advisories"]).unwrap();
        assert!(age.stale && age.days > 2000, "{age:?}");

        // the same snapshot with an unpatched advisory for a crate we use: it fails
        advisory(&snapshot, "hex", "RUSTSEC-2020-9002", "2020-01-02");
        let err = run(&snapshot, &config, &db_path, &["advisories"]).unwrap_err();
        assert!(err.to_string().contains("cargo deny"), "{err:#}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ages_count_whole_days_from_the_newest_advisory() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            days_from_civil(2026, 8, 21) - days_from_civil(2026, 2, 22),
            180
        );
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
    }
}
