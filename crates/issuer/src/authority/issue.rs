//! Issuance at the municipal window: keys generated, certificates issued, the card file written.
use std::path::Path;

use cert::{AuthenticationRequest, SignatureRequest};
use rand::CryptoRng;

use card_sim::{
    Administration, CARD_ID_LEN, CardContents, CardProfile, KeyContents, KeyRole, SimCard,
    TextSupportContents,
};
use pin_policy::{Pin, PinKind};

use super::{Authority, IssueRequest, cert_err};
use crate::card_face::text_facts;
use crate::error::Error;

impl Authority {
    /// Issues a card into a new file at `card_path`: generates its keys, has the CAs certify
    /// them with the validity rules, and writes certificates, keys, PINs and text data.
    ///
    /// # Errors
    /// A request that breaks a rule (wrong PIN kind, a Juki card with an authentication key,
    /// a card with neither key…), certificate errors, or an existing `card_path`.
    pub fn issue_card<R: CryptoRng + ?Sized>(
        &mut self,
        request: IssueRequest,
        card_path: &Path,
        rng: &mut R,
    ) -> Result<SimCard, Error> {
        // Refuse before any key is generated or serial spent on certificates that would
        // reach no card.
        if card_path.exists() {
            return Err(Error::AlreadyExists {
                path: card_path.to_path_buf(),
            });
        }
        check_request(&request)?;
        let issued = cert::validity::jst_date(request.issued_at);
        let birth = request.holder.birth_date;
        let mut auth_not_after = None;
        let authentication = match request.auth_pin {
            None => None,
            Some(pin) => {
                let key = cert::keys::generate_key(rng).map_err(cert_err)?;
                let not_after =
                    cert::validity::my_number_auth_not_after(issued, birth, request.card_expiry)
                        .map_err(cert_err)?;
                auth_not_after = Some(not_after);
                let public = key.to_public_key();
                let serial = self.take_serial()?;
                let certificate = self
                    .auth_ca
                    .issue_authentication(&AuthenticationRequest {
                        serial,
                        public_key: &public,
                        not_before: request.issued_at,
                        not_after,
                        municipality: &request.holder.municipality,
                        common_name: placeholder_auth_cn(request.issued_at, serial)?,
                    })
                    .map_err(cert_err)?;
                Some(KeyContents {
                    certificate: certificate.der().to_vec(),
                    ca_certificate: self.auth_ca.certificate().der().to_vec(),
                    private_key: key,
                    pin,
                    retry_limit: request.retry_limits.auth,
                })
            }
        };
        let signature = match request.sign_pin {
            None => None,
            Some(pin) => {
                let key = cert::keys::generate_key(rng).map_err(cert_err)?;
                let not_after = match (request.profile, auth_not_after) {
                    (CardProfile::Juki, _) => cert::validity::juki_not_after(issued),
                    (CardProfile::MyNumber, Some(auth)) => {
                        cert::validity::my_number_sign_not_after(
                            issued,
                            birth,
                            request.card_expiry,
                            auth,
                        )
                    }
                    (CardProfile::MyNumber, None) => {
                        cert::validity::my_number_auth_not_after(issued, birth, request.card_expiry)
                    }
                }
                .map_err(cert_err)?;
                let public = key.to_public_key();
                let serial = self.take_serial()?;
                let certificate = self
                    .sign_ca
                    .issue_signature(&SignatureRequest {
                        serial,
                        public_key: &public,
                        not_before: request.issued_at,
                        not_after,
                        holder: &request.holder,
                        common_name: placeholder_sign_cn(request.issued_at, serial)?,
                    })
                    .map_err(cert_err)?;
                Some(KeyContents {
                    certificate: certificate.der().to_vec(),
                    ca_certificate: self.sign_ca.certificate().der().to_vec(),
                    private_key: key,
                    pin,
                    retry_limit: request.retry_limits.sign,
                })
            }
        };
        let mut text_support = match (request.text_pin, &request.my_number) {
            (Some(pin), Some(my_number)) => Some(TextSupportContents {
                my_number: my_number.clone(),
                facts: text_facts(&request.holder),
                pin,
                retry_limit: request.retry_limits.text,
                records: None,
            }),
            (None, None) => None,
            _ => {
                return Err(Error::IssueRequest {
                    reason: "the text-support application needs both a My Number and a PIN",
                });
            }
        };
        // The 住民基本台帳用 PIN: as asked, else the My Number card's 4-digit PIN.
        let resident_digits = request.resident_pin.as_ref().or(authentication
            .as_ref()
            .map(|k| &k.pin)
            .or(text_support.as_ref().map(|t| &t.pin)));
        let resident_pins = resident_digits
            .map(|pin| -> Result<(Pin, Pin), Error> {
                let pin = Pin::new(PinKind::ResidentRegistry, pin.expose_secret())?;
                Ok((pin.clone(), pin))
            })
            .transpose()?;
        let mut visual = None;
        let mut verification = None;
        let common_records = match (&request.my_number, text_support.as_mut()) {
            (Some(my_number), Some(text)) => {
                let face = self
                    .card_face(&request.holder, my_number, request.card_expiry, rng)?
                    .into_contents(request.retry_limits.numbers)?;
                text.records = Some(face.records);
                visual = Some(face.visual);
                verification = Some(face.verification);
                Some(face.common)
            }
            _ if resident_pins.is_some() => {
                Some(self.common_records(&request.holder, request.card_expiry, rng)?)
            }
            _ => None,
        };
        let common = match (common_records, resident_pins) {
            (Some(records), Some((common_pin, juki_pin))) => {
                Some(records.into_contents(common_pin, juki_pin, request.retry_limits.resident))
            }
            _ => None,
        };
        let contents = CardContents {
            profile: request.profile,
            authentication,
            signature,
            text_support,
            visual,
            common,
            verification,
        };
        let mut card_id = [0u8; CARD_ID_LEN];
        rng.fill_bytes(&mut card_id);
        let administration = Administration {
            card_id,
            admin_key: *self.admin.verifying_key(),
            card_expiry: request.card_expiry,
        };
        // the serials are spent whether or not the card file is written
        self.save(request.issued_at)?;
        Ok(SimCard::create_administered(
            card_path,
            contents,
            administration,
        )?)
    }
}

/// The rules of a request that can be checked before any key is generated: holder data,
/// parts the profile has, PIN kinds and retry limits.
fn check_request(request: &IssueRequest) -> Result<(), Error> {
    let issued = cert::validity::jst_date(request.issued_at);
    request.holder.validate_on(issued).map_err(cert_err)?;
    if request.card_expiry <= issued {
        return Err(Error::IssueRequest {
            reason: "the card expiry date is not after the issuing date",
        });
    }
    let profile = request.profile;
    if profile == CardProfile::Juki {
        if request.auth_pin.is_some() {
            return Err(card_sim::Error::NotOnProfile {
                profile,
                part: "authentication key",
            }
            .into());
        }
        if request.text_pin.is_some() || request.my_number.is_some() {
            return Err(card_sim::Error::NotOnProfile {
                profile,
                part: "text-support application",
            }
            .into());
        }
    }
    for (role, pin, limit) in [
        (
            KeyRole::Authentication,
            &request.auth_pin,
            request.retry_limits.auth,
        ),
        (
            KeyRole::Signature,
            &request.sign_pin,
            request.retry_limits.sign,
        ),
    ] {
        let Some(pin) = pin else { continue };
        let expected = profile.pin_kind(role);
        if pin.kind() != expected {
            return Err(card_sim::Error::WrongPinKind {
                role,
                expected,
                found: pin.kind(),
            }
            .into());
        }
        pin_policy::RetryCounter::new(limit)?;
    }
    if request.text_pin.is_some() != request.my_number.is_some() {
        return Err(Error::IssueRequest {
            reason: "the text-support application needs both a My Number and a PIN",
        });
    }
    if request.text_pin.is_some() {
        text_facts(&request.holder).validate()?;
    }
    if let Some(pin) = &request.resident_pin
        && pin.kind() != pin_policy::PinKind::ResidentRegistry
    {
        return Err(Error::Pin(pin_policy::Error::KindMismatch {
            expected: pin_policy::PinKind::ResidentRegistry,
            found: pin.kind(),
        }));
    }
    pin_policy::RetryCounter::new(request.retry_limits.resident)?;
    if request.my_number.is_some() {
        pin_policy::RetryCounter::new(request.retry_limits.numbers)?;
    }
    if let Some(pin) = &request.text_pin {
        if pin.kind() != pin_policy::PinKind::TextSupport {
            return Err(Error::Pin(pin_policy::Error::KindMismatch {
                expected: pin_policy::PinKind::TextSupport,
                found: pin.kind(),
            }));
        }
        pin_policy::RetryCounter::new(request.retry_limits.text)?;
    }
    Ok(())
}

/// The serial's low decimal digits, as a CN sequence number below `modulus`.
fn low_digits(serial: cert::Serial, modulus: u64) -> u64 {
    serial
        .as_bytes()
        .iter()
        .fold(0u64, |n, b| (n << 8 | u64::from(*b)) % modulus)
}

/// A stand-in authentication CN (code `00000`, sequence from the serial) until the issuer
/// generates real ones from its municipality register.
pub(super) fn placeholder_auth_cn(
    at: cert::time::OffsetDateTime,
    serial: cert::Serial,
) -> Result<cert::AuthenticationCommonName, Error> {
    let sequence = u16::try_from(low_digits(serial, 10_000)).unwrap_or(0);
    cert::AuthenticationCommonName::new(at, sequence, "00000").map_err(cert_err)
}

/// A stand-in signature CN (window `000000000`, sequence from the serial) until the issuer
/// generates real ones.
pub(super) fn placeholder_sign_cn(
    at: cert::time::OffsetDateTime,
    serial: cert::Serial,
) -> Result<cert::SignatureCommonName, Error> {
    let sequence = u32::try_from(low_digits(serial, 100_000)).unwrap_or(0);
    let window = cert::WindowId::new("00000", 0).map_err(cert_err)?;
    cert::SignatureCommonName::new(at, sequence, &window).map_err(cert_err)
}
