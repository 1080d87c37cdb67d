//! The three secrets of the NG-sim v1 card (shared/next-gen-profile.md §2.3–§2.4) driven by
//! the client against the simulator: status with the ISO meaning, change, the PUK and what it
//! may and may not release.

#[path = "support/ng_sim.rs"]
mod ng_sim;

use jpki_applet::{Error, JpkiCard, KeyRef, NgSecret, PinRef, PinReport, SecretStatus};
use ng_sim::{PIN4, SIGN_PW, card};

const PUK: &[u8] = b"87654321";

fn status(report: &[PinReport], key: &str) -> Option<SecretStatus> {
    report.iter().find(|r| r.key == key).unwrap().status
}

#[test]
fn pin_statuses_report_tries_verified_blocked_and_an_unset_puk() {
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    let report = card.pin_statuses().unwrap();
    assert_eq!(report.len(), 3);
    assert_eq!(
        status(&report, "sign_password"),
        Some(SecretStatus::TriesLeft(5))
    );
    assert_eq!(status(&report, "pin4"), Some(SecretStatus::TriesLeft(3)));
    assert_eq!(status(&report, "puk"), Some(SecretStatus::NotSet));
    // a wrong 4-digit PIN counts; the status query itself spends nothing
    assert!(matches!(
        card.verify_key(KeyRef::Auth, b"9999"),
        Err(Error::WrongSecret {
            secret: NgSecret::Pin4,
            tries_left: 2
        })
    ));
    for _ in 0..2 {
        let report = card.pin_statuses().unwrap();
        assert_eq!(status(&report, "pin4"), Some(SecretStatus::TriesLeft(2)));
    }
    // verified since the SELECT: the ISO answer 9000
    let ng = card.next_gen_mut().unwrap();
    let session = ng.verify(NgSecret::SignPassword, SIGN_PW).unwrap();
    drop(session);
    assert_eq!(
        ng.secret_status(NgSecret::SignPassword).unwrap(),
        SecretStatus::Verified
    );
    // blocked after the last try
    for left in [1, 0] {
        assert!(matches!(
            card.verify_key(KeyRef::Auth, b"9999"),
            Err(Error::WrongSecret { tries_left, .. }) if tries_left == left
        ));
    }
    assert!(matches!(
        card.verify_key(KeyRef::Auth, PIN4),
        Err(Error::SecretBlocked {
            secret: NgSecret::Pin4
        })
    ));
    let report = card.pin_statuses().unwrap();
    assert!(status(&report, "pin4").unwrap().is_blocked());
}

#[test]
fn changing_the_signing_password_and_the_pin_leaves_only_the_new_ones_working() {
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    card.change_pin(PinRef::Sign, SIGN_PW, b"NEWPW99").unwrap();
    card.change_pin(PinRef::Auth, PIN4, b"4321").unwrap();
    assert!(matches!(
        card.verify_key(KeyRef::Sign, SIGN_PW),
        Err(Error::WrongSecret {
            secret: NgSecret::SignPassword,
            tries_left: 4
        })
    ));
    assert!(matches!(
        card.verify_key(KeyRef::Auth, PIN4),
        Err(Error::WrongSecret {
            secret: NgSecret::Pin4,
            tries_left: 2
        })
    ));
    card.verify_key(KeyRef::Sign, b"NEWPW99").unwrap();
    card.verify_key(KeyRef::Auth, b"4321").unwrap();
    // a new value breaking its format is refused before anything is sent
    assert!(matches!(
        card.change_pin(PinRef::Auth, b"4321", b"12345"),
        Err(Error::SecretFormat { .. })
    ));
    // nothing was sent: the 4-digit PIN is still verified (no SELECT), its counter full
    let report = card.pin_statuses().unwrap();
    assert_eq!(status(&report, "pin4"), Some(SecretStatus::Verified));
    card.next_gen_mut().unwrap().select().unwrap();
    let report = card.pin_statuses().unwrap();
    assert_eq!(status(&report, "pin4"), Some(SecretStatus::TriesLeft(3)));
}

#[test]
fn the_puk_resets_a_blocked_pin_and_counts_wrong_tries() {
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    assert!(matches!(
        card.reset_pin_with_puk(PUK, b"5555"),
        Err(Error::PukNotSet)
    ));
    card.set_puk(SIGN_PW, PUK).unwrap();
    let report = card.pin_statuses().unwrap();
    assert_eq!(status(&report, "puk"), Some(SecretStatus::TriesLeft(3)));
    for _ in 0..3 {
        let _ = card.verify_key(KeyRef::Auth, b"0000");
    }
    assert!(matches!(
        card.verify_key(KeyRef::Auth, PIN4),
        Err(Error::SecretBlocked {
            secret: NgSecret::Pin4
        })
    ));
    // a wrong PUK counts on the PUK
    assert!(matches!(
        card.reset_pin_with_puk(b"11112222", b"5555"),
        Err(Error::WrongSecret {
            secret: NgSecret::Puk,
            tries_left: 2
        })
    ));
    assert_eq!(
        status(&card.pin_statuses().unwrap(), "puk"),
        Some(SecretStatus::TriesLeft(2))
    );
    // the right one re-sets and refills PIN4 (and its own counter)
    card.reset_pin_with_puk(PUK, b"5555").unwrap();
    let report = card.pin_statuses().unwrap();
    assert_eq!(status(&report, "pin4"), Some(SecretStatus::TriesLeft(3)));
    assert_eq!(status(&report, "puk"), Some(SecretStatus::TriesLeft(3)));
    card.verify_key(KeyRef::Auth, b"5555").unwrap();
    assert!(card.verify_key(KeyRef::Auth, PIN4).is_err());
}

#[test]
fn a_blocked_signing_password_stays_blocked_the_puk_does_not_release_it() {
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    card.set_puk(SIGN_PW, PUK).unwrap();
    for _ in 0..5 {
        let _ = card.verify_key(KeyRef::Sign, b"WRONG1");
    }
    assert!(matches!(
        card.verify_key(KeyRef::Sign, SIGN_PW),
        Err(Error::SecretBlocked {
            secret: NgSecret::SignPassword
        })
    ));
    // the PUK re-sets PIN4 only
    card.reset_pin_with_puk(PUK, b"6666").unwrap();
    assert!(matches!(
        card.verify_key(KeyRef::Sign, SIGN_PW),
        Err(Error::SecretBlocked {
            secret: NgSecret::SignPassword
        })
    ));
    assert!(
        status(&card.pin_statuses().unwrap(), "sign_password")
            .unwrap()
            .is_blocked()
    );
    // a blocked signing password can no longer set the PUK either
    assert!(matches!(
        card.set_puk(SIGN_PW, b"12121212"),
        Err(Error::SecretBlocked {
            secret: NgSecret::SignPassword
        })
    ));
    // the 4-digit PIN still opens the authentication key
    let mut session = card.verify_key(KeyRef::Auth, b"6666").unwrap();
    session.sign_message(b"still logging in").unwrap();
}
