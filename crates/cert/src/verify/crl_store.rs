//! A relying party's verified CRLs ([`CrlStore`]): each CRL's issuer and signature are checked
//! once, when it is loaded, and a certificate's revocation check is then a hash-map probe by
//! partition and a binary search. A P-384 CRL of 10⁴ entries costs an ECDSA verify and a
//! SHA-384 over about 0.4 MB; [`RevocationCheck::Crls`](crate::RevocationCheck::Crls) pays it
//! on every certificate, [`RevocationCheck::Store`](crate::RevocationCheck::Store) once per CRL.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::TrustAnchors;
use crate::crl::{Crl, partition_of};
use crate::keys::SubjectKey;
use crate::{Error, JpkiCertificate};

/// A CRL whose signature verified at load, and the key that signed it (an anchor's).
#[derive(Clone, Debug)]
struct Loaded {
    crl: Crl,
    signer: SubjectKey,
}

/// CRLs whose signatures were checked when loaded, for a relying party that verifies many
/// certificates: pass it as [`RevocationCheck::Store`](crate::RevocationCheck::Store).
///
/// Loading ([`CrlStore::load`]) finds the CRL's issuer among the trust anchors by name,
/// signature algorithm and AKI→SKI (all generations of a JPKI CA share one name, so the name
/// never decides alone), verifies the CRL's signature under that anchor's key and refuses a CRL
/// already past its nextUpdate. The store keeps the signing key with each CRL, and a
/// certificate is checked only against CRLs signed by the very key of the anchor that issued
/// it: an RSA-2048 CA's CRL never answers for a P-384 certificate of the same issuer name.
/// Freshness is checked again on every verification, as for
/// [`RevocationCheck::Crls`](crate::RevocationCheck::Crls): a CRL past its nextUpdate at the
/// check time gives [`Error::CrlStale`].
#[derive(Clone, Debug, Default)]
pub struct CrlStore {
    /// Partition CRLs and ARLs by the exact DER of their IDP distribution point name.
    by_point: HashMap<Vec<u8>, Vec<Loaded>>,
    /// CRLs without IDP (complete CRLs), which cover every certificate of their issuer.
    complete: Vec<Loaded>,
}

impl CrlStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads `crl` after checking it: its issuer is an anchor of `anchors` with the CRL's
    /// issuer name and signature algorithm (and, if both carry one, SKI equal to the CRL's
    /// AKI) whose key verifies the CRL's signature, and it is not past its nextUpdate at `at`.
    ///
    /// The store holds one CRL per issuer key and scope (partition, ARL or complete): a CRL
    /// with a later thisUpdate replaces the one held, an older or same-dated one is dropped
    /// (the newer answers, as with [`RevocationCheck::Crls`](crate::RevocationCheck::Crls)).
    ///
    /// # Errors
    /// [`Error::CrlStale`] if the CRL is past its nextUpdate at `at`; [`Error::UnknownIssuer`]
    /// if no anchor has its issuer name, algorithm and key identifier; [`Error::BadSignature`]
    /// if such anchors exist but none's key verifies the signature. A refused CRL is not held.
    pub fn load(
        &mut self,
        anchors: &TrustAnchors,
        crl: Crl,
        at: OffsetDateTime,
    ) -> Result<(), Error> {
        if let Some(next_update) = crl.next_update()
            && crl.is_stale_at(at)
        {
            return Err(Error::CrlStale { next_update, at });
        }
        let signer = signer_of(anchors, &crl)?.public_key().clone();
        let slot = match crl.distribution_point_der() {
            Some(point) => self.by_point.entry(point.to_vec()).or_default(),
            None => &mut self.complete,
        };
        let scope = crl.scope();
        let held = slot.iter_mut().find(|l| {
            l.signer == signer && l.crl.issuer_der() == crl.issuer_der() && l.crl.scope() == scope
        });
        match held {
            Some(held) if held.crl.this_update() >= crl.this_update() => {}
            Some(held) => held.crl = crl,
            None => slot.push(Loaded { crl, signer }),
        }
        Ok(())
    }

    /// How many CRLs the store holds.
    pub fn len(&self) -> usize {
        self.by_point.values().map(Vec::len).sum::<usize>() + self.complete.len()
    }

    /// Whether the store holds no CRL.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The CRLs held (their signatures verified at load), in no particular order.
    pub fn crls(&self) -> impl Iterator<Item = &Crl> {
        self.by_point
            .values()
            .flatten()
            .chain(&self.complete)
            .map(|l| &l.crl)
    }

    /// The CRL to consult for `cert`, issued under `anchor`: signed by `anchor`'s own key (as
    /// verified at load) and covering the certificate's partition (or complete); the newest
    /// by thisUpdate.
    ///
    /// # Errors
    /// [`Error::NoCrlForPartition`] if the store holds none.
    pub(super) fn crl_for(
        &self,
        cert: &JpkiCertificate,
        anchor: &JpkiCertificate,
    ) -> Result<&Crl, Error> {
        let (point, name) = partition_of(cert);
        self.by_point
            .get(point)
            .into_iter()
            .flatten()
            .chain(&self.complete)
            .filter(|l| l.signer == *anchor.public_key() && l.crl.covers(cert).is_ok())
            .max_by_key(|l| l.crl.this_update())
            .map(|l| &l.crl)
            .ok_or_else(|| Error::NoCrlForPartition {
                partition: name.to_string(),
                given: self.len(),
            })
    }
}

/// The anchor that signed `crl`: the CRL's issuer name, its signature algorithm, SKI equal to
/// its AKI when both are present; the signature decides among those.
fn signer_of<'a>(anchors: &'a TrustAnchors, crl: &Crl) -> Result<&'a JpkiCertificate, Error> {
    let mut candidates = anchors
        .anchors()
        .iter()
        .filter(|a| {
            a.subject_der() == crl.issuer_der()
                && a.algorithm() == crl.signature_algorithm()
                && match (crl.authority_key_id(), a.subject_key_id()) {
                    (Some(aki), Some(ski)) => aki == ski,
                    _ => true,
                }
        })
        .peekable();
    if candidates.peek().is_none() {
        return Err(Error::UnknownIssuer);
    }
    candidates
        .find(|a| crl.verify_signed_by(a).is_ok())
        .ok_or(Error::BadSignature)
}
