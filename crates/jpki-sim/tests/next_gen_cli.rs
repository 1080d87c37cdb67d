//! `jpki-sim issue --profile next-gen`: a next-generation card from the authority that issues
//! today's cards, the P-384 CAs it creates on the way, `inspect`'s account of the card and of
//! its differences from the profile, `admin revoke` into the next generation's CRL, `admin renew`
//! refused (a certificate runs with the card), what `serve` says it serves, and the refusals.

use test_support::cards::{self, temp_dir};
#[path = "support/sim.rs"]
mod sim;

use sim::{fails, ok, s};

#[test]
fn a_next_generation_card_from_the_same_authority() {
    let dir = temp_dir("cli-ng");
    // today's card first: the authority exists without next-generation CAs
    let (authority, _, _) = sim::issue_my_number(&dir);
    assert!(!authority.join("sign-ca-ng.pem").exists());
    let (_, card, out) = sim::issue_next_gen(&dir);
    assert!(
        out.contains("next-generation (NG-sim v1, ECDSA P-384)"),
        "{out}"
    );
    for f in ["sign-ca-ng.pem", "auth-ca-ng.pem", "card-auth-ca-ng.pem"] {
        assert!(authority.join(f).exists(), "{f}");
    }
    for f in [
        "crl/sign-ng-13101.crl",
        "crl/auth-ng-13101.crl",
        "crl/sign-ng-arl.crl",
    ] {
        let crl = cert::Crl::from_der(&std::fs::read(authority.join(f)).unwrap()).unwrap();
        assert_eq!(
            crl.signature_algorithm(),
            cert::keys::Algorithm::EcdsaP384,
            "{f}"
        );
    }
    let inspected = ok(&["inspect", "--card", s(&card)], "");
    assert!(inspected.contains("generation: next"), "{inspected}");
    assert!(
        inspected.contains("signing password (81): 5 of 5"),
        "{inspected}"
    );
    assert!(
        inspected.contains("4-digit PIN (82): 3 of 3"),
        "{inspected}"
    );
    assert!(inspected.contains("PUK (83): not set"), "{inspected}");
    // today's applications are not listed as missing on a card that never has them
    assert!(!inspected.contains("text-support AP"), "{inspected}");
    assert!(
        inspected.contains("differs from the profile: no secure messaging"),
        "{inspected}"
    );
    // renewal: a next-generation certificate runs to the card's expiry (P3), so it is
    // refused before the window and in it (a new card is issued), before anything changes
    let before = std::fs::read(&card).unwrap();
    let renew = [
        "admin",
        "renew",
        "--authority",
        s(&authority),
        "--card",
        s(&card),
    ];
    let err = fails(&renew, "", 1);
    assert!(err.contains("can be renewed from"), "{err}");
    // a month before the certificates' (and the card's) last day
    let auth = card_sim::SimCard::open_snapshot(&card)
        .unwrap()
        .certificate(card_sim::KeyRole::Authentication)
        .map(|der| cert::JpkiCertificate::from_der(der).unwrap())
        .unwrap();
    let at = (auth.not_after() - time::Duration::days(30))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut in_window = renew.to_vec();
    in_window.extend(["--at", &at]);
    let err = fails(&in_window, "", 1);
    assert!(err.contains("a new card is issued"), "{err}");
    assert_eq!(std::fs::read(&card).unwrap(), before);
    // admin revoke finds the next-generation CA and its partition
    let out = ok(
        &[
            "admin",
            "revoke",
            "--authority",
            s(&authority),
            "--card",
            s(&card),
            "--cert",
            "sign",
            "--reason",
            "key-compromise",
        ],
        "",
    );
    assert!(out.contains("revoked"), "{out}");
    let crl = cert::Crl::from_der(&std::fs::read(authority.join("crl/sign-ng-13101.crl")).unwrap())
        .unwrap();
    assert_eq!(crl.len(), 1);
    let today =
        cert::Crl::from_der(&std::fs::read(authority.join("crl/sign-13101.crl")).unwrap()).unwrap();
    assert!(today.is_empty());
    // `serve` names what it serves: no RSA engine on a next-generation card
    let (mut child, stream) = sim::serve_traced_with(&card, &["--engine", "rsa"]);
    drop(stream);
    let _ = child.kill();
    let served = child.wait_with_output().unwrap();
    let banner = String::from_utf8_lossy(&served.stderr);
    assert!(
        banner.contains("(next-generation card NG-sim v1, ECDSA P-384)"),
        "{banner}"
    );
    assert!(banner.contains("--engine is ignored"), "{banner}");
    assert!(!banner.contains("RSA engine"), "{banner}");
}

#[test]
fn next_generation_refusals() {
    let dir = temp_dir("cli-ng-refuse");
    let authority = dir.join("authority");
    ok(&["authority", "init", s(&authority)], "");
    let card = dir.join("ng.card");
    let base = [
        "issue",
        "--profile",
        "next-gen",
        "--authority",
        s(&authority),
        "--out",
        s(&card),
        "--pin-stdin",
    ];
    // no My Number
    let mut args = base.to_vec();
    args.extend(cards::HOLDER);
    let err = fails(&args, "2468\nXYZ789\n", 6);
    assert!(err.contains("--my-number"), "{err}");
    // a signing password without a digit
    args.extend(["--my-number", "123456789018"]);
    let err = fails(&args, "2468\nABCDEF\n", 6);
    assert!(err.contains("signing password"), "{err}");
    assert!(!card.exists());
}
