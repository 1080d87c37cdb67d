//! Property tests: encode → decode round trips for every case; no input makes decoding panic.

use apdu::{Case, Command, Response, StatusWord, tlv};
use proptest::prelude::*;

fn any_command() -> impl Strategy<Value = Command> {
    let data = prop_oneof![
        Just(Vec::new()),
        proptest::collection::vec(any::<u8>(), 1..=255),
        proptest::collection::vec(any::<u8>(), 256..=2048),
    ];
    let le = prop_oneof![
        Just(None),
        (1usize..=256).prop_map(Some),
        (1usize..=65_536).prop_map(Some)
    ];
    (any::<[u8; 4]>(), data, le, any::<bool>()).prop_map(|(h, data, le, ext)| {
        let mut c = Command::new(h[0], h[1], h[2], h[3])
            .with_data(data)
            .with_extended(ext);
        c.le = le;
        c
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn encode_then_decode_gives_back_the_command(cmd in any_command()) {
        let wire = cmd.encode().unwrap();
        let back = Command::decode(&wire).unwrap();
        prop_assert_eq!(&back, &cmd);
        prop_assert_eq!(back.encode().unwrap(), wire);
    }

    #[test]
    fn every_case_is_reached(cmd in any_command()) {
        // the strategy covers the seven cases; each must encode to the length its case implies
        let wire = cmd.encode().unwrap();
        let n = cmd.data.len();
        let expected = match cmd.case() {
            Case::Case1 => 4,
            Case::Case2Short => 5,
            Case::Case3Short => 5 + n,
            Case::Case4Short => 6 + n,
            Case::Case2Extended => 7,
            Case::Case3Extended => 7 + n,
            Case::Case4Extended => 9 + n,
        };
        prop_assert_eq!(wire.len(), expected);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(cmd) = Command::decode(&bytes) {
            // whatever decodes is canonical: it encodes back to the same bytes
            prop_assert_eq!(cmd.encode().unwrap(), bytes.clone());
        }
        let _ = Response::decode(&bytes);
        let _ = tlv::parse(&bytes);
        let _ = tlv::parse_prefix(&bytes);
    }

    #[test]
    fn response_round_trips(data in proptest::collection::vec(any::<u8>(), 0..1024), sw in any::<u16>()) {
        let r = Response::new(data, StatusWord(sw));
        prop_assert_eq!(Response::decode(&r.encode()).unwrap(), r);
    }

    #[test]
    fn tlv_constructed_round_trips_for_every_child_length(n in 0usize..600) {
        let object = tlv::constructed(0xFF20, vec![
            tlv::primitive(0xDF21, &[1, 2]).unwrap(),
            tlv::primitive(0xDF23, &vec![0x41; n]).unwrap(),
        ]).unwrap();
        let bytes = tlv::encode(&object);
        let back = tlv::parse(&bytes).unwrap();
        prop_assert_eq!(tlv::find_value(&back, 0xDF23).map(<[u8]>::len), Some(n));
        prop_assert_eq!(tlv::encode(&back), bytes);
    }

    #[test]
    fn tlv_primitive_round_trips(tag in prop_oneof![Just(0xDF22u32), Just(0x80), Just(0x5F20)],
                                 value in proptest::collection::vec(any::<u8>(), 0..700)) {
        let t = tlv::primitive(tag, &value).unwrap();
        let back = tlv::parse(&tlv::encode(&t)).unwrap();
        prop_assert_eq!(tlv::find_value(&back, tag), Some(value.as_slice()));
    }
}
