//! The RSA signing path, layer by layer, in one process so the ratios between layers are honest
//! (issue 8). `cargo xtask bench` runs this with `openssl speed rsa2048` and writes BENCHMARKS.md.
//!
//! (One piece, over 400 lines: the layers must run in one process and one criterion group for
//! their ratios to mean something.)
//!
//! | id | layer |
//! |---|---|
//! | `1-raw/rsa-sign-blinded` | `rsa` 0.10 PKCS#1 v1.5 SHA-256 sign with blinding (what the card uses) |
//! | `1-raw/rsa-sign-unblinded` | the same without blinding, for reference (`SignatureScheme::sign` with no RNG: `PrivateKey::sign` blinds with the OS RNG) |
//! | `1-raw/rsa-verify` | verify of that signature |
//! | `2-card/compute-signature-<engine>` | `SimCard::process` on `80 2A 00 80 33 <DigestInfo> 00`, PIN verified |
//! | `2-card/compute-signature-p384` | the next-generation card (NG-sim v1): `SimCard::process` on PSO:CDS `00 2A 9E 9A 30 <SHA-384> 00`, signing password verified, key `02` set by MSE:SET; random nonces, as the card signs |
//! | `3-client/applet-sign-<engine>` | `JpkiApplet::sign`: SELECT AID, SELECT PIN, VERIFY, SELECT key, sign |
//! | `4-cms/sign-1MiB-<engine>` | `jpki_tool::cms::sign_detached` of 1 MiB with the in-memory card as signer |
//! | `5-pcsc/apdu`, `5-pcsc/sign` | layer 3 over pcscd + vpcd, when `JPKI_BENCH_READER` names a reader with a card |
//! | `5-pcsc/sign-p384` | one NG signature over pcscd + vpcd (`JpkiCard::sign`: VERIFY signing password, MSE:SET, PSO:CDS), when `JPKI_BENCH_NG_READER` names a reader with a next-generation card |
//! | `engine/openssl-private-encrypt` | with `--features fast-engine`: OpenSSL's blinded raw PKCS#1 v1.5 private operation, called directly (layer 1 of the OpenSSL engine) |
//!
//! `<engine>` is each RSA engine of the card compiled in (`card_sim::Engine::ALL`): `rsa`, and
//! `openssl` with `--features fast-engine` (which turns on card-sim's `fast-engine`).
//!
//! APDU codec throughput and certificate parse / chain verify are in `crates/apdu/benches/apdu.rs`
//! and `crates/cert/benches/cert.rs`; they are not repeated here.
//!
//! Layer 5 reads the reader name from `JPKI_BENCH_READER` (e.g. `Virtual PCD 00 00`) and the
//! card's signature PIN from `JPKI_BENCH_PIN` (default `ABC123`); `cargo xtask bench` starts
//! pcscd, issues a card and serves it with `jpki-sim serve` (release build) for it. Without a
//! reader, or without a card there, it prints a note and is skipped. A wrong PIN is never
//! repeated: the first signature must succeed before the loop. The next-generation row reads
//! `JPKI_BENCH_NG_READER` and `JPKI_BENCH_NG_PASSWORD` (the signing password, default `ABC123`)
//! the same way; `cargo xtask bench` serves a next-generation card from the same authority on a
//! second vpcd reader for it (skipped with a note when only one reader is free).
//!
//! `JPKI_BENCH_PROFILE=<engine>:<n>` skips criterion and signs `n` times with one engine
//! (`rsa-blinded`, `rsa-unblinded`, `rsa-os-rng`, `card`, `card-p384`, `applet`, and with the feature `openssl`,
//! `card-openssl`, `applet-openssl`): a small workload for `valgrind
//! --tool=callgrind` or `--tool=dhat` (allocations per signature = difference of two runs / Δn).

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use card_sim::next_gen::ids;
use card_sim::{
    CardContents, CardProfile, Engine, FourFacts, KeyContents, MyNumber, NextGenContents,
    NextGenKey, NextGenRetryLimits, Sex, SimCard,
};
use criterion::{Criterion, criterion_group};
use jpki_applet::{JpkiApplet, JpkiCard, KeyRef};
use p384::ecdsa::signature::hazmat::PrehashVerifier;
use pin_policy::{Pin, PinKind};
use rsa::Pkcs1v15Sign;
use rsa::traits::SignatureScheme;
use sha2::{Digest, Sha256, Sha384};
use test_support::fixtures::{self, FixtureSet};

const SIGN_PIN: &str = "ABC123";
const AUTH_PIN: &str = "1234";

/// DigestInfo prefix for SHA-256 (spec §5), written out here rather than borrowed from a crate.
const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
const SELECT_JPKI: [u8; 15] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];
const SELECT_SIGN_PIN: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1B];
const SELECT_SIGN_KEY: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1A];
/// VERIFY with no data: `63 Cx`, no state change — the cheapest command for APDU latency.
const PIN_STATUS: [u8; 4] = [0x00, 0x20, 0x00, 0x80];

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().expect("fixtures"))
}

fn hash() -> [u8; 32] {
    Sha256::digest(b"issue 8: the RSA signing path").into()
}

fn digest_info() -> Vec<u8> {
    let mut di = SHA256_PREFIX.to_vec();
    di.extend_from_slice(&hash());
    di
}

fn sign_apdu() -> Vec<u8> {
    let di = digest_info();
    let mut capdu = vec![
        0x80,
        0x2A,
        0x00,
        0x80,
        u8::try_from(di.len()).expect("short Lc"),
    ];
    capdu.extend_from_slice(&di);
    capdu.push(0x00);
    capdu
}

fn key_contents(
    issued: &fixtures::IssuedKey,
    ca_der: &[u8],
    kind: PinKind,
    pin: &str,
) -> KeyContents {
    KeyContents {
        certificate: issued.certificate.der().to_vec(),
        ca_certificate: ca_der.to_vec(),
        private_key: issued.key.clone(),
        pin: Pin::new(kind, pin.as_bytes()).expect("fixture PIN"),
        retry_limit: kind.default_retry_limit(),
    }
}

/// An in-memory My Number card with the fixture keys, signing with `engine`: no file I/O in
/// any layer.
fn card(engine: Engine) -> SimCard {
    let s = set();
    SimCard::new(CardContents {
        profile: CardProfile::MyNumber,
        authentication: Some(key_contents(
            &s.my_number_auth,
            s.auth_ca.certificate().der(),
            PinKind::Authentication,
            AUTH_PIN,
        )),
        signature: Some(key_contents(
            &s.my_number_sign,
            s.sign_ca.certificate().der(),
            PinKind::Signature,
            SIGN_PIN,
        )),
        text_support: None,
        visual: None,
        common: None,
        verification: None,
    })
    .expect("card")
    .with_engine(engine)
}

/// A card with the signature PIN verified and the signature key EF selected (§5: the verified
/// state survives several signatures).
fn card_ready_to_sign(engine: Engine) -> SimCard {
    let mut card = card(engine);
    let mut verify = vec![0x00, 0x20, 0x00, 0x80, 6];
    verify.extend_from_slice(SIGN_PIN.as_bytes());
    for capdu in [
        &SELECT_JPKI[..],
        &SELECT_SIGN_PIN,
        &verify,
        &SELECT_SIGN_KEY,
    ] {
        let r = card.process(capdu);
        assert_eq!(r, [0x90, 0x00], "setup APDU {capdu:02X?}");
    }
    card
}

/// `rsa` 0.10 without blinding. `PrivateKey::sign` is not that: with the default `getrandom`
/// feature it blinds with the OS RNG; only `SignatureScheme::sign` with no RNG skips blinding.
fn sign_unblinded(key: &rsa::PrivateKey, scheme: Pkcs1v15Sign, data: &[u8]) -> Vec<u8> {
    scheme
        .sign(None::<&mut rand::rngs::ThreadRng>, key, data)
        .expect("sign")
}

/// The reference signature: `rsa` without blinding. PKCS#1 v1.5 is deterministic, so every
/// layer and engine must produce exactly these bytes.
fn reference_signature() -> Vec<u8> {
    sign_unblinded(
        &set().my_number_sign.key,
        Pkcs1v15Sign::new::<Sha256>(),
        &hash(),
    )
}

fn raw(c: &mut Criterion) {
    let key = &set().my_number_sign.key;
    let public = key.to_public_key();
    let hash = hash();
    let expected = reference_signature();
    assert_eq!(
        key.sign_with_rng(&mut rand::rng(), Pkcs1v15Sign::new::<Sha256>(), &hash)
            .expect("sign"),
        expected
    );
    let mut g = c.benchmark_group("1-raw");
    g.sample_size(20);
    g.bench_function("rsa-sign-blinded", |b| {
        let mut rng = rand::rng();
        b.iter(|| {
            key.sign_with_rng(&mut rng, Pkcs1v15Sign::new::<Sha256>(), black_box(&hash))
                .expect("sign")
        })
    });
    g.bench_function("rsa-sign-unblinded", |b| {
        b.iter(|| sign_unblinded(key, Pkcs1v15Sign::new::<Sha256>(), black_box(&hash)))
    });
    g.bench_function("rsa-verify", |b| {
        b.iter(|| {
            public
                .verify(Pkcs1v15Sign::new::<Sha256>(), black_box(&hash), &expected)
                .expect("verify")
        })
    });
    g.finish();
}

fn card_handler(c: &mut Criterion) {
    let capdu = sign_apdu();
    let mut expected = reference_signature();
    expected.extend_from_slice(&[0x90, 0x00]);
    let mut g = c.benchmark_group("2-card");
    g.sample_size(20);
    for &engine in Engine::ALL {
        let mut card = card_ready_to_sign(engine);
        assert_eq!(card.process(&capdu), expected, "card signature ({engine})");
        g.bench_function(format!("compute-signature-{engine}"), |b| {
            b.iter(|| card.process(black_box(&capdu)))
        });
    }
    g.finish();
}

/// A next-generation key from a fixed seed (bench data); the certificates are placeholders; the
/// in-process rows read none.
fn ng_key(seed: u8) -> NextGenKey {
    NextGenKey {
        private_key: p384::SecretKey::from_slice(&[seed; 48]).expect("a valid P-384 scalar"),
        certificate: vec![0x30, 0x00],
        ca_certificate: vec![0x30, 0x00],
    }
}

/// An in-memory NG-sim v1 card with the signing password verified and key `02` chosen by
/// MSE:SET, and the hash it signs.
fn ng_card_ready_to_sign() -> (SimCard, p384::ecdsa::VerifyingKey) {
    let sign = ng_key(2);
    let public = p384::ecdsa::VerifyingKey::from(sign.private_key.public_key());
    let mut card = SimCard::new_next_gen(NextGenContents {
        authentication: Some(ng_key(1)),
        signature: Some(sign),
        card_authentication: ng_key(3),
        my_number: MyNumber::new("123456789018").expect("check digit"),
        facts: FourFacts {
            name: "番号\u{3000}花子".into(),
            address: "東京都千代田区霞が関二丁目1番2号".into(),
            birth_date: "19900101".into(),
            sex: Sex::Female,
        },
        sign_pw: Pin::new(PinKind::Signature, SIGN_PIN.as_bytes()).expect("signing password"),
        pin4: Pin::new(PinKind::Authentication, AUTH_PIN.as_bytes()).expect("PIN"),
        retry_limits: NextGenRetryLimits::default(),
    })
    .expect("NG card");
    // The NG-sim v1 identifiers from their one table (`card_sim::next_gen::ids`).
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C];
    select.push(u8::try_from(ids::AID_AUTH.len()).expect("short AID"));
    select.extend_from_slice(&ids::AID_AUTH);
    let mut verify = vec![0x00, 0x20, 0x00, ids::secret::SIGN_PW, 6];
    verify.extend_from_slice(SIGN_PIN.as_bytes());
    let mse = [0x00, 0x22, 0x41, 0xB6, 0x03, 0x84, 0x01, ids::key::SIGN];
    for capdu in [&select[..], &verify, &mse] {
        assert_eq!(card.process(capdu), [0x90, 0x00], "setup APDU {capdu:02X?}");
    }
    (card, public)
}

fn ng_hash() -> [u8; ids::HASH_LEN] {
    Sha384::digest(b"issue 18: the next-generation signing path").into()
}

/// PSO:CDS over the bare SHA-384 hash.
fn ng_sign_apdu() -> Vec<u8> {
    let mut capdu = vec![0x00, 0x2A, 0x9E, 0x9A];
    capdu.push(u8::try_from(ids::HASH_LEN).expect("short Lc"));
    capdu.extend_from_slice(&ng_hash());
    capdu.push(0x00);
    capdu
}

/// Checks an answer to [`ng_sign_apdu`]: 96 bytes r ‖ s that verify, then `9000`.
fn check_ng_answer(answer: &[u8], public: &p384::ecdsa::VerifyingKey) {
    let (rs, sw) = answer.split_at(answer.len().saturating_sub(2));
    assert_eq!(sw, [0x90, 0x00], "PSO:CDS status");
    assert_eq!(rs.len(), ids::SIGNATURE_LEN, "r ‖ s");
    let signature = p384::ecdsa::Signature::from_slice(rs).expect("r ‖ s in range");
    public
        .verify_prehash(&ng_hash(), &signature)
        .expect("the card's signature verifies");
}

fn ng_card_handler(c: &mut Criterion) {
    let (mut card, public) = ng_card_ready_to_sign();
    let capdu = ng_sign_apdu();
    let first = card.process(&capdu);
    check_ng_answer(&first, &public);
    // Random nonces: the second signature differs and verifies too.
    let second = card.process(&capdu);
    check_ng_answer(&second, &public);
    assert_ne!(first, second, "random nonces");
    let mut g = c.benchmark_group("2-card");
    g.sample_size(30);
    g.bench_function("compute-signature-p384", |b| {
        b.iter(|| card.process(black_box(&capdu)))
    });
    g.finish();
}

fn client(c: &mut Criterion) {
    let di = digest_info();
    let expected = reference_signature();
    let mut g = c.benchmark_group("3-client");
    g.sample_size(20);
    for &engine in Engine::ALL {
        let mut card = card(engine);
        assert_eq!(
            JpkiApplet::open(&mut card)
                .expect("open the card")
                .sign(KeyRef::Sign, SIGN_PIN.as_bytes(), &di)
                .expect("applet sign"),
            expected,
            "{engine}"
        );
        g.bench_function(format!("applet-sign-{engine}"), |b| {
            let mut applet = JpkiApplet::open(&mut card).expect("open the card");
            b.iter(|| {
                applet
                    .sign(KeyRef::Sign, black_box(SIGN_PIN.as_bytes()), black_box(&di))
                    .expect("applet sign")
            })
        });
    }
    g.finish();
}

fn cms(c: &mut Criterion) {
    let signer = set().my_number_sign.certificate.der().to_vec();
    let document: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let mut g = c.benchmark_group("4-cms");
    g.sample_size(20);
    for &engine in Engine::ALL {
        let mut card = card(engine);
        g.bench_function(format!("sign-1MiB-{engine}"), |b| {
            let mut applet = JpkiApplet::open(&mut card).expect("open the card");
            b.iter(|| {
                jpki_tool::cms::sign_detached(
                    black_box(document.as_slice()),
                    &signer,
                    &[],
                    time,
                    |di| applet.sign(KeyRef::Sign, SIGN_PIN.as_bytes(), di),
                )
                .expect("cms")
            })
        });
    }
    g.finish();
}

fn pcsc(c: &mut Criterion) {
    use jpki_applet::pcsc::PcscContext;

    let Ok(reader) = std::env::var("JPKI_BENCH_READER") else {
        println!(
            "note: layer 5 (PC/SC) skipped: set JPKI_BENCH_READER to a reader with a JPKI card \
             and JPKI_BENCH_PIN to its signature PIN (`cargo xtask bench` serves one)"
        );
        return;
    };
    let pin = std::env::var("JPKI_BENCH_PIN").unwrap_or_else(|_| SIGN_PIN.to_owned());
    let ctx = match PcscContext::establish() {
        Ok(ctx) => ctx,
        Err(e) => {
            println!("note: layer 5 (PC/SC) skipped: {e}");
            return;
        }
    };
    let mut card = match ctx.connect(&reader) {
        Ok(card) => card,
        Err(e) => {
            println!("note: layer 5 (PC/SC) skipped: reader {reader:?}: {e}");
            return;
        }
    };
    // One try first: a card with another PIN must not be driven into blocking.
    let di = digest_info();
    // (The served card has keys of its own: the interop suite checks its signatures.)
    match JpkiApplet::open(&mut card).and_then(|mut a| a.sign(KeyRef::Sign, pin.as_bytes(), &di)) {
        Ok(sig) if sig.len() == 256 => {}
        Ok(sig) => {
            println!(
                "note: layer 5 (PC/SC) skipped: a {}-byte signature",
                sig.len()
            );
            return;
        }
        Err(e) => {
            println!(
                "note: layer 5 (PC/SC) skipped: opening the card or its first signature failed: {e}"
            );
            return;
        }
    }
    let mut g = c.benchmark_group("5-pcsc");
    g.sample_size(20);
    g.bench_function("apdu", |b| {
        b.iter(|| apdu::Transport::transmit(&mut card, black_box(&PIN_STATUS)).expect("APDU"))
    });
    g.bench_function("sign", |b| {
        let mut applet = JpkiApplet::open(&mut card).expect("open the card");
        b.iter(|| {
            applet
                .sign(KeyRef::Sign, pin.as_bytes(), black_box(&di))
                .expect("sign")
        })
    });
    g.finish();
}

/// Layer 5 on a next-generation card: `JPKI_BENCH_NG_READER`, `JPKI_BENCH_NG_PASSWORD`.
fn pcsc_next_gen(c: &mut Criterion) {
    use jpki_applet::pcsc::PcscContext;

    let skipped = |why: &str| println!("note: layer 5 next generation (PC/SC) skipped: {why}");
    let Ok(reader) = std::env::var("JPKI_BENCH_NG_READER") else {
        skipped(
            "set JPKI_BENCH_NG_READER to a reader with a next-generation card and \
             JPKI_BENCH_NG_PASSWORD to its signing password",
        );
        return;
    };
    let password = std::env::var("JPKI_BENCH_NG_PASSWORD").unwrap_or_else(|_| SIGN_PIN.to_owned());
    let ctx = match PcscContext::establish() {
        Ok(ctx) => ctx,
        Err(e) => return skipped(&e.to_string()),
    };
    let transport = match ctx.connect(&reader) {
        Ok(card) => card,
        Err(e) => return skipped(&format!("reader {reader:?}: {e}")),
    };
    let mut card = match JpkiCard::open(transport) {
        Ok(card @ JpkiCard::NextGen(_)) => card,
        Ok(JpkiCard::Current(_)) => return skipped(&format!("the card in {reader:?} is today's")),
        Err(e) => return skipped(&format!("opening the card failed: {e}")),
    };
    let message = b"issue 18: one NG signature over PC/SC";
    // One try first: a card with another password must not be driven into blocking.
    match card.sign(KeyRef::Sign, password.as_bytes(), message) {
        Ok(sig) if sig.raw_rs().is_some_and(|rs| rs.len() == 96) => {}
        Ok(_) => return skipped("the signature is not 96 bytes r ‖ s"),
        Err(e) => return skipped(&format!("the first signature failed: {e}")),
    }
    let mut g = c.benchmark_group("5-pcsc");
    g.sample_size(20);
    g.bench_function("sign-p384", |b| {
        b.iter(|| {
            card.sign(KeyRef::Sign, password.as_bytes(), black_box(message))
                .expect("sign")
        })
    });
    g.finish();
}

#[cfg(feature = "fast-engine")]
mod fast {
    //! The candidate engine: OpenSSL's RSA private operation with PKCS#1 v1.5 type-01 padding
    //! over the bytes given (the card's operation), blinded (OpenSSL's default for RSA keys).

    use openssl::pkey::Private;
    use openssl::rsa::{Padding, Rsa};
    use rsa::pkcs1::EncodeRsaPrivateKey;

    /// Converted once, as the card would at load.
    pub struct Engine {
        rsa: Rsa<Private>,
    }

    impl Engine {
        pub fn new(key: &rsa::PrivateKey) -> Self {
            let der = key.to_pkcs1_der().expect("PKCS#1 DER");
            let rsa = Rsa::private_key_from_der(der.as_bytes()).expect("OpenSSL key");
            Self { rsa }
        }

        /// `RSA_private_encrypt(.., RSA_PKCS1_PADDING)` (deprecated in OpenSSL 3, still there).
        pub fn private_encrypt(&self, data: &[u8]) -> Vec<u8> {
            let mut out = vec![0; 256];
            let n = self
                .rsa
                .private_encrypt(data, &mut out, Padding::PKCS1)
                .expect("sign");
            out.truncate(n);
            out
        }
    }
}

#[cfg(feature = "fast-engine")]
fn engine(c: &mut Criterion) {
    let key = &set().my_number_sign.key;
    let engine = fast::Engine::new(key);
    let di = digest_info();
    let expected = reference_signature();
    assert_eq!(
        engine.private_encrypt(&di),
        expected,
        "byte-identical to rsa"
    );
    // Raw data as OpenSC's RSA-PKCS mechanism sends it: also identical.
    let short = b"raw data, not a DigestInfo";
    assert_eq!(
        engine.private_encrypt(short),
        key.sign(Pkcs1v15Sign::new_unprefixed(), short)
            .expect("sign")
    );
    let mut g = c.benchmark_group("engine");
    g.sample_size(20);
    g.bench_function("openssl-private-encrypt", |b| {
        b.iter(|| engine.private_encrypt(black_box(&di)))
    });
    g.bench_function("rsa-raw-blinded", |b| {
        let mut rng = rand::rng();
        b.iter(|| {
            key.sign_with_rng(&mut rng, Pkcs1v15Sign::new_unprefixed(), black_box(&di))
                .expect("sign")
        })
    });
    g.finish();
}

#[cfg(not(feature = "fast-engine"))]
fn engine(_: &mut Criterion) {}

/// `JPKI_BENCH_PROFILE=<engine>:<n>`: sign n times with one engine, no criterion.
fn profile(spec: &str) {
    let (engine, n) = spec.split_once(':').unwrap_or((spec, "100"));
    let n: usize = n.parse().expect("JPKI_BENCH_PROFILE=<engine>:<n>");
    let key = &set().my_number_sign.key;
    let di = digest_info();
    let mut client_card = card(Engine::Rsa);
    #[cfg(feature = "fast-engine")]
    let mut openssl_client_card = card(Engine::OpenSsl);
    #[cfg(feature = "fast-engine")]
    let mut openssl_card = card_ready_to_sign(Engine::OpenSsl);
    let mut rsa_card = card_ready_to_sign(Engine::Rsa);
    let (mut ng_card, _) = ng_card_ready_to_sign();
    let ng_capdu = ng_sign_apdu();
    let capdu = sign_apdu();
    let mut rng = rand::rng();
    let mut applet = JpkiApplet::open(&mut client_card).expect("open the card");
    #[cfg(feature = "fast-engine")]
    let fast = fast::Engine::new(key);
    #[cfg(feature = "fast-engine")]
    let mut openssl_applet = JpkiApplet::open(&mut openssl_client_card).expect("open the card");
    for _ in 0..n {
        let out = match engine {
            "rsa-blinded" => key
                .sign_with_rng(&mut rng, Pkcs1v15Sign::new_unprefixed(), &di)
                .expect("sign"),
            "rsa-unblinded" => sign_unblinded(key, Pkcs1v15Sign::new_unprefixed(), &di),
            "rsa-os-rng" => key.sign(Pkcs1v15Sign::new_unprefixed(), &di).expect("sign"),
            "card" => rsa_card.process(&capdu),
            "card-p384" => ng_card.process(&ng_capdu),
            "applet" => applet
                .sign(KeyRef::Sign, SIGN_PIN.as_bytes(), &di)
                .expect("applet sign"),
            #[cfg(feature = "fast-engine")]
            "openssl" => fast.private_encrypt(&di),
            #[cfg(feature = "fast-engine")]
            "card-openssl" => openssl_card.process(&capdu),
            #[cfg(feature = "fast-engine")]
            "applet-openssl" => openssl_applet
                .sign(KeyRef::Sign, SIGN_PIN.as_bytes(), &di)
                .expect("applet sign"),
            other => panic!("unknown engine {other}"),
        };
        black_box(out);
    }
}

criterion_group!(
    benches,
    raw,
    card_handler,
    ng_card_handler,
    client,
    cms,
    pcsc,
    pcsc_next_gen,
    engine
);

fn main() {
    if let Ok(spec) = std::env::var("JPKI_BENCH_PROFILE") {
        profile(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
