//! Issuing the next-generation card's genuineness certificates (NG-sim v1, see
//! [`crate::card_auth`]): the card-authentication CA (P-384, self-signed, written with the
//! crate's DER writer like the JPKI CAs: keyUsage, basicConstraints, SKI) and one certificate
//! per card (rcgen, signed by the CA's P-384 key through [`CaSigner`]).

use rcgen::{Issuer, KeyUsagePurpose};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::ca::{BASIC_CONSTRAINTS_CA, KEY_USAGE_CA};
use super::rcgen_glue::{CaSigner, RcgenSubject, rcgen_name, rcgen_time, sign};
use super::{CPS_URI, base_params};
use crate::card_auth::{CardAuthCertificate, card_auth_ca_name, is_card_serial};
use crate::der_writer::{self as w, SEQUENCE};
use crate::extensions::{self as ext, custom};
use crate::keys::{Algorithm, CaKey, SubjectKey};
use crate::name::{AttributeKind, DistinguishedName};
use crate::{Error, Serial, oid};

/// Parameters of a card's genuineness certificate.
#[derive(Clone, Debug)]
pub struct CardAuthenticationRequest<'a> {
    /// Serial number, unique within the card-authentication CA.
    pub serial: Serial,
    /// The card serial: 16 hex digits (upper case), the subject CN.
    pub card_serial: &'a str,
    /// The card's genuineness (internal-authentication) key.
    pub public_key: &'a p384::PublicKey,
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter (e.g. the card's expiry, 23:59:59 JST).
    pub not_after: OffsetDateTime,
}

/// The card-authentication CA: `C=JP, O=JPKI-NG-SIM, CN=Card Authentication CA`, P-384.
pub struct CardAuthenticationAuthority {
    key: CaKey,
    certificate: CardAuthCertificate,
}

impl std::fmt::Debug for CardAuthenticationAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardAuthenticationAuthority")
            .field("serial", &self.certificate.serial())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl CardAuthenticationAuthority {
    /// Creates the self-signed card-authentication CA (keyUsage keyCertSign + cRLSign and
    /// basicConstraints CA, both critical; SKI), signed ecdsa-with-SHA384.
    ///
    /// # Errors
    /// [`Error::BadValidity`], [`Error::Ecdsa`].
    pub fn create(
        serial: Serial,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        key: p384::SecretKey,
    ) -> Result<Self, Error> {
        if not_after < not_before {
            return Err(Error::BadValidity {
                reason: "notAfter precedes notBefore",
            });
        }
        let key = CaKey::from(key);
        let name = card_auth_ca_name().to_der();
        let public = key.public_key();
        let extensions = w::seq(&[
            &w::critical_extension(&oid::EXT_KEY_USAGE, &KEY_USAGE_CA),
            &w::critical_extension(&oid::EXT_BASIC_CONSTRAINTS, &BASIC_CONSTRAINTS_CA),
            &w::extension(
                &oid::EXT_SKI,
                &ext::subject_key_identifier(&public.key_identifier()?)?,
            ),
        ]);
        let mut validity = Vec::with_capacity(32);
        w::push_time(&mut validity, rcgen_time(not_before)?);
        w::push_time(&mut validity, rcgen_time(not_after)?);
        let algorithm = w::signature_algorithm(Algorithm::EcdsaP384);
        let tbs = w::seq(&[
            &w::tlv(0xA0, &w::uint(&[2])),
            &w::uint(serial.as_bytes()),
            &algorithm,
            &name,
            &w::tlv(SEQUENCE, &validity),
            &name,
            &public.to_spki_der()?,
            &w::tlv(0xA3, &extensions),
        ]);
        let signature = sign(&key, &tbs)?;
        let der = w::seq(&[&tbs, &algorithm, &w::bit_string(&signature)]);
        let certificate = CardAuthCertificate::from_der(&der)?;
        Ok(Self { key, certificate })
    }

    /// The CA from its certificate and P-384 key (e.g. loaded from disk).
    ///
    /// # Errors
    /// [`Error::WrongKind`] if the certificate is not the CA or the key does not match it.
    pub fn from_parts(
        certificate: CardAuthCertificate,
        key: p384::SecretKey,
    ) -> Result<Self, Error> {
        let key = CaKey::from(key);
        if !certificate.is_ca() || key.public_key() != *certificate.public_key() {
            return Err(Error::WrongKind {
                expected: "card-authentication CA whose key matches the private key",
            });
        }
        Ok(Self { key, certificate })
    }

    /// The CA certificate.
    pub fn certificate(&self) -> &CardAuthCertificate {
        &self.certificate
    }

    /// The CA's private key as PKCS#8 DER (zeroized on drop).
    ///
    /// # Errors
    /// [`Error::Pkcs8`] if encoding fails.
    pub fn private_key_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.key.to_pkcs8_der()
    }

    /// Issues a card's genuineness certificate: subject `C=JP, CN=<card serial>`, keyUsage
    /// digitalSignature (critical), critical certificatePolicies with the NG card-authentication
    /// policy and CPS, AKI (key id, issuer, serial), SKI; no personal data.
    ///
    /// # Errors
    /// [`Error::BadName`] if the card serial is not 16 hex digits, [`Error::BadValidity`].
    pub fn issue(
        &self,
        request: &CardAuthenticationRequest<'_>,
    ) -> Result<CardAuthCertificate, Error> {
        if !is_card_serial(request.card_serial) {
            return Err(Error::BadName {
                which: "subject",
                reason: "the card serial is 16 upper-case hex digits",
            });
        }
        let subject = DistinguishedName::new()
            .with(AttributeKind::Country, "JP")
            .with(AttributeKind::CommonName, request.card_serial);
        let mut params = base_params(
            request.serial,
            request.not_before,
            request.not_after,
            &subject,
        )?;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let ca_key = self.certificate.public_key().key_identifier()?;
        let subject_key = SubjectKey::from(*request.public_key);
        params.custom_extensions = vec![
            custom(
                &oid::EXT_CERT_POLICIES,
                true,
                ext::certificate_policies(oid::POLICY_NG_CARD_AUTH, CPS_URI),
            ),
            custom(
                &oid::EXT_AKI,
                false,
                ext::authority_key_identifier(
                    &ca_key,
                    &card_auth_ca_name(),
                    self.certificate.serial(),
                )?,
            ),
            custom(
                &oid::EXT_SKI,
                false,
                ext::subject_key_identifier(&subject_key.key_identifier()?)?,
            ),
        ];
        let mut issuer_params = rcgen::CertificateParams::default();
        issuer_params.distinguished_name = rcgen_name(&card_auth_ca_name(), "issuer")?;
        let signer = CaSigner::new(&self.key)?;
        let issuer = Issuer::new(issuer_params, &signer);
        let der = params
            .signed_by(&RcgenSubject::new(&subject_key)?, &issuer)
            .map_err(|e| signer.error(e))?
            .der()
            .to_vec();
        CardAuthCertificate::from_der(&der)
    }
}
