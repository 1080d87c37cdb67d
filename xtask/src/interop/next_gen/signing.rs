//! The next-generation card's two keys through `jpki-tool`, checked by openssl: a CMS signature
//! with the signature key (`openssl cms -verify` under the P-384 signature CA, refused under
//! today's RSA CA of the same name) and a login with the authentication key (the card's ECDSA
//! signature over the challenge file checked by `openssl dgst -sha384 -verify`).

use std::fs;
use std::process::Command;

use anyhow::{Context, Result, ensure};

use super::super::env::{Env, NG_PIN4, NG_SIGN_PASSWORD, run, run_with_stdin, success, text};
use super::{authority, tool};

/// The line `algorithm: …` after `field` in `openssl cms -cmsout -print`.
fn printed_algorithm<'a>(print: &'a str, field: &str) -> Option<&'a str> {
    let rest = &print[print.find(field)?..];
    rest.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("algorithm: "))
}

pub(super) fn sign(env: &Env) -> Result<()> {
    fs::write(
        env.dir.join("ng-doc.txt"),
        "相互運用: a document signed by the next-generation card\n",
    )?;
    success(
        "jpki-tool sign --key sign",
        run_with_stdin(
            tool(env)?.args([
                "--pin-stdin",
                "sign",
                "--key",
                "sign",
                "ng-doc.txt",
                "-o",
                "ng-doc.p7s",
            ]),
            &format!("{NG_SIGN_PASSWORD}\n"),
        )?,
    )?;
    let cms = |ca: &str| {
        let mut c = Command::new("openssl");
        c.args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "ng-doc.p7s",
        ])
        .args(["-content", "ng-doc.txt", "-out", "ng-doc.out", "-CAfile"])
        .arg(authority(env, ca))
        .current_dir(&env.dir);
        run(&mut c)
    };
    success(
        "openssl cms -verify -CAfile sign-ca-ng.pem",
        cms("sign-ca-ng.pem")?,
    )?;
    ensure!(
        fs::read(env.dir.join("ng-doc.out"))? == fs::read(env.dir.join("ng-doc.txt"))?,
        "openssl cms -verify gave back another content"
    );
    // today's RSA CA has the same name: only the key identifier tells them apart
    let rsa = cms("sign-ca.pem")?;
    ensure!(
        !rsa.status.success(),
        "openssl accepted the P-384 signature with today's RSA CA: {}",
        text(&rsa)
    );
    let print = success(
        "openssl cms -cmsout -print",
        run(Command::new("openssl")
            .args([
                "cms",
                "-cmsout",
                "-print",
                "-inform",
                "DER",
                "-in",
                "ng-doc.p7s",
            ])
            .current_dir(&env.dir))?,
    )?;
    ensure!(
        printed_algorithm(&print, "signatureAlgorithm:")
            .is_some_and(|a| a.starts_with("ecdsa-with-SHA384"))
            && printed_algorithm(&print, "digestAlgorithm:")
                .is_some_and(|a| a.starts_with("sha384")),
        "the signer info is not SHA-384 / ecdsa-with-SHA384: {print}"
    );
    let verified = success(
        "jpki-tool verify",
        run(Command::new(&env.jpki_tool)
            .args(["verify", "ng-doc.p7s", "ng-doc.txt", "--ca"])
            .arg(authority(env, "sign-ca-ng.pem"))
            .arg("--crl")
            .arg(authority(env, "crl"))
            .current_dir(&env.dir))?,
    )?;
    ensure!(
        verified.starts_with("Verification successful") && verified.contains("not revoked"),
        "{verified}"
    );
    Ok(())
}

fn unhex(hex: &str) -> Option<Vec<u8>> {
    let hex = hex.trim().as_bytes();
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

pub(super) fn login(env: &Env) -> Result<()> {
    success(
        "jpki-tool auth challenge",
        run(Command::new(&env.jpki_tool)
            .args([
                "auth",
                "challenge",
                "--service",
                "interop-ng",
                "-o",
                "ng-challenge.txt",
            ])
            .current_dir(&env.dir))?,
    )?;
    success(
        "jpki-tool auth respond",
        run_with_stdin(
            tool(env)?.args([
                "--pin-stdin",
                "auth",
                "respond",
                "ng-challenge.txt",
                "-o",
                "ng-response.txt",
            ]),
            &format!("{NG_PIN4}\n"),
        )?,
    )?;
    let checked = success(
        "jpki-tool auth check",
        run(Command::new(&env.jpki_tool)
            .args([
                "auth",
                "check",
                "ng-challenge.txt",
                "ng-response.txt",
                "--json",
                "--ca",
            ])
            .arg(authority(env, "auth-ca-ng.pem"))
            .arg("--crl")
            .arg(authority(env, "crl"))
            .current_dir(&env.dir))?,
    )?;
    ensure!(checked.contains(r#""login":true"#), "{checked}");
    // openssl on its own: the certificate under the P-384 auth CA, the card's signature over
    // SHA-384 of the challenge file with the certificate's key
    let response = fs::read_to_string(env.dir.join("ng-response.txt"))?;
    let field = |name: &str| {
        response
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(unhex)
            .with_context(|| format!("no hex {name:?} in the response: {response}"))
    };
    fs::write(env.dir.join("ng-auth.sig"), field("signature: ")?)?;
    fs::write(env.dir.join("ng-auth.der"), field("certificate: ")?)?;
    let openssl = |args: &[&str]| -> Result<String> {
        success(
            &format!("openssl {}", args.join(" ")),
            run(Command::new("openssl").args(args).current_dir(&env.dir))?,
        )
    };
    openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        "ng-auth.der",
        "-out",
        "ng-auth.pem",
    ])?;
    let ca = authority(env, "auth-ca-ng.pem");
    let ca = ca.to_str().context("a non-UTF-8 work directory")?;
    openssl(&["verify", "-CAfile", ca, "ng-auth.pem"])?;
    let key = openssl(&["x509", "-in", "ng-auth.pem", "-pubkey", "-noout"])?;
    fs::write(env.dir.join("ng-auth.pub"), key)?;
    let verified = openssl(&[
        "dgst",
        "-sha384",
        "-verify",
        "ng-auth.pub",
        "-signature",
        "ng-auth.sig",
        "ng-challenge.txt",
    ])?;
    ensure!(verified.trim() == "Verified OK", "{verified}");
    Ok(())
}
