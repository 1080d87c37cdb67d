//! A verified PIN, in the types: [`KeySession`] (shared/jpki-spec.md §5, "verified state lives
//! until … re-SELECT of the JPKI AID; it survives EF selects and several signatures").

use apdu::{Channel, Transport};

use crate::error::Error;
use crate::iso;
use crate::types::{CardFacts, CertSlot, KeyRef};

/// The card's JPKI application with one key's PIN verified, from
/// [`crate::JpkiApplet::verify_key_pin`] (or `verify_sign_pin` / `verify_auth_pin`).
///
/// It borrows the applet mutably, so nothing that selects an application — and so ends the
/// verified state on the card — can be sent while it lives; its own commands select only
/// elementary files. Dropping it sends nothing: the card keeps the state until the next
/// application SELECT or reset ([`KeySession::end`] ends it at once).
///
/// ```
/// # use apdu::{Transport, TransportError};
/// # struct Absent;
/// # impl Transport for Absent {
/// #     fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> { Err(TransportError::NoCard) }
/// # }
/// use jpki_applet::{HashAlg, JpkiApplet};
/// # fn run(transport: Absent) -> Result<(), jpki_applet::Error> {
/// let mut card = JpkiApplet::open(transport)?;
/// let mut session = card.verify_sign_pin(b"ABC123")?; // the one VERIFY
/// let certificate = session.certificate()?;
/// let digest_info = HashAlg::Sha256.hash_to_digest_info(b"application form").unwrap_or_default();
/// let signature = session.sign(&digest_info)?; // no second VERIFY
/// # let _ = (certificate, signature);
/// # Ok(()) }
/// # assert!(run(Absent).is_err());
/// ```
#[derive(Debug)]
pub struct KeySession<'a, T> {
    channel: &'a mut Channel<T>,
    facts: &'a CardFacts,
    key: KeyRef,
}

impl<'a, T: Transport> KeySession<'a, T> {
    /// Only the applet opens one, after a successful VERIFY of `key`'s PIN.
    pub(crate) const fn new(
        channel: &'a mut Channel<T>,
        facts: &'a CardFacts,
        key: KeyRef,
    ) -> Self {
        Self {
            channel,
            facts,
            key,
        }
    }

    /// The key whose PIN was verified.
    #[must_use]
    pub const fn key(&self) -> KeyRef {
        self.key
    }

    /// The card's facts, as read when it was opened; no APDU.
    #[must_use]
    pub const fn facts(&self) -> &CardFacts {
        self.facts
    }

    /// The certificate of the session's key (EF `0001` for the signature key, `000A` for the
    /// authentication key), without another VERIFY: `00 A4 02 0C 02 00 01`,
    /// `00 B0 00 00 04` → `30 82 LL LL`, then `00 B0 P1 P2 00` chunks and the exact remainder.
    ///
    /// # Errors
    /// [`Error::NoCertificate`] for an empty slot; transport failures.
    pub fn certificate(&mut self) -> Result<Vec<u8>, Error> {
        self.read_certificate(self.key.certificate())
    }

    /// Any certificate of the application (e.g. the CA's), without leaving the session: SELECT
    /// the EF and read it as [`KeySession::certificate`] does.
    ///
    /// # Errors
    /// [`Error::NoCertificate`] for an empty slot; [`Error::SecurityStatusNotSatisfied`] for
    /// the signature certificate in an authentication session.
    pub fn read_certificate(&mut self, slot: CertSlot) -> Result<Vec<u8>, Error> {
        iso::read_certificate_file(self.channel, slot)
    }

    /// Signs `data` (normally a DigestInfo, see [`crate::digest_info`]) with the session's key,
    /// without another VERIFY: `00 A4 02 0C 02 00 1A` (or `00 17`), then
    /// `80 2A 00 80 Lc <data> 00` → 256 bytes + `9000`. May be called again.
    ///
    /// # Errors
    /// [`Error::SignInputTooLong`] over 245 bytes (nothing sent); an answer that is not 256
    /// bytes; [`Error::SecurityStatusNotSatisfied`] if the card lost the state (reset).
    pub fn sign(&mut self, data: &[u8]) -> Result<Vec<u8>, Error> {
        iso::check_sign_input(data)?;
        iso::compute_signature(self.channel, self.key, data, true)
    }

    /// Ends the verified state on the card now: `00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01`.
    ///
    /// # Errors
    /// Transport failures.
    pub fn end(self) -> Result<(), Error> {
        iso::select_application(self.channel, crate::file_map::App::Jpki)
    }
}
