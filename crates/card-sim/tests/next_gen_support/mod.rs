//! Shared by the next-generation card's test files: an NG-sim v1 card with known keys,
//! certificates (arbitrary bytes: the card never parses them) and secrets.

#![allow(dead_code, unused_imports)]

use card_sim::{MyNumber, NextGenContents, NextGenKey, NextGenKeyId, NextGenRetryLimits, SimCard};
use p384::ecdsa::{Signature, VerifyingKey, signature::hazmat::PrehashVerifier};
use pin_policy::{Pin, PinKind};
pub use test_support::cards::{exchange, exchange_exact, facts, hx, temp_dir};

pub const SIGN_PW: &str = "ABC123";
pub const PIN4: &str = "1234";
pub const PUK: &str = "87654321";
pub const MY_NUMBER: &str = "123456789018";

pub const SELECT_AUTH: &str = "00 A4 04 0C 0B F0 4A 50 4B 49 4E 47 41 55 54 48";
pub const SELECT_FACE: &str = "00 A4 04 0C 0B F0 4A 50 4B 49 4E 47 46 41 43 45";

/// `00 20 00 ref Lc <ascii>`.
pub fn verify(reference: u8, secret: &str) -> String {
    format!(
        "00 20 00 {reference:02X} {:02X} {}",
        secret.len(),
        hex::encode(secret)
    )
}

/// `00 24 01 ref Lc <ascii>`.
pub fn change(reference: u8, new: &str) -> String {
    format!(
        "00 24 01 {reference:02X} {:02X} {}",
        new.len(),
        hex::encode(new)
    )
}

/// Certificate bytes of a key: `fill` repeated (distinct per file, to spot mix-ups).
pub fn cert(fill: u8, len: usize) -> Vec<u8> {
    vec![fill; len]
}

pub fn key(seed: u8, cert_fill: u8) -> NextGenKey {
    NextGenKey {
        private_key: p384::SecretKey::from_slice(&[seed; 48]).unwrap(),
        certificate: cert(cert_fill, 600),
        ca_certificate: cert(cert_fill + 1, 500),
    }
}

pub fn contents() -> NextGenContents {
    NextGenContents {
        authentication: Some(key(0x11, 0xA0)),
        signature: Some(key(0x22, 0xB0)),
        card_authentication: key(0x33, 0xC0),
        my_number: MyNumber::new(MY_NUMBER).unwrap(),
        facts: facts(),
        sign_pw: Pin::new(PinKind::Signature, SIGN_PW.as_bytes()).unwrap(),
        pin4: Pin::new(PinKind::Authentication, PIN4.as_bytes()).unwrap(),
        retry_limits: NextGenRetryLimits::default(),
    }
}

/// A fresh in-memory NG card with the 認証AP selected.
pub fn card() -> SimCard {
    let mut card = SimCard::new_next_gen(contents()).unwrap();
    exchange(&mut card, SELECT_AUTH, "9000");
    card
}

/// Verifies `rs` (96 bytes r‖s) over `hash` with the card's key.
#[track_caller]
pub fn assert_signs(card: &SimCard, key: NextGenKeyId, hash: &[u8], rs: &[u8]) {
    assert_eq!(rs.len(), 96, "r‖s is 96 bytes");
    let public: VerifyingKey = card.next_gen_public_key(key).unwrap();
    let signature = Signature::from_slice(rs).unwrap();
    public.verify_prehash(hash, &signature).unwrap();
}

/// `00 2A 9E 9A 30 <hash> 00`.
pub fn pso(hash: &[u8]) -> String {
    format!("00 2A 9E 9A 30 {} 00", hex::encode(hash))
}
