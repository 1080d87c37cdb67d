//! The next-generation card's 認証AP (shared/next-gen-profile.md Part 2, "NG-sim v1"): ECDSA
//! P-384 keys, the signing password, the 4-digit PIN and an optional PUK. Every identifier is
//! in [`ids`]; no secure messaging in v1 (§2.6: a card whose EF `0009` requires it is refused,
//! and the seam is a `Transport` decorator in `apdu`, so this module would not change).

use core::fmt;

use apdu::{Channel, Transport};
use p384::ecdsa::VerifyingKey;
use sha2::Digest;

use crate::error::Error;
use crate::iso::{self, read_binary, select_ef};
use crate::signature::CardSignature;
use crate::types::{Availability, CertSlot, KeyRef};

mod commands;
mod ecdsa;
pub mod ids;
mod profile;
mod secret;
mod session;

pub use ecdsa::{certificate_p384_key, verified_der_signature};
pub use profile::{NgAlgorithm, NgProfile, NgTokenInfo};
pub use secret::{NgSecret, SecretStatus};
pub use session::NgSession;

use commands::select_auth_ap;
use secret::CheckedSecret;

/// The client of a next-generation card's 認証AP, over any [`Transport`].
///
/// Opening it reads the profile record (EF `0009`: refused if it needs secure messaging or
/// names an algorithm other than ECDSA P-384/SHA-384), the token info and the certificate
/// availability, once. Each operation selects the 認証AP first (which ends any verified state)
/// and runs its whole APDU sequence; a verified secret is held by an [`NgSession`].
pub struct NextGenApplet<T> {
    channel: Channel<T>,
    profile: NgProfile,
    token_info: NgTokenInfo,
    availability: Availability,
}

impl<T: fmt::Debug> fmt::Debug for NextGenApplet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextGenApplet")
            .field("channel", &self.channel)
            .field("profile", &self.profile)
            .field("token_info", &self.token_info)
            .field("availability", &self.availability)
            .finish()
    }
}

impl<T: Transport> NextGenApplet<T> {
    /// Opens the 認証AP: `00 A4 04 0C 0B F0 4A 50 4B 49 4E 47 41 55 54 48`, then EF `0009`
    /// (`00 A4 02 0C 02 00 09`, `00 B0 00 00 00`), EF `0006` and EF `0008` the same way.
    ///
    /// # Errors
    /// [`Error::ApplicationNotFound`] on a card without it (e.g. today's cards);
    /// [`Error::SecureMessagingRequired`], [`Error::UnsupportedProfile`],
    /// [`Error::MalformedFile`] from the three files.
    pub fn open(transport: T) -> Result<Self, Error> {
        Self::open_channel(Channel::new(transport))
    }

    /// [`NextGenApplet::open`] over a channel (with its trace hook, if set).
    ///
    /// # Errors
    /// As [`NextGenApplet::open`].
    pub fn open_channel(mut channel: Channel<T>) -> Result<Self, Error> {
        select_auth_ap(&mut channel)?;
        Self::open_selected(channel)
    }

    /// Reads the three files with the 認証AP already selected (after detection).
    pub(crate) fn open_selected(mut channel: Channel<T>) -> Result<Self, Error> {
        select_ef(&mut channel, ids::ef::PROFILE)?;
        let profile = NgProfile::parse(&read_binary(&mut channel, 0, 256)?)?;
        select_ef(&mut channel, ids::ef::TOKEN_INFO)?;
        let token_info = NgTokenInfo::parse(&read_binary(&mut channel, 0, 256)?)?;
        select_ef(&mut channel, ids::ef::AVAILABILITY)?;
        let availability = Availability::from_file(&read_binary(&mut channel, 0, 3)?).ok_or(
            Error::MalformedFile {
                fid: ids::ef::AVAILABILITY,
                reason: "shorter than 2 bytes",
            },
        )?;
        Ok(Self {
            channel,
            profile,
            token_info,
            availability,
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

    /// EF `0009` as read when the card was opened; no APDU.
    #[must_use]
    pub const fn profile(&self) -> &NgProfile {
        &self.profile
    }

    /// EF `0006` as read when the card was opened; no APDU.
    #[must_use]
    pub const fn token_info(&self) -> &NgTokenInfo {
        &self.token_info
    }

    /// EF `0008` as read when the card was opened; no APDU.
    #[must_use]
    pub const fn availability(&self) -> Availability {
        self.availability
    }

    /// SELECT the 認証AP. Ends any verified state.
    ///
    /// # Errors
    /// [`Error::ApplicationNotFound`] on a card without it.
    pub fn select(&mut self) -> Result<(), Error> {
        select_auth_ap(&mut self.channel)
    }

    /// A secret's state without spending a try: `00 20 00 <81|82|83>` with no data. Sent as is,
    /// without a SELECT first, so [`SecretStatus::Verified`] reports a verification still alive
    /// on the card (this client only ever selects the 認証AP).
    ///
    /// # Errors
    /// [`Error::UnexpectedStatus`] for an answer the profile does not define.
    pub fn secret_status(&mut self, secret: NgSecret) -> Result<SecretStatus, Error> {
        commands::secret_status(&mut self.channel, secret)
    }

    /// [`NextGenApplet::secret_status`] of all three secrets, in [`NgSecret::ALL`]'s order.
    ///
    /// # Errors
    /// As [`NextGenApplet::secret_status`].
    pub fn secret_statuses(&mut self) -> Result<Vec<(NgSecret, SecretStatus)>, Error> {
        NgSecret::ALL
            .into_iter()
            .map(|s| Ok((s, self.secret_status(s)?)))
            .collect()
    }

    /// Verifies a secret once and returns the session it opens: SELECT the 認証AP (a fresh
    /// security state), `00 20 00 <ref> Lc <ASCII>`. The format is checked first; a secret
    /// that cannot be right is never sent.
    ///
    /// # Errors
    /// [`Error::SecretFormat`] (nothing sent), [`Error::WrongSecret`] with the tries left,
    /// [`Error::SecretBlocked`], [`Error::PukNotSet`].
    pub fn verify(&mut self, secret: NgSecret, value: &[u8]) -> Result<NgSession<'_, T>, Error> {
        let checked = checked(secret, value)?;
        self.select()?;
        commands::verify(&mut self.channel, &checked)?;
        Ok(NgSession::new(&mut self.channel, secret))
    }

    /// Changes the signing password or the 4-digit PIN (`current` is its present value), or
    /// sets or replaces the PUK (`current` is then the **signing password**, P9): both values
    /// format-checked first, SELECT the 認証AP, VERIFY `current`'s reference, then
    /// `00 24 01 <ref> Lc <new>`.
    ///
    /// # Errors
    /// [`Error::SecretFormat`] (nothing sent); the errors of [`NextGenApplet::verify`].
    pub fn change_secret(
        &mut self,
        secret: NgSecret,
        current: &[u8],
        new: &[u8],
    ) -> Result<(), Error> {
        let authorising = match secret {
            NgSecret::Puk => NgSecret::SignPassword,
            other => other,
        };
        let new = checked(secret, new)?;
        let current = checked(authorising, current)?;
        self.select()?;
        commands::verify(&mut self.channel, &current)?;
        commands::change_reference_data(&mut self.channel, &new)
    }

    /// Sets or replaces the PUK: [`NextGenApplet::change_secret`] with [`NgSecret::Puk`].
    ///
    /// # Errors
    /// As [`NextGenApplet::change_secret`].
    pub fn set_puk(&mut self, sign_password: &[u8], puk: &[u8]) -> Result<(), Error> {
        self.change_secret(NgSecret::Puk, sign_password, puk)
    }

    /// Re-sets and refills the 4-digit PIN with the PUK: SELECT the 認証AP, then
    /// `00 2C 00 82 0C <PUK 8><new PIN 4>`. The PUK does nothing for the signing password.
    ///
    /// # Errors
    /// [`Error::SecretFormat`] (nothing sent); [`Error::WrongSecret`] / [`Error::SecretBlocked`]
    /// for the PUK; [`Error::PukNotSet`].
    pub fn reset_pin4(&mut self, puk: &[u8], new_pin4: &[u8]) -> Result<(), Error> {
        let puk = checked(NgSecret::Puk, puk)?;
        let pin4 = checked(NgSecret::Pin4, new_pin4)?;
        self.select()?;
        commands::reset_retry_counter(&mut self.channel, &puk, &pin4)
    }

    /// Reads a certificate's DER: SELECT the 認証AP, SELECT its EF (`000A`, `000B`, `0001`,
    /// `0002`), `00 B0 00 00 04` for the header, then chunks. The signature certificate needs
    /// the signing password ([`NgSession::certificate`]).
    ///
    /// # Errors
    /// [`Error::NoCertificate`] for an empty slot; [`Error::SecurityStatusNotSatisfied`] for the
    /// signature certificate without the signing password.
    pub fn read_certificate(&mut self, slot: CertSlot) -> Result<Vec<u8>, Error> {
        self.select()?;
        session::read_slot(&mut self.channel, slot)
    }

    /// The card-authentication certificate (EF `000C`), or with `ca` its CA's (EF `000D`):
    /// free to read.
    ///
    /// # Errors
    /// [`Error::FileNotFound`] when the card has none.
    pub fn read_card_auth_certificate(&mut self, ca: bool) -> Result<Vec<u8>, Error> {
        let fid = if ca {
            ids::ef::CARD_AUTH_CA_CERT
        } else {
            ids::ef::CARD_AUTH_CERT
        };
        self.select()?;
        iso::read_der_file(&mut self.channel, fid)?.ok_or(Error::FileNotFound { fid })
    }

    /// Card genuineness: SELECT the 認証AP, `00 88 00 83 Lc <challenge> 00` → `r ‖ s` by the
    /// card-authentication key over SHA-384(`JPKI-NG card auth` ‖ challenge), checked with
    /// `key` — the key of the card-authentication certificate, or of a distributed list (P10).
    /// Without `key`, it is taken from EF `000C` (whose chain the caller still has to check).
    ///
    /// # Errors
    /// [`Error::ChallengeLength`] outside 16–64 bytes (nothing sent); the signature errors of
    /// [`verified_der_signature`]; [`Error::CertificateKey`] for EF `000C`'s key.
    pub fn internal_authenticate(
        &mut self,
        challenge: &[u8],
        key: Option<&VerifyingKey>,
    ) -> Result<CardSignature, Error> {
        if !ids::CHALLENGE_LEN.contains(&challenge.len()) {
            return Err(Error::ChallengeLength {
                len: challenge.len(),
            });
        }
        let key = match key {
            Some(k) => *k,
            None => certificate_p384_key(&self.read_card_auth_certificate(false)?)?,
        };
        self.select()?;
        let raw = commands::internal_authenticate(&mut self.channel, challenge)?;
        let hash = card_auth_hash(challenge);
        let der = verified_der_signature(&raw, &hash, &key)?;
        Ok(CardSignature::ecdsa(der.to_bytes().to_vec(), raw))
    }

    /// Signs `message` with `key` in a session of its own: [`NextGenApplet::verify`] with the
    /// key's secret (the 4-digit PIN for the authentication key, the signing password for the
    /// signature key), then [`NgSession::sign_message`].
    ///
    /// # Errors
    /// As [`NextGenApplet::verify`] and [`NgSession::sign_message`].
    pub fn sign(
        &mut self,
        key: KeyRef,
        secret: &[u8],
        message: &[u8],
    ) -> Result<CardSignature, Error> {
        self.verify(key_secret(key), secret)?
            .sign_message(key, message)
    }
}

/// The secret a holder gives for `key`: the 4-digit PIN for the authentication key, the
/// signing password for the signature key (a verified signing password also opens the
/// authentication key, P8).
#[must_use]
pub const fn key_secret(key: KeyRef) -> NgSecret {
    match key {
        KeyRef::Auth => NgSecret::Pin4,
        KeyRef::Sign => NgSecret::SignPassword,
    }
}

/// What the card-authentication key signs: SHA-384(prefix ‖ challenge).
#[must_use]
pub fn card_auth_hash(challenge: &[u8]) -> Vec<u8> {
    let mut h = sha2::Sha384::new();
    h.update(ids::CARD_AUTH_PREFIX);
    h.update(challenge);
    h.finalize().to_vec()
}

fn checked(secret: NgSecret, value: &[u8]) -> Result<CheckedSecret, Error> {
    CheckedSecret::new(secret, value).map_err(|reason| Error::SecretFormat { secret, reason })
}
