//! Any bytes as a card file: `SimCard::from_bytes` answers Ok or a typed error, never panics.
//! The bytes are tried as they are (magic, version and checksum first) and sealed — as the body
//! of a file with a valid header and checksum, versions 3, 2 and 1 — so that the field
//! decoder is reached. A card that loads answers a short session with valid R-APDUs.
#![no_main]

use card_sim::fuzzing::AID_JPKI;
use card_sim::{FORMAT_VERSION, MAGIC, SimCard};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fn sealed(version: u16, body: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(body);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// SELECT JPKI (the AID is prepended, from the card's own constant), READ BINARY of the token
/// info, PIN status queries (no PIN try is spent).
const SESSION: &[&[u8]] = &[
    &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x06],
    &[0x00, 0xB0, 0x00, 0x00, 0x00],
    &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A],
    &[0x00, 0xB0, 0x00, 0x00, 0x04],
    &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18],
    &[0x00, 0x20, 0x00, 0x80],
    &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1B],
    &[0x00, 0x20, 0x00, 0x80],
];

fn load(bytes: &[u8]) {
    let Ok(mut card) = SimCard::from_bytes(bytes) else {
        return;
    };
    let select_jpki = [&[0x00, 0xA4, 0x04, 0x0C, 0x0A][..], &AID_JPKI].concat();
    for capdu in std::iter::once(select_jpki.as_slice()).chain(SESSION.iter().copied()) {
        let rapdu = card.process(capdu);
        assert!(
            apdu::Response::decode(&rapdu).is_ok(),
            "a loaded card answered {rapdu:02X?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    load(data);
    load(&sealed(FORMAT_VERSION, data));
    load(&sealed(2, data));
    load(&sealed(1, data));
});
