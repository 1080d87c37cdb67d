//! The JPKI application (公的個人認証AP): shared/jpki-spec.md §3–§5.

use core::fmt;

use apdu::{Channel, Transport};
use pin_policy::{Pin, PinKind};

use crate::error::Error;
use crate::file_map::{App, jpki};
use crate::iso::{self, select_application, select_ef};
use crate::session::KeySession;
use crate::types::{
    Availability, CardFacts, CardKind, CertSlot, KeyRef, PinRef, PinStatus, TokenInfo,
};

/// The client of a card's JPKI application, over any [`Transport`].
///
/// [`JpkiApplet::open`] reads the card's facts once (generation, available keys); they are
/// kept, not re-read. Each operation selects the application first and runs its whole APDU
/// sequence. A verified PIN is held by a [`KeySession`], which borrows the applet mutably: no
/// operation that re-selects an application (§5: that ends the verified state) can run while
/// it lives.
///
/// ```
/// # use apdu::{Transport, TransportError};
/// # struct NoCard;
/// # impl Transport for NoCard {
/// #     fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> { Ok(vec![0x6A, 0x82]) }
/// # }
/// use jpki_applet::{Error, JpkiApplet};
/// assert!(matches!(JpkiApplet::open(NoCard), Err(Error::ApplicationNotFound { .. })));
/// ```
pub struct JpkiApplet<T> {
    channel: Channel<T>,
    facts: CardFacts,
}

impl<T: fmt::Debug> fmt::Debug for JpkiApplet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JpkiApplet")
            .field("channel", &self.channel)
            .field("facts", &self.facts)
            .finish()
    }
}

impl<T: Transport> JpkiApplet<T> {
    /// Opens the JPKI application on a transport and reads its facts (§4):
    /// `00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01`, the token info
    /// `00 A4 02 0C 02 00 06`, `00 B0 00 00 00`, and the availability `00 A4 02 0C 02 00 08`,
    /// `00 B0 00 00 03` — 5 APDUs, nothing written.
    ///
    /// # Errors
    /// [`Error::ApplicationNotFound`] on a card without it; [`Error::MalformedFile`] for a
    /// token info that is not 160 bytes of `CK_TOKEN_INFO` (or whose label names no JPKI
    /// card) or an availability file under 2 bytes.
    pub fn open(transport: T) -> Result<Self, Error> {
        Self::open_channel(Channel::new(transport))
    }

    /// [`JpkiApplet::open`] over a channel (with its trace hook, if set, so the facts' APDUs
    /// are traced too).
    ///
    /// # Errors
    /// As [`JpkiApplet::open`].
    pub fn open_channel(mut channel: Channel<T>) -> Result<Self, Error> {
        select_application(&mut channel, App::Jpki)?;
        Self::open_selected(channel)
    }

    /// Reads the facts with the JPKI application already selected (after detection).
    pub(crate) fn open_selected(mut channel: Channel<T>) -> Result<Self, Error> {
        let token_info = read_token_info(&mut channel)?;
        let availability = read_availability(&mut channel)?;
        Ok(Self {
            channel,
            facts: CardFacts {
                token_info,
                availability,
            },
        })
    }

    /// The channel, to set a trace hook or reach the transport.
    pub const fn channel_mut(&mut self) -> &mut Channel<T> {
        &mut self.channel
    }

    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        self.channel.into_inner()
    }

    /// Everything read when the card was opened.
    #[must_use]
    pub const fn facts(&self) -> &CardFacts {
        &self.facts
    }

    /// EF `0006` as read when the card was opened; no APDU.
    #[must_use]
    pub const fn token_info(&self) -> &TokenInfo {
        &self.facts.token_info
    }

    /// The card generation; no APDU.
    #[must_use]
    pub const fn kind(&self) -> CardKind {
        self.facts.token_info.kind
    }

    /// EF `0008` as read when the card was opened; no APDU.
    #[must_use]
    pub const fn availability(&self) -> Availability {
        self.facts.availability
    }

    /// The PIN kind (format rule) of `pin` on this card: the signature PIN's rule depends on
    /// the card generation. No APDU.
    #[must_use]
    pub const fn pin_kind(&self, pin: PinRef) -> PinKind {
        self.facts.token_info.kind.pin_kind(pin)
    }

    /// SELECT the JPKI application: `00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01` → `9000`.
    /// Ends any verified state.
    ///
    /// # Errors
    /// [`Error::ApplicationNotFound`] on a card without it.
    pub fn select(&mut self) -> Result<(), Error> {
        select_application(&mut self.channel, App::Jpki)
    }

    /// Tries left on a PIN, without spending one (§5): SELECT its application and EF (e.g.
    /// `00 A4 02 0C 02 00 18`), then `00 20 00 80` with no data → `63 Cx`.
    ///
    /// # Errors
    /// [`Error::FileNotFound`] when the card has no such PIN (a card without a signature
    /// certificate has no signature PIN).
    pub fn pin_status(&mut self, pin: PinRef) -> Result<PinStatus, Error> {
        self.select_pin(pin)?;
        iso::pin_query(&mut self.channel)
    }

    /// Checks a PIN (§5): SELECT its application and EF, `00 20 00 80 Lc <PIN>`. The PIN's
    /// format is checked first: a PIN that cannot be right is never sent, so it costs no try.
    /// To use the key a PIN unlocks, [`JpkiApplet::verify_key_pin`] returns a session instead.
    ///
    /// # Errors
    /// [`Error::WrongPin`] with the tries left, [`Error::PinBlocked`], [`Error::PinFormat`].
    pub fn verify_pin(&mut self, pin: PinRef, value: &[u8]) -> Result<(), Error> {
        let checked = self.checked_pin(pin, value)?;
        self.select_pin(pin)?;
        iso::verify(&mut self.channel, pin, &checked)
    }

    /// Verifies the PIN of `key` once and returns the session it opens (§5):
    /// `00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01` (a fresh security state), SELECT the PIN
    /// EF (`00 A4 02 0C 02 00 1B` or `… 00 18`), `00 20 00 80 Lc <PIN>`. The session's
    /// certificate reads and signatures need no further VERIFY.
    ///
    /// # Errors
    /// [`Error::WrongPin`] with the tries left, [`Error::PinBlocked`], [`Error::PinFormat`]
    /// (nothing sent), [`Error::FileNotFound`] on a card without that key's PIN.
    pub fn verify_key_pin(&mut self, key: KeyRef, pin: &[u8]) -> Result<KeySession<'_, T>, Error> {
        self.verify_pin(key.pin(), pin)?;
        Ok(KeySession::new(&mut self.channel, &self.facts, key))
    }

    /// [`JpkiApplet::verify_key_pin`] for the signature key (PIN EF `001B`).
    ///
    /// # Errors
    /// As [`JpkiApplet::verify_key_pin`].
    pub fn verify_sign_pin(&mut self, pin: &[u8]) -> Result<KeySession<'_, T>, Error> {
        self.verify_key_pin(KeyRef::Sign, pin)
    }

    /// [`JpkiApplet::verify_key_pin`] for the authentication key (PIN EF `0018`).
    ///
    /// # Errors
    /// As [`JpkiApplet::verify_key_pin`].
    pub fn verify_auth_pin(&mut self, pin: &[u8]) -> Result<KeySession<'_, T>, Error> {
        self.verify_key_pin(KeyRef::Auth, pin)
    }

    /// Changes a PIN (§5): the new PIN is format-checked locally first, then the old one is
    /// verified (SELECT application and PIN EF, `00 20 00 80 Lc <old>`), then
    /// `00 24 01 80 Lc <new PIN>`.
    ///
    /// # Errors
    /// [`Error::PinFormat`] (nothing sent) for a new PIN breaking its rule; the errors of
    /// [`JpkiApplet::verify_pin`] for the old one.
    pub fn change_pin(&mut self, pin: PinRef, old: &[u8], new: &[u8]) -> Result<(), Error> {
        let new = self.checked_pin(pin, new)?;
        let old = self.checked_pin(pin, old)?;
        self.select_pin(pin)?;
        iso::verify(&mut self.channel, pin, &old)?;
        iso::change_reference_data(&mut self.channel, pin, &new)
    }

    /// Reads a certificate's DER (§4, §5): SELECT the application, SELECT the EF
    /// (`00 A4 02 0C 02 00 0A`…), read 4 bytes of header (`00 B0 00 00 04` → `30 82 LL LL`),
    /// then 256-byte chunks (`00 B0 P1 P2 00`) and the exact remainder. Filler after the DER
    /// is not returned. The signature certificate needs a session
    /// ([`KeySession::certificate`]).
    ///
    /// # Errors
    /// [`Error::NoCertificate`] for an empty slot, [`Error::SecurityStatusNotSatisfied`] for the
    /// signature certificate without its PIN.
    pub fn read_certificate(&mut self, slot: CertSlot) -> Result<Vec<u8>, Error> {
        self.select()?;
        iso::read_certificate_file(&mut self.channel, slot)
    }

    /// Verifies the signature PIN, then reads the signature certificate (EF `0001` answers
    /// `6982` until then): [`JpkiApplet::verify_sign_pin`], then [`KeySession::certificate`].
    ///
    /// # Errors
    /// As [`JpkiApplet::verify_pin`] and [`JpkiApplet::read_certificate`].
    pub fn read_sign_certificate(&mut self, pin: &[u8]) -> Result<Vec<u8>, Error> {
        self.verify_sign_pin(pin)?.certificate()
    }

    /// Signs `data` (normally a DigestInfo, see [`crate::digest_info`]) with a key in a session
    /// of its own (§5): SELECT the application and the PIN EF, VERIFY, SELECT the key EF,
    /// `80 2A 00 80 Lc <data> 00` → 256 bytes. To sign more than once or read the certificate
    /// under the same VERIFY, use [`JpkiApplet::verify_key_pin`].
    ///
    /// # Errors
    /// PIN errors as [`JpkiApplet::verify_pin`]; [`Error::SignInputTooLong`] over 245 bytes
    /// (nothing sent).
    pub fn sign(&mut self, key: KeyRef, pin: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
        iso::check_sign_input(data)?;
        self.verify_key_pin(key, pin)?.sign(data)
    }

    /// Signs without verifying a PIN first: SELECT the application (a fresh security state),
    /// SELECT the key EF, `80 2A 00 80 Lc <data> 00`. The card must refuse (`6982`). For
    /// checking that it does.
    ///
    /// # Errors
    /// [`Error::SecurityStatusNotSatisfied`] when the card refuses, as it should.
    pub fn sign_without_pin(&mut self, key: KeyRef, data: &[u8]) -> Result<Vec<u8>, Error> {
        self.select()?;
        iso::compute_signature(&mut self.channel, key, data, false)
    }

    fn checked_pin(&self, pin: PinRef, value: &[u8]) -> Result<Pin, Error> {
        Pin::new(self.pin_kind(pin), value).map_err(|source| Error::PinFormat { pin, source })
    }

    /// Selects the application holding `pin` and its EF.
    fn select_pin(&mut self, pin: PinRef) -> Result<(), Error> {
        let (app, fid) = pin.location();
        select_application(&mut self.channel, app)?;
        select_ef(&mut self.channel, fid)
    }
}

/// `00 A4 02 0C 02 00 06`, then `00 B0 00 00 00` → the 160 bytes of a `CK_TOKEN_INFO`, whose
/// label names the generation.
fn read_token_info<T: Transport>(ch: &mut Channel<T>) -> Result<TokenInfo, Error> {
    select_ef(ch, jpki::TOKEN_INFO)?;
    let raw = iso::read_binary(ch, 0, 256)?;
    TokenInfo::parse(&raw).map_err(|reason| Error::MalformedFile {
        fid: jpki::TOKEN_INFO,
        reason,
    })
}

/// `00 A4 02 0C 02 00 08`, then `00 B0 00 00 03`: byte 0 the signature certificate, byte 1
/// the authentication one; `00` means absent.
fn read_availability<T: Transport>(ch: &mut Channel<T>) -> Result<Availability, Error> {
    select_ef(ch, jpki::AVAILABILITY)?;
    let raw = iso::read_binary(ch, 0, 3)?;
    Availability::from_file(&raw).ok_or(Error::MalformedFile {
        fid: jpki::AVAILABILITY,
        reason: "shorter than 2 bytes",
    })
}
