//! The next-generation client against the NG-sim v1 simulator card, in process: two readings of
//! shared/next-gen-profile.md Part 2 (card-sim's and jpki-applet's, each with its own table)
//! meeting on the wire, with real P-384 certificates from `cert` on the card.

#[path = "support/ng_sim.rs"]
mod ng_sim;

use card_sim::{Nonces, SimCard};
use cert::{CardAuthCertificate, JpkiCertificate, RevocationCheck, card_auth};
use jpki_applet::{
    CertSlot, Error, Generation, JpkiCard, KeyRef, NgAlgorithm, NgSecret, SignatureAlgorithm,
};
use ng_sim::{MY_NUMBER, PIN4, SIGN_PW, anchors, card, checked_at, issued};
use p384::ecdsa::{DerSignature, Signature, VerifyingKey, signature::hazmat::PrehashVerifier};
use sha2::{Digest, Sha384};

/// The P-384 key of a certificate as `cert` parses it.
fn cert_key(der: &[u8]) -> VerifyingKey {
    let c = JpkiCertificate::from_der(der).unwrap();
    VerifyingKey::from(
        c.public_key()
            .p384()
            .expect("an NG certificate's key is P-384"),
    )
}

/// Checks a DER ECDSA signature from the client over SHA-384(`message`) with `key`.
#[track_caller]
fn assert_der_verifies(key: &VerifyingKey, message: &[u8], der: &[u8]) {
    let signature = DerSignature::try_from(der).expect("strict DER ECDSA-Sig-Value");
    key.verify_prehash(&Sha384::digest(message), &signature)
        .expect("verifies with the certificate's key");
}

#[test]
fn the_ng_card_is_detected_as_next_gen_and_today_s_as_current() {
    let mut sim = card();
    let ng = JpkiCard::open(&mut sim).unwrap();
    assert_eq!(ng.generation(), Generation::NextGen);
    assert_eq!(
        ng.signature_algorithm(),
        SignatureAlgorithm::EcdsaWithSha384
    );
    assert_eq!(ng.token_label(), "JPKINGAPTOKEN1");
    let mut today = test_support::cards::my_number_card();
    let current = JpkiCard::open(&mut today).unwrap();
    assert_eq!(current.generation(), Generation::Current);
    assert_eq!(current.token_label(), "JPKIAPICCTOKEN2");
}

#[test]
fn every_certificate_reads_back_as_issued_and_the_profile_record_parses() {
    let i = issued();
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    let ng = card.next_gen_mut().unwrap();
    assert_eq!(ng.profile().version, 1);
    assert_eq!(ng.profile().algorithm, NgAlgorithm::EcdsaP384Sha384);
    assert!(ng.availability().auth && ng.availability().sign);
    assert_eq!(
        ng.read_card_auth_certificate(false).unwrap(),
        i.card_auth_cert.der()
    );
    assert_eq!(
        ng.read_card_auth_certificate(true).unwrap(),
        i.card_auth_ca.certificate().der()
    );
    assert_eq!(
        card.read_certificate(CertSlot::Auth).unwrap(),
        i.auth_cert.der()
    );
    assert_eq!(
        card.read_certificate(CertSlot::AuthCa).unwrap(),
        i.auth_ca.certificate().der()
    );
    assert_eq!(
        card.read_certificate(CertSlot::SignCa).unwrap(),
        i.sign_ca.certificate().der()
    );
    // the signature certificate only after the signing password
    assert!(matches!(
        card.read_certificate(CertSlot::Sign),
        Err(Error::SecurityStatusNotSatisfied)
    ));
    assert_eq!(
        card.read_sign_certificate(SIGN_PW).unwrap(),
        i.sign_cert.der()
    );
    // and what was read parses with `cert` as P-384 certificates under today's CA names
    let auth = JpkiCertificate::from_der(&card.read_certificate(CertSlot::Auth).unwrap()).unwrap();
    assert_eq!(auth.issuer(), i.auth_ca.certificate().subject());
}

#[test]
fn a_card_without_the_signature_key_says_so_in_its_availability() {
    let mut sim = SimCard::new_next_gen(ng_sim::contents(false)).unwrap();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    assert!(card.availability().auth);
    assert!(!card.availability().sign);
    assert_eq!(
        card.read_certificate(CertSlot::Auth).unwrap(),
        issued().auth_cert.der()
    );
    let mut session = card.verify_key(KeyRef::Sign, SIGN_PW).unwrap();
    assert!(matches!(
        session.certificate(),
        Err(Error::NoCertificate {
            slot: CertSlot::Sign
        })
    ));
    // the client needs the certificate's key to check the card's answer, so it stops there
    assert!(matches!(
        session.sign_message(b"no key"),
        Err(Error::NoCertificate {
            slot: CertSlot::Sign
        })
    ));
}

#[test]
fn both_keys_sign_and_the_signatures_and_chains_verify_through_cert() {
    let i = issued();
    let anchors = anchors();
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    for (key, secret, expected) in [
        (KeyRef::Auth, PIN4, &i.auth_cert),
        (KeyRef::Sign, SIGN_PW, &i.sign_cert),
    ] {
        let mut session = card.verify_key(key, secret).unwrap();
        let der = session.certificate().unwrap();
        assert_eq!(der, expected.der());
        let message = format!("{key:?} signs this");
        let signature = session.sign_message(message.as_bytes()).unwrap();
        assert_eq!(signature.algorithm(), SignatureAlgorithm::EcdsaWithSha384);
        assert_der_verifies(&cert_key(&der), message.as_bytes(), signature.as_bytes());
        // the card's r ‖ s is what the DER holds
        let raw = Signature::from_slice(signature.raw_rs().unwrap()).unwrap();
        assert_eq!(raw.to_der().as_bytes(), signature.as_bytes());
        // and not over another message
        let other = DerSignature::try_from(signature.as_bytes()).unwrap();
        assert!(
            cert_key(&der)
                .verify_prehash(&Sha384::digest(b"other"), &other)
                .is_err()
        );
        // the chain: P-384 anchor found by key identifier, both valid a day after issue
        let parsed = JpkiCertificate::from_der(&der).unwrap();
        let v = anchors
            .verify(&parsed, checked_at(), RevocationCheck::NotChecked)
            .unwrap();
        let ca = if key == KeyRef::Auth {
            &i.auth_ca
        } else {
            &i.sign_ca
        };
        assert_eq!(v.anchor.der(), ca.certificate().der());
    }
}

#[test]
fn a_verified_signing_password_opens_the_authentication_key() {
    let i = issued();
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    let ng = card.next_gen_mut().unwrap();
    let mut session = ng.verify(NgSecret::SignPassword, SIGN_PW).unwrap();
    let signature = session.sign_message(KeyRef::Auth, b"login").unwrap();
    assert_der_verifies(&cert_key(i.auth_cert.der()), b"login", signature.as_bytes());
    session.end().unwrap();
    // PIN4's counter untouched by it (P8)
    assert_eq!(
        sim.next_gen_counter(card_sim::NextGenSecret::Pin4)
            .unwrap()
            .tries_left(),
        3
    );
    // while the 4-digit PIN does not open the signature key
    let mut card = JpkiCard::open(&mut sim).unwrap();
    let ng = card.next_gen_mut().unwrap();
    let mut session = ng.verify(NgSecret::Pin4, PIN4).unwrap();
    assert!(matches!(
        session.sign_message(KeyRef::Sign, b"contract"),
        Err(Error::SecurityStatusNotSatisfied)
    ));
}

#[test]
fn internal_authentication_verifies_with_the_card_auth_certificate_chained_to_000d() {
    let i = issued();
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    let ng = card.next_gen_mut().unwrap();
    let leaf =
        CardAuthCertificate::from_der(&ng.read_card_auth_certificate(false).unwrap()).unwrap();
    let ca = CardAuthCertificate::from_der(&ng.read_card_auth_certificate(true).unwrap()).unwrap();
    leaf.verify_signed_by(&ca).unwrap();
    assert!(ca.is_ca());
    assert_eq!(leaf.card_serial(), Some(ng_sim::CARD_SERIAL));
    assert_eq!(
        i.card_auth_ca.certificate().der(),
        ca.der(),
        "EF 000D is the card-authentication CA"
    );
    assert_eq!(
        card_auth::card_auth_ca_name().common_name(),
        Some(card_auth::CARD_AUTH_CA_COMMON_NAME)
    );
    let key = VerifyingKey::from(leaf.public_key().p384().unwrap());
    let challenge = [0x5A; 32];
    // the client checks with the key given, and with EF 000C's when none is given
    let given = ng.internal_authenticate(&challenge, Some(&key)).unwrap();
    let read = ng.internal_authenticate(&challenge, None).unwrap();
    for signature in [given, read] {
        let mut prefixed = b"JPKI-NG card auth".to_vec();
        prefixed.extend_from_slice(&challenge);
        assert_der_verifies(&key, &prefixed, signature.as_bytes());
    }
    // another key (the holder's auth key) is refused by the client
    let wrong = cert_key(i.auth_cert.der());
    assert!(matches!(
        ng.internal_authenticate(&challenge, Some(&wrong)),
        Err(Error::CardSignatureInvalid { .. })
    ));
    // challenges outside 16–64 bytes never leave the client
    assert!(matches!(
        ng.internal_authenticate(&[0; 15], Some(&key)),
        Err(Error::ChallengeLength { len: 15 })
    ));
}

#[test]
fn my_number_and_four_facts_read_back_as_issued() {
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    let ng = card.next_gen_mut().unwrap();
    let issued_facts = test_support::cards::facts();
    for (secret, value) in [(NgSecret::Pin4, PIN4), (NgSecret::SignPassword, SIGN_PW)] {
        let mut session = ng.verify(secret, value).unwrap();
        assert_eq!(session.my_number().unwrap(), MY_NUMBER);
        let facts = session.four_facts().unwrap();
        assert_eq!(facts.name, issued_facts.name);
        assert_eq!(facts.address, issued_facts.address);
        assert_eq!(facts.birth, (1990, 1, 1));
        assert_eq!(issued_facts.birth_date, "19900101");
        assert_eq!(facts.sex, jpki_applet::Sex::Female);
        assert_eq!(issued_facts.sex, card_sim::Sex::Female);
    }
}

#[test]
fn rfc6979_signatures_repeat_and_a_leading_zero_half_survives_the_der_conversion() {
    let i = issued();
    let key = cert_key(i.sign_cert.der());
    let mut sim = card();
    sim.set_nonces(Nonces::Rfc6979);
    let mut card = JpkiCard::open(&mut sim).unwrap();
    let mut session = card.verify_key(KeyRef::Sign, SIGN_PW).unwrap();
    let first = session.sign_message(b"same").unwrap();
    let again = session.sign_message(b"same").unwrap();
    assert_eq!(first, again, "RFC 6979: same hash, same signature");
    // search messages until r or s starts with a zero byte (about 1 in 128)
    let mut found = None;
    for n in 0u32..4000 {
        let message = format!("leading zero search {n}");
        let signature = session.sign_message(message.as_bytes()).unwrap();
        let raw = signature.raw_rs().unwrap();
        if raw[0] == 0 || raw[48] == 0 {
            found = Some((message, signature));
            break;
        }
    }
    let (message, signature) = found.expect("a leading-zero half within 4000 signatures");
    let raw = signature.raw_rs().unwrap();
    assert_eq!(raw.len(), 96, "fixed width, zero-padded");
    let der = signature.as_bytes();
    // each DER INTEGER drops the half's leading zeros and gains 00 before a set top bit
    let integer_len = |half: &[u8]| {
        let trimmed: Vec<u8> = half.iter().copied().skip_while(|b| *b == 0).collect();
        trimmed.len() + usize::from(trimmed.first().is_some_and(|b| b & 0x80 != 0))
    };
    let (r_len, s_len) = (integer_len(&raw[..48]), integer_len(&raw[48..]));
    assert!(r_len.min(s_len) <= 48, "one half lost its zero byte");
    assert_eq!(
        der.len(),
        2 + 2 + r_len + 2 + s_len,
        "DER of {} bytes",
        der.len()
    );
    assert_der_verifies(&key, message.as_bytes(), der);
    assert_eq!(Signature::from_der(der).unwrap().to_bytes().as_slice(), raw);
}

#[test]
fn today_s_application_is_absent_so_the_current_client_finds_nothing() {
    let mut sim = card();
    assert!(matches!(
        jpki_applet::JpkiApplet::open(&mut sim),
        Err(Error::ApplicationNotFound { .. })
    ));
}

#[test]
fn beside_today_s_rsa_anchors_of_the_same_name_the_p384_one_is_chosen() {
    let i = issued();
    let set = test_support::fixtures::build().unwrap();
    let mut anchors = cert::TrustAnchors::new();
    anchors.add(set.auth_ca.certificate().clone()).unwrap();
    anchors.add(set.sign_ca.certificate().clone()).unwrap();
    anchors.add(i.auth_ca.certificate().clone()).unwrap();
    anchors.add(i.sign_ca.certificate().clone()).unwrap();
    // the hard case: one DN per purpose for both generations
    assert_eq!(
        set.auth_ca.certificate().subject(),
        i.auth_ca.certificate().subject()
    );
    let mut sim = card();
    let mut card = JpkiCard::open(&mut sim).unwrap();
    for (der, ca) in [
        (card.read_certificate(CertSlot::Auth).unwrap(), &i.auth_ca),
        (card.read_sign_certificate(SIGN_PW).unwrap(), &i.sign_ca),
    ] {
        let parsed = JpkiCertificate::from_der(&der).unwrap();
        let v = anchors
            .verify(&parsed, checked_at(), RevocationCheck::NotChecked)
            .unwrap();
        assert_eq!(v.anchor.der(), ca.certificate().der());
    }
}
