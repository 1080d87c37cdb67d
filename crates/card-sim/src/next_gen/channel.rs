//! The secure-messaging seam (profile §2.6): the stage between the transport and the 認証AP's
//! dispatch, `unwrap → dispatch → wrap`.
//!
//! NG-sim v1 has no secure messaging: [`PlainChannel`] passes plain APDUs through and refuses
//! SM class bytes with `6882`. Version 2 replaces it here, and only here, with ISO 7816-4 SM
//! objects (`87 97 8E 99`, AES) once the real key set-up is published.

use apdu::{Command, Response, StatusWord};

/// The class byte of plain APDUs (the only one v1 serves).
const CLA_PLAIN: u8 = 0x00;

/// The channel stage of a next-generation card: pass-through in v1.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PlainChannel;

impl PlainChannel {
    /// The plain command inside `command`: v1 takes CLA `00` as is; an SM class (`08`, `0C`)
    /// → `6882`; any other class → `6E00`.
    #[allow(clippy::unused_self)] // v2's SM keeps its session keys here
    pub(crate) fn unwrap<'c>(&self, command: &'c Command) -> Result<&'c Command, StatusWord> {
        match command.cla {
            CLA_PLAIN => Ok(command),
            0x08 | 0x0C => Err(StatusWord::SECURE_MESSAGING_NOT_SUPPORTED),
            _ => Err(StatusWord::CLA_NOT_SUPPORTED),
        }
    }

    /// The response as it leaves the card: unchanged in v1.
    #[allow(clippy::unused_self)]
    pub(crate) fn wrap(&self, response: Response) -> Response {
        response
    }
}
