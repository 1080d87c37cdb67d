//! Issuance of a next-generation card (NG-sim v1, shared/next-gen-profile.md): P-384 keys, the
//! next-generation CAs' certificates (created with the first such card), the card's
//! genuineness certificate, the signing password and the 4-digit PIN. The rules of today's
//! card apply (no signature certificate under 15, card expiry by age and period of stay);
//! certificates run to the 10th birthday after issue (5th under 18), capped by the card (P3).

use std::path::Path;

use cert::time::{Date, OffsetDateTime};
use rand::CryptoRng;

use card_sim::{
    Administration, CARD_ID_LEN, MyNumber, NextGenContents, NextGenKey, NextGenRetryLimits, SimCard,
};
use pin_policy::{Pin, PinKind};

use super::{Authority, cert_err};
use crate::card_face::text_facts;
use crate::error::Error;

/// What the window needs to issue a next-generation card.
#[derive(Debug)]
pub struct NextGenIssueRequest {
    /// The 4 facts and municipality.
    pub holder: cert::Holder,
    /// The individual number (EF `0021`).
    pub my_number: MyNumber,
    /// Issue the authentication key and certificate (key `01`).
    pub with_authentication: bool,
    /// Issue the signature key and certificate (key `02`); never for a holder under 15.
    pub with_signature: bool,
    /// 署名用パスワード (a [`PinKind::Signature`]).
    pub sign_password: Pin,
    /// 暗証番号 (a [`PinKind::Authentication`], 4 digits).
    pub pin4: Pin,
    /// Retry limits (5/3/3 by default).
    pub retry_limits: NextGenRetryLimits,
    /// The card's expiry date (as today's: the 10th birthday, 5th under 18, the stay).
    pub card_expiry: Date,
    /// A foreign resident's period of stay ends on this date (JST).
    pub stay_until: Option<Date>,
    /// The issuing instant.
    pub issued_at: OffsetDateTime,
}

impl Authority {
    /// Issues a next-generation card into a new file at `card_path`, creating the
    /// next-generation CAs first if this authority has none ([`Self::enable_next_gen`]).
    ///
    /// # Errors
    /// [`Error::IssueRequest`] for a request that breaks a rule (neither key, a signature
    /// certificate under 15, an expiry past the rules, wrong secret kinds), certificate and
    /// I/O errors, an existing `card_path`.
    pub fn issue_next_gen_card<R: CryptoRng + ?Sized>(
        &mut self,
        request: NextGenIssueRequest,
        card_path: &Path,
        rng: &mut R,
    ) -> Result<SimCard, Error> {
        if card_path.exists() {
            return Err(Error::AlreadyExists {
                path: card_path.to_path_buf(),
            });
        }
        check(&request)?;
        self.enable_next_gen(request.issued_at, rng)?;
        let issued = cert::validity::jst_date(request.issued_at);
        let birth = request.holder.birth_date;
        let card_expiry = request.card_expiry;
        let mut auth_not_after = None;
        let authentication = if request.with_authentication {
            let key = cert::keys::generate_p384(rng);
            let not_after =
                cert::validity::ng_auth_not_after(issued, birth, card_expiry).map_err(cert_err)?;
            auth_not_after = Some(not_after);
            let certificate = self.certify_authentication(
                key.public_key(),
                request.issued_at,
                not_after,
                &request.holder.municipality,
            )?;
            Some(self.ng_key(key, &certificate, cert::Hierarchy::Authentication)?)
        } else {
            None
        };
        let signature = if request.with_signature {
            let key = cert::keys::generate_p384(rng);
            let not_after = match auth_not_after {
                Some(auth) => cert::validity::ng_sign_not_after(issued, birth, card_expiry, auth),
                None => cert::validity::ng_auth_not_after(issued, birth, card_expiry),
            }
            .map_err(cert_err)?;
            let certificate = self.certify_signature(
                key.public_key(),
                request.issued_at,
                not_after,
                &request.holder,
            )?;
            Some(self.ng_key(key, &certificate, cert::Hierarchy::Signature)?)
        } else {
            None
        };
        let mut card_id = [0u8; CARD_ID_LEN];
        rng.fill_bytes(&mut card_id);
        // the genuineness certificate's subject: the card serial, 16 hex digits (the first 8
        // bytes of the card ID)
        let card_serial: String = card_id.iter().take(8).map(|b| format!("{b:02X}")).collect();
        let card_key = cert::keys::generate_p384(rng);
        let (card_certificate, card_ca) = self.certify_card(
            &card_serial,
            &card_key.public_key(),
            request.issued_at,
            cert::validity::end_of_day_jst(card_expiry),
        )?;
        let contents = NextGenContents {
            authentication,
            signature,
            card_authentication: NextGenKey {
                private_key: card_key,
                certificate: card_certificate,
                ca_certificate: card_ca,
            },
            my_number: request.my_number,
            facts: text_facts(&request.holder),
            sign_pw: request.sign_password,
            pin4: request.pin4,
            retry_limits: request.retry_limits,
        };
        let administration = Administration {
            card_id,
            admin_key: *self.admin.verifying_key(),
            card_expiry,
        };
        // the serials are spent whether or not the card file is written
        self.save(request.issued_at)?;
        Ok(SimCard::create_next_gen_administered(
            card_path,
            contents,
            administration,
        )?)
    }

    pub(super) fn ng_key(
        &self,
        private_key: p384::SecretKey,
        certificate: &cert::JpkiCertificate,
        hierarchy: cert::Hierarchy,
    ) -> Result<NextGenKey, Error> {
        let ca = self.require_ca(hierarchy, cert::keys::Algorithm::EcdsaP384)?;
        Ok(NextGenKey {
            private_key,
            certificate: certificate.der().to_vec(),
            ca_certificate: ca.certificate().der().to_vec(),
        })
    }
}

/// The rules checked before any key is generated or serial spent.
fn check(request: &NextGenIssueRequest) -> Result<(), Error> {
    let issued = cert::validity::jst_date(request.issued_at);
    let birth = request.holder.birth_date;
    request.holder.validate_on(issued).map_err(cert_err)?;
    if !request.with_authentication && !request.with_signature {
        return Err(Error::IssueRequest {
            reason: "a next-generation card needs at least one of the authentication and signature keys",
        });
    }
    if request.card_expiry <= issued {
        return Err(Error::IssueRequest {
            reason: "the card expiry date is not after the issuing date",
        });
    }
    super::issue::check_card_dates(
        issued,
        birth,
        request.card_expiry,
        request.stay_until,
        request.with_signature,
    )?;
    for (pin, expected) in [
        (&request.sign_password, PinKind::Signature),
        (&request.pin4, PinKind::Authentication),
    ] {
        if pin.kind() != expected {
            return Err(Error::Pin(pin_policy::Error::KindMismatch {
                expected,
                found: pin.kind(),
            }));
        }
    }
    let limits = request.retry_limits;
    for limit in [limits.sign_pw, limits.pin4, limits.puk] {
        pin_policy::RetryCounter::new(limit)?;
    }
    text_facts(&request.holder).validate()?;
    Ok(())
}
