//! Hand-built next-generation certificates the parser and verifier must refuse: other curves,
//! explicit parameters, compressed points, algorithm mismatches, and a mixed chain (an RSA-2048
//! end entity signed by the P-384 CA under the shared name).

use cert::{Algorithm, Error, Hierarchy, JpkiCertificate, RevocationCheck, TrustAnchors};
use p384::ecdsa::{DerSignature, SigningKey};
use signature::Signer;
use test_support::fixtures::{self, REFERENCE_TIME};

#[path = "support/ng.rs"]
mod ng;

/// The raw TLVs in `content` (short and long definite lengths).
fn tlvs(mut content: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let first = content[1];
        let (len, head) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7F);
            let len = content[2..2 + n]
                .iter()
                .fold(0usize, |a, b| a * 256 + usize::from(*b));
            (len, 2 + n)
        };
        out.push(content[..head + len].to_vec());
        content = &content[head + len..];
    }
    out
}

fn content(tlv: &[u8]) -> &[u8] {
    let first = tlv[1];
    if first < 0x80 {
        &tlv[2..]
    } else {
        &tlv[2 + usize::from(first & 0x7F)..]
    }
}

fn wrap(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = u16::try_from(content.len()).unwrap();
    let [hi, lo] = len.to_be_bytes();
    match len {
        0..0x80 => out.push(lo),
        0x80..0x100 => out.extend_from_slice(&[0x81, lo]),
        _ => out.extend_from_slice(&[0x82, hi, lo]),
    }
    out.extend_from_slice(content);
    out
}

/// `(tbs fields, outer algorithm, signature)` of a certificate.
fn split(der: &[u8]) -> (Vec<Vec<u8>>, Vec<u8>, Vec<u8>) {
    let outer = tlvs(content(der));
    (tlvs(content(&outer[0])), outer[1].clone(), outer[2].clone())
}

fn join(tbs: &[Vec<u8>], alg: &[u8], sig: &[u8]) -> Vec<u8> {
    let tbs = wrap(0x30, &tbs.concat());
    wrap(0x30, &[tbs, alg.to_vec(), sig.to_vec()].concat())
}

const SPKI: usize = 6;
const TBS_ALG: usize = 2;

fn ng_cert() -> JpkiCertificate {
    let ca = ng::ng_ca(Hierarchy::Authentication, 2);
    ng::ng_auth(&ca, &ng::card_public(12), 0x3002, None).unwrap()
}

fn ec_spki(curve_oid: &[u8], point: &[u8]) -> Vec<u8> {
    let alg = wrap(
        0x30,
        &[
            wrap(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]),
            curve_oid.to_vec(),
        ]
        .concat(),
    );
    let bits = wrap(0x03, &[&[0u8][..], point].concat());
    wrap(0x30, &[alg, bits].concat())
}

fn with_spki(spki: Vec<u8>) -> Result<JpkiCertificate, Error> {
    let (mut tbs, alg, sig) = split(ng_cert().der());
    tbs[SPKI] = spki;
    JpkiCertificate::from_der(&join(&tbs, &alg, &sig))
}

#[test]
fn the_ng_certificate_itself_parses() {
    let (tbs, alg, sig) = split(ng_cert().der());
    let c = JpkiCertificate::from_der(&join(&tbs, &alg, &sig)).unwrap();
    assert_eq!(c.algorithm(), Algorithm::EcdsaP384);
}

#[test]
fn other_curves_explicit_parameters_and_compressed_points_are_refused() {
    let p256 = wrap(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]);
    let p521 = wrap(0x06, &[0x2B, 0x81, 0x04, 0x00, 0x23]);
    let p384 = wrap(0x06, &[0x2B, 0x81, 0x04, 0x00, 0x22]);
    let point65 = [&[4u8][..], &[1u8; 64][..]].concat();
    let point133 = [&[4u8][..], &[1u8; 132][..]].concat();
    for (spki, what) in [
        (ec_spki(&p256, &point65), "P-256"),
        (ec_spki(&p521, &point133), "P-521"),
    ] {
        let err = with_spki(spki).unwrap_err();
        assert!(
            matches!(err, Error::UnsupportedCurve { .. }),
            "{what}: {err}"
        );
    }
    // specifiedCurve (explicit parameters): a SEQUENCE where the named curve belongs.
    let explicit = wrap(0x30, &[wrap(0x02, &[1]), wrap(0x30, &p384)].concat());
    let good_point = ng::card_key(12).public_key().to_sec1_bytes().into_vec();
    let err = with_spki(ec_spki(&explicit, &good_point)).unwrap_err();
    assert!(matches!(err, Error::BadEcParameters { .. }), "{err}");
    // A compressed point on the right curve.
    let compressed = [&[2u8][..], &good_point[1..49]].concat();
    let err = with_spki(ec_spki(&p384, &compressed)).unwrap_err();
    assert!(matches!(err, Error::BadEcParameters { .. }), "{err}");
    // The same key uncompressed is accepted.
    with_spki(ec_spki(&p384, &good_point)).unwrap();
}

#[test]
fn algorithm_mismatches_and_parameters_on_ecdsa_are_refused() {
    let (mut tbs, alg, sig) = split(ng_cert().der());
    let rsa_alg = wrap(
        0x30,
        &[
            wrap(0x06, cert::oid::SHA256_WITH_RSA.as_bytes()),
            vec![0x05, 0x00],
        ]
        .concat(),
    );
    // TBS says RSA, outer says ECDSA.
    let ecdsa_tbs = std::mem::replace(&mut tbs[TBS_ALG], rsa_alg.clone());
    let err = JpkiCertificate::from_der(&join(&tbs, &alg, &sig)).unwrap_err();
    assert!(matches!(err, Error::AlgorithmMismatch), "{err}");
    // ecdsa-with-SHA384 with NULL parameters in both places.
    let with_null = wrap(
        0x30,
        &[content(&ecdsa_tbs).to_vec(), vec![0x05, 0x00]].concat(),
    );
    tbs[TBS_ALG] = with_null.clone();
    let err = JpkiCertificate::from_der(&join(&tbs, &with_null, &sig)).unwrap_err();
    assert!(matches!(err, Error::BadEcParameters { .. }), "{err}");
    // ecdsa-with-SHA256 is not the profile's.
    let sha256 = wrap(
        0x30,
        &wrap(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]),
    );
    tbs[TBS_ALG] = sha256.clone();
    let err = JpkiCertificate::from_der(&join(&tbs, &sha256, &sig)).unwrap_err();
    assert!(matches!(err, Error::UnsupportedAlgorithm { .. }), "{err}");
}

#[test]
fn an_rsa_end_entity_signed_by_the_p384_ca_is_a_mixed_chain_and_refused() {
    // The P-384 signature CA (seed 1, as support/ng.rs) signs a copy of the fixture RSA
    // signature certificate: same issuer name, RSA key, ecdsa-with-SHA384 signature.
    let set = fixtures::build().unwrap();
    let ng_ca = ng::ng_ca(Hierarchy::Signature, 1);
    let rsa_cert = &set.my_number_sign.certificate;
    let (mut tbs, _, _) = split(rsa_cert.der());
    let ecdsa_alg = wrap(0x30, &wrap(0x06, cert::oid::ECDSA_WITH_SHA384.as_bytes()));
    tbs[TBS_ALG] = ecdsa_alg.clone();
    let tbs_der = wrap(0x30, &tbs.concat());
    let key = SigningKey::from(ng::card_key(1));
    let sig: DerSignature = key.sign(&tbs_der);
    let bits = wrap(0x03, &[&[0u8][..], sig.as_bytes()].concat());
    let mixed = JpkiCertificate::from_der(&join(&tbs, &ecdsa_alg, &bits)).unwrap();
    assert_eq!(mixed.algorithm(), Algorithm::Rsa2048);
    assert_eq!(mixed.signature_algorithm(), Algorithm::EcdsaP384);
    mixed.verify_signed_by(ng_ca.certificate()).unwrap();
    // The RSA CA's key cannot have signed it: the algorithm says P-384.
    let err = mixed
        .verify_signed_by(set.sign_ca.certificate())
        .unwrap_err();
    assert!(matches!(err, Error::KeyAlgorithmMismatch { .. }), "{err}");

    let mut anchors = TrustAnchors::new();
    anchors.add(set.sign_ca.certificate().clone()).unwrap();
    anchors.add(ng_ca.certificate().clone()).unwrap();
    let err = anchors
        .verify(&mixed, REFERENCE_TIME, RevocationCheck::NotChecked)
        .unwrap_err();
    assert!(matches!(err, Error::MixedAlgorithms { .. }), "{err}");
    assert!(err.to_string().contains("mixing algorithms"), "{err}");
}

#[test]
fn a_high_s_signature_verifies_as_rfc_5758_allows() {
    use p384::ecdsa::Signature;
    use p384::elliptic_curve::ff::PrimeField;
    let ca = ng::ng_ca(Hierarchy::Authentication, 2);
    let (tbs, alg, _) = split(ng_cert().der());
    let tbs_der = wrap(0x30, &tbs.concat());
    let sig: Signature = SigningKey::from(ng::card_key(2)).sign(&tbs_der);
    let (r, s) = sig.split_scalars();
    let flipped = Signature::from_scalars(r.to_repr(), (-*s).to_repr()).unwrap();
    // Exactly one of the two is the low-s form.
    assert_ne!(sig.normalize_s() == sig, flipped.normalize_s() == flipped);
    for candidate in [sig, flipped] {
        let der_sig = candidate.to_der();
        let bits = wrap(0x03, &[&[0u8][..], der_sig.as_bytes()].concat());
        let c = JpkiCertificate::from_der(&join(&tbs, &alg, &bits)).unwrap();
        c.verify_signed_by(ca.certificate()).unwrap();
    }
}
