//! The next-generation hierarchy beside today's (shared/next-gen-profile.md, NG-sim v1): a
//! P-384 signature CA and a P-384 authentication CA with the same names as the RSA-2048 CAs
//! (the hard case for relying parties: only the key tells them apart), and the
//! card-authentication CA that certifies each card's genuineness key.
//!
//! They come with the first next-generation card ([`Authority::enable_next_gen`]): a directory
//! from before them opens as it is. Files (PEM certificates for relying parties, PKCS#8 DER keys
//! mode 0600, each written atomically):
//!
//! | file | content |
//! |---|---|
//! | `sign-ca-ng.pem`, `sign-ca-ng.key` | the P-384 signature CA |
//! | `auth-ca-ng.pem`, `auth-ca-ng.key` | the P-384 authentication CA |
//! | `card-auth-ca-ng.pem`, `card-auth-ca-ng.key` | the card-authentication CA (`O=JPKI-NG-SIM`) |
//! | `crl/sign-ng-<code>.crl`, `crl/auth-ng-<code>.crl`, `crl/{sign,auth}-ng-arl.crl` | their CRLs, as today's (see [`super::publish`]) |
//!
//! The CAs take serials from the one counter of the authority and are valid 20 years (P4),
//! ending 23:59:59 JST like today's.

use std::fs;
use std::path::Path;

use cert::issue::{CardAuthenticationAuthority, CardAuthenticationRequest};
use cert::keys::{Algorithm, CaKey};
use cert::time::OffsetDateTime;
use cert::{CaRequest, CertificateAuthority, Environment, Hierarchy, JpkiCertificate};
use rand::CryptoRng;

use super::state::ca_tag;
use super::{Authority, cert_err, io};
use crate::error::Error;

/// The files of the next-generation CAs (certificate and key of each).
pub(super) const FILES: [&str; 6] = [
    "sign-ca-ng.pem",
    "sign-ca-ng.key",
    "auth-ca-ng.pem",
    "auth-ca-ng.key",
    "card-auth-ca-ng.pem",
    "card-auth-ca-ng.key",
];

/// The three CAs of the next generation.
pub(super) struct NextGenCas {
    pub(super) sign: CertificateAuthority,
    pub(super) auth: CertificateAuthority,
    pub(super) card: CardAuthenticationAuthority,
}

/// The stem of a next-generation CA's files.
fn stem(hierarchy: Hierarchy) -> &'static str {
    match hierarchy {
        Hierarchy::Signature => "sign-ca-ng",
        Hierarchy::Authentication => "auth-ca-ng",
    }
}

const CARD_STEM: &str = "card-auth-ca-ng";

/// Loads the next-generation CAs of `dir`: `None` if the directory has none of their files
/// (an authority from before them), or only some and none of their CRLs — what an
/// [`Authority::enable_next_gen`] killed half-way leaves, removed here so that the next one
/// starts afresh; an error if it has only some but their CRLs were published (files lost
/// after the fact: the CA keys may have certified cards).
pub(super) fn load(dir: &Path) -> Result<Option<NextGenCas>, Error> {
    let present = FILES.iter().filter(|f| dir.join(f).exists()).count();
    if present == 0 {
        return Ok(None);
    }
    if present != FILES.len() {
        if !published(dir) {
            remove_interrupted(dir)?;
            return Ok(None);
        }
        return Err(Error::AuthorityCorrupt {
            path: dir.to_path_buf(),
            what: "some of the next-generation CA files (sign-ca-ng, auth-ca-ng, card-auth-ca-ng .pem/.key) are missing",
        });
    }
    let read_key = |stem: &str| -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
        let path = dir.join(format!("{stem}.key"));
        Ok(zeroize::Zeroizing::new(fs::read(&path).map_err(io(&path))?))
    };
    let read_pem = |stem: &str| -> Result<String, Error> {
        let path = dir.join(format!("{stem}.pem"));
        fs::read_to_string(&path).map_err(io(&path))
    };
    let ca = |hierarchy: Hierarchy| -> Result<CertificateAuthority, Error> {
        let certificate =
            JpkiCertificate::from_pem(&read_pem(stem(hierarchy))?).map_err(cert_err)?;
        let key = CaKey::from_pkcs8_der(&read_key(stem(hierarchy))?).map_err(cert_err)?;
        if key.algorithm() != Algorithm::EcdsaP384 || certificate.hierarchy() != hierarchy {
            return Err(Error::AuthorityCorrupt {
                path: dir.join(format!("{}.key", stem(hierarchy))),
                what: "not a P-384 CA of its hierarchy",
            });
        }
        CertificateAuthority::from_parts(certificate, key).map_err(cert_err)
    };
    let card = {
        let pem = read_pem(CARD_STEM)?;
        let (label, der) =
            der::pem::decode_vec(pem.as_bytes()).map_err(|_| Error::AuthorityCorrupt {
                path: dir.join(format!("{CARD_STEM}.pem")),
                what: "not a PEM certificate",
            })?;
        if label != "CERTIFICATE" {
            return Err(Error::AuthorityCorrupt {
                path: dir.join(format!("{CARD_STEM}.pem")),
                what: "not a PEM certificate",
            });
        }
        let certificate = cert::card_auth::CardAuthCertificate::from_der(&der).map_err(cert_err)?;
        let key = cert::keys::p384_from_pkcs8_der(&read_key(CARD_STEM)?).map_err(cert_err)?;
        CardAuthenticationAuthority::from_parts(certificate, key).map_err(cert_err)?
    };
    Ok(Some(NextGenCas {
        sign: ca(Hierarchy::Signature)?,
        auth: ca(Hierarchy::Authentication)?,
        card,
    }))
}

/// Whether the next-generation ARLs exist: [`Authority::enable_next_gen`] publishes them
/// only after the last CA file is written.
fn published(dir: &Path) -> bool {
    [Hierarchy::Signature, Hierarchy::Authentication]
        .iter()
        .any(|&h| {
            dir.join(super::publish::CRL_DIR)
                .join(format!("{}-arl.crl", ca_tag(h, Algorithm::EcdsaP384)))
                .symlink_metadata()
                .is_ok()
        })
}

/// Removes the CA files an interrupted [`Authority::enable_next_gen`] left (no card was
/// issued under them: issuance comes after it returns; their serials are spent, the counter
/// was stored first). Anything but a regular file at such a name is refused.
fn remove_interrupted(dir: &Path) -> Result<(), Error> {
    for name in FILES {
        let path = dir.join(name);
        match path.symlink_metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&path)(e)),
            Ok(meta) if !meta.file_type().is_file() => {
                return Err(Error::AuthorityCorrupt {
                    path,
                    what: "not a regular file",
                });
            }
            Ok(_) => fs::remove_file(&path).map_err(io(&path))?,
        }
    }
    Ok(())
}

impl Authority {
    /// Whether this authority has its next-generation CAs.
    #[must_use]
    pub fn has_next_gen(&self) -> bool {
        self.ng.is_some()
    }

    /// Creates the next-generation CAs if this authority has none yet (a no-op otherwise):
    /// P-384 signature and authentication CAs with the names of today's, and the
    /// card-authentication CA, each valid from `now` for 20 years, with serials of the counter.
    ///
    /// Resumable: the serials are stored first, then the six files, then the CRLs. A process
    /// killed before the last file leaves a directory that [`Authority::open`] opens without
    /// the next generation (the partial files removed), and running this again creates the
    /// CAs with fresh serials; killed after it, the directory opens with them.
    ///
    /// # Errors
    /// I/O, serial and certificate errors.
    pub fn enable_next_gen<R: CryptoRng + ?Sized>(
        &mut self,
        now: OffsetDateTime,
        rng: &mut R,
    ) -> Result<(), Error> {
        if self.ng.is_some() {
            return Ok(());
        }
        let not_after =
            cert::validity::ng_ca_not_after(cert::validity::jst_date(now)).map_err(cert_err)?;
        // the three serials are spent and the counter stored before any CA file exists: a
        // process killed in between must not leave CAs whose serials the counter hands out
        // again (the P-384 CAs share their names, and so their serial space, with today's)
        let serials = [
            self.take_serial()?,
            self.take_serial()?,
            self.take_serial()?,
        ];
        self.write_state()?;
        let [sign_serial, auth_serial, card_serial] = serials;
        let mut ca = |hierarchy, serial| -> Result<CertificateAuthority, Error> {
            let request = CaRequest {
                hierarchy,
                environment: Environment::Production,
                serial,
                not_before: now,
                not_after,
            };
            CertificateAuthority::create(&request, cert::keys::generate_p384(rng)).map_err(cert_err)
        };
        let sign = ca(Hierarchy::Signature, sign_serial)?;
        let auth = ca(Hierarchy::Authentication, auth_serial)?;
        let card = CardAuthenticationAuthority::create(
            card_serial,
            now,
            not_after,
            cert::keys::generate_p384(rng),
        )
        .map_err(cert_err)?;
        // keys first: a certificate file without its key would make the directory unreadable
        for (hierarchy, ca) in [
            (Hierarchy::Signature, &sign),
            (Hierarchy::Authentication, &auth),
        ] {
            self.write_ca_files(
                stem(hierarchy),
                &ca.private_key_pkcs8_der().map_err(cert_err)?,
                &ca.certificate().to_pem(),
            )?;
        }
        let card_pem = der::pem::encode_string(
            "CERTIFICATE",
            der::pem::LineEnding::LF,
            card.certificate().der(),
        )
        .map_err(|_| Error::AuthorityCorrupt {
            path: self.dir.join(format!("{CARD_STEM}.pem")),
            what: "the card-authentication CA certificate does not encode as PEM",
        })?;
        self.write_ca_files(
            CARD_STEM,
            &card.private_key_pkcs8_der().map_err(cert_err)?,
            &card_pem,
        )?;
        self.ng = Some(NextGenCas { sign, auth, card });
        self.save(now)
    }

    fn write_ca_files(&self, stem: &str, key: &[u8], pem: &str) -> Result<(), Error> {
        let key_path = self.dir.join(format!("{stem}.key"));
        durable::replace(&key_path, key).map_err(io(&key_path))?;
        let pem_path = self.dir.join(format!("{stem}.pem"));
        durable::replace(&pem_path, pem.as_bytes()).map_err(io(&pem_path))
    }

    /// The CA of a hierarchy in a generation: today's RSA-2048 CA, or the P-384 CA of the same
    /// name (`None` before [`Self::enable_next_gen`]).
    #[must_use]
    pub fn ca_of(
        &self,
        hierarchy: Hierarchy,
        algorithm: Algorithm,
    ) -> Option<&CertificateAuthority> {
        match (algorithm, &self.ng) {
            (Algorithm::Rsa2048, _) => Some(self.ca(hierarchy)),
            (Algorithm::EcdsaP384, Some(ng)) => Some(match hierarchy {
                Hierarchy::Signature => &ng.sign,
                Hierarchy::Authentication => &ng.auth,
            }),
            (Algorithm::EcdsaP384, None) => None,
        }
    }

    /// Like [`Self::ca_of`], an error naming what is missing instead of `None`.
    pub(crate) fn require_ca(
        &self,
        hierarchy: Hierarchy,
        algorithm: Algorithm,
    ) -> Result<&CertificateAuthority, Error> {
        self.ca_of(hierarchy, algorithm).ok_or(Error::IssueRequest {
            reason: "this authority has no next-generation (P-384) CAs yet: issue a next-generation card first (it creates them)",
        })
    }

    /// The path of a CA certificate (PEM) of a hierarchy in a generation (`sign-ca.pem`,
    /// `sign-ca-ng.pem`, …); the file exists for the next generation once it is enabled.
    #[must_use]
    pub fn ca_path_of(&self, hierarchy: Hierarchy, algorithm: Algorithm) -> std::path::PathBuf {
        match algorithm {
            Algorithm::Rsa2048 => self.ca_path(hierarchy),
            Algorithm::EcdsaP384 => self.dir.join(format!("{}.pem", stem(hierarchy))),
        }
    }

    /// The path of the card-authentication CA certificate (PEM; exists once the next
    /// generation is enabled).
    #[must_use]
    pub fn card_auth_ca_path(&self) -> std::path::PathBuf {
        self.dir.join(format!("{CARD_STEM}.pem"))
    }

    /// The card-authentication certificate for a card's genuineness key (`card_serial`: 16
    /// upper-case hex digits), valid like the card. Spends a serial.
    pub(super) fn certify_card(
        &mut self,
        card_serial: &str,
        public: &p384::PublicKey,
        at: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<(Vec<u8>, Vec<u8>), Error> {
        let serial = self.take_serial()?;
        let ng = self.ng.as_ref().ok_or(Error::IssueRequest {
            reason: "this authority has no next-generation CAs",
        })?;
        let certificate = ng
            .card
            .issue(&CardAuthenticationRequest {
                serial,
                card_serial,
                public_key: public,
                not_before: at,
                not_after,
            })
            .map_err(cert_err)?;
        Ok((
            certificate.der().to_vec(),
            ng.card.certificate().der().to_vec(),
        ))
    }
}
