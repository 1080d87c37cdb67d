//! RSA-2048 keys: generation and PKCS#8. (Seeded keys for tests and fixtures are
//! in the dev-only test-support crate, not this crate's API.)
//!
//! `rsa::PrivateKey` zeroizes its secret parts on drop; PKCS#8 encodings are returned in
//! [`Zeroizing`] buffers.

use rand_core::CryptoRng;
use rsa::PrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use zeroize::Zeroizing;

use crate::Error;

/// Key size of every JPKI key.
pub const RSA_BITS: usize = 2048;

/// Generates an RSA-2048 key with e = 65537.
///
/// # Errors
/// [`Error::Rsa`] if generation fails.
pub fn generate_key<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<PrivateKey, Error> {
    Ok(PrivateKey::new(rng, RSA_BITS)?)
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
