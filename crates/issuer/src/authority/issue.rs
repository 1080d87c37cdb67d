//! Issuance at the municipal window: keys generated, certificates issued, the card file written.
use std::path::Path;

use cert::time::Date;
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
    /// a card with neither key, a signature PIN for a holder under 15, a Juki card on or after
    /// 2016-01-01, a period of stay that has ended: [`Error::IssueRequest`]; a card expiry
    /// after the holder's 10th birthday, 5th under 18, or the period of stay:
    /// [`Error::CardExpiryTooLate`]), certificate errors, or an existing `card_path`.
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
                let certificate = self.certify_authentication(
                    key.to_public_key(),
                    request.issued_at,
                    not_after,
                    &request.holder.municipality,
                )?;
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
                    // a My Number certificate ends with the card, which ends with the stay
                    (CardProfile::Juki, _) => cert::validity::juki_not_after(issued)
                        .map(|three_years| within_stay(three_years, request.stay_until)),
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
                let certificate = self.certify_signature(
                    key.to_public_key(),
                    request.issued_at,
                    not_after,
                    &request.holder,
                )?;
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

/// `not_after`, or the end of the last day of the period of stay (JST) when that is earlier.
fn within_stay(
    not_after: cert::time::OffsetDateTime,
    stay_until: Option<cert::time::Date>,
) -> cert::time::OffsetDateTime {
    stay_until.map_or(not_after, |last| {
        not_after.min(cert::validity::end_of_day_jst(last))
    })
}

/// The rules of spec §1 that bound a card by its issuing date: the end of Juki issuance, and
/// for a My Number card those of [`check_card_dates`].
fn check_dates(request: &IssueRequest) -> Result<(), Error> {
    let issued = cert::validity::jst_date(request.issued_at);
    match request.profile {
        CardProfile::MyNumber => check_card_dates(
            issued,
            request.holder.birth_date,
            request.card_expiry,
            request.stay_until,
            request.sign_pin.is_some(),
        ),
        CardProfile::Juki => {
            check_stay(request.stay_until, issued)?;
            if issued >= cert::validity::JUKI_ISSUANCE_ENDED {
                return Err(Error::IssueRequest {
                    reason: "new Juki cards (住基カード) were issued only until 2015-12-31 (the My Number card replaced them); issue a My Number card, or give an issuing date before 2016-01-01",
                });
            }
            match request.stay_until {
                Some(stay) if request.card_expiry > stay => Err(Error::CardExpiryTooLate {
                    card_expiry: request.card_expiry,
                    latest: stay,
                    rule: "the end of the period of stay",
                }),
                _ => Ok(()),
            }
        }
    }
}

/// A period of stay that ends before the issuing date is refused.
fn check_stay(stay_until: Option<Date>, issued: Date) -> Result<(), Error> {
    match stay_until {
        Some(stay) if stay < issued => Err(Error::IssueRequest {
            reason: "the period of stay ends before the issuing date: a foreign resident's card ends with the period of stay; renew the stay first",
        }),
        _ => Ok(()),
    }
}

/// The rules of spec §1 that bound a My Number card of either generation by its issuing date:
/// the period of stay, the signature certificate's minimum age (15), and the latest card
/// expiry (the 10th birthday after issue, the 5th under 18, the end of the stay).
pub(super) fn check_card_dates(
    issued: Date,
    birth: Date,
    card_expiry: Date,
    stay_until: Option<Date>,
    with_signature: bool,
) -> Result<(), Error> {
    check_stay(stay_until, issued)?;
    if with_signature && !cert::validity::may_have_signature(birth, issued).map_err(cert_err)? {
        return Err(Error::IssueRequest {
            reason: "holders under 15 get no signature certificate (JPKI rule); issue with --no-sign",
        });
    }
    let latest = cert::validity::latest_card_expiry(issued, birth).map_err(cert_err)?;
    let under_18 =
        cert::validity::age_on(birth, issued).map_err(cert_err)? < cert::validity::ADULT_CARD_AGE;
    let (latest, rule) = match stay_until {
        Some(stay) if stay < latest => (stay, "the end of the period of stay"),
        _ if under_18 => (latest, "the 5th birthday after issue for a holder under 18"),
        _ => (latest, "the 10th birthday after issue"),
    };
    if card_expiry > latest {
        return Err(Error::CardExpiryTooLate {
            card_expiry,
            latest,
            rule,
        });
    }
    Ok(())
}

/// The rules of a request that can be checked before any key is generated: holder data,
/// dates, parts the profile has, PIN kinds and retry limits.
fn check_request(request: &IssueRequest) -> Result<(), Error> {
    let issued = cert::validity::jst_date(request.issued_at);
    request.holder.validate_on(issued).map_err(cert_err)?;
    if request.card_expiry <= issued {
        return Err(Error::IssueRequest {
            reason: "the card expiry date is not after the issuing date",
        });
    }
    check_dates(request)?;
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
