//! Revocation with the CPS reasons, and the release of a hold (一時保留).
//!
//! A revocation is recorded with its partition (the municipality the certificate's CRL
//! distribution point names) and published in that partition's CRL only. A certificate is
//! revoked once: revoking it again changes nothing, except that a hold (certificateHold) may be
//! made permanent with another reason — the entry keeps the hold's revocation date (the
//! certificate has not been trusted since) and takes the new reason. Releasing a hold drops the
//! entry from the CRL (RFC 5280 §5.3.1: for a full CRL, removeFromCRL is simply the entry's
//! absence); any other revocation is final.

use cert::time::OffsetDateTime;
use cert::{Hierarchy, JpkiCertificate, Revocation, RevocationReason};

use super::Authority;
use super::state::{Revoked, hex_serial};
use crate::error::Error;

/// What a revocation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevokeOutcome {
    /// The certificate is now revoked (it was not).
    Revoked(Revocation),
    /// It was on hold and is now revoked for good with the new reason (the date stays).
    HoldMadePermanent(Revocation),
    /// It was already revoked; nothing changed.
    AlreadyRevoked(Revocation),
}

impl Authority {
    /// Revokes a certificate and republishes the CRLs; always writes the state (callers rely
    /// on it to save the serials they spent). See [`Self::revoke_reporting`] for what happens
    /// to a certificate that is already revoked.
    ///
    /// # Errors
    /// [`Error::ForeignCard`] for a certificate of another CA; [`Error::UnknownPartition`];
    /// I/O or certificate errors.
    pub fn revoke(
        &mut self,
        certificate: &JpkiCertificate,
        reason: RevocationReason,
        at: OffsetDateTime,
    ) -> Result<(), Error> {
        self.record(certificate, reason, at)?;
        self.save(at)
    }

    /// Revokes a certificate with `reason` and says what changed: a new revocation (CRLs
    /// republished), a hold made permanent (republished), or nothing (already revoked; no file
    /// is written).
    ///
    /// # Errors
    /// As [`Self::revoke`].
    pub fn revoke_reporting(
        &mut self,
        certificate: &JpkiCertificate,
        reason: RevocationReason,
        at: OffsetDateTime,
    ) -> Result<RevokeOutcome, Error> {
        let outcome = self.record(certificate, reason, at)?;
        if !matches!(outcome, RevokeOutcome::AlreadyRevoked(_)) {
            self.save(at)?;
        }
        Ok(outcome)
    }

    /// Releases a hold: the certificate leaves its partition's CRL (republished).
    ///
    /// # Errors
    /// [`Error::NotRevoked`], [`Error::NotOnHold`] (revoked for another reason: final),
    /// [`Error::ForeignCard`], I/O and certificate errors.
    pub fn release(
        &mut self,
        certificate: &JpkiCertificate,
        at: OffsetDateTime,
    ) -> Result<Revocation, Error> {
        self.check_issued(certificate)?;
        let serial = certificate.serial();
        let hierarchy = certificate.hierarchy();
        let algorithm = certificate.algorithm();
        let Some(index) = self.state.revoked.iter().position(|r| {
            r.hierarchy == hierarchy && r.algorithm == algorithm && r.revocation.serial == serial
        }) else {
            return Err(Error::NotRevoked {
                serial: hex_serial(&serial),
            });
        };
        let held = self.state.revoked.get(index).map(|r| r.revocation);
        match held {
            Some(r) if r.reason == Some(RevocationReason::CertificateHold) => {
                self.state.revoked.remove(index);
                self.save(at)?;
                Ok(r)
            }
            other => Err(Error::NotOnHold {
                serial: hex_serial(&serial),
                reason: other
                    .and_then(|r| r.reason)
                    .map_or("no reason given", RevocationReason::name)
                    .to_owned(),
            }),
        }
    }

    /// Whether a certificate is on this authority's revocation list.
    #[must_use]
    pub fn is_revoked(&self, certificate: &JpkiCertificate) -> bool {
        self.revocation_of(certificate).is_some()
    }

    /// A certificate's revocation (date and reason), if it is revoked.
    #[must_use]
    pub fn revocation_of(&self, certificate: &JpkiCertificate) -> Option<Revocation> {
        let serial = certificate.serial();
        let hierarchy = certificate.hierarchy();
        let algorithm = certificate.algorithm();
        self.state
            .revoked
            .iter()
            .find(|r| {
                r.hierarchy == hierarchy
                    && r.algorithm == algorithm
                    && r.revocation.serial == serial
            })
            .map(|r| r.revocation)
    }

    /// Every revocation: its hierarchy, its partition (municipality code) and the entry.
    pub fn revocations(
        &self,
    ) -> impl Iterator<Item = (Hierarchy, cert::MunicipalityCode, Revocation)> + '_ {
        self.state
            .revoked
            .iter()
            .map(|r| (r.hierarchy, r.partition, r.revocation))
    }

    /// Checks `certificate` is this authority's (signed by the CA of its hierarchy).
    fn check_issued(&self, certificate: &JpkiCertificate) -> Result<(), Error> {
        let ca = self
            .ca_of(certificate.hierarchy(), certificate.algorithm())
            .ok_or(Error::ForeignCard {
                reason: "the certificate is of the next generation and this authority has no next-generation CA",
            })?;
        certificate
            .verify_signed_by(ca.certificate())
            .map_err(|_| Error::ForeignCard {
                reason: "the certificate was issued by another CA",
            })
    }

    /// Puts the revocation on the list (not saved).
    fn record(
        &mut self,
        certificate: &JpkiCertificate,
        reason: RevocationReason,
        at: OffsetDateTime,
    ) -> Result<RevokeOutcome, Error> {
        self.check_issued(certificate)?;
        let hierarchy = certificate.hierarchy();
        let algorithm = certificate.algorithm();
        let serial = certificate.serial();
        if let Some(entry) = self.state.revoked.iter_mut().find(|r| {
            r.hierarchy == hierarchy && r.algorithm == algorithm && r.revocation.serial == serial
        }) {
            let held = entry.revocation.reason == Some(RevocationReason::CertificateHold);
            if held && reason != RevocationReason::CertificateHold {
                entry.revocation.reason = Some(reason);
                return Ok(RevokeOutcome::HoldMadePermanent(entry.revocation));
            }
            return Ok(RevokeOutcome::AlreadyRevoked(entry.revocation));
        }
        let partition = self.partition_of(certificate)?;
        let revocation = Revocation {
            serial,
            revoked_at: at,
            reason: Some(reason),
        };
        self.state.revoked.push(Revoked {
            hierarchy,
            algorithm,
            partition,
            revocation,
        });
        Ok(RevokeOutcome::Revoked(revocation))
    }
}
