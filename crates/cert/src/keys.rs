//! RSA-2048 keys: generation (optionally from a seed, for reproducible fixtures) and PKCS#8.
//!
//! `rsa::PrivateKey` zeroizes its secret parts on drop; PKCS#8 encodings are returned in
//! [`Zeroizing`] buffers.

use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, SeedableRng};
use rsa::PrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use zeroize::Zeroizing;

use crate::Error;

/// Key size of every JPKI key.
pub const RSA_BITS: usize = 2048;

/// A deterministic CSPRNG for reproducible issuance (fixtures, benchmarks). Never use a fixed
/// seed for real keys.
pub fn seeded_rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Generates an RSA-2048 key with e = 65537.
///
/// # Errors
/// [`Error::Rsa`] if generation fails.
pub fn generate_key<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<PrivateKey, Error> {
    Ok(PrivateKey::new(rng, RSA_BITS)?)
}

/// Generates the key a given seed always gives (for fixtures and tests).
///
/// # Errors
/// [`Error::Rsa`] if generation fails.
pub fn generate_seeded_key(seed: u64) -> Result<PrivateKey, Error> {
    generate_key(&mut seeded_rng(seed))
}

/// PKCS#8 DER of a private key, in a buffer zeroized on drop.
///
/// # Errors
/// [`Error::Pkcs8`] if encoding fails.
pub fn to_pkcs8_der(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>, Error> {
    let doc = key.to_pkcs8_der()?;
    Ok(Zeroizing::new(doc.as_bytes().to_vec()))
}

/// A private key from PKCS#8 DER.
///
/// # Errors
/// [`Error::Pkcs8`] if the DER is not an RSA PKCS#8 key.
pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, Error> {
    Ok(PrivateKey::from_pkcs8_der(der)?)
}
