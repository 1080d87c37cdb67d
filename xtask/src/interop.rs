//! `cargo xtask interop`: the simulator against real, independent clients.
//!
//! Starts pcscd with vsmartcard's vpcd driver (or reuses a running one), issues a fresh card
//! with `jpki-sim`, serves it on the first free virtual reader, and drives it with OpenSC
//! (`opensc-tool`, `pkcs15-tool`, `pkcs11-tool` + `opensc-pkcs11.so`), `pcsc_scan`, openssl
//! and our own `jpki-tool` over PC/SC. Only loopback addresses are used; every process started
//! here is stopped by its PID when the run ends, also on failure.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

const AUTH_PIN: &str = "1234";
const SIGN_PIN: &str = "ABC123";
const TEXT_PIN: &str = "5678";
/// The authentication PIN of the brute-force card.
const BRUTE_AUTH_PIN: &str = "7391";
const PCSCD_SOCKET: &str = "/run/pcscd/pcscd.comm";
const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
const PKCS11_MODULES: [&str; 2] = [
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so",
];
/// vpcd's readers and their ports (shared/jpki-spec.md §8).
const READERS: [(&str, u16); 2] = [("Virtual PCD 00 00", 35963), ("Virtual PCD 00 01", 35964)];

/// A child process stopped by PID when dropped.
struct Guard {
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

/// One interoperability check.
type Check = fn(&Env) -> Result<()>;

struct Env {
    root: PathBuf,
    cargo: PathBuf,
    dir: PathBuf,
    jpki_tool: PathBuf,
    pkcs11: PathBuf,
    reader: String,
    /// The card for the brute-force check, served only during that check (the other checks
    /// need its reader empty).
    brute: Option<BruteCard>,
}

struct BruteCard {
    jpki_sim: PathBuf,
    card: PathBuf,
    reader: &'static str,
    port: u16,
}

fn run(cmd: &mut Command) -> Result<Output> {
    cmd.output().with_context(|| format!("cannot run {cmd:?}"))
}

fn run_with_stdin(cmd: &mut Command, stdin: &str) -> Result<Output> {
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

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn success(what: &str, o: Output) -> Result<String> {
    ensure!(
        o.status.success(),
        "{what} failed ({}): {}",
        o.status,
        text(&o)
    );
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

fn which(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The binaries, the work directory, and a card issued by a fresh authority in it.
struct Prepared {
    jpki_sim: PathBuf,
    jpki_tool: PathBuf,
    dir: PathBuf,
    card: PathBuf,
}

/// Builds `jpki-sim` and `jpki-tool` (debug or release), empties `<target>/<work>`, creates an
/// authority in `<work>/authority` and issues `<work>/card.jpkicard` with the standard PINs.
fn prepare(root: &Path, cargo: &Path, release: bool, work: &str) -> Result<Prepared> {
    let mut build = Command::new(cargo);
    build.current_dir(root).args(["build", "--quiet"]);
    if release {
        build.arg("--release");
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
    let card = issue_card(
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
    })
}

/// Issues a My Number card `dir/file` from the authority in `dir/authority` with PINs
/// `[auth, sign, text]`.
fn issue_card(jpki_sim: &Path, dir: &Path, file: &str, pins: [&str; 3]) -> Result<PathBuf> {
    let card = dir.join(file);
    success(
        "jpki-sim issue",
        run_with_stdin(
            Command::new(jpki_sim)
                .arg("issue")
                .arg("--authority")
                .arg(dir.join("authority"))
                .arg("--out")
                .arg(&card)
                .args([
                    "--name",
                    "相互 運用",
                    "--address",
                    "東京都千代田区霞が関２－１－２",
                ])
                .args(["--birth", "1990-06-15", "--gender", "male"])
                .args([
                    "--prefecture",
                    "東京都",
                    "--city",
                    "千代田区",
                    "--my-number",
                    "123456789018",
                ])
                .arg("--pin-stdin"),
            &format!("{}\n{}\n{}\n", pins[0], pins[1], pins[2]),
        )?,
    )?;
    Ok(card)
}

/// pcscd: reuses a running one, else starts one with vpcd (stopped when the guard drops).
/// When it starts one, it first checks that `jpki-tool` reports the missing service (exit 5).
fn start_pcscd(dir: &Path, jpki_tool: &Path) -> Result<(Option<Guard>, Option<Result<()>>)> {
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
    pcscd.args(["--foreground", "--apdu", "--info"]);
    let guard = Guard::spawn("pcscd", pcscd, &dir.join("pcscd.log"))?;
    wait_for("pcscd's socket", Duration::from_secs(10), || {
        Ok(Path::new(PCSCD_SOCKET).exists())
    })?;
    Ok((Some(guard), Some(no_service)))
}

/// The vpcd readers without a card, as (name, port).
fn free_readers(jpki_tool: &Path) -> Result<Vec<(&'static str, u16)>> {
    let listing = text(&run(Command::new(jpki_tool).arg("readers"))?);
    Ok(READERS
        .iter()
        .filter(|(name, _)| listing.contains(&format!("{name}: no card")))
        .copied()
        .collect())
}

/// `jpki-sim serve` of `card` on vpcd's `port`, logging to `log`, until the guard drops; returns
/// once the card shows in `reader`.
fn serve_card(
    jpki_sim: &Path,
    jpki_tool: &Path,
    card: &Path,
    reader: &str,
    port: u16,
    log: &Path,
    extra: &[&str],
) -> Result<Guard> {
    let mut serve = Command::new(jpki_sim);
    serve
        .arg("serve")
        .arg("--card")
        .arg(card)
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args(extra);
    let guard = Guard::spawn("jpki-sim serve", serve, log)?;
    wait_for(
        "the card in the virtual reader",
        Duration::from_secs(20),
        || {
            let listing = text(&run(Command::new(jpki_tool).arg("readers"))?);
            Ok(listing.contains(&format!("{reader}: card present")))
        },
    )?;
    eprintln!(
        "interop: card {} served on {reader} (127.0.0.1:{port})",
        card.display()
    );
    Ok(guard)
}

/// What `cargo xtask bench` needs for layer 5: pcscd, vpcd and a served card.
pub struct BenchReader {
    /// The reader's name (for `JPKI_BENCH_READER`).
    pub reader: String,
    /// The card's signature PIN (for `JPKI_BENCH_PIN`).
    pub sign_pin: &'static str,
    _serve: Guard,
    _pcscd: Option<Guard>,
}

/// Brings up pcscd (or reuses it), issues a card with `jpki-sim` built in release and serves it
/// on a free vpcd reader, for the PC/SC layer of the signing-path bench. `None`, with the
/// reason printed, when pcscd or vpcd is not installed.
pub fn bench_reader(root: &Path, cargo: &Path) -> Result<Option<BenchReader>> {
    if !which("pcscd") || !Path::new(VPCD_DRIVER).exists() {
        eprintln!(
            "note: pcscd or vpcd missing (apt-get install -y pcscd vsmartcard-vpcd): layer 5 \
             (PC/SC) is not measured"
        );
        return Ok(None);
    }
    let Prepared {
        jpki_sim,
        jpki_tool,
        dir,
        card,
    } = prepare(root, cargo, true, "bench-reader")?;
    let (pcscd, _) = start_pcscd(&dir, &jpki_tool)?;
    let Some(&(reader, port)) = free_readers(&jpki_tool)?.first() else {
        bail!("no free vpcd reader for the bench (is another card connected?)");
    };
    // The served card signs with `rsa`, the engine of layers 2 and 3's first rows.
    let serve = serve_card(
        &jpki_sim,
        &jpki_tool,
        &card,
        reader,
        port,
        &dir.join("serve.log"),
        &["--engine", "rsa"],
    )?;
    Ok(Some(BenchReader {
        reader: reader.to_owned(),
        sign_pin: SIGN_PIN,
        _serve: serve,
        _pcscd: pcscd,
    }))
}

/// Runs the interoperability suite; `root` is the workspace, `cargo` the cargo binary.
pub fn interop(root: &Path, cargo: &Path) -> Result<()> {
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
    } = prepare(root, cargo, false, "interop")?;
    // A second card, only for the brute-force check (it ends with its authentication PIN
    // blocked). Its PIN is far from where either attacker starts.
    let brute_card = issue_card(
        &jpki_sim,
        &dir,
        "brute.jpkicard",
        [BRUTE_AUTH_PIN, "XYZ789", "2468"],
    )?;

    let (_pcscd, no_service) = start_pcscd(&dir, &jpki_tool)?;

    // The first vpcd reader without a card is ours.
    let env0 = Env {
        root: root.to_path_buf(),
        cargo: cargo.to_path_buf(),
        dir: dir.clone(),
        jpki_tool: jpki_tool.clone(),
        pkcs11,
        reader: String::new(),
        brute: None,
    };
    let free = free_readers(&jpki_tool)?;
    let [(reader, port), (brute_reader, brute_port)] = free[..] else {
        bail!("interop needs both vpcd readers free (is another card connected?): {free:?} free");
    };
    let env = Env {
        reader: reader.to_owned(),
        brute: Some(BruteCard {
            jpki_sim: jpki_sim.clone(),
            card: brute_card,
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
        ("pcsc_scan sees the reader and the ATR", pcsc_scan),
        ("opensc-tool -n names the card jpki", opensc_name),
        (
            "pkcs11-tool: signing without login is refused",
            pkcs11_sign_without_login,
        ),
        (
            "pkcs15-tool -D lists two PINs with their tries",
            pkcs15_dump,
        ),
        (
            "pkcs15-tool reads the auth certificate and both CA certificates",
            pkcs15_read_public,
        ),
        (
            "pkcs15-tool reads the signature certificate after --verify-pin",
            pkcs15_read_sign,
        ),
        (
            "pkcs11-tool signs with each key; openssl dgst -verify accepts",
            pkcs11_sign_both,
        ),
        (
            "a wrong PIN through PKCS#11 lowers the count pkcs15-tool shows",
            pkcs11_wrong_pin,
        ),
        (
            "jpki-tool over PC/SC: info, pin status, cert show",
            jpki_tool_read,
        ),
        (
            "jpki-tool over PC/SC: CMS signature that openssl cms -verify accepts",
            jpki_tool_sign,
        ),
        (
            "jpki-tool over PC/SC: login challenge, response, check",
            jpki_tool_login,
        ),
        ("jpki-tool over PC/SC: text-support data", jpki_tool_text),
        (
            "jpki-tool over PC/SC: readers, cert export, cert verify",
            jpki_tool_export_verify,
        ),
        (
            "jpki-tool over PC/SC: pin change and back",
            jpki_tool_pin_change,
        ),
        (
            "jpki-tool: an empty reader and an unknown reader are distinct errors",
            jpki_tool_no_card,
        ),
        (
            "cargo test -p jpki-tool --features real-reader (the CLI suite on the reader)",
            jpki_tool_real_reader_suite,
        ),
        (
            "brute force by two PC/SC clients at once: only the retry limit is counted",
            brute_force_two_clients,
        ),
    ];
    let (mut passed, mut failed) = (0, 0);
    let mut report = format!(
        "# Interoperability run\n\nReader: {reader}\n\n{}\n",
        versions()
    );
    match no_service {
        Some(Ok(())) => {
            passed += 1;
            eprintln!("interop: ok     jpki-tool reports a missing pcscd (exit 5)");
        }
        Some(Err(e)) => {
            failed += 1;
            eprintln!("interop: FAILED jpki-tool reports a missing pcscd: {e:#}");
        }
        None => {
            eprintln!("interop: (pcscd was already running: the missing-pcscd check is skipped)")
        }
    }
    for (name, check) in checks {
        let before = trace_lines(&env);
        let result = check(&env);
        // what the card saw during this check, PINs already redacted by `serve --trace`
        let apdus: Vec<String> = fs::read_to_string(env.dir.join("serve.log"))
            .unwrap_or_default()
            .lines()
            .skip(before)
            .filter(|l| l.starts_with("> ") || l.starts_with("< "))
            .map(str::to_owned)
            .collect();
        let verdict = match &result {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("FAILED: {e:#}"),
        };
        report.push_str(&format!(
            "\n## {name}\n\n{verdict}; {} APDUs\n\n```\n{}\n```\n",
            apdus.len() / 2,
            apdus.join("\n")
        ));
        match result {
            Ok(()) => {
                passed += 1;
                eprintln!("interop: ok     {name}");
            }
            Err(e) => {
                failed += 1;
                eprintln!("interop: FAILED {name}: {e:#}");
            }
        }
    }
    fs::write(dir.join("report.md"), report)?;
    eprintln!(
        "interop: per-check APDU sequences in {}",
        dir.join("report.md").display()
    );
    // The trace of every APDU the clients sent, PINs redacted, for docs/interop.md.
    let trace = fs::read_to_string(dir.join("serve.log")).unwrap_or_default();
    ensure!(
        !trace.contains(SIGN_PIN) && !trace.contains(&hex_upper(SIGN_PIN)),
        "a PIN leaked into the trace"
    );
    eprintln!("interop: APDU trace in {}", dir.join("serve.log").display());
    println!("interop: {passed} passed, {failed} failed");
    ensure!(failed == 0, "{failed} interoperability checks failed");
    Ok(())
}

fn trace_lines(env: &Env) -> usize {
    fs::read_to_string(env.dir.join("serve.log")).map_or(0, |t| t.lines().count())
}

/// The versions of the independent clients, from the package manager.
fn versions() -> String {
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
    out
}

fn hex_upper(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02X}")).collect()
}

fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> Result<bool>) -> Result<()> {
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

fn pcsc_scan(env: &Env) -> Result<()> {
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

fn opensc_name(env: &Env) -> Result<()> {
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

fn pkcs15_dump(env: &Env) -> Result<()> {
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

fn read_cert(env: &Env, id: &str, extra: &[&str]) -> Result<String> {
    success(
        "pkcs15-tool --read-certificate",
        run(opensc(env, "pkcs15-tool")
            .args(extra)
            .args(["--read-certificate", id]))?,
    )
}

fn pkcs15_read_public(env: &Env) -> Result<()> {
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

fn pkcs15_read_sign(env: &Env) -> Result<()> {
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

fn pkcs11_sign_without_login(env: &Env) -> Result<()> {
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

fn pkcs11_sign_both(env: &Env) -> Result<()> {
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

fn pkcs11_wrong_pin(env: &Env) -> Result<()> {
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

fn jpki_tool_read(env: &Env) -> Result<()> {
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

fn jpki_tool_sign(env: &Env) -> Result<()> {
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

fn jpki_tool_login(env: &Env) -> Result<()> {
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

fn jpki_tool_text(env: &Env) -> Result<()> {
    let out = success(
        "jpki-tool text",
        tool(env, &["text"], &format!("{TEXT_PIN}\n"))?,
    )?;
    ensure!(out.contains("123456789018"), "{out}");
    Ok(())
}

fn jpki_tool_export_verify(env: &Env) -> Result<()> {
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

fn jpki_tool_pin_change(env: &Env) -> Result<()> {
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

fn jpki_tool_no_card(env: &Env) -> Result<()> {
    let other = READERS
        .iter()
        .map(|(name, _)| *name)
        .find(|name| *name != env.reader)
        .context("no second vpcd reader")?;
    // (a reused pcscd may have another card in the other reader: then only the unknown one)
    if readers(env)?.contains(&format!("{other}: no card")) {
        let empty = run(Command::new(&env.jpki_tool).args(["--reader", other, "info"]))?;
        ensure!(
            empty.status.code() == Some(5) && text(&empty).contains("no card"),
            "empty reader: {} {}",
            empty.status,
            text(&empty)
        );
    }
    // waiting for a card that never comes ends with the same error, after the wait
    if readers(env)?.contains(&format!("{other}: no card")) {
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
    }
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

fn jpki_tool_real_reader_suite(env: &Env) -> Result<()> {
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

fn brute_force_two_clients(env: &Env) -> Result<()> {
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
