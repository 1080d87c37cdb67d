//! `jpki-sim admin renew|lost|cease|reset-pin` and `inspect --authority`, end to end: PINs
//! through `--pin-stdin`, never argv.

use test_support::cards;
#[path = "support/sim.rs"]
mod sim;

use std::path::{Path, PathBuf};

use card_sim::{KeyRole, SimCard};
use cards::{exchange, lc_ascii, temp_dir};
use sim::{fails, ok, s};

const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";

/// `authority init` + `issue` of a My Number card (auth `1234`, sign `ABC123`, text `5678`).
fn issue(dir: &Path) -> (PathBuf, PathBuf) {
    let (authority, card, _) = sim::issue_my_number(dir);
    (authority, card)
}

/// The status word of VERIFY of a JPKI PIN (`00 18` auth, `00 1B` sign) on the card file.
fn verify_pin(card: &Path, ef: &str, value: &str) -> String {
    let mut card = SimCard::open(card).unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, &format!("00 A4 02 0C 02 {ef}"), "9000");
    let r = card.process(&cards::hx(&format!("00 20 00 80 {}", lc_ascii(value))));
    hex::encode_upper(&r[r.len() - 2..])
}

/// The certificate of `role` on the card file.
fn cert_of(card: &Path, role: KeyRole) -> cert::JpkiCertificate {
    let card = SimCard::open_snapshot(card).unwrap();
    cert::JpkiCertificate::from_der(card.certificate(role).unwrap()).unwrap()
}

/// The one place the tests read a published revocation: among the authority's CRLs
/// (`crl/`), the one of the certificate's partition (its CRL distribution point).
fn revocation(authority: &Path, c: &cert::JpkiCertificate) -> Option<cert::RevocationReason> {
    let crls: Vec<cert::Crl> = std::fs::read_dir(authority.join("crl"))
        .unwrap()
        .map(|e| cert::Crl::from_der(&std::fs::read(e.unwrap().path()).unwrap()).unwrap())
        .filter(|crl| crl.covers(c).is_ok() && crl.issuer() == c.issuer())
        .collect();
    assert_eq!(crls.len(), 1, "one partition CRL covers {}", c.serial());
    crls[0].lookup(c.serial()).and_then(|r| r.reason)
}

fn admin<'a>(event: &'a str, authority: &'a Path, card: &'a Path) -> Vec<&'a str> {
    vec![
        "admin",
        event,
        "--authority",
        s(authority),
        "--card",
        s(card),
    ]
}

#[test]
fn renew_is_refused_before_the_window_and_renews_inside_it() {
    let dir = temp_dir("cli-renew");
    let (authority, card) = issue(&dir);
    // the holder (born 1990-01-01) has certificates to the 5th birthday after today
    let err = fails(&admin("renew", &authority, &card), "", 1);
    assert!(err.contains("can be renewed from"), "{err}");
    let out = ok(&["inspect", "--card", s(&card)], "");
    assert!(out.contains("renewable from"), "{out}");

    // inside the window (a rehearsal with --at), new PINs for both
    let (old_auth, old_sign) = (
        cert_of(&card, KeyRole::Authentication),
        cert_of(&card, KeyRole::Signature),
    );
    let mut args = admin("renew", &authority, &card);
    args.extend([
        "--new-pin",
        "--pin-stdin",
        "--at",
        "2030-12-01T10:00:00+09:00",
    ]);
    let out = ok(&args, "4321\nNEW456\n");
    let new_auth = cert_of(&card, KeyRole::Authentication);
    assert!(
        out.contains(&format!(
            "authentication certificate renewed: serial {} revoked (superseded), new serial {}",
            old_auth.serial(),
            new_auth.serial()
        )),
        "{out}"
    );
    assert!(out.contains("signature certificate renewed"), "{out}");
    assert_eq!(
        revocation(&authority, &old_auth),
        Some(cert::RevocationReason::Superseded)
    );
    assert_eq!(
        revocation(&authority, &old_sign),
        Some(cert::RevocationReason::Superseded)
    );
    assert_eq!(revocation(&authority, &new_auth), None);
    let out = ok(
        &["inspect", "--card", s(&card), "--authority", s(&authority)],
        "",
    );
    assert!(out.contains("state: active"), "{out}");
    assert!(
        out.contains("last renewal: 2030-12-01 10:00:00 JST"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "authentication certificate: serial {}",
            new_auth.serial()
        )),
        "{out}"
    );
    assert!(out.contains("not revoked (authority CRL)"), "{out}");
    assert_eq!(verify_pin(&card, "00 18", "1234"), "63C2");
    assert_eq!(verify_pin(&card, "00 18", "4321"), "9000");
    assert_eq!(verify_pin(&card, "00 1B", "NEW456"), "9000");
}

#[test]
fn lost_then_cease() {
    let dir = temp_dir("cli-lost");
    let (authority, card) = issue(&dir);
    let out = ok(&admin("lost", &authority, &card), "");
    assert!(out.contains("keyCompromise"), "{out}");
    let out = ok(
        &["inspect", "--card", s(&card), "--authority", s(&authority)],
        "",
    );
    assert!(out.contains("state: lost"), "{out}");
    assert!(out.contains("REVOKED (keyCompromise)"), "{out}");
    // the lost card still answers
    assert_eq!(verify_pin(&card, "00 18", "1234"), "9000");
    let err = fails(&admin("lost", &authority, &card), "", 1);
    assert!(err.contains("reported lost"), "{err}");
    let json = ok(
        &[
            "inspect",
            "--card",
            s(&card),
            "--authority",
            s(&authority),
            "--json",
        ],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["signature_certificate"]["revocation"]["reason"],
        "keyCompromise"
    );

    let mut args = admin("cease", &authority, &card);
    args.extend(["--cause", "emigration"]);
    let out = ok(&args, "");
    assert!(out.contains("card terminated (emigration)"), "{out}");
    let out = ok(&["inspect", "--card", s(&card)], "");
    assert!(out.contains("state: ceased (emigration"), "{out}");
    let err = fails(&args, "", 1);
    assert!(err.contains("terminated"), "{err}");
}

#[test]
fn cease_after_death_terminates_the_card() {
    let dir = temp_dir("cli-cease");
    let (authority, card) = issue(&dir);
    let auth = cert_of(&card, KeyRole::Authentication);
    let mut args = admin("cease", &authority, &card);
    args.extend(["--cause", "death"]);
    ok(&args, "");
    assert_eq!(
        revocation(&authority, &auth),
        Some(cert::RevocationReason::CessationOfOperation)
    );
    let mut sim = SimCard::open(&card).unwrap();
    exchange(&mut sim, SELECT_JPKI, "6A82");
}

#[test]
fn reset_pin_of_a_forgotten_pin() {
    let dir = temp_dir("cli-reset");
    let (authority, card) = issue(&dir);
    assert_eq!(verify_pin(&card, "00 1B", "WRONG1"), "63C4");
    let mut args = admin("reset-pin", &authority, &card);
    args.extend(["--pin", "sign", "--identity", "passport", "--pin-stdin"]);
    let out = ok(&args, "NEWPIN1\n");
    assert!(out.contains("signature PIN reset"), "{out}");
    assert_eq!(verify_pin(&card, "00 1B", "ABC123"), "63C4");
    assert_eq!(verify_pin(&card, "00 1B", "NEWPIN1"), "9000");
    let out = ok(&["inspect", "--card", s(&card)], "");
    assert!(out.contains("last PIN reset at the window"), "{out}");
    // a fact of the card is no PIN to reset: invalid input, nothing read
    let mut args = admin("reset-pin", &authority, &card);
    args.extend(["--pin", "text-a", "--identity", "card-photo", "--pin-stdin"]);
    let err = fails(&args, "", 6);
    assert!(err.contains("not a PIN the holder sets"), "{err}");
}
