//! The card's part of `jpki-tool sign`: one VERIFY of the key's PIN opens a session, which reads
//! the key's certificate and makes the one signature of a detached CMS.

use std::io::Read;
use std::time::SystemTime;

use apdu::Transport;
use jpki_applet::{CardSignature, JpkiApplet, JpkiCard, KeyRef};

use crate::cms::{self, CmsError};

/// Why a document could not be signed with the card.
#[derive(Debug, thiserror::Error)]
pub enum CardSignError {
    /// The card refused or failed before the signature (PIN, certificate).
    #[error(transparent)]
    Card(#[from] jpki_applet::Error),
    /// The CMS could not be built: the document could not be read, the certificate does not
    /// decode, or the card failed to sign.
    #[error(transparent)]
    Cms(#[from] CmsError),
}

/// Signs `content` with `key` as a detached CMS: VERIFY the key's PIN once (SELECT the
/// application, SELECT the PIN EF, `00 20 00 80 Lc <PIN>`), read the key's certificate under
/// it (SELECT the certificate EF, READ BINARY header then chunks), hash `content` as it streams,
/// then SELECT the key EF and `80 2A 00 80 33 <DigestInfo> 00`. The PIN is sent once: each
/// VERIFY costs the card two durable writes of its retry counter.
///
/// # Errors
/// [`CardSignError::Card`] for PIN and certificate errors; [`CardSignError::Cms`] for an
/// unreadable document, a certificate that does not decode, or a refused signature.
pub fn sign_document<T: Transport>(
    card: &mut JpkiApplet<T>,
    key: KeyRef,
    pin: &[u8],
    content: impl Read,
    signing_time: SystemTime,
) -> Result<Vec<u8>, CardSignError> {
    let mut session = card.verify_key_pin(key, pin)?;
    let signer = session.certificate()?;
    Ok(cms::sign_detached(
        content,
        &signer,
        &[],
        signing_time,
        |digest_info| session.sign(digest_info),
    )?)
}

/// [`sign_document`] on a card of either generation: one VERIFY of the key's secret (today the
/// key's PIN; next generation the 4-digit PIN or the signing password) opens a session, which
/// reads the key's certificate and makes the one signature. Today's card signs the SHA-256
/// DigestInfo of the signed attributes (the message is byte for byte [`sign_document`]'s); the
/// next-generation card signs their SHA-384 with ECDSA P-384, and the CMS follows RFC 5753
/// ([`cms::sign_detached_hash`]).
///
/// # Errors
/// As [`sign_document`].
pub fn sign_document_on_card<T: Transport>(
    card: &mut JpkiCard<T>,
    key: KeyRef,
    secret: &[u8],
    content: impl Read,
    signing_time: SystemTime,
) -> Result<Vec<u8>, CardSignError> {
    let mut session = card.verify_key(key, secret)?;
    let signer = session.certificate()?;
    Ok(cms::sign_detached_hash(
        session.algorithm(),
        content,
        &signer,
        &[],
        signing_time,
        |hash| session.sign_hash(hash).map(CardSignature::into_bytes),
    )?)
}
