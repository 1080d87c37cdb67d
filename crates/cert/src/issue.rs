//! The issuing side (J-LIS role): CAs, end-entity certificates and CRLs with the real profile.
//!
//! The issuing methods — CA, authentication, signature — share one profile and read best side
//! by side; the seam to rcgen is `rcgen_glue`, the CA certificate's own DER writer is `ca`, the
//! CRL writer is `crl`, the subject CNs are [`crate::common_name`].

use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, Issuer, KeyUsagePurpose, SerialNumber};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::certificate::JpkiCertificate;
use crate::extensions::{self as ext, custom};
use crate::holder::{Holder, Municipality, encode_birth_date};
use crate::keys::{Algorithm, CaKey, SubjectKey};
use crate::name::{AttributeKind, DistinguishedName, ca_alt_name, crl_distribution_point};
use crate::{
    AuthenticationCommonName, CertKind, Environment, Error, Hierarchy, Serial, SignatureCommonName,
    oid,
};

mod ca;
mod card_auth;
mod crl;
mod rcgen_glue;

pub use card_auth::{CardAuthenticationAuthority, CardAuthenticationRequest};
pub use crl::CrlRequest;

use rcgen_glue::{CaSigner, RcgenSubject, rcgen_name, rcgen_time};

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
    /// The card's authentication key: RSA-2048 under an RSA CA, P-384 under a P-384 CA.
    pub public_key: &'a SubjectKey,
    /// notBefore (the issue instant).
    pub not_before: OffsetDateTime,
    /// notAfter; see [`crate::validity`] for the rules.
    pub not_after: OffsetDateTime,
    /// The holder's municipality (for the CRL distribution point).
    pub municipality: &'a Municipality,
    /// The subject CN (23 characters; the issuer generates it, see [`crate::common_name`]).
    pub common_name: AuthenticationCommonName,
}

/// Parameters of a signature certificate.
#[derive(Clone, Debug)]
pub struct SignatureRequest<'a> {
    /// Serial number, unique within the CA.
    pub serial: Serial,
    /// The card's signature key: RSA-2048 under an RSA CA, P-384 under a P-384 CA.
    pub public_key: &'a SubjectKey,
    /// notBefore (the issue instant).
    pub not_before: OffsetDateTime,
    /// notAfter; see [`crate::validity`] for the rules.
    pub not_after: OffsetDateTime,
    /// The 4 facts and municipality.
    pub holder: &'a Holder,
    /// The subject CN (28 characters; the issuer generates it, see [`crate::common_name`]).
    pub common_name: SignatureCommonName,
}

/// A JPKI certification authority: its certificate and private key (zeroized on drop), RSA-2048
/// (today's hierarchy) or P-384 (the next generation's, under the same DN).
pub struct CertificateAuthority {
    key: CaKey,
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

/// SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1), as J-LIS computes its SKIs;
/// the same for both algorithms (see [`SubjectKey::key_identifier`]).
///
/// # Errors
/// [`Error::BadPublicKey`] if the key cannot be encoded.
pub fn key_identifier(key: &SubjectKey) -> Result<[u8; 20], Error> {
    key.key_identifier()
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
    /// Creates a self-signed CA with the real J-LIS CA profile and extension order: keyUsage
    /// keyCertSign + cRLSign (critical), SAN directory name, basicConstraints CA (critical), CRL
    /// distribution point naming the CA (its authority revocation list), SKI; no AKI. Written
    /// without rcgen, which cannot emit this order (see `issue::ca`).
    ///
    /// `key` is an `rsa::PrivateKey` (today's CA, sha256WithRSAEncryption) or a P-384 key
    /// (`p384::SecretKey` / `p384::ecdsa::SigningKey`: the next-generation CA, same DN,
    /// ecdsa-with-SHA384; give it 20 years, [`crate::validity::ng_ca_not_after`]).
    ///
    /// # Errors
    /// [`Error::BadValidity`] if notAfter precedes notBefore or a date lies outside 0000–9999,
    /// [`Error::Rsa`] or [`Error::Ecdsa`] on signing failure.
    pub fn create(request: &CaRequest, key: impl Into<CaKey>) -> Result<Self, Error> {
        let key = key.into();
        let der = ca::self_signed_der(request, &key)?;
        let certificate = JpkiCertificate::from_der(&der)?;
        Ok(Self { key, certificate })
    }

    /// A CA from its certificate and private key (e.g. loaded from fixtures).
    ///
    /// # Errors
    /// [`Error::WrongKind`] if the certificate is not a CA or the key does not match it.
    pub fn from_parts(certificate: JpkiCertificate, key: impl Into<CaKey>) -> Result<Self, Error> {
        let key = key.into();
        if !matches!(certificate.kind(), CertKind::Ca(_)) {
            return Err(Error::WrongKind { expected: "CA" });
        }
        if key.public_key() != *certificate.public_key() {
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

    /// The CA key's algorithm: which generation this CA issues for.
    pub fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
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
        self.key.to_pkcs8_der()
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
        subject_key: &SubjectKey,
    ) -> Result<Vec<rcgen::CustomExtension>, Error> {
        let env = self.certificate.environment();
        let h = self.hierarchy();
        let mut out = vec![
            custom(
                &oid::EXT_CERT_POLICIES,
                true,
                ext::certificate_policies(&h.policy_for(env, self.algorithm()), CPS_URI),
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
                &self.certificate.public_key().key_identifier()?,
                self.certificate.subject(),
                self.certificate.serial(),
            )?,
        ));
        out.push(custom(
            &oid::EXT_SKI,
            false,
            ext::subject_key_identifier(&subject_key.key_identifier()?)?,
        ));
        Ok(out)
    }

    /// Signs an end-entity certificate with rcgen, issuer name = this CA's subject (shared by
    /// every generation of the CA; the AKI and the signature tell them apart). A subject key
    /// of the other algorithm than the CA's is refused: no JPKI chain mixes them.
    fn sign_end_entity(
        &self,
        params: &CertificateParams,
        subject_key: &SubjectKey,
    ) -> Result<JpkiCertificate, Error> {
        if subject_key.algorithm() != self.algorithm() {
            return Err(Error::MixedAlgorithms {
                certificate: subject_key.algorithm(),
                issuer: self.algorithm(),
            });
        }
        let mut issuer_params = CertificateParams::default();
        issuer_params.distinguished_name = rcgen_name(self.certificate.subject(), "issuer")?;
        let signer = CaSigner::new(&self.key)?;
        let issuer = Issuer::new(issuer_params, &signer);
        let der = params
            .signed_by(&RcgenSubject::new(subject_key)?, &issuer)
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
            .with(AttributeKind::CommonName, request.common_name.as_str());
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
            .with(AttributeKind::CommonName, request.common_name.as_str());
        let birth = encode_birth_date(holder.birth_date)?;
        let gender = holder.gender.code().to_string();
        let name = holder.name.text();
        let address = holder.address.text();
        let name_positions = holder.name.substitute_positions();
        let address_positions = holder.address.substitute_positions();
        let values = [
            name.as_str(),
            birth.as_str(),
            gender.as_str(),
            address.as_str(),
            name_positions.as_str(),
            address_positions.as_str(),
        ];
        let other_names: Vec<_> = oid::SAN_CARD_ORDER.iter().copied().zip(values).collect();
        let mut params = base_params(
            request.serial,
            request.not_before,
            request.not_after,
            &subject,
        )?;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        // J-LIS writes the SAN right after keyUsage; rcgen would write a native SAN before it,
        // so the otherNames (`{ type-id, [0] EXPLICIT UTF8String }`, card order) go first among
        // the custom extensions, which rcgen writes after its keyUsage.
        let mut extensions = vec![custom(
            &oid::EXT_SAN,
            false,
            ext::subject_alt_other_names(&other_names)?,
        )];
        extensions.extend(self.end_entity_extensions(m, request.public_key)?);
        params.custom_extensions = extensions;
        self.sign_end_entity(&params, request.public_key)
    }
}
