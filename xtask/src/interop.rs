//! `cargo xtask interop`: the simulator against real, independent clients.
//!
//! Starts pcscd with vsmartcard's vpcd driver (or reuses a running one), issues a fresh card
//! with `jpki-sim`, serves it on the first free virtual reader, and drives it with OpenSC
//! (`opensc-tool`, `pkcs15-tool`, `pkcs11-tool` + `opensc-pkcs11.so`), `pcsc_scan`, openssl,
//! `jpki-cli` 0.4.x (siketyan/jpki-rs, from crates.io) and our own `jpki-tool` over PC/SC. Only loopback addresses are used; every process started
//! here is stopped by its PID when the run ends, also on failure.
//!
//! Modules: [`env`](mod@env) brings up the environment (pcscd, vpcd, cards served by `jpki-sim serve`,
//! the processes' guards); [`opensc`] holds the checks by OpenSC, pcsc_scan and openssl;
//! [`jpki_cli`] those by jpki-cli, which [`pty`] drives on a pseudo-terminal for its PIN
//! prompts; [`tool`] those by our `jpki-tool`; [`brute`] the brute force by two PC/SC clients;
//! [`next_gen`] those on a next-generation card (ECDSA P-384) from the same authority, served on
//! the second reader only while they run; [`bench_reader`](mod@bench_reader) the cards `cargo
//! xtask bench` measures over PC/SC.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

use crate::summary::{Outcome, Summary};

use tally::Tally;

mod bench_reader;
mod brute;
mod env;
mod jpki_cli;
mod next_gen;
mod opensc;
mod pty;
mod tally;
mod tool;

pub(crate) use bench_reader::bench_reader;
use env::{
    BRUTE_AUTH_PIN, Env, MY_NUMBER, PKCS11_MODULES, Prepared, SIGN_PIN, SpareCard, VPCD_DRIVER,
    free_readers, issue_card, prepare, serve_card, start_pcscd, which,
};

/// The step that installs jpki-cli (or finds it in the cache).
const JPKI_CLI_INSTALLED: &str = "jpki-cli 0.4.x is installed";

/// The check that runs only when interop starts pcscd itself.
const NO_PCSCD: &str = "jpki-tool reports a missing pcscd (exit 5)";

/// One interoperability check.
type Check = fn(&Env) -> Result<()>;

/// Runs the interoperability suite, ending with its summary; `root` is the workspace, `cargo`
/// the cargo binary.
pub(crate) fn interop(root: &Path, cargo: &Path) -> Result<()> {
    let mut summary = Summary::new("interop");
    let result = checks(&mut summary, root, cargo);
    summary.finish(result, false)
}

/// The interoperability checks, each recorded in `s` (also run by `ci`). Every check runs; the
/// result fails if any failed.
pub(crate) fn checks(s: &mut Summary, root: &Path, cargo: &Path) -> Result<()> {
    let missing: Vec<&str> = [
        "pcscd",
        "opensc-tool",
        "pkcs15-tool",
        "pkcs11-tool",
        "pcsc_scan",
        "openssl",
    ]
    .into_iter()
    .filter(|t| !which(t))
    .collect();
    if !missing.is_empty() || !Path::new(VPCD_DRIVER).exists() {
        bail!(
            "missing {missing:?} or the vpcd driver: apt-get install -y pcscd vsmartcard-vpcd opensc opensc-pkcs11 pcsc-tools openssl"
        );
    }
    let pkcs11 = PKCS11_MODULES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .context("opensc-pkcs11.so not found: apt-get install -y opensc-pkcs11")?;

    eprintln!("\n== interop: building jpki-sim and jpki-tool");
    let Prepared {
        jpki_sim,
        jpki_tool,
        dir,
        card,
        number_b,
    } = prepare(root, cargo, false, "interop")?;
    // A second card, only for the brute-force check (it ends with its authentication PIN
    // blocked). Its PIN is far from where either attacker starts.
    let (brute_card, _) = issue_card(
        &jpki_sim,
        &dir,
        "brute.jpkicard",
        [BRUTE_AUTH_PIN, "XYZ789", "2468"],
    )?;
    // A next-generation card (ECDSA P-384) from the same authority, with P-384 CAs of its own.
    let ng_card = next_gen::issue_card(&jpki_sim, &dir, "next-gen.jpkicard")?;

    // a failed installation is a failed step, and every jpki-cli check then fails too
    let jpki_cli = jpki_cli::install(cargo);

    let (_pcscd, no_service) = start_pcscd(&dir, &jpki_tool)?;

    // The first vpcd reader without a card is ours.
    let env0 = Env {
        root: root.to_path_buf(),
        cargo: cargo.to_path_buf(),
        dir: dir.clone(),
        jpki_tool: jpki_tool.clone(),
        pkcs11,
        jpki_cli: jpki_cli.as_ref().ok().cloned(),
        reader: String::new(),
        number_b,
        brute: None,
        next_gen: None,
    };
    let free = free_readers(&jpki_tool)?;
    let [(reader, port), (brute_reader, brute_port)] = free[..] else {
        bail!("interop needs both vpcd readers free (is another card connected?): {free:?} free");
    };
    let env = Env {
        reader: reader.to_owned(),
        brute: Some(SpareCard {
            jpki_sim: jpki_sim.clone(),
            card: brute_card,
            reader: brute_reader,
            port: brute_port,
        }),
        next_gen: Some(SpareCard {
            jpki_sim: jpki_sim.clone(),
            card: ng_card,
            reader: brute_reader,
            port: brute_port,
        }),
        ..env0
    };
    let _serve = serve_card(
        &jpki_sim,
        &jpki_tool,
        &card,
        reader,
        port,
        &dir.join("serve.log"),
        &["--trace"],
    )?;

    let checks: Vec<(&str, Check)> = vec![
        ("pcsc_scan sees the reader and the ATR", opensc::pcsc_scan),
        ("opensc-tool -n names the card jpki", opensc::opensc_name),
        (
            "pkcs11-tool: signing without login is refused",
            opensc::pkcs11_sign_without_login,
        ),
        (
            "pkcs15-tool -D lists two PINs with their tries",
            opensc::pkcs15_dump,
        ),
        (
            "pkcs15-tool reads the auth certificate and both CA certificates",
            opensc::pkcs15_read_public,
        ),
        (
            "pkcs15-tool reads the signature certificate after --verify-pin",
            opensc::pkcs15_read_sign,
        ),
        (
            "pkcs11-tool signs with each key; openssl dgst -verify accepts",
            opensc::pkcs11_sign_both,
        ),
        (
            "a wrong PIN through PKCS#11 lowers the count pkcs15-tool shows",
            opensc::pkcs11_wrong_pin,
        ),
        (
            "jpki-cli crypto read-certificate: all four equal the card's (pkcs15-tool)",
            jpki_cli::certificates,
        ),
        (
            "jpki-cli crypto sign with each key; openssl dgst -sha1 -verify accepts",
            jpki_cli::signing,
        ),
        (
            "jpki-cli stat: tries left of the JPKI, text-support and card-face PINs",
            jpki_cli::pin_status,
        ),
        (
            "jpki-cli support get my-number / attributes: the holder's My Number and 4 facts",
            jpki_cli::my_number_and_facts,
        ),
        (
            "jpki-cli surface get (照合番号A): every card-face field",
            jpki_cli::surface,
        ),
        (
            "jpki-tool readers lists the served card with its ATR",
            tool::jpki_tool_readers,
        ),
        (
            "jpki-tool: an empty reader and an unknown reader are distinct errors",
            tool::jpki_tool_no_card,
        ),
        (
            "the jpki-tool CLI suite on the reader (cargo test -p jpki-tool --features real-reader --test cli)",
            tool::jpki_tool_suite,
        ),
    ];
    // after the next-generation checks: each serves its card on the second reader in turn
    let brute: [(&str, Check); 1] = [(
        "brute force by two PC/SC clients at once: only the retry limit is counted",
        brute::brute_force_two_clients,
    )];
    let mut tally = Tally {
        passed: 0,
        failed: 0,
        report: format!(
            "# Interoperability run\n\nReader: {reader}\n\n{}\n",
            versions(env.jpki_cli.as_deref())
        ),
    };
    let installed = jpki_cli.map_or_else(|e| Outcome::Failed(format!("{e:#}")), |_| Outcome::Ok);
    tally.record(s, JPKI_CLI_INSTALLED, installed);
    match no_service {
        Some(result) => {
            let outcome =
                result.map_or_else(|e| Outcome::Failed(format!("{e:#}")), |()| Outcome::Ok);
            tally.record(s, NO_PCSCD, outcome);
        }
        None => s.skip(
            NO_PCSCD,
            "pcscd was already running, so the client never met a missing one",
            "stop the running pcscd (e.g. `systemctl stop pcscd.socket pcscd`) and run again",
        ),
    }
    tally.run(s, &env, &checks, &dir.join("serve.log"));
    next_gen_checks(s, &env, &jpki_sim, &mut tally);
    tally.run(s, &env, &brute, &dir.join("serve.log"));
    let Tally {
        passed,
        failed,
        report,
    } = tally;
    fs::write(dir.join("report.md"), report)?;
    eprintln!(
        "interop: per-check APDU sequences in {}",
        dir.join("report.md").display()
    );
    // The trace of every APDU the clients sent, PINs redacted, for docs/interop.md.
    let trace = fs::read_to_string(dir.join("serve.log")).unwrap_or_default();
    s.run(
        "no PIN or 照合番号A in the APDU traces (both card generations)",
        || {
            ensure!(
                !trace.contains(SIGN_PIN) && !trace.contains(&hex_upper(SIGN_PIN)),
                "a PIN leaked into the trace"
            );
            // jpki-cli sends the My Number as 照合番号A, and reads it from the text-support AP
            ensure!(
                !trace.contains(MY_NUMBER) && !trace.contains(&hex_upper(MY_NUMBER)),
                "the My Number (照合番号A) leaked into the trace"
            );
            // the next-generation card's 4-digit PIN and signing password
            next_gen::trace_clean(&fs::read_to_string(dir.join("serve-ng.log")).unwrap_or_default())
        },
    )?;
    eprintln!("interop: APDU trace in {}", dir.join("serve.log").display());
    println!("interop: {passed} passed, {failed} failed");
    ensure!(failed == 0, "{failed} interoperability checks failed");
    Ok(())
}

/// The next-generation card served on the second reader (before the brute-force card is)
/// with its own trace, `serve-ng.log`, while its checks run; then that reader is empty again.
fn next_gen_checks(s: &mut Summary, env: &Env, jpki_sim: &Path, tally: &mut Tally) {
    const SERVED: &str = "next generation: jpki-sim serves the NG card on the second reader";
    let log = env.dir.join("serve-ng.log");
    let served = env
        .next_gen
        .as_ref()
        .context("no next-generation card")
        .and_then(|ng| {
            serve_card(
                jpki_sim,
                &env.jpki_tool,
                &ng.card,
                ng.reader,
                ng.port,
                &log,
                &["--trace"],
            )
        });
    match served {
        Ok(_guard) => {
            tally.record(s, SERVED, Outcome::Ok);
            tally.run(s, env, &next_gen::CHECKS, &log);
        }
        Err(e) => {
            tally.record(s, SERVED, Outcome::Failed(format!("{e:#}")));
            for (name, _) in next_gen::CHECKS {
                tally.record(s, name, Outcome::Failed("the card was not served".into()));
            }
        }
    }
}

/// The versions of the independent clients, from the package manager, and jpki-cli's.
fn versions(jpki_cli: Option<&Path>) -> String {
    let pkgs = [
        "opensc",
        "opensc-pkcs11",
        "pcscd",
        "vsmartcard-vpcd",
        "pcsc-tools",
        "openssl",
    ];
    let mut out = String::from("| package | version |\n|---|---|\n");
    for p in pkgs {
        let v = Command::new("dpkg-query")
            .args(["-W", "-f=${Version}", p])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "| {p} | {} |\n",
            if v.is_empty() { "?" } else { &v }
        ));
    }
    let cli = jpki_cli.and_then(jpki_cli::version);
    out.push_str(&format!(
        "| jpki-cli (crates.io) | {} |\n",
        cli.as_deref().unwrap_or("not installed")
    ));
    out
}

fn hex_upper(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02X}")).collect()
}
