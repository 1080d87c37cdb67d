//! A verified secret of the next-generation 認証AP, in the types: [`NgSession`]
//! (shared/next-gen-profile.md §2.3: "Verified state ends at reset or re-SELECT of 認証AP").

use apdu::{Channel, Transport};
use p384::ecdsa::VerifyingKey;
use sha2::Digest;

use super::commands;
use super::ecdsa::{certificate_p384_key, verified_der_signature};
use super::ids;
use super::secret::NgSecret;
use crate::error::Error;
use crate::iso;
use crate::signature::CardSignature;
use crate::text_support::{FourFacts, read_four_facts, read_my_number};
use crate::types::{CertSlot, KeyRef};

/// The 認証AP with one secret verified, from [`super::NextGenApplet::verify`]. It borrows the
/// applet mutably, so nothing that selects the application again (and so ends the verified
/// state) can be sent while it lives; its own commands select only elementary files.
///
/// ```
/// # use apdu::{Transport, TransportError};
/// # struct Absent;
/// # impl Transport for Absent {
/// #     fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> { Err(TransportError::NoCard) }
/// # }
/// use jpki_applet::{KeyRef, NextGenApplet, NgSecret};
/// # fn run(transport: Absent) -> Result<(), jpki_applet::Error> {
/// let mut card = NextGenApplet::open(transport)?;
/// let mut session = card.verify(NgSecret::SignPassword, b"ABC123")?; // the one VERIFY
/// let certificate = session.certificate(KeyRef::Sign.certificate())?;
/// let signature = session.sign_message(KeyRef::Sign, b"application form")?; // DER, verified
/// # let _ = (certificate, signature);
/// # Ok(()) }
/// # assert!(run(Absent).is_err());
/// ```
#[derive(Debug)]
pub struct NgSession<'a, T> {
    channel: &'a mut Channel<T>,
    verified: NgSecret,
    /// The keys of the certificates read so far.
    keys: Vec<(KeyRef, VerifyingKey)>,
}

impl<'a, T: Transport> NgSession<'a, T> {
    /// Only the applet opens one, after a successful VERIFY of `verified`.
    pub(crate) const fn new(channel: &'a mut Channel<T>, verified: NgSecret) -> Self {
        Self {
            channel,
            verified,
            keys: Vec::new(),
        }
    }

    /// The secret that was verified.
    #[must_use]
    pub const fn verified(&self) -> NgSecret {
        self.verified
    }

    /// A certificate of the application without leaving the session: SELECT its EF, read the
    /// header then chunks.
    ///
    /// # Errors
    /// [`Error::NoCertificate`] for an empty slot; [`Error::SecurityStatusNotSatisfied`] for the
    /// signature certificate when only the 4-digit PIN was verified.
    pub fn certificate(&mut self, slot: CertSlot) -> Result<Vec<u8>, Error> {
        read_slot(self.channel, slot)
    }

    /// The My Number (EF `0021`, `FF 10 0C` + 12 digits), after the 4-digit PIN or the signing
    /// password.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] for content that is not a My Number;
    /// [`Error::SecurityStatusNotSatisfied`] if the card wants another secret.
    pub fn my_number(&mut self) -> Result<String, Error> {
        read_my_number(self.channel, ids::ef::MY_NUMBER)
    }

    /// The 4 facts (EF `0022`, bytes as today's 入力補助AP `0002`), after the 4-digit PIN or
    /// the signing password.
    ///
    /// # Errors
    /// As [`NgSession::my_number`].
    pub fn four_facts(&mut self) -> Result<FourFacts, Error> {
        read_four_facts(self.channel, ids::ef::FOUR_FACTS)
    }

    /// Signs SHA-384(`message`) with `key`: [`NgSession::sign_hash`].
    ///
    /// # Errors
    /// As [`NgSession::sign_hash`].
    pub fn sign_message(&mut self, key: KeyRef, message: &[u8]) -> Result<CardSignature, Error> {
        self.sign_hash(key, &sha2::Sha384::digest(message))
    }

    /// Signs a SHA-384 hash with `key` and checks the answer against the key's certificate,
    /// read from the card the first time (`00 A4 02 0C 02 00 0A`/`00 01`, READ BINARY): MSE:SET
    /// `00 22 41 B6 03 84 01 <01|02>`, PSO:CDS `00 2A 9E 9A 30 <hash> 00` → 96 bytes `r ‖ s`,
    /// which must verify; the result carries the DER.
    ///
    /// # Errors
    /// [`Error::HashLength`] unless 48 bytes (nothing sent); [`Error::SignatureLength`],
    /// [`Error::SignatureValue`], [`Error::CardSignatureInvalid`] for an answer that is not a
    /// good signature; [`Error::CertificateKey`]; [`Error::SecurityStatusNotSatisfied`] when
    /// the verified secret does not open `key`.
    pub fn sign_hash(&mut self, key: KeyRef, hash: &[u8]) -> Result<CardSignature, Error> {
        commands::check_hash(hash)?;
        let known = self.keys.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let verifying = match known {
            Some(v) => v,
            None => {
                let v = certificate_p384_key(&read_slot(self.channel, key.certificate())?)?;
                self.keys.push((key, v));
                v
            }
        };
        self.sign_hash_with(key, hash, &verifying)
    }

    /// [`NgSession::sign_hash`] with the public key given (e.g. from a certificate the caller
    /// already parsed), so no certificate is read.
    ///
    /// # Errors
    /// As [`NgSession::sign_hash`].
    pub fn sign_hash_with(
        &mut self,
        key: KeyRef,
        hash: &[u8],
        public: &VerifyingKey,
    ) -> Result<CardSignature, Error> {
        commands::check_hash(hash)?;
        commands::mse_set(self.channel, key_number(key))?;
        let raw = commands::pso_cds(self.channel, hash)?;
        let der = verified_der_signature(&raw, hash, public)?;
        Ok(CardSignature::ecdsa(der.to_bytes().to_vec(), raw))
    }

    /// Ends the verified state on the card now: SELECT the 認証AP.
    ///
    /// # Errors
    /// Transport failures.
    pub fn end(self) -> Result<(), Error> {
        commands::select_auth_ap(self.channel)
    }
}

/// SELECT the EF of `slot` in the 認証AP and read its DER.
pub(crate) fn read_slot<T: Transport>(
    ch: &mut Channel<T>,
    slot: CertSlot,
) -> Result<Vec<u8>, Error> {
    let fid = match slot {
        CertSlot::Auth => ids::ef::AUTH_CERT,
        CertSlot::AuthCa => ids::ef::AUTH_CA_CERT,
        CertSlot::Sign => ids::ef::SIGN_CERT,
        CertSlot::SignCa => ids::ef::SIGN_CA_CERT,
    };
    iso::read_der_file(ch, fid)?.ok_or(Error::NoCertificate { slot })
}

const fn key_number(key: KeyRef) -> u8 {
    match key {
        KeyRef::Auth => ids::key::AUTH,
        KeyRef::Sign => ids::key::SIGN,
    }
}
