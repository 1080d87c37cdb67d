//! Renewal (更新) at the window: new keys and certificates on the same card from three months
//! before a certificate's expiry, the old ones revoked `superseded` (spec §1).

use cert::time::{Date, OffsetDateTime};
use cert::{JpkiCertificate, Municipality, RevocationReason, Serial};
use pin_policy::Pin;
use rand::CryptoRng;

use card_sim::{CardProfile, KeyRenewal, KeyRole, SimCard};

use super::{Authority, cert_err};
use crate::error::Error;

/// What the holder asks for at a renewal (更新).
#[derive(Debug, Default)]
pub struct RenewRequest {
    /// The certificates to renew; empty renews each one whose renewal window is open.
    pub roles: Vec<KeyRole>,
    /// A new authentication PIN; `None` keeps the PIN and its retry counter.
    pub auth_pin: Option<Pin>,
    /// A new signature PIN; `None` keeps the PIN and its retry counter.
    pub sign_pin: Option<Pin>,
    /// The holder's municipality, for the new certificates' CRL distribution point. `None`
    /// takes it from the card: the 共通カードAP's municipality code with the place names of
    /// the current signature certificate's subject (a card without either needs it here).
    pub municipality: Option<Municipality>,
}

/// One renewed certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renewed {
    /// Which key.
    pub role: KeyRole,
    /// The old certificate's serial (revoked `superseded`).
    pub old_serial: Serial,
    /// The new certificate's serial.
    pub new_serial: Serial,
    /// The new certificate's notAfter.
    pub not_after: OffsetDateTime,
}

impl Authority {
    /// Renewal (更新) of the card's certificates at `at`: for each certificate asked for (or,
    /// with no `roles`, each whose window is open) a new key and certificate in the same slot,
    /// the old certificate revoked `superseded`, the PIN kept (or replaced by the new one
    /// given). The card's own expiry does not change; the new certificates follow the
    /// issuance rules ([`cert::validity`]: authentication to the earlier of the 5th birthday
    /// after `at` and the card expiry, signature no later than authentication).
    ///
    /// A certificate is renewed from [`cert::validity::renewal_opens`] of its last day to that
    /// day; before, [`Error::RenewalNotOpen`] gives the opening date. An expired or revoked
    /// certificate is not renewed ([`Error::NotRenewable`]): a new one is issued. The holder's
    /// date of birth comes from the current signature certificate's 4 facts, else from the
    /// text-support AP's; the signature certificate's 4 facts are the current certificate's
    /// (a change of them is [`Authority::change_facts`]).
    ///
    /// On a next-generation card the same with P-384 keys from the next-generation CAs and
    /// the next generation's validity ([`cert::validity::ng_auth_not_after`]: to the 10th
    /// birthday, the 5th under 18); a new authentication PIN is the new 4-digit PIN, a new
    /// signature PIN the new signing password; the municipality comes from the register
    /// entry the current certificates' CRL partition names.
    ///
    /// # Errors
    /// [`Error::ForeignCard`], [`Error::Terminated`], [`Error::CardLost`],
    /// [`Error::NotOnCard`], [`Error::RenewalNotOpen`], [`Error::NotRenewable`],
    /// [`Error::RenewRequest`], certificate, card and I/O errors.
    pub fn renew<R: CryptoRng + ?Sized>(
        &mut self,
        card: &mut SimCard,
        request: RenewRequest,
        at: OffsetDateTime,
        rng: &mut R,
    ) -> Result<Vec<Renewed>, Error> {
        if card.is_next_gen() {
            return self.renew_next_gen(card, request, at, rng);
        }
        self.check_active(card)?;
        let today = cert::validity::jst_date(at);
        let (auth, sign) = current_certificates(card)?;
        let roles = self.renewal_roles(card, &request, auth.as_ref(), sign.as_ref(), today)?;
        let (birth, municipality, holder) =
            Self::renewal_facts(card, sign.as_ref(), request.municipality)?;
        let card_expiry = super::life::card_expiry(card)?;
        // check every validity before a serial is spent
        let auth_not_after = match (&auth, roles.contains(&KeyRole::Authentication)) {
            (_, true) => Some(
                cert::validity::my_number_auth_not_after(today, birth, card_expiry)
                    .map_err(cert_err)?,
            ),
            (Some(old), false) => Some(old.not_after()),
            (None, false) => None,
        };
        let sign_not_after = match (card.profile(), auth_not_after) {
            (CardProfile::Juki, _) => cert::validity::juki_not_after(today),
            (CardProfile::MyNumber, Some(auth)) => {
                cert::validity::my_number_sign_not_after(today, birth, card_expiry, auth)
            }
            (CardProfile::MyNumber, None) => {
                cert::validity::my_number_auth_not_after(today, birth, card_expiry)
            }
        }
        .map_err(cert_err)?;
        let mut plan = Vec::new();
        for role in roles {
            let (old, not_after) = match role {
                KeyRole::Authentication => (&auth, auth_not_after),
                KeyRole::Signature => (&sign, Some(sign_not_after)),
            };
            let (Some(old), Some(not_after)) = (old, not_after) else {
                continue;
            };
            if not_after <= old.not_after() {
                return Err(Error::CardExpiresFirst { card_expiry });
            }
            plan.push((role, old, not_after));
        }
        let (mut renewals, mut renewed) = (Vec::new(), Vec::new());
        for (role, old, not_after) in &plan {
            let key = cert::keys::generate_key(rng).map_err(cert_err)?;
            let (certificate, ca) = match role {
                KeyRole::Authentication => (
                    self.certify_authentication(
                        key.to_public_key(),
                        at,
                        *not_after,
                        &municipality,
                    )?,
                    self.auth_ca.certificate(),
                ),
                KeyRole::Signature => {
                    // a signature certificate is renewed only when the card has one: its 4 facts
                    let holder = holder.as_ref().ok_or(Error::NotOnCard {
                        part: "signature certificate",
                    })?;
                    (
                        self.certify_signature(key.to_public_key(), at, *not_after, holder)?,
                        self.sign_ca.certificate(),
                    )
                }
            };
            renewed.push(Renewed {
                role: *role,
                old_serial: old.serial(),
                new_serial: certificate.serial(),
                not_after: *not_after,
            });
            renewals.push(KeyRenewal {
                role: *role,
                private_key: key,
                certificate: certificate.der().to_vec(),
                ca_certificate: ca.der().to_vec(),
                new_pin: match role {
                    KeyRole::Authentication => request.auth_pin.clone(),
                    KeyRole::Signature => request.sign_pin.clone(),
                },
            });
        }
        // writes the state (serials spent) and the CRLs
        for (_, old, _) in &plan {
            self.revoke(old, RevocationReason::Superseded, at)?;
        }
        card.renew_keys(renewals, at)?;
        Ok(renewed)
    }

    /// The certificates a renewal renews: those asked for (each must be renewable), else each
    /// whose window is open; the new PINs given must be for those and of the card's kinds.
    pub(super) fn renewal_roles(
        &self,
        card: &SimCard,
        request: &RenewRequest,
        auth: Option<&JpkiCertificate>,
        sign: Option<&JpkiCertificate>,
        today: Date,
    ) -> Result<Vec<KeyRole>, Error> {
        let mut roles = Vec::new();
        let mut first_refusal = None;
        for (role, certificate) in [(KeyRole::Authentication, auth), (KeyRole::Signature, sign)] {
            let asked = request.roles.contains(&role);
            let Some(certificate) = certificate else {
                if asked {
                    return Err(Error::NotOnCard {
                        part: match role {
                            KeyRole::Authentication => "authentication certificate",
                            KeyRole::Signature => "signature certificate",
                        },
                    });
                }
                continue;
            };
            match self.renewable(role, certificate, today) {
                Ok(()) if asked || request.roles.is_empty() => roles.push(role),
                Ok(()) => {}
                Err(e) if asked => return Err(e),
                Err(e) => {
                    first_refusal.get_or_insert(e);
                }
            }
        }
        if roles.is_empty() {
            return Err(first_refusal.unwrap_or(Error::NotOnCard {
                part: "certificate to renew",
            }));
        }
        for (role, pin) in [
            (KeyRole::Authentication, &request.auth_pin),
            (KeyRole::Signature, &request.sign_pin),
        ] {
            let Some(pin) = pin else { continue };
            if !roles.contains(&role) {
                return Err(Error::RenewRequest {
                    reason: "a new PIN was given for a certificate that is not renewed",
                });
            }
            let expected = card.profile().pin_kind(role);
            if pin.kind() != expected {
                return Err(card_sim::Error::WrongPinKind {
                    role,
                    expected,
                    found: pin.kind(),
                }
                .into());
            }
        }
        Ok(roles)
    }

    /// Whether `certificate` (the card's `role` certificate) may be renewed on `today`.
    fn renewable(
        &self,
        role: KeyRole,
        certificate: &JpkiCertificate,
        today: Date,
    ) -> Result<(), Error> {
        let ca = self
            .ca_of(certificate.hierarchy(), certificate.algorithm())
            .ok_or(Error::ForeignCard {
                reason: "its certificate is another CA's",
            })?;
        certificate
            .verify_signed_by(ca.certificate())
            .map_err(|_| Error::ForeignCard {
                reason: "its certificate is another CA's",
            })?;
        if self.is_revoked(certificate) {
            return Err(Error::NotRenewable {
                role,
                reason: "it is revoked; a new certificate is issued instead",
            });
        }
        let expiry = cert::validity::jst_date(certificate.not_after());
        if today > expiry {
            return Err(Error::NotRenewable {
                role,
                reason: "it has expired; a new certificate is issued instead",
            });
        }
        let opens = cert::validity::renewal_opens(expiry).map_err(cert_err)?;
        if today < opens {
            return Err(Error::RenewalNotOpen {
                role,
                opens,
                expiry,
            });
        }
        Ok(())
    }

    /// What a renewal certifies beyond the keys: the holder's date of birth (from the current
    /// signature certificate's 4 facts, else the text-support AP's), the municipality, and the
    /// 4 facts of the current signature certificate (`None` without one).
    pub(super) fn renewal_facts(
        card: &SimCard,
        sign: Option<&JpkiCertificate>,
        municipality: Option<Municipality>,
    ) -> Result<(Date, Municipality, Option<cert::Holder>), Error> {
        let municipality = match municipality {
            Some(m) => m,
            None => {
                let (Some(code), Some(place)) = (
                    card.municipality_code(),
                    sign.and_then(JpkiCertificate::municipality),
                ) else {
                    return Err(Error::MunicipalityUnknown);
                };
                Municipality::new(code, &place.city).map_err(cert_err)?
            }
        };
        if let Some(facts) = sign.and_then(JpkiCertificate::four_facts) {
            let holder = cert::Holder {
                name: facts.name.clone(),
                address: facts.address.clone(),
                birth_date: facts.birth_date,
                gender: facts.gender,
                municipality: municipality.clone(),
            };
            return Ok((facts.birth_date, municipality, Some(holder)));
        }
        let birth = card
            .four_facts()
            .and_then(|f| parse_yyyymmdd(&f.birth_date))
            .ok_or(Error::NotOnCard {
                part: "date of birth (no signature certificate and no text-support 4 facts)",
            })?;
        Ok((birth, municipality, None))
    }
}

/// `YYYYMMDD` (the text-support AP's date of birth) as a date.
fn parse_yyyymmdd(text: &str) -> Option<Date> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        text.get(range)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
    };
    if text.len() != 8 {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = cert::time::Month::try_from(u8::try_from(digits(4..6)?).ok()?).ok()?;
    let day = u8::try_from(digits(6..8)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// The card's authentication and signature certificates, parsed (`None` for a slot the card
/// was issued without), for a renewal of either generation.
pub(super) fn current_certificates(
    card: &SimCard,
) -> Result<(Option<JpkiCertificate>, Option<JpkiCertificate>), Error> {
    let current = |role| -> Result<Option<JpkiCertificate>, Error> {
        card.certificate(role)
            .map(|der| JpkiCertificate::from_der(der).map_err(cert_err))
            .transpose()
    };
    Ok((
        current(KeyRole::Authentication)?,
        current(KeyRole::Signature)?,
    ))
}
