//! Both card generations behind one client (shared/next-gen-profile.md §2.1): [`detect`] tells
//! them apart by which application answers SELECT (not by the ATR), and [`JpkiCard`] offers
//! the operations both have — certificates, PIN status and change, authentication and
//! signatures — so a tool needs one code path; what only one generation has is reached through
//! [`JpkiCard::current_mut`] / [`JpkiCard::next_gen_mut`].

use apdu::{Channel, StatusWord, Transport};

use crate::applet::JpkiApplet;
use crate::digest::{HashAlg, digest_info};
use crate::error::Error;
use crate::file_map::App;
use crate::iso::{select_application, status_error};
use crate::next_gen::{NextGenApplet, NgSecret, NgSession, SecretStatus, ids, key_secret};
use crate::session::KeySession;
use crate::signature::{CardSignature, SignatureAlgorithm};
use crate::types::{Availability, CertSlot, Generation, KeyRef, PinRef};

/// Which generation the card is, by SELECT: the next-generation 認証AP
/// (`00 A4 04 0C 0B F0 4A 50 4B 49 4E 47 41 55 54 48`) → `9000` is [`Generation::NextGen`];
/// `6A82` → today's JPKI AID (`00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01`) → `9000` is
/// [`Generation::Current`]. The application found stays selected.
///
/// # Errors
/// [`Error::ApplicationNotFound`] when neither answers; [`Error::UnexpectedStatus`] for an
/// answer other than `9000`/`6A82` to the first SELECT.
pub fn detect<T: Transport>(ch: &mut Channel<T>) -> Result<Generation, Error> {
    let select = apdu::Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(ids::AUTH_AID.to_vec());
    let resp = ch.send(&select)?;
    match resp.sw {
        StatusWord::SUCCESS => return Ok(Generation::NextGen),
        StatusWord::FILE_NOT_FOUND => {}
        sw => return Err(status_error(sw, None, "SELECT next-generation 認証AP")),
    }
    match select_application(ch, App::Jpki) {
        Ok(()) => Ok(Generation::Current),
        Err(Error::ApplicationNotFound { .. }) => Err(Error::ApplicationNotFound {
            application: "JPKI (公的個人認証) or next-generation 認証AP",
        }),
        Err(e) => Err(e),
    }
}

/// A JPKI card of either generation, opened after [`detect`].
#[derive(Debug)]
pub enum JpkiCard<T> {
    /// Today's card (RSA-2048).
    Current(JpkiApplet<T>),
    /// The next-generation card (ECDSA P-384).
    NextGen(NextGenApplet<T>),
}

impl<T: Transport> JpkiCard<T> {
    /// Detects the generation and opens the card: [`detect`], then the facts of that
    /// generation (today: token info and availability; next generation: EF `0009`, `0006`,
    /// `0008`).
    ///
    /// # Errors
    /// As [`detect`], [`JpkiApplet::open`] and [`NextGenApplet::open`] (a next-generation card
    /// requiring secure messaging is [`Error::SecureMessagingRequired`]).
    pub fn open(transport: T) -> Result<Self, Error> {
        Self::open_channel(Channel::new(transport))
    }

    /// [`JpkiCard::open`] over a channel (with its trace hook, if set).
    ///
    /// # Errors
    /// As [`JpkiCard::open`].
    pub fn open_channel(mut channel: Channel<T>) -> Result<Self, Error> {
        Ok(match detect(&mut channel)? {
            Generation::Current => Self::Current(JpkiApplet::open_selected(channel)?),
            Generation::NextGen => Self::NextGen(NextGenApplet::open_selected(channel)?),
        })
    }

    /// The card's generation; no APDU.
    #[must_use]
    pub const fn generation(&self) -> Generation {
        match self {
            Self::Current(_) => Generation::Current,
            Self::NextGen(_) => Generation::NextGen,
        }
    }

    /// The algorithm of the card's keys; no APDU.
    #[must_use]
    pub const fn signature_algorithm(&self) -> SignatureAlgorithm {
        match self {
            Self::Current(_) => SignatureAlgorithm::Sha256WithRsa,
            Self::NextGen(_) => SignatureAlgorithm::EcdsaWithSha384,
        }
    }

    /// EF `0008` as read when the card was opened; no APDU.
    #[must_use]
    pub const fn availability(&self) -> Availability {
        match self {
            Self::Current(c) => c.availability(),
            Self::NextGen(c) => c.availability(),
        }
    }

    /// What a holder calls the secret of `key` on this card, for prompts: "authentication
    /// PIN" / "signature PIN" today, "4-digit PIN" / "signing password" on the next generation.
    #[must_use]
    pub const fn key_secret_name(&self, key: KeyRef) -> &'static str {
        match (self, key) {
            (Self::Current(_), KeyRef::Auth) => "authentication PIN",
            (Self::Current(_), KeyRef::Sign) => "signature PIN",
            (Self::NextGen(_), KeyRef::Auth) => "4-digit PIN",
            (Self::NextGen(_), KeyRef::Sign) => "signing password",
        }
    }

    /// The token label of EF `0006` (`JPKIAPICCTOKEN2`, `JPKIAPICCTOKEN`, `JPKINGAPTOKEN1`); no
    /// APDU.
    #[must_use]
    pub fn token_label(&self) -> &str {
        match self {
            Self::Current(c) => &c.token_info().label,
            Self::NextGen(c) => &c.token_info().label,
        }
    }

    /// Every PIN and secret of the card with its state, for `pin status`: today each key
    /// reference of the whole card (`63Cx` read as tries left, `6300` as not counted, an
    /// absent application as `None`); next generation the three secrets with their ISO meaning.
    ///
    /// # Errors
    /// As [`crate::WholeCard::pin_statuses`] / [`NextGenApplet::secret_statuses`].
    pub fn pin_statuses(&mut self) -> Result<Vec<PinReport>, Error> {
        Ok(match self {
            Self::Current(c) => c
                .whole_card()
                .pin_statuses()?
                .into_iter()
                .map(|(pin, status)| PinReport {
                    key: pin.key(),
                    name: pin.to_string(),
                    status,
                })
                .collect(),
            Self::NextGen(c) => c
                .secret_statuses()?
                .into_iter()
                .map(|(secret, status)| PinReport {
                    key: secret.key(),
                    name: secret.to_string(),
                    status: Some(status),
                })
                .collect(),
        })
    }

    /// The channel, to set a trace hook or reach the transport.
    pub const fn channel_mut(&mut self) -> &mut Channel<T> {
        match self {
            Self::Current(c) => c.channel_mut(),
            Self::NextGen(c) => c.channel_mut(),
        }
    }

    /// Today's card, for what only it has (text support, the whole card, the Juki card).
    pub const fn current_mut(&mut self) -> Option<&mut JpkiApplet<T>> {
        match self {
            Self::Current(c) => Some(c),
            Self::NextGen(_) => None,
        }
    }

    /// The next-generation card, for what only it has (the PUK, secret statuses, card
    /// genuineness, the profile).
    pub const fn next_gen_mut(&mut self) -> Option<&mut NextGenApplet<T>> {
        match self {
            Self::Current(_) => None,
            Self::NextGen(c) => Some(c),
        }
    }

    /// Reads a certificate's DER on either generation (same slots, §2.3).
    ///
    /// # Errors
    /// As [`JpkiApplet::read_certificate`] / [`NextGenApplet::read_certificate`].
    pub fn read_certificate(&mut self, slot: CertSlot) -> Result<Vec<u8>, Error> {
        match self {
            Self::Current(c) => c.read_certificate(slot),
            Self::NextGen(c) => c.read_certificate(slot),
        }
    }

    /// Verifies the signature key's secret, then reads the signature certificate (readable
    /// only after it on both generations).
    ///
    /// # Errors
    /// As [`JpkiCard::verify_key`] and [`CardSession::certificate`].
    pub fn read_sign_certificate(&mut self, secret: &[u8]) -> Result<Vec<u8>, Error> {
        self.verify_key(KeyRef::Sign, secret)?.certificate()
    }

    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        match self {
            Self::Current(c) => c.into_inner(),
            Self::NextGen(c) => c.into_inner(),
        }
    }

    /// Verifies the secret of `key` once (today its PIN; next generation the 4-digit PIN for
    /// the authentication key, the signing password for the signature key) and returns the
    /// session: the key's certificate and any number of signatures under that one VERIFY.
    ///
    /// # Errors
    /// The PIN errors of either generation ([`Error::WrongPin`], [`Error::WrongSecret`],
    /// [`Error::PinFormat`], [`Error::SecretFormat`] …).
    pub fn verify_key(&mut self, key: KeyRef, secret: &[u8]) -> Result<CardSession<'_, T>, Error> {
        Ok(match self {
            Self::Current(c) => CardSession::Current(c.verify_key_pin(key, secret)?),
            Self::NextGen(c) => CardSession::NextGen {
                session: c.verify(key_secret(key), secret)?,
                key,
            },
        })
    }

    /// Signs `message` in a session of its own: [`JpkiCard::verify_key`], then
    /// [`CardSession::sign_message`].
    ///
    /// # Errors
    /// As those two.
    pub fn sign(
        &mut self,
        key: KeyRef,
        secret: &[u8],
        message: &[u8],
    ) -> Result<CardSignature, Error> {
        self.verify_key(key, secret)?.sign_message(message)
    }

    /// Changes a PIN: today [`JpkiApplet::change_pin`]; next generation the 4-digit PIN
    /// ([`PinRef::Auth`]) or the signing password ([`PinRef::Sign`]).
    ///
    /// # Errors
    /// [`Error::NotOnThisGeneration`] for the text-support PIN on a next-generation card (its
    /// 4-digit PIN covers it); the PIN errors of either generation.
    pub fn change_pin(&mut self, pin: PinRef, old: &[u8], new: &[u8]) -> Result<(), Error> {
        match self {
            Self::Current(c) => c.change_pin(pin, old, new),
            Self::NextGen(c) => {
                let secret = match pin {
                    PinRef::Auth => NgSecret::Pin4,
                    PinRef::Sign => NgSecret::SignPassword,
                    PinRef::TextSupport => {
                        return Err(Error::NotOnThisGeneration {
                            what: "this card has no separate text-support PIN: the 4-digit PIN covers it",
                            generation: Generation::NextGen,
                        });
                    }
                };
                c.change_secret(secret, old, new)
            }
        }
    }

    /// Sets or replaces the PUK with the signing password ([`NextGenApplet::set_puk`]).
    ///
    /// # Errors
    /// [`Error::NotOnThisGeneration`] on today's cards ("this card has no PUK"); as
    /// [`NextGenApplet::set_puk`].
    pub fn set_puk(&mut self, sign_password: &[u8], puk: &[u8]) -> Result<(), Error> {
        self.next_gen_or_no_puk()?.set_puk(sign_password, puk)
    }

    /// Re-sets the 4-digit PIN with the PUK ([`NextGenApplet::reset_pin4`]).
    ///
    /// # Errors
    /// [`Error::NotOnThisGeneration`] on today's cards ("this card has no PUK"); as
    /// [`NextGenApplet::reset_pin4`].
    pub fn reset_pin_with_puk(&mut self, puk: &[u8], new_pin: &[u8]) -> Result<(), Error> {
        self.next_gen_or_no_puk()?.reset_pin4(puk, new_pin)
    }

    fn next_gen_or_no_puk(&mut self) -> Result<&mut NextGenApplet<T>, Error> {
        let generation = self.generation();
        self.next_gen_mut().ok_or(Error::NotOnThisGeneration {
            what: "this card has no PUK",
            generation,
        })
    }
}

/// One line of [`JpkiCard::pin_statuses`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinReport {
    /// A short machine name (`auth`, `sign`, … today; `sign_password`, `pin4`, `puk`).
    pub key: &'static str,
    /// Its name for people.
    pub name: String,
    /// Its state; `None` when its application is not on the card.
    pub status: Option<SecretStatus>,
}

/// One key's secret verified, on either generation, from [`JpkiCard::verify_key`].
#[derive(Debug)]
pub enum CardSession<'a, T> {
    /// Today's card.
    Current(KeySession<'a, T>),
    /// The next-generation card.
    NextGen {
        /// The session.
        session: NgSession<'a, T>,
        /// The key it was opened for.
        key: KeyRef,
    },
}

impl<T: Transport> CardSession<'_, T> {
    /// The key the session was opened for.
    #[must_use]
    pub const fn key(&self) -> KeyRef {
        match self {
            Self::Current(s) => s.key(),
            Self::NextGen { key, .. } => *key,
        }
    }

    /// The algorithm of its signatures.
    #[must_use]
    pub const fn algorithm(&self) -> SignatureAlgorithm {
        match self {
            Self::Current(_) => SignatureAlgorithm::Sha256WithRsa,
            Self::NextGen { .. } => SignatureAlgorithm::EcdsaWithSha384,
        }
    }

    /// The key's certificate, without another VERIFY.
    ///
    /// # Errors
    /// [`Error::NoCertificate`] for an empty slot.
    pub fn certificate(&mut self) -> Result<Vec<u8>, Error> {
        match self {
            Self::Current(s) => s.certificate(),
            Self::NextGen { session, key } => session.certificate(key.certificate()),
        }
    }

    /// Signs `message` hashed with [`SignatureAlgorithm::hash`]: today SHA-256 in a DigestInfo
    /// for RSA PKCS#1 v1.5 (256 bytes); next generation SHA-384 for ECDSA (verified DER).
    ///
    /// # Errors
    /// As [`CardSession::sign_hash`].
    pub fn sign_message(&mut self, message: &[u8]) -> Result<CardSignature, Error> {
        match self {
            Self::Current(_) => {
                let hash = <sha2::Sha256 as sha2::Digest>::digest(message);
                self.sign_hash(&hash)
            }
            Self::NextGen { session, key } => session.sign_message(*key, message),
        }
    }

    /// Signs a hash computed elsewhere (e.g. of CMS signedAttrs): 32 bytes (SHA-256, wrapped in
    /// a DigestInfo) today, 48 bytes (SHA-384) on the next generation.
    ///
    /// # Errors
    /// [`Error::HashLength`] for another length (nothing sent); the signature errors of either
    /// generation.
    pub fn sign_hash(&mut self, hash: &[u8]) -> Result<CardSignature, Error> {
        match self {
            Self::Current(s) => {
                let di = digest_info(HashAlg::Sha256, hash).ok_or(Error::HashLength {
                    len: hash.len(),
                    expected: HashAlg::Sha256.output_len(),
                })?;
                Ok(CardSignature::rsa(s.sign(&di)?))
            }
            Self::NextGen { session, key } => session.sign_hash(*key, hash),
        }
    }
}
