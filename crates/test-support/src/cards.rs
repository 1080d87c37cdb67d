//! Test cards: seeded RSA-2048 keys, self-signed placeholder certificates (real DER, built with
//! rcgen from the same keys), holder data. Generated on first use and cached per process.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Mutex, OnceLock},
};

use card_sim::{
    CardContents, CardProfile, FourFacts, KeyContents, MyNumber, Sex, SimCard, TextSupportContents,
};
use pin_policy::{Pin, PinKind};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
use rsa::pkcs8::EncodePrivateKey;

/// Authentication PIN of the test cards.
pub const AUTH_PIN: &str = "1234";
/// Signature PIN of the test My Number card.
pub const SIGN_PIN: &str = "ABC123";
/// Text-support PIN of the test My Number card.
pub const TEXT_PIN: &str = "5678";
/// Signature PIN of the test Juki card.
pub const JUKI_PIN: &str = "JUKI01";
/// The test My Number (valid check digit).
pub const MY_NUMBER: &str = "123456789018";

/// The holder arguments of `jpki-sim issue` for the sample holder.
pub const HOLDER: [&str; 12] = [
    "--name",
    "番号 花子",
    "--address",
    "東京都千代田区霞が関二丁目1番2号",
    "--birth",
    "1990-01-01",
    "--gender",
    "female",
    "--prefecture",
    "東京都",
    "--city",
    "千代田区",
];

/// A seeded RSA-2048 key and a self-signed certificate over it (DER).
pub struct KeyFixture {
    /// The private key.
    pub key: rsa::PrivateKey,
    /// Its self-signed certificate (DER).
    pub cert: Vec<u8>,
}

fn cache() -> &'static Mutex<HashMap<u64, &'static KeyFixture>> {
    static CACHE: OnceLock<Mutex<HashMap<u64, &'static KeyFixture>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Key and certificate number `seed` (1 auth, 2 sign, 3 CA-auth, 4 CA-sign, 5 Juki).
pub fn key(seed: u64) -> &'static KeyFixture {
    let mut cache = cache().lock().unwrap();
    if let Some(k) = cache.get(&seed) {
        return k;
    }
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let key = rsa::PrivateKey::new(&mut rng, 2048).unwrap();
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let key_pair = rcgen::KeyPair::try_from(pkcs8.as_bytes()).unwrap();
    let params = rcgen::CertificateParams::new(vec![format!("test-{seed}.invalid")]).unwrap();
    let cert = params.self_signed(&key_pair).unwrap().der().to_vec();
    let fixture: &'static KeyFixture = Box::leak(Box::new(KeyFixture { key, cert }));
    cache.insert(seed, fixture);
    fixture
}

/// A card key: key `seed` under the certificate of key `ca_seed`, with `pin` and `limit`.
pub fn key_contents(seed: u64, ca_seed: u64, kind: PinKind, pin: &str, limit: u8) -> KeyContents {
    let k = key(seed);
    KeyContents {
        certificate: k.cert.clone(),
        ca_certificate: key(ca_seed).cert.clone(),
        private_key: k.key.clone(),
        pin: Pin::new(kind, pin.as_bytes()).unwrap(),
        retry_limit: limit,
    }
}

/// The test holder's 4 facts.
pub fn facts() -> FourFacts {
    FourFacts {
        name: "番号\u{3000}花子".to_owned(),
        address: "東京都千代田区霞が関二丁目1番2号".to_owned(),
        birth_date: "19900101".to_owned(),
        sex: Sex::Female,
    }
}

/// Retry limits (auth, sign, text).
pub fn my_number_contents_with(limits: (u8, u8, u8)) -> CardContents {
    CardContents {
        profile: CardProfile::MyNumber,
        authentication: Some(key_contents(
            1,
            3,
            PinKind::Authentication,
            AUTH_PIN,
            limits.0,
        )),
        signature: Some(key_contents(2, 4, PinKind::Signature, SIGN_PIN, limits.1)),
        text_support: Some(TextSupportContents {
            my_number: MyNumber::new(MY_NUMBER).unwrap(),
            facts: facts(),
            pin: Pin::new(PinKind::TextSupport, TEXT_PIN.as_bytes()).unwrap(),
            retry_limit: limits.2,
        }),
    }
}

/// A My Number card with the real card's retry limits (3, 5, 3).
pub fn my_number_contents() -> CardContents {
    my_number_contents_with((3, 5, 3))
}

/// A card of [`my_number_contents`].
pub fn my_number_card() -> SimCard {
    SimCard::new(my_number_contents()).unwrap()
}

/// A My Number card issued without a signature certificate (e.g. a holder under 15).
pub fn auth_only_card() -> SimCard {
    let mut contents = my_number_contents();
    contents.signature = None;
    SimCard::new(contents).unwrap()
}

/// A Juki card (signature key only, [`JUKI_PIN`]).
pub fn juki_contents() -> CardContents {
    CardContents {
        profile: CardProfile::Juki,
        authentication: None,
        signature: Some(key_contents(5, 4, PinKind::JukiSignature, JUKI_PIN, 5)),
        text_support: None,
    }
}

/// A fresh, empty directory for card files, removed when dropped.
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for TempDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh directory named after the process, the time and `name`.
pub fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!(
        "card-sim-test-{}-{}-{name}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// Tries left of the authentication PIN.
pub fn auth_tries(card: &SimCard) -> u8 {
    card.pin_counter(card_sim::PinRef::Authentication)
        .unwrap()
        .tries_left()
}

/// Takes a card opened from a file out of its simulator and opens the file again, as a reader
/// does after the card was pulled and put back: a card file is one simulator's at a time.
pub fn reopen(card: SimCard) -> SimCard {
    let path = card.path().expect("a card with a file").to_path_buf();
    drop(card);
    SimCard::open(path).unwrap()
}

/// Hex without spaces, upper case.
pub fn hx(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

/// Sends `capdu` (hex) and asserts the answer's status word (hex) — returns the data.
#[track_caller]
pub fn exchange(card: &mut SimCard, capdu: &str, sw: &str) -> Vec<u8> {
    let rapdu = card.process(&hx(capdu));
    assert!(rapdu.len() >= 2, "{capdu} → {}", hex::encode_upper(&rapdu));
    let (data, got) = rapdu.split_at(rapdu.len() - 2);
    assert_eq!(
        hex::encode_upper(got),
        sw.replace(' ', ""),
        "{capdu} → {}",
        hex::encode_upper(&rapdu)
    );
    data.to_vec()
}

/// Sends `capdu` (hex) and asserts the whole answer (hex).
#[track_caller]
pub fn exchange_exact(card: &mut SimCard, capdu: &str, rapdu: &str) {
    let got = card.process(&hx(capdu));
    assert_eq!(
        hex::encode_upper(&got),
        rapdu.replace([' ', '\n'], ""),
        "{capdu}"
    );
}

/// SELECT the JPKI AP (hex).
pub const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
/// SELECT the text-support AP (hex).
pub const SELECT_TEXT: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";

/// `"1234"` → `"31 32 33 34"` with Lc in front: `"04 31 32 33 34"`.
pub fn lc_ascii(s: &str) -> String {
    format!("{:02X} {}", s.len(), hex::encode_upper(s.as_bytes()))
}
