//! `CrlStore`: CRLs checked once at load (issuer by name, algorithm and AKI→SKI, signature,
//! freshness), then used by `TrustAnchors::verify` through `RevocationCheck::Store` without
//! re-verifying — with both generations' CAs under one name among the anchors.

use std::sync::LazyLock;

use cert::time::{Duration, OffsetDateTime};
use cert::{
    Algorithm, CertificateAuthority, Crl, CrlScope, CrlStore, Error, Hierarchy, JpkiCertificate,
    Revocation, RevocationCheck, RevocationStatus, Serial, TrustAnchors,
};
use test_support::fixtures::{self, FixtureSet, REFERENCE_TIME};

#[path = "support/ng.rs"]
mod ng;

struct World {
    rsa: FixtureSet,
    ng_ca: CertificateAuthority,
    /// 0x3001 and 0x3002, both under `ng_ca`.
    revoked: JpkiCertificate,
    clean: JpkiCertificate,
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let ng_ca = ng::ng_ca(Hierarchy::Signature, 1);
    World {
        rsa: fixtures::build().unwrap(),
        revoked: ng::ng_sign(&ng_ca, &ng::card_public(11), 0x3001, None).unwrap(),
        clean: ng::ng_sign(&ng_ca, &ng::card_public(13), 0x3002, None).unwrap(),
        ng_ca,
    }
});

/// The RSA-2048 and the P-384 signature CAs (one name) as anchors.
fn anchors() -> TrustAnchors {
    let w = &*WORLD;
    let mut anchors = TrustAnchors::new();
    anchors.add(w.rsa.sign_ca.certificate().clone()).unwrap();
    anchors.add(w.ng_ca.certificate().clone()).unwrap();
    anchors
}

/// `ca`'s CRL for the NG certificates' partition, issued at `this_update`, fresh for a day.
fn crl(ca: &CertificateAuthority, this_update: OffsetDateTime, revoked: &[u64]) -> Crl {
    let request = cert::CrlRequest {
        this_update,
        next_update: Some(this_update + Duration::days(1)),
        crl_number: 1,
        scope: CrlScope::Partition(WORLD.revoked.crl_distribution_point().unwrap().clone()),
    };
    let entries = revoked.iter().map(|s| Revocation {
        serial: Serial::from(*s),
        revoked_at: this_update - Duration::days(1),
        reason: None,
    });
    Crl::from_der(&ca.issue_crl(&request, entries).unwrap()).unwrap()
}

fn verify(
    anchors: &TrustAnchors,
    store: &CrlStore,
    cert: &JpkiCertificate,
    at: OffsetDateTime,
) -> Result<RevocationStatus, Error> {
    Ok(anchors
        .verify(cert, at, RevocationCheck::Store(store))?
        .revocation)
}

#[test]
fn a_revoked_serial_is_refused_and_an_unrevoked_one_accepted_through_the_store() {
    let w = &*WORLD;
    let anchors = anchors();
    let mut store = CrlStore::new();
    store
        .load(
            &anchors,
            crl(&w.ng_ca, REFERENCE_TIME, &[0x3001]),
            REFERENCE_TIME,
        )
        .unwrap();
    assert_eq!(store.len(), 1);
    let err = verify(&anchors, &store, &w.revoked, REFERENCE_TIME).unwrap_err();
    assert!(matches!(err, Error::Revoked { .. }), "{err}");
    let status = verify(&anchors, &store, &w.clean, REFERENCE_TIME).unwrap();
    assert_eq!(
        status,
        RevocationStatus::NotRevoked {
            crl_this_update: REFERENCE_TIME,
            crl_next_update: Some(REFERENCE_TIME + Duration::days(1)),
            crl_entries: 1,
        }
    );
    // The same answers as the per-call path over the same CRL.
    let same = [crl(&w.ng_ca, REFERENCE_TIME, &[0x3001])];
    assert!(matches!(
        anchors.verify(&w.revoked, REFERENCE_TIME, RevocationCheck::Crls(&same)),
        Err(Error::Revoked { .. })
    ));
    assert_eq!(
        anchors
            .verify(&w.clean, REFERENCE_TIME, RevocationCheck::Crls(&same))
            .unwrap()
            .revocation,
        status
    );
}

#[test]
fn a_crl_with_a_bad_signature_is_refused_at_load() {
    let w = &*WORLD;
    let anchors = anchors();
    let good = crl(&w.ng_ca, REFERENCE_TIME, &[0x3001]);
    let mut der = w
        .ng_ca
        .issue_crl(
            &cert::CrlRequest {
                this_update: REFERENCE_TIME,
                next_update: Some(REFERENCE_TIME + Duration::days(1)),
                crl_number: 1,
                scope: good.scope(),
            },
            std::iter::empty(),
        )
        .unwrap();
    // The last byte is the end of the ECDSA s value: the DER stays well-formed.
    *der.last_mut().unwrap() ^= 1;
    let tampered = Crl::from_der(&der).unwrap();
    let mut store = CrlStore::new();
    let err = store.load(&anchors, tampered, REFERENCE_TIME).unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err}");
    assert!(store.is_empty(), "a refused CRL is not held");
    // A CRL whose entry was edited (0x3001 → 0x3002) under its original signature: the
    // tbsCertList digest taken at parse is of the edited bytes, so the signature fails.
    let mut der = w
        .ng_ca
        .issue_crl(
            &cert::CrlRequest {
                this_update: REFERENCE_TIME,
                next_update: Some(REFERENCE_TIME + Duration::days(1)),
                crl_number: 1,
                scope: good.scope(),
            },
            [Revocation {
                serial: Serial::from(0x3001_u64),
                revoked_at: REFERENCE_TIME - Duration::days(1),
                reason: None,
            }],
        )
        .unwrap();
    let at = der
        .windows(4)
        .position(|x| x == [0x02, 0x02, 0x30, 0x01])
        .unwrap();
    der[at + 3] = 0x02;
    let edited = Crl::from_der(&der).unwrap();
    assert!(edited.lookup(Serial::from(0x3002_u64)).is_some());
    let err = store.load(&anchors, edited, REFERENCE_TIME).unwrap_err();
    assert!(matches!(err, Error::BadSignature), "{err}");
    // With no CRL held the certificate is never "not revoked".
    let err = verify(&anchors, &store, &w.revoked, REFERENCE_TIME).unwrap_err();
    assert!(matches!(err, Error::NoCrlForPartition { .. }), "{err}");
}

#[test]
fn a_crl_of_the_rsa_ca_of_the_same_name_is_not_used_for_a_p384_chain() {
    let w = &*WORLD;
    let anchors = anchors();
    let mut store = CrlStore::new();
    // The RSA CA's CRL for the same partition and issuer name, listing the NG serial: it loads
    // (the RSA anchor signed it) but answers only for certificates of the RSA CA.
    let rsa_crl = crl(&w.rsa.sign_ca, REFERENCE_TIME, &[0x3001]);
    assert_eq!(rsa_crl.issuer(), w.revoked.issuer());
    assert_eq!(rsa_crl.signature_algorithm(), Algorithm::Rsa2048);
    store.load(&anchors, rsa_crl, REFERENCE_TIME).unwrap();
    for cert in [&w.revoked, &w.clean] {
        let err = verify(&anchors, &store, cert, REFERENCE_TIME).unwrap_err();
        assert!(matches!(err, Error::NoCrlForPartition { .. }), "{err}");
    }
    // Beside the P-384 CA's own clean CRL, the RSA one is passed over: not revoked.
    store
        .load(&anchors, crl(&w.ng_ca, REFERENCE_TIME, &[]), REFERENCE_TIME)
        .unwrap();
    assert_eq!(store.len(), 2);
    let status = verify(&anchors, &store, &w.revoked, REFERENCE_TIME).unwrap();
    assert!(
        matches!(status, RevocationStatus::NotRevoked { crl_entries: 0, .. }),
        "{status:?}"
    );
}

#[test]
fn a_crl_of_another_key_under_the_anchors_name_is_refused_at_load() {
    let w = &*WORLD;
    let anchors = anchors();
    // Same DN and algorithm as the P-384 anchor, another key (its AKI names another SKI).
    let impostor = ng::ng_ca(Hierarchy::Signature, 99);
    assert_eq!(
        impostor.certificate().subject(),
        w.ng_ca.certificate().subject()
    );
    let mut store = CrlStore::new();
    let err = store
        .load(
            &anchors,
            crl(&impostor, REFERENCE_TIME, &[]),
            REFERENCE_TIME,
        )
        .unwrap_err();
    assert!(matches!(err, Error::UnknownIssuer), "{err}");
    assert!(store.is_empty());
}

#[test]
fn a_stale_crl_is_refused_at_load_and_at_verification() {
    let w = &*WORLD;
    let anchors = anchors();
    let later = REFERENCE_TIME + Duration::days(2);
    let mut store = CrlStore::new();
    let err = store
        .load(&anchors, crl(&w.ng_ca, REFERENCE_TIME, &[]), later)
        .unwrap_err();
    assert!(
        matches!(err, Error::CrlStale { at, .. } if at == later),
        "{err}"
    );
    assert!(store.is_empty());
    // Fresh at load, stale by the time of a later verification.
    store
        .load(&anchors, crl(&w.ng_ca, REFERENCE_TIME, &[]), REFERENCE_TIME)
        .unwrap();
    verify(&anchors, &store, &w.clean, REFERENCE_TIME).unwrap();
    let err = verify(&anchors, &store, &w.clean, later).unwrap_err();
    assert!(
        matches!(err, Error::CrlStale { next_update, .. }
            if next_update == REFERENCE_TIME + Duration::days(1)),
        "{err}"
    );
}

#[test]
fn a_newer_crl_replaces_the_one_held_and_an_older_one_does_not() {
    let w = &*WORLD;
    let anchors = anchors();
    let mut store = CrlStore::new();
    store
        .load(&anchors, crl(&w.ng_ca, REFERENCE_TIME, &[]), REFERENCE_TIME)
        .unwrap();
    verify(&anchors, &store, &w.revoked, REFERENCE_TIME).unwrap();
    // The next CRL lists 0x3001.
    let next = REFERENCE_TIME + Duration::hours(6);
    store
        .load(&anchors, crl(&w.ng_ca, next, &[0x3001]), next)
        .unwrap();
    assert_eq!(store.len(), 1, "replaced, not added");
    let err = verify(&anchors, &store, &w.revoked, next).unwrap_err();
    assert!(matches!(err, Error::Revoked { .. }), "{err}");
    // Loading the older clean one again changes nothing.
    store
        .load(&anchors, crl(&w.ng_ca, REFERENCE_TIME, &[]), next)
        .unwrap();
    assert_eq!(store.len(), 1);
    assert_eq!(store.crls().next().unwrap().this_update(), next);
    let err = verify(&anchors, &store, &w.revoked, next).unwrap_err();
    assert!(matches!(err, Error::Revoked { .. }), "{err}");
}
