//! `cargo xtask ci`: `test`, `deny`, `interop`, then every fuzz target for 30 seconds, with one
//! summary of all their steps; under CI a skipped step fails it.

use std::path::Path;

use anyhow::Result;

use crate::summary::{Summary, under_ci};
use crate::{cargo_bin, deny, fuzz, interop, root, test};

pub(crate) fn ci() -> Result<()> {
    let mut summary = Summary::new("ci");
    let result = steps(&mut summary);
    summary.finish(result, under_ci())
}

fn steps(s: &mut Summary) -> Result<()> {
    test::steps(s)?;
    s.run("cargo deny (offline)", deny::deny)?;
    interop::checks(s, &root(), Path::new(&cargo_bin()))?;
    fuzz::every_target(s, 30)
}
