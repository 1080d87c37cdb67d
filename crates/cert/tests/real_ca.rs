//! The six real J-LIS CA certificates (crates/jpki-tool/anchors, the trust anchors jpki-tool builds in): parse, fingerprints, self-signatures,
//! and agreement of our issuing profile with the real one.

use std::path::PathBuf;

use cert::name::{ca_alt_name, ca_name};
use cert::time::macros::datetime;
use cert::{CertKind, Environment, Error, Hierarchy, JpkiCertificate, TrustAnchors};

fn real_ca_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../jpki-tool/anchors")
}

/// (file, hierarchy, serial, notAfter, SHA-256) from J-LIS's publication (crates/jpki-tool/anchors/README.md).
const REAL: [(&str, Hierarchy, &str, &str); 6] = [
    (
        "signca01.pem",
        Hierarchy::Signature,
        "01",
        "19645405A1FE14377434BD55957628AC4038557C542403A2243F21C706FC9355",
    ),
    (
        "signca02.pem",
        Hierarchy::Signature,
        "0132C4AB",
        "79679C33E4CC9319440F1AD120A597FF1844E2EF217063ADB176966FD5E6FBEB",
    ),
    (
        "signca03.pem",
        Hierarchy::Signature,
        "067C6A21",
        "D227F6CDE11D35C5252178F106F843D24651944975413B539FA2FB68DBFA365F",
    ),
    (
        "authca01.pem",
        Hierarchy::Authentication,
        "01",
        "4DCFC4CA0AAF9FB2A3081B3F0C991C320B3ACC008667A341EEAEC5AF1D58CA7D",
    ),
    (
        "authca02.pem",
        Hierarchy::Authentication,
        "0133C349",
        "0D98DE47FC11B7F67126874B7028B6026A803D2638D6EDFE53176953961FADE6",
    ),
    (
        "authca03.pem",
        Hierarchy::Authentication,
        "06D18006",
        "64114F29620C24ED2631D46476A040E7EE740D956089C00B036A6A8118C322B5",
    ),
];

fn load(file: &str) -> (Vec<u8>, JpkiCertificate) {
    let pem = std::fs::read_to_string(real_ca_dir().join(file)).unwrap();
    let cert = JpkiCertificate::from_pem(&pem).unwrap();
    (cert.der().to_vec(), cert)
}

#[test]
fn all_six_parse_with_published_fingerprints_and_serials() {
    for (file, hierarchy, serial, fingerprint) in REAL {
        let (_, cert) = load(file);
        let expected = hex::decode(fingerprint.replace(' ', "")).unwrap();
        assert_eq!(cert.fingerprint_sha256().to_vec(), expected, "{file}");
        assert_eq!(cert.kind(), CertKind::Ca(hierarchy), "{file}");
        assert_eq!(cert.environment(), Environment::Production, "{file}");
        assert_eq!(cert.serial().to_string(), serial, "{file}");
        assert!(
            cert.authority_key_id().is_none(),
            "{file}: real CAs carry no AKI"
        );
    }
}

#[test]
fn self_signatures_verify_and_generations_do_not_cross_verify() {
    let certs: Vec<_> = REAL.iter().map(|(f, ..)| load(f).1).collect();
    for (i, a) in certs.iter().enumerate() {
        for (j, b) in certs.iter().enumerate() {
            let result = a.verify_signed_by(b);
            if i == j {
                result.unwrap();
            } else {
                assert!(matches!(result, Err(Error::BadSignature)), "{i} by {j}");
            }
        }
    }
}

#[test]
fn validity_matches_the_published_table() {
    let (_, c3) = load("signca03.pem");
    assert_eq!(c3.not_after(), datetime!(2033-07-15 14:59:59 UTC));
    let (_, a1) = load("authca01.pem");
    assert_eq!(a1.not_after(), datetime!(2025-10-19 14:59:59 UTC));
    assert!(
        a1.check_validity_at(datetime!(2026-01-01 00:00:00 UTC))
            .is_err()
    );
    c3.check_validity_at(datetime!(2026-01-01 00:00:00 UTC))
        .unwrap();
}

#[test]
fn our_ski_method_and_names_match_the_real_cas() {
    for (file, hierarchy, ..) in REAL {
        let (der, cert) = load(file);
        let ski = cert::issue::key_identifier(cert.public_key()).unwrap();
        assert_eq!(
            cert.subject_key_id(),
            Some(&ski[..]),
            "{file}: SKI = SHA-1 of the key"
        );
        // Byte-exact: the names we write occur verbatim in the real certificate.
        for name in [
            ca_name(hierarchy, Environment::Production),
            ca_alt_name(hierarchy),
        ] {
            let bytes = name.to_der();
            assert!(
                der.windows(bytes.len()).any(|w| w == bytes),
                "{file}: {name} not found verbatim"
            );
        }
    }
}

#[test]
fn trust_anchors_accept_all_generations_and_refuse_them_as_end_entities() {
    let mut anchors = TrustAnchors::new();
    for (file, ..) in REAL {
        anchors.add(load(file).1).unwrap();
    }
    assert_eq!(anchors.anchors().len(), 6);
    let (_, c2) = load("signca02.pem");
    assert!(matches!(
        anchors.verify(
            &c2,
            datetime!(2026-01-01 00:00:00 UTC),
            cert::RevocationCheck::NotChecked
        ),
        Err(Error::WrongKind { .. })
    ));
}

#[test]
fn our_ca_extensions_are_byte_identical_to_the_real_ones() {
    use cert::time::macros::date;
    use cert::{CaRequest, CertificateAuthority, Serial, validity};
    use x509_cert::der::{Decode, Encode};

    // keyUsage (critical, keyCertSign + cRLSign: 03 02 01 06), subjectAltName (directoryName),
    // basicConstraints (critical, cA TRUE) and cRLDistributionPoints (directoryName) do not
    // depend on the key: our CA writer must write exactly the real bytes. (Only the SKI, derived from the key, differs; its method is checked above.)
    const SAME: [&str; 4] = ["2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.31"];
    for (file, hierarchy, ..) in REAL {
        let (der, _) = load(file);
        let ours = CertificateAuthority::create(
            &CaRequest {
                hierarchy,
                environment: Environment::Production,
                serial: Serial::from(0x0A00_0001),
                not_before: datetime!(2017-04-01 00:00:00 UTC),
                not_after: validity::end_of_day_jst(date!(2037 - 03 - 31)),
            },
            test_support::keys::generate_seeded_key(1).unwrap(),
        )
        .unwrap();
        let real = x509_cert::Certificate::from_der(&der).unwrap();
        let exts = real.tbs_certificate().extensions().unwrap();
        for id in SAME {
            let ext = exts
                .iter()
                .find(|e| e.extn_id.to_string() == id)
                .unwrap_or_else(|| panic!("{file}: no {id}"));
            let bytes = ext.to_der().unwrap();
            assert!(
                ours.certificate()
                    .der()
                    .windows(bytes.len())
                    .any(|w| w == bytes),
                "{file}: our {id} differs from the real one"
            );
        }
    }
    // The key usage bits as the real CAs encode them.
    let ku = [0x03, 0x02, 0x01, 0x06];
    let (der, _) = load("signca03.pem");
    assert!(der.windows(4).any(|w| w == ku));
}
