//! The issuing side (J-LIS role): CAs, end-entity certificates and CRLs with the real profile.
//!
//! (One piece, over 400 lines: the issuing methods — CA, authentication, signature — share
//! one profile and read best side by side; the seam to rcgen is `rcgen_glue`, the CRL writer is
//! `crl`.)

use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod,
    KeyUsagePurpose, OtherNameValue, SanType, SerialNumber,
};
use rsa::pkcs8::EncodePublicKey;
use rsa::{PrivateKey, PublicKey};
use sha1::Sha1;
use sha2::Digest;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::certificate::JpkiCertificate;
use crate::extensions::{self as ext, custom};
use crate::holder::{Holder, Municipality, encode_birth_date};
use crate::name::{AttributeKind, DistinguishedName, ca_alt_name, ca_name, crl_distribution_point};
use crate::{CertKind, Environment, Error, Hierarchy, Serial, keys, oid};

mod crl;
mod rcgen_glue;

pub use crl::CrlRequest;

use rcgen_glue::{CaSigner, SubjectKey, rcgen_name, rcgen_time, subject_public_key_bits};

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

fn common_name(serial: Serial, width: usize) -> String {
    format!("{:0>width$}", serial.to_string())
}

/// Certificate parameters common to every JPKI certificate: serial, validity, subject.
fn base_params(
    serial: Serial,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    subject: &DistinguishedName,
) -> Result<CertificateParams, Error> {
    if not_after < not_before {
        return Err(Error::BadValidity {
            reason: "notAfter precedes notBefore",
        });
    }
    let mut params = CertificateParams::default();
    params.serial_number = Some(SerialNumber::from_slice(serial.as_bytes()));
    params.not_before = rcgen_time(not_before)?;
    params.not_after = rcgen_time(not_after)?;
    params.distinguished_name = rcgen_name(subject, "subject")?;
    Ok(params)
}

impl CertificateAuthority {
    /// Creates a self-signed CA with the real J-LIS CA profile: keyUsage keyCertSign + cRLSign
    /// (critical), SKI, basicConstraints CA (critical), SAN directory name, CRL distribution
    /// point as directory name; no AKI.
    ///
    /// rcgen writes keyUsage, SKI and basicConstraints itself and the two directory-name
    /// extensions as custom extensions after them, so the extension order is keyUsage, SKI,
    /// basicConstraints, SAN, CRL DP (the real CAs have keyUsage, SAN, basicConstraints,
    /// CRL DP, SKI; DER does not constrain the order and every extension's bytes match).
    ///
    /// # Errors
    /// [`Error::BadValidity`] if notAfter precedes notBefore, [`Error::Rsa`] on signing failure.
    pub fn create(request: &CaRequest, key: PrivateKey) -> Result<Self, Error> {
        let name = ca_name(request.hierarchy, request.environment);
        let ski = key_identifier(&key.to_public_key())?;
        let mut params = base_params(request.serial, request.not_before, request.not_after, &name)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.key_identifier_method = KeyIdMethod::PreSpecified(ski.to_vec());
        params.custom_extensions = vec![
            custom(
                &oid::EXT_SAN,
                false,
                ext::subject_alt_directory_name(&ca_alt_name(request.hierarchy))?,
            ),
            custom(&oid::EXT_CRL_DP, false, ext::crl_distribution_point(&name)?),
        ];
        let signer = CaSigner::new(&key)?;
        let der = params
            .self_signed(&signer)
            .map_err(|e| signer.error(e))?
            .der()
            .to_vec();
        drop(signer);
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

    /// The custom extensions every end-entity certificate carries after its natively written
    /// ones: critical certificatePolicies with CPS, issuerAltName, CRL DP, (AIA for
    /// authentication), AKI with key id + issuer + serial, SKI.
    fn end_entity_extensions(
        &self,
        municipality: &Municipality,
        subject_key: &PublicKey,
    ) -> Result<Vec<rcgen::CustomExtension>, Error> {
        let env = self.certificate.environment();
        let h = self.hierarchy();
        let mut out = vec![
            custom(
                &oid::EXT_CERT_POLICIES,
                true,
                ext::certificate_policies(h.policy(env), CPS_URI)?,
            ),
            custom(
                &oid::EXT_IAN,
                false,
                ext::issuer_alt_directory_name(&ca_alt_name(h))?,
            ),
            custom(
                &oid::EXT_CRL_DP,
                false,
                ext::crl_distribution_point(&crl_distribution_point(
                    h,
                    env,
                    &municipality.prefecture,
                    &municipality.city,
                ))?,
            ),
        ];
        if h == Hierarchy::Authentication {
            out.push(custom(&oid::EXT_AIA, false, ext::ocsp_access(OCSP_URI)?));
        }
        out.push(custom(
            &oid::EXT_AKI,
            false,
            ext::authority_key_identifier(
                &key_identifier(self.certificate.public_key())?,
                self.certificate.subject(),
                self.certificate.serial(),
            )?,
        ));
        out.push(custom(
            &oid::EXT_SKI,
            false,
            ext::subject_key_identifier(&key_identifier(subject_key)?)?,
        ));
        Ok(out)
    }

    /// Signs an end-entity certificate with rcgen, issuer name = this CA's subject (shared by
    /// every generation of the CA; the AKI and the signature tell them apart).
    fn sign_end_entity(
        &self,
        params: &CertificateParams,
        subject_key: &PublicKey,
    ) -> Result<JpkiCertificate, Error> {
        let mut issuer_params = CertificateParams::default();
        issuer_params.distinguished_name = rcgen_name(self.certificate.subject(), "issuer")?;
        let signer = CaSigner::new(&self.key)?;
        let issuer = Issuer::new(issuer_params, &signer);
        let der = params
            .signed_by(&SubjectKey::new(subject_key)?, &issuer)
            .map_err(|e| signer.error(e))?
            .der()
            .to_vec();
        let certificate = JpkiCertificate::from_der(&der)?;
        // The issuer must be byte-identical to the CA's subject, or chain building by name
        // (openssl, other relying parties) fails.
        if certificate.issuer_der() != self.certificate.subject_der() {
            return Err(Error::BadName {
                which: "issuer",
                reason: "the issued certificate's issuer differs from the CA's subject DER",
            });
        }
        Ok(certificate)
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
        let subject = DistinguishedName::new()
            .with(AttributeKind::Country, "JP")
            .with(AttributeKind::CommonName, common_name(request.serial, 23));
        let mut params = base_params(
            request.serial,
            request.not_before,
            request.not_after,
            &subject,
        )?;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.custom_extensions =
            self.end_entity_extensions(request.municipality, request.public_key)?;
        self.sign_end_entity(&params, request.public_key)
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
        let mut params = base_params(
            request.serial,
            request.not_before,
            request.not_after,
            &subject,
        )?;
        // rcgen writes otherName as `[0] { type-id, [0] EXPLICIT UTF8String }`, in the order
        // given: the card order.
        params.subject_alt_names = oid::SAN_CARD_ORDER
            .iter()
            .zip(values)
            .map(|(id, value)| {
                SanType::OtherName((ext::arcs(id), OtherNameValue::Utf8String(value)))
            })
            .collect();
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        params.custom_extensions = self.end_entity_extensions(m, request.public_key)?;
        self.sign_end_entity(&params, request.public_key)
    }
}
