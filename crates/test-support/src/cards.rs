//! Test cards: seeded RSA-2048 keys, self-signed placeholder certificates (real DER, built with
//! rcgen from the same keys), holder data. Generated on first use and cached per process.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Mutex, OnceLock},
};

use card_sim::{
    CardContents, CardProfile, CommonContents, FourFacts, KeyContents, MfObjects, MyNumber, Sex,
    SimCard, TextSupportContents, TextSupportRecords, VerificationContents, VisualContents,
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
/// The test My Number (valid check digit), also 照合番号A.
pub const MY_NUMBER: &str = "123456789018";
/// The test holder's birth date 1990-01-01 as the birth-date key (平成2年 → `020101`).
pub const BIRTH_KEY: &str = "020101";
/// The security code printed on the test card's face.
pub const SECURITY_CODE: &str = "2285";
/// 照合番号B of the test card: birth `020101` + expiry year `2035` + security code.
pub const NUMBER_B: &str = "02010120352285";
/// 住民基本台帳用 PIN of the test cards (共通カードAP and 住基AP `001C`).
pub const COMMON_PIN: &str = "4321";
/// The test card's serial (共通 EF `0001`).
pub const SERIAL: &str = "400000012719843";
/// The test card's municipality code (千代田区).
pub const MUNICIPALITY: &str = "13101";
/// The test card's expiry.
pub const EXPIRY: &str = "20350101";
/// The test card's 16-byte key reference (共通/住基 EF `0002`).
pub const KEY_REFERENCE: [u8; 16] = *b"KEYREF-TEST-0001";
/// MF GET DATA `00F7` of the test card (synthetic: the card never checks the chain).
pub const MF_ISSUER_KEY_ID: [u8; 16] = *b"9000012\x08\x05001\0\0\0\0";

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
    "--municipality-code",
    "13101",
    "--city",
    "Chiyoda-ku",
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

/// Key and certificate number `seed` (1 auth, 2 sign, 3 CA-auth, 4 CA-sign, 5 Juki,
/// 6 text-support card key, 7 visual card key, 8 共通 internal-authentication key).
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
            records: Some(text_records()),
        }),
        visual: Some(visual_contents()),
        common: Some(common_contents()),
        verification: Some(verification_contents()),
    }
}

/// A synthetic record: `header`, then `fill` up to `len` bytes in all (the card serves
/// record bytes as given; it never parses them).
pub fn record(header: &[u8], len: usize, fill: u8) -> Vec<u8> {
    let mut out = header.to_vec();
    out.resize(len, fill);
    out
}

/// Synthetic 入力補助AP records (card-map §4 sizes and headers), key 6.
pub fn text_records() -> TextSupportRecords {
    TextSupportRecords {
        integrity: record(&[0xFF, 0x30, 0x82, 0x01, 0x4B], 336, 0x33),
        cv_certificate: record(&[0x7F, 0x21, 0x82, 0x02, 0x33], 568, 0x44),
        basic_info: record(
            &[0xFF, 0x40, 0x81, 0x9C, 0xDF, 0x41, 0x04, 1, 3, 0x0E, 1],
            256,
            0xFF,
        ),
        session_key: record(&[0xA1, 0x82, 0x01, 0x09, 0x90, 0x03, 1, 0, 1], 269, 0x66),
        signed_key: record(&[0xFF, 0x50, 0x82, 0x02, 0x13], 536, 0x77),
        card_key: key(6).key.clone(),
    }
}

/// Synthetic 確認AP records (card-map §5 headers), key 7.
pub fn visual_contents() -> VisualContents {
    VisualContents {
        age_record: record(&[0xFF, 0x10, 0x82, 0x02, 0x1E], 547, 0xA1),
        card_face: record(&[0xFF, 0x20, 0x82, 0x04, 0x00], 1029, 0xA2),
        basic_info: record(&[0xFF, 0x30, 0x82, 0x01, 0x3C], 320, 0xA3),
        cv_certificate: record(&[0x7F, 0x21, 0x82, 0x02, 0x33], 568, 0xA4),
        my_number_image: record(&[0xFF, 0x40, 0x82, 0x02, 0x00], 517, 0xA5),
        card_key: key(7).key.clone(),
    }
}

/// The test 共通カードAP/住基AP, key 8, both `001C` = [`COMMON_PIN`] with 3 tries.
pub fn common_contents() -> CommonContents {
    let pin = || Pin::new(PinKind::ResidentRegistry, COMMON_PIN.as_bytes()).unwrap();
    CommonContents {
        serial: SERIAL.to_owned(),
        municipality: MUNICIPALITY.to_owned(),
        expiry: EXPIRY.to_owned(),
        key_reference: KEY_REFERENCE,
        internal_auth_key: key(8).key.clone(),
        common_pin: pin(),
        juki_pin: pin(),
        retry_limit: 3,
        mf_objects: Some(mf_objects()),
    }
}

/// Synthetic MF objects (card-map §2 sizes and headers): `00F7` [`MF_ISSUER_KEY_ID`], `00F8`
/// 563 B `5F 4E 82 01 29` …, `7F21` 568 B `7F 21 82 02 33` ….
pub fn mf_objects() -> MfObjects {
    MfObjects {
        issuer_key_id: MF_ISSUER_KEY_ID,
        root_certificate: record(&[0x5F, 0x4E, 0x82, 0x01, 0x29], 563, 0xF8),
        card_certificate: record(&[0x7F, 0x21, 0x82, 0x02, 0x33], 568, 0x21),
    }
}

/// The test card's 照合番号B, birth-date key and security code, 10 tries each.
pub fn verification_contents() -> VerificationContents {
    VerificationContents {
        number_b: Pin::new(PinKind::VerificationB, NUMBER_B.as_bytes()).unwrap(),
        birth_date: Pin::new(PinKind::BirthDate, BIRTH_KEY.as_bytes()).unwrap(),
        retry_limit: 10,
        security_code: SECURITY_CODE.to_owned(),
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

/// A Juki card (signature key only, [`JUKI_PIN`]; the 共通カードAP and 住基AP of
/// [`common_contents`]).
pub fn juki_contents() -> CardContents {
    CardContents {
        profile: CardProfile::Juki,
        authentication: None,
        signature: Some(key_contents(5, 4, PinKind::JukiSignature, JUKI_PIN, 5)),
        text_support: None,
        visual: None,
        common: Some(common_contents()),
        verification: None,
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

impl TempDir {
    /// Writes `data` to the file `name` in the directory and returns its path as a string (for
    /// a command's arguments).
    pub fn write(&self, name: &str, data: &[u8]) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, data).unwrap();
        p.to_str().unwrap().to_owned()
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

/// VERIFY `00 20 00 80|SFI` of `value` (ASCII) on the key EF named by SFI `sfi` of the
/// current AP (card-map §1), expecting `sw`.
pub fn verify_sfi(card: &mut SimCard, sfi: u8, value: &str, sw: &str) {
    exchange(
        card,
        &format!("00 20 00 {:02X} {}", 0x80 | sfi, lc_ascii(value)),
        sw,
    );
}

/// READ BINARY by SFI `sfi` from offset 0 with Le `00` (card-map §1: the EF becomes current),
/// expecting `sw`; the data read.
pub fn read_sfi(card: &mut SimCard, sfi: u8, sw: &str) -> Vec<u8> {
    exchange(card, &format!("00 B0 {:02X} 00 00", 0x80 | sfi), sw)
}

/// SELECT the JPKI AP (hex).
pub const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
/// SELECT the text-support AP (hex).
pub const SELECT_TEXT: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";

/// `"1234"` → `"31 32 33 34"` with Lc in front: `"04 31 32 33 34"`.
pub fn lc_ascii(s: &str) -> String {
    format!("{:02X} {}", s.len(), hex::encode_upper(s.as_bytes()))
}
