//! The login flow of the authentication certificate (Mynaportal-style): a relying party issues
//! a random challenge, the card signs it with the authentication key, and the party checks the
//! signature, the certificate chain and revocation. The party learns only the certificate's
//! subject: the authentication certificate carries none of the 4 facts.
//!
//! Files are small text documents so they can travel through any channel:
//!
//! ```text
//! JPKI-LOGIN-CHALLENGE/1          JPKI-LOGIN-RESPONSE/1
//! service: example.jp             challenge-sha256: <64 hex>
//! nonce: <64 hex>                 signature: <512 hex>
//! issued: <unix seconds>          certificate: <hex DER>
//! ```
//!
//! Both card generations answer the same files: today's card signs the challenge file with
//! RSA PKCS#1 v1.5 over SHA-256 (`signature` is 256 bytes); the next-generation card with
//! ECDSA P-384 over SHA-384 (`signature` is the DER `ECDSA-Sig-Value`). The check takes the
//! algorithm from the certificate's key and accepts no other ECDSA than P-384 / SHA-384.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use sha2::Digest;

mod used;
pub use used::mark_used;

const CHALLENGE_MAGIC: &str = "JPKI-LOGIN-CHALLENGE/1";
const RESPONSE_MAGIC: &str = "JPKI-LOGIN-RESPONSE/1";

/// Why a login does not succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// A challenge or response file is malformed.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// Which file.
        what: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The response answers a different challenge.
    #[error("the response answers a different challenge")]
    WrongChallenge,
    /// The challenge is older than allowed, or from the future.
    #[error("the challenge has expired (issued {age_secs} s ago, at most {max_secs} s allowed)")]
    Expired {
        /// Its age.
        age_secs: u64,
        /// The limit.
        max_secs: u64,
    },
    /// The challenge's nonce was answered before.
    #[error("this challenge was already used: a replayed response")]
    Replayed,
    /// The certificate is not an authentication certificate.
    #[error("the certificate is not a user-authentication certificate")]
    NotAuthentication,
    /// The signature does not verify with the certificate's key.
    #[error("the signature does not verify with the certificate's key")]
    BadSignature,
    /// The certificate failed parsing, chain, validity or revocation checks.
    #[error(transparent)]
    Certificate(#[from] cert::Error),
    /// Reading or writing the used-nonce list failed.
    #[error("used-challenge list: {0}")]
    Io(#[from] std::io::Error),
    /// The used-challenge list is not a usable file: a symbolic link, not a regular file, or
    /// over its cap.
    #[error(transparent)]
    UsedList(#[from] crate::input::InputError),
}

/// A login challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// The relying party's name (bound into what the card signs).
    pub service: String,
    /// 32 random bytes.
    pub nonce: [u8; 32],
    /// When it was issued (whole seconds since the Unix epoch).
    pub issued: u64,
}

impl Challenge {
    /// A fresh challenge with a random nonce.
    #[must_use]
    pub fn new(service: &str, now: SystemTime) -> Self {
        let mut nonce = [0u8; 32];
        rand::fill(&mut nonce);
        Self {
            service: service.replace(['\n', '\r'], " "),
            nonce,
            issued: unix(now),
        }
    }

    /// The file's bytes (what the card signs).
    #[must_use]
    pub fn to_text(&self) -> String {
        format!(
            "{CHALLENGE_MAGIC}\nservice: {}\nnonce: {}\nissued: {}\n",
            self.service,
            hex::encode(self.nonce),
            self.issued
        )
    }

    /// Parses a challenge file.
    ///
    /// # Errors
    /// [`LoginError::Malformed`].
    pub fn parse(text: &[u8]) -> Result<Self, LoginError> {
        let bad = |reason| LoginError::Malformed {
            what: "challenge",
            reason,
        };
        let fields =
            fields(text, CHALLENGE_MAGIC).ok_or(bad("not a JPKI-LOGIN-CHALLENGE/1 file"))?;
        let service = fields.get("service").ok_or(bad("no service"))?.to_string();
        let nonce = hex::decode(fields.get("nonce").ok_or(bad("no nonce"))?)
            .ok()
            .and_then(|n| <[u8; 32]>::try_from(n).ok())
            .ok_or(bad("nonce is not 32 bytes of hex"))?;
        let issued = fields
            .get("issued")
            .and_then(|s| s.parse().ok())
            .ok_or(bad("issued is not a number"))?;
        Ok(Self {
            service,
            nonce,
            issued,
        })
    }
}

/// A card's answer to a challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// SHA-256 of the challenge file.
    pub challenge_sha256: [u8; 32],
    /// The authentication key's signature over the challenge file: PKCS#1 v1.5 SHA-256 (today),
    /// or DER ECDSA P-384 / SHA-384 (next generation).
    pub signature: Vec<u8>,
    /// The authentication certificate (DER).
    pub certificate: Vec<u8>,
}

impl Response {
    /// Answers `challenge_text` with `sign`, which receives the SHA-256 DigestInfo of the
    /// challenge file (the card's COMPUTE DIGITAL SIGNATURE with the authentication key).
    ///
    /// # Errors
    /// A malformed challenge, or the signer's error.
    pub fn answer<E>(
        challenge_text: &[u8],
        certificate: Vec<u8>,
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
    ) -> Result<Result<Self, E>, LoginError> {
        Challenge::parse(challenge_text)?;
        let digest_info = jpki_applet::HashAlg::Sha256
            .hash_to_digest_info(challenge_text)
            .ok_or(LoginError::Malformed {
                what: "challenge",
                reason: "cannot hash",
            })?;
        Ok(sign(&digest_info).map(|signature| Self {
            challenge_sha256: sha2::Sha256::digest(challenge_text).into(),
            signature,
            certificate,
        }))
    }

    /// Answers `challenge_text` on a card of either generation: `sign` receives the challenge
    /// file itself and returns the signature the response carries —
    /// [`jpki_applet::JpkiCard::sign`] with the authentication key (RSA over a SHA-256
    /// DigestInfo today, DER ECDSA P-384 over SHA-384 next generation).
    ///
    /// # Errors
    /// A malformed challenge, or the signer's error.
    pub fn answer_message<E>(
        challenge_text: &[u8],
        certificate: Vec<u8>,
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
    ) -> Result<Result<Self, E>, LoginError> {
        Challenge::parse(challenge_text)?;
        Ok(sign(challenge_text).map(|signature| Self {
            challenge_sha256: sha2::Sha256::digest(challenge_text).into(),
            signature,
            certificate,
        }))
    }

    /// The file's text.
    #[must_use]
    pub fn to_text(&self) -> String {
        format!(
            "{RESPONSE_MAGIC}\nchallenge-sha256: {}\nsignature: {}\ncertificate: {}\n",
            hex::encode(self.challenge_sha256),
            hex::encode(&self.signature),
            hex::encode(&self.certificate)
        )
    }

    /// Parses a response file.
    ///
    /// # Errors
    /// [`LoginError::Malformed`].
    pub fn parse(text: &[u8]) -> Result<Self, LoginError> {
        let bad = |reason| LoginError::Malformed {
            what: "response",
            reason,
        };
        let fields = fields(text, RESPONSE_MAGIC).ok_or(bad("not a JPKI-LOGIN-RESPONSE/1 file"))?;
        let hex_field = |name, reason| -> Result<Vec<u8>, LoginError> {
            fields
                .get(name)
                .and_then(|v| hex::decode(v).ok())
                .ok_or(bad(reason))
        };
        let challenge_sha256 =
            <[u8; 32]>::try_from(hex_field("challenge-sha256", "bad challenge-sha256")?)
                .map_err(|_| bad("challenge-sha256 is not 32 bytes"))?;
        Ok(Self {
            challenge_sha256,
            signature: hex_field("signature", "bad signature")?,
            certificate: hex_field("certificate", "bad certificate")?,
        })
    }
}

/// Who logged in: what the relying party learns.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The certificate's subject (`C=JP, CN=…`: no name, no 4 facts).
    pub subject: String,
    /// The certificate's serial, hex.
    pub serial: String,
    /// The certificate's expiry.
    pub not_after: time::OffsetDateTime,
    /// Revocation: checked against the CRL, or explicitly not checked.
    pub revocation: cert::RevocationStatus,
}

/// What the relying party checks a response against.
#[derive(Debug)]
pub struct Policy<'a> {
    /// Trusted authentication CAs.
    pub anchors: &'a cert::TrustAnchors,
    /// Revocation: the authentication CA's CRL, or an explicit
    /// [`cert::RevocationCheck::NotChecked`] (a login decision should not be made without it).
    pub revocation: cert::RevocationCheck<'a>,
    /// Now.
    pub now: SystemTime,
    /// How old a challenge may be.
    pub max_age: Duration,
}

/// Checks `response` against the `challenge_text` the party issued.
///
/// # Errors
/// See [`LoginError`].
pub fn check(
    challenge_text: &[u8],
    response: &Response,
    policy: &Policy<'_>,
) -> Result<Identity, LoginError> {
    let challenge = Challenge::parse(challenge_text)?;
    let digest: [u8; 32] = sha2::Sha256::digest(challenge_text).into();
    if digest != response.challenge_sha256 {
        return Err(LoginError::WrongChallenge);
    }
    let now = unix(policy.now);
    let max = policy.max_age.as_secs();
    // a challenge from the future (beyond 60 s of clock skew) is as bad as an old one
    if challenge.issued > now.saturating_add(60) || now.saturating_sub(challenge.issued) > max {
        return Err(LoginError::Expired {
            age_secs: now.saturating_sub(challenge.issued),
            max_secs: max,
        });
    }
    // the next-generation card's key: ECDSA P-384 over SHA-384 of the challenge file
    let spki = subject_public_key_info(&response.certificate);
    let ecdsa = spki.as_deref().is_some_and(crate::p384_check::is_ec_key);
    if let (true, Some(spki)) = (ecdsa, &spki) {
        crate::p384_check::verify_sha384(spki, challenge_text, &response.signature)
            .map_err(|_| LoginError::BadSignature)?;
    }
    let certificate = cert::JpkiCertificate::from_der(&response.certificate)?;
    if certificate.kind() != cert::CertKind::Authentication {
        return Err(LoginError::NotAuthentication);
    }
    if !ecdsa {
        verify_rsa(&certificate, &digest, &response.signature)?;
    }
    let at = time::OffsetDateTime::from(policy.now);
    let verified = policy.anchors.verify(&certificate, at, policy.revocation)?;
    Ok(Identity {
        subject: certificate.subject().to_string(),
        serial: certificate.serial().to_string(),
        not_after: certificate.not_after(),
        revocation: verified.revocation,
    })
}

/// The certificate's SubjectPublicKeyInfo DER, if it decodes as X.509.
fn subject_public_key_info(certificate: &[u8]) -> Option<Vec<u8>> {
    use der::{Decode, Encode};
    x509_cert::Certificate::from_der(certificate)
        .ok()?
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()
}

/// Today's card: RSA PKCS#1 v1.5 over the challenge file's SHA-256.
fn verify_rsa(
    certificate: &cert::JpkiCertificate,
    digest: &[u8; 32],
    signature: &[u8],
) -> Result<(), LoginError> {
    certificate
        .rsa_public_key()
        .ok_or(LoginError::BadSignature)?
        .verify(
            rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha256>(),
            digest,
            signature,
        )
        .map_err(|_| LoginError::BadSignature)
}

fn fields<'a>(text: &'a [u8], magic: &str) -> Option<HashMap<&'a str, &'a str>> {
    let text = core::str::from_utf8(text).ok()?;
    let mut lines = text.lines();
    if lines.next()?.trim_end() != magic {
        return None;
    }
    let mut map = HashMap::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let (k, v) = line.split_once(':')?;
        if map.insert(k.trim(), v.trim()).is_some() {
            return None;
        }
    }
    Some(map)
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
