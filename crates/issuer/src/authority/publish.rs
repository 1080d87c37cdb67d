//! The municipality register and the CRLs as J-LIS publishes them: one CRL per municipality
//! (partition) and hierarchy, named by the certificates' CRL distribution point, and one
//! authority revocation list (ARL) per CA, all rewritten on every save with thisUpdate now and
//! nextUpdate a day later.
//!
//! Files, in `crl/` of the authority directory:
//!
//! | file | content |
//! |---|---|
//! | `sign-<code>.crl`, `auth-<code>.crl` | the partition of municipality `<code>` (団体コード, 5 digits) |
//! | `sign-arl.crl`, `auth-arl.crl` | the ARL of each CA: the revoked CA certificates (none: a CA is never revoked here) |
//! | `sign-ng-<code>.crl`, `auth-ng-<code>.crl`, `sign-ng-arl.crl`, `auth-ng-arl.crl` | the same for the next-generation P-384 CAs, once there are any (signed ecdsa-with-SHA384; same partition names) |

use std::fs;
use std::path::PathBuf;

use cert::keys::Algorithm;
use cert::time::OffsetDateTime;
use cert::{
    CrlRequest, CrlScope, DistinguishedName, Hierarchy, JpkiCertificate, Municipality,
    MunicipalityCode,
};

use super::state::ca_tag;
use super::{Authority, cert_err, io};
use crate::error::Error;

/// The directory of the CRLs, inside the authority directory.
pub(super) const CRL_DIR: &str = "crl";

/// What one CRL covers.
#[derive(Clone, Copy, Debug)]
pub(super) enum Scope<'a> {
    /// The certificates whose CRL distribution point names this municipality.
    Partition(&'a Municipality),
    /// The CA certificates (the ARL).
    Authority,
}

impl Authority {
    /// The directory the CRLs are published in (`crl/`).
    #[must_use]
    pub fn crl_dir(&self) -> PathBuf {
        self.dir.join(CRL_DIR)
    }

    /// The path of the CRL of `municipality`'s partition of a hierarchy (DER,
    /// `crl/sign-13101.crl`). The file exists once the municipality is registered (its first
    /// certificate).
    #[must_use]
    pub fn crl_path(&self, hierarchy: Hierarchy, municipality: &Municipality) -> PathBuf {
        self.crl_path_of(hierarchy, Algorithm::Rsa2048, municipality)
    }

    /// [`Self::crl_path`] of a generation: the next generation's P-384 CA publishes
    /// `crl/sign-ng-13101.crl`.
    #[must_use]
    pub fn crl_path_of(
        &self,
        hierarchy: Hierarchy,
        algorithm: Algorithm,
        municipality: &Municipality,
    ) -> PathBuf {
        self.partition_path(hierarchy, algorithm, &municipality.code)
    }

    fn partition_path(
        &self,
        hierarchy: Hierarchy,
        algorithm: Algorithm,
        code: &MunicipalityCode,
    ) -> PathBuf {
        self.crl_dir()
            .join(format!("{}-{code}.crl", ca_tag(hierarchy, algorithm)))
    }

    /// The path of the CRL that lists `certificate` if it is revoked: its partition's, or for
    /// a CA certificate of this authority the ARL.
    ///
    /// # Errors
    /// [`Error::UnknownPartition`] for an end-entity certificate whose CRL distribution point
    /// names no registered municipality.
    pub fn crl_path_for(&self, certificate: &JpkiCertificate) -> Result<PathBuf, Error> {
        let hierarchy = certificate.hierarchy();
        let algorithm = certificate.algorithm();
        if matches!(certificate.kind(), cert::CertKind::Ca(_)) {
            return Ok(self.arl_path_of(hierarchy, algorithm));
        }
        let code = self.partition_of(certificate)?;
        Ok(self.partition_path(hierarchy, algorithm, &code))
    }

    /// The path of a CA's authority revocation list (DER, `crl/sign-arl.crl`).
    #[must_use]
    pub fn arl_path(&self, hierarchy: Hierarchy) -> PathBuf {
        self.arl_path_of(hierarchy, Algorithm::Rsa2048)
    }

    /// [`Self::arl_path`] of a generation (`crl/sign-ng-arl.crl`).
    #[must_use]
    pub fn arl_path_of(&self, hierarchy: Hierarchy, algorithm: Algorithm) -> PathBuf {
        self.crl_dir()
            .join(format!("{}-arl.crl", ca_tag(hierarchy, algorithm)))
    }

    /// The CAs this authority has: today's two, and the next generation's two once enabled.
    fn cas(&self) -> Vec<(Hierarchy, Algorithm)> {
        let mut out = Vec::new();
        for algorithm in [Algorithm::Rsa2048, Algorithm::EcdsaP384] {
            for h in [Hierarchy::Signature, Hierarchy::Authentication] {
                if self.ca_of(h, algorithm).is_some() {
                    out.push((h, algorithm));
                }
            }
        }
        out
    }

    /// The municipalities this authority has issued for (its CRL partitions), by code.
    #[must_use]
    pub fn municipalities(&self) -> &[Municipality] {
        &self.state.register
    }

    /// Every CRL file this authority publishes.
    pub(super) fn crl_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for (h, algorithm) in self.cas() {
            out.push(self.arl_path_of(h, algorithm));
            for m in &self.state.register {
                out.push(self.partition_path(h, algorithm, &m.code));
            }
        }
        out
    }

    /// Records `municipality` in the register (a no-op if it is there with the same names).
    /// Saved with the state.
    ///
    /// # Errors
    /// [`Error::MunicipalityClash`] if its code is registered with other names, or its names
    /// (hence its CRL distribution point) with another code.
    pub(crate) fn register(&mut self, municipality: &Municipality) -> Result<(), Error> {
        municipality.validate().map_err(cert_err)?;
        for m in &self.state.register {
            let same_code = m.code == municipality.code;
            let same_names = m.prefecture == municipality.prefecture && m.city == municipality.city;
            match (same_code, same_names) {
                (true, true) => return Ok(()),
                (false, false) => {}
                _ => {
                    return Err(Error::MunicipalityClash {
                        code: municipality.code.to_string(),
                        prefecture: municipality.prefecture.clone(),
                        city: municipality.city.clone(),
                        registered: format!(
                            "{} is registered as {} {}",
                            m.code, m.prefecture, m.city
                        ),
                    });
                }
            }
        }
        self.state.register.push(municipality.clone());
        self.state.register.sort_by_key(|m| m.code);
        Ok(())
    }

    /// The partition of an end-entity certificate: the registered municipality whose CRL
    /// distribution point (`…, OU=<prefecture>, CN=<city> CRLDP`) the certificate names.
    ///
    /// # Errors
    /// [`Error::UnknownPartition`] if it names none.
    pub(crate) fn partition_of(
        &self,
        certificate: &JpkiCertificate,
    ) -> Result<MunicipalityCode, Error> {
        let hierarchy = certificate.hierarchy();
        self.state
            .register
            .iter()
            .find(|m| names_partition(certificate, &self.partition_name(hierarchy, m)))
            .map(|m| m.code)
            .ok_or(Error::UnknownPartition)
    }

    /// The one place a CRL request is built: a partition CRL's IssuingDistributionPoint names
    /// the municipality's CRL distribution point, an ARL's the CA.
    fn crl_request(
        &self,
        hierarchy: Hierarchy,
        scope: Scope<'_>,
        now: OffsetDateTime,
    ) -> CrlRequest {
        CrlRequest {
            this_update: now,
            next_update: Some(now + cert::time::Duration::days(1)),
            crl_number: self.state.crl_number,
            scope: match scope {
                Scope::Partition(m) => CrlScope::Partition(self.partition_name(hierarchy, m)),
                Scope::Authority => CrlScope::Authority,
            },
        }
    }

    /// The CRL distribution point (and so the partition name) of `municipality` in a hierarchy.
    #[must_use]
    pub fn partition_name(
        &self,
        hierarchy: Hierarchy,
        municipality: &Municipality,
    ) -> DistinguishedName {
        cert::name::crl_distribution_point(
            hierarchy,
            self.ca(hierarchy).certificate().environment(),
            &municipality.prefecture,
            &municipality.city,
        )
    }

    /// Writes every CRL: per hierarchy the ARL and one partition per registered municipality,
    /// each listing only its own revocations.
    pub(super) fn publish(&self, now: OffsetDateTime) -> Result<(), Error> {
        let dir = self.crl_dir();
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(Error::AuthorityCorrupt {
                    path: dir,
                    what: "not a directory (a link or file planted where the CRLs go)",
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir(&dir).map_err(io(&dir))?;
            }
            Err(e) => {
                return Err(Error::Io {
                    path: dir,
                    source: e,
                });
            }
        }
        for (hierarchy, algorithm) in self.cas() {
            let Some(ca) = self.ca_of(hierarchy, algorithm) else {
                continue;
            };
            // no CA certificate is ever revoked here: the ARL is empty but signed and current
            let arl = ca
                .issue_crl(&self.crl_request(hierarchy, Scope::Authority, now), [])
                .map_err(cert_err)?;
            let path = self.arl_path_of(hierarchy, algorithm);
            durable::replace(&path, &arl).map_err(io(&path))?;
            for m in &self.state.register {
                let entries = self
                    .state
                    .revoked
                    .iter()
                    .filter(|r| {
                        r.hierarchy == hierarchy
                            && r.algorithm == algorithm
                            && r.partition == m.code
                    })
                    .map(|r| r.revocation);
                let crl = ca
                    .issue_crl(
                        &self.crl_request(hierarchy, Scope::Partition(m), now),
                        entries,
                    )
                    .map_err(cert_err)?;
                let path = self.partition_path(hierarchy, algorithm, &m.code);
                durable::replace(&path, &crl).map_err(io(&path))?;
            }
        }
        Ok(())
    }
}

/// Whether `certificate`'s CRL distribution point is the directory name `partition`.
fn names_partition(certificate: &JpkiCertificate, partition: &DistinguishedName) -> bool {
    certificate.crl_distribution_point() == Some(partition)
}
