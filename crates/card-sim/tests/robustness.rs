//! Property tests: any APDU sequence gets a well-formed answer, and PIN counters only go up
//! through a correct VERIFY.

use test_support::cards;

use card_sim::{PinRef, SimCard};
use cards::*;
use proptest::prelude::*;

/// Commands a real client sends, so that random sequences reach deep states.
const VOCABULARY: &[&str] = &[
    SELECT_JPKI,
    SELECT_TEXT,
    "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02",
    "00 A4 02 0C 02 00 0A",
    "00 A4 02 0C 02 00 01",
    "00 A4 02 0C 02 00 06",
    "00 A4 02 0C 02 00 08",
    "00 A4 02 0C 02 00 11",
    "00 A4 02 0C 02 00 02",
    "00 A4 02 0C 02 00 17",
    "00 A4 02 0C 02 00 18",
    "00 A4 02 0C 02 00 1A",
    "00 A4 02 0C 02 00 1B",
    "00 20 00 80",
    "00 20 00 80 04 31 32 33 34",
    "00 20 00 80 04 35 36 37 38",
    "00 20 00 80 06 41 42 43 31 32 33",
    "00 20 00 80 04 30 30 30 30",
    "00 24 01 80 04 31 32 33 34",
    "00 24 01 80 06 41 42 43 31 32 33",
    "00 B0 00 00 04",
    "00 B0 00 00 00",
    "00 B0 04 00 00",
    "00 B0 7F FF 00",
    "00 B0 00 00 00 00 00",
    "80 2A 00 80 05 01 02 03 04 05 00",
    "00 CA 00 45 00",
    "00 84 00 00 10",
    "00 82 00 00 40 ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB\
     ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB",
    "00 2C 03 80",
    "00 2C 02 80 04 31 32 33 34",
];

/// A card bound to an admin key nobody in the test holds: no sequence may unlock a PIN.
fn administered_card() -> SimCard {
    let key = p256::ecdsa::SigningKey::from_slice(&[0x5A; 32]).unwrap();
    SimCard::new_administered(
        my_number_contents(),
        card_sim::Administration {
            card_id: [7; 16],
            admin_key: *key.verifying_key(),
            card_expiry: time::macros::date!(2035 - 12 - 31),
        },
    )
    .unwrap()
}

fn command() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(VOCABULARY).prop_map(hx),
        2 => prop::collection::vec(any::<u8>(), 0..300),
        2 => (
            prop::sample::select(vec![0x00u8, 0x80, 0x0C, 0x01, 0x10, 0xFF]),
            prop::sample::select(vec![0xA4u8, 0xB0, 0x20, 0x24, 0x2A, 0x84, 0x82, 0x2C, 0xC0]),
            any::<u8>(),
            any::<u8>(),
            prop::collection::vec(any::<u8>(), 0..260),
            prop::option::of(0usize..=65536),
        )
            .prop_map(|(cla, ins, p1, p2, data, le)| {
                let mut cmd = apdu::Command::new(cla, ins, p1, p2).with_data(data);
                if let Some(le) = le {
                    cmd = cmd.with_le(le.max(1));
                }
                cmd.encode().unwrap_or_else(|_| vec![cla, ins, p1, p2])
            }),
    ]
}

fn counters(card: &SimCard) -> [u8; 3] {
    [
        PinRef::Authentication,
        PinRef::Signature,
        PinRef::TextSupport,
    ]
    .map(|p| card.pin_counter(p).map_or(0, |c| c.tries_left()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_answer_is_a_valid_response_and_counters_only_reset_on_9000(
        seq in prop::collection::vec(command(), 1..40),
        power in prop::collection::vec(0u8..20, 1..40),
    ) {
        let mut card = administered_card();
        for (capdu, p) in seq.iter().zip(power.iter().cycle()) {
            match p {
                0 => card.power_off(),
                1 => { card.reset(); }
                _ => {}
            }
            let before = counters(&card);
            let rapdu = card.process(capdu);
            prop_assert!(rapdu.len() >= 2);
            let (data, sw) = rapdu.split_at(rapdu.len() - 2);
            prop_assert!(matches!(sw[0], 0x61..=0x6F | 0x90..=0x9F), "SW {:02X?}", sw);
            if sw != [0x90, 0x00] {
                prop_assert!(data.is_empty(), "data only with 9000");
            }
            let after = counters(&card);
            for (b, a) in before.iter().zip(after.iter()) {
                if a > b {
                    prop_assert_eq!(sw, &[0x90, 0x00][..]);
                    prop_assert_eq!(capdu.get(1), Some(&0x20));
                }
                prop_assert!(*a + 1 >= *b, "at most one count per command");
            }
        }
    }
}
