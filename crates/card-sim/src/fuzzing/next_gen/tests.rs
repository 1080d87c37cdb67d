//! The NG harness in every test pass: a scripted session, the seeds, mutated sessions, and
//! the checker catching a violation made up on purpose.

use rand::{RngExt, SeedableRng, rngs::StdRng};

use super::*;

fn record(out: &mut Vec<u8>, capdu: &[u8]) {
    out.push(u8::try_from(capdu.len()).unwrap());
    out.extend_from_slice(capdu);
}

fn with(header: [u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = header.to_vec();
    c.push(u8::try_from(data.len()).unwrap());
    c.extend_from_slice(data);
    c
}

/// A session that walks the guarded paths: every secret, the PUK, both keys, the files.
pub(super) fn script() -> Vec<u8> {
    let mut s = Vec::new();
    let select = with([0, 0xA4, 4, 0x0C], &ids::AID_AUTH);
    let hash = [0x42; 48];
    for capdu in [
        select.clone(),
        with([0, 0x20, 0, 0x82], b"0000"),
        with([0, 0x20, 0, 0x82], PIN4),
        with([0, 0x22, 0x41, 0xB6], &[0x84, 1, 1]),
        with([0, 0x2A, 0x9E, 0x9A], &hash),
        with([0, 0xA4, 2, 0x0C], &[0, 0x21]),
        vec![0, 0xB0, 0, 0, 0],
        with([0, 0x20, 0, 0x81], SIGN_PW),
        with([0, 0x24, 1, 0x83], b"11223344"),
        with([0, 0xA4, 2, 0x0C], &[0, 0x01]),
        vec![0, 0xB0, 0, 0, 0],
        with([0, 0x22, 0x41, 0xB6], &[0x84, 1, 2]),
        with([0, 0x2A, 0x9E, 0x9A], &hash),
        with([0, 0x2C, 0, 0x82], b"000000009999"),
        with([0, 0x2C, 0, 0x82], b"112233449999"),
        with([0, 0x88, 0, 0x83], &[7; 16]),
    ] {
        record(&mut s, &capdu);
    }
    s.push(0xFD);
    record(&mut s, &select);
    record(&mut s, &with([0, 0x2A, 0x9E, 0x9A], &hash));
    s
}

#[test]
fn the_script_reaches_every_guarded_state() {
    let stats = ng_stats(&script());
    assert_eq!(stats.verified, 2, "{stats:?}");
    assert!(stats.refused >= 1 && stats.signed == 2, "{stats:?}");
}

/// The committed seed `fuzz/seeds/ng_session/script` is [`script`]'s bytes, so a change to the
/// session script reaches the fuzzer. To write it anew after such a change:
/// `JPKI_WRITE_SEEDS=1 cargo test -p card-sim --lib committed_script_seed`.
#[test]
fn the_committed_script_seed_is_the_script() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/seeds/ng_session/script"
    );
    if std::env::var_os("JPKI_WRITE_SEEDS").is_some() {
        std::fs::write(path, script()).unwrap();
    }
    let committed = std::fs::read(path).unwrap();
    assert!(
        committed == script(),
        "{path} is not the current session script: JPKI_WRITE_SEEDS=1 cargo test -p card-sim --lib committed_script_seed"
    );
}

#[test]
fn the_committed_seeds_keep_the_invariants() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/ng_session");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(ng_stats(&data).exchanges > 0);
        n += 1;
    }
    assert!(n >= 1, "no seeds under {dir}");
}

#[test]
fn mutated_sessions_keep_every_invariant() {
    let base = script();
    let mut rng = StdRng::seed_from_u64(0x4E47);
    for _ in 0..300 {
        let mut data = base.clone();
        for _ in 0..rng.random_range(1..6) {
            let i = rng.random_range(0..data.len());
            data[i] = rng.random();
        }
        let _ = ng_stats(&data);
    }
}

#[test]
#[should_panic(expected = "tries went up")]
fn the_checker_catches_a_counter_going_up() {
    let mut card = card();
    let mut shadow = Shadow {
        values: [None, None, None],
        tries: [Some(0), Some(0), None],
        verified: [false; 3],
        in_auth: false,
        ef: None,
        mse: None,
    };
    let capdu = with([0, 0xA4, 4, 0x0C], &ids::AID_AUTH);
    let rapdu = card.process(&capdu);
    check(&mut shadow, &card, &capdu, &rapdu, &mut NgStats::default());
}
