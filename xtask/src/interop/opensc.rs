//! The checks by independent clients: OpenSC (`opensc-tool`, `pkcs15-tool`, `pkcs11-tool` with
//! `opensc-pkcs11.so`), `pcsc_scan`, and openssl verifying what they produced.

use std::fs;
use std::process::{Command, Output};

use anyhow::{Result, ensure};

use super::env::{AUTH_PIN, Env, SIGN_PIN, run, success, text};

fn pkcs11(env: &Env, slot_label: &str) -> Command {
    let mut c = Command::new("pkcs11-tool");
    c.arg("--module")
        .arg(&env.pkcs11)
        .args(["--token-label", slot_label]);
    c.env("AUTHPIN", AUTH_PIN)
        .env("SIGNPIN", SIGN_PIN)
        .env("WRONGPIN", "0000");
    c.current_dir(&env.dir);
    c
}

fn opensc(env: &Env, tool: &str) -> Command {
    let mut c = Command::new(tool);
    c.args(["--reader", &env.reader]);
    c.env("AUTHPIN", AUTH_PIN).env("SIGNPIN", SIGN_PIN);
    c.current_dir(&env.dir);
    c
}

pub(super) fn pcsc_scan(env: &Env) -> Result<()> {
    let out = text(&run(Command::new("timeout").args([
        "5",
        "pcsc_scan",
        "-c",
        "-n",
    ]))?);
    ensure!(out.contains(&env.reader), "{out}");
    ensure!(out.contains("ATR: 3B E0 00 FF 81 31 FE 45 14"), "{out}");
    Ok(())
}

pub(super) fn opensc_name(env: &Env) -> Result<()> {
    let out = success("opensc-tool -n", run(opensc(env, "opensc-tool").arg("-n"))?)?;
    ensure!(out.lines().any(|l| l.trim() == "jpki"), "{out}");
    Ok(())
}

fn tries_left(dump: &str, pin_label: &str) -> Option<u32> {
    let start = dump.find(&format!("PIN [{pin_label}]"))?;
    let rest = dump.get(start..)?;
    let line = rest
        .lines()
        .find(|l| l.trim_start().starts_with("Tries left"))?;
    line.split(':').nth(1)?.trim().parse().ok()
}

pub(super) fn pkcs15_dump(env: &Env) -> Result<()> {
    let out = success("pkcs15-tool -D", run(opensc(env, "pkcs15-tool").arg("-D"))?)?;
    ensure!(
        tries_left(&out, "User Authentication PIN") == Some(3),
        "auth PIN tries: {out}"
    );
    ensure!(
        tries_left(&out, "Digital Signature PIN") == Some(5),
        "sign PIN tries: {out}"
    );
    Ok(())
}

/// `pkcs15-tool --read-certificate id` (with `extra` options first): the certificate in PEM.
pub(super) fn read_cert(env: &Env, id: &str, extra: &[&str]) -> Result<String> {
    success(
        "pkcs15-tool --read-certificate",
        run(opensc(env, "pkcs15-tool")
            .args(extra)
            .args(["--read-certificate", id]))?,
    )
}

pub(super) fn pkcs15_read_public(env: &Env) -> Result<()> {
    let auth_ca = fs::read_to_string(env.dir.join("authority/auth-ca.pem"))?;
    let sign_ca = fs::read_to_string(env.dir.join("authority/sign-ca.pem"))?;
    ensure!(
        read_cert(env, "03", &[])?.trim() == auth_ca.trim(),
        "auth CA differs"
    );
    ensure!(
        read_cert(env, "04", &[])?.trim() == sign_ca.trim(),
        "sign CA differs"
    );
    let auth = read_cert(env, "01", &[])?;
    fs::write(env.dir.join("auth.pem"), &auth)?;
    let v = run(Command::new("openssl")
        .args(["verify", "-CAfile"])
        .arg(env.dir.join("authority/auth-ca.pem"))
        .arg(env.dir.join("auth.pem")))?;
    success("openssl verify (auth)", v)?;
    Ok(())
}

pub(super) fn pkcs15_read_sign(env: &Env) -> Result<()> {
    let sign = read_cert(
        env,
        "02",
        &["--verify-pin", "--auth-id", "02", "--pin", "env:SIGNPIN"],
    )?;
    fs::write(env.dir.join("sign.pem"), &sign)?;
    success(
        "openssl verify (sign)",
        run(Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(env.dir.join("authority/sign-ca.pem"))
            .arg(env.dir.join("sign.pem")))?,
    )?;
    Ok(())
}

fn pkcs11_sign(
    env: &Env,
    token: &str,
    id: &str,
    pin_env: Option<&str>,
    out: &str,
) -> Result<Output> {
    fs::write(
        env.dir.join("msg.txt"),
        "相互運用テスト: a message signed through PKCS#11\n",
    )?;
    let mut c = pkcs11(env, token);
    if let Some(p) = pin_env {
        c.args(["--login", "--pin", p]);
    }
    c.args([
        "--sign",
        "-m",
        "SHA256-RSA-PKCS",
        "--id",
        id,
        "-i",
        "msg.txt",
        "-o",
        out,
    ]);
    run(&mut c)
}

pub(super) fn pkcs11_sign_without_login(env: &Env) -> Result<()> {
    let o = pkcs11_sign(
        env,
        "JPKI (User Authentication PIN)",
        "01",
        None,
        "nologin.sig",
    )?;
    ensure!(
        !o.status.success(),
        "signing without login succeeded: {}",
        text(&o)
    );
    Ok(())
}

fn verify_dgst(env: &Env, cert_pem: &str, sig: &str) -> Result<()> {
    let pubkey = success(
        "openssl x509 -pubkey",
        run(Command::new("openssl")
            .args(["x509", "-pubkey", "-noout", "-in", cert_pem])
            .current_dir(&env.dir))?,
    )?;
    fs::write(env.dir.join("key.pub"), pubkey)?;
    success(
        "openssl dgst -verify",
        run(Command::new("openssl")
            .args([
                "dgst",
                "-sha256",
                "-verify",
                "key.pub",
                "-signature",
                sig,
                "msg.txt",
            ])
            .current_dir(&env.dir))?,
    )?;
    Ok(())
}

pub(super) fn pkcs11_sign_both(env: &Env) -> Result<()> {
    success(
        "pkcs11-tool sign (auth)",
        pkcs11_sign(
            env,
            "JPKI (User Authentication PIN)",
            "01",
            Some("env:AUTHPIN"),
            "auth.sig",
        )?,
    )?;
    verify_dgst(env, "auth.pem", "auth.sig")?;
    success(
        "pkcs11-tool sign (sign)",
        pkcs11_sign(
            env,
            "JPKI (Digital Signature PIN)",
            "02",
            Some("env:SIGNPIN"),
            "sign.sig",
        )?,
    )?;
    verify_dgst(env, "sign.pem", "sign.sig")?;
    Ok(())
}

pub(super) fn pkcs11_wrong_pin(env: &Env) -> Result<()> {
    let o = pkcs11_sign(
        env,
        "JPKI (User Authentication PIN)",
        "01",
        Some("env:WRONGPIN"),
        "wrong.sig",
    )?;
    ensure!(!o.status.success(), "a wrong PIN signed: {}", text(&o));
    let out = success("pkcs15-tool -D", run(opensc(env, "pkcs15-tool").arg("-D"))?)?;
    ensure!(
        tries_left(&out, "User Authentication PIN") == Some(2),
        "after one wrong PIN: {out}"
    );
    // the right PIN resets the counter
    success(
        "pkcs11-tool sign (auth)",
        pkcs11_sign(
            env,
            "JPKI (User Authentication PIN)",
            "01",
            Some("env:AUTHPIN"),
            "auth.sig",
        )?,
    )?;
    let out = success("pkcs15-tool -D", run(opensc(env, "pkcs15-tool").arg("-D"))?)?;
    ensure!(
        tries_left(&out, "User Authentication PIN") == Some(3),
        "after the right PIN: {out}"
    );
    Ok(())
}
