//! The next-generation card (NG-sim v1, ECDSA P-384 / SHA-384: shared/next-gen-profile.md part
//! 2), issued by the same authority as today's card and served on the second vpcd reader only
//! while these checks run: pcsc_scan and `jpki-tool readers` see its ATR; OpenSC, whose `jpki`
//! driver knows today's AID and ATR only, does not take it for a JPKI card (and the card still
//! works after OpenSC's probing); `jpki-tool` reads it as the next generation, signs with it
//! (openssl `cms -verify` and `jpki-tool verify` accept with the P-384 CA), logs in with it
//! (openssl `dgst -sha384 -verify` accepts the card's ECDSA signature) and shows its three
//! secrets, a wrong 4-digit PIN counted. [`signing`] holds the two checks of the card's keys.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};

use super::Check;
use super::env::{
    Env, NG_PIN4, NG_SIGN_PASSWORD, SpareCard, issue_command, run, run_with_stdin, success, text,
};

mod signing;
use signing::{login, sign};

/// NG-sim v1's ATR (next-gen-profile.md §2.1), as pcsc_scan prints it.
const NG_ATR: &str = "3B 8B 80 01 80 59 4A 50 4B 49 4E 47 53 49 4D 95";

/// The checks, in order: OpenSC probes the card before jpki-tool shows it still works.
pub(super) const CHECKS: [(&str, Check); 6] = [
    (
        "next generation: pcsc_scan and jpki-tool readers see the NG-sim v1 ATR",
        atr,
    ),
    (
        "next generation: OpenSC does not take it for a jpki card (opensc-tool -n, pkcs15-tool -D, pkcs11-tool -L)",
        opensc_refuses,
    ),
    (
        "next generation: jpki-tool info --json says next_gen, ecdsa-with-SHA384",
        info,
    ),
    (
        "next generation: jpki-tool sign; openssl cms -verify and jpki-tool verify accept with the P-384 CA",
        sign,
    ),
    (
        "next generation: a login with the P-384 auth CA; openssl dgst -sha384 -verify accepts the card's signature",
        login,
    ),
    (
        "next generation: pin status shows the three secrets; a wrong 4-digit PIN lowers its count",
        pin_status,
    ),
];

/// Issues a next-generation card (NG-sim v1, ECDSA P-384) `dir/file` from the same authority
/// as [`env::issue_card`](super::env::issue_card), for the same holder, with [`NG_PIN4`] and
/// [`NG_SIGN_PASSWORD`] (read by `jpki-sim` in that order from stdin). The authority's P-384 CAs
/// come with its first such card.
pub(super) fn issue_card(jpki_sim: &Path, dir: &Path, file: &str) -> Result<PathBuf> {
    let card = dir.join(file);
    let printed = success(
        "jpki-sim issue --profile next-gen",
        run_with_stdin(
            issue_command(jpki_sim, dir, &card).args(["--profile", "next-gen"]),
            &format!("{NG_PIN4}\n{NG_SIGN_PASSWORD}\n"),
        )?,
    )?;
    ensure!(
        printed.contains("issued next-generation"),
        "jpki-sim issue --profile next-gen: {printed}"
    );
    Ok(card)
}

fn card(env: &Env) -> Result<&SpareCard> {
    env.next_gen.as_ref().context("no next-generation card")
}

/// `jpki-tool --reader <the NG reader>` in the work directory.
fn tool(env: &Env) -> Result<Command> {
    let mut c = Command::new(&env.jpki_tool);
    c.args(["--reader", card(env)?.reader])
        .current_dir(&env.dir);
    Ok(c)
}

fn authority(env: &Env, file: &str) -> PathBuf {
    env.dir.join("authority").join(file)
}

/// The text after `head` up to the next `next` (or the end): one reader's or slot's block.
fn block<'a>(out: &'a str, head: &str, next: &str) -> Option<&'a str> {
    let rest = &out[out.find(head)? + head.len()..];
    Some(rest.find(next).map_or(rest, |end| &rest[..end]))
}

fn atr(env: &Env) -> Result<()> {
    let reader = card(env)?.reader;
    let scan = text(&run(Command::new("timeout").args([
        "5",
        "pcsc_scan",
        "-c",
        "-n",
    ]))?);
    // the reader's last state block (the listing at the top names it too)
    let ours = scan
        .rsplit_once(reader)
        .map_or("", |(_, b)| b.split_once(" Reader ").map_or(b, |(b, _)| b));
    ensure!(
        ours.contains(&format!("ATR: {NG_ATR}")),
        "pcsc_scan shows no NG ATR in {reader}: {scan}"
    );
    let listing = success(
        "jpki-tool readers",
        run(Command::new(&env.jpki_tool).arg("readers"))?,
    )?;
    let compact: String = NG_ATR.split(' ').collect();
    ensure!(
        listing.contains(&format!("{reader}: card present, ATR {compact}")),
        "{listing}"
    );
    Ok(())
}

/// OpenSC 0.23's `jpki` driver matches today's ATR or a SELECT of today's JPKI AID, which the
/// NG card answers `6A82`; no other driver claims it. What each tool said goes to stderr.
fn opensc_refuses(env: &Env) -> Result<()> {
    let reader = card(env)?.reader;
    let name = run(Command::new("opensc-tool").args(["--reader", reader, "-n"]))?;
    let said = text(&name);
    eprintln!(
        "interop:        opensc-tool -n on the NG card: {:?}",
        said.trim()
    );
    ensure!(
        name.status.success() && !said.lines().any(|l| l.trim() == "jpki"),
        "opensc-tool -n: {} {said}",
        name.status
    );
    let dump = run(Command::new("pkcs15-tool").args(["--reader", reader, "-D"]))?;
    let said = text(&dump);
    eprintln!(
        "interop:        pkcs15-tool -D on the NG card ({}): {:?}",
        dump.status,
        said.trim()
    );
    ensure!(
        !dump.status.success() && !said.contains("PIN ["),
        "pkcs15-tool -D read a PKCS#15 structure: {said}"
    );
    let slots = success(
        "pkcs11-tool -L",
        run(Command::new("pkcs11-tool")
            .arg("--module")
            .arg(&env.pkcs11)
            .arg("-L"))?,
    )?;
    let slot = block(&slots, &format!("): {reader}"), "\nSlot ")
        .with_context(|| format!("pkcs11-tool -L lists no slot for {reader}: {slots}"))?;
    eprintln!(
        "interop:        pkcs11-tool -L, the NG card's slot: {:?}",
        slot.trim()
    );
    ensure!(
        !slot.contains("token label"),
        "OpenSC's PKCS#11 module made a token of the NG card: {slot}"
    );
    Ok(())
}

fn info(env: &Env) -> Result<()> {
    let json = success(
        "jpki-tool info --json",
        run(tool(env)?.args(["info", "--json"]))?,
    )?;
    for field in [
        r#""generation":"next_gen""#,
        r#""signature_algorithm":"ecdsa-with-SHA384""#,
        r#""token":{"label":"JPKINGAPTOKEN1"}"#,
    ] {
        ensure!(json.contains(field), "no {field} in {json}");
    }
    Ok(())
}

/// The field `field` of the secret `name` in `pin status --json`.
fn secret<'a>(json: &'a str, name: &str, field: &str) -> Option<&'a str> {
    let object = block(json, &format!(r#""{name}":{{"#), "}")?;
    let value = block(object, &format!(r#""{field}":"#), ",")?;
    Some(value)
}

fn pin_status(env: &Env) -> Result<()> {
    let status = || -> Result<String> {
        success(
            "jpki-tool pin status --json",
            run(tool(env)?.args(["pin", "status", "--json"]))?,
        )
    };
    let tries = |json: &str| {
        (
            secret(json, "sign_password", "tries_left").map(str::to_owned),
            secret(json, "pin4", "tries_left").map(str::to_owned),
        )
    };
    let json = status()?;
    ensure!(
        tries(&json) == (Some("5".into()), Some("3".into()))
            && secret(&json, "puk", "set") == Some("false"),
        "as issued, not 5 and 3 tries with no PUK: {json}"
    );
    let respond = |pin: &str| -> Result<_> {
        run_with_stdin(
            tool(env)?.args([
                "--pin-stdin",
                "auth",
                "respond",
                "ng-challenge.txt",
                "-o",
                "ng-pin.txt",
            ]),
            &format!("{pin}\n"),
        )
    };
    let wrong = respond("0000")?;
    ensure!(
        wrong.status.code() == Some(3) && text(&wrong).contains("2 tries left"),
        "a wrong 4-digit PIN: {} {}",
        wrong.status,
        text(&wrong)
    );
    let json = status()?;
    ensure!(
        tries(&json) == (Some("5".into()), Some("2".into())),
        "after a wrong 4-digit PIN, not 5 and 2: {json}"
    );
    // the right PIN verified refills its counter (the signing password's is untouched)
    success("jpki-tool auth respond (right PIN)", respond(NG_PIN4)?)?;
    let json = status()?;
    ensure!(
        tries(&json) == (Some("5".into()), Some("3".into())),
        "after the right 4-digit PIN, not 5 and 3: {json}"
    );
    Ok(())
}

/// The NG card's trace: its 4-digit PIN and signing password went to the card (VERIFY `82`,
/// `81` with data) and only as `<redacted N bytes>`, never in the clear or as hex.
pub(super) fn trace_clean(trace: &str) -> Result<()> {
    let verify: Vec<&str> = trace
        .lines()
        .filter(|l| l.starts_with("> 00 20 00 81 ") || l.starts_with("> 00 20 00 82 "))
        .collect();
    ensure!(
        verify
            .iter()
            .any(|l| l.starts_with("> 00 20 00 81 0A <redacted"))
            && verify
                .iter()
                .any(|l| l.starts_with("> 00 20 00 82 04 <redacted")),
        "the NG trace holds no redacted VERIFY of both secrets: {verify:?}"
    );
    ensure!(
        verify.iter().all(|l| l.contains("<redacted")),
        "a VERIFY with its data in the clear: {verify:?}"
    );
    for secret in [NG_PIN4, NG_SIGN_PASSWORD] {
        ensure!(
            !trace.contains(&super::hex_upper(secret)),
            "a next-generation secret leaked into the trace as hex"
        );
    }
    ensure!(
        !trace.contains(NG_SIGN_PASSWORD),
        "the signing password leaked into the trace"
    );
    Ok(())
}
