//! The card's RSA engine: PKCS#1 v1.5 type-01 padding over the bytes given (no hashing, no
//! DigestInfo added), then the private operation, blinded.
//!
//! Two engines, one result (PKCS#1 v1.5 is deterministic, so both give the same bytes):
//!
//! - [`Engine::Rsa`], the `rsa` crate (RustCrypto, pure Rust), always there and the default;
//! - `Engine::OpenSsl`, with the `fast-engine` feature: OpenSSL's `RSA_private_encrypt` with
//!   `RSA_PKCS1_PADDING`, blinded (OpenSSL's default for RSA keys; the Montgomery values of p
//!   and q are cached in the key object). Several times faster than `rsa` here (BENCHMARKS.md);
//!   it links the system libssl. `RSA_private_encrypt` is deprecated in OpenSSL 3's C API but
//!   present and exactly the card's operation; `EVP_PKEY_sign` with PKCS#1 padding and no
//!   digest measured the same and needs a context per signature.
//!
//! Each key is prepared for the engines once, when a card is loaded or issued (`rsa`
//! precomputes its CRT values on import; OpenSSL's key object is built from the PKCS#1 DER then,
//! and shared by reference count with clones of the card state), never per signature.

use core::fmt;

use rsa::{Pkcs1v15Sign, traits::PublicKeyParts};

/// Which implementation computes the card's signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Engine {
    /// The `rsa` crate 0.10, blinded with the thread RNG.
    Rsa,
    /// OpenSSL's blinded raw PKCS#1 v1.5 private operation (feature `fast-engine`).
    #[cfg(feature = "fast-engine")]
    OpenSsl,
}

impl Engine {
    /// What a card uses unless told otherwise: OpenSSL when the `fast-engine` feature is
    /// compiled in (so the whole card test suite runs on it), `rsa` otherwise.
    pub const DEFAULT: Engine = {
        #[cfg(feature = "fast-engine")]
        {
            Engine::OpenSsl
        }
        #[cfg(not(feature = "fast-engine"))]
        {
            Engine::Rsa
        }
    };

    /// Every engine compiled into this build.
    pub const ALL: &'static [Engine] = &[
        Engine::Rsa,
        #[cfg(feature = "fast-engine")]
        Engine::OpenSsl,
    ];

    /// The engine's name as the command line spells it (`rsa`, `openssl`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Engine::Rsa => "rsa",
            #[cfg(feature = "fast-engine")]
            Engine::OpenSsl => "openssl",
        }
    }

    /// The engine named `name` (`rsa`, `openssl`), if compiled in.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Engine> {
        Engine::ALL.iter().copied().find(|e| e.name() == name)
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::DEFAULT
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a signature was not made (the card answers `6F00`; no key material in here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignFailed;

/// A private key with what every engine needs, prepared once.
#[derive(Clone)]
pub(crate) struct SigningKey {
    rsa: rsa::PrivateKey,
    #[cfg(feature = "fast-engine")]
    openssl: openssl::rsa::Rsa<openssl::pkey::Private>,
}

impl SigningKey {
    /// Prepares `key` for every compiled engine. `None` if an engine refuses the key (OpenSSL
    /// does not import it); `rsa` already accepted it.
    pub(crate) fn new(key: rsa::PrivateKey) -> Option<Self> {
        #[cfg(feature = "fast-engine")]
        let openssl = {
            use rsa::pkcs1::EncodeRsaPrivateKey;
            // A SecretDocument: zeroized when dropped at the end of this block.
            let der = key.to_pkcs1_der().ok()?;
            // `rsa` validated the key when it imported it; OpenSSL reads the same DER.
            openssl::rsa::Rsa::private_key_from_der(der.as_bytes()).ok()?
        };
        Some(SigningKey {
            rsa: key,
            #[cfg(feature = "fast-engine")]
            openssl,
        })
    }

    /// The key as `rsa` holds it (for the card file).
    pub(crate) fn rsa(&self) -> &rsa::PrivateKey {
        &self.rsa
    }

    /// Modulus length in bytes.
    pub(crate) fn size(&self) -> usize {
        self.rsa.size()
    }

    /// PKCS#1 v1.5 type-01 padding of `data` as given, then the blinded private operation.
    /// `data` must leave at least 11 bytes of padding (the card checks its length first).
    pub(crate) fn sign(&self, engine: Engine, data: &[u8]) -> Result<Vec<u8>, SignFailed> {
        match engine {
            Engine::Rsa => self
                .rsa
                .sign_with_rng(&mut rand::rng(), Pkcs1v15Sign::new_unprefixed(), data)
                .map_err(|_| SignFailed),
            #[cfg(feature = "fast-engine")]
            Engine::OpenSsl => {
                let k = self.size();
                let mut out = vec![0; k];
                let n = self
                    .openssl
                    .private_encrypt(data, &mut out, openssl::rsa::Padding::PKCS1)
                    .map_err(|_| SignFailed)?;
                if n != k {
                    return Err(SignFailed);
                }
                Ok(out)
            }
        }
    }
}

impl SigningKey {
    /// RSASSA-PSS (RFC 8017 §8.1) over `hash`, a SHA-256 digest: MGF1-SHA-256, a random
    /// 32-byte salt, then the blinded private operation. Randomised, so two engines give two
    /// different (equally valid) signatures.
    pub(crate) fn sign_pss(&self, engine: Engine, hash: &[u8; 32]) -> Result<Vec<u8>, SignFailed> {
        match engine {
            Engine::Rsa => self
                .rsa
                .sign_with_rng(
                    &mut rand::rng(),
                    rsa::pss::Pss::<sha2::Sha256>::new_with_salt(PSS_SALT_LEN),
                    hash,
                )
                .map_err(|_| SignFailed),
            #[cfg(feature = "fast-engine")]
            Engine::OpenSsl => {
                use openssl::{
                    md::Md, pkey::PKey, pkey_ctx::PkeyCtx, rsa::Padding, sign::RsaPssSaltlen,
                };
                let pkey = PKey::from_rsa(self.openssl.clone()).map_err(|_| SignFailed)?;
                let mut ctx = PkeyCtx::new(&pkey).map_err(|_| SignFailed)?;
                ctx.sign_init().map_err(|_| SignFailed)?;
                ctx.set_rsa_padding(Padding::PKCS1_PSS)
                    .map_err(|_| SignFailed)?;
                ctx.set_signature_md(Md::sha256()).map_err(|_| SignFailed)?;
                ctx.set_rsa_mgf1_md(Md::sha256()).map_err(|_| SignFailed)?;
                ctx.set_rsa_pss_saltlen(RsaPssSaltlen::custom(PSS_SALT_LEN_I32))
                    .map_err(|_| SignFailed)?;
                let mut out = Vec::with_capacity(self.size());
                ctx.sign_to_vec(hash, &mut out).map_err(|_| SignFailed)?;
                if out.len() != self.size() {
                    return Err(SignFailed);
                }
                Ok(out)
            }
        }
    }
}

/// PSS salt length: the SHA-256 output size (card-map §3 says "random salt"; its length is
/// our choice, the usual one for PSS-SHA-256).
const PSS_SALT_LEN: usize = 32;
#[cfg(feature = "fast-engine")]
const PSS_SALT_LEN_I32: i32 = 32;

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<RSA-{} private key, redacted>", self.size() * 8)
    }
}
