//! Any bytes as a JPKI certificate and as a CRL: Ok or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cert::JpkiCertificate::from_der(data);
    let _ = cert::Crl::from_der(data);
});
