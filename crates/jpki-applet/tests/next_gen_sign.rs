//! One sign API for both generations (shared/next-gen-profile.md §2.4–§2.5): today DigestInfo +
//! RSA; next generation MSE:SET, PSO:CDS over a bare SHA-384 hash, exactly 96 bytes `r ‖ s`,
//! parsed, verified against the certificate's P-384 key, then DER. Signatures with leading
//! zeros or a top bit set in `r` or `s` are forged with a real key (chosen nonce and `s`, the
//! hash solved for), so the DER edge cases are exact, not hoped for.

#[path = "support/script.rs"]
mod script;

use jpki_applet::next_gen::verified_der_signature;
use jpki_applet::{
    CardSignature, Error, JpkiCard, KeyRef, NextGenApplet, NgSecret, SignatureAlgorithm,
};
use p384::ecdsa::signature::hazmat::PrehashSigner;
use p384::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use p384::elliptic_curve::ff::PrimeField;
use p384::elliptic_curve::point::AffineCoordinates;
use p384::{FieldBytes, ProjectivePoint, Scalar};
use script::{SELECT_NG_AUTH, Script, certificate, key, ng_card, read_cert_steps, verify_apdu};
use sha2::{Digest, Sha384};

/// MSE:SET for key `k`, then PSO:CDS over `hash` answered by `answer` + `sw`.
fn sign_steps(script: Script, k: u8, hash: &[u8], answer: &[u8], sw: u16) -> Script {
    script
        .step(&format!("002241B6038401{k:02X}"), "9000")
        .answer(
            &format!("002A9E9A30{}00", hex::encode_upper(hash)),
            answer,
            sw,
        )
}

/// A valid signature by `d` with nonce `k` and the chosen `s`: the hash is solved for,
/// `z = s·k − r·d (mod n)`, so verification gives back `k·G`.
fn forge(d: &Scalar, k: &Scalar, s: &Scalar) -> ([u8; 48], [u8; 96]) {
    let r_point = (ProjectivePoint::GENERATOR * k).to_affine();
    let r = Scalar::from_repr(r_point.x()).unwrap();
    let z = *s * k - r * d;
    let mut raw = [0u8; 96];
    raw[..48].copy_from_slice(&r.to_repr());
    raw[48..].copy_from_slice(&s.to_repr());
    (z.to_repr().into(), raw)
}

/// The first nonce from 1 whose `r` (the x of `k·G`, below n) satisfies `want`.
fn nonce_where(want: impl Fn(&FieldBytes) -> bool) -> Scalar {
    (1u64..)
        .map(Scalar::from)
        .find(|k| {
            let x = (ProjectivePoint::GENERATOR * k).to_affine().x();
            bool::from(Scalar::from_repr(x).is_some()) && want(&x)
        })
        .unwrap()
}

fn scalar(bytes: [u8; 48]) -> Scalar {
    Scalar::from_repr(bytes.into()).unwrap()
}

fn d_of(signing: &SigningKey) -> Scalar {
    *signing.as_nonzero_scalar().as_ref()
}

/// Opens an NG card, verifies the signing password, signs `hash` with the key given, the card
/// answering `answer` + `sw`.
fn sign_with(
    public: &VerifyingKey,
    hash: &[u8],
    answer: &[u8],
    sw: u16,
) -> Result<CardSignature, Error> {
    let script = ng_card()
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x81, "ABC123"), "9000");
    let script = sign_steps(script, 2, hash, answer, sw);
    let mut ng = NextGenApplet::open(script).unwrap();
    let result = ng
        .verify(NgSecret::SignPassword, b"ABC123")
        .unwrap()
        .sign_hash_with(KeyRef::Sign, hash, public);
    assert!(ng.into_inner().sent_all());
    result
}

#[test]
fn the_unified_sign_reads_the_certificate_signs_sha384_and_returns_verified_der() {
    let signing = key(7);
    let cert = certificate(signing.verifying_key());
    let message = b"application form";
    let hash = Sha384::digest(message);
    let sig: Signature = signing.sign_prehash(&hash).unwrap();
    let script = ng_card()
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x81, "ABC123"), "9000")
        .steps(&read_cert_steps("0001", &cert));
    let script = sign_steps(script, 2, &hash, &sig.to_bytes(), 0x9000);
    let mut card = JpkiCard::open(script).unwrap();
    assert_eq!(
        card.signature_algorithm(),
        SignatureAlgorithm::EcdsaWithSha384
    );
    let signature = card.sign(KeyRef::Sign, b"ABC123", message).unwrap();
    assert_eq!(signature.algorithm(), SignatureAlgorithm::EcdsaWithSha384);
    assert_eq!(signature.as_bytes(), sig.to_der().as_bytes());
    assert_eq!(signature.raw_rs(), Some(&sig.to_bytes()[..]));
    assert_eq!(signature.algorithm().oid(), "1.2.840.10045.4.3.3");
    assert_eq!(signature.algorithm().digest_oid(), "2.16.840.1.101.3.4.2.2");
}

#[test]
fn the_signature_certificate_is_read_after_the_signing_password() {
    let cert = certificate(key(8).verifying_key());
    let script = ng_card()
        .step(SELECT_NG_AUTH, "9000")
        .step("00A4020C020001", "9000")
        .step("00B0000004", "6982")
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x81, "ABC123"), "9000")
        .steps(&read_cert_steps("0001", &cert));
    let mut card = JpkiCard::open(script).unwrap();
    assert!(matches!(
        card.read_certificate(jpki_applet::CertSlot::Sign),
        Err(Error::SecurityStatusNotSatisfied)
    ));
    assert_eq!(card.read_sign_certificate(b"ABC123").unwrap(), cert);
    assert!(card.into_inner().sent_all());
}

#[test]
fn a_session_reads_the_certificate_once_for_several_signatures_with_the_auth_key() {
    let signing = key(9);
    let cert = certificate(signing.verifying_key());
    let (h1, h2) = ([0x01; 48], [0x02; 48]);
    let s1: Signature = signing.sign_prehash(&h1).unwrap();
    let s2: Signature = signing.sign_prehash(&h2).unwrap();
    let script = ng_card()
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x82, "1234"), "9000")
        .steps(&read_cert_steps("000A", &cert));
    let script = sign_steps(script, 1, &h1, &s1.to_bytes(), 0x9000);
    let script = sign_steps(script, 1, &h2, &s2.to_bytes(), 0x9000);
    let mut card = JpkiCard::open(script).unwrap();
    let mut session = card.verify_key(KeyRef::Auth, b"1234").unwrap();
    assert_eq!(session.algorithm(), SignatureAlgorithm::EcdsaWithSha384);
    assert_eq!(
        session.sign_hash(&h1).unwrap().as_bytes(),
        s1.to_der().as_bytes()
    );
    assert_eq!(
        session.sign_hash(&h2).unwrap().as_bytes(),
        s2.to_der().as_bytes()
    );
    assert!(matches!(
        session.sign_hash(&[0; 32]),
        Err(Error::HashLength {
            len: 32,
            expected: 48
        })
    ));
}

/// (r, s) → the DER's INTEGER lengths and total, checked against the forged values.
fn der_lengths(der: &[u8]) -> (usize, usize, usize) {
    assert_eq!(der[0], 0x30);
    let (body, start) = if der[1] == 0x81 {
        (usize::from(der[2]), 3)
    } else {
        (usize::from(der[1]), 2)
    };
    assert_eq!(der.len(), start + body);
    assert_eq!(der[start], 0x02);
    let r_len = usize::from(der[start + 1]);
    let s_at = start + 2 + r_len;
    assert_eq!(der[s_at], 0x02);
    (r_len, usize::from(der[s_at + 1]), der.len())
}

#[test]
fn r_and_s_become_der_integers_whatever_their_leading_bytes() {
    let signing = key(11);
    let (d, public) = (d_of(&signing), *signing.verifying_key());
    let zero_then_high_r = nonce_where(|x| x[0] == 0x00 && x[1] >= 0x80);
    let zero_then_low_r = nonce_where(|x| x[0] == 0x00 && (0x01..0x80).contains(&x[1]));
    let high_r = nonce_where(|x| x[0] >= 0x80);
    let plain_r = nonce_where(|x| (0x01..0x80).contains(&x[0]));
    let mut two_zero_s = [0x5A; 48];
    two_zero_s[..2].fill(0);
    let high_s = [0xC3; 48];
    let plain_s = [0x3C; 48];
    let mut tiny_s = [0; 48];
    tiny_s[47] = 0x01;
    // (nonce, s, DER r length, DER s length, total)
    let cases = [
        (high_r, high_s, 49, 49, 104),   // both top bits: 00 prefixes
        (plain_r, plain_s, 48, 48, 102), // neither
        (high_r, plain_s, 49, 48, 103),
        (zero_then_high_r, plain_s, 48, 48, 102), // 00 dropped, top bit then set: 00 again
        (zero_then_low_r, plain_s, 47, 48, 101),  // 00 dropped
        (plain_r, two_zero_s, 48, 46, 100),       // two leading zeros dropped from s
        (plain_r, tiny_s, 48, 1, 55),             // s = 1
    ];
    for (k, s, want_r, want_s, want_total) in cases {
        let (hash, raw) = forge(&d, &k, &scalar(s));
        let sig = sign_with(&public, &hash, &raw, 0x9000).unwrap();
        let der = sig.as_bytes();
        assert_eq!(
            der_lengths(der),
            (want_r, want_s, want_total),
            "{}",
            hex::encode(der)
        );
        // the DER reads back as the card's r ‖ s
        let back = Signature::from_der(der).unwrap();
        assert_eq!(back.to_bytes().as_slice(), &raw);
        assert_eq!(DerSignature::try_from(der).unwrap().as_bytes(), der);
        assert_eq!(sig.raw_rs(), Some(&raw[..]));
    }
}

#[test]
fn answers_of_the_wrong_length_are_refused() {
    let signing = key(13);
    let hash = [0x44; 48];
    let sig: Signature = signing.sign_prehash(&hash).unwrap();
    let bytes = sig.to_bytes();
    let mut long = bytes.to_vec();
    long.push(0);
    for (answer, len) in [
        (&bytes[..95], 95),
        (&long[..], 97),
        (sig.to_der().as_bytes(), sig.to_der().len()),
    ] {
        let err = sign_with(signing.verifying_key(), &hash, answer, 0x9000).unwrap_err();
        assert!(
            matches!(err, Error::SignatureLength { len: l, expected: 96 } if l == len),
            "{err:?}"
        );
    }
}

#[test]
fn r_or_s_zero_or_not_below_n_is_refused() {
    let signing = key(15);
    let hash = [0x55; 48];
    let sig: Signature = signing.sign_prehash(&hash).unwrap();
    let good = sig.to_bytes();
    let mut r_zero = good.to_vec();
    r_zero[..48].fill(0);
    let mut s_zero = good.to_vec();
    s_zero[48..].fill(0);
    let mut r_max = good.to_vec();
    r_max[..48].fill(0xFF);
    for bad in [r_zero, s_zero, r_max] {
        let err = sign_with(signing.verifying_key(), &hash, &bad, 0x9000).unwrap_err();
        assert!(matches!(err, Error::SignatureValue), "{err:?}");
    }
}

#[test]
fn a_signature_that_does_not_verify_is_never_returned() {
    let signing = key(17);
    let hash = [0x66; 48];
    // over another hash
    let other: Signature = signing.sign_prehash(&[0x67; 48]).unwrap();
    // by another key
    let stranger: Signature = key(18).sign_prehash(&hash).unwrap();
    for lie in [other, stranger] {
        let err = sign_with(signing.verifying_key(), &hash, &lie.to_bytes(), 0x9000).unwrap_err();
        assert!(matches!(err, Error::CardSignatureInvalid { .. }), "{err:?}");
        assert!(err.to_string().contains("refused"), "{err}");
    }
    // and the standalone check agrees
    assert!(verified_der_signature(&other.to_bytes(), &hash, signing.verifying_key()).is_err());
}

#[test]
fn card_refusals_map_to_errors() {
    let signing = key(19);
    let hash = [0x77; 48];
    let err = sign_with(signing.verifying_key(), &hash, &[], 0x6982).unwrap_err();
    assert!(matches!(err, Error::SecurityStatusNotSatisfied), "{err:?}");
    let err = sign_with(signing.verifying_key(), &hash, &[], 0x6985).unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { sw, .. } if sw.0 == 0x6985),
        "{err:?}"
    );
}

#[test]
fn internal_authenticate_signs_the_prefixed_challenge_and_is_checked_with_000c() {
    let card_key = key(21);
    let cert = certificate(card_key.verifying_key());
    let challenge = [0xA5u8; 16];
    let mut h = Sha384::new();
    h.update(b"JPKI-NG card auth");
    h.update(challenge);
    let sig: Signature = card_key.sign_prehash(&h.finalize()).unwrap();
    let script = ng_card()
        .step(SELECT_NG_AUTH, "9000")
        .steps(&read_cert_steps("000C", &cert))
        .step(SELECT_NG_AUTH, "9000")
        .answer(
            &format!("0088008310{}00", hex::encode_upper(challenge)),
            &sig.to_bytes(),
            0x9000,
        )
        // with the key given: no certificate read; the card signs without the prefix (a lie)
        .step(SELECT_NG_AUTH, "9000")
        .answer(
            &format!("0088008310{}00", hex::encode_upper(challenge)),
            &card_key
                .sign_prehash(&Sha384::digest(challenge))
                .map(|s: Signature| s.to_bytes())
                .unwrap(),
            0x9000,
        );
    let mut ng = NextGenApplet::open(script).unwrap();
    let answer = ng.internal_authenticate(&challenge, None).unwrap();
    assert_eq!(answer.as_bytes(), sig.to_der().as_bytes());
    let err = ng
        .internal_authenticate(&challenge, Some(card_key.verifying_key()))
        .unwrap_err();
    assert!(matches!(err, Error::CardSignatureInvalid { .. }), "{err:?}");
    // outside 16–64 bytes: nothing sent (the script is finished)
    for len in [0, 15, 65] {
        assert!(matches!(
            ng.internal_authenticate(&vec![0; len], Some(card_key.verifying_key())),
            Err(Error::ChallengeLength { len: l }) if l == len
        ));
    }
    assert!(ng.into_inner().sent_all());
}

#[test]
fn a_certificate_without_a_p384_key_cannot_check_signatures() {
    let mut cert = certificate(key(23).verifying_key());
    // break the curve OID 1.3.132.0.34 (2B 81 04 00 22) → .35
    let at = cert
        .windows(5)
        .position(|w| w == [0x2B, 0x81, 0x04, 0x00, 0x22])
        .unwrap();
    cert[at + 4] = 0x23;
    let script = ng_card()
        .step(SELECT_NG_AUTH, "9000")
        .step(&verify_apdu(0x81, "ABC123"), "9000")
        .steps(&read_cert_steps("0001", &cert));
    let mut card = JpkiCard::open(script).unwrap();
    let err = card.sign(KeyRef::Sign, b"ABC123", b"doc").unwrap_err();
    assert!(matches!(err, Error::CertificateKey { .. }), "{err:?}");
    assert!(card.into_inner().sent_all());
}

#[test]
fn on_a_current_card_the_same_call_signs_a_sha256_digest_info_with_rsa() {
    let message = b"application form";
    let digest_info = jpki_applet::HashAlg::Sha256
        .hash_to_digest_info(message)
        .unwrap();
    let rsa = [0x5Au8; 256];
    let token = concat!(
        "4A504B494150494343544F4B454E322020202020202020202020202020202020",
        "3030303030303030303030303030303030303030303030303030303030303031",
        "4531365230314E4A2020202020202020",
        "30303030303030303230353030303033",
        "0000040D000000010000000000000001000000000000001000000006FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "3033303139393939393939393939393939393939",
        "9000"
    );
    let script = Script::new()
        .step(SELECT_NG_AUTH, "6A82")
        .step(script::SELECT_JPKI, "9000")
        .step("00A4020C020006", "9000")
        .step("00B0000000", token)
        .step("00A4020C020008", "9000")
        .step("00B0000003", "8F8F009000")
        .step(script::SELECT_JPKI, "9000")
        .step("00A4020C02001B", "9000")
        .step(
            &format!("00200080 06{}", hex::encode_upper("ABC123")).replace(' ', ""),
            "9000",
        )
        .step("00A4020C02001A", "9000")
        .answer(
            &format!("802A008033{}00", hex::encode_upper(&digest_info)),
            &rsa,
            0x9000,
        );
    let mut card = JpkiCard::open(script).unwrap();
    assert_eq!(
        card.signature_algorithm(),
        SignatureAlgorithm::Sha256WithRsa
    );
    let sig = card.sign(KeyRef::Sign, b"ABC123", message).unwrap();
    assert_eq!(sig.algorithm(), SignatureAlgorithm::Sha256WithRsa);
    assert_eq!(sig.as_bytes(), rsa);
    assert_eq!(sig.raw_rs(), None);
}
