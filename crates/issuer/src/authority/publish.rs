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

use std::fs;
use std::path::PathBuf;

use cert::time::OffsetDateTime;
use cert::{
    CrlRequest, CrlScope, DistinguishedName, Hierarchy, JpkiCertificate, Municipality,
    MunicipalityCode,
};

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

fn stem(hierarchy: Hierarchy) -> &'static str {
    match hierarchy {
        Hierarchy::Signature => "sign",
        Hierarchy::Authentication => "auth",
    }
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
        self.partition_path(hierarchy, &municipality.code)
    }

    fn partition_path(&self, hierarchy: Hierarchy, code: &MunicipalityCode) -> PathBuf {
        self.crl_dir()
            .join(format!("{}-{code}.crl", stem(hierarchy)))
    }

    /// The path of the CRL that lists `certificate` if it is revoked: its partition's, or for
    /// a CA certificate of this authority the ARL.
    ///
    /// # Errors
    /// [`Error::UnknownPartition`] for an end-entity certificate whose CRL distribution point
    /// names no registered municipality.
    pub fn crl_path_for(&self, certificate: &JpkiCertificate) -> Result<PathBuf, Error> {
        let hierarchy = certificate.hierarchy();
        if matches!(certificate.kind(), cert::CertKind::Ca(_)) {
            return Ok(self.arl_path(hierarchy));
        }
        let code = self.partition_of(certificate)?;
        Ok(self.partition_path(hierarchy, &code))
    }

    /// The path of a CA's authority revocation list (DER, `crl/sign-arl.crl`).
    #[must_use]
    pub fn arl_path(&self, hierarchy: Hierarchy) -> PathBuf {
        self.crl_dir().join(format!("{}-arl.crl", stem(hierarchy)))
    }

    /// The municipalities this authority has issued for (its CRL partitions), by code.
    #[must_use]
    pub fn municipalities(&self) -> &[Municipality] {
        &self.state.register
    }

    /// Every CRL file this authority publishes.
    pub(super) fn crl_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for h in [Hierarchy::Signature, Hierarchy::Authentication] {
            out.push(self.arl_path(h));
            for m in &self.state.register {
                out.push(self.partition_path(h, &m.code));
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
        for hierarchy in [Hierarchy::Signature, Hierarchy::Authentication] {
            let ca = self.ca(hierarchy);
            // no CA certificate is ever revoked here: the ARL is empty but signed and current
            let arl = ca
                .issue_crl(&self.crl_request(hierarchy, Scope::Authority, now), [])
                .map_err(cert_err)?;
            let path = self.arl_path(hierarchy);
            durable::replace(&path, &arl).map_err(io(&path))?;
            for m in &self.state.register {
                let entries = self
                    .state
                    .revoked
                    .iter()
                    .filter(|r| r.hierarchy == hierarchy && r.partition == m.code)
                    .map(|r| r.revocation);
                let crl = ca
                    .issue_crl(
                        &self.crl_request(hierarchy, Scope::Partition(m), now),
                        entries,
                    )
                    .map_err(cert_err)?;
                let path = self.partition_path(hierarchy, &m.code);
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
