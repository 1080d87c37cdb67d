//! Renewal (更新) of a next-generation card at the window: [`Authority::renew`]'s rules (which
//! certificates, the renewal window, the new PINs) with P-384 keys from the next-generation
//! CAs and the next generation's validity ([`cert::validity::ng_auth_not_after`],
//! [`cert::validity::ng_sign_not_after`]). A new authentication PIN is the new 暗証番号
//! (PIN4), a new signature PIN the new 署名用パスワード: the secrets that guard those keys.

use cert::time::OffsetDateTime;
use cert::{Hierarchy, JpkiCertificate, Municipality, RevocationReason};
use rand::CryptoRng;

use card_sim::{KeyRole, NextGenRenewal, SimCard};

use super::renew::current_certificates;
use super::{Authority, RenewRequest, Renewed, cert_err};
use crate::error::Error;

impl Authority {
    /// [`Authority::renew`] on a next-generation card: every check first, then the new
    /// certificates, then the old ones revoked `superseded` (on the next generation's CRLs),
    /// then the card in one write.
    pub(super) fn renew_next_gen<R: CryptoRng + ?Sized>(
        &mut self,
        card: &mut SimCard,
        request: RenewRequest,
        at: OffsetDateTime,
        rng: &mut R,
    ) -> Result<Vec<Renewed>, Error> {
        self.check_next_gen(card)?;
        let today = cert::validity::jst_date(at);
        let (auth, sign) = current_certificates(card)?;
        let roles = self.renewal_roles(card, &request, auth.as_ref(), sign.as_ref(), today)?;
        let municipality = match request.municipality {
            Some(m) => m,
            None => self.registered_municipality(auth.as_ref().or(sign.as_ref()))?,
        };
        let (birth, municipality, holder) =
            Self::renewal_facts(card, sign.as_ref(), Some(municipality))?;
        let card_expiry = super::life::card_expiry(card)?;
        // every validity before a serial is spent
        let renews = |role| roles.contains(&role);
        let auth_not_after = match (&auth, renews(KeyRole::Authentication)) {
            (_, true) => Some(
                cert::validity::ng_auth_not_after(today, birth, card_expiry).map_err(cert_err)?,
            ),
            (Some(old), false) => Some(old.not_after()),
            (None, false) => None,
        };
        let sign_not_after = match auth_not_after {
            Some(auth) => cert::validity::ng_sign_not_after(today, birth, card_expiry, auth),
            None => cert::validity::ng_auth_not_after(today, birth, card_expiry),
        }
        .map_err(cert_err)?;
        let mut plan = Vec::new();
        for (role, old, not_after) in [
            (KeyRole::Authentication, &auth, auth_not_after),
            (KeyRole::Signature, &sign, Some(sign_not_after)),
        ] {
            let (true, Some(old), Some(not_after)) = (renews(role), old, not_after) else {
                continue;
            };
            if not_after <= old.not_after() {
                return Err(Error::CardExpiresFirst { card_expiry });
            }
            plan.push((role, old, not_after));
        }
        let mut renewal = NextGenRenewal {
            pin4: request.auth_pin,
            sign_pw: request.sign_pin,
            ..NextGenRenewal::default()
        };
        let mut renewed = Vec::new();
        for (role, old, not_after) in &plan {
            let key = cert::keys::generate_p384(rng);
            let (certificate, hierarchy) = match role {
                KeyRole::Authentication => (
                    self.certify_authentication(key.public_key(), at, *not_after, &municipality)?,
                    Hierarchy::Authentication,
                ),
                KeyRole::Signature => {
                    // renewed only when the card has one: its 4 facts
                    let holder = holder.as_ref().ok_or(Error::NotOnCard {
                        part: "signature certificate",
                    })?;
                    (
                        self.certify_signature(key.public_key(), at, *not_after, holder)?,
                        Hierarchy::Signature,
                    )
                }
            };
            renewed.push(Renewed {
                role: *role,
                old_serial: old.serial(),
                new_serial: certificate.serial(),
                not_after: *not_after,
            });
            let key = Some(self.ng_key(key, &certificate, hierarchy)?);
            match role {
                KeyRole::Authentication => renewal.authentication = key,
                KeyRole::Signature => renewal.signature = key,
            }
        }
        // writes the state (serials spent) and the CRLs
        for (_, old, _) in &plan {
            self.revoke(old, RevocationReason::Superseded, at)?;
        }
        card.renew_next_gen(renewal, at)?;
        Ok(renewed)
    }

    /// The registered municipality whose CRL partition `certificate` names (a next-generation
    /// card has no 共通カードAP to carry the code).
    fn registered_municipality(
        &self,
        certificate: Option<&JpkiCertificate>,
    ) -> Result<Municipality, Error> {
        let certificate = certificate.ok_or(Error::MunicipalityUnknown)?;
        let code = self.partition_of(certificate)?;
        self.state
            .register
            .iter()
            .find(|m| m.code == code)
            .cloned()
            .ok_or(Error::MunicipalityUnknown)
    }
}

#[cfg(test)]
mod tests {
    //! Issuance gives a next-generation certificate the card's own expiry (P3), so renewal
    //! is refused on every card issued today (`tests/next_gen_life.rs`). The path that renews
    //! is tested here on a card whose certificates end before the card — made with the
    //! authority's own certify functions, which only this crate reaches. (A unit test: it builds
    //! its fixtures here, as the shared test crate's types are another copy of this crate's.)

    use card_sim::{MyNumber, NextGenRetryLimits};
    use pin_policy::{Pin, PinKind};
    use time::macros::{date, datetime};

    use super::*;
    use crate::NextGenIssueRequest;

    const NOW: OffsetDateTime = datetime!(2026-04-01 01:00 UTC);
    /// Inside the renewal window of certificates ending 2030-08-20.
    const IN_WINDOW: OffsetDateTime = datetime!(2030-07-01 01:00 UTC);

    fn pin(kind: PinKind, s: &str) -> Pin {
        Pin::new(kind, s.as_bytes()).unwrap()
    }

    /// SELECT of the 認証AP, then VERIFY of `reference` with `value`: the status word.
    fn verify(card: &mut SimCard, reference: u8, value: &str) -> [u8; 2] {
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0B];
        select.extend_from_slice(&card_sim::next_gen::ids::AID_AUTH);
        assert_eq!(card.process(&select), [0x90, 0x00]);
        let mut command = vec![
            0x00,
            0x20,
            0x00,
            reference,
            u8::try_from(value.len()).unwrap(),
        ];
        command.extend_from_slice(value.as_bytes());
        let answer = card.process(&command);
        answer.try_into().unwrap()
    }

    fn temp_dir() -> std::path::PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "issuer-unit-ng-renew-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn holder() -> cert::Holder {
        cert::Holder {
            name: cert::CardText::plain("番号\u{3000}花子"),
            address: cert::CardText::plain("東京都千代田区霞が関二丁目１番２号"),
            birth_date: date!(1985 - 08 - 20),
            gender: cert::Gender::Female,
            municipality: Municipality::new("13101", "Chiyoda-ku").unwrap(),
        }
    }

    #[test]
    fn certificates_ending_before_the_card_are_renewed_with_the_old_ones_superseded() {
        let dir = temp_dir();
        let mut authority = Authority::create(&dir.join("a"), NOW, &mut rand::rng()).unwrap();
        let holder = holder();
        let request = NextGenIssueRequest {
            holder: holder.clone(),
            my_number: MyNumber::new("123456789018").unwrap(),
            with_authentication: true,
            with_signature: true,
            sign_password: pin(PinKind::Signature, "ABC123"),
            pin4: pin(PinKind::Authentication, "1234"),
            retry_limits: NextGenRetryLimits::default(),
            card_expiry: date!(2035 - 08 - 20),
            stay_until: None,
            issued_at: NOW,
        };
        let mut card = authority
            .issue_next_gen_card(request, &dir.join("ng.card"), &mut rand::rng())
            .unwrap();
        // certificates to 2030-08-20, five years before the card
        let short = cert::validity::end_of_day_jst(date!(2030 - 08 - 20));
        let rng = &mut rand::rng();
        let auth_key = cert::keys::generate_p384(rng);
        let auth = authority
            .certify_authentication(auth_key.public_key(), NOW, short, &holder.municipality)
            .unwrap();
        let sign_key = cert::keys::generate_p384(rng);
        let sign = authority
            .certify_signature(sign_key.public_key(), NOW, short, &holder)
            .unwrap();
        let renewal = NextGenRenewal {
            authentication: Some(
                authority
                    .ng_key(auth_key, &auth, Hierarchy::Authentication)
                    .unwrap(),
            ),
            signature: Some(
                authority
                    .ng_key(sign_key, &sign, Hierarchy::Signature)
                    .unwrap(),
            ),
            ..NextGenRenewal::default()
        };
        card.renew_next_gen(renewal, NOW).unwrap();
        authority.save(NOW).unwrap();
        // a wrong PIN4 try: the counter survives a renewal that keeps PIN4
        assert_eq!(verify(&mut card, 0x82, "9999"), [0x63, 0xC2]);

        let renewed = authority
            .renew(
                &mut card,
                RenewRequest {
                    sign_pin: Some(pin(PinKind::Signature, "RENEW42")),
                    ..RenewRequest::default()
                },
                IN_WINDOW,
                rng,
            )
            .unwrap();
        assert_eq!(renewed.len(), 2);
        let card_end = cert::validity::end_of_day_jst(date!(2035 - 08 - 20));
        for (r, old) in renewed.iter().zip([&auth, &sign]) {
            assert_eq!(r.old_serial, old.serial());
            assert!(authority.is_revoked(old));
            assert_eq!(r.not_after, card_end);
            let new = JpkiCertificate::from_der(card.certificate(r.role).unwrap()).unwrap();
            assert_eq!(new.serial(), r.new_serial);
            assert_eq!(new.not_after(), card_end);
            let ca = authority
                .ca_of(new.hierarchy(), cert::keys::Algorithm::EcdsaP384)
                .unwrap();
            new.verify_signed_by(ca.certificate()).unwrap();
        }
        let revoked = authority
            .state
            .revoked
            .iter()
            .filter(|r| {
                r.revocation.reason == Some(RevocationReason::Superseded)
                    && r.algorithm == cert::keys::Algorithm::EcdsaP384
            })
            .count();
        assert_eq!(revoked, 2);
        assert_eq!(card.history().last_renewal, Some(IN_WINDOW));
        // the signing password is the new one; PIN4 kept its value and its counter
        let pin4 = card
            .next_gen_counter(card_sim::NextGenSecret::Pin4)
            .unwrap();
        assert_eq!(pin4.tries_left(), 2);
        assert_eq!(verify(&mut card, 0x81, "ABC123"), [0x63, 0xC4]);
        assert_eq!(verify(&mut card, 0x81, "RENEW42"), [0x90, 0x00]);
        assert_eq!(verify(&mut card, 0x82, "1234"), [0x90, 0x00]);
        drop((card, authority));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
