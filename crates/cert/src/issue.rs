//! The issuing side (J-LIS role): CAs, end-entity certificates and CRLs with the real profile.

use der::asn1::ObjectIdentifier;
use rsa::pkcs8::EncodePublicKey;
use rsa::{Pkcs1v15Sign, PrivateKey, PublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::certificate::JpkiCertificate;
use crate::crl::{Revocation, write_entry};
use crate::der_writer::{self as w, SEQUENCE};
use crate::holder::{Holder, Municipality, encode_birth_date};
use crate::name::{AttributeKind, DistinguishedName, ca_alt_name, ca_name, crl_distribution_point};
use crate::{CertKind, Environment, Error, Hierarchy, Serial, keys, oid};

/// The CPS URI written as the policy qualifier.
pub const CPS_URI: &str = "http://www.jpki.go.jp/cps.html";
/// The OCSP responder written in authentication certificates' AIA.
pub const OCSP_URI: &str = "http://ocspauthnorm.jpki.go.jp";

/// Parameters of a self-signed CA certificate.
#[derive(Clone, Debug)]
pub struct CaRequest {
    /// Signature or authentication hierarchy.
    pub hierarchy: Hierarchy,
    /// Production-profile names (`O=JPKI`) or `O=JPKI-TEST`.
    pub environment: Environment,
    /// Serial number (real CAs use e.g. `067C6A21`).
    pub serial: Serial,
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
}

/// Parameters of a user-authentication certificate.
#[derive(Clone, Debug)]
pub struct AuthenticationRequest<'a> {
    /// Serial number, unique within the CA.
    pub serial: Serial,
    /// The card's authentication key.
    pub public_key: &'a PublicKey,
    /// notBefore (the issue instant).
    pub not_before: OffsetDateTime,
    /// notAfter; see [`crate::validity`] for the rules.
    pub not_after: OffsetDateTime,
    /// The holder's municipality (for the CRL distribution point).
    pub municipality: &'a Municipality,
}

/// Parameters of a signature certificate.
#[derive(Clone, Debug)]
pub struct SignatureRequest<'a> {
    /// Serial number, unique within the CA.
    pub serial: Serial,
    /// The card's signature key.
    pub public_key: &'a PublicKey,
    /// notBefore (the issue instant).
    pub not_before: OffsetDateTime,
    /// notAfter; see [`crate::validity`] for the rules.
    pub not_after: OffsetDateTime,
    /// The 4 facts and municipality.
    pub holder: &'a Holder,
}

/// Parameters of a CRL.
#[derive(Clone, Debug)]
pub struct CrlRequest {
    /// thisUpdate.
    pub this_update: OffsetDateTime,
    /// nextUpdate (J-LIS publishes daily).
    pub next_update: Option<OffsetDateTime>,
    /// cRLNumber, increasing.
    pub crl_number: u64,
}

/// A JPKI certification authority: its certificate and private key (zeroized on drop).
pub struct CertificateAuthority {
    key: PrivateKey,
    certificate: JpkiCertificate,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("certificate", &self.certificate.subject().to_string())
            .field("serial", &self.certificate.serial())
            .field("key", &"<redacted>")
            .finish()
    }
}

/// SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1), as J-LIS computes its SKIs.
pub fn key_identifier(key: &PublicKey) -> Result<[u8; 20], Error> {
    let spki = key.to_public_key_der().map_err(|_| Error::BadPublicKey)?;
    let bits = subject_public_key_bits(spki.as_bytes())?;
    Ok(Sha1::digest(bits).into())
}

fn subject_public_key_bits(spki: &[u8]) -> Result<&[u8], Error> {
    let mut r = crate::der_reader::Reader::new(spki, "subjectPublicKeyInfo");
    let mut seq = r.enter(SEQUENCE, "not a SEQUENCE")?;
    seq.read(SEQUENCE, "algorithm is not a SEQUENCE")?;
    let bits = seq.read(w::BIT_STRING, "subjectPublicKey is not a BIT STRING")?;
    match bits.content.split_first() {
        Some((0, rest)) => Ok(rest),
        _ => Err(Error::BadPublicKey),
    }
}

fn spki_der(key: &PublicKey) -> Result<Vec<u8>, Error> {
    Ok(key
        .to_public_key_der()
        .map_err(|_| Error::BadPublicKey)?
        .as_bytes()
        .to_vec())
}

fn directory_names(name: &DistinguishedName) -> Vec<u8> {
    // GeneralNames ::= SEQUENCE OF GeneralName; directoryName [4] EXPLICIT Name
    w::seq(&[&w::tlv(0xA4, &name.to_der())])
}

fn crl_dp(name: &DistinguishedName) -> Vec<u8> {
    // CRLDistributionPoints ::= SEQUENCE OF DistributionPoint { [0] DistributionPointName
    //   { [0] fullName GeneralNames (IMPLICIT) } }
    let full_name = w::tlv(0xA0, &w::tlv(0xA4, &name.to_der()));
    w::seq(&[&w::seq(&[&w::tlv(0xA0, &full_name)])])
}

fn policies(policy: &ObjectIdentifier) -> Vec<u8> {
    let cps = w::seq(&[
        &w::oid(&oid::QT_CPS),
        &w::tlv(w::IA5_STRING, CPS_URI.as_bytes()),
    ]);
    w::seq(&[&w::seq(&[&w::oid(policy), &w::seq(&[&cps])])])
}

fn common_name(serial: Serial, width: usize) -> String {
    format!("{:0>width$}", serial.to_string())
}

impl CertificateAuthority {
    /// Creates a self-signed CA with the real J-LIS CA profile: keyUsage keyCertSign + cRLSign
    /// (critical), SAN directory name, basicConstraints CA (critical), CRL distribution point as
    /// directory name, SKI; no AKI.
    ///
    /// # Errors
    /// [`Error::BadValidity`] if notAfter precedes notBefore, [`Error::Rsa`] on signing failure.
    pub fn create(request: &CaRequest, key: PrivateKey) -> Result<Self, Error> {
        let name = ca_name(request.hierarchy, request.environment);
        let public = key.to_public_key();
        let ski = key_identifier(&public)?;
        let extensions = [
            w::extension(&oid::EXT_KEY_USAGE, true, &w::named_bits(&[5, 6])),
            w::extension(
                &oid::EXT_SAN,
                false,
                &directory_names(&ca_alt_name(request.hierarchy)),
            ),
            w::extension(
                &oid::EXT_BASIC_CONSTRAINTS,
                true,
                &w::seq(&[&w::boolean_true()]),
            ),
            w::extension(&oid::EXT_CRL_DP, false, &crl_dp(&name)),
            w::extension(&oid::EXT_SKI, false, &w::octets(&ski)),
        ];
        let der = sign_certificate(
            &key,
            request.serial,
            &name,
            request.not_before,
            request.not_after,
            &name,
            &public,
            &extensions,
        )?;
        let certificate = JpkiCertificate::from_der(&der)?;
        Ok(Self { key, certificate })
    }

    /// A CA from its certificate and private key (e.g. loaded from fixtures).
    ///
    /// # Errors
    /// [`Error::WrongKind`] if the certificate is not a CA or the key does not match it.
    pub fn from_parts(certificate: JpkiCertificate, key: PrivateKey) -> Result<Self, Error> {
        if !matches!(certificate.kind(), CertKind::Ca(_)) {
            return Err(Error::WrongKind { expected: "CA" });
        }
        if key.to_public_key() != *certificate.public_key() {
            return Err(Error::WrongKind {
                expected: "CA whose key matches the private key",
            });
        }
        Ok(Self { key, certificate })
    }

    /// The CA certificate.
    pub fn certificate(&self) -> &JpkiCertificate {
        &self.certificate
    }

    /// The hierarchy this CA issues for.
    pub fn hierarchy(&self) -> Hierarchy {
        self.certificate.hierarchy()
    }

    /// The CA's private key as PKCS#8 DER (zeroized on drop).
    ///
    /// # Errors
    /// [`Error::Pkcs8`] if encoding fails.
    pub fn private_key_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        keys::to_pkcs8_der(&self.key)
    }

    fn expect(&self, hierarchy: Hierarchy) -> Result<(), Error> {
        if self.hierarchy() == hierarchy {
            Ok(())
        } else {
            Err(Error::WrongKind {
                expected: match hierarchy {
                    Hierarchy::Signature => "signature CA",
                    Hierarchy::Authentication => "authentication CA",
                },
            })
        }
    }

    fn common_extensions_tail(
        &self,
        out: &mut Vec<Vec<u8>>,
        prefecture: &str,
        city: &str,
        subject_key: &PublicKey,
    ) -> Result<(), Error> {
        let env = self.certificate.environment();
        let h = self.hierarchy();
        out.push(w::extension(
            &oid::EXT_CRL_DP,
            false,
            &crl_dp(&crl_distribution_point(h, env, prefecture, city)),
        ));
        if h == Hierarchy::Authentication {
            let ocsp = w::seq(&[&w::oid(&oid::AD_OCSP), &w::tlv(0x86, OCSP_URI.as_bytes())]);
            out.push(w::extension(&oid::EXT_AIA, false, &w::seq(&[&ocsp])));
        }
        let ca_key_id = key_identifier(self.certificate.public_key())?;
        let aki = w::seq(&[
            &w::tlv(0x80, &ca_key_id),
            &w::tlv(0xA1, &w::tlv(0xA4, &self.certificate.subject().to_der())),
            &w::tlv(
                0x82,
                w::uint(self.certificate.serial().as_bytes())
                    .get(2..)
                    .unwrap_or_default(),
            ),
        ]);
        out.push(w::extension(&oid::EXT_AKI, false, &aki));
        out.push(w::extension(
            &oid::EXT_SKI,
            false,
            &w::octets(&key_identifier(subject_key)?),
        ));
        Ok(())
    }

    /// Issues a user-authentication certificate (`C=JP, CN=<23 chars>`, keyUsage
    /// digitalSignature, EKU clientAuth, critical policy with CPS, issuerAltName, CRL DP, AIA
    /// OCSP, AKI, SKI).
    ///
    /// # Errors
    /// [`Error::WrongKind`] if this is not an authentication CA; [`Error::BadValidity`].
    pub fn issue_authentication(
        &self,
        request: &AuthenticationRequest<'_>,
    ) -> Result<JpkiCertificate, Error> {
        self.expect(Hierarchy::Authentication)?;
        let env = self.certificate.environment();
        let subject = DistinguishedName::new()
            .with(AttributeKind::Country, "JP")
            .with(AttributeKind::CommonName, common_name(request.serial, 23));
        let mut exts = vec![
            w::extension(&oid::EXT_KEY_USAGE, true, &w::named_bits(&[0])),
            w::extension(
                &oid::EXT_CERT_POLICIES,
                true,
                &policies(&Hierarchy::Authentication.policy(env)),
            ),
            w::extension(
                &oid::EXT_IAN,
                false,
                &directory_names(&ca_alt_name(Hierarchy::Authentication)),
            ),
            w::extension(
                &oid::EXT_EXT_KEY_USAGE,
                false,
                &w::seq(&[&w::oid(&oid::KP_CLIENT_AUTH)]),
            ),
        ];
        self.common_extensions_tail(
            &mut exts,
            &request.municipality.prefecture,
            &request.municipality.city,
            request.public_key,
        )?;
        let der = sign_certificate(
            &self.key,
            request.serial,
            self.certificate.subject(),
            request.not_before,
            request.not_after,
            &subject,
            request.public_key,
            &exts,
        )?;
        JpkiCertificate::from_der(&der)
    }

    /// Issues a signature certificate (`C=JP, L=<pref>, L=<city>, CN=<28 chars>`, keyUsage
    /// digitalSignature + nonRepudiation, critical policy with CPS, the six 4-facts SAN
    /// otherNames in card order, issuerAltName, CRL DP, AKI, SKI). Used for both My Number and
    /// Juki cards; only the validity differs (see [`crate::validity`]).
    ///
    /// # Errors
    /// [`Error::WrongKind`] if this is not a signature CA; [`Error::BadHolder`];
    /// [`Error::BadValidity`].
    pub fn issue_signature(
        &self,
        request: &SignatureRequest<'_>,
    ) -> Result<JpkiCertificate, Error> {
        self.expect(Hierarchy::Signature)?;
        let holder = request.holder;
        holder.validate()?;
        let env = self.certificate.environment();
        let m = &holder.municipality;
        let subject = DistinguishedName::new()
            .with(AttributeKind::Country, "JP")
            .with(AttributeKind::Locality, m.prefecture.clone())
            .with(AttributeKind::Locality, m.city.clone())
            .with(AttributeKind::CommonName, common_name(request.serial, 28));
        let birth = encode_birth_date(holder.birth_date)?;
        let gender = holder.gender.code().to_string();
        let values = [
            holder.name.text(),
            birth,
            gender,
            holder.address.text(),
            holder.name.substitute_positions(),
            holder.address.substitute_positions(),
        ];
        let mut san = Vec::new();
        for (id, value) in oid::SAN_CARD_ORDER.iter().zip(values.iter()) {
            // otherName [0] IMPLICIT SEQUENCE { type-id, value [0] EXPLICIT UTF8String }
            let other = w::cons(0xA0, &[&w::oid(id), &w::tlv(0xA0, &w::utf8(value))]);
            san.extend_from_slice(&other);
        }
        let mut exts = vec![
            w::extension(&oid::EXT_KEY_USAGE, true, &w::named_bits(&[0, 1])),
            w::extension(
                &oid::EXT_CERT_POLICIES,
                true,
                &policies(&Hierarchy::Signature.policy(env)),
            ),
            w::extension(&oid::EXT_SAN, false, &w::tlv(SEQUENCE, &san)),
            w::extension(
                &oid::EXT_IAN,
                false,
                &directory_names(&ca_alt_name(Hierarchy::Signature)),
            ),
        ];
        self.common_extensions_tail(&mut exts, &m.prefecture, &m.city, request.public_key)?;
        let der = sign_certificate(
            &self.key,
            request.serial,
            self.certificate.subject(),
            request.not_before,
            request.not_after,
            &subject,
            request.public_key,
            &exts,
        )?;
        JpkiCertificate::from_der(&der)
    }

    /// Issues a v2 CRL listing `revoked` (reason codes and revocation dates per entry), with
    /// AKI and cRLNumber extensions. Entries are written as they come, so very large CRLs
    /// (a million entries) need one pass and no per-entry allocation.
    ///
    /// # Errors
    /// [`Error::Rsa`] on signing failure.
    pub fn issue_crl<I>(&self, request: &CrlRequest, revoked: I) -> Result<Vec<u8>, Error>
    where
        I: IntoIterator<Item = Revocation>,
    {
        let mut entries = Vec::new();
        for r in revoked {
            write_entry(&mut entries, &r);
        }
        let mut tbs_content = Vec::with_capacity(entries.len() + 512);
        tbs_content.extend_from_slice(&[w::INTEGER, 1, 1]);
        tbs_content.extend_from_slice(&w::sha256_with_rsa());
        tbs_content.extend_from_slice(&self.certificate.subject().to_der());
        w::push_time(&mut tbs_content, request.this_update);
        if let Some(next) = request.next_update {
            w::push_time(&mut tbs_content, next);
        }
        if !entries.is_empty() {
            tbs_content.push(SEQUENCE);
            w::push_len(&mut tbs_content, entries.len());
            tbs_content.extend_from_slice(&entries);
        }
        drop(entries);
        let aki = w::seq(&[&w::tlv(
            0x80,
            &key_identifier(self.certificate.public_key())?,
        )]);
        let crl_exts = w::seq(&[
            &w::extension(&oid::EXT_AKI, false, &aki),
            &w::extension(
                &oid::EXT_CRL_NUMBER,
                false,
                &w::uint(&request.crl_number.to_be_bytes()),
            ),
        ]);
        tbs_content.extend_from_slice(&w::tlv(0xA0, &crl_exts));
        let tbs = w::tlv(SEQUENCE, &tbs_content);
        drop(tbs_content);
        let signature = sign_sha256(&self.key, &tbs)?;
        Ok(w::seq(&[
            &tbs,
            &w::sha256_with_rsa(),
            &w::bit_string(&signature),
        ]))
    }
}

fn sign_sha256(key: &PrivateKey, message: &[u8]) -> Result<Vec<u8>, Error> {
    let digest = Sha256::digest(message);
    Ok(key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest)?)
}

#[allow(clippy::too_many_arguments)]
fn sign_certificate(
    key: &PrivateKey,
    serial: Serial,
    issuer: &DistinguishedName,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    subject: &DistinguishedName,
    public_key: &PublicKey,
    extensions: &[Vec<u8>],
) -> Result<Vec<u8>, Error> {
    if not_after < not_before {
        return Err(Error::BadValidity {
            reason: "notAfter precedes notBefore",
        });
    }
    let exts = extensions.concat();
    let tbs = w::seq(&[
        &w::tlv(0xA0, &[w::INTEGER, 1, 2]),
        &w::uint(serial.as_bytes()),
        &w::sha256_with_rsa(),
        &issuer.to_der(),
        &w::seq(&[&w::time(not_before), &w::time(not_after)]),
        &subject.to_der(),
        &spki_der(public_key)?,
        &w::tlv(0xA3, &w::tlv(SEQUENCE, &exts)),
    ]);
    let signature = sign_sha256(key, &tbs)?;
    Ok(w::seq(&[
        &tbs,
        &w::sha256_with_rsa(),
        &w::bit_string(&signature),
    ]))
}
