//! [`SimCard`]: the card behind bytes.
//!
//! (One piece, over 400 lines: the life of one `SimCard` — open, persist, power, transmit — around
//! one state; the command handlers, file maps and security state are the submodules.)

mod admin;
pub(crate) mod app;
mod aps;
mod commands;
pub(crate) mod files;
mod life;
mod next_gen;
mod quirks;
pub(crate) mod session;
mod sign;

pub use commands::{AID_JPKI, AID_TEXT_SUPPORT};

use std::path::Path;

use apdu::{Command, Response, StatusWord, Transport, TransportError};
use pin_policy::RetryCounter;

use crate::{
    admin::CARD_ID_LEN,
    contents::{Administration, CardContents, CardData, FaceUpdate},
    engine::{Engine, SigningKey},
    error::Error,
    holder::{FourFacts, MyNumber},
    life::CardState,
    profile::{CardProfile, KeyRole},
    store::{self, CardFile},
};
use app::{ApKey, PinRef};
use session::Session;

/// The card's answer to reset (spec §2): T=1, TCK correct. OpenSC's driver table lists it.
pub const ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// `65 81` memory failure: a change could not be written, so the command was not carried out.
pub(crate) const MEMORY_FAILURE: StatusWord = StatusWord(0x6581);
/// `69 81` command incompatible with file structure (e.g. READ BINARY of a key EF).
pub(crate) const INCOMPATIBLE_FILE: StatusWord = StatusWord(0x6981);

/// A software My Number (or Juki) card.
///
/// C-APDU bytes in, R-APDU bytes out ([`process`](Self::process)); it also implements
/// [`apdu::Transport`], so any client runs against it in process. A card opened from a file
/// writes every change back to that file atomically before answering; above all, a PIN try is
/// counted on disk before the PIN is compared. It holds the file's lock while it lives, so no
/// second simulator counts tries of its own on the same card.
///
/// The card comes powered on; a reader powers it on again before an APDU, so
/// [`process`](Self::process) on a powered-off card first performs a cold reset.
#[derive(Debug)]
pub struct SimCard {
    data: CardData,
    file: Option<CardFile>,
    session: Session,
    powered: bool,
    engine: Engine,
    /// ECDSA nonces of a next-generation card (random unless set).
    nonces: crate::next_gen::Nonces,
}

impl SimCard {
    /// An in-memory card (nothing is written anywhere).
    ///
    /// # Errors
    /// `contents` breaks a card rule: wrong PIN kind for the profile, retry limit out of range,
    /// key not RSA-2048, a part the profile does not have, oversize certificate.
    pub fn new(contents: CardContents) -> Result<Self, Error> {
        Ok(SimCard::from_data(CardData::issue(contents)?, None))
    }

    /// Issues a card into a new file at `path` (never replaces an existing file).
    ///
    /// The new card holds the file's lock, as one [`open`](Self::open)ed does.
    ///
    /// # Errors
    /// As [`new`](Self::new), plus [`Error::AlreadyExists`] (anything is at `path`, a dangling
    /// symlink included, or another simulator issued into it first) and [`Error::Io`].
    pub fn create(path: impl AsRef<Path>, contents: CardContents) -> Result<Self, Error> {
        let data = CardData::issue(contents)?;
        SimCard::create_file(path.as_ref(), data)
    }

    /// Writes `data` as a new file at `path` and keeps it locked.
    fn create_file(path: &Path, data: CardData) -> Result<Self, Error> {
        let file = CardFile::create(path, &data)?;
        Ok(SimCard::from_data(data, Some(file)))
    }

    /// Opens a card file; every later change is written back to it. The card is this
    /// simulator's until it is dropped: the file itself is locked (`flock`), by its identity,
    /// so opening it again — by the same path, through a symlink, here or in another process —
    /// fails with [`Error::InUse`], as a card is in one reader at a time. A symlink is resolved
    /// once: saves replace the file it names and leave the link in place. Taking the lock
    /// removes the temp files (`.NAME.*.tmp`) that a simulator killed mid-write left behind.
    ///
    /// # Errors
    /// [`Error::InUse`], [`Error::HardLinked`] (a card file must have one name),
    /// [`Error::NotARegularFile`], [`Error::Io`], [`Error::NotACardFile`],
    /// [`Error::UnsupportedVersion`], [`Error::Corrupt`], [`Error::FileTooLarge`]. A file that
    /// fails to load is never written to.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let file = CardFile::lock(path.as_ref())?;
        let data = file.load()?;
        Ok(SimCard::from_data(data, Some(file)))
    }

    /// A copy of a card file in memory, for looking at (as `jpki-sim inspect` does): loaded
    /// with the checks of [`open`](Self::open), but not locked, so it works while another
    /// simulator serves the card, and nothing done to the copy is written anywhere.
    ///
    /// # Errors
    /// As [`open`](Self::open), without [`Error::InUse`].
    pub fn open_snapshot(path: impl AsRef<Path>) -> Result<Self, Error> {
        let data = store::load(path.as_ref())?;
        Ok(SimCard::from_data(data, None))
    }

    /// An in-memory card decoded from the bytes of a card file (as [`open`](Self::open) reads
    /// them), with the same checks; nothing is written anywhere. For tools and fuzzers that
    /// hold a card file in memory.
    ///
    /// # Errors
    /// As [`open`](Self::open) without [`Error::Io`]; errors name the path `(in memory)`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let data = store::load_bytes(bytes, Path::new("(in memory)"))?;
        Ok(SimCard::from_data(data, None))
    }

    /// An in-memory card bound to an issuing authority: like [`new`](Self::new), plus the card
    /// ID and the municipal administration key that the administrative channel checks.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn new_administered(
        contents: CardContents,
        administration: Administration,
    ) -> Result<Self, Error> {
        let mut data = CardData::issue(contents)?;
        data.admin = Some(administration);
        Ok(SimCard::from_data(data, None))
    }

    /// Issues a card bound to an issuing authority into a new file at `path` (never replaces
    /// an existing file). `issuer::Authority::issue_card`
    /// is the usual way to call this.
    ///
    /// # Errors
    /// As [`create`](Self::create).
    pub fn create_administered(
        path: impl AsRef<Path>,
        contents: CardContents,
        administration: Administration,
    ) -> Result<Self, Error> {
        let mut data = CardData::issue(contents)?;
        data.admin = Some(administration);
        SimCard::create_file(path.as_ref(), data)
    }

    fn from_data(data: CardData, file: Option<CardFile>) -> Self {
        SimCard {
            data,
            file,
            session: Session::default(),
            powered: true,
            engine: Engine::DEFAULT,
            nonces: crate::next_gen::Nonces::default(),
        }
    }

    /// The RSA engine that computes this card's signatures ([`Engine::DEFAULT`] unless set).
    #[must_use]
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Chooses the RSA engine. Every engine gives the same signature bytes; the keys were
    /// prepared for all of them when the card was loaded, so switching costs nothing.
    pub fn set_engine(&mut self, engine: Engine) {
        self.engine = engine;
    }

    /// [`set_engine`](Self::set_engine), builder style.
    #[must_use]
    pub fn with_engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// The card file, for a card that has one.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(CardFile::path)
    }

    /// Juki or My Number card.
    #[must_use]
    pub fn profile(&self) -> CardProfile {
        self.data.profile
    }

    /// The answer to reset: [`ATR`], or [`crate::next_gen::ids::ATR`] on a next-generation
    /// card.
    #[must_use]
    pub fn atr(&self) -> &'static [u8] {
        if self.data.next_gen.is_some() {
            &crate::next_gen::ids::ATR
        } else {
            &ATR
        }
    }

    /// Powers the card on (cold reset): security state cleared, nothing selected. Returns the ATR.
    pub fn power_on(&mut self) -> &'static [u8] {
        self.session = Session::default();
        self.powered = true;
        self.atr()
    }

    /// Powers the card off: security state is lost.
    pub fn power_off(&mut self) {
        self.session = Session::default();
        self.powered = false;
    }

    /// Warm reset: security state cleared, nothing selected. Returns the ATR.
    pub fn reset(&mut self) -> &'static [u8] {
        self.power_on()
    }

    /// Whether the card is powered.
    #[must_use]
    pub fn is_powered(&self) -> bool {
        self.powered
    }

    /// A PIN's or key reference's retry counter (limit and tries left), `None` if the card
    /// has no such key. 入力補助 `0012` (blocked as issued) reads limit 3, 0 left (our choice).
    #[must_use]
    pub fn pin_counter(&self, pin: PinRef) -> Option<RetryCounter> {
        if pin == PinRef::TextSupportBlocked {
            return self
                .data
                .text_support
                .as_ref()
                .and_then(|t| t.records.as_ref())
                .and_then(|_| RetryCounter::restore(3, 0).ok());
        }
        self.data.pin_slot(pin).map(pin_policy::PinSlot::counter)
    }

    /// The end-entity certificate (DER) of a key, `None` if the card has no such key.
    /// Public data, for `inspect`-style tools. On a next-generation card: keys `01`/`02`.
    #[must_use]
    pub fn certificate(&self, role: KeyRole) -> Option<&[u8]> {
        match self.key_slot(role) {
            Some(k) => Some(k.certificate.as_slice()),
            None => self.next_gen_certificate(role.into()),
        }
    }

    /// The CA certificate (DER) stored with a key, `None` if the card has no such key.
    #[must_use]
    pub fn ca_certificate(&self, role: KeyRole) -> Option<&[u8]> {
        match self.key_slot(role) {
            Some(k) => Some(k.ca_certificate.as_slice()),
            None => self.next_gen_ca_certificate(role.into()),
        }
    }

    /// The card's binding to its issuing authority (card ID, admin public key, card expiry);
    /// `None` for a card built from bare contents or read from a version-1 file.
    #[must_use]
    pub fn administration(&self) -> Option<&Administration> {
        self.data.admin.as_ref()
    }

    /// The card ID (public; also readable with GET DATA `00 CA 00 45 00`).
    #[must_use]
    pub fn card_id(&self) -> Option<[u8; CARD_ID_LEN]> {
        self.data.admin.as_ref().map(|a| a.card_id)
    }

    /// Whether the municipality terminated the card (after a fault, or when it ceased — see
    /// [`state`](Self::state)): its keys, PINs and text data are erased and it answers every
    /// command `6A82`.
    #[must_use]
    pub fn is_terminated(&self) -> bool {
        self.data.state.is_terminated()
    }

    /// The text-support AP's 4 facts (a next-generation card's EF `0022`), `None` without the
    /// application. Personal data, for
    /// the issuer's tools (never readable over APDUs without the text-support PIN).
    #[must_use]
    pub fn four_facts(&self) -> Option<&FourFacts> {
        match (&self.data.text_support, &self.data.next_gen) {
            (Some(t), _) => Some(&t.facts),
            (None, ng) => ng.as_ref().map(|ng| &ng.facts),
        }
    }

    /// The My Number (a next-generation card's EF `0021`), `None` without the text-support
    /// application. Personal data, for the
    /// issuer's tools (never readable over APDUs without the text-support PIN or 照合番号A).
    #[must_use]
    pub fn my_number(&self) -> Option<&MyNumber> {
        match (&self.data.text_support, &self.data.next_gen) {
            (Some(t), _) => Some(&t.my_number),
            (None, ng) => ng.as_ref().map(|ng| &ng.my_number),
        }
    }

    /// The 4-digit security code printed on the card face, `None` without the verification
    /// numbers. Kept with the card so the issuer can rebuild 照合番号B; never in any EF.
    #[must_use]
    pub fn security_code(&self) -> Option<&str> {
        self.data
            .verification
            .as_ref()
            .map(|v| v.security_code.as_str())
    }

    /// The public half of a card key of the 券面 APs or the 共通カードAP, `None` if the card
    /// lacks it (the issuer signs the records that carry it).
    #[must_use]
    pub fn ap_public_key(&self, key: ApKey) -> Option<rsa::PublicKey> {
        let key = match key {
            ApKey::TextSupport => self
                .data
                .text_support
                .as_ref()
                .and_then(|t| t.records.as_ref())
                .map(|r| &r.card_key),
            ApKey::Visual => self.data.visual.as_ref().map(|v| &v.card_key),
            ApKey::InternalAuthentication => {
                self.data.common.as_ref().map(|c| &c.internal_auth_key)
            }
        }?;
        Some(key.rsa().to_public_key())
    }

    /// Whether the card has the 券面事項入力補助AP.
    #[must_use]
    pub fn has_text_support(&self) -> bool {
        self.data.text_support.is_some()
    }

    fn key_slot(&self, role: KeyRole) -> Option<&crate::contents::KeySlot> {
        match role {
            KeyRole::Authentication => self.data.authentication.as_ref(),
            KeyRole::Signature => self.data.signature.as_ref(),
        }
    }

    /// Processes one command APDU and returns the response APDU (data + status word).
    /// Always a well-formed response of at least 2 bytes; never panics.
    pub fn process(&mut self, capdu: &[u8]) -> Vec<u8> {
        if !self.powered {
            self.power_on();
        }
        if self.data.state.is_terminated() {
            return Response::status(StatusWord::FILE_NOT_FOUND).encode();
        }
        let response = match Command::decode(capdu) {
            Ok(mut command) => {
                // PINs and authentication secrets travel in VERIFY, CHANGE REFERENCE DATA,
                // RESET RETRY COUNTER and the authentication commands, in every form (odd INS
                // included, which the card refuses after decoding): wipe them on drop.
                if apdu::is_secret_ins(command.ins) {
                    command.set_sensitive(true);
                }
                self.handle(&command)
            }
            Err(_) => Response::status(StatusWord::WRONG_LENGTH),
        };
        response.encode()
    }

    /// Processes one decoded command.
    ///
    /// A terminated card (see [`is_terminated`](Self::is_terminated)) answers every command
    /// `6A82`: its applications are gone.
    pub fn handle(&mut self, command: &Command) -> Response {
        if self.data.state.is_terminated() {
            return Response::status(StatusWord::FILE_NOT_FOUND);
        }
        if self.data.next_gen.is_some() {
            return self.handle_next_gen(command);
        }
        if let Err(sw) = quirks::check_class(command.cla, command.ins) {
            return Response::status(sw);
        }
        match command.ins {
            commands::INS_SELECT => self.select(command),
            commands::INS_READ_BINARY => self.read_binary(command),
            commands::INS_VERIFY => self.verify(command),
            commands::INS_CHANGE => self.change_reference_data(command),
            commands::INS_SIGN => self.compute_signature(command),
            admin::INS_GET_DATA => self.get_data(command),
            admin::INS_GET_CHALLENGE => self.get_challenge(command),
            admin::INS_EXTERNAL_AUTHENTICATE => self.external_authenticate(command),
            admin::INS_RESET_RETRY_COUNTER => self.reset_retry_counter(command),
            quirks::INS_SET_SESSION_KEY => self.set_session_key(),
            quirks::INS_SET_PUBLIC_IC_KEY => self.set_public_ic_key(),
            quirks::INS_LAST_COMMAND => quirks::last_command_indicator(),
            aps::INS_READ_RECORD => self.read_record(command),
            aps::INS_INTERNAL_AUTHENTICATE => self.internal_authenticate(command),
            aps::INS_CHANGE_KEY => self.change_key(command),
            _ => Response::status(StatusWord::INS_NOT_SUPPORTED),
        }
    }

    /// Administrative re-issue of the signature key (a 4-facts change): new key and
    /// certificates, the PIN and its counter kept, the text-support 4 facts replaced, and with
    /// `face` the re-signed 券面 records and verification values (see [`FaceUpdate`]; every
    /// counter kept). Written
    /// atomically; on failure nothing changes. Security state is cleared.
    ///
    /// The municipal window's access to a card in its hands (the card file), not an APDU:
    /// the issuer (`issuer::Authority::change_facts`) calls it after its own checks.
    ///
    /// # Errors
    /// [`Error::NotOnCard`] without a signature key, [`Error::KeyRejected`], a broken card
    /// rule, and the card file's write errors.
    pub fn replace_signature(
        &mut self,
        private_key: rsa::PrivateKey,
        certificate: Vec<u8>,
        ca_certificate: Vec<u8>,
        facts: FourFacts,
        face: Option<FaceUpdate>,
    ) -> Result<(), Error> {
        let mut data = self.data.clone();
        if let Some(face) = face {
            data.apply_face(face)?;
        }
        let Some(slot) = data.signature.as_mut() else {
            return Err(Error::NotOnCard {
                part: "signature key",
            });
        };
        slot.private_key = SigningKey::new(private_key).ok_or(Error::KeyRejected {
            role: KeyRole::Signature,
        })?;
        slot.certificate = certificate;
        slot.ca_certificate = ca_certificate;
        if let Some(text) = data.text_support.as_mut() {
            text.facts = facts;
        }
        data.check()?;
        self.commit(data)
    }

    /// Terminates the card after a fault: keys, PINs and text data erased, every command
    /// answered `6A82` from now on. Written atomically; on failure nothing changes.
    ///
    /// The municipal window's access to a card in its hands (`issuer::Authority::fault`).
    ///
    /// # Errors
    /// The card file's write errors.
    pub fn terminate(&mut self) -> Result<(), Error> {
        self.erase(CardState::Terminated)
    }

    /// Erases keys, PINs and text data and puts the card in `state` (a terminated one).
    fn erase(&mut self, state: CardState) -> Result<(), Error> {
        let data = CardData {
            profile: self.data.profile,
            authentication: None,
            signature: None,
            text_support: None,
            visual: None,
            common: None,
            verification: None,
            next_gen: None,
            admin: self.data.admin.clone(),
            state,
            history: self.data.history,
        };
        self.commit(data)
    }

    /// Writes `data` to the card file (if any), then makes it the card's state, with a fresh
    /// session.
    fn commit(&mut self, data: CardData) -> Result<(), Error> {
        if let Some(file) = &mut self.file {
            file.save(&data)?;
        }
        self.data = data;
        self.session = Session::default();
        Ok(())
    }

    /// Writes the card state to its file, if it has one.
    fn persist(&mut self) -> Result<(), Error> {
        match &mut self.file {
            Some(file) => file.save(&self.data),
            None => Ok(()),
        }
    }
}

/// Whether commands with this INS carry a PIN (VERIFY `20`, CHANGE REFERENCE DATA `24`,
/// RESET RETRY COUNTER `2C`, CHANGE KEY `32`): their data must be redacted in traces and wiped after use.
#[must_use]
pub fn is_pin_command(ins: u8) -> bool {
    matches!(
        ins,
        commands::INS_VERIFY
            | commands::INS_CHANGE
            | admin::INS_RESET_RETRY_COUNTER
            | aps::INS_CHANGE_KEY
    )
}

impl Transport for SimCard {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.process(capdu))
    }
}

impl CardData {
    pub(crate) fn pin_slot(&self, pin: PinRef) -> Option<&pin_policy::PinSlot> {
        let text = || self.text_support.as_ref()?.records.as_ref();
        match pin {
            PinRef::Authentication => self.authentication.as_ref().map(|k| &k.pin),
            PinRef::Signature => self.signature.as_ref().map(|k| &k.pin),
            PinRef::TextSupport => self.text_support.as_ref().map(|t| &t.pin),
            PinRef::TextSupportA => text().map(|r| &r.number_a),
            PinRef::TextSupportB => text().map(|r| &r.number_b),
            PinRef::TextSupportBlocked => None,
            PinRef::VisualBirthDate => self.visual.as_ref().map(|v| &v.birth_date),
            PinRef::VisualB => self.visual.as_ref().map(|v| &v.number_b),
            PinRef::VisualA => self.visual.as_ref().map(|v| &v.number_a),
            PinRef::Common => self.common.as_ref().map(|c| &c.common_pin),
            PinRef::Juki => self.common.as_ref().map(|c| &c.juki_pin),
        }
    }

    pub(crate) fn pin_slot_mut(&mut self, pin: PinRef) -> Option<&mut pin_policy::PinSlot> {
        match pin {
            PinRef::Authentication => self.authentication.as_mut().map(|k| &mut k.pin),
            PinRef::Signature => self.signature.as_mut().map(|k| &mut k.pin),
            PinRef::TextSupport => self.text_support.as_mut().map(|t| &mut t.pin),
            PinRef::TextSupportA | PinRef::TextSupportB => {
                let records = self.text_support.as_mut()?.records.as_mut()?;
                Some(if pin == PinRef::TextSupportA {
                    &mut records.number_a
                } else {
                    &mut records.number_b
                })
            }
            PinRef::TextSupportBlocked => None,
            PinRef::VisualBirthDate => self.visual.as_mut().map(|v| &mut v.birth_date),
            PinRef::VisualB => self.visual.as_mut().map(|v| &mut v.number_b),
            PinRef::VisualA => self.visual.as_mut().map(|v| &mut v.number_a),
            PinRef::Common => self.common.as_mut().map(|c| &mut c.common_pin),
            PinRef::Juki => self.common.as_mut().map(|c| &mut c.juki_pin),
        }
    }
}

#[cfg(test)]
mod key_failures;
#[cfg(test)]
mod write_failures;
