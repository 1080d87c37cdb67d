//! The next-generation card (NG-sim v1, shared/next-gen-profile.md §2.1–2.4): SELECT, the
//! files and their access rules, MSE:SET, PSO:CDS, INTERNAL AUTHENTICATE, class and
//! instruction errors.

mod next_gen_support;

use card_sim::{NextGenKeyId, Nonces, SimCard, next_gen::ids};
use next_gen_support::*;
use p384::ecdsa::{Signature, signature::hazmat::PrehashVerifier};
use sha2::{Digest, Sha384};

#[test]
fn the_atr_is_the_profiles_and_today_s_five_aids_answer_6a82() {
    let mut card = SimCard::new_next_gen(contents()).unwrap();
    assert_eq!(
        card.atr(),
        hx("3B 8B 80 01 80 59 4A 50 4B 49 4E 47 53 49 4D 95")
    );
    assert_eq!(card.power_on(), card_sim::next_gen::ids::ATR);
    assert!(card.is_next_gen());
    for aid in [
        "D3 92 F0 00 26 01 00 00 00 01",
        "D3 92 10 00 31 00 01 01 04 08",
        "D3 92 10 00 31 00 01 01 04 02",
        "D3 92 10 00 31 00 01 01 01 00",
        "D3 92 10 00 31 00 01 01 04 01",
    ] {
        exchange(&mut card, &format!("00 A4 04 0C 0A {aid}"), "6A82");
        exchange(&mut card, &format!("00 A4 04 00 0A {aid}"), "6A82");
    }
    // a prefix of the 認証AP's AID is not the AID
    exchange(&mut card, "00 A4 04 0C 05 F0 4A 50 4B 49", "6A82");
    // today's card answers the JPKI AID and not the next generation's
    let mut today = test_support::cards::my_number_card();
    exchange(&mut today, SELECT_AUTH, "6A82");
    exchange(
        &mut today,
        "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01",
        "9000",
    );
}

#[test]
fn select_by_aid_with_p2_00_returns_the_fci() {
    let mut card = card();
    exchange_exact(
        &mut card,
        "00 A4 04 00 0B F0 4A 50 4B 49 4E 47 41 55 54 48",
        "6F 0D 84 0B F0 4A 50 4B 49 4E 47 41 55 54 48 9000",
    );
    exchange_exact(
        &mut card,
        "00 A4 04 00 0B F0 4A 50 4B 49 4E 47 46 41 43 45",
        "6F 0D 84 0B F0 4A 50 4B 49 4E 47 46 41 43 45 9000",
    );
    exchange(&mut card, SELECT_FACE, "9000");
    exchange(
        &mut card,
        "00 A4 04 04 0B F0 4A 50 4B 49 4E 47 41 55 54 48",
        "6A86",
    );
    exchange(&mut card, "00 A4 01 0C 02 00 0A", "6A86");
}

#[test]
fn the_face_ap_answers_select_only() {
    let mut card = card();
    exchange(&mut card, SELECT_FACE, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "6A82");
    exchange(&mut card, "00 B0 00 00 00", "6986");
    exchange(&mut card, &verify(0x81, SIGN_PW), "6985");
    exchange(&mut card, "00 22 41 B6 03 84 01 02", "6985");
    exchange(
        &mut card,
        &format!("00 88 00 83 10 {} 00", "00".repeat(16)),
        "6985",
    );
}

#[test]
fn free_files_read_without_a_secret_and_hold_the_profile_s_bytes() {
    let mut card = card();
    let read = |card: &mut SimCard, fid: &str| {
        exchange(card, &format!("00 A4 02 0C 02 {fid}"), "9000");
        let mut out = Vec::new();
        loop {
            let offset = u16::try_from(out.len()).unwrap();
            let [hi, lo] = offset.to_be_bytes();
            let rapdu = card.process(&[0x00, 0xB0, hi, lo, 0x00]);
            match rapdu.split_at(rapdu.len() - 2) {
                (data, [0x90, 0x00]) => out.extend_from_slice(data),
                (_, [0x6B, 0x00]) => break out,
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(read(&mut card, "00 0A"), cert(0xA0, 600));
    assert_eq!(read(&mut card, "00 0B"), cert(0xA1, 500));
    assert_eq!(read(&mut card, "00 02"), cert(0xB1, 500));
    assert_eq!(read(&mut card, "00 0C"), cert(0xC0, 600));
    assert_eq!(read(&mut card, "00 0D"), cert(0xC1, 500));
    assert_eq!(
        read(&mut card, "00 06"),
        b"JPKINGAPTOKEN1                  "
    );
    assert_eq!(read(&mut card, "00 08"), hx("8F 8F 00"));
    assert_eq!(read(&mut card, "00 09"), hx("80 01 01 81 01 01 82 01 00"));
    // protected files: 6982 until the secret
    for fid in ["00 01", "00 21", "00 22"] {
        exchange(&mut card, &format!("00 A4 02 0C 02 {fid}"), "9000");
        exchange(&mut card, "00 B0 00 00 00", "6982");
    }
    // PIN4 opens 0021/0022, not 0001
    exchange(&mut card, &verify(0x82, PIN4), "9000");
    let mut my_number = hx("FF 10 0C");
    my_number.extend_from_slice(MY_NUMBER.as_bytes());
    my_number.extend_from_slice(&[0xFF, 0xFF]);
    assert_eq!(read(&mut card, "00 21"), my_number);
    assert_eq!(&read(&mut card, "00 22")[..2], &[0xFF, 0x20]);
    exchange(&mut card, "00 A4 02 0C 02 00 01", "9000");
    exchange(&mut card, "00 B0 00 00 00", "6982");
    // SIGN_PW opens all three
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    assert_eq!(read(&mut card, "00 01"), cert(0xB0, 600));
    assert_eq!(read(&mut card, "00 21"), my_number);
    assert!(!read(&mut card, "00 22").is_empty());
}

#[test]
fn file_errors_are_today_s_status_words() {
    let mut card = card();
    exchange(&mut card, "00 B0 00 00 00", "6986");
    exchange(&mut card, "00 A4 02 0C 02 00 17", "6A82");
    exchange(&mut card, "00 A4 02 0C 03 00 0A 00", "6700");
    exchange(&mut card, "00 A4 02 04 02 00 0A", "6A86");
    exchange(&mut card, "00 A4 02 0C 02 00 0A", "9000");
    exchange(&mut card, "00 B0 00 00", "6700");
    exchange(&mut card, "00 B0 8A 00 00", "6A86");
    exchange(&mut card, "00 B0 7F FF 00", "6B00");
    assert_eq!(exchange(&mut card, "00 B0 02 57 05", "9000"), vec![0xA0]);
    // a card issued without the signature key has no 0001/0002 and says so in 0008
    let mut contents = contents();
    contents.signature = None;
    let mut card = SimCard::new_next_gen(contents).unwrap();
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, "00 A4 02 0C 02 00 01", "6A82");
    exchange(&mut card, "00 A4 02 0C 02 00 02", "6A82");
    exchange(&mut card, "00 A4 02 0C 02 00 08", "9000");
    assert_eq!(
        exchange(&mut card, "00 B0 00 00 00", "9000"),
        hx("00 8F 00")
    );
    exchange(&mut card, "00 22 41 B6 03 84 01 02", "6A88");
}

#[test]
fn pso_cds_signs_the_bare_hash_with_the_mse_key_after_its_secret() {
    let mut card = card();
    let hash = Sha384::digest(b"a document");
    // no MSE
    exchange(&mut card, &pso(&hash), "6985");
    exchange(&mut card, "00 22 41 B6 03 84 01 02", "9000");
    // no SIGN_PW; PIN4 is not enough for key 02
    exchange(&mut card, &pso(&hash), "6982");
    exchange(&mut card, &verify(0x82, PIN4), "9000");
    exchange(&mut card, &pso(&hash), "6982");
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    let rs = exchange(&mut card, &pso(&hash), "9000");
    assert_signs(&card, NextGenKeyId::Signature, &hash, &rs);
    // not with the other keys
    let public = card
        .next_gen_public_key(NextGenKeyId::Authentication)
        .unwrap();
    let signature = Signature::from_slice(&rs).unwrap();
    assert!(public.verify_prehash(&hash, &signature).is_err());
    // random nonces: the same hash gives another signature
    let again = exchange(&mut card, &pso(&hash), "9000");
    assert_ne!(rs, again);
    assert_signs(&card, NextGenKeyId::Signature, &hash, &again);
    // Lc other than 48
    exchange(
        &mut card,
        &format!("00 2A 9E 9A 20 {} 00", "11".repeat(32)),
        "6700",
    );
    exchange(
        &mut card,
        &format!("00 2A 9E 9A 31 {} 00", "11".repeat(49)),
        "6700",
    );
    exchange(
        &mut card,
        &format!("00 2A 9E 9B 30 {} 00", "11".repeat(48)),
        "6A86",
    );
    // re-SELECT clears the MSE and the secret
    exchange(&mut card, SELECT_AUTH, "9000");
    exchange(&mut card, &pso(&hash), "6985");
    exchange(&mut card, "00 22 41 B6 03 84 01 02", "9000");
    exchange(&mut card, &pso(&hash), "6982");
}

#[test]
fn the_authentication_key_signs_after_pin4_or_sign_pw() {
    for secret in [(0x82, PIN4), (0x81, SIGN_PW)] {
        let mut card = card();
        let hash = Sha384::digest(b"a challenge");
        exchange(&mut card, "00 22 41 B6 03 84 01 01", "9000");
        exchange(&mut card, &pso(&hash), "6982");
        exchange(&mut card, &verify(secret.0, secret.1), "9000");
        let rs = exchange(&mut card, &pso(&hash), "9000");
        assert_signs(&card, NextGenKeyId::Authentication, &hash, &rs);
    }
}

#[test]
fn mse_errors() {
    let mut card = card();
    exchange(&mut card, "00 22 41 B6 03 84 01 03", "6A88");
    exchange(&mut card, "00 22 41 B6 03 84 01 04", "6A88");
    exchange(&mut card, "00 22 41 B6 03 83 01 02", "6A80");
    exchange(&mut card, "00 22 41 B6 04 84 02 00 02", "6A80");
    exchange(&mut card, "00 22 41 B6 02 84 01", "6A80");
    exchange(&mut card, "00 22 41 B6", "6700");
    exchange(&mut card, "00 22 41 A4 03 84 01 02", "6A86");
    exchange(&mut card, "00 22 81 B6 03 84 01 02", "6A86");
}

#[test]
fn rfc6979_mode_is_deterministic_and_pads_short_halves_with_zeros() {
    let mut card = card();
    card.set_nonces(Nonces::Rfc6979);
    exchange(&mut card, &verify(0x81, SIGN_PW), "9000");
    exchange(&mut card, "00 22 41 B6 03 84 01 02", "9000");
    let first = exchange(&mut card, &pso(&Sha384::digest(b"0")), "9000");
    assert_eq!(
        first,
        exchange(&mut card, &pso(&Sha384::digest(b"0")), "9000")
    );
    // search a message whose r or s has a leading zero byte (about 1 in 128 per signature)
    let (hash, rs) = (0u32..4000)
        .map(|i| Sha384::digest(i.to_be_bytes()))
        .map(|hash| {
            let rs = exchange(&mut card, &pso(&hash), "9000");
            (hash, rs)
        })
        .find(|(_, rs)| rs[0] == 0 || rs[48] == 0)
        .expect("a leading zero within 4000 signatures");
    assert_eq!(rs.len(), 96);
    assert_signs(&card, NextGenKeyId::Signature, &hash, &rs);
    // the DER form drops the zero: shorter than the 102–104 bytes of full halves
    let der = Signature::from_slice(&rs).unwrap().to_der();
    assert!(der.as_bytes().len() < 104, "{}", der.as_bytes().len());
}

#[test]
fn internal_authenticate_signs_the_prefixed_challenge_without_a_pin() {
    let mut card = card();
    for len in [16usize, 40, 64] {
        let challenge: Vec<u8> = (0..len).map(|i| u8::try_from(i).unwrap()).collect();
        let rs = exchange(
            &mut card,
            &format!("00 88 00 83 {len:02X} {} 00", hex::encode(&challenge)),
            "9000",
        );
        let hash = Sha384::new()
            .chain_update(b"JPKI-NG card auth")
            .chain_update(&challenge)
            .finalize();
        assert_signs(&card, NextGenKeyId::CardAuthentication, &hash, &rs);
        // never over the bare challenge
        let public = card
            .next_gen_public_key(NextGenKeyId::CardAuthentication)
            .unwrap();
        let signature = Signature::from_slice(&rs).unwrap();
        let bare = Sha384::digest(&challenge);
        assert!(public.verify_prehash(&bare, &signature).is_err());
    }
    for len in [0usize, 15, 65, 200] {
        let apdu = if len == 0 {
            "00 88 00 83 00".to_owned()
        } else {
            format!("00 88 00 83 {len:02X} {} 00", "AB".repeat(len))
        };
        exchange(&mut card, &apdu, "6700");
    }
    exchange(
        &mut card,
        &format!("00 88 00 82 10 {} 00", "00".repeat(16)),
        "6A86",
    );
    exchange(
        &mut card,
        &format!("00 88 01 83 10 {} 00", "00".repeat(16)),
        "6A86",
    );
    assert_eq!(ids::CARD_AUTH_PREFIX, b"JPKI-NG card auth");
}

#[test]
fn secure_messaging_other_classes_and_instructions() {
    let mut card = card();
    exchange(
        &mut card,
        "0C A4 04 0C 0B F0 4A 50 4B 49 4E 47 41 55 54 48",
        "6882",
    );
    exchange(&mut card, "0C B0 00 00 00", "6882");
    exchange(&mut card, "08 20 00 81", "6882");
    exchange(&mut card, "80 2A 9E 9A 00", "6E00");
    exchange(&mut card, "10 A4 04 0C 00", "6E00");
    exchange(&mut card, "00 CA 00 45 00", "6D00");
    exchange(&mut card, "00 84 00 00 08", "6D00");
    exchange(&mut card, "00 B2 01 0C 00", "6D00");
}
