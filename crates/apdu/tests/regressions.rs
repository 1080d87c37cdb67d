//! Inputs the fuzzers found, kept as tests.

use apdu::tlv;

/// fuzz target response_decode, 2026-11-27: a constructed object holding a 127-byte value.
/// iso7816-tlv's `Tlv::to_vec` wrote the inner length as `81 7F` but counted one byte for it in
/// the outer length, so the re-encoded object did not parse. `tlv::encode` writes it right.
#[test]
fn a_parsed_object_re_encodes_to_something_that_parses() {
    let input = include_bytes!("data/fuzz-response_decode-tlv-127.bin");
    let (object, _rest) = tlv::parse_prefix(input).unwrap();
    let again = tlv::encode(&object);
    let back = tlv::parse(&again).unwrap();
    assert_eq!(tlv::encode(&back), again);
}
