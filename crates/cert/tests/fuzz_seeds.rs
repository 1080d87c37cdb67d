//! The next-generation seeds of the fuzz targets `cert_parse` and `ng_parse`
//! (fuzz/seeds/<target>/seed-ng-*): P-384 CA, end-entity certificates and CRL, and a
//! card-authentication certificate, from fixed seeds. Every test pass checks that the committed
//! seeds are still what cert parses as P-384; `JPKI_WRITE_FUZZ_SEEDS=1 cargo test -p cert --test
//! fuzz_seeds` (re)writes them.

use std::path::PathBuf;

use cert::time::Duration;
use cert::time::macros::datetime;
use cert::{
    Algorithm, CardAuthCertificate, CardAuthenticationAuthority, CardAuthenticationRequest, Crl,
    CrlRequest, CrlScope, Hierarchy, JpkiCertificate, Revocation, RevocationReason, Serial,
};
use test_support::fixtures::REFERENCE_TIME;

#[path = "support/ng.rs"]
mod ng;

/// (target, file name, DER) of every next-generation seed.
fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let sign_ca = ng::ng_ca(Hierarchy::Signature, 1);
    let auth_ca = ng::ng_ca(Hierarchy::Authentication, 2);
    let sign = ng::ng_sign(&sign_ca, &ng::card_public(11), 0x3001, None).unwrap();
    let auth = ng::ng_auth(&auth_ca, &ng::card_public(12), 0x3002, None).unwrap();
    let request = CrlRequest {
        this_update: REFERENCE_TIME,
        next_update: Some(REFERENCE_TIME + Duration::days(1)),
        crl_number: 7,
        scope: CrlScope::Partition(sign.crl_distribution_point().unwrap().clone()),
    };
    let entries = [
        (0x3001, Some(RevocationReason::KeyCompromise)),
        (0x3005, None),
    ]
    .map(|(serial, reason)| Revocation {
        serial: Serial::from(serial),
        revoked_at: REFERENCE_TIME - Duration::days(1),
        reason,
    });
    let crl = sign_ca.issue_crl(&request, entries).unwrap();
    let card_ca = CardAuthenticationAuthority::create(
        Serial::from(0x0D00_0001),
        datetime!(2025-04-01 00:00:00 UTC),
        datetime!(2045-03-31 14:59:59 UTC),
        ng::card_key(21),
    )
    .unwrap();
    let card_key = ng::card_key(22).public_key();
    let card_cert = card_ca
        .issue(&CardAuthenticationRequest {
            serial: Serial::from(0x4001),
            card_serial: "0123456789ABCDEF",
            public_key: &card_key,
            not_before: datetime!(2025-06-02 01:23:45 UTC),
            not_after: datetime!(2035-08-20 14:59:59 UTC),
        })
        .unwrap();
    vec![
        (
            "cert_parse",
            "seed-ng-sign-ca.der",
            sign_ca.certificate().der().to_vec(),
        ),
        ("cert_parse", "seed-ng-sign-ee.der", sign.der().to_vec()),
        ("cert_parse", "seed-ng-auth-ee.der", auth.der().to_vec()),
        ("cert_parse", "seed-ng-sign.crl", crl),
        (
            "ng_parse",
            "seed-ng-card-auth-ca.der",
            card_ca.certificate().der().to_vec(),
        ),
        (
            "ng_parse",
            "seed-ng-card-auth.der",
            card_cert.der().to_vec(),
        ),
    ]
}

fn seed_path(target: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target)
        .join(name)
}

#[test]
fn the_committed_ng_seeds_parse_as_p384() {
    let write = std::env::var_os("JPKI_WRITE_FUZZ_SEEDS").is_some();
    for (target, name, der) in seeds() {
        let path = seed_path(target, name);
        if write {
            std::fs::write(&path, &der).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (JPKI_WRITE_FUZZ_SEEDS=1 writes it)",
                path.display()
            )
        });
        match (target, name.ends_with(".crl")) {
            ("cert_parse", false) => {
                let c = JpkiCertificate::from_der(&committed).unwrap();
                assert_eq!(c.algorithm(), Algorithm::EcdsaP384, "{name}");
                assert_eq!(c.signature_algorithm(), Algorithm::EcdsaP384, "{name}");
            }
            ("cert_parse", true) => {
                let crl = Crl::from_der(&committed).unwrap();
                assert_eq!(crl.signature_algorithm(), Algorithm::EcdsaP384);
                assert_eq!(crl.len(), 2);
            }
            _ => {
                let c = CardAuthCertificate::from_der(&committed).unwrap();
                assert_eq!(c.der(), committed.as_slice());
            }
        }
    }
}
