//! `jpki-sim admin revoke` and `admin release` end to end: each CPS reason on the card's
//! municipality CRL, a revoked certificate left as it is, a hold released or made permanent,
//! and the refusals with their exit codes.

use test_support::cards;
#[path = "support/sim.rs"]
mod sim;

use std::path::Path;

use cards::temp_dir;
use cert::{RevocationReason, Serial};
use sim::{fails, ok, s};

/// `authority init` and a My Number card of the test holder (municipality 13101).
fn issue(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let authority = dir.join("authority");
    let out = ok(&["authority", "init", s(&authority)], "");
    assert!(out.contains("CRLs: "), "{out}");
    assert!(authority.join("crl/sign-arl.crl").exists());
    assert!(authority.join("crl/auth-arl.crl").exists());
    let (authority, card, _) = sim::issue_my_number(dir);
    (authority, card)
}

#[test]
fn revoke_and_release_a_hold_from_the_command_line() {
    let dir = temp_dir("cli-revoke");
    let (authority, card) = issue(&dir);
    let first = sim::first_serial(&authority);
    let sign = Serial::from(first + 1);
    let target = ["--authority", s(&authority), "--card", s(&card)];
    let cli = |verb: &str, extra: &[&'static str]| -> Vec<String> {
        let mut args = vec!["admin".to_owned(), verb.to_owned()];
        args.extend(target.iter().map(|a| (*a).to_owned()));
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        args
    };
    let run_ok = |args: &[String]| ok(&args.iter().map(String::as_str).collect::<Vec<_>>(), "");
    let run_fails = |args: &[String], code| {
        fails(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            "",
            code,
        )
    };
    let hold = cli(
        "revoke",
        &["--cert", "sign", "--reason", "certificate-hold"],
    );

    let out = run_ok(&hold);
    assert!(out.contains("revoked (certificateHold)"), "{out}");
    assert!(out.contains("sign-13101.crl"), "{out}");
    let entry = sim::holder_crl(&authority, "sign").lookup(sign).unwrap();
    assert_eq!(entry.reason, Some(RevocationReason::CertificateHold));
    assert!(sim::holder_crl(&authority, "auth").is_empty());
    // again: reported, nothing changed
    let before = std::fs::read(authority.join("crl/sign-13101.crl")).unwrap();
    let out = run_ok(&hold);
    assert!(
        out.contains("already revoked (certificateHold); nothing changed"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(authority.join("crl/sign-13101.crl")).unwrap(),
        before
    );

    let release = cli("release", &["--cert", "sign"]);
    let out = run_ok(&release);
    assert!(out.contains("released from hold"), "{out}");
    assert!(sim::holder_crl(&authority, "sign").lookup(sign).is_none());
    let err = run_fails(&release, 6);
    assert!(err.contains("not revoked"), "{err}");

    // held, then made permanent; a final revocation is not released
    run_ok(&hold);
    let out = run_ok(&cli(
        "revoke",
        &["--cert", "sign", "--reason", "key-compromise"],
    ));
    assert!(
        out.contains("was on hold; now revoked for good (keyCompromise)"),
        "{out}"
    );
    let entry = sim::holder_crl(&authority, "sign").lookup(sign).unwrap();
    assert_eq!(entry.reason, Some(RevocationReason::KeyCompromise));
    let err = run_fails(&release, 6);
    assert!(err.contains("revoked for good (keyCompromise)"), "{err}");
    let out = run_ok(&cli(
        "revoke",
        &["--cert", "sign", "--reason", "superseded"],
    ));
    assert!(out.contains("already revoked (keyCompromise)"), "{out}");

    // the authentication certificate, on the authentication partition
    let out = run_ok(&cli(
        "revoke",
        &["--cert", "auth", "--reason", "cessation-of-operation"],
    ));
    assert!(out.contains("auth-13101.crl"), "{out}");
    let entry = sim::holder_crl(&authority, "auth")
        .lookup(Serial::from(first))
        .unwrap();
    assert_eq!(entry.reason, Some(RevocationReason::CessationOfOperation));

    // the authority's status names the partition and both revocations
    let out = ok(&["authority", "status", s(&authority)], "");
    for expected in [
        &format!("next serial: {:08X}", first + 2),
        "municipalities (CRL partitions): 1",
        "  13101 Tokyo-to Chiyoda-ku",
        "revoked: 2",
        &format!("  sign {sign} 13101 (keyCompromise, "),
        &format!("  auth {first:08X} 13101 (cessationOfOperation, "),
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }

    // a reason outside the CPS's is a usage error that lists the CPS's
    let args = cli("revoke", &["--cert", "auth", "--reason", "ca-compromise"]);
    let out = sim::run_jpki_sim(&args.iter().map(String::as_str).collect::<Vec<_>>(), "");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cessation-of-operation, certificate-hold"),
        "{err}"
    );
}

/// Every CRL of `authority` fresh now: thisUpdate not after now, nextUpdate after it.
fn assert_crls_fresh(authority: &std::path::Path) {
    let now = cert::time::OffsetDateTime::now_utc();
    for entry in std::fs::read_dir(authority.join("crl")).unwrap() {
        let path = entry.unwrap().path();
        let crl = cert::Crl::from_der(&std::fs::read(&path).unwrap()).unwrap();
        assert!(crl.this_update() <= now, "{}", path.display());
        assert!(!crl.is_stale_at(now), "{} is stale", path.display());
    }
}

/// A card issued with a past date (a Juki card of 2015) does not leave the authority's CRLs
/// dated 2015 (stale for every relying party), and `authority publish` is the daily update.
#[test]
fn back_dated_issuance_and_publish_keep_the_crls_current() {
    let dir = temp_dir("cli-publish");
    let (authority, _card) = issue(&dir);
    sim::issue_juki(&authority, &dir.join("juki"));
    assert_crls_fresh(&authority);
    let this_update = |p: &std::path::Path| {
        let crl = cert::Crl::from_der(&std::fs::read(p.join("crl/sign-arl.crl")).unwrap()).unwrap();
        crl.this_update()
    };
    let before = this_update(&authority);
    let out = ok(&["authority", "publish", s(&authority)], "");
    // one municipality (13101) in two hierarchies, and the two ARLs
    assert!(out.contains("4 CRLs published"), "{out}");
    assert!(this_update(&authority) >= before);
    assert_crls_fresh(&authority);
}
