//! Chain checks against a set of trust anchors, for both card generations
//! (shared/next-gen-profile.md §2.8): RSA-2048 and P-384 CAs of one purpose share one DN, so
//! issuers and CRLs are chosen by key identifier and algorithm, never by name alone; a chain
//! mixing algorithms is refused; RSA chains are accepted only before a cut-off.

use time::OffsetDateTime;
use time::macros::datetime;

use crate::certificate::JpkiCertificate;
use crate::crl::Crl;
use crate::keys::Algorithm;
use crate::{CertKind, Error};

mod crl_store;

pub use crl_store::CrlStore;

/// The default RSA cut-off: RSA-2048 is not to be used from 2031-01-01 (CRYPTREC,
/// next-gen-profile P5). At and after it an RSA-2048 chain fails with [`Error::RsaCutOff`].
pub const RSA_CUTOFF: OffsetDateTime = datetime!(2031-01-01 00:00:00 UTC);

/// A set of JPKI CA certificates trusted as anchors (e.g. the three real generations of each
/// hierarchy, the next-generation P-384 CAs beside them, or a simulator's CAs), and the RSA
/// cut-off in force ([`RSA_CUTOFF`] unless set).
#[derive(Clone, Debug)]
pub struct TrustAnchors {
    anchors: Vec<JpkiCertificate>,
    rsa_cutoff: OffsetDateTime,
}

impl Default for TrustAnchors {
    fn default() -> Self {
        Self {
            anchors: Vec::new(),
            rsa_cutoff: RSA_CUTOFF,
        }
    }
}

impl TrustAnchors {
    /// An empty set with the default RSA cut-off ([`RSA_CUTOFF`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// The same anchors with another RSA cut-off: RSA-2048 chains verify only at instants
    /// before `cutoff` (P5 says an extension may be sought; a relying party may also be
    /// stricter).
    #[must_use]
    pub fn with_rsa_cutoff(mut self, cutoff: OffsetDateTime) -> Self {
        self.rsa_cutoff = cutoff;
        self
    }

    /// Sets the RSA cut-off (see [`TrustAnchors::with_rsa_cutoff`]).
    pub fn set_rsa_cutoff(&mut self, cutoff: OffsetDateTime) {
        self.rsa_cutoff = cutoff;
    }

    /// The RSA cut-off in force.
    pub fn rsa_cutoff(&self) -> OffsetDateTime {
        self.rsa_cutoff
    }

    /// Adds a CA after checking it is a CA and its self-signature verifies.
    ///
    /// # Errors
    /// [`Error::WrongKind`] or [`Error::BadSignature`].
    pub fn add(&mut self, ca: JpkiCertificate) -> Result<(), Error> {
        if !matches!(ca.kind(), CertKind::Ca(_)) {
            return Err(Error::WrongKind { expected: "CA" });
        }
        ca.verify_signed_by(&ca)?;
        self.anchors.push(ca);
        Ok(())
    }

    /// The anchors.
    pub fn anchors(&self) -> &[JpkiCertificate] {
        &self.anchors
    }

    /// Finds the anchor that signed `cert`. All generations of a CA — RSA-2048 and P-384
    /// alike — share one name, so the name alone never decides: first the anchor whose SKI
    /// equals the certificate's AKI, then every anchor with the issuer name whose key is of the
    /// certificate's signature algorithm; the signature decides.
    ///
    /// # Errors
    /// [`Error::UnknownIssuer`] if none verifies.
    pub fn issuer_of(&self, cert: &JpkiCertificate) -> Result<&JpkiCertificate, Error> {
        let same_name = || {
            self.anchors.iter().filter(|a| {
                a.subject_der() == cert.issuer_der()
                    && a.hierarchy() == cert.hierarchy()
                    && a.environment() == cert.environment()
            })
        };
        if let Some(aki) = cert.authority_key_id()
            && let Some(a) = same_name()
                .filter(|a| a.subject_key_id() == Some(aki))
                .find(|a| cert.verify_signed_by(a).is_ok())
        {
            return Ok(a);
        }
        same_name()
            .filter(|a| a.algorithm() == cert.signature_algorithm())
            .find(|a| cert.verify_signed_by(a).is_ok())
            .ok_or(Error::UnknownIssuer)
    }

    /// Verifies an end-entity certificate: issuer found among the anchors by AKI and signature,
    /// both certificates valid at `at`, and revocation as `revocation` says — a CRL (the one
    /// of the certificate's partition, chosen from those given; its signature by the issuing
    /// anchor and its freshness at `at` are checked too) or an explicit
    /// [`RevocationCheck::NotChecked`]. There is no default: a caller that has no revocation
    /// data says so, and the returned [`Verification`] carries what was (not) checked so a
    /// report can state it.
    ///
    /// Both generations: the issuing anchor must use the certificate's own key algorithm
    /// (else [`Error::MixedAlgorithms`]), and an RSA-2048 chain is refused at and after the
    /// RSA cut-off ([`TrustAnchors::with_rsa_cutoff`], default [`RSA_CUTOFF`]).
    ///
    /// # Errors
    /// [`Error::WrongKind`], [`Error::UnknownIssuer`], [`Error::MixedAlgorithms`],
    /// [`Error::NotYetValid`], [`Error::Expired`], [`Error::RsaCutOff`];
    /// with CRLs (or a [`CrlStore`]) also [`Error::CrlIssuerMismatch`], [`Error::CrlWrongScope`],
    /// [`Error::CrlWrongPartition`] (one CRL given), [`Error::NoCrlForPartition`] (several
    /// given, none fits), [`Error::BadSignature`] (CRL), [`Error::CrlStale`] and
    /// [`Error::Revoked`].
    pub fn verify(
        &self,
        cert: &JpkiCertificate,
        at: OffsetDateTime,
        revocation: RevocationCheck<'_>,
    ) -> Result<Verification<'_>, Error> {
        if matches!(cert.kind(), CertKind::Ca(_)) {
            return Err(Error::WrongKind {
                expected: "end-entity",
            });
        }
        let anchor = self.issuer_of(cert)?;
        if anchor.algorithm() != cert.algorithm() {
            return Err(Error::MixedAlgorithms {
                certificate: cert.algorithm(),
                issuer: anchor.algorithm(),
            });
        }
        anchor.check_validity_at(at)?;
        cert.check_validity_at(at)?;
        if cert.algorithm() == Algorithm::Rsa2048 && at >= self.rsa_cutoff {
            return Err(Error::RsaCutOff {
                cutoff: self.rsa_cutoff,
            });
        }
        let (crl, accept_stale) = match revocation {
            RevocationCheck::Crl(crl) => {
                (crl_for(cert, anchor, core::slice::from_ref(crl))?, false)
            }
            RevocationCheck::Crls(crls) => (crl_for(cert, anchor, crls)?, false),
            RevocationCheck::CrlsAcceptingStale(crls) => (crl_for(cert, anchor, crls)?, true),
            RevocationCheck::Store(store) => (store.crl_for(cert, anchor)?, false),
            RevocationCheck::NotChecked => {
                return Ok(Verification {
                    anchor,
                    revocation: RevocationStatus::NotChecked,
                });
            }
        };
        if !accept_stale
            && let Some(next_update) = crl.next_update()
            && crl.is_stale_at(at)
        {
            return Err(Error::CrlStale { next_update, at });
        }
        crl.check(cert)?;
        let revocation = RevocationStatus::NotRevoked {
            crl_this_update: crl.this_update(),
            crl_next_update: crl.next_update(),
            crl_entries: crl.len(),
        };
        Ok(Verification { anchor, revocation })
    }
}

/// The CRL to consult for `cert` among `crls`: issued under the certificate's issuer name, its
/// IDP covering the certificate's partition, signed with the anchor's algorithm and by its key
/// (the signature decides; [`Crl::verify_signed_by`] also compares the CRL's AKI with the
/// anchor's SKI); the newest such by thisUpdate. A CRL of the other generation under the same
/// name is never used: among several it is passed over, alone it is refused
/// ([`Error::KeyAlgorithmMismatch`]). With one CRL given its own refusal is returned (issuer,
/// key, scope, partition), with several a [`Error::NoCrlForPartition`] naming the partition
/// looked for, or [`Error::BadSignature`] if CRLs of the right algorithm cover it but none is
/// signed by the anchor.
fn crl_for<'c>(
    cert: &JpkiCertificate,
    anchor: &JpkiCertificate,
    crls: &'c [Crl],
) -> Result<&'c Crl, Error> {
    if let [only] = crls {
        only.covers(cert)?;
        only.verify_signed_by(anchor)?;
        return Ok(only);
    }
    let mut covering = crls
        .iter()
        .filter(|c| c.covers(cert).is_ok() && c.signature_algorithm() == anchor.algorithm())
        .peekable();
    if covering.peek().is_none() {
        return Err(Error::NoCrlForPartition {
            partition: crate::crl::partition_of(cert).1.to_string(),
            given: crls.len(),
        });
    }
    covering
        .filter(|c| c.verify_signed_by(anchor).is_ok())
        .max_by_key(|c| c.this_update())
        .ok_or(Error::BadSignature)
}

/// How [`TrustAnchors::verify`] checks revocation: passed as a value on every call, so no
/// caller skips the check by omission.
#[derive(Clone, Copy, Debug)]
pub enum RevocationCheck<'a> {
    /// Check against this CRL, which must be the certificate's issuer's and cover its partition
    /// (else [`Error::CrlWrongPartition`] and the like), and be fresh at the check time.
    Crl(&'a Crl),
    /// Choose among these CRLs (e.g. every partition's, and the ARLs, of both hierarchies) the
    /// one of the certificate's issuer and partition (the newest if several); none →
    /// [`Error::NoCrlForPartition`], never an unchecked certificate. A CRL past its nextUpdate
    /// at the check time is refused ([`Error::CrlStale`]).
    Crls(&'a [Crl]),
    /// As [`RevocationCheck::Crls`], but a CRL past its nextUpdate is used anyway: for a caller
    /// that knowingly works from an old CRL (offline checks, archived evidence). The returned
    /// status carries the CRL's nextUpdate.
    CrlsAcceptingStale(&'a [Crl]),
    /// Check against the CRLs of a [`CrlStore`], whose signatures were verified when they were
    /// loaded: the one signed by the key of the certificate's issuing anchor and covering its
    /// partition (none → [`Error::NoCrlForPartition`]). A CRL past its nextUpdate at the check
    /// time is refused ([`Error::CrlStale`]). For a relying party checking many certificates.
    Store(&'a CrlStore),
    /// Do not check revocation: the caller has no revocation data, and the result says so.
    NotChecked,
}

/// What a verification learned about revocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationStatus {
    /// The issuer's CRL (signature checked) does not list the certificate.
    NotRevoked {
        /// The CRL's thisUpdate.
        crl_this_update: OffsetDateTime,
        /// The CRL's nextUpdate, if any.
        crl_next_update: Option<OffsetDateTime>,
        /// How many certificates the CRL lists.
        crl_entries: usize,
    },
    /// Revocation was not checked: the certificate may be revoked.
    NotChecked,
}

impl RevocationStatus {
    /// Whether revocation was checked (and the certificate is not revoked).
    pub fn is_checked(self) -> bool {
        matches!(self, Self::NotRevoked { .. })
    }
}

impl core::fmt::Display for RevocationStatus {
    /// `not revoked (CRL of 2026-11-27 16:13:13 UTC, 3 entries)` or
    /// `not checked (no CRL given)`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotRevoked {
                crl_this_update,
                crl_entries,
                ..
            } => write!(
                f,
                "not revoked (CRL of {}, {crl_entries} entries)",
                crate::crl::utc_text(*crl_this_update)
            ),
            Self::NotChecked => f.write_str("not checked (no CRL given)"),
        }
    }
}

/// A certificate that verified: the anchor that issued it, and what is known of its
/// revocation.
#[derive(Clone, Copy, Debug)]
pub struct Verification<'a> {
    /// The issuing anchor.
    pub anchor: &'a JpkiCertificate,
    /// Revocation: checked against a CRL, or explicitly not checked.
    pub revocation: RevocationStatus,
}
