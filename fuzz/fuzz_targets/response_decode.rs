//! Any bytes into the response decoder and the BER-TLV guard: never a panic or a stack
//! overflow; an accepted response encodes back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(resp) = apdu::Response::decode(data) {
        assert_eq!(resp.encode(), data);
    }
    if let Ok((tlv, _rest)) = apdu::tlv::parse_prefix(data) {
        // what parses must encode again (lengths may come back in their shortest form)
        let again = apdu::tlv::encode(&tlv);
        assert!(apdu::tlv::parse(&again).is_ok(), "re-encoded TLV does not parse");
    }
    let _ = apdu::tlv::split_object(data);
});
