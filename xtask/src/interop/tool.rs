//! The checks by our own `jpki-tool` over PC/SC, and its real-reader test suite on the served
//! card.

use std::fs;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};

use super::env::{AUTH_PIN, Env, READERS, SIGN_PIN, TEXT_PIN, run, run_with_stdin, success, text};

fn readers(env: &Env) -> Result<String> {
    Ok(text(&run(Command::new(&env.jpki_tool).arg("readers"))?))
}

fn tool(env: &Env, args: &[&str], stdin: &str) -> Result<Output> {
    run_with_stdin(
        Command::new(&env.jpki_tool)
            .args(["--reader", &env.reader, "--pin-stdin"])
            .args(args)
            .current_dir(&env.dir),
        stdin,
    )
}

pub(super) fn jpki_tool_read(env: &Env) -> Result<()> {
    let info = success("jpki-tool info", tool(env, &["info"], "")?)?;
    ensure!(
        info.contains("My Number card") && info.contains("authentication PIN: 3 tries left"),
        "{info}"
    );
    let show = success(
        "jpki-tool cert show sign",
        tool(env, &["cert", "show", "sign"], &format!("{SIGN_PIN}\n"))?,
    )?;
    ensure!(show.contains("相互　運用"), "{show}");
    let status = success("jpki-tool pin status", tool(env, &["pin", "status"], "")?)?;
    ensure!(status.contains("signature PIN: 5 tries left"), "{status}");
    Ok(())
}

pub(super) fn jpki_tool_sign(env: &Env) -> Result<()> {
    fs::write(
        env.dir.join("form.txt"),
        "e-Tax style application\n".repeat(1000),
    )?;
    success(
        "jpki-tool sign",
        tool(
            env,
            &["sign", "--key", "sign", "form.txt", "-o", "form.p7s"],
            &format!("{SIGN_PIN}\n"),
        )?,
    )?;
    success(
        "openssl cms -verify",
        run(Command::new("openssl")
            .args([
                "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in", "form.p7s",
            ])
            .args([
                "-content",
                "form.txt",
                "-CAfile",
                "authority/sign-ca.pem",
                "-out",
                "/dev/null",
            ])
            .current_dir(&env.dir))?,
    )?;
    let v = success(
        "jpki-tool verify",
        tool(
            env,
            &[
                "verify",
                "form.p7s",
                "form.txt",
                "--ca",
                "authority/sign-ca.pem",
                "--crl",
                "authority/sign.crl",
            ],
            "",
        )?,
    )?;
    ensure!(
        v.contains("Verification successful") && v.contains("not revoked"),
        "{v}"
    );
    Ok(())
}

pub(super) fn jpki_tool_login(env: &Env) -> Result<()> {
    success(
        "auth challenge",
        tool(
            env,
            &["auth", "challenge", "--service", "interop", "-o", "ch.txt"],
            "",
        )?,
    )?;
    success(
        "auth respond",
        tool(
            env,
            &["auth", "respond", "ch.txt", "-o", "resp.txt"],
            &format!("{AUTH_PIN}\n"),
        )?,
    )?;
    let out = success(
        "auth check",
        tool(
            env,
            &[
                "auth",
                "check",
                "ch.txt",
                "resp.txt",
                "--ca",
                "authority/auth-ca.pem",
                "--crl",
                "authority/auth.crl",
            ],
            "",
        )?,
    )?;
    ensure!(out.contains("login OK: C=JP, CN="), "{out}");
    Ok(())
}

pub(super) fn jpki_tool_text(env: &Env) -> Result<()> {
    let out = success(
        "jpki-tool text",
        tool(env, &["text"], &format!("{TEXT_PIN}\n"))?,
    )?;
    ensure!(out.contains("123456789018"), "{out}");
    Ok(())
}

pub(super) fn jpki_tool_export_verify(env: &Env) -> Result<()> {
    let readers = success(
        "jpki-tool readers",
        run(Command::new(&env.jpki_tool).arg("readers"))?,
    )?;
    ensure!(
        readers.contains(&format!(
            "{}: card present, ATR 3BE000FF8131FE4514",
            env.reader
        )),
        "{readers}"
    );
    success(
        "jpki-tool cert export",
        tool(
            env,
            &["cert", "export", "auth", "-o", "auth-tool.pem", "--pem"],
            "",
        )?,
    )?;
    let out = success(
        "jpki-tool cert verify",
        tool(
            env,
            &[
                "cert",
                "verify",
                "auth-tool.pem",
                "--ca",
                "authority/auth-ca.pem",
                "--crl",
                "authority/auth.crl",
            ],
            "",
        )?,
    )?;
    ensure!(
        out.starts_with("OK:") && out.contains("not revoked"),
        "{out}"
    );
    Ok(())
}

pub(super) fn jpki_tool_pin_change(env: &Env) -> Result<()> {
    success(
        "jpki-tool pin change sign",
        tool(
            env,
            &["pin", "change", "sign"],
            &format!("{SIGN_PIN}\nXYZ789\nXYZ789\n"),
        )?,
    )?;
    let wrong = tool(env, &["cert", "show", "sign"], &format!("{SIGN_PIN}\n"))?;
    ensure!(
        wrong.status.code() == Some(3),
        "the old PIN still works: {}",
        text(&wrong)
    );
    success(
        "jpki-tool pin change sign (back)",
        tool(
            env,
            &["pin", "change", "sign"],
            &format!("XYZ789\n{SIGN_PIN}\n{SIGN_PIN}\n"),
        )?,
    )?;
    Ok(())
}

pub(super) fn jpki_tool_no_card(env: &Env) -> Result<()> {
    let other = READERS
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name != env.reader)
        .context("no second vpcd reader")?;
    // The other reader is empty: interop starts only with both readers free, and the
    // brute-force card is served there only during its own check. A card there now is a
    // failure, not a reason to skip the two empty-reader assertions in silence.
    let listing = readers(env)?;
    ensure!(
        listing.contains(&format!("{other}: no card")),
        "{other} is not empty, so the empty-reader errors cannot be checked: {listing}"
    );
    let empty = run(Command::new(&env.jpki_tool).args(["--reader", other, "info"]))?;
    ensure!(
        empty.status.code() == Some(5) && text(&empty).contains("no card"),
        "empty reader: {} {}",
        empty.status,
        text(&empty)
    );
    // waiting for a card that never comes ends with the same error, after the wait
    let start = Instant::now();
    let waited =
        run(Command::new(&env.jpki_tool).args(["--reader", other, "--wait", "1", "info"]))?;
    ensure!(
        waited.status.code() == Some(5) && start.elapsed() >= Duration::from_millis(900),
        "--wait 1 on an empty reader: {} after {:?}: {}",
        waited.status,
        start.elapsed(),
        text(&waited)
    );
    let unknown =
        run(Command::new(&env.jpki_tool).args(["--reader", "No Such Reader 99", "info"]))?;
    ensure!(
        unknown.status.code() == Some(5) && text(&unknown).contains("no reader named"),
        "unknown reader: {} {}",
        unknown.status,
        text(&unknown)
    );
    Ok(())
}

pub(super) fn jpki_tool_real_reader_suite(env: &Env) -> Result<()> {
    let out = run(Command::new(&env.cargo)
        .current_dir(&env.root)
        .args([
            "test",
            "--quiet",
            "-p",
            "jpki-tool",
            "--features",
            "real-reader",
            "--test",
            "real_reader",
        ])
        .env("JPKI_TEST_READER", &env.reader)
        .env("JPKI_TEST_AUTH_PIN", AUTH_PIN)
        .env("JPKI_TEST_SIGN_PIN", SIGN_PIN)
        .env("JPKI_TEST_TEXT_PIN", TEXT_PIN)
        .env("JPKI_TEST_CA_DIR", env.dir.join("authority")))?;
    let all = text(&out);
    ensure!(out.status.success(), "{all}");
    ensure!(
        all.contains("2 passed"),
        "the real-reader tests did not run: {all}"
    );
    Ok(())
}
