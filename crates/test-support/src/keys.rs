//! Seeded RSA-2048 keys for tests and fixtures (formerly `cert::keys::seeded_rng` and
//! `generate_seeded_key`: a fixed-seed key is test data, not product API). Never use a fixed
//! seed for real keys.

use cert::rsa::PrivateKey;
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

/// A deterministic CSPRNG for reproducible issuance in tests.
pub fn seeded_rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// The RSA-2048 key a given seed always gives ([`cert::keys::generate_key`] over
/// [`seeded_rng`]).
///
/// # Errors
/// [`cert::Error::Rsa`] if generation fails.
pub fn generate_seeded_key(seed: u64) -> Result<PrivateKey, cert::Error> {
    cert::keys::generate_key(&mut seeded_rng(seed))
}
