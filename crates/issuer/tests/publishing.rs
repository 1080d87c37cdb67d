//! The authority as J-LIS: one 4-byte serial counter for the CAs and every certificate, CA
//! validity to a JST midnight, the municipality register, one CRL per municipality and
//! hierarchy plus an ARL per CA, revocation with the CPS reasons and the release of a hold.
//!
//! (One piece, over 400 lines: the cases share one template authority and its card requests.)

use std::path::Path;
use std::sync::OnceLock;

use card_sim::{CardProfile, KeyRole, MyNumber, SimCard};
use cert::{Crl, Hierarchy, JpkiCertificate, RevocationReason, Serial};
use issuer::{Authority, Error, IssueRequest, RetryLimits, RevokeOutcome};
use pin_policy::{Pin, PinKind};
use test_support::cards::{self, temp_dir};
use test_support::fixtures::{holder, other_holder};
use time::{OffsetDateTime, macros::date, macros::datetime};

/// 2026-04-01 10:00 JST.
const NOW: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

/// A My Number card with only a signature certificate (no card-face keys: quick) for
/// `holder`. (A Juki card would be quicker still, but none is issued after 2015.)
fn sign_only(holder: cert::Holder) -> IssueRequest {
    IssueRequest {
        profile: CardProfile::MyNumber,
        holder,
        my_number: None,
        auth_pin: None,
        sign_pin: Some(pin(PinKind::Signature, "ABC123")),
        text_pin: None,
        resident_pin: None,
        retry_limits: RetryLimits::default(),
        // the 10th birthday after issue of holder() (born 1985-08-20), before other_holder()'s
        card_expiry: date!(2035 - 08 - 20),
        issued_at: NOW,
        stay_until: None,
    }
}

/// A My Number card with both certificates and the text-support AP for `holder`.
fn my_number(holder: cert::Holder) -> IssueRequest {
    IssueRequest {
        profile: CardProfile::MyNumber,
        my_number: Some(MyNumber::new("123456789018").unwrap()),
        auth_pin: Some(pin(PinKind::Authentication, "1234")),
        sign_pin: Some(pin(PinKind::Signature, "ABC123")),
        text_pin: Some(pin(PinKind::TextSupport, "5678")),
        ..sign_only(holder)
    }
}

/// A copy of one authority (created once per process: CA keys are the slow part) in
/// `dir/authority`.
fn authority(dir: &Path) -> Authority {
    static TEMPLATE: OnceLock<cards::TempDir> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let t = temp_dir("publishing-template");
        Authority::create(&t, NOW, &mut test_support::keys::seeded_rng(31)).unwrap();
        t
    });
    let target = dir.join("authority");
    for sub in ["", "crl"] {
        std::fs::create_dir_all(target.join(sub)).unwrap();
        for entry in std::fs::read_dir(template.join(sub)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), target.join(sub).join(entry.file_name())).unwrap();
            }
        }
    }
    Authority::open(&target).unwrap()
}

fn issue(authority: &mut Authority, dir: &Path, name: &str, request: IssueRequest) -> SimCard {
    authority
        .issue_card(
            request,
            &dir.join(name),
            &mut test_support::keys::seeded_rng(7),
        )
        .unwrap()
}

fn cert_of(card: &SimCard, role: KeyRole) -> JpkiCertificate {
    JpkiCertificate::from_der(card.certificate(role).unwrap()).unwrap()
}

fn number(serial: Serial) -> u64 {
    serial
        .as_bytes()
        .iter()
        .fold(0, |n, b| n << 8 | u64::from(*b))
}

/// A serial as J-LIS writes it: a positive DER INTEGER of exactly 4 octets.
fn assert_four_bytes(serial: Serial) {
    let bytes = serial.as_bytes();
    assert_eq!(bytes.len(), 4, "{serial}");
    assert!(bytes[0] != 0 && bytes[0] < 0x80, "{serial}");
}

fn read_crl(path: &Path) -> Crl {
    Crl::from_der(&std::fs::read(path).unwrap()).unwrap()
}

fn state(authority: &Authority) -> String {
    std::fs::read_to_string(authority.dir().join("authority.txt")).unwrap()
}

#[test]
fn one_counter_gives_the_cas_and_every_certificate_four_byte_serials() {
    let dir = temp_dir("publishing-serials");
    let mut authority =
        Authority::create(&dir.join("a"), NOW, &mut test_support::keys::seeded_rng(32)).unwrap();
    let sign_ca = authority.ca(Hierarchy::Signature).certificate().clone();
    let auth_ca = authority
        .ca(Hierarchy::Authentication)
        .certificate()
        .clone();
    assert_four_bytes(sign_ca.serial());
    assert_four_bytes(auth_ca.serial());
    let first = number(sign_ca.serial());
    assert!((0x0100_0000..0x0700_0000).contains(&first), "{first:x}");
    assert_eq!(number(auth_ca.serial()), first + 1);
    // another seed, another starting point
    let other =
        Authority::create(&dir.join("b"), NOW, &mut test_support::keys::seeded_rng(33)).unwrap();
    assert_ne!(
        other.ca(Hierarchy::Signature).certificate().serial(),
        sign_ca.serial()
    );
    drop(other);

    // the CAs: from now to 23:59:59 JST of the day before the 10th anniversary (…145959Z)
    for ca in [&sign_ca, &auth_ca] {
        assert_eq!(ca.not_before(), NOW);
        assert_eq!(ca.not_after(), datetime!(2036-03-31 14:59:59 UTC));
    }
    assert!(state(&authority).starts_with("JPKI-SIM-AUTHORITY/2\n"));
    assert!(
        state(&authority).contains(&format!("next-serial: {:08x}\n", first + 2)),
        "{}",
        state(&authority)
    );

    // end entities take the next serials, across reopening
    let card = issue(&mut authority, &dir, "one", my_number(holder()));
    let (auth, sign) = (
        cert_of(&card, KeyRole::Authentication),
        cert_of(&card, KeyRole::Signature),
    );
    assert_eq!(number(auth.serial()), first + 2);
    assert_eq!(number(sign.serial()), first + 3);
    let path = authority.dir().to_path_buf();
    drop(authority);
    let mut authority = Authority::open(&path).unwrap();
    assert_eq!(authority.next_serial(), first + 4);
    let sign_card = issue(&mut authority, &dir, "two", sign_only(other_holder()));
    let lone_sign = cert_of(&sign_card, KeyRole::Signature);
    assert_eq!(number(lone_sign.serial()), first + 4);
    for s in [auth.serial(), sign.serial(), lone_sign.serial()] {
        assert_four_bytes(s);
    }
}

#[test]
fn a_used_up_counter_is_refused_and_stays_used_up() {
    let dir = temp_dir("publishing-overflow");
    let authority = authority(&dir);
    let path = authority.dir().to_path_buf();
    let text = state(&authority);
    drop(authority);
    let current = text
        .lines()
        .find(|l| l.starts_with("next-serial: "))
        .unwrap()
        .to_owned();
    std::fs::write(
        path.join("authority.txt"),
        text.replace(&current, "next-serial: 7fffffff"),
    )
    .unwrap();
    let mut authority = Authority::open(&path).unwrap();
    let card = issue(&mut authority, &dir, "last", sign_only(holder()));
    assert_eq!(
        cert_of(&card, KeyRole::Signature).serial(),
        Serial::from(0x7FFF_FFFF)
    );
    let err = authority
        .issue_card(
            sign_only(holder()),
            &dir.join("beyond"),
            &mut test_support::keys::seeded_rng(8),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::SerialsExhausted { next: 0x8000_0000 }),
        "{err}"
    );
    assert!(err.to_string().contains("create a new authority"), "{err}");
    assert!(!dir.join("beyond").exists());
    assert!(state(&authority).contains("next-serial: 80000000\n"));
}

#[test]
fn a_version_1_directory_is_refused_and_left_untouched() {
    let dir = temp_dir("publishing-v1");
    let authority = authority(&dir);
    let path = authority.dir().to_path_buf();
    drop(authority);
    let v1 =
        "JPKI-SIM-AUTHORITY/1\nnext-serial: 1002\ncrl-number: 3\nrevoked: sign 1001 1775005200 3\n";
    std::fs::write(path.join("authority.txt"), v1).unwrap();
    let err = Authority::open(&path).unwrap_err();
    assert!(matches!(err, Error::AuthorityVersion { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("JPKI-SIM-AUTHORITY/1"), "{text}");
    assert!(text.contains("jpki-sim authority init"), "{text}");
    assert_eq!(
        std::fs::read_to_string(path.join("authority.txt")).unwrap(),
        v1
    );
}

#[test]
fn each_municipality_has_its_partitions_and_a_revocation_is_listed_only_in_its_own() {
    let dir = temp_dir("publishing-partitions");
    let mut authority = authority(&dir);
    // a new authority publishes the two (empty) ARLs and no partition
    for h in [Hierarchy::Signature, Hierarchy::Authentication] {
        let arl = read_crl(&authority.arl_path(h));
        assert!(arl.is_empty());
        arl.verify_signed_by(authority.ca(h).certificate()).unwrap();
    }
    assert!(authority.municipalities().is_empty());

    let chiyoda = issue(&mut authority, &dir, "chiyoda", my_number(holder()));
    let osaka = issue(&mut authority, &dir, "osaka", sign_only(other_holder()));
    let codes: Vec<&str> = authority
        .municipalities()
        .iter()
        .map(|m| m.code.as_str())
        .collect();
    assert_eq!(codes, ["13101", "27127"]);
    let mut files: Vec<String> = std::fs::read_dir(authority.crl_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "auth-13101.crl",
            "auth-27127.crl",
            "auth-arl.crl",
            "sign-13101.crl",
            "sign-27127.crl",
            "sign-arl.crl"
        ]
    );
    assert!(!authority.dir().join("sign.crl").exists());

    let osaka_sign = cert_of(&osaka, KeyRole::Signature);
    let chiyoda_sign = cert_of(&chiyoda, KeyRole::Signature);
    let chiyoda_auth = cert_of(&chiyoda, KeyRole::Authentication);
    let at = NOW + time::Duration::hours(5);
    authority
        .revoke(&osaka_sign, RevocationReason::KeyCompromise, at)
        .unwrap();
    let osaka_path = authority.crl_path_for(&osaka_sign).unwrap();
    assert!(osaka_path.ends_with("crl/sign-27127.crl"));
    assert_eq!(
        authority.crl_path_for(&chiyoda_auth).unwrap(),
        authority.crl_path(Hierarchy::Authentication, &holder().municipality)
    );
    assert_eq!(
        authority
            .crl_path_for(authority.ca(Hierarchy::Signature).certificate())
            .unwrap(),
        authority.arl_path(Hierarchy::Signature)
    );
    for path in std::fs::read_dir(authority.crl_dir()).unwrap() {
        let path = path.unwrap().path();
        let crl = read_crl(&path);
        let h = if path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("sign")
        {
            Hierarchy::Signature
        } else {
            Hierarchy::Authentication
        };
        crl.verify_signed_by(authority.ca(h).certificate()).unwrap();
        assert_eq!(crl.this_update(), at);
        assert_eq!(crl.next_update(), Some(at + time::Duration::days(1)));
        if path == osaka_path {
            let entry = crl.lookup(osaka_sign.serial()).unwrap();
            assert_eq!(entry.reason, Some(RevocationReason::KeyCompromise));
            assert_eq!(entry.revoked_at, at);
            assert_eq!(crl.len(), 1);
            match crl.check(&osaka_sign) {
                Err(cert::Error::Revoked { reason, .. }) => {
                    assert_eq!(reason, Some(RevocationReason::KeyCompromise));
                }
                other => panic!("not revoked: {other:?}"),
            }
        } else {
            assert!(crl.is_empty(), "{} lists a revocation", path.display());
        }
    }
    read_crl(&authority.crl_path(Hierarchy::Signature, &holder().municipality))
        .check(&chiyoda_sign)
        .unwrap();
    // the register and the partition of each revocation survive reopening
    let path = authority.dir().to_path_buf();
    drop(authority);
    let authority = Authority::open(&path).unwrap();
    assert_eq!(authority.municipalities().len(), 2);
    assert!(authority.is_revoked(&osaka_sign));
    assert!(state(&authority).contains(&format!(
        "revoked: sign {} {} 1 27127\n",
        osaka_sign.serial().to_string().to_lowercase(),
        at.unix_timestamp()
    )));
}

#[test]
fn a_hold_is_released_or_made_permanent_and_other_revocations_are_final() {
    let dir = temp_dir("publishing-hold");
    let mut authority = authority(&dir);
    let card = issue(&mut authority, &dir, "card", sign_only(holder()));
    let sign = cert_of(&card, KeyRole::Signature);
    let crl_path = authority.crl_path_for(&sign).unwrap();
    let held_at = NOW + time::Duration::hours(1);

    let err = authority.release(&sign, held_at).unwrap_err();
    assert!(matches!(err, Error::NotRevoked { .. }), "{err}");
    let outcome = authority
        .revoke_reporting(&sign, RevocationReason::CertificateHold, held_at)
        .unwrap();
    assert!(matches!(outcome, RevokeOutcome::Revoked(_)), "{outcome:?}");
    let entry = read_crl(&crl_path).lookup(sign.serial()).unwrap();
    assert_eq!(entry.reason, Some(RevocationReason::CertificateHold));
    // a second hold changes nothing and writes nothing
    let before = std::fs::read(&crl_path).unwrap();
    let outcome = authority
        .revoke_reporting(
            &sign,
            RevocationReason::CertificateHold,
            held_at + time::Duration::hours(1),
        )
        .unwrap();
    assert!(
        matches!(outcome, RevokeOutcome::AlreadyRevoked(_)),
        "{outcome:?}"
    );
    assert_eq!(std::fs::read(&crl_path).unwrap(), before);

    // released: off the CRL, verifies again
    let released = authority
        .release(&sign, held_at + time::Duration::hours(2))
        .unwrap();
    assert_eq!(released.reason, Some(RevocationReason::CertificateHold));
    assert!(!authority.is_revoked(&sign));
    let crl = read_crl(&crl_path);
    assert!(crl.lookup(sign.serial()).is_none());
    crl.check(&sign).unwrap();

    // held again, then made permanent: the hold's date stays, the reason is the new one
    authority
        .revoke(&sign, RevocationReason::CertificateHold, held_at)
        .unwrap();
    let outcome = authority
        .revoke_reporting(
            &sign,
            RevocationReason::KeyCompromise,
            held_at + time::Duration::hours(3),
        )
        .unwrap();
    match outcome {
        RevokeOutcome::HoldMadePermanent(r) => {
            assert_eq!(r.revoked_at, held_at);
            assert_eq!(r.reason, Some(RevocationReason::KeyCompromise));
        }
        other => panic!("{other:?}"),
    }
    let entry = read_crl(&crl_path).lookup(sign.serial()).unwrap();
    assert_eq!(entry.reason, Some(RevocationReason::KeyCompromise));
    assert_eq!(entry.revoked_at, held_at);
    // a final revocation is neither released nor changed
    let err = authority.release(&sign, held_at).unwrap_err();
    assert!(matches!(err, Error::NotOnHold { .. }), "{err}");
    assert!(err.to_string().contains("keyCompromise"), "{err}");
    let outcome = authority
        .revoke_reporting(&sign, RevocationReason::Superseded, held_at)
        .unwrap();
    assert!(
        matches!(outcome, RevokeOutcome::AlreadyRevoked(r) if r.reason == Some(RevocationReason::KeyCompromise))
    );
    assert!(authority.is_revoked(&sign));
}

#[test]
fn every_cps_reason_reaches_the_crl() {
    let dir = temp_dir("publishing-reasons");
    let mut authority = authority(&dir);
    for (i, reason) in [
        RevocationReason::Unspecified,
        RevocationReason::KeyCompromise,
        RevocationReason::AffiliationChanged,
        RevocationReason::Superseded,
        RevocationReason::CessationOfOperation,
        RevocationReason::CertificateHold,
    ]
    .into_iter()
    .enumerate()
    {
        let card = issue(
            &mut authority,
            &dir,
            &format!("card-{i}"),
            sign_only(holder()),
        );
        let sign = cert_of(&card, KeyRole::Signature);
        authority.revoke(&sign, reason, NOW).unwrap();
        let entry = read_crl(&authority.crl_path_for(&sign).unwrap())
            .lookup(sign.serial())
            .unwrap();
        assert_eq!(entry.reason, Some(reason));
    }
}

#[test]
fn a_municipality_code_with_other_names_or_names_of_another_code_is_refused() {
    let dir = temp_dir("publishing-register");
    let mut authority = authority(&dir);
    issue(&mut authority, &dir, "card", sign_only(holder()));
    let next = authority.next_serial();
    let mut renamed = holder();
    renamed.municipality.city = "Chuo-ku".to_owned();
    let mut recoded = holder();
    recoded.municipality.code = cert::MunicipalityCode::parse("13102").unwrap();
    for (name, h) in [("renamed", renamed), ("recoded", recoded)] {
        let err = authority
            .issue_card(
                sign_only(h),
                &dir.join(name),
                &mut test_support::keys::seeded_rng(9),
            )
            .unwrap_err();
        assert!(matches!(err, Error::MunicipalityClash { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("13101 is registered as Tokyo-to Chiyoda-ku"),
            "{err}"
        );
    }
    assert_eq!(authority.next_serial(), next, "no serial was spent");
    assert_eq!(authority.municipalities().len(), 1);
}
