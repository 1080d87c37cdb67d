//! Wire vectors for every command case and every rejection (ISO/IEC 7816-3 §12.1.3).

use apdu::{
    Case, Command, CommandDecodeError, CommandEncodeError, Response, ResponseDecodeError,
    StatusWord,
};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// (wire hex, case, data length, Le)
const VECTORS: &[(&str, Case, usize, Option<usize>)] = &[
    // Case 1: SELECT MF style header only
    ("00 A4 00 00", Case::Case1, 0, None),
    // Case 2S: READ BINARY 4 bytes of the certificate header (jpki-spec §5)
    ("00 B0 00 00 04", Case::Case2Short, 0, Some(4)),
    // Case 2S: Le 00 means 256
    ("00 B0 01 00 00", Case::Case2Short, 0, Some(256)),
    // Case 3S: SELECT EF 000A (jpki-spec §4)
    ("00 A4 02 0C 02 00 0A", Case::Case3Short, 2, None),
    // Case 4S: COMPUTE DIGITAL SIGNATURE with Le 00 (jpki-spec §5), 3 data bytes here
    ("80 2A 00 80 03 01 02 03 00", Case::Case4Short, 3, Some(256)),
    // Case 2E: Le 0000 means 65536
    ("00 B0 00 00 00 00 00", Case::Case2Extended, 0, Some(65_536)),
    ("00 B0 00 00 00 01 00", Case::Case2Extended, 0, Some(256)),
    // Case 3E: extended Lc 00 01 00
    (
        "00 DA 01 00 00 00 03 AA BB CC",
        Case::Case3Extended,
        3,
        None,
    ),
    // Case 4E
    (
        "80 2A 00 80 00 00 02 01 02 02 00",
        Case::Case4Extended,
        2,
        Some(512),
    ),
    (
        "80 2A 00 80 00 00 02 01 02 00 00",
        Case::Case4Extended,
        2,
        Some(65_536),
    ),
];

#[test]
fn every_case_decodes_and_reencodes_to_the_same_bytes() {
    for &(wire, case, data_len, le) in VECTORS {
        let bytes = h(wire);
        let cmd = Command::decode(&bytes).unwrap_or_else(|e| panic!("{wire}: {e}"));
        assert_eq!(cmd.case(), case, "{wire}");
        assert_eq!(cmd.data.len(), data_len, "{wire}");
        assert_eq!(cmd.le, le, "{wire}");
        assert_eq!(cmd.encode().unwrap(), bytes, "{wire}");
    }
}

#[test]
fn header_fields_are_read_in_order() {
    let cmd = Command::decode(&h("80 2A 00 80 03 01 02 03 00")).unwrap();
    assert_eq!((cmd.cla, cmd.ins, cmd.p1, cmd.p2), (0x80, 0x2A, 0x00, 0x80));
    assert_eq!(cmd.data, [1, 2, 3]);
}

#[test]
fn encoder_picks_extended_only_when_lengths_need_it() {
    let short = Command::new(0, 0xB0, 0, 0).with_le(256);
    assert_eq!(short.encode().unwrap(), h("00 B0 00 00 00"));
    let long_le = Command::new(0, 0xB0, 0, 0).with_le(257);
    assert_eq!(long_le.encode().unwrap(), h("00 B0 00 00 00 01 01"));
    let long_data = Command::new(0, 0xD6, 0, 0).with_data(vec![7; 256]);
    let wire = long_data.encode().unwrap();
    assert_eq!(wire[..7], h("00 D6 00 00 00 01 00")[..]);
    assert_eq!(wire.len(), 7 + 256);
    // 255 data bytes and Le 256 still fit the short form
    let edge = Command::new(0, 0x2A, 0, 0)
        .with_data(vec![1; 255])
        .with_le(256);
    assert_eq!(edge.case(), Case::Case4Short);
    let wire = edge.encode().unwrap();
    assert_eq!(
        (wire[4], wire[wire.len() - 1], wire.len()),
        (0xFF, 0x00, 4 + 1 + 255 + 1)
    );
    // forcing the extended form for short lengths
    let forced = Command::new(0, 0xB0, 0, 0).with_le(4).with_extended(true);
    assert_eq!(forced.encode().unwrap(), h("00 B0 00 00 00 00 04"));
    // a header-only command has no length field to extend
    assert_eq!(
        Command::new(0, 0xA4, 0, 0)
            .with_extended(true)
            .encode()
            .unwrap(),
        h("00A40000")
    );
}

#[test]
fn largest_extended_command_round_trips() {
    let cmd = Command::new(0, 0xD6, 0, 0)
        .with_data(vec![0x5A; 65_535])
        .with_le(65_536);
    let wire = cmd.encode().unwrap();
    assert_eq!(wire.len(), apdu::MAX_COMMAND_LEN);
    assert_eq!(wire[4..7], [0x00, 0xFF, 0xFF]);
    assert_eq!(wire[wire.len() - 2..], [0x00, 0x00]);
    assert_eq!(Command::decode(&wire).unwrap(), cmd);
}

#[test]
fn decoding_rejects_each_malformed_length() {
    let cases: &[(&str, CommandDecodeError)] = &[
        ("", CommandDecodeError::TooShort { len: 0 }),
        ("00 A4 04", CommandDecodeError::TooShort { len: 3 }),
        // Lc 05 but 2 bytes of body
        (
            "00 A4 04 0C 05 D3 92",
            CommandDecodeError::BodyTooShort {
                lc: 5,
                available: 2,
            },
        ),
        // Lc 02, data, Le, and two bytes too many
        (
            "00 A4 02 0C 02 00 0A 00 01 02",
            CommandDecodeError::TrailingBytes { extra: 2 },
        ),
        // extended Lc of zero followed by data
        (
            "00 DA 00 00 00 00 00 AA",
            CommandDecodeError::ExtendedLcZero,
        ),
        // `00` and one more byte: neither short Le nor an extended length
        (
            "00 B0 00 00 00 01",
            CommandDecodeError::TruncatedExtendedLength,
        ),
        // extended Lc 3, only 2 data bytes
        (
            "00 DA 00 00 00 00 03 AA BB",
            CommandDecodeError::BodyTooShort {
                lc: 3,
                available: 2,
            },
        ),
        // extended data followed by a single byte
        (
            "00 DA 00 00 00 00 01 AA 05",
            CommandDecodeError::MalformedExtendedLe,
        ),
        // extended data, extended Le, then junk
        (
            "00 DA 00 00 00 00 01 AA 00 05 FF",
            CommandDecodeError::TrailingBytes { extra: 1 },
        ),
    ];
    for (wire, expected) in cases {
        assert_eq!(Command::decode(&h(wire)), Err(*expected), "{wire:?}");
    }
    let huge = vec![0u8; apdu::MAX_COMMAND_LEN + 1];
    assert_eq!(
        Command::decode(&huge),
        Err(CommandDecodeError::TooLong {
            len: apdu::MAX_COMMAND_LEN + 1
        })
    );
}

#[test]
fn encoding_rejects_lengths_past_the_extended_limits() {
    let too_much = Command::new(0, 0xD6, 0, 0).with_data(vec![0; 65_536]);
    assert_eq!(
        too_much.encode(),
        Err(CommandEncodeError::DataTooLong { len: 65_536 })
    );
    assert_eq!(
        Command::new(0, 0xB0, 0, 0).with_le(65_537).encode(),
        Err(CommandEncodeError::LeOutOfRange { le: 65_537 })
    );
    assert_eq!(
        Command::new(0, 0xB0, 0, 0).with_le(0).encode(),
        Err(CommandEncodeError::LeOutOfRange { le: 0 })
    );
    let mut out = vec![0xEE];
    assert!(too_much.encode_into(&mut out).is_err());
    assert_eq!(out, [0xEE], "nothing appended on error");
}

#[test]
fn sensitive_commands_never_show_their_data() {
    let verify = Command::new(0x00, 0x20, 0x00, 0x80)
        .with_data(b"937146".to_vec())
        .sensitive();
    let debug = format!("{verify:?}");
    let display = verify.to_string();
    for shown in [&debug, &display] {
        assert!(!shown.contains("937146"), "{shown}");
        assert!(!shown.contains("393337313436"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
    assert_eq!(display, "00 20 00 80 06 <redacted>");
    // an ordinary command shows its bytes
    let select = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x00, 0x0A]);
    assert_eq!(select.to_string(), "00 A4 02 0C 02 000A");
    assert!(format!("{select:?}").contains("000A"));
    // and the wire encoding of a sensitive command is still complete
    assert_eq!(verify.encode().unwrap(), h("00 20 00 80 06 393337313436"));
}

#[test]
fn display_shows_le_in_each_form() {
    assert_eq!(
        Command::new(0, 0xB0, 0, 0).with_le(256).to_string(),
        "00 B0 00 00 00"
    );
    assert_eq!(
        Command::new(0, 0xB0, 0, 0).with_le(65_536).to_string(),
        "00 B0 00 00 000000"
    );
    assert_eq!(
        Command::new(0x80, 0x2A, 0, 0x80)
            .with_data(vec![1])
            .with_le(300)
            .to_string(),
        "80 2A 00 80 000001 01 012C"
    );
}

#[test]
fn responses_split_data_from_status() {
    let r = Response::decode(&h("0102 63C1")).unwrap();
    assert_eq!(r.data, [1, 2]);
    assert_eq!(r.sw.retries_left(), Some(1));
    assert_eq!(
        Response::decode(&h("6A82")).unwrap(),
        Response::status(StatusWord::FILE_NOT_FOUND)
    );
    assert_eq!(
        Response::decode(&[0x90]),
        Err(ResponseDecodeError::TooShort { len: 1 })
    );
    assert_eq!(
        Response::decode(&[]),
        Err(ResponseDecodeError::TooShort { len: 0 })
    );
    let huge = vec![0; apdu::MAX_RESPONSE_LEN + 1];
    assert!(matches!(
        Response::decode(&huge),
        Err(ResponseDecodeError::TooLong { .. })
    ));
    assert_eq!(
        Response::new(vec![0xAB], StatusWord::SUCCESS).encode(),
        h("AB9000")
    );
    assert_eq!(
        Response::new(vec![0xAB], StatusWord::SUCCESS).to_string(),
        "AB 9000"
    );
}
