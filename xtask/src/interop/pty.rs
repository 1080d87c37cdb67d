//! A client that reads its secrets from a terminal, driven on a pseudo-terminal.
//!
//! `jpki-cli` asks for every PIN with `dialoguer::Password`, which reads from the terminal only
//! (stdin when stdin is a terminal, else `/dev/tty`) and, without a terminal on stderr, reads an
//! empty string for ever. So the run gives it a fresh pseudo-terminal as stdin and stderr (its
//! stdout, which carries binary output such as certificates, goes to a file), waits for its
//! prompt and types the secret, as a holder at a keyboard would.
//!
//! The prompt turns echo off with `TCSAFLUSH`, which discards input typed before it: a secret
//! written in that window is echoed back (echo was still on) and then lost. The driver sees that
//! echo and types the secret again; the echoed copy is redacted from the output it returns.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, sleep};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rustix::fs::{Mode, OFlags};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};

/// What a run on the terminal produced.
pub(super) struct Ran {
    /// The exit status.
    pub(super) status: ExitStatus,
    /// Everything written to the terminal (prompts, logs, echo), escape sequences removed, the
    /// secret redacted.
    pub(super) terminal: String,
}

/// How to answer the client on its terminal.
pub(super) struct Typing<'a> {
    /// Typed right away (e.g. a message the client reads from stdin, ended by `^D`).
    pub(super) first: &'a [u8],
    /// The prompt to wait for (any of these texts) and the secret to type after it (with
    /// Enter); `None`: no prompt.
    pub(super) answer: Option<(&'a [&'a str], &'a str)>,
}

/// Runs `cmd` with stdin and stderr on a new pseudo-terminal and stdout into the file `stdout`,
/// typing `typing`; stops it (by its own handle) if it has not ended after `limit`.
pub(super) fn run_on_pty(
    mut cmd: Command,
    stdout: &Path,
    typing: &Typing<'_>,
    limit: Duration,
) -> Result<Ran> {
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)
        .context("cannot open a pseudo-terminal")?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname(&master, Vec::new())?;
    let slave = rustix::fs::open(
        name.as_c_str(),
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .context("cannot open the pseudo-terminal's slave side")?;
    cmd.stdin(Stdio::from(slave.try_clone()?))
        .stderr(Stdio::from(slave))
        .stdout(File::create(stdout)?);
    let spawned = cmd.spawn();
    // the command holds the slave's descriptors: drop it so the master sees the end
    let program = format!("{:?}", cmd.get_program());
    drop(cmd);
    let mut child = spawned.with_context(|| format!("cannot run {program}"))?;

    let seen = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut reader = File::from(master.try_clone()?);
    let sink = Arc::clone(&seen);
    let pump = thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // EIO once the client and all its descriptors of the slave are gone
        while let Ok(n) = reader.read(&mut buf) {
            let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                break;
            };
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(chunk);
        }
    });
    let snapshot =
        || String::from_utf8_lossy(&seen.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    let mut writer = File::from(master);
    let deadline = Instant::now() + limit;
    let outcome = (|| -> Result<ExitStatus> {
        writer.write_all(typing.first)?;
        if let Some((prompt, secret)) = typing.answer {
            type_secret(&mut writer, &mut child, &snapshot, prompt, secret, deadline)?;
        }
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() > deadline {
                bail!("still running after {limit:?}");
            }
            sleep(Duration::from_millis(50));
        }
    })();
    if outcome.is_err() {
        let _ = child.kill();
        let _ = child.wait();
    }
    drop(writer);
    let _ = pump.join();
    let mut terminal = strip_escapes(&snapshot());
    if let Some((_, secret)) = typing.answer
        && !secret.is_empty()
    {
        terminal = terminal.replace(secret, "<redacted>");
    }
    match outcome {
        Ok(status) => Ok(Ran { status, terminal }),
        Err(e) => bail!("{e:#}; the terminal showed: {terminal}"),
    }
}

/// Waits for `prompt` on the terminal, then types `secret` and Enter; types it again while the
/// terminal echoes it back (typed before echo went off, so flushed by the prompt).
fn type_secret(
    writer: &mut File,
    child: &mut std::process::Child,
    snapshot: &impl Fn() -> String,
    prompt: &[&str],
    secret: &str,
    deadline: Instant,
) -> Result<()> {
    loop {
        let seen = snapshot();
        if prompt.iter().any(|p| seen.contains(p)) {
            break;
        }
        if child.try_wait()?.is_some() {
            // ended without asking: its output says why
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("no prompt {prompt:?}");
        }
        sleep(Duration::from_millis(20));
    }
    for _ in 0..5 {
        // the prompt is written just before echo goes off: give it that moment
        sleep(Duration::from_millis(300));
        let before = snapshot().len();
        writer.write_all(format!("{secret}\n").as_bytes())?;
        sleep(Duration::from_millis(300));
        let after = snapshot();
        // echo on turns the typed Enter into CR LF right after the secret
        let echoed = after
            .get(before..)
            .is_some_and(|new| new.contains(&format!("{secret}\r\n")));
        if !echoed {
            return Ok(());
        }
    }
    bail!("the terminal kept echoing the secret: echo never went off")
}

/// The text without terminal escape sequences (`ESC [ … letter`) and carriage returns.
pub(super) fn strip_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_carriage_returns_are_removed() {
        assert_eq!(
            strip_escapes("\u{1b}[2m2026\u{1b}[0m \u{1b}[31mERROR\u{1b}[0m x\r\n"),
            "2026 ERROR x\n"
        );
    }

    #[test]
    fn a_prompted_secret_is_typed_and_redacted() {
        // `read -s` turns echo off like the client's prompt
        let dir = std::env::temp_dir().join(format!("xtask-pty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args([
            "-c",
            "read -r msg; printf 'PIN: ' >&2; read -rs pin; echo \"got ${#pin} ${msg}\"",
        ]);
        let ran = run_on_pty(
            cmd,
            &dir.join("out"),
            &Typing {
                first: b"hello\n",
                answer: Some((&["Password", "PIN: "], "S3CRET")),
            },
            Duration::from_secs(20),
        )
        .unwrap();
        assert!(ran.status.success(), "{}", ran.terminal);
        let out = std::fs::read_to_string(dir.join("out")).unwrap();
        assert_eq!(out, "got 6 hello\n");
        assert!(!ran.terminal.contains("S3CRET"), "{}", ran.terminal);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
