//! `cargo xtask ci`: `test`, `deny`, `interop`, then every fuzz target for 30 seconds.

use std::path::Path;

use anyhow::Result;

use crate::{cargo_bin, deny, fuzz, interop, root, test};

pub(crate) fn ci() -> Result<()> {
    test::test()?;
    deny::deny()?;
    interop::interop(&root(), Path::new(&cargo_bin()))?;
    fuzz::fuzz_all(30)
}
