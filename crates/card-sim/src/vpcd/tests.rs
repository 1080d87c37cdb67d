//! Unit tests of `vpcd`.

use super::*;
use std::net::TcpListener;

/// A card that echoes the INS in its answer and records power events.
#[derive(Default)]
struct Echo {
    events: Vec<&'static str>,
}

impl VirtualCard for Echo {
    fn atr(&self) -> Vec<u8> {
        vec![0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14]
    }
    fn power_on(&mut self) {
        self.events.push("on");
    }
    fn power_off(&mut self) {
        self.events.push("off");
    }
    fn reset(&mut self) {
        self.events.push("reset");
    }
    fn process(&mut self, capdu: &[u8]) -> Vec<u8> {
        vec![capdu.get(1).copied().unwrap_or(0), 0x90, 0x00]
    }
}

#[test]
fn frames_round_trip_and_oversized_frames_are_refused() {
    let mut buf = Vec::new();
    write_frame(&mut buf, &[1, 2, 3]).unwrap();
    assert_eq!(buf, [0, 3, 1, 2, 3]);
    assert_eq!(
        read_frame(&mut buf.as_slice()).unwrap(),
        Some(vec![1, 2, 3])
    );
    assert_eq!(read_frame(&mut [].as_slice()).unwrap(), None);
    assert!(
        read_frame(&mut [0, 5, 1].as_slice()).is_err(),
        "cut inside a frame"
    );
    assert!(
        read_frame(&mut [0xFF, 0xFF].as_slice()).is_err(),
        "larger than any APDU"
    );
}

#[test]
fn control_codes_and_apdus_are_told_apart() {
    assert_eq!(Message::from_payload(vec![0]), Message::PowerOff);
    assert_eq!(Message::from_payload(vec![1]), Message::PowerOn);
    assert_eq!(Message::from_payload(vec![2]), Message::Reset);
    assert_eq!(Message::from_payload(vec![4]), Message::GetAtr);
    assert_eq!(Message::from_payload(vec![3]), Message::UnknownControl(3));
    assert_eq!(
        Message::from_payload(vec![0, 0xA4]),
        Message::Apdu(vec![0, 0xA4])
    );
}

#[test]
fn serves_a_vpcd_peer_over_loopback_with_split_writes() {
    // Play vpcd: listen, then send length and payload in separate writes as Debian's does.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut answers = Vec::new();
        for payload in [&[4u8][..], &[1], &[0x00, 0xA4, 0x04, 0x0C], &[2], &[0]] {
            s.write_all(&u16::try_from(payload.len()).unwrap().to_be_bytes())
                .unwrap();
            s.flush().unwrap();
            s.write_all(payload).unwrap();
            if payload.len() > 1 || payload == [4] {
                answers.push(read_frame(&mut s).unwrap().unwrap());
            }
        }
        answers
    });
    let mut card = Echo::default();
    let mut seen = Vec::new();
    let mut obs = |c: &[u8], r: &[u8]| seen.push((c.to_vec(), r.to_vec()));
    let mut stream = TcpStream::connect(addr).unwrap();
    serve_connection(&mut stream, &mut card, Some(&mut obs)).unwrap();
    let answers = peer.join().unwrap();
    assert_eq!(answers[0], card.atr());
    assert_eq!(answers[1], [0xA4, 0x90, 0x00]);
    assert_eq!(card.events, ["on", "reset", "off"]);
    assert_eq!(seen.len(), 1);
}

#[test]
fn serve_reconnects_when_vpcd_restarts_and_powers_the_card_off_in_between() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let mut atrs = Vec::new();
        // two pcscd lifetimes: each connection asks for the ATR, then goes away
        for _ in 0..2 {
            let (mut s, _) = listener.accept().unwrap();
            write_frame(&mut s, &[4]).unwrap();
            atrs.push(read_frame(&mut s).unwrap().unwrap());
            write_frame(&mut s, &[0x00, 0xB0, 0x00, 0x00, 0x01]).unwrap();
            atrs.push(read_frame(&mut s).unwrap().unwrap());
        }
        atrs
    });
    let options = ServeOptions {
        addr,
        retry_delay: Duration::from_millis(10),
        max_attempts: Some(1),
    };
    let stop = AtomicBool::new(false);
    let mut card = Echo::default();
    let mut lines = Vec::new();
    let mut apdus = 0;
    let mut count = |_: &[u8], _: &[u8]| apdus += 1;
    let e = serve(&mut card, &options, &stop, Some(&mut count), |l| {
        lines.push(l.to_owned());
    })
    .unwrap_err();
    assert!(e.to_string().contains("is pcscd running"), "{e}");
    let answers = peer.join().unwrap();
    assert_eq!(answers.len(), 4);
    assert_eq!(answers[2], card.atr(), "answered again after reconnecting");
    assert_eq!(apdus, 2);
    assert_eq!(
        card.events,
        ["off", "off"],
        "powered off when each link dropped"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("connected")).count(),
        2,
        "{lines:?}"
    );
}

#[test]
fn serve_gives_up_after_the_attempts_allowed_when_nothing_listens() {
    // bind then drop to get a port with (very likely) nothing listening
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let options = ServeOptions {
        addr: port,
        retry_delay: Duration::from_millis(10),
        max_attempts: Some(3),
    };
    let stop = AtomicBool::new(false);
    let mut lines = Vec::new();
    let e = serve(&mut Echo::default(), &options, &stop, None, |l| {
        lines.push(l.to_owned())
    })
    .unwrap_err();
    assert!(e.to_string().contains("is pcscd running"), "{e}");
    assert_eq!(lines.len(), 1, "one waiting line, not one per attempt");
}
