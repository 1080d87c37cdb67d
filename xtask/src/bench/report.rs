//! The signing-path report of `cargo xtask bench`: criterion's estimates against the openssl
//! anchor, as the Markdown table written to BENCHMARKS.md (the P-384 section of issue 18 comes
//! from `p384.rs`, appended at the end).

use std::path::Path;

use anyhow::{Result, bail};

use super::{Machine, OpensslSpeed, P384Anchor};

/// The mean (ns) of one criterion benchmark, if this run wrote it.
fn criterion_mean(dir: &Path, id: &str, since: std::time::SystemTime) -> Option<f64> {
    let path = dir.join(id).join("new").join("estimates.json");
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= since);
    if !fresh {
        return None;
    }
    json_mean(&std::fs::read_to_string(path).ok()?)
}

/// `{"mean":{"confidence_interval":{..},"point_estimate":1234.5,..},..}` → 1234.5: a hand
/// parser for the one number needed (xtask stays free of serde).
fn json_mean(json: &str) -> Option<f64> {
    let mean = json.find("\"mean\"")?;
    let rest = &json[mean..];
    let key = "\"point_estimate\"";
    let at = rest.find(key)? + key.len();
    let value = rest[at..].trim_start().strip_prefix(':')?.trim_start();
    let end = value
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .unwrap_or(value.len());
    value[..end].parse().ok().filter(|v: &f64| v.is_finite())
}

/// The raw `rsa` sign every `rsa`-engine layer is compared with.
const RAW_RSA: &str = "1-raw/rsa-sign-blinded";
/// The raw OpenSSL operation every `openssl`-engine layer is compared with.
const RAW_OPENSSL: &str = "engine/openssl-private-encrypt";

/// The signing path's layers as the `sign_path` bench names them: (id, label, the raw sign its
/// overhead is counted against).
const LAYERS: &[(&str, &str, Option<&str>)] = &[
    (
        RAW_RSA,
        "1 raw sign, `rsa` 0.10 blinded (the card's default engine)",
        None,
    ),
    (
        "1-raw/rsa-sign-unblinded",
        "1 raw sign, `rsa` 0.10 unblinded (reference)",
        None,
    ),
    (
        "2-card/compute-signature-rsa",
        "2 card: COMPUTE DIGITAL SIGNATURE handler, engine `rsa`",
        Some(RAW_RSA),
    ),
    (
        "3-client/applet-sign-rsa",
        "3 client: `JpkiApplet::sign` over SimCard (5 APDUs), engine `rsa`",
        Some(RAW_RSA),
    ),
    (
        "4-cms/sign-1MiB-rsa",
        "4 CMS detached signature of 1 MiB, engine `rsa`",
        Some(RAW_RSA),
    ),
    (
        "5-pcsc/sign",
        "5 PC/SC: `JpkiApplet::sign` via pcscd + vpcd (`jpki-sim serve --engine rsa`, release)",
        Some(RAW_RSA),
    ),
    (
        RAW_OPENSSL,
        "1 raw sign, OpenSSL `RSA_private_encrypt` blinded (the fast engine's operation)",
        None,
    ),
    (
        "2-card/compute-signature-openssl",
        "2 card: COMPUTE DIGITAL SIGNATURE handler, engine `openssl` (fast-engine)",
        Some(RAW_OPENSSL),
    ),
    (
        "3-client/applet-sign-openssl",
        "3 client: `JpkiApplet::sign` over SimCard, engine `openssl`",
        Some(RAW_OPENSSL),
    ),
    (
        "4-cms/sign-1MiB-openssl",
        "4 CMS detached signature of 1 MiB, engine `openssl`",
        Some(RAW_OPENSSL),
    ),
    (
        "engine/rsa-raw-blinded",
        "`rsa` 0.10 blinded, raw DigestInfo (same group as the OpenSSL raw row)",
        None,
    ),
];

/// Benchmarks outside the signing path shown in the report: (criterion id, label).
const OTHERS: &[(&str, &str)] = &[
    (
        "command/decode_sign_4s",
        "decode a C-APDU: COMPUTE DIGITAL SIGNATURE, case 4 short (57 bytes)",
    ),
    ("command/encode_sign_4s", "encode that C-APDU"),
    (
        "command/decode_write_4e_4k",
        "decode a C-APDU: case 4 extended with 4 KiB of data",
    ),
    ("response/decode_256", "decode an R-APDU of 256 bytes + SW"),
    (
        "parse_signature_cert",
        "parse a JPKI signature certificate (typed view with the 4 facts)",
    ),
    (
        "verify_chain",
        "verify a certificate chain (EE → CA, RSA-2048)",
    ),
    (
        "crl_lookup/hit/1000000",
        "look up a revoked serial in a CRL of 1,000,000 entries",
    ),
    (
        "verify/in-memory",
        "card: VERIFY with the right PIN, in memory",
    ),
    (
        "verify/file-backed",
        "card: VERIFY with the right PIN, counter written and fsynced before and after",
    ),
];

pub(super) fn bench_report(
    machine: &Machine,
    anchor_cpu: &OpensslSpeed,
    anchor: &OpensslSpeed,
    p384_anchor: &Result<P384Anchor, String>,
    criterion: &Path,
    since: std::time::SystemTime,
) -> Result<String> {
    use std::fmt::Write as _;

    let mean = |id: &str| criterion_mean(criterion, id, since);
    if mean(RAW_RSA).is_none() {
        bail!(
            "no fresh sign_path results under {} (did the jpki-tool bench run?)",
            criterion.display()
        );
    }
    let openssl_ns = 1e9 / anchor.sign_per_s;
    let ms = |ns: f64| ns / 1e6;

    let mut s = String::new();
    let w = &mut s;
    writeln!(
        w,
        "# Benchmarks: the RSA-2048 signing path (issue 8), P-384 for the next-generation card \
         (issue 18)\n"
    )?;
    writeln!(
        w,
        "Written by `cargo xtask bench` ({}). One run on a shared, noisy machine: read ratios \
         as ±15 %, not as a trend.\n",
        machine.date
    )?;
    writeln!(
        w,
        "Machine: {} CPUs, {}; {}; {}; load average at start {}.\n",
        machine.cpus, machine.cpu_model, machine.rustc, machine.openssl, machine.load
    )?;
    writeln!(
        w,
        "Anchor, same command: `openssl speed -seconds 3 rsa2048` = {:.1} sign/s, {:.1} \
         verify/s (divided by user CPU time, openssl's default); with `-elapsed` (wall clock, \
         as criterion measures) = {:.1} sign/s ({:.3} ms), {:.1} verify/s. Ratios below use \
         the wall-clock figure.\n",
        anchor_cpu.sign_per_s,
        anchor_cpu.verify_per_s,
        anchor.sign_per_s,
        ms(openssl_ns),
        anchor.verify_per_s
    )?;
    writeln!(
        w,
        "| layer | time per signature | signatures/s | ours / openssl | over raw sign |"
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|")?;
    for (id, what, base) in LAYERS {
        let Some(ns) = mean(id) else {
            if id.starts_with("5-") || id.contains("openssl") {
                writeln!(w, "| {what} | not run | | | |")?;
            }
            continue;
        };
        let over = base
            .and_then(&mean)
            .map(|b| format!("{:+.1} %", (ns / b - 1.0) * 100.0))
            .unwrap_or_default();
        writeln!(
            w,
            "| {what} | {:.3} ms | {:.1} | {:.2}× | {over} |",
            ms(ns),
            1e9 / ns,
            ns / openssl_ns
        )?;
    }
    if let Some(ns) = mean("1-raw/rsa-verify") {
        writeln!(
            w,
            "| 1 raw verify, `rsa` 0.10 (verify/s) | {:.1} µs | {:.1} | {:.2}× | |",
            ns / 1e3,
            1e9 / ns,
            ns / (1e9 / anchor.verify_per_s)
        )?;
    }
    let apdu = mean("5-pcsc/apdu");
    if let Some(ns) = apdu {
        writeln!(
            w,
            "\nPC/SC latency per APDU (VERIFY without data, `63 Cx`): {:.3} ms.",
            ms(ns)
        )?;
    }
    writeln!(
        w,
        "\nAPDU codec, certificates and the card's PIN state, same run \
         (`crates/apdu/benches/apdu.rs`, `crates/cert/benches/cert.rs`, \
         `crates/card-sim/benches/card.rs`; all figures in {}/report/index.html):\n",
        criterion.display()
    )?;
    writeln!(w, "| operation | time | per second |")?;
    writeln!(w, "|---|---:|---:|")?;
    for (id, what) in OTHERS {
        if let Some(ns) = mean(id) {
            let time = if ns >= 1e6 {
                format!("{:.3} ms", ns / 1e6)
            } else if ns >= 1e3 {
                format!("{:.2} µs", ns / 1e3)
            } else {
                format!("{ns:.1} ns")
            };
            writeln!(w, "| {what} | {time} | {:.0} |", 1e9 / ns)?;
        }
    }
    if let (Some(ours), Some(theirs)) = (
        mean("crl_load/cert_read_and_parse/1000000"),
        mean("crl_load/openssl_crl_noout/1000000"),
    ) {
        writeln!(
            w,
            "\nCRL of 1,000,000 entries: `cert` reads and indexes it in {:.0} ms, `openssl crl \
             -noout` (a process, same run) takes {:.0} ms: ratio {:.2}.",
            ours / 1e6,
            theirs / 1e6,
            ours / theirs
        )?;
    }
    writeln!(w)?;

    writeln!(w, "## Targets\n")?;
    for (id, name) in [
        (
            "2-card/compute-signature-rsa",
            "layer 2 adds under 5 % to raw sign (engine `rsa`)",
        ),
        (
            "3-client/applet-sign-rsa",
            "layer 3 adds under 5 % to raw sign (engine `rsa`)",
        ),
        (
            "2-card/compute-signature-openssl",
            "layer 2 adds under 5 % to raw sign (engine `openssl`)",
        ),
        (
            "3-client/applet-sign-openssl",
            "layer 3 adds under 5 % to raw sign (engine `openssl`)",
        ),
    ] {
        let base = LAYERS
            .iter()
            .find(|l| l.0 == id)
            .and_then(|l| l.2)
            .and_then(&mean);
        match (mean(id), base) {
            (Some(ns), Some(b)) => {
                let p = (ns / b - 1.0) * 100.0;
                writeln!(
                    w,
                    "- {name}: {} ({p:+.1} % by time)",
                    if p < 5.0 { "met" } else { "NOT met" }
                )?
            }
            _ => writeln!(w, "- {name}: not measured")?,
        }
    }
    match apdu {
        Some(ns) => writeln!(
            w,
            "- PC/SC path under 1 ms per APDU on loopback: {} ({:.3} ms)",
            if ns < 1e6 { "met" } else { "NOT met" },
            ms(ns)
        )?,
        None => writeln!(
            w,
            "- PC/SC path under 1 ms per APDU on loopback: not measured (set JPKI_BENCH_READER)"
        )?,
    }
    // The card's operation on the fast engine: the whole COMPUTE DIGITAL SIGNATURE handler,
    // not only the raw OpenSSL call.
    let best_engine = mean("2-card/compute-signature-openssl");
    match best_engine {
        Some(ns) => writeln!(
            w,
            "- fast engine within 1.15× of `openssl speed rsa2048` (the card's COMPUTE DIGITAL \
             SIGNATURE on engine `openssl`): {} ({:.2}× wall clock; {:.2}× against openssl's \
             CPU-time figure)",
            if ns / openssl_ns <= 1.15 {
                "met"
            } else {
                "NOT met"
            },
            ns / openssl_ns,
            ns * anchor_cpu.sign_per_s / 1e9
        )?,
        None => writeln!(
            w,
            "- fast engine within 1.15× of `openssl speed rsa2048`: not measured (filtered out, \
             or feature fast-engine unavailable: it needs libssl-dev and pkg-config)"
        )?,
    }
    writeln!(
        w,
        "- no allocation or copy of the key per signature: not measurable by timing; see the notes \
         (`JPKI_BENCH_PROFILE` + `valgrind --tool=dhat`)."
    )?;
    writeln!(w)?;
    super::p384::section(w, &mean, p384_anchor, anchor)?;
    Ok(s)
}
