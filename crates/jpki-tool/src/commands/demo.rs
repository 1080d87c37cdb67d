//! `demo`: the walk through a sample card's life ([`jpki_tool::demo`]) in the directory given,
//! or in a new one under the system's temporary directory.

use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::Result;

/// `demo [--dir DIR]`.
pub(crate) fn run(dir: Option<PathBuf>) -> Result<()> {
    let dir = match dir {
        Some(d) => d,
        None => std::env::temp_dir().join(format!(
            "jpki-demo-{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        )),
    };
    jpki_tool::demo::run(&dir)
}
