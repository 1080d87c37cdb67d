//! The card's RSA engines give identical signatures (PKCS#1 v1.5 type-01 is deterministic):
//! for arbitrary data of every allowed length, on both keys of a My Number card and on a Juki
//! card, for cards built in memory and cards loaded from a file, each equal to `rsa`'s own
//! signature and verifying under the certificate's public key. With the `fast-engine` feature
//! this compares OpenSSL with `rsa`; without it, the card's `rsa` path with a direct `rsa` call.

use test_support::cards;

use card_sim::{Engine, SimCard};
use cards::*;
use proptest::prelude::*;
use rsa::{Pkcs1v15Sign, traits::PublicKeyParts};

const SELECT_AUTH_KEY: &str = "00 A4 02 0C 02 00 17";
const SELECT_SIGN_KEY: &str = "00 A4 02 0C 02 00 1A";

/// VERIFY a PIN of the selected JPKI AP (selecting the AP again would clear earlier ones).
fn verify(card: &mut SimCard, pin_ef: &str, pin: &str) {
    exchange(card, &format!("00 A4 02 0C 02 {pin_ef}"), "9000");
    exchange(card, &format!("00 20 00 80 {}", lc_ascii(pin)), "9000");
}

/// A My Number card with both PINs verified and the signature key selected.
fn ready(engine: Engine) -> SimCard {
    let mut card = my_number_card().with_engine(engine);
    assert_eq!(card.engine(), engine);
    exchange(&mut card, SELECT_JPKI, "9000");
    verify(&mut card, "00 18", AUTH_PIN);
    verify(&mut card, "00 1B", SIGN_PIN);
    exchange(&mut card, SELECT_SIGN_KEY, "9000");
    card
}

fn sign_apdu(data: &[u8]) -> Vec<u8> {
    let mut capdu = vec![0x80, 0x2A, 0x00, 0x80, u8::try_from(data.len()).unwrap()];
    capdu.extend_from_slice(data);
    capdu.push(0x00);
    capdu
}

/// The card's signature over `data` (asserting `9000`).
fn card_sign(card: &mut SimCard, data: &[u8]) -> Vec<u8> {
    let mut rapdu = card.process(&sign_apdu(data));
    let sw = rapdu.split_off(rapdu.len() - 2);
    assert_eq!(sw, [0x90, 0x00], "COMPUTE DIGITAL SIGNATURE");
    assert_eq!(rapdu.len(), 256);
    rapdu
}

/// `rsa`'s signature, straight from the crate.
fn reference(key: &rsa::PrivateKey, data: &[u8]) -> Vec<u8> {
    key.sign(Pkcs1v15Sign::new_unprefixed(), data).unwrap()
}

#[test]
fn engine_names_round_trip_and_the_default_is_compiled_in() {
    assert!(Engine::ALL.contains(&Engine::DEFAULT));
    for &engine in Engine::ALL {
        assert_eq!(Engine::from_name(engine.name()), Some(engine));
    }
    assert_eq!(Engine::from_name("rsa"), Some(Engine::Rsa));
    assert_eq!(Engine::from_name("nonsense"), None);
    #[cfg(feature = "fast-engine")]
    assert_eq!(Engine::DEFAULT.name(), "openssl");
    #[cfg(not(feature = "fast-engine"))]
    assert_eq!(Engine::from_name("openssl"), None);
    assert_eq!(my_number_card().engine(), Engine::DEFAULT);
}

#[test]
fn every_engine_signs_both_keys_identically_and_refuses_the_same_inputs() {
    let di = hx("30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 \
                 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \
                 10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F");
    let mut seen: Vec<(Engine, Vec<u8>, Vec<u8>)> = Vec::new();
    for &engine in Engine::ALL {
        let mut card = ready(engine);
        let sign = card_sign(&mut card, &di);
        assert_eq!(sign, reference(&key(2).key, &di), "{engine}: signature key");
        // The longest input a 2048-bit key can pad (256 − 11 bytes), and one byte more.
        let longest = vec![0xA5; 245];
        assert_eq!(
            card_sign(&mut card, &longest),
            reference(&key(2).key, &longest),
            "{engine}: 245 bytes"
        );
        assert_eq!(
            card.process(&sign_apdu(&[0xA5; 246])),
            hx("67 00"),
            "{engine}"
        );
        exchange(&mut card, SELECT_AUTH_KEY, "9000");
        let auth = card_sign(&mut card, &di);
        assert_eq!(
            auth,
            reference(&key(1).key, &di),
            "{engine}: authentication key"
        );
        seen.push((engine, sign, auth));
    }
    for pair in seen.windows(2) {
        assert_eq!(pair[0].1, pair[1].1, "{} vs {}", pair[0].0, pair[1].0);
        assert_eq!(pair[0].2, pair[1].2, "{} vs {}", pair[0].0, pair[1].0);
    }
}

#[test]
fn switching_engines_on_a_live_card_keeps_its_state() {
    let mut card = ready(Engine::Rsa);
    let data = b"raw data, as OpenSC's RSA-PKCS mechanism sends it";
    let expected = reference(&key(2).key, data);
    for &engine in Engine::ALL.iter().chain(Engine::ALL.iter().rev()) {
        card.set_engine(engine);
        assert_eq!(card_sign(&mut card, data), expected, "{engine}");
    }
}

#[test]
fn a_card_loaded_from_a_file_and_a_juki_card_sign_identically_on_every_engine() {
    let dir = temp_dir("engines-file");
    let path = dir.join("card.jpki");
    drop(SimCard::create(&path, juki_contents()).unwrap());
    let data = b"\x30\x21\x30\x09\x06\x05\x2b\x0e\x03\x02\x1a\x05\x00\x04\x14twenty bytes of sha1";
    for &engine in Engine::ALL {
        let mut card = SimCard::open(&path).unwrap().with_engine(engine);
        exchange(&mut card, SELECT_JPKI, "9000");
        verify(&mut card, "00 1B", JUKI_PIN);
        exchange(&mut card, SELECT_SIGN_KEY, "9000");
        let signature = card_sign(&mut card, data);
        assert_eq!(signature, reference(&key(5).key, data), "{engine}");
        // and it verifies under the public key (not only equal to another engine's bytes)
        let public = key(5).key.to_public_key();
        assert_eq!(public.size(), 256);
        public
            .verify(Pkcs1v15Sign::new_unprefixed(), data, &signature)
            .unwrap();
    }
}

proptest! {
    // Each case costs one signature per engine plus the reference (a few ms each in `rsa`).
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn arbitrary_data_gets_the_same_signature_from_every_engine(
        data in proptest::collection::vec(any::<u8>(), 1..=245),
    ) {
        let expected = reference(&key(2).key, &data);
        for &engine in Engine::ALL {
            let mut card = ready(engine);
            prop_assert_eq!(card_sign(&mut card, &data), expected.clone(), "{}", engine);
        }
    }
}
