//! A certificate's life after issuance: a change of the 4 facts, a card fault (revocation is
//! `revocation`).

use cert::time::OffsetDateTime;
use cert::{JpkiCertificate, RevocationReason};
use rand::CryptoRng;

use card_sim::{ApKey, CardProfile, FaceUpdate, KeyRole, SimCard};
use pin_policy::{Pin, PinKind};

use super::{Authority, cert_err};
use crate::card_face::text_facts;
use crate::error::Error;

impl Authority {
    /// Checks that `card` was issued by this authority and is not terminated.
    pub(super) fn check_ours(&self, card: &SimCard) -> Result<(), Error> {
        let Some(admin) = card.administration() else {
            return Err(Error::ForeignCard {
                reason: "it carries no authority binding",
            });
        };
        if admin.admin_key != *self.admin.verifying_key() {
            return Err(Error::ForeignCard {
                reason: "its admin key is another authority's",
            });
        }
        if card.is_terminated() {
            return Err(Error::Terminated);
        }
        Ok(())
    }

    /// A change of the 4 facts (name, address, date of birth, gender) at the window: the
    /// signature certificate on the card is revoked on the signature CRL (reason
    /// affiliationChanged), and a new signature key and certificate for `holder` are written to
    /// the card, which keeps its signature PIN and retry counter. The authentication
    /// certificate survives (it carries no 4 facts); the text-support AP's 4 facts are replaced
    /// so they stay consistent with the new certificate.
    ///
    /// Everything that can be checked is checked before anything is revoked; the new
    /// certificate is issued, then the revocation (with the spent serial) is written, then the
    /// card. If the card cannot be written, the old certificate stays revoked and running the
    /// change again issues another one (the unused certificate's key never left memory).
    ///
    /// On a next-generation card the same, with P-384 keys and the next-generation CA: the
    /// new certificate runs as [`cert::validity::ng_sign_not_after`], the card's EF `0022`
    /// takes the new 4 facts, and the signing password keeps its value and counter.
    ///
    /// # Errors
    /// [`Error::ForeignCard`], [`Error::Terminated`], [`Error::CardLost`], [`Error::NotOnCard`]
    /// (no signature key),
    /// certificate and I/O errors.
    pub fn change_facts<R: CryptoRng + ?Sized>(
        &mut self,
        card: &mut SimCard,
        holder: cert::Holder,
        at: OffsetDateTime,
        rng: &mut R,
    ) -> Result<(), Error> {
        if card.is_next_gen() {
            return self.change_facts_next_gen(card, holder, at, rng);
        }
        self.check_active(card)?;
        let Some(old_der) = card.certificate(KeyRole::Signature) else {
            return Err(Error::NotOnCard {
                part: "signature certificate",
            });
        };
        let old = JpkiCertificate::from_der(old_der).map_err(cert_err)?;
        old.verify_signed_by(self.sign_ca.certificate())
            .map_err(|_| Error::ForeignCard {
                reason: "its signature certificate is another CA's",
            })?;
        let card_expiry = card_expiry(card)?;
        holder
            .validate_on(cert::validity::jst_date(at))
            .map_err(cert_err)?;
        let facts = text_facts(&holder);
        if card.has_text_support() {
            facts.validate()?;
        }
        let issued = cert::validity::jst_date(at);
        let not_after = match card.profile() {
            CardProfile::Juki => cert::validity::juki_not_after(issued),
            CardProfile::MyNumber => match card.certificate(KeyRole::Authentication) {
                Some(auth) => {
                    let auth = JpkiCertificate::from_der(auth).map_err(cert_err)?;
                    cert::validity::my_number_sign_not_after(
                        issued,
                        holder.birth_date,
                        card_expiry,
                        auth.not_after(),
                    )
                }
                None => {
                    cert::validity::my_number_auth_not_after(issued, holder.birth_date, card_expiry)
                }
            },
        }
        .map_err(cert_err)?;
        let face = self.face_update(card, &holder, card_expiry)?;
        let key = cert::keys::generate_key(rng).map_err(cert_err)?;
        let certificate = self.certify_signature(key.to_public_key(), at, not_after, &holder)?;
        // writes the state (serial spent) and the CRLs
        self.revoke(&old, RevocationReason::AffiliationChanged, at)?;
        Ok(card.replace_signature(
            key,
            certificate.der().to_vec(),
            self.sign_ca.certificate().der().to_vec(),
            facts,
            face,
        )?)
    }

    /// The 券面 records of `card` re-signed over `holder`'s facts, with the card keys it has;
    /// `None` for a card without the 券面 APs (a Juki card, a card file from before them).
    fn face_update(
        &self,
        card: &SimCard,
        holder: &cert::Holder,
        card_expiry: cert::time::Date,
    ) -> Result<Option<FaceUpdate>, Error> {
        let (Some(my_number), Some(code), Some(text_key), Some(visual_key)) = (
            card.my_number(),
            card.security_code(),
            card.ap_public_key(ApKey::TextSupport),
            card.ap_public_key(ApKey::Visual),
        ) else {
            return Ok(None);
        };
        let records =
            self.facts_records(holder, my_number, card_expiry, code, &text_key, &visual_key)?;
        Ok(Some(FaceUpdate {
            integrity: records.integrity,
            age_record: records.age_record,
            card_face: records.card_face,
            number_b: Pin::new(PinKind::VerificationB, records.number_b.as_bytes())?,
            birth_date: Pin::new(PinKind::BirthDate, records.birth_date_key.as_bytes())?,
        }))
    }

    /// A card fault: every certificate on the card is revoked (reason cessationOfOperation —
    /// the keys are lost with the card, nothing says they were compromised) and the card is
    /// terminated: its keys, PINs and text data are erased from the card file and it answers
    /// every command `6A82`, like a card whose applications are gone (clients report "no JPKI
    /// card" instead of retrying). The revocations are written before the card.
    ///
    /// # Errors
    /// [`Error::ForeignCard`], [`Error::Terminated`], certificate and I/O errors.
    pub fn fault(&mut self, card: &mut SimCard, at: OffsetDateTime) -> Result<(), Error> {
        self.check_ours(card)?;
        for role in [KeyRole::Authentication, KeyRole::Signature] {
            if let Some(der) = card.certificate(role) {
                let certificate = JpkiCertificate::from_der(der).map_err(cert_err)?;
                self.revoke(&certificate, RevocationReason::CessationOfOperation, at)?;
            }
        }
        Ok(card.terminate()?)
    }
}

/// The card's expiry from its authority binding; a card without one is not ours.
pub(super) fn card_expiry(card: &SimCard) -> Result<cert::time::Date, Error> {
    card.administration()
        .map(|a| a.card_expiry)
        .ok_or(Error::ForeignCard {
            reason: "it carries no authority binding",
        })
}
