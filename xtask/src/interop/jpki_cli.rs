//! The checks by `jpki-cli` 0.4.x (siketyan/jpki-rs, LGPL-2.1), a client written without our
//! code: installed from crates.io by `cargo install --locked` into a cache that outlives the
//! checkout, then run against the served card for its certificates, signatures, PIN status,
//! My Number and 4 facts (券面事項入力補助AP) and card face (券面事項確認AP).
//!
//! How jpki-cli 0.4.3 works, from its source: it takes the first PC/SC reader (and waits there
//! for a card), asks for every PIN and 照合番号 on the terminal (no argv, no stdin: see
//! [`pty`](super::pty)), writes certificates and card-face fields raw to stdout, signs stdin's
//! SHA-1 DigestInfo with `80 2A 00 80`, and reports a card error as an `ERROR` log line on stderr
//! with exit code 0 — so each run here fails on that line, not only on the exit code.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};

use super::env::{AUTH_PIN, Env, MY_NUMBER, READERS, SIGN_PIN, TEXT_PIN, run, success};
use super::opensc::read_cert;
use super::pty::{Typing, run_on_pty};

/// The versions interop accepts (`cargo install --version`).
const REQUIREMENT: &str = "~0.4";

/// The cache directory: `$XDG_CACHE_HOME` (else `$HOME/.cache`) `/jpki-toolkit/jpki-cli-0.4`.
fn cache_root() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?).join(".cache"),
    };
    Ok(base.join("jpki-toolkit").join("jpki-cli-0.4"))
}

/// `jpki-cli --version` as `0.4.x`, if `bin` runs and is a 0.4 release.
pub(super) fn version(bin: &Path) -> Option<String> {
    let out = Command::new(bin).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v = text.trim().strip_prefix("jpki-cli ")?;
    (out.status.success() && v.starts_with("0.4.")).then(|| v.to_owned())
}

/// The jpki-cli binary: the cached one when its `--version` is 0.4.x, else installed now with
/// `cargo install jpki-cli --version '~0.4' --locked --root <cache>`.
pub(super) fn install(cargo: &Path) -> Result<PathBuf> {
    install_into(&cache_root()?, cargo)
}

/// [`install`] with the cache directory `root`.
fn install_into(root: &Path, cargo: &Path) -> Result<PathBuf> {
    let bin = root.join("bin").join("jpki-cli");
    if let Some(v) = version(&bin) {
        eprintln!("interop: jpki-cli {v} (cached) at {}", bin.display());
        return Ok(bin);
    }
    fs::create_dir_all(root)?;
    eprintln!(
        "interop: installing jpki-cli {REQUIREMENT} from crates.io into {} (once per machine)",
        root.display()
    );
    let status = Command::new(cargo)
        // outside the workspace, so none of its configuration applies
        .current_dir(root)
        .args([
            "install",
            "jpki-cli",
            "--version",
            REQUIREMENT,
            "--locked",
            "--root",
        ])
        .arg(root)
        .status()
        .context("cannot run cargo install")?;
    ensure!(
        status.success(),
        "`cargo install jpki-cli --version '{REQUIREMENT}' --locked --root {}` failed ({status}): \
         it needs crates.io, a C compiler and libpcsclite-dev",
        root.display()
    );
    let v = version(&bin).with_context(|| {
        format!(
            "installed, but `{} --version` does not say 0.4.x",
            bin.display()
        )
    })?;
    eprintln!("interop: jpki-cli {v} installed at {}", bin.display());
    Ok(bin)
}

/// What one jpki-cli run wrote.
struct Out {
    stdout: Vec<u8>,
    terminal: String,
}

/// Runs jpki-cli with `args` in the work directory; `stdin` is typed first (ended by `^D`),
/// `pin` at its prompt. Fails on a non-zero exit, a panic or an `ERROR` line.
fn cli(env: &Env, args: &[&str], stdin: Option<&[u8]>, pin: Option<&str>) -> Result<Out> {
    let bin = env
        .jpki_cli
        .as_ref()
        .context("jpki-cli is not installed: see the step \"jpki-cli 0.4.x is installed\"")?;
    // jpki-cli has no reader option: it waits on the first reader pcscd lists
    ensure!(
        env.reader == READERS[0].0,
        "jpki-cli uses the first reader, {}, but the card is in {}",
        READERS[0].0,
        env.reader
    );
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .current_dir(&env.dir)
        .env("LOCALE", "C")
        .env("NO_COLOR", "1");
    let mut first = stdin.map(<[u8]>::to_vec).unwrap_or_default();
    if stdin.is_some() {
        first.push(0x04); // ^D at a line start: end of input
    }
    let stdout = env.dir.join("jpki-cli.out");
    let ran = run_on_pty(
        cmd,
        &stdout,
        &Typing {
            first: &first,
            // jpki-cli 0.4.3 from crates.io shows its prompts' message keys
            // (`en.messages.pin_hint.signing: `), a build with its locales the English text
            answer: pin.map(|p| (&["pin_hint", "PIN"][..], p)),
        },
        Duration::from_secs(60),
    )
    .with_context(|| format!("jpki-cli {}", args.join(" ")))?;
    let out = Out {
        stdout: fs::read(&stdout)?,
        terminal: ran.terminal,
    };
    let failed =
        out.terminal.lines().any(|l| l.contains(" ERROR ")) || out.terminal.contains("panicked");
    if !ran.status.success() || failed {
        bail!(
            "jpki-cli {} ({}): {}",
            args.join(" "),
            ran.status,
            out.terminal.trim()
        );
    }
    Ok(out)
}

/// The certificate `id` as the card holds it, read by OpenSC (`pkcs15-tool`), in DER.
fn card_cert_der(env: &Env, id: &str) -> Result<Vec<u8>> {
    let extra: &[&str] = if id == "02" {
        &["--verify-pin", "--auth-id", "02", "--pin", "env:SIGNPIN"]
    } else {
        &[]
    };
    let pem = env.dir.join(format!("card-{id}.pem"));
    let der = env.dir.join(format!("card-{id}.der"));
    fs::write(&pem, read_cert(env, id, extra)?)?;
    success(
        "openssl x509 -outform DER",
        run(Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&pem)
            .arg("-out")
            .arg(&der))?,
    )?;
    Ok(fs::read(der)?)
}

/// `crypto read-certificate` of all four certificates equals, byte for byte, what OpenSC reads.
pub(super) fn certificates(env: &Env) -> Result<()> {
    let cases: [(&str, &[&str], Option<&str>, &str); 4] = [
        ("authentication", &["--auth"], None, "01"),
        ("authentication CA", &["--auth", "--ca"], None, "03"),
        ("signature CA", &["--ca"], None, "04"),
        ("signature", &[], Some(SIGN_PIN), "02"),
    ];
    for (what, flags, pin, id) in cases {
        let mut args = vec!["crypto"];
        args.extend_from_slice(flags);
        args.push("read-certificate");
        let read = cli(env, &args, None, pin)?.stdout;
        let card = card_cert_der(env, id)?;
        ensure!(
            read == card,
            "the {what} certificate by jpki-cli ({} B) differs from OpenSC's read of it ({} B)",
            read.len(),
            card.len()
        );
    }
    Ok(())
}

/// `crypto sign` with each key; `openssl dgst -sha1 -verify` with the card's certificate
/// accepts the signature, and so does `jpki-cli crypto verify`.
pub(super) fn signing(env: &Env) -> Result<()> {
    let message = b"jpki-cli interop: a message signed by the served card\n";
    fs::write(env.dir.join("jpki-cli-msg.txt"), message)?;
    for (what, flags, pin, id) in [
        ("signature", &[][..], SIGN_PIN, "02"),
        ("authentication", &["--auth"][..], AUTH_PIN, "01"),
    ] {
        let sig = format!("jpki-cli-{id}.sig");
        let mut args = vec!["crypto"];
        args.extend_from_slice(flags);
        args.extend(["sign", sig.as_str()]);
        cli(env, &args, Some(message), Some(pin))?;
        let len = fs::metadata(env.dir.join(&sig))?.len();
        ensure!(len == 256, "the {what} signature has {len} bytes, not 256");
        fs::write(env.dir.join("jpki-cli-cert.der"), card_cert_der(env, id)?)?;
        let key = success(
            "openssl x509 -pubkey",
            run(Command::new("openssl")
                .args([
                    "x509",
                    "-inform",
                    "DER",
                    "-in",
                    "jpki-cli-cert.der",
                    "-pubkey",
                    "-noout",
                ])
                .current_dir(&env.dir))?,
        )?;
        fs::write(env.dir.join("jpki-cli-key.pem"), key)?;
        success(
            &format!("openssl dgst -sha1 -verify of the {what} signature"),
            run(Command::new("openssl")
                .args(["dgst", "-sha1", "-verify", "jpki-cli-key.pem", "-signature"])
                .arg(&sig)
                .arg("jpki-cli-msg.txt")
                .current_dir(&env.dir))?,
        )?;
        let verified = cli(
            env,
            &["crypto", "verify", "jpki-cli-cert.der", &sig],
            Some(message),
            None,
        )?;
        ensure!(
            verified
                .terminal
                .lines()
                .any(|l| l.trim_end().ends_with(" OK")),
            "jpki-cli crypto verify of the {what} signature: {}",
            verified.terminal
        );
    }
    Ok(())
}

/// The `stat` commands: tries left of every PIN jpki-cli knows, as issued (card-map §3–§5, §9).
pub(super) fn pin_status(env: &Env) -> Result<()> {
    let cases: [(&[&str], u8); 5] = [
        (&["crypto", "--auth", "stat"], 3),
        (&["crypto", "stat"], 5),
        (&["support", "stat"], 3),
        (&["surface", "stat", "a"], 10),
        (&["surface", "stat", "b"], 10),
    ];
    let mut wrong = Vec::new();
    for (args, expected) in cases {
        let shown = cli(env, args, None, None)
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        match shown {
            Ok(n) if n == expected.to_string() => {}
            Ok(n) => wrong.push(format!("`{}` says {n:?}, not {expected}", args.join(" "))),
            Err(e) => wrong.push(format!("{e:#}")),
        }
    }
    ensure!(wrong.is_empty(), "{}", wrong.join("; "));
    Ok(())
}

/// `support get my-number` and `support get attributes` with the 4-digit PIN show the holder
/// the card was issued to (env::issue_card; the name's space is U+3000 on the card).
pub(super) fn my_number_and_facts(env: &Env) -> Result<()> {
    let number = cli(env, &["support", "get", "my-number"], None, Some(TEXT_PIN))?;
    let number = String::from_utf8_lossy(&number.stdout).trim().to_owned();
    ensure!(number == MY_NUMBER, "My Number {number:?}, not {MY_NUMBER}");
    let facts = cli(env, &["support", "get", "attributes"], None, Some(TEXT_PIN))?;
    let facts = String::from_utf8_lossy(&facts.stdout).trim().to_owned();
    let expected = concat!(
        r#"{"name":"相互　運用","address":"東京都千代田区霞が関２－１－２","#,
        r#""date_of_birth":"19900615","sex":"Male"}"#
    );
    ensure!(facts == expected, "4 facts {facts}, not {expected}");
    Ok(())
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
const JP2: &[u8] = b"\x00\x00\x00\x0cjP  \r\n\x87\n";

/// `surface get` of every field jpki-cli knows, with 照合番号A (the My Number): the holder's
/// birth date and sex, a card public key, PNG name/address/code images, a JP2 face photo,
/// a 256-byte signature, an expiry date (card-map §5, §9).
pub(super) fn surface(env: &Env) -> Result<()> {
    type Check = fn(&[u8]) -> bool;
    let cases: [(&str, Check, &str); 9] = [
        ("date-of-birth", |b| b == b"19900615", "19900615"),
        ("sex", |b| b == b"1", "1 (male)"),
        (
            "public-key",
            |b| b.len() == 265 && b.starts_with(b"\x90\x03\x01\x00\x01\x91\x82\x01\x00"),
            "90 03 010001 91 82 0100 <256 B>",
        ),
        ("name", |b| b.starts_with(PNG), "a PNG"),
        ("address", |b| b.starts_with(PNG), "a PNG"),
        ("photo", |b| b.starts_with(JP2), "a JPEG 2000 JP2 file"),
        ("signature", |b| b.len() == 256, "256 bytes"),
        (
            "expiry-date",
            |b| b.len() == 8 && b.iter().all(u8::is_ascii_digit),
            "YYYYMMDD",
        ),
        ("code", |b| b.starts_with(PNG), "a PNG"),
    ];
    let mut wrong = Vec::new();
    for (field, ok, expected) in cases {
        match cli(env, &["surface", "get", field], None, Some(MY_NUMBER)) {
            Ok(o) if ok(&o.stdout) => {
                fs::write(env.dir.join(format!("jpki-cli-surface-{field}")), &o.stdout)?;
            }
            Ok(o) => wrong.push(format!(
                "{field}: {} B starting {}, not {expected}",
                o.stdout.len(),
                hex(o.stdout.get(..16).unwrap_or(&o.stdout))
            )),
            Err(e) => wrong.push(format!("{field}: {e:#}")),
        }
    }
    ensure!(wrong.is_empty(), "{}", wrong.join("; "));
    Ok(())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("xtask-jpki-cli-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("bin")).unwrap();
        dir
    }

    #[test]
    fn a_cached_0_4_binary_is_reused_without_cargo() {
        let root = temp("cached");
        let bin = root.join("bin/jpki-cli");
        fs::write(&bin, "#!/bin/sh\necho 'jpki-cli 0.4.9'\n").unwrap();
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
        // `false` as cargo: any install attempt would fail
        assert_eq!(install_into(&root, Path::new("false")).unwrap(), bin);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn another_version_is_reinstalled_and_a_failed_install_says_what_ran() {
        let root = temp("failed");
        let bin = root.join("bin/jpki-cli");
        fs::write(&bin, "#!/bin/sh\necho 'jpki-cli 0.5.0'\n").unwrap();
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
        let err = install_into(&root, Path::new("false")).unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("cargo install jpki-cli --version '~0.4' --locked --root"),
            "{msg}"
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
