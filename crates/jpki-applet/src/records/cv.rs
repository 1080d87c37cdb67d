//! The CV certificate of the 券面 applications (EF `0004`, and MF GET DATA `7F21`):
//! `7F 21 82 02 33 { 5F 4E 82 01 29 <297 B>; 5F 37 82 01 00 <256 B> }` (card-map §5).

use core::fmt;

use rsa::PublicKey;

use super::{children, fixed, keys, malformed, value_of};
use crate::error::Error;

/// A 16-byte key ID: 7 ASCII digits + `08 05` + 3 ASCII digits + 4 padding bytes (card-map §5,
/// e.g. `5000023` … `001`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; 16]);

impl KeyId {
    /// The issuer ID: the first 7 bytes, when they are ASCII digits.
    #[must_use]
    pub fn issuer(&self) -> Option<String> {
        let head = self.0.get(..7)?;
        head.iter()
            .all(u8::is_ascii_digit)
            .then(|| head.iter().map(|b| char::from(*b)).collect())
    }
}

impl fmt::Display for KeyId {
    /// `5000023/001` when the ID has its documented shape, else hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = self.0.get(9..12).unwrap_or_default();
        match self.issuer() {
            Some(issuer) if tail.iter().all(u8::is_ascii_digit) => {
                let tail: String = tail.iter().map(|b| char::from(*b)).collect();
                write!(f, "{issuer}/{tail}")
            }
            _ => f.write_str(&hex::encode_upper(self.0)),
        }
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// A parsed CV certificate: who certifies which key, and the signature over it.
#[derive(Clone, Debug)]
pub struct CvCertificate {
    /// 証明者鍵ID: the key that signed this certificate.
    pub issuer_key_id: KeyId,
    /// 被証明者鍵ID: the key this certificate certifies.
    pub subject_key_id: KeyId,
    /// The certified key, as decoded from its 265 bytes.
    pub public_key: PublicKey,
    /// The 297 signed bytes (`5F4E`'s value).
    body: Vec<u8>,
    /// `5F37`'s value.
    signature: Vec<u8>,
}

/// Size of `5F4E`'s value: two key IDs and a 265-byte public key.
const BODY_LEN: usize = 16 + 16 + 265;

impl CvCertificate {
    /// Parses the `7F21` object; bytes after it (filler) are ignored. `fid` names the file in
    /// errors.
    ///
    /// # Errors
    /// [`Error::MalformedFile`] for a wrong tag, a truncated object, a body that is not 297
    /// bytes or a key that is not an RSA key.
    pub fn parse(bytes: &[u8], fid: u16) -> Result<Self, Error> {
        let bad = malformed(fid);
        let kids = children(bytes, 0x7F21).map_err(&bad)?;
        let body = value_of(&kids, 0x5F4E, "no certificate body (5F4E)").map_err(&bad)?;
        let signature = value_of(&kids, 0x5F37, "no signature (5F37)").map_err(&bad)?;
        if body.len() != BODY_LEN {
            return Err(bad("the certificate body (5F4E) is not 297 bytes"));
        }
        let issuer = body.get(..16).ok_or("short").map_err(&bad)?;
        let subject = body.get(16..32).ok_or("short").map_err(&bad)?;
        let key = body.get(32..).ok_or("short").map_err(&bad)?;
        Ok(Self {
            issuer_key_id: KeyId(fixed(issuer, "short").map_err(&bad)?),
            subject_key_id: KeyId(fixed(subject, "short").map_err(&bad)?),
            public_key: keys::card_public_key(key).map_err(&bad)?,
            body: body.to_vec(),
            signature: signature.to_vec(),
        })
    }

    /// Checks the certificate's signature (PKCS#1 v1.5 SHA-256 over the 297 body bytes) with
    /// the card-face CA's key.
    ///
    /// # Errors
    /// [`Error::SignatureInvalid`] when it does not verify.
    pub fn verify_signed_by(&self, ca: &PublicKey) -> Result<(), Error> {
        self.verify_as(ca, "the CV certificate (7F21)")
    }

    /// [`Self::verify_signed_by`], the error naming `what`.
    pub(crate) fn verify_as(&self, ca: &PublicKey, what: &'static str) -> Result<(), Error> {
        keys::verify_sha256(ca, &self.body, &self.signature, what)
    }
}
