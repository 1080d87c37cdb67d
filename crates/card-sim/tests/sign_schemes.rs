//! COMPUTE DIGITAL SIGNATURE `80 2A P1 P2 Lc <data> 00` in the JPKI AP (card-map §3): the six
//! schemes of P1 `00`–`05`, the key named by P2 `80` (current EF) or `80|SFI` (no SELECT), and
//! every error status, on every compiled engine. Each signature is checked by the `rsa`
//! crate's own verifiers with the public key of the certificate the card serves for that key.

use test_support::cards;

use card_sim::{Engine, SimCard};
use cards::*;
use rsa::{Pkcs1v15Sign, pss::Pss, signature::hazmat::PrehashVerifier, traits::PublicKeyParts};
use sha2::{Digest, Sha256};

const SHA256_PREFIX: &str = "30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20";

/// A JPKI AP with both PINs verified and, as current EF, the certificate `000A` (no key).
fn ready(engine: Engine) -> SimCard {
    let mut card = my_number_card().with_engine(engine);
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 1B", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(SIGN_PIN)),
        "9000",
    );
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    card
}

fn capdu(p1: u8, p2: u8, data: &[u8]) -> String {
    format!(
        "80 2A {p1:02X} {p2:02X} {:02X} {} 00",
        data.len(),
        hex::encode(data)
    )
}

fn sign(card: &mut SimCard, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let sig = exchange(card, &capdu(p1, p2, data), "9000");
    assert_eq!(sig.len(), 256);
    sig
}

/// The public key in the certificate file `cert_fid` of the card, as the test fixtures made it.
fn certified_key(card: &mut SimCard, cert_fid: &str, seed: u64) -> rsa::PublicKey {
    exchange(card, &format!("00 A4 02 0C 02 {cert_fid}"), "9000");
    let served = exchange(card, "00 B0 00 00 00 00 00", "9000");
    assert_eq!(
        served,
        key(seed).cert,
        "the card serves the fixture's certificate"
    );
    let public = key(seed).key.to_public_key();
    assert_eq!(public.size(), 256);
    public
}

/// Every scheme, by SFI, on both keys, on every engine, verifies independently.
#[test]
fn every_scheme_verifies_with_the_certified_key_by_sfi_on_every_engine() {
    let message = b"e-Tax application 2026".to_vec();
    let hash: [u8; 32] = Sha256::digest(&message).into();
    let mut digest_info = hx(SHA256_PREFIX);
    digest_info.extend_from_slice(&hash);
    for &engine in Engine::ALL {
        for (p2, cert_fid, seed) in [(0x97, "00 0A", 1), (0x9A, "00 01", 2)] {
            let mut card = ready(engine);
            let public = certified_key(&mut card, cert_fid, seed);
            // 00: the data as given (here a DigestInfo)
            let sig = sign(&mut card, 0x00, p2, &digest_info);
            public
                .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
                .unwrap();
            // 01: the card hashes; the bare hash is padded
            let sig = sign(&mut card, 0x01, p2, &message);
            public
                .verify(Pkcs1v15Sign::new_unprefixed(), &hash, &sig)
                .unwrap();
            assert!(
                public
                    .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
                    .is_err(),
                "01 adds no DigestInfo"
            );
            // 02: the card wraps the given hash
            let sig02 = sign(&mut card, 0x02, p2, &hash);
            public
                .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig02)
                .unwrap();
            // 03: the card hashes and wraps: the same bytes as 02 (v1.5 is deterministic)
            let sig03 = sign(&mut card, 0x03, p2, &message);
            public
                .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig03)
                .unwrap();
            assert_eq!(sig02, sig03);
            // 04: PSS over the given hash, salt 32, randomised
            let verifier = rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(public.clone(), 32);
            let sig04 = sign(&mut card, 0x04, p2, &hash);
            let sig = rsa::pss::Signature::try_from(sig04.as_slice()).unwrap();
            verifier.verify_prehash(&hash, &sig).unwrap();
            public
                .verify(Pss::<Sha256>::new_with_salt(32), &hash, &sig04)
                .unwrap();
            let again = sign(&mut card, 0x04, p2, &hash);
            assert_ne!(
                sig04, again,
                "a random salt gives a new signature each time"
            );
            // 05: the card hashes, then PSS
            let sig05 = sign(&mut card, 0x05, p2, &message);
            let sig = rsa::pss::Signature::try_from(sig05.as_slice()).unwrap();
            verifier.verify_prehash(&hash, &sig).unwrap();
            // a PSS signature over another hash does not verify
            let other: [u8; 32] = Sha256::digest(b"something else").into();
            assert!(verifier.verify_prehash(&other, &sig).is_err());
        }
    }
}

#[test]
fn p2_80_signs_with_the_current_key_ef_as_before_and_sfi_does_not_change_it() {
    let hash: [u8; 32] = Sha256::digest(b"x").into();
    for &engine in Engine::ALL {
        let mut card = ready(engine);
        let auth = key(1).key.to_public_key();
        let sign_key = key(2).key.to_public_key();
        exchange(&mut card, "00 A4 02 0C 02 00 17", "9000");
        let sig = sign(&mut card, 0x02, 0x80, &hash);
        auth.verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
            .unwrap();
        // 9A signs with 001A without SELECT ...
        let sig = sign(&mut card, 0x02, 0x9A, &hash);
        sign_key
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
            .unwrap();
        // ... and 0017 is still the current EF
        let sig = sign(&mut card, 0x03, 0x80, b"x");
        auth.verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
            .unwrap();
    }
}

#[test]
fn sfi_names_the_key_whatever_the_current_ef() {
    let mut card = my_number_card();
    exchange(&mut card, SELECT_JPKI, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    // the current EF is the PIN EF 0018: P2 97 names the key, the current EF plays no part
    let hash = [0x11; 32];
    let sig = sign(&mut card, 0x02, 0x97, &hash);
    key(1)
        .key
        .to_public_key()
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &sig)
        .unwrap();
    exchange_exact(&mut card, &capdu(0x02, 0x80, &hash), "6981"); // current EF 0018 is a PIN
}

#[test]
fn compute_signature_scheme_and_key_errors() {
    let mut card = my_number_card();
    let hash = [0x22; 32];
    exchange(&mut card, SELECT_JPKI, "9000");
    // no current EF for P2 80
    exchange_exact(&mut card, &capdu(0x02, 0x80, &hash), "6986");
    // PIN not verified, by SFI, every scheme
    for p1 in 0..=5 {
        exchange_exact(&mut card, &capdu(p1, 0x97, &hash), "6982");
        exchange_exact(&mut card, &capdu(p1, 0x9A, &hash), "6982");
    }
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange(
        &mut card,
        &format!("00 20 00 80 {}", lc_ascii(AUTH_PIN)),
        "9000",
    );
    // the authentication PIN does not open the signature key
    exchange_exact(&mut card, &capdu(0x02, 0x9A, &hash), "6982");
    // other P1
    for p1 in [0x06, 0x10, 0x80, 0xFF] {
        exchange_exact(&mut card, &capdu(p1, 0x97, &hash), "6A86");
    }
    // SFI of a data EF or a PIN EF: 6981; SFI of an absent EF: 6A82; SFI 00 or 1F, or a P2
    // outside 80|SFI: 6A86
    for p2 in [0x81, 0x8A, 0x86, 0x98, 0x9B] {
        exchange_exact(&mut card, &capdu(0x02, p2, &hash), "6981");
    }
    for p2 in [0x83, 0x89, 0x90, 0x9E] {
        exchange_exact(&mut card, &capdu(0x02, p2, &hash), "6A82");
    }
    for p2 in [0x9F, 0x00, 0x17, 0xC0, 0xA0] {
        exchange_exact(&mut card, &capdu(0x02, p2, &hash), "6A86");
    }
    // lengths: 02 and 04 take exactly 32 bytes; no data 6700 for every scheme; 00 at most 245
    for p1 in [0x02, 0x04] {
        exchange_exact(&mut card, &capdu(p1, 0x97, &[0x22; 31]), "6700");
        exchange_exact(&mut card, &capdu(p1, 0x97, &[0x22; 33]), "6700");
        exchange_exact(&mut card, &capdu(p1, 0x97, &hx(SHA256_PREFIX)), "6700");
    }
    for p1 in 0..=5u8 {
        exchange_exact(&mut card, &format!("80 2A {p1:02X} 97 00"), "6700");
    }
    exchange_exact(&mut card, &capdu(0x00, 0x97, &[0xAB; 246]), "6700");
    // 01, 03, 05 hash any length the card takes, including more than 245 bytes
    for p1 in [0x01, 0x03, 0x05] {
        for len in [1usize, 32, 246, 255] {
            sign(&mut card, p1, 0x97, &vec![0x5A; len]);
        }
    }
    // none of the refusals spent a try
    exchange(&mut card, "00 A4 02 0C 02 00 18", "9000");
    exchange_exact(&mut card, "00 20 00 80", "63C3");
}
