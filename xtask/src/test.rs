//! `cargo xtask test`: formatting, clippy (the workspace, every feature, and the pure PC/SC
//! client), every test, the API documentation, the card and client tests on both RSA engines,
//! and the fixtures check.
//!
//! The card's two engines and cargo's feature unification: jpki-tool and jpki-sim have the
//! OpenSSL engine (`fast-engine`) among their default features, so a `--workspace` build turns
//! on card-sim's `fast-engine` for every package, and `card_sim::Engine::DEFAULT` is OpenSSL in
//! that pass. The `rsa` pass is made by its command line: the packages that use the card,
//! `--no-default-features`, and only `jpki-tool/simulator` back on. Each pass names its engine
//! twice: `cargo tree -e features` with the same selection says whether card-sim's `fast-engine`
//! is on (printed, and checked before the tests run), and the tests get
//! `JPKI_EXPECT_ENGINE=<engine>`, which jpki-tool's `card_engine_is_the_one_the_pass_expects`
//! test checks against the engine compiled into that run.

use std::process::Command;

use anyhow::{Context, Result, ensure};

use crate::summary::{Summary, under_ci};
use crate::{LIBSSL_REMEDY, NO_LIBSSL, cargo, fixtures, has_libssl};

/// The packages built on the card, whose tests run on both engines.
const CARD_AND_CLIENTS: &[&str] = &[
    "-p",
    "card-sim",
    "-p",
    "issuer",
    "-p",
    "jpki-sim",
    "-p",
    "jpki-applet",
    "-p",
    "cli-common",
    "-p",
    "jpki-tool",
];

/// Feature flags that keep the OpenSSL engine out: no default features for the selected
/// packages, the simulator back on for jpki-tool. Without libssl every step uses them.
const RSA_ONLY: &[&str] = &["--no-default-features", "--features", "jpki-tool/simulator"];

/// `cargo xtask test`, ending with its summary; under CI a skipped step fails it.
pub(crate) fn test() -> Result<()> {
    let mut summary = Summary::new("test");
    let result = steps(&mut summary);
    summary.finish(result, under_ci())
}

/// The steps of `test`, recorded in `s` (also run by `ci`); stops at the first failure.
pub(crate) fn steps(s: &mut Summary) -> Result<()> {
    // Without libssl the default features (the OpenSSL engine) cannot link: the workspace is
    // built without them, and the OpenSSL steps are skipped (a failure under CI).
    let libssl = has_libssl();
    let defaults: &[&str] = if libssl { &[] } else { RSA_ONLY };
    let default_engine = if libssl { "openssl" } else { "rsa" };

    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    s.step("format check", fmt)?;

    let mut clippy = cargo();
    clippy
        .args(["clippy", "--workspace", "--all-targets"])
        .args(defaults)
        .args(["--", "-D", "warnings"]);
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
    let name = format!("tests (card engine: {default_engine})");
    s.run(&name, || {
        expect_engine(&["--workspace"], defaults, default_engine)?;
        let mut tests = cargo();
        tests
            .args(["test", "--workspace", "--all-targets"])
            .args(defaults)
            .env("JPKI_EXPECT_ENGINE", default_engine);
        crate::step(&name, tests)
    })?;

    let mut doc = cargo();
    doc.args(["test", "--workspace", "--doc"]).args(defaults);
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
        .args(defaults)
        .env("RUSTDOCFLAGS", "-D warnings");
    s.step("API documentation", api_doc)?;

    // The card's other engine (issue 8): with libssl the pass above was OpenSSL, so the card's
    // tests and the clients' tests run again on `rsa` (benches once each, in criterion's test
    // mode); clippy covers every feature.
    if libssl {
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
        let name = "card and client tests on the rsa engine";
        s.run(name, || {
            expect_engine(CARD_AND_CLIENTS, RSA_ONLY, "rsa")?;
            let mut rsa = cargo();
            rsa.arg("test")
                .args(CARD_AND_CLIENTS)
                .args(RSA_ONLY)
                .args(["--lib", "--bins", "--tests", "--benches"])
                .env("JPKI_EXPECT_ENGINE", "rsa");
            crate::step(name, rsa)
        })?;
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
            "no fixture generator (crates/test-support/src/bin/gen-fixtures.rs)",
            "restore crates/test-support/src/bin/gen-fixtures.rs from git",
        );
    }
    Ok(())
}

/// Checks, before a test pass, which engine card-sim gets with this package selection and
/// these flags (`cargo tree -e features -i card-sim`), and prints it.
fn expect_engine(selection: &[&str], flags: &[&str], expected: &str) -> Result<()> {
    let mut tree = cargo();
    tree.args([
        "tree", "-e", "features", "-i", "card-sim", "--prefix", "none",
    ])
    .args(selection)
    .args(flags);
    let engine = engine_in_tree(&output_of(tree)?);
    eprintln!(
        "card engine for `{}`: {engine}",
        selection
            .iter()
            .chain(flags)
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    );
    ensure!(
        engine == expected,
        "this pass should run the card on {expected}, cargo tree says {engine}"
    );
    Ok(())
}

/// `openssl` if card-sim's `fast-engine` feature is in the tree, else `rsa`.
fn engine_in_tree(tree: &str) -> &'static str {
    if tree.lines().any(|l| {
        l.trim_start()
            .starts_with("card-sim feature \"fast-engine\"")
    }) {
        "openssl"
    } else {
        "rsa"
    }
}

fn output_of(mut cmd: Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    ensure!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::engine_in_tree;

    #[test]
    fn the_engine_is_read_from_card_sims_features() {
        let with =
            "card-sim feature \"default\"\ncard-sim feature \"fast-engine\"\njpki-tool v0.1.0\n";
        assert_eq!(engine_in_tree(with), "openssl");
        let without = "card-sim feature \"default\"\ncard-sim v0.1.0\n";
        assert_eq!(engine_in_tree(without), "rsa");
    }
}
