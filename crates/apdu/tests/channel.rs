//! The typed layer: GET RESPONSE, 6Cxx re-issue, chaining, tracing with redaction.

use std::sync::{Arc, Mutex};

use apdu::{Channel, Command, ExchangeError, Response, StatusWord, Transport, TransportError};

/// A scripted card: records every C-APDU and answers from a queue.
struct Script {
    sent: Vec<Vec<u8>>,
    answers: Vec<Vec<u8>>,
}

impl Script {
    fn new(answers: &[&str]) -> Self {
        Self {
            sent: Vec::new(),
            answers: answers
                .iter()
                .rev()
                .map(|a| hex::decode(a.replace(' ', "")).unwrap())
                .collect(),
        }
    }
    fn sent_hex(&self) -> Vec<String> {
        self.sent.iter().map(hex::encode_upper).collect()
    }
}

impl Transport for Script {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.push(capdu.to_vec());
        self.answers.pop().ok_or(TransportError::CardRemoved)
    }
}

#[test]
fn follows_61xx_with_get_response_until_done() {
    let mut ch = Channel::new(Script::new(&["0102 6102", "0304 6101", "05 9000"]));
    let r = ch
        .send(&Command::new(0x00, 0xB0, 0, 0).with_le(256))
        .unwrap();
    assert_eq!(r.data, [1, 2, 3, 4, 5]);
    assert_eq!(r.sw, StatusWord::SUCCESS);
    assert_eq!(
        ch.into_inner().sent_hex(),
        ["00B0000000", "00C0000002", "00C0000001"]
    );
}

#[test]
fn reissues_once_with_the_le_from_6cxx() {
    let mut ch = Channel::new(Script::new(&["6C07", "01020304050607 9000"]));
    let r = ch
        .send(&Command::new(0x00, 0xB0, 0, 0).with_le(256))
        .unwrap();
    assert_eq!(r.data.len(), 7);
    assert_eq!(ch.into_inner().sent_hex(), ["00B0000000", "00B0000007"]);
}

#[test]
fn error_status_is_returned_not_raised() {
    let mut ch = Channel::new(Script::new(&["6982"]));
    let r = ch.send(&Command::new(0x00, 0xB0, 0, 0).with_le(4)).unwrap();
    assert_eq!(r.sw, StatusWord::SECURITY_STATUS_NOT_SATISFIED);
}

#[test]
fn endless_61xx_is_an_error_not_a_hang() {
    struct Endless;
    impl Transport for Endless {
        fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(vec![0xAA, 0x61, 0x01])
        }
    }
    let err = Channel::new(Endless)
        .send(&Command::new(0, 0xB0, 0, 0).with_le(1))
        .unwrap_err();
    assert!(
        matches!(err, ExchangeError::EndlessGetResponse { .. }),
        "{err}"
    );
}

#[test]
fn malformed_answers_and_transport_failures_are_typed() {
    let mut ch = Channel::new(Script::new(&["90"]));
    assert!(matches!(
        ch.send(&Command::new(0, 0xA4, 0, 0)),
        Err(ExchangeError::MalformedResponse(_))
    ));
    // the script is empty now: the transport fails
    assert!(matches!(
        ch.send(&Command::new(0, 0xA4, 0, 0)),
        Err(ExchangeError::Transport(TransportError::CardRemoved))
    ));
}

#[test]
fn chaining_splits_data_and_sets_the_chain_bit() {
    let mut ch = Channel::new(Script::new(&["9000", "9000", "AABB 9000"]));
    let cmd = Command::new(0x00, 0x2A, 0x9E, 0x9A)
        .with_data(vec![1, 2, 3, 4, 5])
        .with_le(256);
    let r = ch.send_chained(&cmd, 2).unwrap();
    assert_eq!(r.data, [0xAA, 0xBB]);
    assert_eq!(
        ch.into_inner().sent_hex(),
        ["102A9E9A020102", "102A9E9A020304", "002A9E9A010500"]
    );
}

#[test]
fn chaining_stops_at_the_first_refusal() {
    let mut ch = Channel::new(Script::new(&["6884"]));
    let cmd = Command::new(0x00, 0xDA, 0, 0).with_data(vec![0; 10]);
    let r = ch.send_chained(&cmd, 4).unwrap();
    assert_eq!(r.sw, StatusWord(0x6884));
    assert_eq!(ch.into_inner().sent.len(), 1);
}

#[test]
fn short_data_is_not_chained_and_bad_chunk_sizes_are_refused() {
    let mut ch = Channel::new(Script::new(&["9000"]));
    ch.send_chained(&Command::new(0, 0xDA, 0, 0).with_data(vec![1, 2]), 255)
        .unwrap();
    assert!(matches!(
        ch.send_chained(&Command::new(0, 0xDA, 0, 0).with_data(vec![1]), 0),
        Err(ExchangeError::BadChunkSize { chunk: 0 })
    ));
    assert!(matches!(
        ch.send_chained(&Command::new(0, 0xDA, 0, 0).with_data(vec![1]), 256),
        Err(ExchangeError::BadChunkSize { chunk: 256 })
    ));
    assert_eq!(ch.into_inner().sent_hex(), ["00DA0000020102"]);
}

#[test]
fn trace_sees_every_exchange_with_pins_redacted() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    let mut ch = Channel::new(Script::new(&["63C2", "0102 6101", "03 9000"]));
    ch.set_trace(move |c: &Command, r: &Response| sink.lock().unwrap().push(format!("{c} -> {r}")));
    let verify = Command::new(0x00, 0x20, 0x00, 0x80)
        .with_data(b"2468".to_vec())
        .sensitive();
    ch.send(&verify).unwrap();
    ch.send(&Command::new(0x00, 0xB0, 0, 0).with_le(2)).unwrap();
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log,
        [
            "00 20 00 80 04 <redacted> -> 63C2",
            "00 B0 00 00 02 -> 0102 6101",
            "00 C0 00 00 01 -> 03 9000",
        ]
    );
    // the card did receive the PIN
    assert_eq!(ch.into_inner().sent[0], b"\x00\x20\x00\x80\x042468");
}

#[test]
fn sensitive_chained_links_stay_sensitive() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    let mut ch = Channel::new(Script::new(&["9000", "9000"]));
    ch.set_trace(move |c: &Command, _: &Response| sink.lock().unwrap().push(c.to_string()));
    let cmd = Command::new(0, 0x24, 0x01, 0x80)
        .with_data(b"ABCD1234".to_vec())
        .sensitive();
    ch.send_chained(&cmd, 4).unwrap();
    for line in log.lock().unwrap().iter() {
        assert!(line.ends_with("<redacted>"), "{line}");
    }
}
