//! The public side of a next-generation card: building one, looking at it, and the municipal
//! window's unlock.

use std::path::Path;

use pin_policy::{Pin, PinSlot, RetryCounter};

use crate::{
    card::SimCard,
    contents::next_gen::NgKeySlot,
    contents::{Administration, CardData},
    error::Error,
    next_gen::{NextGenContents, NextGenKeyId, NextGenSecret, Nonces},
};

impl SimCard {
    /// An in-memory next-generation card (NG-sim v1; nothing is written anywhere).
    ///
    /// # Errors
    /// `contents` breaks a rule: a secret of the wrong kind ([`Error::Pin`]), a retry limit
    /// outside `1..=15`, invalid 4 facts, an oversize certificate.
    pub fn new_next_gen(contents: NextGenContents) -> Result<Self, Error> {
        Ok(SimCard::from_data(
            CardData::issue_next_gen(contents)?,
            None,
        ))
    }

    /// [`new_next_gen`](Self::new_next_gen) bound to an issuing authority (card ID, admin key,
    /// card expiry), as [`new_administered`](Self::new_administered).
    ///
    /// # Errors
    /// As [`new_next_gen`](Self::new_next_gen).
    pub fn new_next_gen_administered(
        contents: NextGenContents,
        administration: Administration,
    ) -> Result<Self, Error> {
        let mut data = CardData::issue_next_gen(contents)?;
        data.admin = Some(administration);
        Ok(SimCard::from_data(data, None))
    }

    /// Issues a next-generation card into a new file at `path` (never replaces a file); it
    /// reopens with [`open`](Self::open) like any card.
    ///
    /// # Errors
    /// As [`new_next_gen`](Self::new_next_gen), plus those of [`create`](Self::create).
    pub fn create_next_gen(
        path: impl AsRef<Path>,
        contents: NextGenContents,
    ) -> Result<Self, Error> {
        SimCard::create_file(path.as_ref(), CardData::issue_next_gen(contents)?)
    }

    /// [`create_next_gen`](Self::create_next_gen) bound to an issuing authority.
    ///
    /// # Errors
    /// As [`create_next_gen`](Self::create_next_gen).
    pub fn create_next_gen_administered(
        path: impl AsRef<Path>,
        contents: NextGenContents,
        administration: Administration,
    ) -> Result<Self, Error> {
        let mut data = CardData::issue_next_gen(contents)?;
        data.admin = Some(administration);
        SimCard::create_file(path.as_ref(), data)
    }

    /// Whether this is a next-generation (NG-sim v1) card. A terminated card has lost its
    /// applications and answers `false`.
    #[must_use]
    pub fn is_next_gen(&self) -> bool {
        self.data.next_gen.is_some()
    }

    /// A secret's retry counter; `None` on today's card, and for the PUK before the holder
    /// set one.
    #[must_use]
    pub fn next_gen_counter(&self, secret: NextGenSecret) -> Option<RetryCounter> {
        let ng = self.data.next_gen.as_ref()?;
        let slot = match secret {
            NextGenSecret::SignPassword => &ng.sign_pw,
            NextGenSecret::Pin4 => &ng.pin4,
            NextGenSecret::Puk => ng.puk.as_ref()?,
        };
        Some(slot.counter())
    }

    fn next_gen_key(&self, key: NextGenKeyId) -> Option<&NgKeySlot> {
        self.data.next_gen.as_ref()?.key(key.number())
    }

    /// A key's end-entity certificate (DER), `None` on today's card or for an omitted key.
    #[must_use]
    pub fn next_gen_certificate(&self, key: NextGenKeyId) -> Option<&[u8]> {
        self.next_gen_key(key).map(|k| k.certificate.as_slice())
    }

    /// A key's CA certificate (DER), `None` on today's card or for an omitted key.
    #[must_use]
    pub fn next_gen_ca_certificate(&self, key: NextGenKeyId) -> Option<&[u8]> {
        self.next_gen_key(key).map(|k| k.ca_certificate.as_slice())
    }

    /// A key's public half (for the issuer, and for checking signatures in tests).
    #[must_use]
    pub fn next_gen_public_key(&self, key: NextGenKeyId) -> Option<p384::ecdsa::VerifyingKey> {
        self.next_gen_key(key).map(|k| *k.signing.verifying_key())
    }

    /// How the card chooses ECDSA nonces ([`Nonces::Random`] unless set; not stored in the
    /// card file).
    #[must_use]
    pub fn nonces(&self) -> Nonces {
        self.nonces
    }

    /// Chooses random or RFC 6979 nonces (the latter for fixed test vectors).
    pub fn set_nonces(&mut self, nonces: Nonces) {
        self.nonces = nonces;
    }

    /// The municipal window's unlock of a next-generation card in its hands (not an APDU;
    /// the issuer calls it after its own checks, as [`terminate`](Self::terminate)): the
    /// secret's counter back to its limit and, with `new`, a new value (of the secret's
    /// kind, [`NextGenSecret::kind`]). The only way out of a blocked SIGN_PW or PUK (P9).
    /// Written atomically; security state is cleared; on failure nothing changes.
    ///
    /// # Errors
    /// [`Error::NotOnCard`] on today's card or for an unset PUK with no `new`;
    /// [`Error::Pin`] for a `new` of another kind; the card file's write errors.
    pub fn unlock_next_gen(
        &mut self,
        secret: NextGenSecret,
        new: Option<Pin>,
    ) -> Result<(), Error> {
        let mut data = self.data.clone();
        let Some(ng) = data.next_gen.as_mut() else {
            return Err(Error::NotOnCard {
                part: "next-generation application",
            });
        };
        match (secret, new) {
            (NextGenSecret::SignPassword, new) => ng.sign_pw.admin_unlock(new)?,
            (NextGenSecret::Pin4, new) => ng.pin4.admin_unlock(new)?,
            (NextGenSecret::Puk, new) => match (ng.puk.as_mut(), new) {
                (Some(puk), new) => puk.admin_unlock(new)?,
                (None, Some(new)) => {
                    if new.kind() != NextGenSecret::Puk.kind() {
                        return Err(Error::Pin(pin_policy::Error::KindMismatch {
                            expected: NextGenSecret::Puk.kind(),
                            found: new.kind(),
                        }));
                    }
                    ng.puk = Some(PinSlot::new(new, ng.puk_limit)?);
                }
                (None, None) => return Err(Error::NotOnCard { part: "PUK" }),
            },
        }
        data.check()?;
        self.commit(data)
    }
}
