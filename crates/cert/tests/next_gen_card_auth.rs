//! The next-generation card's genuineness certificate (NG-sim v1): its own P-384 CA, subject
//! CN = card serial, digitalSignature, the NG card-authentication policy; openssl agrees.

use std::process::Command;

use cert::card_auth::{CARD_AUTH_CA_COMMON_NAME, card_auth_ca_name};
use cert::time::macros::datetime;
use cert::{
    CardAuthCertificate, CardAuthenticationAuthority, CardAuthenticationRequest, Error, Serial, oid,
};

#[path = "support/ng.rs"]
mod ng;

fn authority() -> CardAuthenticationAuthority {
    CardAuthenticationAuthority::create(
        Serial::from(0x0D00_0001),
        datetime!(2025-04-01 00:00:00 UTC),
        datetime!(2045-03-31 14:59:59 UTC),
        ng::card_key(21),
    )
    .unwrap()
}

fn request<'a>(card_serial: &'a str, key: &'a p384::PublicKey) -> CardAuthenticationRequest<'a> {
    CardAuthenticationRequest {
        serial: Serial::from(0x4001),
        card_serial,
        public_key: key,
        not_before: datetime!(2025-06-02 01:23:45 UTC),
        not_after: datetime!(2035-08-20 14:59:59 UTC),
    }
}

#[test]
fn a_card_certificate_names_the_card_serial_and_verifies_under_its_ca() {
    let ca = authority();
    assert!(ca.certificate().is_ca());
    assert_eq!(
        card_auth_ca_name().common_name(),
        Some(CARD_AUTH_CA_COMMON_NAME)
    );
    let key = ng::card_key(22).public_key();
    let c = ca.issue(&request("0123456789ABCDEF", &key)).unwrap();
    assert_eq!(c.card_serial(), Some("0123456789ABCDEF"));
    assert!(!c.is_ca());
    assert_eq!(c.public_key().p384(), Some(&key));
    assert_eq!(c.authority_key_id(), ca.certificate().subject_key_id());
    assert!(
        c.der()
            .windows(oid::POLICY_NG_CARD_AUTH.len())
            .any(|w| w == oid::POLICY_NG_CARD_AUTH)
    );
    c.verify_signed_by(ca.certificate()).unwrap();
    let parsed = CardAuthCertificate::from_der(c.der()).unwrap();
    assert_eq!(parsed.serial(), Serial::from(0x4001));
    // Another CA's key (same name) does not verify it; a card certificate is no CA.
    let other = CardAuthenticationAuthority::create(
        Serial::from(0x0D00_0002),
        datetime!(2025-04-01 00:00:00 UTC),
        datetime!(2045-03-31 14:59:59 UTC),
        ng::card_key(23),
    )
    .unwrap();
    assert!(matches!(
        c.verify_signed_by(other.certificate()),
        Err(Error::BadSignature)
    ));
    assert!(matches!(
        c.verify_signed_by(&parsed),
        Err(Error::WrongKind { .. })
    ));
    // Not a JPKI certificate: the JPKI parser refuses its issuer.
    assert!(matches!(
        cert::JpkiCertificate::from_der(c.der()),
        Err(Error::NotJpkiIssuer)
    ));
}

#[test]
fn card_serials_other_than_16_hex_digits_are_refused() {
    let ca = authority();
    let key = ng::card_key(22).public_key();
    for bad in [
        "0123456789abcdef",
        "0123456789ABCDE",
        "山田太郎0123456789",
        "",
    ] {
        assert!(ca.issue(&request(bad, &key)).is_err(), "{bad}");
    }
}

#[test]
fn openssl_verifies_the_card_certificate() {
    let Ok(out) = Command::new("openssl").arg("version").output() else {
        eprintln!("openssl not found on PATH: interop test skipped");
        return;
    };
    assert!(out.status.success());
    let ca = authority();
    let key = ng::card_key(22).public_key();
    let c = ca.issue(&request("0123456789ABCDEF", &key)).unwrap();
    let dir = std::env::temp_dir().join(format!("cert-card-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem =
        |der: &[u8]| der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der).unwrap();
    let ca_path = dir.join("ca.pem");
    let ee_path = dir.join("ee.pem");
    std::fs::write(&ca_path, pem(ca.certificate().der())).unwrap();
    std::fs::write(&ee_path, pem(c.der())).unwrap();
    let at = datetime!(2026-01-01 00:00:00 UTC)
        .unix_timestamp()
        .to_string();
    let out = Command::new("openssl")
        .args(["verify", "-attime", &at, "-CAfile"])
        .arg(&ca_path)
        .arg(&ee_path)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{text}");
}
