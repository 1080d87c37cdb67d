//! `cargo xtask test`: formatting, clippy, every test, the API documentation, the card on the
//! OpenSSL engine, and the fixtures check.

use anyhow::Result;

use crate::summary::{Summary, under_ci};
use crate::{LIBSSL_REMEDY, NO_LIBSSL, cargo, fixtures, has_libssl};

/// `cargo xtask test`, ending with its summary; under CI a skipped step fails it.
pub(crate) fn test() -> Result<()> {
    let mut summary = Summary::new("test");
    let result = steps(&mut summary);
    summary.finish(result, under_ci())
}

/// The steps of `test`, recorded in `s` (also run by `ci`); stops at the first failure.
pub(crate) fn steps(s: &mut Summary) -> Result<()> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    s.step("format check", fmt)?;

    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    s.step("clippy", clippy)?;

    // jpki-tool without its default features: a PC/SC client with no simulator, no issuer, no
    // OpenSSL (xtask's rules test checks the dependency tree; this checks that it builds clean).
    let mut client = cargo();
    client.args([
        "clippy",
        "-p",
        "jpki-tool",
        "--no-default-features",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    s.step("clippy, jpki-tool as a pure PC/SC client", client)?;

    // --all-targets runs lib, bin, integration tests, examples and each criterion bench once
    // (criterion's test mode); doc tests need their own run.
    let mut tests = cargo();
    tests.args(["test", "--workspace", "--all-targets"]);
    s.step("tests", tests)?;

    let mut doc = cargo();
    doc.args(["test", "--workspace", "--doc"]);
    s.step("doc tests", doc)?;

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
    s.step("API documentation", api_doc)?;

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
        s.step("clippy, all features", clippy)?;
        let mut fast = cargo();
        fast.args([
            "test",
            "-p",
            "card-sim",
            "-p",
            "issuer",
            "-p",
            "jpki-sim",
            "-p",
            "jpki-applet",
            "-p",
            "jpki-tool",
            "--features",
            "card-sim/fast-engine,jpki-sim/fast-engine,jpki-tool/fast-engine",
            "--lib",
            "--bins",
            "--tests",
            "--benches",
        ]);
        s.step("card and client tests on the OpenSSL engine", fast)?;
    } else {
        for name in [
            "clippy, all features",
            "card and client tests on the OpenSSL engine",
        ] {
            s.skip(name, NO_LIBSSL, LIBSSL_REMEDY);
        }
    }

    if fixtures::has_fixture_generator() {
        s.run("fixtures check", || fixtures::fixtures(true))?;
    } else {
        s.skip(
            "fixtures check",
            "no fixture generator (crates/cert/examples/gen-fixtures.rs)",
            "restore crates/cert/examples/gen-fixtures.rs from git",
        );
    }
    Ok(())
}
