//! Our certificates against the real profile, at the DER level (issue #17 point 2 and the CN
//! formats of point 3): our CAs against each real J-LIS CA (crates/jpki-tool/anchors), our end
//! entities against structural fixtures of real end-entity certificates (`fixture.rs`,
//! synthetic values). Both are reduced to a shape (`shape.rs`) and compared.

mod fixture;
mod shape;

use std::path::PathBuf;

use cert::time::OffsetDateTime;
use cert::time::macros::datetime;
use cert::{
    AuthenticationCommonName, AuthenticationRequest, CaRequest, CertificateAuthority, Environment,
    Hierarchy, Holder, JpkiCertificate, Municipality, Serial, SignatureCommonName,
    SignatureRequest, WindowId, validity,
};
use shape::{assert_same_shape, shape};
use x509_cert::der::{Decode, Encode};

/// The one place the tests build a municipality (its type is gaining the 団体コード).
fn municipality() -> Municipality {
    Municipality::new(CODE, "Chiyoda-ku").unwrap()
}

const CODE: &str = "13101";
const ISSUED: OffsetDateTime = datetime!(2025-06-02 01:23:45 UTC);

fn real_ca(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../jpki-tool/anchors");
    let pem = std::fs::read_to_string(path.join(file)).unwrap();
    JpkiCertificate::from_pem(&pem).unwrap().der().to_vec()
}

const REAL_CAS: [(&str, Hierarchy); 6] = [
    ("signca01.pem", Hierarchy::Signature),
    ("signca02.pem", Hierarchy::Signature),
    ("signca03.pem", Hierarchy::Signature),
    ("authca01.pem", Hierarchy::Authentication),
    ("authca02.pem", Hierarchy::Authentication),
    ("authca03.pem", Hierarchy::Authentication),
];

/// Our CA with the real one's hierarchy and notBefore, a 4-byte serial from the shared counter
/// (the real second-generation authentication CA's), and notAfter by `validity::ca_not_after`.
fn our_ca(hierarchy: Hierarchy, not_before: OffsetDateTime, seed: u64) -> CertificateAuthority {
    CertificateAuthority::create(
        &CaRequest {
            hierarchy,
            environment: Environment::Production,
            serial: Serial::from(0x0133_C349),
            not_before,
            not_after: validity::ca_not_after(validity::jst_date(not_before), 10).unwrap(),
        },
        test_support::keys::generate_seeded_key(seed).unwrap(),
    )
    .unwrap()
}

#[test]
fn our_ca_has_the_shape_of_each_real_ca() {
    for (file, hierarchy) in REAL_CAS {
        let real = real_ca(file);
        let parsed = JpkiCertificate::from_der(&real).unwrap();
        let ours = our_ca(hierarchy, parsed.not_before(), 11);
        // The helper reproduces each real CA's notAfter from its notBefore.
        assert_eq!(ours.certificate().not_after(), parsed.not_after(), "{file}");
        let mut real_shape = shape(&real);
        if file.ends_with("01.pem") {
            // The first generation (2015) has serial 01; later ones use the 4-byte counter.
            assert_eq!(real_shape[1], "serial 1 bytes");
            real_shape[1] = "serial 4 bytes".into();
        }
        assert_same_shape(&shape(ours.certificate().der()), &real_shape, file);
    }
}

fn tbs_parts(der: &[u8]) -> x509_cert::TbsCertificate {
    x509_cert::Certificate::from_der(der)
        .unwrap()
        .tbs_certificate()
        .clone()
}

#[test]
fn our_ca_matches_the_real_ones_byte_for_byte_where_the_content_is_the_same() {
    for (file, hierarchy) in REAL_CAS {
        let der = real_ca(file);
        let not_before = JpkiCertificate::from_der(&der).unwrap().not_before();
        let real = tbs_parts(&der);
        let ours = tbs_parts(our_ca(hierarchy, not_before, 12).certificate().der());
        // The whole validity (UTCTime both, same instants), names, algorithm.
        assert_eq!(
            ours.validity().to_der().unwrap(),
            real.validity().to_der().unwrap(),
            "{file}: validity"
        );
        assert_eq!(ours.issuer(), real.issuer(), "{file}: issuer");
        assert_eq!(ours.subject(), real.subject(), "{file}: subject");
        assert_eq!(ours.signature(), real.signature(), "{file}: algorithm");
        // KU, SAN, BC, CRLDP: the same extension, byte for byte, at the same index; the SKI
        // (last) depends on the key.
        let (o, r) = (ours.extensions().unwrap(), real.extensions().unwrap());
        assert_eq!(o.len(), 5, "{file}");
        assert_eq!(r.len(), 5, "{file}");
        for i in 0..4 {
            assert_eq!(
                o[i].to_der().unwrap(),
                r[i].to_der().unwrap(),
                "{file}: extension {i} ({})",
                r[i].extn_id
            );
        }
        assert_eq!(o[4].extn_id, r[4].extn_id);
        assert_eq!(o[4].critical, r[4].critical);
    }
}

fn holder() -> Holder {
    Holder {
        municipality: municipality(),
        ..test_support::fixtures::holder()
    }
}

fn sign_ca() -> CertificateAuthority {
    our_ca(Hierarchy::Signature, datetime!(2023-07-16 00:50:27 UTC), 21)
}

fn auth_ca() -> CertificateAuthority {
    our_ca(
        Hierarchy::Authentication,
        datetime!(2023-07-16 01:01:04 UTC),
        22,
    )
}

fn our_signature_certificate() -> JpkiCertificate {
    let key = test_support::keys::generate_seeded_key(23).unwrap();
    let window = WindowId::new(CODE, 1).unwrap();
    sign_ca()
        .issue_signature(&SignatureRequest {
            serial: Serial::from(0x06BF_C341),
            public_key: &cert::SubjectKey::from(key.as_public_key()),
            not_before: ISSUED,
            not_after: validity::end_of_day_jst(cert::time::macros::date!(2030 - 08 - 20)),
            holder: &holder(),
            common_name: SignatureCommonName::new(ISSUED, 1, &window).unwrap(),
        })
        .unwrap()
}

fn our_authentication_certificate() -> JpkiCertificate {
    let key = test_support::keys::generate_seeded_key(24).unwrap();
    auth_ca()
        .issue_authentication(&AuthenticationRequest {
            serial: Serial::from(0x018C_453E),
            public_key: &cert::SubjectKey::from(key.as_public_key()),
            not_before: ISSUED,
            not_after: validity::end_of_day_jst(cert::time::macros::date!(2030 - 08 - 20)),
            municipality: &municipality(),
            common_name: AuthenticationCommonName::new(ISSUED, 1, CODE).unwrap(),
        })
        .unwrap()
}

#[test]
fn our_signature_certificate_has_the_real_shape() {
    let ours = our_signature_certificate();
    assert_same_shape(
        &shape(ours.der()),
        &shape(&fixture::signature_certificate()),
        "signature certificate",
    );
    assert_eq!(
        ours.subject().to_string(),
        "C=JP, L=Tokyo-to, L=Chiyoda-ku, CN=2025060210234500001131010001"
    );
}

#[test]
fn our_authentication_certificate_has_the_real_shape() {
    let ours = our_authentication_certificate();
    assert_same_shape(
        &shape(ours.der()),
        &shape(&fixture::authentication_certificate()),
        "authentication certificate",
    );
    assert_eq!(
        ours.subject().to_string(),
        "C=JP, CN=2506021023000113101003A"
    );
}

#[test]
fn the_fixtures_parse_as_jpki_certificates() {
    // The hand-assembled fixtures are valid profile certificates apart from the signature.
    let sign = JpkiCertificate::from_der(&fixture::signature_certificate()).unwrap();
    assert_eq!(sign.kind(), cert::CertKind::Signature);
    assert_eq!(
        sign.four_facts().unwrap().address.text().chars().count(),
        16
    );
    let auth = JpkiCertificate::from_der(&fixture::authentication_certificate()).unwrap();
    assert_eq!(auth.kind(), cert::CertKind::Authentication);
    AuthenticationCommonName::parse(auth.subject().common_name().unwrap()).unwrap();
    SignatureCommonName::parse(sign.subject().common_name().unwrap()).unwrap();
}

#[test]
fn the_shape_sees_order_lengths_and_kanji() {
    use fixture::{name, seq, tlv};
    let base = shape(&fixture::signature_certificate());
    // The old order (SAN before KU) is a different shape.
    let mut swapped = base.clone();
    swapped.swap(7, 8);
    assert_ne!(swapped, base);
    assert!(base[7].starts_with("extension 2.5.29.15 critical true"));
    assert!(base[8].starts_with("extension 2.5.29.17 critical false"));
    // A 27-character CN, a kanji L= and a 2-byte serial show.
    let subject = |l: &str, cn: &str| {
        let tbs = seq(&[
            tlv(0xA0, &[2, 1, 2]),
            tlv(0x02, &[1, 2]),
            seq(&[]),
            name(&[]),
            seq(&[]),
            name(&[("C", "JP"), ("L", l), ("CN", cn)]),
            seq(&[]),
            tlv(0xA3, &seq(&[])),
        ]);
        let lines = shape(&seq(&[tbs, seq(&[]), tlv(0x03, &[0])]));
        assert_eq!(lines[1], "serial 2 bytes");
        lines[5].clone()
    };
    assert_ne!(
        subject("Tokyo-to", "2025060210234500001131130001"),
        subject("東京都", "2025060210234500001131130001")
    );
    assert_ne!(
        subject("Tokyo-to", "2025060210234500001131130001"),
        subject("Tokyo-to", "202506021023450000113113000")
    );
    assert!(base[1] == "serial 4 bytes");
}
