//! The interop environment: pcscd and vpcd, cards issued by `jpki-sim` and served on vpcd's
//! readers, the processes' guards, and the small helpers every check runs commands with.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

pub(super) const AUTH_PIN: &str = "1234";
pub(super) const SIGN_PIN: &str = "ABC123";
pub(super) const TEXT_PIN: &str = "5678";
/// The served card's My Number, also its 照合番号A.
pub(super) const MY_NUMBER: &str = "123456789018";
/// The authentication PIN of the brute-force card.
pub(super) const BRUTE_AUTH_PIN: &str = "7391";
/// The next-generation card's 4-digit PIN (暗証番号, reference `82`).
pub(super) const NG_PIN4: &str = "4826";
/// The next-generation card's signing password (署名用パスワード, reference `81`): none of its
/// letters is a hex digit, so the plain text cannot hide in a hex trace by chance.
pub(super) const NG_SIGN_PASSWORD: &str = "NG2048SIGN";
const PCSCD_SOCKET: &str = "/run/pcscd/pcscd.comm";
pub(super) const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
pub(super) const PKCS11_MODULES: [&str; 2] = [
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so",
];
/// vpcd's readers and their ports (shared/jpki-spec.md §8).
pub(super) const READERS: [(&str, u16); 2] =
    [("Virtual PCD 00 00", 35963), ("Virtual PCD 00 01", 35964)];

/// A child process stopped by PID when dropped.
pub(super) struct Guard {
    name: &'static str,
    child: Child,
}

impl Guard {
    /// Starts `cmd` with its stdout and stderr in the file `log`, stopped when the guard drops.
    fn spawn(name: &'static str, mut cmd: Command, log: &Path) -> Result<Self> {
        let log = fs::File::create(log)?;
        let child = cmd
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        Ok(Guard { name, child })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let pid = self.child.id();
        // SIGTERM first so pcscd cleans its socket, then make sure.
        let _ = Command::new("kill").arg(pid.to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                eprintln!("interop: stopped {} (pid {pid})", self.name);
                return;
            }
            sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("interop: killed {} (pid {pid})", self.name);
    }
}

pub(super) struct Env {
    pub(super) root: PathBuf,
    pub(super) cargo: PathBuf,
    pub(super) dir: PathBuf,
    pub(super) jpki_tool: PathBuf,
    pub(super) pkcs11: PathBuf,
    /// jpki-cli from the cache, `None` if its installation failed (a failed step of its own).
    pub(super) jpki_cli: Option<PathBuf>,
    pub(super) reader: String,
    /// The served card's 照合番号B.
    pub(super) number_b: String,
    /// The card for the brute-force check, served only during that check (the other checks
    /// need its reader empty).
    pub(super) brute: Option<SpareCard>,
    /// The next-generation card (same authority), served only while its checks run.
    pub(super) next_gen: Option<SpareCard>,
}

/// A card served on the second vpcd reader only during its own checks.
pub(super) struct SpareCard {
    pub(super) jpki_sim: PathBuf,
    pub(super) card: PathBuf,
    pub(super) reader: &'static str,
    pub(super) port: u16,
}

pub(super) fn run(cmd: &mut Command) -> Result<Output> {
    cmd.output().with_context(|| format!("cannot run {cmd:?}"))
}

pub(super) fn run_with_stdin(cmd: &mut Command, stdin: &str) -> Result<Output> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if let Some(mut input) = child.stdin.take() {
        // a command that fails before reading stdin closes it early: its output says why
        if let Err(e) = input.write_all(stdin.as_bytes())
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            return Err(e.into());
        }
    }
    Ok(child.wait_with_output()?)
}

pub(super) fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub(super) fn success(what: &str, o: Output) -> Result<String> {
    ensure!(
        o.status.success(),
        "{what} failed ({}): {}",
        o.status,
        text(&o)
    );
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

pub(super) fn which(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The binaries, the work directory, and a card issued by a fresh authority in it.
pub(super) struct Prepared {
    pub(super) jpki_sim: PathBuf,
    pub(super) jpki_tool: PathBuf,
    pub(super) dir: PathBuf,
    pub(super) card: PathBuf,
    /// The card's 照合番号B, as `jpki-sim issue` printed it.
    pub(super) number_b: String,
}

/// Builds `jpki-sim` and `jpki-tool` (debug or release), empties `<target>/<work>`, creates an
/// authority in `<work>/authority` and issues `<work>/card.jpkicard` with the standard PINs.
pub(super) fn prepare(root: &Path, cargo: &Path, release: bool, work: &str) -> Result<Prepared> {
    let mut build = Command::new(cargo);
    build.current_dir(root).args(["build", "--quiet"]);
    if release {
        build.arg("--release");
    }
    // The default features: the binaries the README builds, signing with OpenSSL. Without
    // libssl they cannot link; then the cards sign with `rsa`.
    if !crate::has_libssl() {
        build.args(["--no-default-features", "--features", "jpki-tool/simulator"]);
    }
    let status = build
        .args([
            "-p",
            "jpki-sim",
            "--bin",
            "jpki-sim",
            "-p",
            "jpki-tool",
            "--bin",
            "jpki-tool",
        ])
        .status()?;
    ensure!(status.success(), "build failed");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let bin = target.join(if release { "release" } else { "debug" });
    let dir = target.join(work);
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    let (jpki_sim, jpki_tool) = (bin.join("jpki-sim"), bin.join("jpki-tool"));
    success(
        "jpki-sim authority init",
        run(Command::new(&jpki_sim)
            .arg("authority")
            .arg("init")
            .arg(dir.join("authority")))?,
    )?;
    let (card, number_b) = issue_card(
        &jpki_sim,
        &dir,
        "card.jpkicard",
        [AUTH_PIN, SIGN_PIN, TEXT_PIN],
    )?;
    Ok(Prepared {
        jpki_sim,
        jpki_tool,
        dir,
        card,
        number_b,
    })
}

/// `jpki-sim issue` of `dir/file` from the authority in `dir/authority` for the interop holder,
/// secrets from stdin (`--pin-stdin`).
pub(super) fn issue_command(jpki_sim: &Path, dir: &Path, card: &Path) -> Command {
    let mut cmd = Command::new(jpki_sim);
    cmd.arg("issue")
        .arg("--authority")
        .arg(dir.join("authority"))
        .arg("--out")
        .arg(card)
        .args([
            "--name",
            "相互 運用",
            "--address",
            "東京都千代田区霞が関２－１－２",
        ])
        .args(["--birth", "1990-06-15", "--gender", "male"])
        .args([
            "--municipality-code",
            "13101",
            "--city",
            "Chiyoda-ku",
            "--my-number",
            MY_NUMBER,
        ])
        .arg("--pin-stdin");
    cmd
}

/// Issues a My Number card `dir/file` from the authority in `dir/authority` with PINs
/// `[auth, sign, text]`; the card file and its 照合番号B (printed by `jpki-sim issue`).
pub(super) fn issue_card(
    jpki_sim: &Path,
    dir: &Path,
    file: &str,
    pins: [&str; 3],
) -> Result<(PathBuf, String)> {
    let card = dir.join(file);
    let printed = success(
        "jpki-sim issue",
        run_with_stdin(
            &mut issue_command(jpki_sim, dir, &card),
            &format!("{}\n{}\n{}\n", pins[0], pins[1], pins[2]),
        )?,
    )?;
    let number_b = printed
        .lines()
        .find_map(|l| l.strip_prefix("照合番号B")?.rsplit_once(": "))
        .map(|(_, b)| b.trim().to_owned())
        .filter(|b| b.len() == 14 && b.bytes().all(|c| c.is_ascii_digit()))
        .with_context(|| format!("jpki-sim issue printed no 照合番号B: {printed}"))?;
    Ok((card, number_b))
}

/// pcscd: reuses a running one, else starts one with vpcd (stopped when the guard drops).
/// When it starts one, it first checks that `jpki-tool` reports the missing service (exit 5).
pub(super) fn start_pcscd(
    dir: &Path,
    jpki_tool: &Path,
) -> Result<(Option<Guard>, Option<Result<()>>)> {
    let running = Command::new("pgrep")
        .args(["-x", "pcscd"])
        .output()?
        .status
        .success();
    if running && Path::new(PCSCD_SOCKET).exists() {
        eprintln!("interop: reusing the running pcscd");
        return Ok((None, None));
    }
    // Before pcscd runs, the client must say so (exit code 5), not hang or crash.
    let o = run(Command::new(jpki_tool).arg("readers"))?;
    let no_service = if o.status.code() == Some(5) && text(&o).contains("pcscd") {
        Ok(())
    } else {
        Err(anyhow::anyhow!("without pcscd: {} {}", o.status, text(&o)))
    };
    let mut pcscd = Command::new("pcscd");
    // No `--apdu`: pcscd would log every APDU, PINs in clear, to a world-readable file; the
    // APDU trace comes from `jpki-sim serve --trace`, which redacts them.
    pcscd.args(["--foreground", "--info"]);
    let guard = Guard::spawn("pcscd", pcscd, &dir.join("pcscd.log"))?;
    wait_for("pcscd's socket", Duration::from_secs(10), || {
        Ok(Path::new(PCSCD_SOCKET).exists())
    })?;
    Ok((Some(guard), Some(no_service)))
}

/// The vpcd readers without a card, as (name, port).
pub(super) fn free_readers(jpki_tool: &Path) -> Result<Vec<(&'static str, u16)>> {
    let listing = text(&run(Command::new(jpki_tool).arg("readers"))?);
    Ok(READERS
        .iter()
        .filter(|(name, _)| listing.contains(&format!("{name}: no card")))
        .copied()
        .collect())
}

/// `jpki-sim serve` of `card` on vpcd's `port`, logging to `log`, until the guard drops; returns
/// once the card shows in `reader`. It first waits for `reader` to be empty: right after the
/// card served before on that port has stopped, pcscd still lists it for a moment, and a client
/// touching the reader then was seen (in interop runs, swapping cards on the second reader) to
/// leave it unable to power the next card; so it pauses before it asks. Should the card still
/// not show, the serve is stopped and started again, up to three times.
pub(super) fn serve_card(
    jpki_sim: &Path,
    jpki_tool: &Path,
    card: &Path,
    reader: &str,
    port: u16,
    log: &Path,
    extra: &[&str],
) -> Result<Guard> {
    let listed = |state: &str| -> Result<bool> {
        let listing = text(&run(Command::new(jpki_tool).arg("readers"))?);
        Ok(listing.contains(&format!("{reader}: {state}")))
    };
    if !listed("no card")? {
        // give pcscd time to see the last card go before a client touches the reader again
        sleep(Duration::from_secs(2));
        wait_for(
            &format!("{reader} to be empty"),
            Duration::from_secs(20),
            || listed("no card"),
        )?;
    }
    let mut attempt = 1;
    loop {
        let mut serve = Command::new(jpki_sim);
        serve
            .arg("serve")
            .arg("--card")
            .arg(card)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(extra);
        let guard = Guard::spawn("jpki-sim serve", serve, log)?;
        match wait_for(
            "the card in the virtual reader",
            Duration::from_secs(10),
            || listed("card present"),
        ) {
            Ok(()) => {
                eprintln!(
                    "interop: card {} served on {reader} (127.0.0.1:{port})",
                    card.display()
                );
                return Ok(guard);
            }
            Err(e) if attempt < 3 => {
                eprintln!("interop: {e:#} on {reader}: serving the card again");
                drop(guard);
                sleep(Duration::from_secs(2));
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

pub(super) fn wait_for(
    what: &str,
    limit: Duration,
    mut ready: impl FnMut() -> Result<bool>,
) -> Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        if ready()? {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("timed out after {limit:?} waiting for {what}");
        }
        sleep(Duration::from_millis(200));
    }
}
