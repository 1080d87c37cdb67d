//! The public keys and signatures of the 券面 records (card-map §5): keys as
//! `90 03 01 00 01 91 82 01 00 <256 B>`, signatures RSA-2048 PKCS#1 v1.5.

use apdu::tlv;
use rsa::{BoxedUint, Pkcs1v15Sign, PublicKey};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// Decodes a card-format RSA public key: `90 L <exponent>` then `91 L <modulus>`, nothing
/// else (card-map §5: `90 03 01 00 01 91 82 01 00 <256 B>`).
///
/// # Errors
/// A reason when the bytes are not exactly those two objects or not a usable RSA key.
pub fn card_public_key(bytes: &[u8]) -> Result<PublicKey, &'static str> {
    let (t1, exponent, rest) =
        tlv::split_object(bytes).map_err(|_| "the public key is not BER-TLV")?;
    let (t2, modulus, rest) =
        tlv::split_object(rest).map_err(|_| "the public key is not BER-TLV")?;
    if t1 != 0x90 || t2 != 0x91 || !rest.is_empty() {
        return Err("the public key is not 90 (exponent) then 91 (modulus)");
    }
    if exponent.is_empty() || exponent.len() > 8 || modulus.len() < 128 || modulus.len() > 512 {
        return Err("the public key's sizes are not an RSA key's");
    }
    PublicKey::new(
        BoxedUint::from_be_slice_vartime(modulus),
        BoxedUint::from_be_slice_vartime(exponent),
    )
    .map_err(|_| "the public key is not a valid RSA key")
}

/// Checks an RSA PKCS#1 v1.5 SHA-256 signature over `message`.
pub(crate) fn verify_sha256(
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
    what: &'static str,
) -> Result<(), Error> {
    let hash = Sha256::digest(message);
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &hash, signature)
        .map_err(|_| Error::SignatureInvalid { what })
}

/// Checks an RSA PKCS#1 v1.5 signature whose DigestInfo is `structure` as given.
pub(crate) fn verify_prebuilt(
    key: &PublicKey,
    structure: &[u8],
    signature: &[u8],
    what: &'static str,
) -> Result<(), Error> {
    key.verify(Pkcs1v15Sign::new_unprefixed(), structure, signature)
        .map_err(|_| Error::SignatureInvalid { what })
}
