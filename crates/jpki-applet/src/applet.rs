//! The JPKI application (公的個人認証AP): shared/jpki-spec.md §3–§5.

use core::fmt;

use apdu::{Channel, Command, Response, StatusWord, Transport};
use pin_policy::{Pin, PinKind};

use crate::error::Error;

/// DF name of the JPKI application (§3).
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

const EF_TOKEN_INFO: u16 = 0x0006;
const EF_AVAILABILITY: u16 = 0x0008;
const EF_AUTH_KEY: u16 = 0x0017;
const EF_AUTH_PIN: u16 = 0x0018;
const EF_SIGN_KEY: u16 = 0x001A;
const EF_SIGN_PIN: u16 = 0x001B;

/// Largest offset READ BINARY can address with P1P2 (§5).
const MAX_OFFSET: usize = 0x7FFF;
/// Bytes of an RSA-2048 block minus the PKCS#1 v1.5 minimum padding (RFC 8017 §9.2).
pub const MAX_SIGN_INPUT: usize = 256 - 11;

/// A certificate file of the JPKI application (§4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertSlot {
    /// 利用者証明用 (user authentication) certificate, EF `000A`.
    Auth,
    /// The CA certificate that issued it, EF `000B`.
    AuthCa,
    /// 署名用 (signature) certificate, EF `0001`: readable only after the signature PIN.
    Sign,
    /// The CA certificate that issued it, EF `0002`.
    SignCa,
}

impl CertSlot {
    /// All four, in display order.
    pub const ALL: [Self; 4] = [Self::Auth, Self::AuthCa, Self::Sign, Self::SignCa];

    /// The EF holding it.
    #[must_use]
    pub const fn fid(self) -> u16 {
        match self {
            Self::Auth => 0x000A,
            Self::AuthCa => 0x000B,
            Self::Sign => 0x0001,
            Self::SignCa => 0x0002,
        }
    }
}

impl fmt::Display for CertSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auth => "authentication",
            Self::AuthCa => "authentication CA",
            Self::Sign => "signature",
            Self::SignCa => "signature CA",
        })
    }
}

/// One of the card's PINs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PinRef {
    /// 利用者証明用 PIN (EF `0018`), 4 digits.
    Auth,
    /// 署名用 PIN (EF `001B`): 6–16 alphanumerics on a My Number card, 4–16 on a Juki card.
    Sign,
    /// 券面事項入力補助用 PIN (text-support application, EF `0011`), 4 digits.
    TextSupport,
}

impl fmt::Display for PinRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auth => "authentication",
            Self::Sign => "signature",
            Self::TextSupport => "text-support",
        })
    }
}

/// A private key of the JPKI application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyRef {
    /// The authentication key (EF `0017`), unlocked by the authentication PIN.
    Auth,
    /// The signature key (EF `001A`), unlocked by the signature PIN.
    Sign,
}

impl KeyRef {
    const fn key_fid(self) -> u16 {
        match self {
            Self::Auth => EF_AUTH_KEY,
            Self::Sign => EF_SIGN_KEY,
        }
    }

    /// The PIN that unlocks the key.
    #[must_use]
    pub const fn pin(self) -> PinRef {
        match self {
            Self::Auth => PinRef::Auth,
            Self::Sign => PinRef::Sign,
        }
    }
}

/// Which card generation the token info names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardKind {
    /// マイナンバーカード (`JPKIAPICCTOKEN2`).
    MyNumber,
    /// 住基カード (`JPKIAPICCTOKEN`).
    Juki,
}

impl fmt::Display for CardKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MyNumber => "My Number card (マイナンバーカード)",
            Self::Juki => "Juki card (住基カード)",
        })
    }
}

/// EF `0006`: the token label and which card generation it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// The label with its space padding removed.
    pub label: String,
    /// The card generation the label names.
    pub kind: CardKind,
    /// The whole file as read.
    pub raw: Vec<u8>,
}

/// EF `0008`: which certificates the card was issued with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Availability {
    /// A signature certificate and key are present.
    pub sign: bool,
    /// An authentication certificate and key are present.
    pub auth: bool,
}

/// A PIN's retry state, read without spending a try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinStatus {
    /// Tries left before the PIN blocks.
    pub tries_left: u8,
}

impl PinStatus {
    /// No tries are left.
    #[must_use]
    pub const fn is_blocked(self) -> bool {
        self.tries_left == 0
    }
}

/// The client of a card's JPKI application, over any [`Transport`].
///
/// Each operation selects the application first and runs its whole APDU sequence, so a
/// verified PIN is never lost to a re-SELECT half-way (§5: re-selecting the AID clears it).
///
/// ```
/// # use apdu::{Transport, TransportError};
/// # struct NoCard;
/// # impl Transport for NoCard {
/// #     fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> { Ok(vec![0x6A, 0x82]) }
/// # }
/// use jpki_applet::{Error, JpkiApplet};
/// let mut card = JpkiApplet::new(NoCard);
/// assert!(matches!(card.token_info(), Err(Error::ApplicationNotFound { .. })));
/// ```
pub struct JpkiApplet<T> {
    channel: Channel<T>,
}

impl<T: fmt::Debug> fmt::Debug for JpkiApplet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JpkiApplet")
            .field("channel", &self.channel)
            .finish()
    }
}

impl<T: Transport> JpkiApplet<T> {
    /// Wraps a transport.
    pub const fn new(transport: T) -> Self {
        Self {
            channel: Channel::new(transport),
        }
    }

    /// Wraps a channel (with its trace hook, if set).
    pub const fn from_channel(channel: Channel<T>) -> Self {
        Self { channel }
    }

    /// The channel, to set a trace hook or reach the transport.
    pub const fn channel_mut(&mut self) -> &mut Channel<T> {
        &mut self.channel
    }

    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        self.channel.into_inner()
    }

    /// SELECT the JPKI application: `00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01` → `9000`.
    ///
    /// # Errors
    /// [`Error::ApplicationNotFound`] on a card without it.
    pub fn select(&mut self) -> Result<(), Error> {
        select_application(&mut self.channel, &JPKI_AID, "JPKI (公的個人認証)")
    }

    /// Reads EF `0006` (§4): `00 A4 02 0C 02 00 06`, then `00 B0 00 00 00`.
    ///
    /// # Errors
    /// Transport failures, or a label that is not a JPKI token label.
    pub fn token_info(&mut self) -> Result<TokenInfo, Error> {
        self.select()?;
        select_ef(&mut self.channel, EF_TOKEN_INFO)?;
        let raw = read_binary(&mut self.channel, 0, 256)?;
        let label_bytes = raw.get(..32.min(raw.len())).unwrap_or_default();
        let label = String::from_utf8_lossy(label_bytes)
            .trim_end_matches([' ', '\0'])
            .to_owned();
        let kind = match label.as_str() {
            "JPKIAPICCTOKEN2" => CardKind::MyNumber,
            "JPKIAPICCTOKEN" => CardKind::Juki,
            _ => {
                return Err(Error::MalformedFile {
                    fid: EF_TOKEN_INFO,
                    reason: "token label is not JPKIAPICCTOKEN or JPKIAPICCTOKEN2",
                });
            }
        };
        Ok(TokenInfo { label, kind, raw })
    }

    /// Reads EF `0008` (§4): byte 0 the signature certificate, byte 1 the authentication one;
    /// `00` means absent.
    ///
    /// # Errors
    /// Transport failures or a file shorter than 2 bytes.
    pub fn availability(&mut self) -> Result<Availability, Error> {
        self.select()?;
        select_ef(&mut self.channel, EF_AVAILABILITY)?;
        let raw = read_binary(&mut self.channel, 0, 3)?;
        match raw.as_slice() {
            [sign, auth, ..] => Ok(Availability {
                sign: *sign != 0,
                auth: *auth != 0,
            }),
            _ => Err(Error::MalformedFile {
                fid: EF_AVAILABILITY,
                reason: "shorter than 2 bytes",
            }),
        }
    }

    /// The PIN kind (format rule) of `pin` on this card: the signature PIN's rule depends on
    /// the card generation, read from the token info.
    ///
    /// # Errors
    /// As [`JpkiApplet::token_info`].
    pub fn pin_kind(&mut self, pin: PinRef) -> Result<PinKind, Error> {
        Ok(match pin {
            PinRef::Auth => PinKind::Authentication,
            PinRef::TextSupport => PinKind::TextSupport,
            PinRef::Sign => match self.token_info()?.kind {
                CardKind::MyNumber => PinKind::Signature,
                CardKind::Juki => PinKind::JukiSignature,
            },
        })
    }

    /// Tries left on a PIN, without spending one (§5): SELECT its EF, then `00 20 00 80`
    /// with no data → `63 Cx`.
    ///
    /// # Errors
    /// [`Error::FileNotFound`] when the card has no such PIN (a card without a signature
    /// certificate has no signature PIN).
    pub fn pin_status(&mut self, pin: PinRef) -> Result<PinStatus, Error> {
        self.select_pin(pin)?;
        pin_query(&mut self.channel)
    }

    /// VERIFY a PIN (§5): SELECT its EF, `00 20 00 80 Lc <PIN>`. The PIN's format is checked
    /// first: a PIN that cannot be right is never sent, so it costs no try.
    ///
    /// # Errors
    /// [`Error::WrongPin`] with the tries left, [`Error::PinBlocked`], [`Error::PinFormat`].
    pub fn verify_pin(&mut self, pin: PinRef, value: &[u8]) -> Result<(), Error> {
        let checked = self.checked_pin(pin, value)?;
        self.select_pin(pin)?;
        verify(&mut self.channel, pin, &checked)
    }

    /// Changes a PIN (§5): the new PIN is format-checked locally first, then the old one is
    /// verified, then `00 24 01 80 Lc <new PIN>`.
    ///
    /// # Errors
    /// [`Error::PinFormat`] (nothing sent) for a new PIN breaking its rule; the errors of
    /// [`JpkiApplet::verify_pin`] for the old one.
    pub fn change_pin(&mut self, pin: PinRef, old: &[u8], new: &[u8]) -> Result<(), Error> {
        let new = self.checked_pin(pin, new)?;
        let old = self.checked_pin(pin, old)?;
        self.select_pin(pin)?;
        verify(&mut self.channel, pin, &old)?;
        let cmd = Command::new(0x00, 0x24, 0x01, 0x80)
            .with_data(new.expose_secret().to_vec())
            .sensitive();
        let resp = self.channel.send(&cmd)?;
        match resp.sw {
            StatusWord::SUCCESS => Ok(()),
            StatusWord::WRONG_DATA => Err(Error::UnexpectedStatus {
                operation: "CHANGE REFERENCE DATA (the card refused the new PIN's format)",
                sw: resp.sw,
            }),
            sw => Err(status_error(sw, Some(pin), "CHANGE REFERENCE DATA")),
        }
    }

    /// Reads a certificate's DER (§4, §5): SELECT the EF, read 4 bytes of header
    /// (`30 82 LL LL`), then 256-byte chunks and the exact remainder. Filler after the DER is
    /// not returned. The signature certificate needs [`JpkiApplet::read_sign_certificate`].
    ///
    /// # Errors
    /// [`Error::NoCertificate`] for an empty slot, [`Error::SecurityStatusNotSatisfied`] for the
    /// signature certificate without its PIN.
    pub fn read_certificate(&mut self, slot: CertSlot) -> Result<Vec<u8>, Error> {
        self.select()?;
        read_certificate_file(&mut self.channel, slot)
    }

    /// Verifies the signature PIN, then reads the signature certificate (EF `0001` answers
    /// `6982` until then).
    ///
    /// # Errors
    /// As [`JpkiApplet::verify_pin`] and [`JpkiApplet::read_certificate`].
    pub fn read_sign_certificate(&mut self, pin: &[u8]) -> Result<Vec<u8>, Error> {
        let checked = self.checked_pin(PinRef::Sign, pin)?;
        self.select_pin(PinRef::Sign)?;
        verify(&mut self.channel, PinRef::Sign, &checked)?;
        read_certificate_file(&mut self.channel, CertSlot::Sign)
    }

    /// Signs `data` (normally a DigestInfo, see [`crate::digest_info`]) with a key (§5):
    /// SELECT the PIN EF, VERIFY, SELECT the key EF, `80 2A 00 80 Lc <data> 00` → 256 bytes.
    /// The PIN is sent again before every signature, as OpenSC does.
    ///
    /// # Errors
    /// PIN errors as [`JpkiApplet::verify_pin`]; [`Error::SignInputTooLong`] over 245 bytes.
    pub fn sign(&mut self, key: KeyRef, pin: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
        if data.len() > MAX_SIGN_INPUT {
            return Err(Error::SignInputTooLong {
                len: data.len(),
                max: MAX_SIGN_INPUT,
            });
        }
        let checked = self.checked_pin(key.pin(), pin)?;
        self.select_pin(key.pin())?;
        verify(&mut self.channel, key.pin(), &checked)?;
        select_ef(&mut self.channel, key.key_fid())?;
        let cmd = Command::new(0x80, 0x2A, 0x00, 0x80)
            .with_data(data.to_vec())
            .with_le(256);
        let resp = self.channel.send(&cmd)?;
        match resp.sw {
            StatusWord::SUCCESS if resp.data.len() == 256 => Ok(resp.data),
            StatusWord::SUCCESS => Err(Error::UnexpectedStatus {
                operation: "COMPUTE DIGITAL SIGNATURE (answer is not 256 bytes)",
                sw: resp.sw,
            }),
            sw => Err(status_error(
                sw,
                Some(key.pin()),
                "COMPUTE DIGITAL SIGNATURE",
            )),
        }
    }

    /// Signs without verifying a PIN first: the card must refuse (`6982`) unless the PIN was
    /// verified earlier in this session. For checking that it does.
    ///
    /// # Errors
    /// [`Error::SecurityStatusNotSatisfied`] when the card refuses, as it should.
    pub fn sign_without_pin(&mut self, key: KeyRef, data: &[u8]) -> Result<Vec<u8>, Error> {
        self.select()?;
        select_ef(&mut self.channel, key.key_fid())?;
        let cmd = Command::new(0x80, 0x2A, 0x00, 0x80)
            .with_data(data.to_vec())
            .with_le(256);
        let resp = self.channel.send(&cmd)?;
        match resp.sw {
            StatusWord::SUCCESS => Ok(resp.data),
            sw => Err(status_error(
                sw,
                Some(key.pin()),
                "COMPUTE DIGITAL SIGNATURE",
            )),
        }
    }

    fn checked_pin(&mut self, pin: PinRef, value: &[u8]) -> Result<Pin, Error> {
        let kind = self.pin_kind(pin)?;
        Pin::new(kind, value).map_err(|source| Error::PinFormat { pin, source })
    }

    /// Selects the application holding `pin` and its EF.
    fn select_pin(&mut self, pin: PinRef) -> Result<(), Error> {
        match pin {
            PinRef::Auth => {
                self.select()?;
                select_ef(&mut self.channel, EF_AUTH_PIN)
            }
            PinRef::Sign => {
                self.select()?;
                select_ef(&mut self.channel, EF_SIGN_PIN)
            }
            PinRef::TextSupport => {
                select_application(
                    &mut self.channel,
                    &crate::TEXT_SUPPORT_AID,
                    "text-support (券面事項入力補助)",
                )?;
                select_ef(&mut self.channel, crate::text_support::EF_PIN)
            }
        }
    }
}

/// `00 A4 04 0C Lc <AID>` → `9000`.
pub(crate) fn select_application<T: Transport>(
    ch: &mut Channel<T>,
    aid: &[u8],
    name: &'static str,
) -> Result<(), Error> {
    let resp = ch.send(&Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid.to_vec()))?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        StatusWord::FILE_NOT_FOUND => Err(Error::ApplicationNotFound { application: name }),
        sw => Err(status_error(sw, None, "SELECT application")),
    }
}

/// `00 A4 02 0C 02 <FID>` → `9000`.
pub(crate) fn select_ef<T: Transport>(ch: &mut Channel<T>, fid: u16) -> Result<(), Error> {
    let resp =
        ch.send(&Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec()))?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        StatusWord::FILE_NOT_FOUND => Err(Error::FileNotFound { fid }),
        sw => Err(status_error(sw, None, "SELECT file")),
    }
}

/// `00 B0 P1P2 Le` from `offset`; the card may return fewer bytes near the end.
pub(crate) fn read_binary<T: Transport>(
    ch: &mut Channel<T>,
    offset: usize,
    le: usize,
) -> Result<Vec<u8>, Error> {
    let [_, _, p1, p2] = u32::try_from(offset.min(MAX_OFFSET))
        .unwrap_or(0)
        .to_be_bytes();
    let resp = ch.send(&Command::new(0x00, 0xB0, p1, p2).with_le(le))?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(resp.data),
        sw => Err(status_error(sw, None, "READ BINARY")),
    }
}

/// Reads exactly `total` bytes of the selected EF, starting after the `have` already read.
pub(crate) fn read_rest<T: Transport>(
    ch: &mut Channel<T>,
    fid: u16,
    mut have: Vec<u8>,
    total: usize,
) -> Result<Vec<u8>, Error> {
    if total > MAX_OFFSET + 1 {
        return Err(Error::MalformedFile {
            fid,
            reason: "content longer than READ BINARY can address",
        });
    }
    have.truncate(total);
    while have.len() < total {
        let want = (total - have.len()).min(256);
        let chunk = read_binary(ch, have.len(), want)?;
        if chunk.is_empty() {
            return Err(Error::MalformedFile {
                fid,
                reason: "file ends before its content does",
            });
        }
        have.extend_from_slice(chunk.get(..want.min(chunk.len())).unwrap_or_default());
    }
    Ok(have)
}

fn read_certificate_file<T: Transport>(
    ch: &mut Channel<T>,
    slot: CertSlot,
) -> Result<Vec<u8>, Error> {
    let fid = slot.fid();
    match select_ef(ch, fid) {
        Err(Error::FileNotFound { .. }) => return Err(Error::NoCertificate { slot }),
        other => other?,
    }
    let header = match read_binary(ch, 0, 4) {
        Err(Error::SecurityStatusNotSatisfied) => return Err(Error::SecurityStatusNotSatisfied),
        Err(Error::UnexpectedStatus {
            sw: StatusWord::WRONG_P1P2,
            ..
        }) => {
            return Err(Error::NoCertificate { slot });
        }
        other => other?,
    };
    let total = match header.as_slice() {
        [0x30, 0x82, hi, lo, ..] => 4 + usize::from(u16::from_be_bytes([*hi, *lo])),
        [0x30, 0x81, len, ..] => 3 + usize::from(*len),
        [0x30, len, ..] if *len < 0x80 => 2 + usize::from(*len),
        // an erased or never-written EF
        [] | [0x00 | 0xFF, ..] => return Err(Error::NoCertificate { slot }),
        _ => {
            return Err(Error::MalformedFile {
                fid,
                reason: "does not start with a DER SEQUENCE",
            });
        }
    };
    read_rest(ch, fid, header, total)
}

/// Empty VERIFY: `00 20 00 80` → `63 Cx`.
fn pin_query<T: Transport>(ch: &mut Channel<T>) -> Result<PinStatus, Error> {
    let resp = ch.send(&Command::new(0x00, 0x20, 0x00, 0x80))?;
    match (resp.sw.retries_left(), resp.sw) {
        (Some(tries_left), _) => Ok(PinStatus { tries_left }),
        (None, StatusWord::AUTH_METHOD_BLOCKED | StatusWord::REFERENCE_DATA_NOT_USABLE) => {
            Ok(PinStatus { tries_left: 0 })
        }
        (None, sw) => Err(Error::UnexpectedStatus {
            operation: "VERIFY (retry query)",
            sw,
        }),
    }
}

/// `00 20 00 80 Lc <PIN>` on the selected PIN EF.
pub(crate) fn verify<T: Transport>(
    ch: &mut Channel<T>,
    pin: PinRef,
    value: &Pin,
) -> Result<(), Error> {
    // The command is sensitive: its copy of the PIN is zeroized when it drops.
    let cmd = Command::new(0x00, 0x20, 0x00, 0x80)
        .with_data(value.expose_secret().to_vec())
        .sensitive();
    let resp: Response = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        sw => Err(status_error(sw, Some(pin), "VERIFY")),
    }
}

/// Maps a status word to the error a person understands.
pub(crate) fn status_error(sw: StatusWord, pin: Option<PinRef>, operation: &'static str) -> Error {
    match (sw.retries_left(), pin) {
        (Some(tries_left), Some(pin)) => return Error::WrongPin { pin, tries_left },
        (None, Some(pin))
            if sw == StatusWord::REFERENCE_DATA_NOT_USABLE
                || sw == StatusWord::AUTH_METHOD_BLOCKED =>
        {
            return Error::PinBlocked { pin };
        }
        _ => {}
    }
    match sw {
        StatusWord::SECURITY_STATUS_NOT_SATISFIED => Error::SecurityStatusNotSatisfied,
        sw => Error::UnexpectedStatus { operation, sw },
    }
}
