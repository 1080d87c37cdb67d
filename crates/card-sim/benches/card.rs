//! What durability costs: VERIFY on an in-memory card vs a file-backed card (two atomic,
//! fsynced writes per VERIFY), and a card signature (blinded) vs the bare `rsa` operation.

use std::hint::black_box;

use card_sim::{CardContents, CardProfile, KeyContents, SimCard};
use criterion::{Criterion, criterion_group, criterion_main};
use pin_policy::{Pin, PinKind};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
use rsa::Pkcs1v15Sign;

fn contents() -> CardContents {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    CardContents {
        profile: CardProfile::MyNumber,
        authentication: Some(KeyContents {
            certificate: vec![0x30; 1400],
            ca_certificate: vec![0x30; 1400],
            private_key: rsa::PrivateKey::new(&mut rng, 2048).unwrap(),
            pin: Pin::new(PinKind::Authentication, b"1234").unwrap(),
            retry_limit: 3,
        }),
        signature: None,
        text_support: None,
        visual: None,
        common: None,
        verification: None,
    }
}

const SELECT_JPKI: [u8; 15] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];
const SELECT_PIN: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18];
const SELECT_KEY: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17];
const VERIFY: [u8; 9] = [0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'];

fn verify(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("card-sim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("card.jpki");
    let _ = std::fs::remove_file(&path);
    let mut on_file = SimCard::create(&path, contents()).unwrap();
    let mut in_memory = SimCard::new(contents()).unwrap();
    let mut group = c.benchmark_group("verify");
    for (name, card) in [("in-memory", &mut in_memory), ("file-backed", &mut on_file)] {
        card.process(&SELECT_JPKI);
        card.process(&SELECT_PIN);
        group.bench_function(name, |b| {
            b.iter(|| black_box(card.process(black_box(&VERIFY))))
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn sign(c: &mut Criterion) {
    let contents = contents();
    let key = contents
        .authentication
        .as_ref()
        .unwrap()
        .private_key
        .clone();
    let mut card = SimCard::new(contents).unwrap();
    for capdu in [&SELECT_JPKI[..], &SELECT_PIN, &VERIFY, &SELECT_KEY] {
        card.process(capdu);
    }
    let mut capdu = vec![0x80, 0x2A, 0x00, 0x80, 51];
    capdu.extend_from_slice(&[0x5A; 51]);
    capdu.push(0x00);
    let mut group = c.benchmark_group("sign-2048");
    group.sample_size(20);
    group.bench_function("card (blinded)", |b| {
        b.iter(|| black_box(card.process(black_box(&capdu))))
    });
    // `PrivateKey::sign` blinds too (rsa's default getrandom feature supplies the OS RNG), so
    // this is the card's own operation without the card around it.
    group.bench_function("rsa blinded (PrivateKey::sign)", |b| {
        b.iter(|| key.sign(Pkcs1v15Sign::new_unprefixed(), black_box(&[0x5A; 51])))
    });
    group.finish();
}

criterion_group!(benches, verify, sign);
criterion_main!(benches);
