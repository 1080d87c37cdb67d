//! `jpki-sim admin unlock|reset-pin|change-facts` on a next-generation card: the secrets named
//! `sign-password`, `pin4` and `puk`, read from stdin (never argv), the generation's names
//! refused on the other generation with the card file unchanged, and a change of the 4 facts
//! into the next generation's CRL.

use std::path::{Path, PathBuf};

use card_sim::{NextGenSecret, SimCard};
use test_support::cards::{self, exchange, lc_ascii, temp_dir};
#[path = "support/sim.rs"]
mod sim;

use sim::{fails, ok, s};

const SELECT_AUTH_AP: &str = "00 A4 04 0C 0B F0 4A 50 4B 49 4E 47 41 55 54 48";

/// A next-generation card (PIN4 `2468`, SIGN_PW `XYZ789`) of a new authority: (authority,
/// card).
fn issue_next_gen(dir: &Path) -> (PathBuf, PathBuf) {
    let (authority, card, _) = sim::issue_next_gen(dir);
    (authority, card)
}

/// VERIFY of `reference` on the card file (opened and closed again), asserting the status.
#[track_caller]
fn verify(card: &Path, reference: &str, value: &str, sw: &str) {
    let mut card = SimCard::open(card).unwrap();
    exchange(&mut card, SELECT_AUTH_AP, "9000");
    exchange(
        &mut card,
        &format!("00 20 00 {reference} {}", lc_ascii(value)),
        sw,
    );
}

fn tries(card: &Path, secret: NextGenSecret) -> u8 {
    SimCard::open_snapshot(card)
        .unwrap()
        .next_gen_counter(secret)
        .unwrap()
        .tries_left()
}

#[test]
fn a_blocked_signing_password_is_unlocked_and_a_forgotten_pin4_reset() {
    let dir = temp_dir("cli-ng-admin");
    let (authority, card) = issue_next_gen(&dir);
    for left in (0..5).rev() {
        verify(&card, "81", "WRONG1", &format!("63C{left}"));
    }
    let target = ["--authority", s(&authority), "--card", s(&card)];
    let mut args = vec!["admin", "unlock", "--pin", "sign-password"];
    args.extend(target);
    let out = ok(&args, "");
    assert!(
        out.contains("signing password (81) unlocked (5 of 5 tries, was 0)"),
        "{out}"
    );
    verify(&card, "81", "XYZ789", "9000");

    // a new value, from stdin
    args.extend(["--new-pin", "--pin-stdin"]);
    let out = ok(&args, "NEWPW42\n");
    assert!(out.contains("new value set"), "{out}");
    verify(&card, "81", "XYZ789", "63C4");
    verify(&card, "81", "NEWPW42", "9000");

    // a forgotten 4-digit PIN
    verify(&card, "82", "1111", "63C2");
    let mut args = vec![
        "admin",
        "reset-pin",
        "--pin",
        "pin4",
        "--identity",
        "passport",
        "--pin-stdin",
    ];
    args.extend(target);
    let out = ok(&args, "5678\n");
    assert!(out.contains("4-digit PIN (82) reset"), "{out}");
    assert_eq!(tries(&card, NextGenSecret::Pin4), 3);
    verify(&card, "82", "2468", "63C2");
    verify(&card, "82", "5678", "9000");
    // a value of the wrong format is refused before the card is touched
    let before = std::fs::read(&card).unwrap();
    let err = fails(&args, "12345\n", 6);
    assert!(err.contains("4-digit PIN"), "{err}");
    assert_eq!(std::fs::read(&card).unwrap(), before);
}

#[test]
fn each_generation_s_names_are_refused_on_the_other_and_nothing_changes() {
    let dir = temp_dir("cli-ng-admin-names");
    let (authority, card) = issue_next_gen(&dir);
    let (current_authority, current, _) = sim::issue_my_number(&dir.join("current"));
    for (authority, card, event, pin, expected) in [
        (
            &authority,
            &card,
            "unlock",
            "auth",
            "next-generation card: it has no",
        ),
        (
            &authority,
            &card,
            "reset-pin",
            "sign",
            "next-generation card: it has no",
        ),
        (
            &current_authority,
            &current,
            "unlock",
            "pin4",
            "today's generation",
        ),
        (
            &current_authority,
            &current,
            "reset-pin",
            "sign-pw",
            "today's generation",
        ),
    ] {
        let before = std::fs::read(card).unwrap();
        let mut args = vec![
            "admin",
            event,
            "--authority",
            s(authority),
            "--card",
            s(card),
            "--pin",
            pin,
            "--pin-stdin",
        ];
        if event == "reset-pin" {
            args.extend(["--identity", "passport"]);
        }
        let err = fails(&args, "5678\n", 6);
        assert!(err.contains(expected), "{event} {pin}: {err}");
        assert!(err.contains("nothing was changed"), "{err}");
        assert_eq!(std::fs::read(card).unwrap(), before, "{event} {pin}");
    }
    // an unset PUK is the holder's to set (with the signing password), not the window's
    let before = std::fs::read(&card).unwrap();
    let err = fails(
        &[
            "admin",
            "unlock",
            "--authority",
            s(&authority),
            "--card",
            s(&card),
            "--pin",
            "puk",
        ],
        "",
        1,
    );
    assert!(err.contains("PUK"), "{err}");
    assert_eq!(std::fs::read(&card).unwrap(), before);
}

#[test]
fn a_change_of_the_4_facts_on_a_next_generation_card() {
    let dir = temp_dir("cli-ng-facts");
    let (authority, card) = issue_next_gen(&dir);
    let old = SimCard::open_snapshot(&card)
        .unwrap()
        .certificate(card_sim::KeyRole::Signature)
        .unwrap()
        .to_vec();
    let old = cert::JpkiCertificate::from_der(&old).unwrap();
    let mut args = vec![
        "admin",
        "change-facts",
        "--authority",
        s(&authority),
        "--card",
        s(&card),
    ];
    args.extend(cards::HOLDER);
    let address = args
        .iter()
        .position(|a| *a == "東京都千代田区霞が関二丁目1番2号")
        .unwrap();
    args[address] = "東京都千代田区永田町一丁目7番1号";
    let out = ok(&args, "");
    assert!(out.contains("new signature certificate"), "{out}");
    let crl = cert::Crl::from_der(&std::fs::read(authority.join("crl/sign-ng-13101.crl")).unwrap())
        .unwrap();
    assert_eq!(
        crl.lookup(old.serial()).and_then(|r| r.reason),
        Some(cert::RevocationReason::AffiliationChanged)
    );
    let today =
        cert::Crl::from_der(&std::fs::read(authority.join("crl/sign-13101.crl")).unwrap()).unwrap();
    assert!(today.is_empty());
    let new = SimCard::open_snapshot(&card)
        .unwrap()
        .certificate(card_sim::KeyRole::Signature)
        .unwrap()
        .to_vec();
    let new = cert::JpkiCertificate::from_der(&new).unwrap();
    assert_eq!(new.algorithm(), cert::keys::Algorithm::EcdsaP384);
    assert!(out.contains(&new.serial().to_string()), "{out}");
    // the signing password still opens the card
    verify(&card, "81", "XYZ789", "9000");
}
