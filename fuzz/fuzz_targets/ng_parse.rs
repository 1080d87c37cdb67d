//! The next-generation parsers on any bytes: the card-authentication certificate
//! (`cert::CardAuthCertificate::from_der`), and the client's EF `0009` / EF `0006` parsers, the
//! certificate-key walk and the `r ‖ s` check of a card's signature (jpki-applet). Ok or a
//! typed error, never a panic; a parsed certificate keeps exactly the bytes it was given.
#![no_main]

use jpki_applet::next_gen::{certificate_p384_key, verified_der_signature};
use jpki_applet::{NgProfile, NgTokenInfo};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = cert::CardAuthCertificate::from_der(data) {
        assert_eq!(c.der(), data);
        assert!(c.public_key().p384().is_some(), "a card-auth key is P-384");
    }
    if let Ok(p) = NgProfile::parse(data) {
        assert_eq!(
            p.version, 1,
            "NG-sim v1 is the only version this client knows"
        );
    }
    if let Ok(t) = NgTokenInfo::parse(data) {
        assert!(t.label.len() <= 32);
    }
    if let Ok(key) = certificate_p384_key(data) {
        // Whatever key a certificate yields, 96 bytes of the input are checked against it
        // (r, s in range, then the signature), never trusted.
        if let (Some(raw), Some(hash)) = (data.get(..96), data.get(data.len().saturating_sub(48)..))
        {
            let _ = verified_der_signature(raw, hash, &key);
        }
    }
    // r ‖ s parsing on its own: the first 96 bytes against a fixed key and hash.
    let _ = verified_der_signature(data, &[0x5A; 48], &fixed_key());
});

/// A fixed P-384 key (the scalar 7…7), made once.
fn fixed_key() -> p384::ecdsa::VerifyingKey {
    static KEY: std::sync::OnceLock<p384::ecdsa::VerifyingKey> = std::sync::OnceLock::new();
    *KEY.get_or_init(|| {
        *p384::ecdsa::SigningKey::from_slice(&[7; 48])
            .expect("a valid scalar")
            .verifying_key()
    })
}
