//! BER-TLV writing for the 券面 records: one- or two-byte tags, minimal definite lengths
//! (`L`, `81 L`, `82 LL LL`), and the card's public-key encoding.

use rsa::traits::PublicKeyParts;

use crate::error::Error;

/// Appends `tag`, the minimal length of `value` and `value` to `out`.
///
/// # Errors
/// [`Error::CardFace`] for a value over 65 535 bytes (no record holds one).
pub(crate) fn push(out: &mut Vec<u8>, tag: &[u8], value: &[u8]) -> Result<(), Error> {
    out.extend_from_slice(tag);
    let len = value.len();
    if let Ok(short) = u8::try_from(len)
        && short < 0x80
    {
        out.push(short);
    } else if let Ok(byte) = u8::try_from(len) {
        out.extend_from_slice(&[0x81, byte]);
    } else {
        let two = u16::try_from(len).map_err(|_| Error::CardFace {
            reason: "a record field is longer than 65535 bytes",
        })?;
        out.push(0x82);
        out.extend_from_slice(&two.to_be_bytes());
    }
    out.extend_from_slice(value);
    Ok(())
}

/// How many bytes [`push`] uses for a length.
pub(crate) fn length_len(len: usize) -> usize {
    match len {
        0..0x80 => 1,
        0x80..0x100 => 2,
        _ => 3,
    }
}

/// One TLV as a new buffer.
pub(crate) fn tlv(tag: &[u8], value: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(value.len() + 6);
    push(&mut out, tag, value)?;
    Ok(out)
}

/// Modulus size of every card and CA key (RSA-2048).
pub(crate) const MODULUS_LEN: usize = 256;

/// A public key as the 券面 APs store it: `90 03 01 00 01 91 82 01 00 <256-byte modulus>`
/// (265 bytes; card-map §5).
///
/// # Errors
/// [`Error::CardFace`] unless the key is RSA-2048.
pub(crate) fn public_key(key: &rsa::PublicKey) -> Result<Vec<u8>, Error> {
    let not_2048 = Error::CardFace {
        reason: "a card-face key is not RSA-2048",
    };
    let n = key.n_bytes();
    let pad = MODULUS_LEN.checked_sub(n.len()).ok_or(not_2048)?;
    let mut modulus = vec![0u8; pad];
    modulus.extend_from_slice(&n);
    let mut out = Vec::with_capacity(265);
    push(&mut out, &[0x90], &key.e_bytes())?;
    push(&mut out, &[0x91], &modulus)?;
    Ok(out)
}
