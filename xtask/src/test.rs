//! `cargo xtask test`: formatting, clippy, every test, the API documentation, the card on the
//! OpenSSL engine, and the fixtures check.

use anyhow::Result;

use crate::{cargo, fixtures, has_libssl, step};

pub(crate) fn test() -> Result<()> {
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
            "jpki-applet",
            "-p",
            "jpki-tool",
            "--features",
            "card-sim/fast-engine,jpki-tool/fast-engine",
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

    if fixtures::has_fixture_generator() {
        fixtures::fixtures(true)?;
    }
    Ok(())
}
