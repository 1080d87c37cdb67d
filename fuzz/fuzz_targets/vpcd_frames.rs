//! Any byte stream from vpcd: `read_frame` splits it into payloads or stops with an error,
//! never panics or allocates more than one maximal APDU; every frame read encodes back (with
//! `write_frame`) to exactly the bytes it was read from; `Message::from_payload` classifies
//! 1-byte payloads as control codes and keeps longer ones intact as C-APDUs.
#![no_main]

use std::io::Cursor;

use card_sim::vpcd::{MAX_PAYLOAD, Message, read_frame, write_frame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut stream = Cursor::new(data);
    // bounded: every frame consumes at least its 2-byte length
    for _ in 0..=data.len() / 2 {
        let start = usize::try_from(stream.position()).expect("position fits");
        match read_frame(&mut stream) {
            Ok(Some(payload)) => {
                assert!(payload.len() <= MAX_PAYLOAD, "frame above the maximum");
                let end = usize::try_from(stream.position()).expect("position fits");
                let mut again = Vec::new();
                write_frame(&mut again, &payload).expect("a read frame can be written");
                assert_eq!(&again[..], &data[start..end], "frame does not round-trip");
                let len = payload.len();
                match Message::from_payload(payload.clone()) {
                    Message::PowerOff => assert_eq!(payload, [0]),
                    Message::PowerOn => assert_eq!(payload, [1]),
                    Message::Reset => assert_eq!(payload, [2]),
                    Message::GetAtr => assert_eq!(payload, [4]),
                    Message::UnknownControl(c) => {
                        assert_eq!(payload, [c]);
                        assert!(![0, 1, 2, 4].contains(&c), "known code {c} unclassified");
                    }
                    Message::Apdu(capdu) => {
                        assert_ne!(len, 1, "a 1-byte payload taken as an APDU");
                        assert_eq!(capdu, payload);
                    }
                }
            }
            Ok(None) | Err(_) => break,
        }
    }
});
