//! `jpki-sim issue` applies the issuance rules of spec §1: no signature certificate under 15,
//! a card for a holder under 18 that ends on the 5th birthday, `--stay-until` for a foreign
//! resident, and Juki cards only with an issuing date before 2016.

use test_support::cards;
#[path = "support/sim.rs"]
mod sim;

use std::path::{Path, PathBuf};

use cards::{HOLDER, temp_dir};
use sim::{fails, ok, s};

/// Every issue of these tests happens on this (past) date, so the holders' ages are fixed.
const ISSUED: &str = "2026-04-01";

/// The test holder's arguments, born on `birth`.
fn holder_born(birth: &str) -> Vec<&str> {
    let mut args = HOLDER.to_vec();
    let at = args.iter().position(|a| *a == "--birth").unwrap() + 1;
    args[at] = birth;
    args
}

/// A new authority in `dir/authority`.
fn authority(dir: &Path) -> PathBuf {
    let authority = dir.join("authority");
    ok(&["authority", "init", s(&authority)], "");
    authority
}

/// The `issue` arguments of a My Number card from `authority` into `card` for a holder born
/// on `birth`, then `extra`.
fn issue_args<'a>(
    authority: &'a Path,
    card: &'a Path,
    birth: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "issue",
        "--authority",
        s(authority),
        "--out",
        s(card),
        "--my-number",
        "123456789018",
        "--pin-stdin",
    ];
    args.extend(holder_born(birth));
    args.extend(extra);
    args
}

fn inspect(card: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(&["inspect", "--card", s(card), "--json"], "")).unwrap()
}

#[test]
fn under_15_a_card_without_signature_certificate_only() {
    let dir = temp_dir("sim-rules-under-15");
    let authority = authority(&dir);
    let child = dir.join("child");
    // 15 the day after the issuing date: refused before any PIN is read
    let err = fails(
        &issue_args(&authority, &child, "2011-04-02", &["--issued", ISSUED]),
        "",
        6,
    );
    assert!(
        err.contains(
            "holders under 15 get no signature certificate (JPKI rule); issue with --no-sign"
        ),
        "{err}"
    );
    assert!(!child.exists());
    ok(
        &issue_args(
            &authority,
            &child,
            "2011-04-02",
            &["--issued", ISSUED, "--no-sign"],
        ),
        "1234\n5678\n",
    );
    let v = inspect(&child);
    assert_eq!(v["signature_certificate"], serde_json::Value::Null, "{v}");
    // under 18 too: the card and its certificate end on the 5th birthday after issue
    assert_eq!(v["card_expiry"], "2030-04-02", "{v}");
    assert_eq!(
        v["authentication_certificate"]["not_after"], "2030-04-02 23:59:59 JST",
        "{v}"
    );
}

#[test]
fn under_18_the_card_ends_on_the_5th_birthday() {
    let dir = temp_dir("sim-rules-under-18");
    let authority = authority(&dir);
    let minor = dir.join("minor");
    let err = fails(
        &issue_args(
            &authority,
            &minor,
            "2009-06-15",
            &["--issued", ISSUED, "--card-expiry", "2035-06-15"],
        ),
        "",
        6,
    );
    assert!(
        err.contains("is after 2030-06-15, the latest allowed (the 5th birthday after issue for a holder under 18)"),
        "{err}"
    );
    ok(
        &issue_args(&authority, &minor, "2009-06-15", &["--issued", ISSUED]),
        "1234\nABC123\n5678\n",
    );
    let v = inspect(&minor);
    assert_eq!(v["card_expiry"], "2030-06-15", "{v}");
    for c in ["authentication_certificate", "signature_certificate"] {
        assert_eq!(v[c]["not_after"], "2030-06-15 23:59:59 JST", "{v}");
    }
    // an adult's default: the 10th birthday after issue
    let adult = dir.join("adult");
    ok(
        &issue_args(&authority, &adult, "1990-01-01", &["--issued", ISSUED]),
        "1234\nABC123\n5678\n",
    );
    assert_eq!(inspect(&adult)["card_expiry"], "2036-01-01");
}

#[test]
fn stay_until_ends_the_card_and_both_certificates() {
    let dir = temp_dir("sim-rules-stay");
    let authority = authority(&dir);
    let resident = dir.join("resident");
    ok(
        &issue_args(
            &authority,
            &resident,
            "1990-01-01",
            &["--issued", ISSUED, "--stay-until", "2028-03-31"],
        ),
        "1234\nABC123\n5678\n",
    );
    let v = inspect(&resident);
    assert_eq!(v["card_expiry"], "2028-03-31", "{v}");
    for c in ["authentication_certificate", "signature_certificate"] {
        assert_eq!(v[c]["not_after"], "2028-03-31 23:59:59 JST", "{v}");
    }
    let late = dir.join("late");
    let err = fails(
        &issue_args(
            &authority,
            &late,
            "1990-01-01",
            &[
                "--issued",
                ISSUED,
                "--stay-until",
                "2028-03-31",
                "--card-expiry",
                "2028-04-01",
            ],
        ),
        "",
        6,
    );
    assert!(
        err.contains("the end of the period of stay (--stay-until)"),
        "{err}"
    );
    let err = fails(
        &issue_args(
            &authority,
            &late,
            "1990-01-01",
            &["--issued", ISSUED, "--stay-until", "2026-03-31"],
        ),
        "",
        6,
    );
    assert!(
        err.contains("the period of stay ends before the issuing date"),
        "{err}"
    );
    assert!(!late.exists());
}

#[test]
fn a_juki_card_needs_an_issuing_date_before_2016() {
    let dir = temp_dir("sim-rules-juki");
    let authority = authority(&dir);
    let juki = dir.join("juki");
    let mut args = vec![
        "issue",
        "--authority",
        s(&authority),
        "--out",
        s(&juki),
        "--profile",
        "juki",
        "--pin-stdin",
    ];
    args.extend(HOLDER);
    let err = fails(&args, "JUKI01\n", 6);
    assert!(
        err.contains("new Juki cards (住基カード) were issued only until 2015-12-31"),
        "{err}"
    );
    assert!(err.contains("--issued"), "{err}");
    for late in ["2016-01-01", ISSUED] {
        let mut with_date = args.clone();
        with_date.extend(["--issued", late]);
        fails(&with_date, "JUKI01\n", 6);
    }
    assert!(!juki.exists());
    let out = sim::issue_juki(&authority, &juki);
    assert!(out.contains("issued Juki card"), "{out}");
    let v = inspect(&juki);
    // three years from 2015-06-01
    assert_eq!(
        v["signature_certificate"]["not_before"], "2015-06-01 10:00:00 JST",
        "{v}"
    );
    assert_eq!(
        v["signature_certificate"]["not_after"], "2018-06-01 23:59:59 JST",
        "{v}"
    );
    // and the issuing date is today or earlier
    let mut future = args.clone();
    future.extend(["--issued", "2999-01-01"]);
    let err = fails(&future, "", 6);
    assert!(err.contains("is after today"), "{err}");
}
