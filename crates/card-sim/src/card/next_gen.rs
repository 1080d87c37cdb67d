//! The next-generation card's commands (NG-sim v1, shared/next-gen-profile.md §2.2–2.4), as
//! methods of [`SimCard`]: SELECT and READ BINARY here, the secrets in `secrets`, the P-384
//! operations in `crypto`; the public API in `api`, the municipal window's writes in `life`. Every command passes the channel stage first
//! ([`crate::next_gen::channel::PlainChannel`], where v2's secure messaging goes).

mod api;
mod crypto;
mod life;
mod secrets;
#[cfg(test)]
mod write_failures;

use apdu::{Command, Response, StatusWord};

use super::{SimCard, files::facts_ef, files::my_number_ef};
use crate::contents::next_gen::NgSlot;
use crate::next_gen::{
    NextGenSecret,
    channel::PlainChannel,
    ids::{self, fid, ins},
    session::NgApp,
};

fn status(sw: StatusWord) -> Response {
    Response::status(sw)
}

/// Who may read an EF of the 認証AP.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    Free,
    SignPassword,
    Pin4OrSignPassword,
}

/// The EF `fid` of the 認証AP, its read rule and its content, `None` if the card lacks it
/// (a certificate of an omitted key).
fn ef(ng: &NgSlot, fid: u16) -> Option<(Read, Vec<u8>)> {
    let cert = |key: Option<&crate::contents::next_gen::NgKeySlot>, ca: bool| {
        key.map(|k| {
            if ca {
                k.ca_certificate.clone()
            } else {
                k.certificate.clone()
            }
        })
    };
    let (read, content) = match fid {
        fid::AUTH_CERT => (Read::Free, cert(ng.authentication.as_ref(), false)?),
        fid::AUTH_CA_CERT => (Read::Free, cert(ng.authentication.as_ref(), true)?),
        fid::SIGN_CERT => (Read::SignPassword, cert(ng.signature.as_ref(), false)?),
        fid::SIGN_CA_CERT => (Read::Free, cert(ng.signature.as_ref(), true)?),
        fid::CARD_AUTH_CERT => (Read::Free, ng.card_authentication.certificate.clone()),
        fid::CARD_AUTH_CA_CERT => (Read::Free, ng.card_authentication.ca_certificate.clone()),
        fid::TOKEN_INFO => (Read::Free, ids::TOKEN_INFO.to_vec()),
        fid::AVAILABILITY => {
            let flag = |present: bool| if present { 0x8F } else { 0x00 };
            (
                Read::Free,
                vec![
                    flag(ng.signature.is_some()),
                    flag(ng.authentication.is_some()),
                    0x00,
                ],
            )
        }
        fid::PROFILE => (Read::Free, ids::PROFILE_EF.to_vec()),
        fid::MY_NUMBER => (
            Read::Pin4OrSignPassword,
            my_number_ef(ng.my_number.digits()),
        ),
        fid::FOUR_FACTS => (Read::Pin4OrSignPassword, facts_ef(&ng.facts)?),
        _ => return None,
    };
    Some((read, content))
}

impl SimCard {
    /// One command to a next-generation card: the channel stage unwraps it (v1: CLA `00`
    /// only, SM `6882`, other classes `6E00`), the 認証AP dispatches it, the channel wraps the
    /// answer. Unknown instructions `6D00`; commands other than SELECT and READ BINARY with
    /// the 認証AP not current `6985` (our choice).
    pub(super) fn handle_next_gen(&mut self, command: &Command) -> Response {
        let channel = PlainChannel;
        let command = match channel.unwrap(command) {
            Ok(command) => command,
            Err(sw) => return channel.wrap(status(sw)),
        };
        let response = self.dispatch_next_gen(command);
        channel.wrap(response)
    }

    fn dispatch_next_gen(&mut self, cmd: &Command) -> Response {
        let in_auth = self.session.ng.in_auth();
        match cmd.ins {
            ins::SELECT => self.ng_select(cmd),
            ins::READ_BINARY => self.ng_read_binary(cmd),
            ins::VERIFY
            | ins::CHANGE
            | ins::RESET_RETRY_COUNTER
            | ins::MSE
            | ins::PSO
            | ins::INTERNAL_AUTHENTICATE
                if !in_auth =>
            {
                status(StatusWord::CONDITIONS_NOT_SATISFIED)
            }
            ins::VERIFY => self.ng_verify(cmd),
            ins::CHANGE => self.ng_change(cmd),
            ins::RESET_RETRY_COUNTER => self.ng_reset_retry_counter(cmd),
            ins::MSE => self.ng_mse(cmd),
            ins::PSO => self.ng_pso(cmd),
            ins::INTERNAL_AUTHENTICATE => self.ng_internal_authenticate(cmd),
            _ => status(StatusWord::INS_NOT_SUPPORTED),
        }
    }

    /// SELECT (profile §2.2, §2.3).
    ///
    /// - by AID, P1 `04`: 認証AP or 券面等AP → `9000` (P2 `0C`: no data; P2 `00`: FCI
    ///   `6F 0D 84 0B <AID>`), that application current with nothing verified and no MSE
    ///   key; any other AID (today's five included) → `6A82`, the state unchanged; other P2
    ///   `6A86`.
    /// - EF, P1 `02` (P2 `0C` or `00`, no FCI): `00 A4 02 0C 02 <FID>` in the 認証AP → `9000`;
    ///   unknown FID, an omitted key's certificate or no 認証AP → `6A82`; Lc ≠ 2 → `6700`.
    /// - any other P1 → `6A86`.
    fn ng_select(&mut self, cmd: &Command) -> Response {
        match cmd.p1 {
            0x04 => {
                let app = if cmd.data == ids::AID_AUTH {
                    NgApp::Auth
                } else if cmd.data == ids::AID_FACE {
                    NgApp::Face
                } else {
                    return status(StatusWord::FILE_NOT_FOUND);
                };
                let fci = match cmd.p2 {
                    0x0C => false,
                    0x00 => true,
                    _ => return status(StatusWord::INCORRECT_P1P2),
                };
                self.session.ng.select_app(app);
                if !fci {
                    return status(StatusWord::SUCCESS);
                }
                let mut data = Vec::with_capacity(15);
                data.extend_from_slice(&[ids::FCI_TAG, 0x0D, ids::DF_NAME_TAG, 0x0B]);
                data.extend_from_slice(&cmd.data);
                Response::new(data, StatusWord::SUCCESS)
            }
            0x02 => {
                if !matches!(cmd.p2, 0x0C | 0x00) {
                    return status(StatusWord::INCORRECT_P1P2);
                }
                let Ok(fid) = <[u8; 2]>::try_from(cmd.data.as_slice()) else {
                    return status(StatusWord::WRONG_LENGTH);
                };
                let fid = u16::from_be_bytes(fid);
                let found = self.session.ng.in_auth()
                    && self
                        .data
                        .next_gen
                        .as_ref()
                        .is_some_and(|ng| ef(ng, fid).is_some());
                if found {
                    self.session.ng.ef = Some(fid);
                    status(StatusWord::SUCCESS)
                } else {
                    status(StatusWord::FILE_NOT_FOUND)
                }
            }
            _ => status(StatusWord::INCORRECT_P1P2),
        }
    }

    /// READ BINARY `00 B0 P1 P2 Le` of the current EF (as jpki-spec §5): offset P1P2 ≤
    /// `7FFF`, up to Le bytes (`00` = 256) + `9000`; offset at or past the end `6B00`. No Le
    /// or data `6700`; P1 bit 8 (SFI; not in v1) `6A86`; no current EF `6986`; `0001` before
    /// SIGN_PW, `0021`/`0022` before PIN4 or SIGN_PW → `6982`.
    fn ng_read_binary(&mut self, cmd: &Command) -> Response {
        let (Some(le), true) = (cmd.le, cmd.data.is_empty()) else {
            return status(StatusWord::WRONG_LENGTH);
        };
        if cmd.p1 & 0x80 != 0 {
            return status(StatusWord::INCORRECT_P1P2);
        }
        let offset = usize::from(u16::from_be_bytes([cmd.p1, cmd.p2]));
        let (Some(fid), true) = (self.session.ng.ef, self.session.ng.in_auth()) else {
            return status(StatusWord::COMMAND_NOT_ALLOWED_NO_EF);
        };
        let Some((read, content)) = self.data.next_gen.as_ref().and_then(|ng| ef(ng, fid)) else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        let session = &self.session.ng;
        let allowed = match read {
            Read::Free => true,
            Read::SignPassword => session.is_verified(NextGenSecret::SignPassword),
            Read::Pin4OrSignPassword => session.pin4_satisfied(),
        };
        if !allowed {
            return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        match content.get(offset..) {
            Some(rest) if !rest.is_empty() => {
                let n = rest.len().min(le);
                Response::new(rest.get(..n).unwrap_or(rest).to_vec(), StatusWord::SUCCESS)
            }
            _ => status(StatusWord::WRONG_P1P2),
        }
    }

    /// Puts the NG state back as `before` after a write failed; with `rewrite`, an earlier
    /// write of the command did land, so the old state is written back (best effort: if the
    /// file still cannot be written it keeps the counted try, the safe side).
    fn ng_restore(&mut self, before: NgSlot, rewrite: bool) {
        self.data.next_gen = Some(before);
        if rewrite {
            let _ = self.persist();
        }
    }
}
