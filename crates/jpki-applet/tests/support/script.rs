//! A scripted card for the client tests: each expected C-APDU (hex, `..` matches any rest) and
//! the answer to give, checked in order; an APDU the script does not expect fails the test.
//! For the next-generation tests, the bytes are written from shared/next-gen-profile.md §2
//! directly, not from the client's identifier table; also a P-384 test key, a minimal
//! certificate around its key, and the APDUs that read a certificate.

#![allow(dead_code)]

use apdu::{Transport, TransportError};
use p384::ecdsa::{SigningKey, VerifyingKey};
use p384::pkcs8::EncodePublicKey;

/// Expects each C-APDU in turn and answers with the paired bytes.
#[derive(Debug, Default)]
pub struct Script {
    steps: Vec<(String, Vec<u8>)>,
    at: usize,
}

impl Script {
    pub fn new() -> Self {
        Self::default()
    }

    /// A script of `(C-APDU, R-APDU)` pairs in hex (spaces ignored).
    pub fn from_pairs(steps: &[(&str, &str)]) -> Self {
        steps
            .iter()
            .fold(Self::new(), |script, (c, r)| script.step(c, r))
    }

    /// Fails the test unless every scripted APDU was sent.
    pub fn done(&self) {
        assert!(self.sent_all(), "not every scripted APDU was sent");
    }

    /// Expect `capdu` (hex, spaces ignored), answer `rapdu` (hex).
    pub fn step(mut self, capdu: &str, rapdu: &str) -> Self {
        self.steps.push((
            capdu.replace(' ', ""),
            hex::decode(rapdu.replace(' ', "")).unwrap(),
        ));
        self
    }

    /// Expect `capdu`, answer `data` + `sw`.
    pub fn answer(mut self, capdu: &str, data: &[u8], sw: u16) -> Self {
        let mut r = data.to_vec();
        r.extend_from_slice(&sw.to_be_bytes());
        self.steps.push((capdu.replace(' ', ""), r));
        self
    }

    /// Several steps.
    pub fn steps(mut self, steps: &[(String, Vec<u8>)]) -> Self {
        self.steps.extend_from_slice(steps);
        self
    }

    pub fn sent_all(&self) -> bool {
        self.at == self.steps.len()
    }
}

impl Transport for Script {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let got = hex::encode_upper(capdu);
        let Some((want, answer)) = self.steps.get(self.at) else {
            panic!("unexpected extra APDU {got}");
        };
        match want.strip_suffix("..") {
            Some(prefix) => assert!(
                got.starts_with(prefix),
                "step {}: sent {got}, want {want}",
                self.at
            ),
            None => assert_eq!(&got, want, "step {}", self.at),
        }
        self.at += 1;
        Ok(answer.clone())
    }
}

/// SELECT 認証AP: `F0` "JPKINGAUTH" (§2.2).
pub const SELECT_NG_AUTH: &str = "00A4040C0BF04A504B494E4741555448";
/// SELECT today's JPKI AID.
pub const SELECT_JPKI: &str = "00A4040C0AD392F000260100000001";

/// The 9 APDUs after a successful SELECT of the 認証AP: EF 0009 (`profile`), 0006, 0008.
pub fn ng_open_files(profile: &str) -> Vec<(String, Vec<u8>)> {
    let mut token = b"JPKINGAPTOKEN1".to_vec();
    token.resize(32, b' ');
    token.extend_from_slice(&[0x90, 0x00]);
    vec![
        ("00A4020C020009".into(), hex::decode("9000").unwrap()),
        (
            "00B0000000".into(),
            hex::decode(format!("{profile}9000")).unwrap(),
        ),
        ("00A4020C020006".into(), hex::decode("9000").unwrap()),
        ("00B0000000".into(), token),
        ("00A4020C020008".into(), hex::decode("9000").unwrap()),
        ("00B0000003".into(), hex::decode("8F8F009000").unwrap()),
    ]
}

/// EF 0009 of an NG-sim v1 card.
pub const PROFILE_V1: &str = "800101 810101 820100";

/// A script that opens an NG-sim v1 card (detection included).
pub fn ng_card() -> Script {
    Script::new()
        .step(SELECT_NG_AUTH, "9000")
        .steps(&ng_open_files(&PROFILE_V1.replace(' ', "")))
}

/// A fixed P-384 test key.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_slice(&[seed; 48]).unwrap()
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = u16::try_from(content.len()).unwrap();
    let [hi, lo] = len.to_be_bytes();
    match len {
        0..0x80 => out.push(lo),
        0x80..0x100 => out.extend_from_slice(&[0x81, lo]),
        _ => out.extend_from_slice(&[0x82, hi, lo]),
    }
    out.extend_from_slice(content);
    out
}

/// A minimal certificate carrying `key`: every field the client skips is empty, but the
/// structure (`[0]` version, serial, algorithm, issuer, validity, subject, SPKI) is X.509's.
pub fn certificate(key: &VerifyingKey) -> Vec<u8> {
    let spki = key.to_public_key_der().unwrap();
    let mut tbs = der(0xA0, &der(0x02, &[2]));
    tbs.extend(der(0x02, &[1]));
    for _ in 0..4 {
        tbs.extend(der(0x30, &[]));
    }
    tbs.extend_from_slice(spki.as_bytes());
    let mut cert = der(0x30, &tbs);
    cert.extend(der(0x30, &[]));
    cert.extend(der(0x03, &[0]));
    der(0x30, &cert)
}

/// SELECT `fid`, then the 4-byte header and the rest in one read (certificates under 260
/// bytes), as the client reads a certificate.
pub fn read_cert_steps(fid: &str, cert: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut head = cert[..4].to_vec();
    head.extend_from_slice(&[0x90, 0x00]);
    let mut rest = cert[4..].to_vec();
    let rest_le = rest.len();
    rest.extend_from_slice(&[0x90, 0x00]);
    vec![
        (format!("00A4020C02{fid}"), hex::decode("9000").unwrap()),
        ("00B0000004".into(), head),
        (format!("00B00004{:02X}", rest_le), rest),
    ]
}

/// `00 20 00 <ref> Lc <ASCII>`.
pub fn verify_apdu(reference: u8, value: &str) -> String {
    format!(
        "002000{reference:02X}{:02X}{}",
        value.len(),
        hex::encode_upper(value)
    )
}
