//! The next-generation 認証AP's commands, each exactly the APDU it documents
//! (shared/next-gen-profile.md §2.2, §2.4), and their status words mapped to errors.

use apdu::{Channel, Command, StatusWord, Transport};

use super::ecdsa::parse_raw;
use super::ids;
use super::secret::{CheckedSecret, NgSecret, SecretStatus};
use crate::error::Error;
use crate::iso::status_error;

/// Name of the 認証AP in errors.
pub(crate) const AUTH_AP_NAME: &str = "next-generation 認証AP";

/// `00 A4 04 0C 0B F0 4A 50 4B 49 4E 47 41 55 54 48` → `9000`. Ends any verified state.
pub(crate) fn select_auth_ap<T: Transport>(ch: &mut Channel<T>) -> Result<(), Error> {
    let resp = ch.send(&Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(ids::AUTH_AID.to_vec()))?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        StatusWord::FILE_NOT_FOUND => Err(Error::ApplicationNotFound {
            application: AUTH_AP_NAME,
        }),
        sw => Err(status_error(sw, None, "SELECT 認証AP")),
    }
}

/// `00 20 00 <ref> Lc <ASCII>`: right → `9000`; wrong → `63Cx`; blocked → `6983`; an unset
/// PUK → `6A88`.
pub(crate) fn verify<T: Transport>(
    ch: &mut Channel<T>,
    value: &CheckedSecret,
) -> Result<(), Error> {
    let secret = value.which();
    let cmd = Command::new(0x00, 0x20, 0x00, secret.reference())
        .with_data(value.expose_secret().to_vec())
        .sensitive();
    let resp = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        sw => Err(secret_error(sw, secret, "VERIFY")),
    }
}

/// `00 20 00 <ref>` without data, with its ISO 7816-4 meaning: `9000` verified, `63Cx` tries
/// left, `6983` blocked, `6A88` not set.
pub(crate) fn secret_status<T: Transport>(
    ch: &mut Channel<T>,
    secret: NgSecret,
) -> Result<SecretStatus, Error> {
    let resp = ch.send(&Command::new(0x00, 0x20, 0x00, secret.reference()))?;
    match (resp.sw, resp.sw.retries_left()) {
        (StatusWord::SUCCESS, _) => Ok(SecretStatus::Verified),
        (_, Some(n)) => Ok(SecretStatus::TriesLeft(n)),
        (StatusWord::AUTH_METHOD_BLOCKED | StatusWord::REFERENCE_DATA_NOT_USABLE, None) => {
            Ok(SecretStatus::Blocked)
        }
        (StatusWord::REFERENCED_DATA_NOT_FOUND, None) => Ok(SecretStatus::NotSet),
        (sw, None) => Err(Error::UnexpectedStatus {
            operation: "VERIFY (status query)",
            sw,
        }),
    }
}

/// `00 24 01 <ref> Lc <new>` after VERIFY of that reference (of the signing password for the
/// PUK); `6A80` → the card refused the format, nothing changed.
pub(crate) fn change_reference_data<T: Transport>(
    ch: &mut Channel<T>,
    new: &CheckedSecret,
) -> Result<(), Error> {
    let secret = new.which();
    let cmd = Command::new(0x00, 0x24, 0x01, secret.reference())
        .with_data(new.expose_secret().to_vec())
        .sensitive();
    let resp = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        StatusWord::WRONG_DATA => Err(Error::UnexpectedStatus {
            operation: "CHANGE REFERENCE DATA (the card refused the new value's format)",
            sw: resp.sw,
        }),
        sw => Err(secret_error(sw, secret, "CHANGE REFERENCE DATA")),
    }
}

/// `00 2C 00 82 0C <PUK 8><new PIN4 4>`: sets and refills the 4-digit PIN; a wrong PUK →
/// `63Cx` on the PUK.
pub(crate) fn reset_retry_counter<T: Transport>(
    ch: &mut Channel<T>,
    puk: &CheckedSecret,
    pin4: &CheckedSecret,
) -> Result<(), Error> {
    let mut data = zeroize::Zeroizing::new(puk.expose_secret().to_vec());
    data.extend_from_slice(pin4.expose_secret());
    let cmd = Command::new(0x00, 0x2C, 0x00, pin4.which().reference())
        .with_data(data.to_vec())
        .sensitive();
    let resp = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        sw => Err(secret_error(sw, NgSecret::Puk, "RESET RETRY COUNTER")),
    }
}

/// MSE:SET `00 22 41 B6 03 84 01 <key>` → `9000`.
pub(crate) fn mse_set<T: Transport>(ch: &mut Channel<T>, key: u8) -> Result<(), Error> {
    let (p1, p2) = ids::MSE_SET_P1P2;
    let cmd = Command::new(0x00, 0x22, p1, p2).with_data(vec![ids::MSE_KEY_TAG, 0x01, key]);
    let resp = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS => Ok(()),
        sw => Err(status_error(sw, None, "MSE:SET")),
    }
}

/// PSO:CDS `00 2A 9E 9A 30 <SHA-384 hash> 00` → 96 bytes `r ‖ s` + `9000`. The answer's
/// length and range are checked here; whether it verifies is the caller's step.
pub(crate) fn pso_cds<T: Transport>(ch: &mut Channel<T>, hash: &[u8]) -> Result<Vec<u8>, Error> {
    check_hash(hash)?;
    let (p1, p2) = ids::PSO_CDS_P1P2;
    let cmd = Command::new(0x00, 0x2A, p1, p2)
        .with_data(hash.to_vec())
        .with_le(256);
    let resp = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS => {
            parse_raw(&resp.data)?;
            Ok(resp.data)
        }
        sw => Err(status_error(sw, None, "PSO: COMPUTE DIGITAL SIGNATURE")),
    }
}

/// INTERNAL AUTHENTICATE `00 88 00 83 Lc <challenge 16–64> 00` → 96 bytes `r ‖ s` + `9000`.
pub(crate) fn internal_authenticate<T: Transport>(
    ch: &mut Channel<T>,
    challenge: &[u8],
) -> Result<Vec<u8>, Error> {
    if !ids::CHALLENGE_LEN.contains(&challenge.len()) {
        return Err(Error::ChallengeLength {
            len: challenge.len(),
        });
    }
    let (p1, p2) = ids::INTERNAL_AUTH_P1P2;
    let cmd = Command::new(0x00, 0x88, p1, p2)
        .with_data(challenge.to_vec())
        .with_le(256);
    let resp = ch.send(&cmd)?;
    match resp.sw {
        StatusWord::SUCCESS => {
            parse_raw(&resp.data)?;
            Ok(resp.data)
        }
        sw => Err(status_error(sw, None, "INTERNAL AUTHENTICATE")),
    }
}

/// PSO:CDS takes exactly a SHA-384 hash.
pub(crate) const fn check_hash(hash: &[u8]) -> Result<(), Error> {
    if hash.len() != ids::HASH_LEN {
        return Err(Error::HashLength {
            len: hash.len(),
            expected: ids::HASH_LEN,
        });
    }
    Ok(())
}

/// A secret's status word as an error a person understands.
fn secret_error(sw: StatusWord, secret: NgSecret, operation: &'static str) -> Error {
    match (sw, sw.retries_left()) {
        (_, Some(tries_left)) => Error::WrongSecret { secret, tries_left },
        (StatusWord::AUTH_METHOD_BLOCKED | StatusWord::REFERENCE_DATA_NOT_USABLE, None) => {
            Error::SecretBlocked { secret }
        }
        (StatusWord::REFERENCED_DATA_NOT_FOUND, None) if secret == NgSecret::Puk => {
            Error::PukNotSet
        }
        (sw, None) => status_error(sw, None, operation),
    }
}
