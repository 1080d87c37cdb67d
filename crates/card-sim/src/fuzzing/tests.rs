//! The fuzz target's model in every test pass: the committed seeds, a few hundred generated
//! sessions, and the checker catching violations made up on purpose.

use std::path::Path;

use rand::{RngExt, SeedableRng, rngs::StdRng};

use super::*;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/card_session");

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(Path::new(SEEDS))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    seeds.sort();
    seeds
}

fn total(stats: impl IntoIterator<Item = Stats>) -> Stats {
    stats.into_iter().fold(Stats::default(), |a, b| Stats {
        exchanges: a.exchanges + b.exchanges,
        verified: a.verified + b.verified,
        refused: a.refused + b.refused,
        signed: a.signed + b.signed,
    })
}

#[test]
fn every_committed_seed_keeps_the_invariants_and_reaches_the_guarded_states() {
    let seeds = seeds();
    assert!(seeds.len() >= 7, "seeds missing under {SEEDS}: {seeds:?}");
    let all = total(seeds.iter().map(|(name, data)| {
        let stats = session(data);
        assert!(stats.exchanges > 0, "{name} sends nothing");
        stats
    }));
    // the seeds verify PINs, spend tries and sign: the checks guarding those ran
    assert!(
        all.verified > 0 && all.refused > 0 && all.signed > 0,
        "{all:?}"
    );
}

/// One record of the session format: a C-APDU with its length byte.
fn record(out: &mut Vec<u8>, capdu: &[u8]) {
    match u8::try_from(capdu.len()) {
        Ok(n) if n < 0xFD => out.push(n),
        _ => {
            out.push(0xFF);
            out.extend_from_slice(&u16::try_from(capdu.len()).unwrap().to_be_bytes());
        }
    }
    out.extend_from_slice(capdu);
}

fn with_data(header: [u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = header.to_vec();
    c.push(u8::try_from(data.len()).unwrap());
    c.extend_from_slice(data);
    c
}

/// A session of meaningful commands (SELECT of every AP, VERIFY with right and wrong PINs and
/// keys, CHANGE, CHANGE KEY, SIGN, READ BINARY/RECORD, INTERNAL AUTHENTICATE, the
/// administrative commands, power cycles) mixed with noise.
fn generated(rng: &mut StdRng) -> Vec<u8> {
    const EFS: [u16; 15] = [
        0x0001, 0x0002, 0x0006, 0x000A, 0x0011, 0x0017, 0x0018, 0x001A, 0x001B, 0x0003, 0x0005,
        0x0012, 0x0013, 0x0014, 0x001C,
    ];
    let pins: [&[u8]; 9] = [
        AUTH_PIN, SIGN_PIN, TEXT_PIN, b"0000", b"XYZ789", MY_NUMBER, NUMBER_B, BIRTH_KEY,
        COMMON_PIN,
    ];
    let aids = [AID_JPKI, AID_TEXT_SUPPORT, AID_VISUAL, AID_COMMON, AID_JUKI];
    let mut out = Vec::new();
    for _ in 0..rng.random_range(1..40) {
        match rng.random_range(0..14) {
            0 | 1 => {
                let aid = aids[rng.random_range(0..aids.len())];
                record(&mut out, &with_data([0x00, 0xA4, 0x04, 0x0C], &aid));
            }
            12 => match rng.random_range(0..3) {
                0 => record(&mut out, &[0x00, 0xB2, 0x01, rng.random(), 0x00]),
                1 => record(&mut out, &with_data([0x80, 0x32, 0x00, 0x80], b"1111")),
                _ => {
                    let mut c = with_data([0x00, 0x88, 0x00, 0x99], &[0x5A; 8]);
                    c.push(0x00);
                    record(&mut out, &c);
                }
            },
            2 | 3 => {
                let ef = EFS[rng.random_range(0..EFS.len())];
                record(
                    &mut out,
                    &with_data([0x00, 0xA4, 0x02, 0x0C], &ef.to_be_bytes()),
                );
            }
            4 | 5 => {
                let pin = pins[rng.random_range(0..pins.len())];
                record(&mut out, &with_data([0x00, 0x20, 0x00, 0x80], pin));
            }
            6 => record(&mut out, &[0x00, 0x20, 0x00, 0x80]),
            7 => {
                let pin = pins[rng.random_range(0..pins.len())];
                record(&mut out, &with_data([0x00, 0x24, 0x01, 0x80], pin));
            }
            8 => {
                let p2 = if rng.random() { 0x80 } else { 0x00 };
                let mut c = with_data([0x80, 0x2A, 0x00, p2], &[0x5A; 51]);
                c.push(0x00);
                record(&mut out, &c);
            }
            9 => record(&mut out, &[0x00, 0xB0, 0x00, rng.random(), 0x00]),
            10 => match rng.random_range(0..7) {
                0 => out.push(0xFE),
                1 => out.push(0xFD),
                2 => record(&mut out, &with_data([0x00, 0x82, 0x00, 0x00], &[0x11; 64])),
                // card-map §1: SELECT MF, the GP ISD, a prefix of the JPKI AID
                3 => record(&mut out, &[0x00, 0xA4, 0x00, 0x00]),
                4 => record(&mut out, &with_data([0x00, 0xA4, 0x04, 0x0C], &GP_ISD)),
                5 => record(
                    &mut out,
                    &with_data([0x00, 0xA4, 0x04, 0x0C], &[0xD3, 0x92, 0xF0]),
                ),
                _ => record(&mut out, &with_data([0x00, 0x2C, 0x03, 0x80], b"1234")),
            },
            _ => {
                let noise: Vec<u8> = (0..rng.random_range(0..12)).map(|_| rng.random()).collect();
                record(&mut out, &noise);
            }
        }
    }
    out
}

#[test]
fn generated_and_mutated_sessions_keep_every_invariant() {
    let mut rng = StdRng::seed_from_u64(0x4A50_4B49);
    let mut stats = Vec::new();
    for _ in 0..300 {
        stats.push(session(&generated(&mut rng)));
    }
    // the seeds with a few bytes changed, and raw noise
    for (_, seed) in seeds() {
        for _ in 0..12 {
            let mut data = seed.clone();
            for _ in 0..rng.random_range(1..4) {
                let at = rng.random_range(0..data.len());
                data[at] = rng.random();
            }
            stats.push(session(&data));
        }
    }
    for _ in 0..50 {
        let noise: Vec<u8> = (0..rng.random_range(0..300))
            .map(|_| rng.random())
            .collect();
        stats.push(session(&noise));
    }
    let all = total(stats);
    assert!(
        all.verified > 50 && all.refused > 50 && all.signed > 5,
        "the generated sessions rarely reached the guarded states: {all:?}"
    );
}

/// A fresh card and its shadow after `capdus`, each checked.
fn after(capdus: &[&[u8]]) -> (SimCard, Shadow) {
    let (contents, administration) = contents();
    let mut card = SimCard::new_administered(contents.clone(), administration.clone()).unwrap();
    let mut shadow = Shadow::new(&card);
    for capdu in capdus {
        let rapdu = card.process(capdu);
        check(&mut shadow, &card, capdu, &rapdu);
    }
    (card, shadow)
}

fn select_jpki() -> Vec<u8> {
    with_data([0x00, 0xA4, 0x04, 0x0C], &AID_JPKI)
}

#[test]
#[should_panic(expected = "without that PIN verified")]
fn the_checker_catches_a_signature_without_the_pin() {
    let (card, mut shadow) = after(&[&select_jpki(), &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1A]]);
    let mut sign = with_data([0x80, 0x2A, 0x00, 0x80], &[0x5A; 51]);
    sign.push(0x00);
    // a made-up answer: a signature where the card must refuse
    let mut answer = vec![0xAB; 256];
    answer.extend_from_slice(&[0x90, 0x00]);
    check(&mut shadow, &card, &sign, &answer);
}

#[test]
#[should_panic(expected = "VERIFY accepted a wrong")]
fn the_checker_catches_a_wrong_pin_accepted() {
    let (card, mut shadow) = after(&[&select_jpki(), &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]]);
    check(
        &mut shadow,
        &card,
        &with_data([0x00, 0x20, 0x00, 0x80], b"0000"),
        &[0x90, 0x00],
    );
}

#[test]
#[should_panic(expected = "signature certificate bytes served without the signature PIN")]
fn the_checker_catches_signature_certificate_bytes_served_without_the_pin() {
    // the authentication certificate's EF, unprotected: only the fill byte gives it away
    let (card, mut shadow) = after(&[&select_jpki(), &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A]]);
    check(
        &mut shadow,
        &card,
        &[0x00, 0xB0, 0x00, 0x00, 0x04],
        &[0x30, 0x82, SIGN_CERT_FILL, SIGN_CERT_FILL, 0x90, 0x00],
    );
}

#[test]
fn the_checker_accepts_the_card_s_own_answers_to_the_same_commands() {
    let (mut card, mut shadow) =
        after(&[&select_jpki(), &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1A]]);
    let mut sign = with_data([0x80, 0x2A, 0x00, 0x80], &[0x5A; 51]);
    sign.push(0x00);
    let answer = card.process(&sign);
    assert_ne!(answer[answer.len() - 2..], [0x90, 0x00]);
    check(&mut shadow, &card, &sign, &answer);
}

/// The SFI forms of card-map §1 and §3: VERIFY by SFI spends and restores the tries of the PIN
/// it names, COMPUTE DIGITAL SIGNATURE by SFI needs that key's PIN, and READ BINARY by SFI
/// makes its EF current. The checker follows all three (a model that knew only the current EF
/// would call the first VERIFY a try spent "outside a VERIFY of that PIN").
#[test]
fn the_checker_follows_pins_keys_and_files_named_by_sfi() {
    let mut sign = with_data([0x80, 0x2A, 0x02, 0x9A], &[0x5A; 32]);
    sign.push(0x00);
    let script: [(Vec<u8>, [u8; 2]); 7] = [
        (select_jpki(), [0x90, 0x00]),
        // signature key by SFI before its PIN: refused
        (sign.clone(), [0x69, 0x82]),
        (with_data([0x00, 0x20, 0x00, 0x9B], b"WRONG1"), [0x63, 0xC4]),
        (with_data([0x00, 0x20, 0x00, 0x9B], SIGN_PIN), [0x90, 0x00]),
        (sign, [0x90, 0x00]),
        // the signature certificate by SFI 01, now current
        (vec![0x00, 0xB0, 0x81, 0x00, 0x04], [0x90, 0x00]),
        // VERIFY of the current EF: a data EF now
        (with_data([0x00, 0x20, 0x00, 0x80], SIGN_PIN), [0x69, 0x81]),
    ];
    let (shadow, session) = run_script(&script);
    assert_eq!(shadow.ef, Some(0x0001));
    let stats = super::session(&session);
    assert_eq!((stats.verified, stats.refused, stats.signed), (1, 1, 1));
}

/// Card-map §1: SELECT MF with an application current changes nothing (the PIN stays
/// verified, the key signs), SELECT of the GP ISD clears everything, a prefix of the JPKI AID
/// selects JPKI. The checker follows all three.
#[test]
fn the_checker_follows_select_mf_the_gp_isd_and_aid_prefixes() {
    let mut sign = with_data([0x80, 0x2A, 0x02, 0x9A], &[0x5A; 32]);
    sign.push(0x00);
    let verify = with_data([0x00, 0x20, 0x00, 0x9B], SIGN_PIN);
    let script: [(Vec<u8>, [u8; 2]); 9] = [
        (vec![0x00, 0xA4, 0x00, 0x00], [0x6A, 0x86]),
        (
            with_data([0x00, 0xA4, 0x04, 0x0C], &[0xD3, 0x92, 0xF0]),
            [0x90, 0x00],
        ),
        (verify, [0x90, 0x00]),
        (vec![0x00, 0xA4, 0x00, 0x00], [0x90, 0x00]),
        (sign.clone(), [0x90, 0x00]),
        (with_data([0x00, 0xA4, 0x04, 0x0C], &GP_ISD), [0x90, 0x00]),
        (sign.clone(), [0x6A, 0x82]),
        (select_jpki(), [0x90, 0x00]),
        (sign, [0x69, 0x82]),
    ];
    let (_, session) = run_script(&script);
    let stats = super::session(&session);
    assert_eq!((stats.verified, stats.signed), (1, 1));
}

#[test]
#[should_panic(expected = "SELECT MF answered 9000 with no application current")]
fn the_checker_catches_select_mf_answered_9000_after_a_reset() {
    let (card, mut shadow) = after(&[]);
    check(&mut shadow, &card, &[0x00, 0xA4, 0x00, 0x00], &[0x90, 0x00]);
}

fn select_visual() -> Vec<u8> {
    with_data([0x00, 0xA4, 0x04, 0x0C], &super::AID_VISUAL)
}

#[test]
#[should_panic(expected = "read without any of them")]
fn the_checker_catches_the_my_number_image_read_with_b_only() {
    // card-map §5: 確認AP `0005` opens with 照合番号A only
    let (card, mut shadow) = after(&[
        &select_visual(),
        &with_data([0x00, 0x20, 0x00, 0x92], super::NUMBER_B),
        &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x05],
    ]);
    assert!(shadow.is_verified(PinRef::VisualB));
    check(
        &mut shadow,
        &card,
        &[0x00, 0xB0, 0x00, 0x00, 0x04],
        &[0x45, 0x45, 0x45, 0x45, 0x90, 0x00],
    );
}

#[test]
fn the_checker_follows_the_keys_of_the_other_applications() {
    // the card's own answers: A opens 0005, 001C changes by CHANGE KEY, READ RECORD by SFI
    let (mut card, mut shadow) = after(&[
        &select_visual(),
        &with_data([0x00, 0x20, 0x00, 0x93], super::MY_NUMBER),
        &[0x00, 0xB0, 0x85, 0x00, 0x04],
        &with_data([0x00, 0xA4, 0x04, 0x0C], &super::AID_COMMON),
        &[0x00, 0xB2, 0x01, 0x0C, 0x00],
        &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1C],
        &with_data([0x00, 0x20, 0x00, 0x80], super::COMMON_PIN),
        &with_data([0x80, 0x32, 0x00, 0x80], b"1111"),
    ]);
    assert_eq!(shadow.pins[index(PinRef::Common)], b"1111");
    assert_eq!(shadow.ef, Some(0x001C));
    let verify = with_data([0x00, 0x20, 0x00, 0x80], b"1111");
    let answer = card.process(&verify);
    assert_eq!(answer, [0x90, 0x00]);
    check(&mut shadow, &card, &verify, &answer);
}

/// Runs `script` (C-APDU, expected status word) on a fresh fuzz card with the checker after
/// every command; the shadow at the end and the session's fuzz input.
fn run_script(script: &[(Vec<u8>, [u8; 2])]) -> (Shadow, Vec<u8>) {
    let (contents, administration) = contents();
    let mut card = SimCard::new_administered(contents.clone(), administration.clone()).unwrap();
    let mut shadow = Shadow::new(&card);
    let mut session = Vec::new();
    for (capdu, sw) in script {
        let rapdu = card.process(capdu);
        assert_eq!(rapdu[rapdu.len() - 2..], sw[..], "{capdu:02X?}");
        check(&mut shadow, &card, capdu, &rapdu);
        record(&mut session, capdu);
    }
    (shadow, session)
}
