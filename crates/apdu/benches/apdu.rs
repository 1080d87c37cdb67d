//! APDU codec throughput: decode and encode of the commands a JPKI session sends most.

use std::hint::black_box;

use apdu::{Command, Response, StatusWord};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn codec(c: &mut Criterion) {
    // READ BINARY (case 2S), COMPUTE DIGITAL SIGNATURE over a SHA-256 DigestInfo (case 4S),
    // and an extended case 4E with 4 KiB of data.
    let read = Command::new(0x00, 0xB0, 0x01, 0x00).with_le(256);
    let sign = Command::new(0x80, 0x2A, 0x00, 0x80)
        .with_data(vec![0x30; 51])
        .with_le(256);
    let big = Command::new(0x00, 0xDA, 0x01, 0x00)
        .with_data(vec![0x5A; 4096])
        .with_le(65_536);
    let mut group = c.benchmark_group("command");
    for (name, cmd) in [
        ("read_binary_2s", &read),
        ("sign_4s", &sign),
        ("write_4e_4k", &big),
    ] {
        let wire = cmd.encode().unwrap();
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function(format!("decode/{name}"), |b| {
            b.iter(|| Command::decode(black_box(&wire)).unwrap())
        });
        let mut out = Vec::with_capacity(wire.len());
        group.bench_function(format!("encode/{name}"), |b| {
            b.iter(|| {
                out.clear();
                black_box(cmd).encode_into(&mut out).unwrap();
                out.len()
            })
        });
    }
    group.finish();

    let resp = Response::new(vec![0x30; 256], StatusWord::SUCCESS).encode();
    let mut group = c.benchmark_group("response");
    group.throughput(Throughput::Bytes(resp.len() as u64));
    group.bench_function("decode/256", |b| {
        b.iter(|| Response::decode(black_box(&resp)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
