use super::*;

#[test]
fn check_digit_follows_the_published_algorithm() {
    // 1*6+2*5+3*4+4*3+5*2+6*7+7*6+8*5+9*4+0*3+1*2 = 212; 212 mod 11 = 3; 11 - 3 = 8
    assert!(my_number_check_digit_ok("123456789018"));
    for wrong in (0..10).filter(|d| *d != 8) {
        assert!(!my_number_check_digit_ok(&format!("12345678901{wrong}")));
    }
    // remainder 0 or 1 → check digit 0
    assert!(my_number_check_digit_ok("000000000000"));
    assert!(!my_number_check_digit_ok("00000000000a"));
    assert!(!my_number_check_digit_ok("１２３４５６７８９０１２"));
}

#[test]
fn object_len_reads_short_and_long_forms() {
    assert_eq!(object_len(&[0xFF, 0x20, 0x10]), Some(3 + 16));
    assert_eq!(object_len(&[0xFF, 0x20, 0x81, 0xC8]), Some(4 + 200));
    assert_eq!(object_len(&[0xFF, 0x20, 0x82, 0x01, 0x00]), Some(5 + 256));
    assert_eq!(object_len(&[0xFF, 0x20]), None);
    assert_eq!(object_len(&[0xFF, 0x20, 0x80]), None);
    assert_eq!(object_len(&[]), None);
}

/// EF `0002` with the field lengths of a real card: name of 15 bytes, an address of
/// `address_len` bytes, and the given `DF21` table (`None`: the real one, from byte 0).
fn facts_file(address_len: usize, table: Option<[u16; 4]>) -> Vec<u8> {
    let name = "番号\u{3000}花子".as_bytes();
    let address = vec![b'A'; address_len];
    let fields = [
        tlv::primitive(0xDF22, name).unwrap(),
        tlv::primitive(0xDF23, &address).unwrap(),
        tlv::primitive(0xDF24, b"19800217").unwrap(),
        tlv::primitive(0xDF25, b"1").unwrap(),
    ];
    let build = |offsets: [u16; 4]| {
        let bytes: Vec<u8> = offsets.iter().flat_map(|o| o.to_be_bytes()).collect();
        let mut children = vec![tlv::primitive(0xDF21, &bytes).unwrap()];
        children.extend(fields.iter().cloned());
        tlv::encode(&tlv::constructed(0xFF20, children).unwrap())
    };
    let measured = build([0; 4]);
    let header = measured.len() - 11 - fields.iter().map(|f| tlv::encode(f).len()).sum::<usize>();
    let mut real = [0u16; 4];
    let mut at = header + 11;
    for (slot, field) in real.iter_mut().zip(&fields) {
        *slot = u16::try_from(at).unwrap();
        at += tlv::encode(field).len();
    }
    build(table.unwrap_or(real))
}

#[test]
fn offset_tables_of_real_cards_are_accepted() {
    // card-map §4, soltia48/myna-card test data
    for (address_len, header) in [
        (51, "FF2062DF2108000E002000560061"),
        (54, "FF2065DF2108000E002000590064"),
    ] {
        let file = facts_file(address_len, None);
        assert_eq!(hex::encode_upper(&file[..14]), header);
        assert_eq!(check_offset_table(&file), Ok(()));
    }
    // long form length: every offset one later
    let file = facts_file(120, None);
    assert_eq!(&file[..7], &[0xFF, 0x20, 0x81, 0xA7, 0xDF, 0x21, 0x08]);
    assert_eq!(hex::encode_upper(&file[7..15]), "000F0021009C00A7");
    assert_eq!(check_offset_table(&file), Ok(()));
}

#[test]
fn inconsistent_offset_tables_are_refused() {
    let wrong = Err("the offset table (DF21) does not point at the objects");
    // counted from the start of the FF20 value (3 low): what card-sim wrote before #16
    let from_value = facts_file(51, Some([0x0B, 0x1D, 0x53, 0x5E]));
    assert_eq!(check_offset_table(&from_value), wrong);
    // one entry off by one, one entry past the end
    let one_off = facts_file(51, Some([0x0E, 0x20, 0x56, 0x62]));
    assert_eq!(check_offset_table(&one_off), wrong);
    let far = facts_file(51, Some([0x0E, 0x20, 0x56, 0xFFFF]));
    assert_eq!(check_offset_table(&far), wrong);
}

#[test]
fn malformed_facts_files_are_clear_errors() {
    let good = facts_file(51, None);
    // a table of 3 offsets
    let mut short = good.clone();
    short.splice(3..14, hex::decode("DF2106000E00200056").unwrap());
    short[2] -= 2;
    assert_eq!(
        check_offset_table(&short),
        Err("the offset table (DF21) is not 4 two-byte offsets")
    );
    // no table at all
    let mut none = good.clone();
    none.drain(3..14);
    none[2] -= 11;
    assert_eq!(
        check_offset_table(&none),
        Err("the offset table (DF21) is not the first object")
    );
    // a field missing: DF25 dropped
    let mut missing = good.clone();
    missing.truncate(missing.len() - 4);
    missing[2] -= 4;
    assert_eq!(
        check_offset_table(&missing),
        Err("the objects are not DF22, DF23, DF24, DF25 in that order")
    );
    // the wrong outer tag, a truncated file, nothing
    let mut tag = good.clone();
    tag[1] = 0x30;
    assert_eq!(check_offset_table(&tag), Err("tag is not FF20"));
    assert_eq!(check_offset_table(&good[..40]), Err("not BER-TLV"));
    assert_eq!(check_offset_table(&[]), Err("not BER-TLV"));
    // a truncated child inside a whole FF20
    let mut child = good;
    child[16] = 0x7F;
    assert_eq!(check_offset_table(&child), Err("not BER-TLV"));
}

#[test]
fn birth_dates_are_checked() {
    assert_eq!(parse_yyyymmdd("19850412"), Some((1985, 4, 12)));
    assert_eq!(parse_yyyymmdd("19851312"), None);
    assert_eq!(parse_yyyymmdd("1985041"), None);
    assert_eq!(parse_yyyymmdd("+9850412"), None);
}
