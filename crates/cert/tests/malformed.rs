//! Malformed and profile-breaking input: typed errors, never a panic.

use std::path::PathBuf;

use cert::{Crl, Error, JpkiCertificate};
use proptest::prelude::*;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/cert")
            .join(rel),
    )
    .unwrap()
}

/// Replaces the first occurrence of `from` with `to` (same length).
fn patch_first(der: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let i = (0..=der.len() - from.len())
        .find(|&i| &der[i..i + from.len()] == from)
        .unwrap();
    let mut out = der.to_vec();
    out[i..i + to.len()].copy_from_slice(to);
    out
}

/// Replaces the single occurrence of `from` with `to` (same length).
fn patch(der: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let hits: Vec<usize> = (0..=der.len() - from.len())
        .filter(|&i| &der[i..i + from.len()] == from)
        .collect();
    assert_eq!(hits.len(), 1, "pattern must occur once");
    let mut out = der.to_vec();
    out[hits[0]..hits[0] + to.len()].copy_from_slice(to);
    out
}

#[test]
fn every_truncation_is_an_error() {
    for rel in ["my-number/sign.der", "sign-ca.der"] {
        let der = fixture(rel);
        for n in 0..der.len() {
            assert!(
                JpkiCertificate::from_der(&der[..n]).is_err(),
                "{rel} cut at {n}"
            );
        }
    }
    let crl = fixture("sign-ca.crl.der");
    for n in 0..crl.len() {
        assert!(Crl::from_der(&crl[..n]).is_err(), "CRL cut at {n}");
    }
}

#[test]
fn wrong_tags_and_trailing_data_are_errors() {
    let der = fixture("my-number/auth.der");
    let mut wrong = der.clone();
    wrong[0] = 0x31;
    assert!(matches!(
        JpkiCertificate::from_der(&wrong),
        Err(Error::MalformedDer { .. })
    ));
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(JpkiCertificate::from_der(&trailing).is_err());
    let mut crl = fixture("auth-ca.crl.der");
    crl[0] = 0x04;
    assert!(matches!(
        Crl::from_der(&crl),
        Err(Error::MalformedDer { .. })
    ));
    assert!(JpkiCertificate::from_pem("-----BEGIN CRL-----\nAA==\n-----END CRL-----\n").is_err());
}

#[test]
fn every_single_byte_corruption_is_handled() {
    for rel in ["my-number/sign.der", "sign-ca.crl.der"] {
        let der = fixture(rel);
        for i in 0..der.len() {
            for v in [0x00, 0xFF, der[i] ^ 0x80] {
                let mut d = der.clone();
                d[i] = v;
                // Either outcome is fine; reaching the next iteration means no panic.
                let _ = JpkiCertificate::from_der(&d);
                let _ = Crl::from_der(&d);
            }
        }
    }
}

#[test]
fn signature_cert_with_wrong_key_usage_is_rejected() {
    // digitalSignature + nonRepudiation (03 02 06 C0) -> digitalSignature only (03 02 07 80).
    let der = patch(
        &fixture("my-number/sign.der"),
        &[0x04, 0x04, 0x03, 0x02, 0x06, 0xC0],
        &[0x04, 0x04, 0x03, 0x02, 0x07, 0x80],
    );
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::WrongKeyUsage {
            kind: "signature",
            ..
        })
    ));
}

#[test]
fn authentication_cert_with_signature_key_usage_is_rejected() {
    let der = patch(
        &fixture("my-number/auth.der"),
        &[0x04, 0x04, 0x03, 0x02, 0x07, 0x80],
        &[0x04, 0x04, 0x03, 0x02, 0x06, 0xC0],
    );
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::WrongKeyUsage {
            kind: "authentication",
            ..
        })
    ));
}

#[test]
fn wrong_policy_is_rejected() {
    // 1.2.392.200149.8.5.1.1.20 -> ...8.5.1.2.20
    let der = patch(
        &fixture("my-number/sign.der"),
        &[0x08, 0x05, 0x01, 0x01, 0x14],
        &[0x08, 0x05, 0x01, 0x02, 0x14],
    );
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::WrongPolicy { .. })
    ));
}

#[test]
fn unknown_critical_extension_is_rejected() {
    // certificatePolicies (2.5.29.32) renamed to an unknown OID, still critical.
    let der = patch(
        &fixture("my-number/auth.der"),
        &[0x06, 0x03, 0x55, 0x1D, 0x20, 0x01, 0x01, 0xFF],
        &[0x06, 0x03, 0x55, 0x1D, 0x7F, 0x01, 0x01, 0xFF],
    );
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::UnknownCriticalExtension { .. })
    ));
}

#[test]
fn policy_must_be_critical() {
    // critical TRUE -> FALSE written explicitly (not DER: DEFAULT values must be omitted).
    // x509-cert reads the explicit FALSE; the profile check must refuse it.
    let der = patch(
        &fixture("my-number/auth.der"),
        &[0x06, 0x03, 0x55, 0x1D, 0x20, 0x01, 0x01, 0xFF],
        &[0x06, 0x03, 0x55, 0x1D, 0x20, 0x01, 0x01, 0x00],
    );
    let err = JpkiCertificate::from_der(&der).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotCritical {
                name: "certificatePolicies"
            }
        ),
        "{err:?}"
    );
}

#[test]
fn key_usage_must_be_critical() {
    let der = patch(
        &fixture("my-number/sign.der"),
        &[0x06, 0x03, 0x55, 0x1D, 0x0F, 0x01, 0x01, 0xFF],
        &[0x06, 0x03, 0x55, 0x1D, 0x0F, 0x01, 0x01, 0x00],
    );
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::NotCritical { name: "keyUsage" })
    ));
}

#[test]
fn san_other_name_that_is_not_utf8string_is_rejected() {
    // gender otherName value: [0] { UTF8String "2" } -> [0] { PrintableString "2" }
    let der = patch(
        &fixture("my-number/sign.der"),
        &[0x05, 0x05, 0x03, 0xA0, 0x03, 0x0C, 0x01, 0x32],
        &[0x05, 0x05, 0x03, 0xA0, 0x03, 0x13, 0x01, 0x32],
    );
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::OtherNameNotUtf8 { .. })
    ));
}

#[test]
fn san_other_names_out_of_order_are_rejected() {
    // gender OID .5.5.3 -> .5.5.7
    let der = patch(
        &fixture("my-number/sign.der"),
        &[0x05, 0x05, 0x03, 0xA0, 0x03, 0x0C, 0x01, 0x32],
        &[0x05, 0x05, 0x07, 0xA0, 0x03, 0x0C, 0x01, 0x32],
    );
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::SanOrder)
    ));
}

#[test]
fn bad_gender_and_birth_date_are_rejected() {
    let der = patch(
        &fixture("my-number/sign.der"),
        &[0x05, 0x05, 0x03, 0xA0, 0x03, 0x0C, 0x01, 0x32],
        &[0x05, 0x05, 0x03, 0xA0, 0x03, 0x0C, 0x01, 0x39],
    );
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::BadFourFacts {
            field: "gender",
            ..
        })
    ));
    // era digit 3 (Showa) for 1985 -> 5 (Reiwa): inconsistent.
    let der = patch(&fixture("my-number/sign.der"), b"319850820", b"519850820");
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::BadFourFacts {
            field: "birth_date",
            ..
        })
    ));
}

#[test]
fn non_jpki_issuer_is_rejected() {
    // The issuer is the first occurrence of the CA's OU (the CRL DP and AKI repeat it).
    let der = patch_first(
        &fixture("my-number/auth.der"),
        b"JPKI for user authentication",
        b"JPKI for user authenticatioX",
    );
    assert!(matches!(
        JpkiCertificate::from_der(&der),
        Err(Error::NotJpkiIssuer)
    ));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = JpkiCertificate::from_der(&bytes);
        let _ = Crl::from_der(&bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_a_sequence_header_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..300)
    ) {
        let mut der = vec![0x30, 0x82];
        der.extend_from_slice(&u16::try_from(bytes.len()).unwrap().to_be_bytes());
        der.extend_from_slice(&bytes);
        let _ = JpkiCertificate::from_der(&der);
        let _ = Crl::from_der(&der);
    }
}
