//! Chain checks against a set of trust anchors.

use time::OffsetDateTime;

use crate::certificate::JpkiCertificate;
use crate::crl::Crl;
use crate::{CertKind, Error};

/// A set of JPKI CA certificates trusted as anchors (e.g. the three real generations of each
/// hierarchy, or a simulator's CAs).
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    anchors: Vec<JpkiCertificate>,
}

impl TrustAnchors {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
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

    /// Finds the anchor that signed `cert`. All generations of a CA share one name, so the
    /// candidates with the same name are tried, the one whose SKI matches the AKI first, and
    /// the signature decides.
    ///
    /// # Errors
    /// [`Error::UnknownIssuer`] if none verifies.
    pub fn issuer_of(&self, cert: &JpkiCertificate) -> Result<&JpkiCertificate, Error> {
        let mut candidates: Vec<&JpkiCertificate> = self
            .anchors
            .iter()
            .filter(|a| {
                a.subject_der() == cert.issuer_der()
                    && a.hierarchy() == cert.hierarchy()
                    && a.environment() == cert.environment()
            })
            .collect();
        let aki = cert.authority_key_id();
        candidates.sort_by_key(|a| aki.is_none() || a.subject_key_id() != aki);
        candidates
            .into_iter()
            .find(|a| cert.verify_signed_by(a).is_ok())
            .ok_or(Error::UnknownIssuer)
    }

    /// Verifies an end-entity certificate: issuer found among the anchors by AKI and signature,
    /// and both certificates valid at `at`. Returns the issuing anchor.
    ///
    /// # Errors
    /// [`Error::WrongKind`], [`Error::UnknownIssuer`], [`Error::NotYetValid`], [`Error::Expired`].
    pub fn verify(
        &self,
        cert: &JpkiCertificate,
        at: OffsetDateTime,
    ) -> Result<&JpkiCertificate, Error> {
        if matches!(cert.kind(), CertKind::Ca(_)) {
            return Err(Error::WrongKind {
                expected: "end-entity",
            });
        }
        let anchor = self.issuer_of(cert)?;
        anchor.check_validity_at(at)?;
        cert.check_validity_at(at)?;
        Ok(anchor)
    }

    /// [`verify`](Self::verify), then checks `crl` is signed by the same anchor and does not
    /// list the certificate.
    ///
    /// # Errors
    /// As `verify`, plus [`Error::CrlIssuerMismatch`], [`Error::BadSignature`] (CRL) and
    /// [`Error::Revoked`].
    pub fn verify_with_crl(
        &self,
        cert: &JpkiCertificate,
        crl: &Crl,
        at: OffsetDateTime,
    ) -> Result<&JpkiCertificate, Error> {
        let anchor = self.verify(cert, at)?;
        crl.verify_signed_by(anchor)?;
        crl.check(cert)?;
        Ok(anchor)
    }
}
