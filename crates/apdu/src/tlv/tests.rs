//! Unit tests of `tlv`.

use super::*;

#[test]
fn four_facts_file_layout_parses_with_filler_after_it() {
    // shared/jpki-spec.md §6: FF 20 len { DF21 … DF25 }, file padded after the object
    let mut file = hex::decode("FF200EDF2102000ADF2203414243DF250131").unwrap();
    file[2] = u8::try_from(file.len() - 3).unwrap();
    file.extend_from_slice(&[0xFF; 8]);
    let (tlv, rest) = parse_prefix(&file).unwrap();
    assert_eq!(rest, &[0xFF; 8]);
    assert_eq!(find_value(&tlv, 0xDF22), Some(&b"ABC"[..]));
    assert_eq!(find_value(&tlv, 0xDF25), Some(&b"1"[..]));
    assert_eq!(find_value(&tlv, 0xDF24), None);
    assert!(matches!(
        parse(&file),
        Err(TlvError::TrailingBytes { extra: 8 })
    ));
}

#[test]
fn my_number_file_layout_is_read_as_an_opaque_object() {
    // §6: FF 10 0C + 12 ASCII digits (+ filler). FF has the constructed bit, yet the
    // content is plain digits: a strict BER parse must fail, the opaque read succeeds.
    let mut file = vec![0xFF, 0x10, 0x0C];
    file.extend_from_slice(b"123456789018");
    file.extend_from_slice(&[0xFF; 4]);
    assert!(parse_prefix(&file).is_err());
    let (tag, value, rest) = split_object(&file).unwrap();
    assert_eq!(tag, 0xFF10);
    assert_eq!(value, b"123456789018");
    assert_eq!(rest, &[0xFF; 4]);
    assert!(matches!(
        split_object(&file[..10]),
        Err(TlvError::Truncated { .. })
    ));
    assert!(matches!(
        split_object(&[]),
        Err(TlvError::Truncated { offset: 0 })
    ));
}

#[test]
fn long_form_lengths_round_trip() {
    let value = vec![0xAB; 300];
    let tlv = primitive(0xDF22, &value).unwrap();
    let bytes = encode(&tlv);
    assert_eq!(bytes[..5], [0xDF, 0x22, 0x82, 0x01, 0x2C]);
    assert_eq!(
        find_value(&parse(&bytes).unwrap(), 0xDF22),
        Some(value.as_slice())
    );
}

#[test]
fn rejects_truncation_overrun_depth_and_bad_lengths() {
    assert!(matches!(parse(&[]), Err(TlvError::Truncated { offset: 0 })));
    assert!(matches!(parse(&[0xDF]), Err(TlvError::Truncated { .. })));
    assert!(matches!(
        parse(&[0x80, 0x05, 1, 2]),
        Err(TlvError::Truncated { .. })
    ));
    // indefinite length and a 5-byte length
    assert!(matches!(
        parse(&[0x80, 0x80]),
        Err(TlvError::BadLength { .. })
    ));
    assert!(matches!(
        parse(&[0x80, 0x85, 0, 0, 0, 0, 1]),
        Err(TlvError::BadLength { .. })
    ));
    // inner object claims more than the outer holds
    assert!(matches!(
        parse(&[0x70, 0x03, 0x80, 0x05, 0x00, 0, 0, 0, 0]),
        Err(TlvError::Overrun { .. })
    ));
    // a four-byte tag
    assert!(matches!(
        parse(&[0x5F, 0x81, 0x81, 0x01, 0x00]),
        Err(TlvError::BadTag { .. })
    ));
    // padding is not a tag
    assert!(matches!(parse(&[0x00, 0x00]), Err(TlvError::BadTag { .. })));
    // 17 levels of nesting
    let mut deep = vec![0x80, 0x00];
    for _ in 0..17 {
        let len = u8::try_from(deep.len()).unwrap();
        deep.splice(0..0, [0x70, len]);
    }
    assert!(matches!(parse(&deep), Err(TlvError::TooDeep)));
}

#[test]
fn deep_nesting_of_a_large_input_is_refused_without_recursing() {
    // 30 000 well-formed levels would overflow a recursive parser's stack.
    const LEVELS: usize = 30_000;
    let mut deep = Vec::with_capacity(LEVELS * 6 + 2);
    for level in 0..LEVELS {
        let content = u32::try_from(6 * (LEVELS - 1 - level) + 2).unwrap();
        deep.extend_from_slice(&[0x70, 0x84]);
        deep.extend_from_slice(&content.to_be_bytes());
    }
    deep.extend_from_slice(&[0x80, 0x00]);
    assert_eq!(parse(&deep), Err(TlvError::TooDeep));
}

#[test]
fn a_127_byte_value_inside_a_constructed_object_encodes_correctly() {
    // iso7816-tlv's own to_vec gets this wrong (long-form length counted as one byte)
    for n in [126usize, 127, 128, 255, 256] {
        let object = constructed(0xFF20, vec![primitive(0xDF23, &vec![0x41; n]).unwrap()]).unwrap();
        let bytes = encode(&object);
        let back = parse(&bytes).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(find_value(&back, 0xDF23).map(<[u8]>::len), Some(n));
        assert_eq!(encode(&back), bytes, "{n}: stable");
    }
    let bytes = encode(&primitive(0x80, &[0; 127]).unwrap());
    assert_eq!(bytes[..2], [0x80, 0x7F]);
}

#[test]
fn builders_refuse_tags_of_the_wrong_kind() {
    assert!(constructed(0xDF22, vec![]).is_err());
    assert!(primitive(0xFF20, b"x").is_err());
    assert!(primitive(0x0100_0000, b"x").is_err());
}
