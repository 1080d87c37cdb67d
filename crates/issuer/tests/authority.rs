//! The municipal window and the city hall: issuance through `Authority::issue_card`, the
//! administrative channel (GET DATA / GET CHALLENGE / EXTERNAL AUTHENTICATE / RESET RETRY
//! COUNTER), a 4-facts change and a card fault.
//!
//! (One piece, over 400 lines: the issuance and city-hall cases share one authority set-up and read
//! as one life cycle.)

#[path = "support/records.rs"]
mod records;

use test_support::cards;

use std::{path::Path, sync::OnceLock};

use apdu::{StatusWord, Transport, TransportError};
use card_sim::{CardProfile, KeyRole, MyNumber, PinRef, SimCard, admin::admin_message};
use cards::{exchange, hx, lc_ascii, reopen, temp_dir};
use cert::{Crl, Hierarchy, JpkiCertificate, RevocationReason, TrustAnchors};
use issuer::{Authority, Error, IssueRequest, RetryLimits};
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use pin_policy::{Pin, PinKind};
use time::{Date, OffsetDateTime, macros::date, macros::datetime};

const AUTH_PIN: &str = "1234";
const SIGN_PIN: &str = "ABC123";
const TEXT_PIN: &str = "5678";
const ISSUED_AT: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
const CARD_EXPIRY: Date = date!(2035 - 08 - 20);
const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
const SELECT_SIGN_PIN: &str = "00 A4 02 0C 02 00 1B";

fn pin(kind: PinKind, s: &str) -> Pin {
    Pin::new(kind, s.as_bytes()).unwrap()
}

fn request(limits: RetryLimits) -> IssueRequest {
    IssueRequest {
        profile: CardProfile::MyNumber,
        holder: test_support::fixtures::holder(),
        my_number: Some(MyNumber::new("123456789018").unwrap()),
        auth_pin: Some(pin(PinKind::Authentication, AUTH_PIN)),
        sign_pin: Some(pin(PinKind::Signature, SIGN_PIN)),
        text_pin: Some(pin(PinKind::TextSupport, TEXT_PIN)),
        resident_pin: None,
        retry_limits: limits,
        card_expiry: CARD_EXPIRY,
        stay_until: None,
        issued_at: ISSUED_AT,
    }
}

/// A new authority in `dir/authority`. CA key generation is the slow part, so one authority
/// per process is created and each test gets its own copy of its directory (`fresh` creates a
/// really new one, with keys of its own).
fn authority(dir: &Path, fresh: bool) -> Authority {
    static TEMPLATE: OnceLock<cards::TempDir> = OnceLock::new();
    let target = dir.join("authority");
    if fresh {
        return Authority::create(&target, ISSUED_AT, &mut test_support::keys::seeded_rng(70))
            .unwrap();
    }
    let template = TEMPLATE.get_or_init(|| {
        let t = temp_dir("authority-template");
        Authority::create(&t, ISSUED_AT, &mut test_support::keys::seeded_rng(1)).unwrap();
        t
    });
    records::copy_authority(template, dir)
}

fn issue(authority: &mut Authority, dir: &Path, name: &str, limits: RetryLimits) -> SimCard {
    authority
        .issue_card(
            request(limits),
            &dir.join(name),
            &mut test_support::keys::seeded_rng(99),
        )
        .unwrap()
}

fn anchors(authority: &Authority) -> TrustAnchors {
    records::anchors(authority)
}

/// The CRL of the fixture holder's municipality (the partition of every card issued here).
fn crl(authority: &Authority, h: Hierarchy) -> Crl {
    let municipality = test_support::fixtures::holder().municipality;
    Crl::from_der(&std::fs::read(authority.crl_path(h, &municipality)).unwrap()).unwrap()
}

/// The serial the first end-entity certificate of `authority` gets: the one after its two CAs'.
fn first_serial(authority: &Authority) -> cert::Serial {
    let ca = authority
        .ca(Hierarchy::Authentication)
        .certificate()
        .serial();
    let n = ca
        .as_bytes()
        .iter()
        .fold(0u64, |n, b| n << 8 | u64::from(*b));
    cert::Serial::from(n + 1)
}

fn cert_of(card: &SimCard, role: KeyRole) -> JpkiCertificate {
    JpkiCertificate::from_der(card.certificate(role).unwrap()).unwrap()
}

fn tries(card: &SimCard, pin: PinRef) -> u8 {
    card.pin_counter(pin).unwrap().tries_left()
}

/// Wrong signature-PIN VERIFYs until the PIN is blocked.
fn block_sign_pin(card: &mut SimCard) {
    exchange(card, SELECT_JPKI, "9000");
    exchange(card, SELECT_SIGN_PIN, "9000");
    while tries(card, PinRef::Signature) > 0 {
        card.process(&hx(&format!("00 20 00 80 {}", lc_ascii("WRONG1"))));
    }
    exchange(card, &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)), "6984");
}

/// SELECT JPKI, the signature PIN EF, then GET CHALLENGE; returns the challenge.
fn challenge(card: &mut SimCard) -> [u8; 16] {
    exchange(card, SELECT_JPKI, "9000");
    exchange(card, SELECT_SIGN_PIN, "9000");
    exchange(card, "00 84 00 00 10", "9000").try_into().unwrap()
}

fn external_authenticate(card: &mut SimCard, response: &[u8], sw: &str) {
    let capdu = format!(
        "00 82 00 00 {:02X} {}",
        response.len(),
        hex::encode(response)
    );
    exchange(card, &capdu, sw);
}

/// Records every APDU pair, to replay them later.
struct Recorder<'a> {
    card: &'a mut SimCard,
    log: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Transport for Recorder<'_> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let rapdu = self.card.process(capdu);
        self.log.push((capdu.to_vec(), rapdu.clone()));
        Ok(rapdu)
    }
}

#[test]
fn issued_certificates_parse_and_chain_to_the_authority_cas() {
    let dir = temp_dir("issue-default");
    let mut authority = authority(&dir, false);
    let card = issue(&mut authority, &dir, "card", RetryLimits::default());

    // the real card's retry limits
    assert_eq!(card.pin_counter(PinRef::Authentication).unwrap().limit(), 3);
    assert_eq!(card.pin_counter(PinRef::Signature).unwrap().limit(), 5);
    assert_eq!(card.pin_counter(PinRef::TextSupport).unwrap().limit(), 3);

    let anchors = anchors(&authority);
    let at = ISSUED_AT + time::Duration::days(1);
    let auth = cert_of(&card, KeyRole::Authentication);
    let sign = cert_of(&card, KeyRole::Signature);
    assert_eq!(auth.hierarchy(), Hierarchy::Authentication);
    assert_eq!(sign.hierarchy(), Hierarchy::Signature);
    for (c, h) in [
        (&auth, Hierarchy::Authentication),
        (&sign, Hierarchy::Signature),
    ] {
        let crl = crl(&authority, h);
        let checked = anchors
            .verify(c, at, cert::RevocationCheck::Crl(&crl))
            .unwrap();
        assert_eq!(checked.anchor.der(), authority.ca(h).certificate().der());
    }
    assert_eq!(
        card.ca_certificate(KeyRole::Signature).unwrap(),
        authority.ca(Hierarchy::Signature).certificate().der()
    );
    // the 4 facts of the certificate and of the text-support AP agree
    let holder = test_support::fixtures::holder();
    let facts = sign.four_facts().unwrap();
    assert_eq!(facts.name, holder.name);
    assert_eq!(card.four_facts().unwrap().name, holder.name.text());
    assert_eq!(card.four_facts().unwrap().birth_date, "19850820");
    // the card is bound to this authority
    let admin = card.administration().unwrap();
    assert_eq!(&admin.admin_key, authority.admin_public_key());
    assert_eq!(admin.card_expiry, CARD_EXPIRY);

    // the state survives reopening: fresh serials and a fresh card ID for the next card
    let authority_dir = authority.dir().to_path_buf();
    drop(authority);
    let mut reopened = Authority::open(&authority_dir).unwrap();
    let second = reopened
        .issue_card(
            request(RetryLimits::default()),
            &dir.join("second"),
            &mut test_support::keys::seeded_rng(100),
        )
        .unwrap();
    assert_ne!(second.card_id(), card.card_id());
    let serials = [
        auth.serial(),
        sign.serial(),
        cert_of(&second, KeyRole::Authentication).serial(),
        cert_of(&second, KeyRole::Signature).serial(),
    ];
    for (i, a) in serials.iter().enumerate() {
        for b in &serials[i + 1..] {
            assert_ne!(a, b, "serials are unique");
        }
    }
    // an existing card file is never replaced
    let err = reopened
        .issue_card(
            request(RetryLimits::default()),
            &dir.join("card"),
            &mut test_support::keys::seeded_rng(101),
        )
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
}

#[test]
fn municipal_page_retry_limits_lock_the_signature_pin_after_three() {
    let dir = temp_dir("issue-municipal");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::municipal_page());
    assert_eq!(card.pin_counter(PinRef::Authentication).unwrap().limit(), 5);
    assert_eq!(card.pin_counter(PinRef::Signature).unwrap().limit(), 3);
    assert_eq!(card.pin_counter(PinRef::TextSupport).unwrap().limit(), 5);
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, SELECT_SIGN_PIN, "9000");
    exchange(&mut card, "00 20 00 80", "63C3");
    for sw in ["63C2", "63C1", "63C0"] {
        exchange(
            &mut card,
            &format!("00 20 00 80 {}", lc_ascii("WRONG1")),
            sw,
        );
    }
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "6984",
    );
    // the authentication PIN allows five
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(&mut card, "00 20 00 80", "63C5");
}

#[test]
fn the_municipality_unlocks_a_blocked_pin_over_apdus() {
    let dir = temp_dir("unlock");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::default());
    block_sign_pin(&mut card);

    let mut recorder = Recorder {
        card: &mut card,
        log: Vec::new(),
    };
    authority
        .unlock(&mut recorder, PinRef::Signature, None)
        .unwrap();
    let inss: Vec<u8> = recorder.log.iter().map(|(c, _)| c[1]).collect();
    assert_eq!(
        inss,
        [0xA4, 0xA4, 0xCA, 0x84, 0x82, 0x2C],
        "the APDUs a real card sees"
    );
    assert_eq!(recorder.log[5].0, hx("00 2C 03 80"));

    assert_eq!(tries(&card, PinRef::Signature), 5);
    // durable, and the old PIN works again
    let mut reopened = reopen(card);
    assert_eq!(tries(&reopened, PinRef::Signature), 5);
    exchange(&mut reopened, SELECT_JPKI, "9000");
    exchange(&mut reopened, SELECT_SIGN_PIN, "9000");
    exchange(
        &mut reopened,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
}

#[test]
fn unlock_with_a_new_pin_replaces_it_and_refuses_a_bad_format() {
    let dir = temp_dir("unlock-new");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::default());
    block_sign_pin(&mut card);

    // a 4-digit PIN breaks the signature PIN's rule: the card answers 6A80, nothing changes
    let bad = pin(PinKind::Authentication, "9999");
    let err = authority
        .unlock(&mut card, PinRef::Signature, Some(&bad))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::CardRefused {
                command: "RESET RETRY COUNTER",
                status: StatusWord(0x6A80)
            }
        ),
        "{err}"
    );
    assert_eq!(tries(&card, PinRef::Signature), 0);

    let new = pin(PinKind::Signature, "NEWPIN42");
    authority
        .unlock(&mut card, PinRef::Signature, Some(&new))
        .unwrap();
    assert_eq!(tries(&card, PinRef::Signature), 5);
    let mut card = reopen(card);
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, SELECT_SIGN_PIN, "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "63C4",
    );
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii("NEWPIN42")),
        "9000",
    );

    // by hand: a new PIN of bad format in 00 2C 02 80 → 6A80
    let challenge = challenge(&mut card);
    let response = authority.admin_response(&card.card_id().unwrap(), &challenge);
    external_authenticate(&mut card, &response, "9000");
    exchange(
        &mut card,
        &format!("00 2C 02 80 {}", lc_ascii("abc")),
        "6A80",
    );
    exchange(&mut card, "00 2C 02 80", "6700");
    exchange(&mut card, "00 2C 03 80 01 31", "6700");
    exchange(&mut card, "00 2C 01 80", "6A86");
    exchange(
        &mut card,
        &format!("00 2C 02 80 {}", lc_ascii("ANOTHER7")),
        "9000",
    );
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii("ANOTHER7")),
        "9000",
    );
}

#[test]
fn a_wrong_signature_never_unlocks() {
    let dir = temp_dir("wrong-signature");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::default());
    block_sign_pin(&mut card);
    let card_id = card.card_id().unwrap();

    // signed by a key that is not the municipality's
    let impostor = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let c = challenge(&mut card);
    let forged: Signature = impostor.sign(&admin_message(&card_id, &c));
    external_authenticate(&mut card, &forged.to_bytes(), "6300");
    exchange(&mut card, "00 2C 03 80", "6982");

    // the right key, one bit flipped
    let c = challenge(&mut card);
    let mut response = authority.admin_response(&card_id, &c);
    response[10] ^= 0x01;
    external_authenticate(&mut card, &response, "6300");
    exchange(&mut card, "00 2C 03 80", "6982");

    // garbage that is no signature at all
    let _ = challenge(&mut card);
    external_authenticate(&mut card, &[0x30, 0x03, 0x02, 0x01, 0x01], "6300");
    exchange(&mut card, "00 2C 03 80", "6982");

    // a right signature in DER also works (and proves the checks above are not vacuous)
    let c = challenge(&mut card);
    let signature = Signature::from_slice(&authority.admin_response(&card_id, &c)).unwrap();
    external_authenticate(&mut card, signature.to_der().as_bytes(), "9000");
    exchange(&mut card, "00 2C 03 80", "9000");
    assert_eq!(tries(&card, PinRef::Signature), 5);
}

#[test]
fn a_replayed_response_never_unlocks() {
    let dir = temp_dir("replay");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::default());
    block_sign_pin(&mut card);
    let mut recorder = Recorder {
        card: &mut card,
        log: Vec::new(),
    };
    authority
        .unlock(&mut recorder, PinRef::Signature, None)
        .unwrap();
    let recorded = recorder.log[4].0.clone();
    assert_eq!(recorded[1], 0x82);

    // the challenge was consumed: the same response again finds none
    assert_eq!(card.process(&recorded), [0x69, 0x85]);
    block_sign_pin(&mut card);
    // after a fresh challenge the recorded response is stale
    let _ = challenge(&mut card);
    assert_eq!(card.process(&recorded), [0x63, 0x00]);
    exchange(&mut card, "00 2C 03 80", "6982");
    // and a second try is not allowed on the same challenge either
    assert_eq!(card.process(&recorded), [0x69, 0x85]);
    assert_eq!(tries(&card, PinRef::Signature), 0);
}

#[test]
fn a_response_for_another_card_never_unlocks() {
    let dir = temp_dir("other-card");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::default());
    let other = authority
        .issue_card(
            request(RetryLimits::default()),
            &dir.join("other"),
            &mut test_support::keys::seeded_rng(7),
        )
        .unwrap();
    block_sign_pin(&mut card);
    let c = challenge(&mut card);
    let response = authority.admin_response(&other.card_id().unwrap(), &c);
    external_authenticate(&mut card, &response, "6300");
    exchange(&mut card, "00 2C 03 80", "6982");
    assert_eq!(tries(&card, PinRef::Signature), 0);

    // a card of another municipality refuses this one's key
    let other_dir = temp_dir("other-authority");
    let mut elsewhere = authority_at(&other_dir);
    let mut foreign = issue(&mut elsewhere, &other_dir, "card", RetryLimits::default());
    block_sign_pin(&mut foreign);
    let err = authority
        .unlock(&mut foreign, PinRef::Signature, None)
        .unwrap_err();
    assert!(matches!(err, Error::ForeignCard { .. }), "{err}");
    assert!(err.to_string().contains("another authority"), "{err}");
    assert_eq!(tries(&foreign, PinRef::Signature), 0);
    // nor may it change or fault a card it did not issue
    let err = authority.fault(&mut foreign, ISSUED_AT).unwrap_err();
    assert!(matches!(err, Error::ForeignCard { .. }), "{err}");
    assert!(!foreign.is_terminated());
}

fn authority_at(dir: &Path) -> Authority {
    authority(dir, true)
}

#[test]
fn external_authenticate_needs_a_pending_challenge_and_admin_state_is_volatile() {
    let dir = temp_dir("no-challenge");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::default());
    let card_id = card.card_id().unwrap();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, SELECT_SIGN_PIN, "9000");
    external_authenticate(&mut card, &[0u8; 64], "6985");
    exchange(&mut card, "00 2C 03 80", "6982");
    // wire checks
    // card-map §1: any Le 1–256 answers; only a 16-byte challenge can be authenticated
    let eight = exchange(&mut card, "00 84 00 00 08", "9000");
    assert_eq!(eight.len(), 8);
    external_authenticate(&mut card, &[0u8; 64], "6985");
    exchange(&mut card, "00 84 01 00 10", "6A86");
    exchange(&mut card, "00 82 00 00", "6700");
    let id = exchange(&mut card, "00 CA 00 45 00", "9000");
    assert_eq!(id, card_id);
    exchange(&mut card, "00 CA 00 46 00", "6A88");
    // two challenges differ
    let a = challenge(&mut card);
    let b = challenge(&mut card);
    assert_ne!(a, b);
    // the latest challenge counts
    external_authenticate(&mut card, &authority.admin_response(&card_id, &a), "6300");

    // admin state is cleared by power-off, reset and SELECT of the application
    type Clear = fn(&mut SimCard);
    let clears: [Clear; 3] = [
        |c| c.power_off(),
        |c| {
            c.reset();
        },
        |c| {
            exchange(c, SELECT_JPKI, "9000");
        },
    ];
    for clear in clears {
        let c = challenge(&mut card);
        external_authenticate(&mut card, &authority.admin_response(&card_id, &c), "9000");
        clear(&mut card);
        exchange(&mut card, SELECT_JPKI, "9000");
        exchange(&mut card, SELECT_SIGN_PIN, "9000");
        exchange(&mut card, "00 2C 03 80", "6982");
    }
    // while it lasts, it survives EF selects (text-support PIN needs its own application)
    let c = challenge(&mut card);
    external_authenticate(&mut card, &authority.admin_response(&card_id, &c), "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(&mut card, "00 2C 03 80", "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    exchange(&mut card, "00 2C 03 80", "6981");
}

#[test]
fn a_card_without_an_authority_cannot_be_unlocked() {
    let dir = temp_dir("no-authority");
    let authority = authority(&dir, false);
    let mut card = cards::my_number_card();
    assert!(card.card_id().is_none());
    exchange(&mut card, "00 CA 00 45 00", "6A88");
    let _ = challenge(&mut card);
    external_authenticate(&mut card, &[0u8; 64], "6A88");
    let err = authority
        .unlock(&mut card, PinRef::Signature, None)
        .unwrap_err();
    assert!(matches!(err, Error::ForeignCard { .. }), "{err}");
}

#[test]
fn a_four_facts_change_revokes_and_replaces_the_signature_certificate_only() {
    let dir = temp_dir("change-facts");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::default());
    let old_sign = cert_of(&card, KeyRole::Signature);
    let auth = cert_of(&card, KeyRole::Authentication);
    let card_id = card.card_id();

    let mut moved = test_support::fixtures::holder();
    moved.address = cert::CardText::plain("東京都千代田区永田町一丁目７番１号");
    let at = ISSUED_AT + time::Duration::days(30);
    authority
        .change_facts(
            &mut card,
            moved.clone(),
            at,
            &mut test_support::keys::seeded_rng(11),
        )
        .unwrap();

    let sign_crl = crl(&authority, Hierarchy::Signature);
    match sign_crl.check(&old_sign) {
        Err(cert::Error::Revoked { reason, .. }) => {
            assert_eq!(reason, Some(RevocationReason::AffiliationChanged));
        }
        other => panic!("old signature certificate not revoked: {other:?}"),
    }
    assert!(authority.is_revoked(&old_sign));
    let new_sign = cert_of(&card, KeyRole::Signature);
    assert_ne!(new_sign.serial(), old_sign.serial());
    assert_ne!(new_sign.public_key(), old_sign.public_key(), "a new key");
    assert_eq!(new_sign.four_facts().unwrap().address, moved.address);
    let anchors = anchors(&authority);
    anchors
        .verify(
            &new_sign,
            at + time::Duration::days(1),
            cert::RevocationCheck::Crl(&sign_crl),
        )
        .unwrap();
    // the authentication certificate survives, unrevoked
    assert_eq!(cert_of(&card, KeyRole::Authentication).der(), auth.der());
    crl(&authority, Hierarchy::Authentication)
        .check(&auth)
        .unwrap();
    assert!(!authority.is_revoked(&auth));
    // the text-support AP follows, the card ID stays
    assert_eq!(card.four_facts().unwrap().address, moved.address.text());
    assert_eq!(card.card_id(), card_id);

    // durable: the reopened card signs with the new key under the old PIN
    let mut card = reopen(card);
    assert_eq!(cert_of(&card, KeyRole::Signature).der(), new_sign.der());
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, SELECT_SIGN_PIN, "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 1A", "9000");
    let digest_info = hx("3031300D060960864801650304020105000420")
        .into_iter()
        .chain([7u8; 32]);
    let digest_info: Vec<u8> = digest_info.collect();
    let capdu = format!("80 2A 00 80 33 {} 00", hex::encode(&digest_info));
    let signature = exchange(&mut card, &capdu, "9000");
    new_sign
        .rsa_public_key()
        .unwrap()
        .verify(
            rsa::Pkcs1v15Sign::new_unprefixed(),
            &digest_info,
            &signature,
        )
        .unwrap();
}

#[test]
fn a_card_fault_revokes_everything_and_terminates_the_card() {
    let dir = temp_dir("fault");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::default());
    let sign = cert_of(&card, KeyRole::Signature);
    let auth = cert_of(&card, KeyRole::Authentication);
    let at = ISSUED_AT + time::Duration::days(3);
    authority.fault(&mut card, at).unwrap();

    for (c, h) in [
        (&sign, Hierarchy::Signature),
        (&auth, Hierarchy::Authentication),
    ] {
        match crl(&authority, h).check(c) {
            Err(cert::Error::Revoked { reason, .. }) => {
                assert_eq!(reason, Some(RevocationReason::CessationOfOperation));
            }
            other => panic!("{h:?} certificate not revoked: {other:?}"),
        }
    }
    // terminated, durably: keys erased, every command answered 6A82
    let mut card = reopen(card);
    assert!(card.is_terminated());
    assert!(card.certificate(KeyRole::Signature).is_none());
    assert!(card.pin_counter(PinRef::Signature).is_none());
    for capdu in [
        SELECT_JPKI,
        "00 84 00 00 10",
        "00 CA 00 45 00",
        "FF FF",
        "00 B0 00 00 04",
    ] {
        exchange(&mut card, capdu, "6A82");
    }
    assert_eq!(card.atr(), card_sim::ATR);
    // nothing more to administer
    assert!(matches!(
        authority.fault(&mut card, at),
        Err(Error::Terminated)
    ));
    assert!(matches!(
        authority.change_facts(
            &mut card,
            test_support::fixtures::holder(),
            at,
            &mut test_support::keys::seeded_rng(1)
        ),
        Err(Error::Terminated)
    ));
    // reopening the authority keeps the revocations
    let authority_dir = authority.dir().to_path_buf();
    drop(authority);
    let reopened = Authority::open(&authority_dir).unwrap();
    assert!(reopened.is_revoked(&sign) && reopened.is_revoked(&auth));
}

#[test]
fn a_juki_card_is_issued_and_bad_requests_spend_no_serial() {
    // Juki issuance ended in December 2015: the window (and its CAs) of a 2015 issue
    const JUKI_ISSUED_AT: OffsetDateTime = datetime!(2015-06-01 01:00 UTC);
    let dir = temp_dir("juki");
    let mut authority = Authority::create(
        &dir.join("authority"),
        JUKI_ISSUED_AT,
        &mut test_support::keys::seeded_rng(71),
    )
    .unwrap();
    let juki = |auth_pin: Option<Pin>| IssueRequest {
        profile: CardProfile::Juki,
        my_number: None,
        auth_pin,
        sign_pin: Some(pin(PinKind::JukiSignature, "JUKI01")),
        text_pin: None,
        resident_pin: None,
        card_expiry: date!(2025 - 06 - 01),
        issued_at: JUKI_ISSUED_AT,
        ..request(RetryLimits::default())
    };
    // one issued today is refused with the reason, before any key or serial is spent
    let today = IssueRequest {
        issued_at: ISSUED_AT,
        card_expiry: CARD_EXPIRY,
        ..juki(None)
    };
    let err = authority
        .issue_card(
            today,
            &dir.join("bad"),
            &mut test_support::keys::seeded_rng(1),
        )
        .unwrap_err();
    assert!(matches!(err, Error::IssueRequest { .. }), "{err}");
    assert!(err.to_string().contains("until 2015-12-31"), "{err}");
    let last_day = IssueRequest {
        issued_at: datetime!(2015-12-31 15:00 UTC), // 2016-01-01 00:00 JST
        ..juki(None)
    };
    let err = authority
        .issue_card(
            last_day,
            &dir.join("bad"),
            &mut test_support::keys::seeded_rng(1),
        )
        .unwrap_err();
    assert!(matches!(err, Error::IssueRequest { .. }), "{err}");
    // refused before any key or serial is spent
    let err = authority
        .issue_card(
            juki(Some(pin(PinKind::Authentication, AUTH_PIN))),
            &dir.join("bad"),
            &mut test_support::keys::seeded_rng(1),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Card(card_sim::Error::NotOnProfile { .. })),
        "{err}"
    );
    let wrong_kind = IssueRequest {
        sign_pin: Some(pin(PinKind::JukiSignature, "JUKI01")),
        ..request(RetryLimits::default())
    };
    let err = authority
        .issue_card(
            wrong_kind,
            &dir.join("bad"),
            &mut test_support::keys::seeded_rng(1),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Card(card_sim::Error::WrongPinKind { .. })),
        "{err}"
    );
    assert!(!dir.join("bad").exists());

    let card = authority
        .issue_card(
            juki(None),
            &dir.join("juki"),
            &mut test_support::keys::seeded_rng(2),
        )
        .unwrap();
    assert_eq!(card.profile(), CardProfile::Juki);
    assert!(card.certificate(KeyRole::Authentication).is_none());
    assert!(!card.has_text_support());
    let sign = cert_of(&card, KeyRole::Signature);
    assert_eq!(
        sign.serial(),
        first_serial(&authority),
        "no serial was spent"
    );
    // the Juki rule: three years from issue
    assert_eq!(sign.not_after(), datetime!(2018-06-01 14:59:59 UTC));
    anchors(&authority)
        .verify(
            &sign,
            JUKI_ISSUED_AT + time::Duration::days(1),
            cert::RevocationCheck::NotChecked,
        )
        .unwrap();
    // and expired after three years (its CAs still valid)
    let err = anchors(&authority)
        .verify(
            &sign,
            datetime!(2019-01-01 00:00 UTC),
            cert::RevocationCheck::NotChecked,
        )
        .unwrap_err();
    assert!(
        matches!(err, cert::Error::Expired { not_after } if not_after == sign.not_after()),
        "{err}"
    );
}

#[test]
fn a_refused_four_facts_change_revokes_nothing() {
    let dir = temp_dir("change-refused");
    let mut authority = authority(&dir, false);
    let mut card = issue(&mut authority, &dir, "card", RetryLimits::default());
    let old = cert_of(&card, KeyRole::Signature);
    let before = std::fs::read(card.path().unwrap()).unwrap();
    let mut bad = test_support::fixtures::holder();
    bad.address = cert::CardText::plain("");
    let err = authority
        .change_facts(
            &mut card,
            bad,
            ISSUED_AT,
            &mut test_support::keys::seeded_rng(3),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Certificate(_)), "{err}");
    assert!(!authority.is_revoked(&old));
    crl(&authority, Hierarchy::Signature).check(&old).unwrap();
    assert_eq!(std::fs::read(card.path().unwrap()).unwrap(), before);

    // a card issued without a signature certificate has nothing to change
    let no_sign = IssueRequest {
        sign_pin: None,
        ..request(RetryLimits::default())
    };
    let mut card = authority
        .issue_card(
            no_sign,
            &dir.join("no-sign"),
            &mut test_support::keys::seeded_rng(4),
        )
        .unwrap();
    let err = authority
        .change_facts(
            &mut card,
            test_support::fixtures::other_holder(),
            ISSUED_AT,
            &mut test_support::keys::seeded_rng(5),
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotOnCard { .. }), "{err}");
}
