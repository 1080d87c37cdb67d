//! The brute force by two PC/SC clients at once on a card of its own: the card counts only its
//! retry limit.

use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

use super::env::{BRUTE_AUTH_PIN, Env, run, serve_card, text};

pub(super) fn brute_force_two_clients(env: &Env) -> Result<()> {
    let brute = env.brute.as_ref().context("no brute-force card")?;
    let _serve = serve_card(
        &brute.jpki_sim,
        &env.jpki_tool,
        &brute.card,
        brute.reader,
        brute.port,
        &env.dir.join("serve-brute.log"),
        &[],
    )?;
    let out = run(Command::new(&env.cargo)
        .current_dir(&env.root)
        .args([
            "test",
            "--quiet",
            "-p",
            "jpki-applet",
            "--test",
            "pcsc_brute_force",
            "--",
            "--exact",
            "two_pcsc_clients_at_once_get_only_the_retry_limit",
            "--nocapture",
        ])
        .env("JPKI_BRUTE_READER", brute.reader)
        .env("JPKI_BRUTE_PIN", BRUTE_AUTH_PIN)
        .env("JPKI_BRUTE_LIMIT", "3"))?;
    let all = text(&out);
    ensure!(out.status.success(), "{all}");
    let Some(figures) = all
        .lines()
        .find(|l| l.starts_with("brute force, two PC/SC clients"))
    else {
        bail!("the brute-force test did not run: {all}");
    };
    eprintln!("interop: {figures}");
    Ok(())
}
