//! The CLI library's next-generation paths through `jpki_applet::JpkiCard` against a small
//! behavioural stand-in for an NG-sim v1 card (shared/next-gen-profile.md §2.3–§2.4: the
//! 認証AP, EF 0009/0006/0008, the certificates, VERIFY, MSE:SET + PSO:CDS over a 48-byte hash
//! answering r ‖ s). It is not the simulator: just enough card for `sign_document_on_card` and
//! the login answer to run end to end, with P-384 keys and rcgen certificates.
//
// NG card: the lead replaces this stand-in with card-sim's next-generation card in
// tests/support/target.rs and runs the tests/cli suite on it.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, SystemTime};

use apdu::{Transport, TransportError};
use jpki_applet::{Generation, JpkiCard, KeyRef, SignatureAlgorithm};
use jpki_tool::{card_sign, cms, login};
use p384::ecdsa::signature::hazmat::PrehashSigner;
use p384::ecdsa::{Signature, SigningKey};
use p384::pkcs8::DecodePrivateKey;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P384_SHA384,
};

const AUTH_AID: [u8; 11] = *b"\xF0JPKINGAUTH";
const SIGN_PASSWORD: &[u8] = b"ABC123";
const PIN4: &[u8] = b"1234";

/// The stand-in card: files by FID, two keys, two secrets.
struct NgCard {
    files: HashMap<u16, Vec<u8>>,
    keys: HashMap<u8, SigningKey>,
    selected_app: bool,
    ef: Option<u16>,
    key: Option<u8>,
    sign_password_ok: bool,
    pin4_ok: bool,
}

fn ok(mut data: Vec<u8>) -> Vec<u8> {
    data.extend_from_slice(&[0x90, 0x00]);
    data
}

fn sw(sw: u16) -> Vec<u8> {
    sw.to_be_bytes().to_vec()
}

impl Transport for NgCard {
    fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (head, body) = c.split_at(4.min(c.len()));
        let data = body.get(1..).unwrap_or_default();
        Ok(match head {
            [0x00, 0xA4, 0x04, 0x0C] => {
                self.selected_app = data == AUTH_AID;
                self.ef = None;
                self.sign_password_ok = false;
                self.pin4_ok = false;
                if self.selected_app {
                    sw(0x9000)
                } else {
                    sw(0x6A82)
                }
            }
            [0x00, 0xA4, 0x02, 0x0C] if self.selected_app => {
                let fid = u16::from_be_bytes([data[0], data[1]]);
                if self.files.contains_key(&fid) {
                    self.ef = Some(fid);
                    sw(0x9000)
                } else {
                    sw(0x6A82)
                }
            }
            [0x00, 0xB0, p1, p2] => {
                let Some(fid) = self.ef else {
                    return Ok(sw(0x6986));
                };
                if fid == 0x0001 && !self.sign_password_ok {
                    return Ok(sw(0x6982));
                }
                let file = &self.files[&fid];
                let offset = usize::from(u16::from_be_bytes([*p1, *p2]));
                let le = match body.first() {
                    Some(0) | None => 256,
                    Some(&n) => usize::from(n),
                };
                let end = (offset + le).min(file.len());
                ok(file.get(offset..end).unwrap_or_default().to_vec())
            }
            [0x00, 0x20, 0x00, reference] => {
                let (secret, verified) = match reference {
                    0x81 => (SIGN_PASSWORD, &mut self.sign_password_ok),
                    0x82 => (PIN4, &mut self.pin4_ok),
                    _ => return Ok(sw(0x6A88)),
                };
                if data.is_empty() {
                    return Ok(sw(if *verified { 0x9000 } else { 0x63C3 }));
                }
                *verified = data == secret;
                if *verified { sw(0x9000) } else { sw(0x63C2) }
            }
            [0x00, 0x22, 0x41, 0xB6] => {
                self.key = data.get(2).copied();
                sw(0x9000)
            }
            [0x00, 0x2A, 0x9E, 0x9A] => {
                let allowed = match self.key {
                    Some(0x01) => self.pin4_ok || self.sign_password_ok,
                    Some(0x02) => self.sign_password_ok,
                    _ => false,
                };
                if !allowed {
                    return Ok(sw(0x6982));
                }
                let hash = &data[..data.len().min(48)];
                let sig: Signature = self.keys[&self.key.unwrap()].sign_prehash(hash).unwrap();
                ok(sig.to_bytes().to_vec())
            }
            _ => sw(0x6D00),
        })
    }
}

struct Issued {
    ca_pem: String,
    card: NgCard,
    sign_cert: Vec<u8>,
}

/// A P-384 CA, the card's two keys and their certificates.
fn issue() -> Issued {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CountryName, "JP");
    ca.distinguished_name
        .push(DnType::CommonName, "NG-sim v1 stand-in CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::from_params(&ca, &ca_key);
    let mut files = HashMap::new();
    let mut keys = HashMap::new();
    let mut sign_cert = Vec::new();
    for (key_ref, fid, cn) in [(0x01, 0x000A, "auth"), (0x02, 0x0001, "sign")] {
        let kp = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
        let mut ee = CertificateParams::new(Vec::<String>::new()).unwrap();
        ee.distinguished_name.push(DnType::CountryName, "JP");
        ee.distinguished_name.push(DnType::CommonName, cn);
        ee.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        let der = ee.signed_by(&kp, &issuer).unwrap().der().to_vec();
        if key_ref == 0x02 {
            sign_cert = der.clone();
        }
        files.insert(fid, der);
        keys.insert(
            key_ref,
            SigningKey::from_pkcs8_der(&kp.serialize_der()).unwrap(),
        );
    }
    let mut token = b"JPKINGAPTOKEN1".to_vec();
    token.resize(32, b' ');
    files.insert(0x0009, vec![0x80, 1, 1, 0x81, 1, 1, 0x82, 1, 0]);
    files.insert(0x0006, token);
    files.insert(0x0008, vec![0x8F, 0x8F, 0x00]);
    Issued {
        ca_pem: ca_cert.pem(),
        card: NgCard {
            files,
            keys,
            selected_app: false,
            ef: None,
            key: None,
            sign_password_ok: false,
            pin4_ok: false,
        },
        sign_cert,
    }
}

fn signing_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

#[test]
fn the_ng_card_signs_an_rfc_5753_cms_that_we_and_openssl_verify() {
    let issued = issue();
    let mut card = JpkiCard::open(issued.card).unwrap();
    assert_eq!(card.generation(), Generation::NextGen);
    assert_eq!(card.key_secret_name(KeyRef::Sign), "signing password");
    let doc = b"next-generation application\n".repeat(50);
    let p7s = card_sign::sign_document_on_card(
        &mut card,
        KeyRef::Sign,
        SIGN_PASSWORD,
        &doc[..],
        signing_time(),
    )
    .unwrap();
    let checked = cms::check_detached(&p7s, &doc[..]).unwrap();
    assert_eq!(checked.algorithm, SignatureAlgorithm::EcdsaWithSha384);
    assert_eq!(checked.signer, issued.sign_cert);
    assert!(matches!(
        cms::check_detached(&p7s, &b"another document"[..]),
        Err(cms::CmsError::DigestMismatch)
    ));
    // a wrong signing password is the card's error, nothing signed
    let wrong = card_sign::sign_document_on_card(
        &mut card,
        KeyRef::Sign,
        b"XYZ999",
        &doc[..],
        signing_time(),
    );
    assert!(matches!(
        wrong,
        Err(card_sign::CardSignError::Card(
            jpki_applet::Error::WrongSecret { .. }
        ))
    ));

    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("openssl not installed; .ci/run installs it");
        return;
    }
    let dir = std::env::temp_dir().join(format!("jpki-ng-card-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("doc.txt"), &doc).unwrap();
    std::fs::write(dir.join("doc.p7s"), &p7s).unwrap();
    std::fs::write(dir.join("ca.pem"), &issued.ca_pem).unwrap();
    let out = test_support::process::openssl_cms_verify(
        &dir.join("doc.p7s"),
        &dir.join("doc.txt"),
        &dir.join("ca.pem"),
        None,
    );
    std::fs::remove_dir_all(&dir).ok();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "openssl cms -verify failed: {stderr}");
}

#[test]
fn the_ng_card_answers_a_login_challenge_with_ecdsa_p384() {
    let issued = issue();
    let mut card = JpkiCard::open(issued.card).unwrap();
    let certificate = card.read_certificate(jpki_applet::CertSlot::Auth).unwrap();
    let challenge = login::Challenge::new("portal.example.jp", SystemTime::now()).to_text();
    let response = login::Response::answer_message(challenge.as_bytes(), certificate, |m| {
        card.sign(KeyRef::Auth, PIN4, m)
            .map(jpki_applet::CardSignature::into_bytes)
    })
    .unwrap()
    .unwrap();
    // the DER ECDSA-Sig-Value over SHA-384 of the challenge file, by the auth certificate's key
    let spki = {
        use der::{Decode, Encode};
        x509_cert::Certificate::from_der(&response.certificate)
            .unwrap()
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap()
    };
    jpki_tool::p384_check::verify_sha384(&spki, challenge.as_bytes(), &response.signature).unwrap();
    assert_eq!(
        jpki_tool::p384_check::verify_sha384(&spki, b"another challenge", &response.signature),
        Err(jpki_tool::p384_check::P384Error::Invalid)
    );
}
