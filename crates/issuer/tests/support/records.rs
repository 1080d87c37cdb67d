//! Helpers shared by the issuer's record tests: a BER-TLV walk of our own (not the builder's
//! code), the card-map §5 public-key encoding, PKCS#1 v1.5 SHA-256 checks, and copies of an
//! authority directory that already has its card-face keys (key generation is the slow part).

#![allow(dead_code)]

use std::path::Path;

use issuer::Authority;
use rsa::pkcs8::DecodePublicKey;
use rsa::{BoxedUint, Pkcs1v15Sign, PublicKey};
use sha2::{Digest, Sha256};

/// One TLV: tag (1 or 2 bytes), value, and the whole object as written.
pub struct Tlv<'a> {
    pub tag: u16,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

/// Every BER-TLV of `data` in order (the whole of `data` must be TLVs).
pub fn walk(data: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let start = at;
        let mut tag = u16::from(data[at]);
        if data[at] & 0x1F == 0x1F {
            at += 1;
            tag = (tag << 8) | u16::from(data[at]);
        }
        at += 1;
        let (len, header) = match data[at] {
            0x81 => (usize::from(data[at + 1]), 2),
            0x82 => (
                usize::from(u16::from_be_bytes([data[at + 1], data[at + 2]])),
                3,
            ),
            short if short < 0x80 => (usize::from(short), 1),
            other => panic!("length byte {other:02X}"),
        };
        at += header;
        out.push(Tlv {
            tag,
            value: &data[at..at + len],
            raw: &data[start..at + len],
        });
        at += len;
    }
    assert_eq!(at, data.len(), "TLVs fill the data");
    out
}

/// The fields of a record that is one TLV with tag `tag`.
pub fn fields(record: &[u8], tag: u16) -> Vec<Tlv<'_>> {
    let top = walk(record);
    assert_eq!(top.len(), 1, "one object");
    assert_eq!(top[0].tag, tag, "{:04X}", top[0].tag);
    walk(top[0].value)
}

/// The tags of `fields`, in order.
pub fn tags(fields: &[Tlv<'_>]) -> Vec<u16> {
    fields.iter().map(|t| t.tag).collect()
}

/// `90 03 01 00 01 91 82 01 00 <256 B>` (card-map §5) → an RSA public key.
pub fn card_key(encoded: &[u8]) -> PublicKey {
    assert_eq!(encoded.len(), 265);
    assert_eq!(
        encoded[..9],
        [0x90, 0x03, 0x01, 0x00, 0x01, 0x91, 0x82, 0x01, 0x00]
    );
    let n = BoxedUint::from_be_slice_vartime(&encoded[9..]);
    let e = BoxedUint::from_be_slice_vartime(&encoded[2..5]);
    PublicKey::new(n, e).unwrap()
}

/// Whether `signature` is `key`'s PKCS#1 v1.5 SHA-256 signature over `message`.
pub fn verifies(key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(message),
        signature,
    )
    .is_ok()
}

/// Asserts [`verifies`], with a 256-byte signature.
pub fn verify(key: &PublicKey, message: &[u8], signature: &[u8]) {
    assert_eq!(signature.len(), 256);
    assert!(verifies(key, message, signature), "the signature verifies");
}

/// A PEM SPKI public key (`face-*-ca.pem`, `card-ca.pem`).
pub fn pem_key(pem: &str) -> PublicKey {
    PublicKey::from_public_key_pem(pem).unwrap()
}

/// A copy in `dir/authority` of the authority directory `template`, opened.
pub fn copy_authority(template: &Path, dir: &Path) -> Authority {
    let target = dir.join("authority");
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(template).unwrap() {
        let entry = entry.unwrap();
        // the files, not crl/: the CRLs are published again by the copy's next save
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
        }
    }
    Authority::open(&target).unwrap()
}

/// The authority's two CA certificates as trust anchors.
pub fn anchors(authority: &Authority) -> cert::TrustAnchors {
    let mut anchors = cert::TrustAnchors::new();
    for h in [cert::Hierarchy::Signature, cert::Hierarchy::Authentication] {
        let pem = std::fs::read_to_string(authority.ca_path(h)).unwrap();
        anchors
            .add(cert::JpkiCertificate::from_pem(&pem).unwrap())
            .unwrap();
    }
    anchors
}
