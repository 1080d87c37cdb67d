//! The P-384 section of `cargo xtask bench`'s report (issue 18, shared/next-gen-profile.md
//! §2.9): the `p384` crate against `openssl speed ecdsap384`, RSA-2048 on both engines from the
//! same run, and the two goals with what this run measured of them.
//!
//! A figure this run did not produce is written as not run / not yet measured, never taken from
//! an older run (the caller's `mean` only sees fresh criterion results).

use std::fmt::{self, Write as _};

use super::{OpensslSpeed, P384Anchor};

/// `p384` `sign_prehash`, RFC 6979 nonce (`crates/cert/benches/ecdsa.rs`).
const SIGN_RFC6979: &str = "p384/sign-prehash-rfc6979";
/// `p384` `sign_prehash_with_rng`, randomized nonce (same bench).
const SIGN_RANDOMIZED: &str = "p384/sign-prehash-randomized";
/// `p384` `verify_prehash` (same bench).
const VERIFY: &str = "p384/verify-prehash";
/// `rsa` 0.10 PKCS#1 v1.5 sign, blinded (same bench).
const RSA_SIGN: &str = "rsa-2048/sign-blinded";
/// `rsa` 0.10 verify (same bench).
const RSA_VERIFY: &str = "rsa-2048/verify";
/// OpenSSL's RSA-2048 private operation, the card's fast engine (jpki-tool's `sign_path`, feature
/// `fast-engine`).
const OPENSSL_RSA_SIGN: &str = "engine/openssl-private-encrypt";
/// A 2-certificate P-384 chain checked with the raw crates (`crates/cert/benches/ecdsa.rs`).
const CHAIN_RAW: &str = "p384-chain/raw-ee-under-ca";
/// The same kind of chain through the `cert` API with a 10⁴-entry P-384 CRL
/// (`crates/cert/benches/ecdsa.rs`).
const CHAIN_CERT_API: &str = "p384-chain/cert-api-with-crl";
/// The same with the CRL's signature checked once when loaded, outside the timed loop.
const CHAIN_CRL_ONCE: &str = "p384-chain/cert-api-crl-verified-once";
/// The next-generation card's COMPUTE DIGITAL SIGNATURE handler in process (jpki-tool's
/// `sign_path` bench).
const CARD_SIGN: &str = "2-card/compute-signature-p384";
/// One NG signature over pcscd + vpcd (jpki-tool's `sign_path` bench, layer 5, when
/// `JPKI_BENCH_NG_READER` names a reader with a next-generation card: this xtask serves one on
/// the second vpcd reader, `interop::bench_reader`).
const PCSC_SIGN: &str = "5-pcsc/sign-p384";

/// Goal of issue 18: the card's P-384 signature in process, as a fraction of OpenSSL's.
const CARD_GOAL: f64 = 0.35;
/// Goal of issue 18: P-384 chain + CRL lookup verify, as a multiple of one OpenSSL verify.
const CHAIN_GOAL: f64 = 1.0;

/// Which OpenSSL figure of the same run a row is set against.
#[derive(Clone, Copy)]
enum Against {
    /// `openssl speed ecdsap384` sign.
    EcSign,
    /// `openssl speed ecdsap384` verify (a chain of two certificates checks one signature).
    EcVerify,
    /// `openssl speed rsa2048` sign.
    RsaSign,
    /// `openssl speed rsa2048` verify.
    RsaVerify,
}

/// The rows: (criterion id, label, compared with, measured by a bench that exists yet).
const ROWS: &[(&str, &str, Against, bool)] = &[
    (
        SIGN_RFC6979,
        "P-384 sign, `p384` `sign_prehash` over a SHA-384 hash (RFC 6979 nonce)",
        Against::EcSign,
        true,
    ),
    (
        SIGN_RANDOMIZED,
        "P-384 sign, `p384` `sign_prehash_with_rng` (randomized nonce)",
        Against::EcSign,
        true,
    ),
    (
        VERIFY,
        "P-384 verify, `p384` `verify_prehash`",
        Against::EcVerify,
        true,
    ),
    (
        CHAIN_RAW,
        "P-384 chain EE → CA, raw crates (parse, SHA-384 of the tbsCertificate, verify)",
        Against::EcVerify,
        true,
    ),
    (
        CHAIN_CERT_API,
        "P-384 chain EE → CA + CRL lookup, `cert` API",
        Against::EcVerify,
        true,
    ),
    (
        CHAIN_CRL_ONCE,
        "P-384 chain EE → CA + CRL lookup, `cert` API, CRL signature checked once when loaded",
        Against::EcVerify,
        true,
    ),
    (
        CARD_SIGN,
        "NG card in process: COMPUTE DIGITAL SIGNATURE (P-384) handler",
        Against::EcSign,
        true,
    ),
    (
        PCSC_SIGN,
        "NG card over PC/SC: one signature via pcscd + vpcd",
        Against::EcSign,
        true,
    ),
    (
        RSA_SIGN,
        "RSA-2048 sign, `rsa` 0.10 blinded (engine `rsa`)",
        Against::RsaSign,
        true,
    ),
    (
        OPENSSL_RSA_SIGN,
        "RSA-2048 sign, OpenSSL `RSA_private_encrypt` (engine `openssl`, jpki-tool's `sign_path`)",
        Against::RsaSign,
        true,
    ),
    (
        RSA_VERIFY,
        "RSA-2048 verify, `rsa` 0.10",
        Against::RsaVerify,
        true,
    ),
];

/// A time in ns as ms, µs or ns.
fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// Writes the P-384 section. `mean` gives this run's criterion mean (ns) by id; `p384` is the
/// `openssl speed ecdsap384` anchor or why there is none; `rsa` is `openssl speed rsa2048` by
/// wall clock.
pub(super) fn section(
    w: &mut String,
    mean: &dyn Fn(&str) -> Option<f64>,
    p384: &Result<P384Anchor, String>,
    rsa: &OpensslSpeed,
) -> fmt::Result {
    writeln!(w, "## P-384 for the next-generation card (issue 18)\n")?;
    match p384 {
        Ok(a) => writeln!(
            w,
            "Anchor, same run: `openssl speed -seconds 3 ecdsap384` = {:.1} sign/s, {:.1} \
             verify/s (user CPU time); with `-elapsed` = {:.1} sign/s ({}), {:.1} verify/s ({}). \
             Ratios use the wall-clock figures; RSA rows use `openssl speed rsa2048` above. \
             Benches: `crates/cert/benches/ecdsa.rs` (keys from fixed seeds; hash prepared \
             outside the loop, as a card receives it).\n",
            a.cpu.sign_per_s,
            a.cpu.verify_per_s,
            a.wall.sign_per_s,
            time(1e9 / a.wall.sign_per_s),
            a.wall.verify_per_s,
            time(1e9 / a.wall.verify_per_s),
        )?,
        Err(why) => writeln!(
            w,
            "No OpenSSL P-384 figure in this run ({why}): the P-384 rows have no OpenSSL \
             column and the goals below are not measured.\n"
        )?,
    }
    let openssl_ns = |against: Against| -> Option<f64> {
        let per_s = match against {
            Against::EcSign => p384.as_ref().ok()?.wall.sign_per_s,
            Against::EcVerify => p384.as_ref().ok()?.wall.verify_per_s,
            Against::RsaSign => rsa.sign_per_s,
            Against::RsaVerify => rsa.verify_per_s,
        };
        Some(1e9 / per_s)
    };

    writeln!(
        w,
        "| operation | time | per second | OpenSSL, same run | ours / OpenSSL |"
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|")?;
    for &(id, what, against, exists) in ROWS {
        let theirs = openssl_ns(against);
        let theirs_text = theirs.map(time).unwrap_or_else(|| "no figure".into());
        match mean(id) {
            Some(ns) => {
                let ratio = theirs
                    .map(|t| format!(" {:.2}× ", ns / t))
                    .unwrap_or_else(|| " ".into());
                writeln!(
                    w,
                    "| {what} | {} | {:.0} | {theirs_text} |{ratio}|",
                    time(ns),
                    1e9 / ns
                )?;
            }
            None if exists => writeln!(w, "| {what} | not run | | {theirs_text} | |")?,
            None => writeln!(
                w,
                "| {what} | not yet measured (no `{id}` bench yet) | | {theirs_text} | |"
            )?,
        }
    }

    // The two algorithms side by side, on each engine.
    let side = |ec: &str, rsa_id: &str| mean(ec).zip(mean(rsa_id)).map(|(e, r)| e / r);
    let mut pairs = Vec::new();
    if let Some(r) = side(SIGN_RFC6979, RSA_SIGN) {
        pairs.push(format!(
            "`p384` P-384 sign takes {r:.2}× the time of `rsa` RSA-2048 sign"
        ));
    }
    if let Some(r) = side(VERIFY, RSA_VERIFY) {
        pairs.push(format!("P-384 verify {r:.2}× RSA-2048 verify"));
    }
    if let Ok(a) = p384 {
        pairs.push(format!(
            "OpenSSL: P-384 sign {:.2}× RSA-2048 sign, verify {:.2}×",
            rsa.sign_per_s / a.wall.sign_per_s,
            rsa.verify_per_s / a.wall.verify_per_s
        ));
    }
    if !pairs.is_empty() {
        writeln!(
            w,
            "\nP-384 against RSA-2048, same run: {}.",
            pairs.join("; ")
        )?;
    }

    writeln!(w, "\n### Goals (issue 18)\n")?;
    writeln!(w, "| goal | target | measured | status |")?;
    writeln!(w, "|---|---:|---:|---|")?;
    goal(
        w,
        "card-in-process P-384 signature (NG card's COMPUTE DIGITAL SIGNATURE handler) against \
         `openssl speed ecdsap384` sign",
        CARD_GOAL,
        mean(CARD_SIGN).zip(openssl_ns(Against::EcSign)),
        CARD_SIGN,
        mean(SIGN_RANDOMIZED)
            .zip(openssl_ns(Against::EcSign))
            .map(|(ns, t)| format!("raw `p384` randomized sign alone: {:.2}×", ns / t)),
    )?;
    goal(
        w,
        "P-384 chain + CRL lookup verify (`cert` API) against one `openssl speed ecdsap384` \
         verify",
        CHAIN_GOAL,
        mean(CHAIN_CERT_API).zip(openssl_ns(Against::EcVerify)),
        CHAIN_CERT_API,
        mean(CHAIN_RAW)
            .zip(openssl_ns(Against::EcVerify))
            .map(|(ns, t)| format!("raw-crate chain without CRL: {:.2}×", ns / t)),
    )?;
    // What the goal row checks is two signatures (certificate and CRL) on every call; the row
    // above with the CRL checked once is the reading where the CRL is verified when loaded.
    match mean(CHAIN_CRL_ONCE).zip(openssl_ns(Against::EcVerify)) {
        Some((ns, t)) => writeln!(
            w,
            "\nWith the CRL's signature checked once when loaded (`{CHAIN_CRL_ONCE}`): {:.2}× \
             one OpenSSL verify.",
            ns / t
        ),
        None => Ok(()),
    }
}

/// One goal row: `figures` is (ours, OpenSSL's) in ns when both were measured; `hint` a related
/// figure shown while the goal itself is not measured.
fn goal(
    w: &mut String,
    what: &str,
    target: f64,
    figures: Option<(f64, f64)>,
    id: &str,
    hint: Option<String>,
) -> fmt::Result {
    match figures {
        Some((ours, theirs)) => {
            let ratio = ours / theirs;
            writeln!(
                w,
                "| {what} | ≤ {target:.2}× | {ratio:.2}× | {} |",
                if ratio <= target { "met" } else { "NOT met" }
            )
        }
        None => {
            let hint = hint.map(|h| format!("; {h}")).unwrap_or_default();
            writeln!(
                w,
                "| {what} | ≤ {target:.2}× | | not yet measured (needs `{id}` and the OpenSSL \
                 anchor in the same run{hint}) |"
            )
        }
    }
}

#[cfg(test)]
mod tests;
