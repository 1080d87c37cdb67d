//! The APDU trace of both command-line tools (`jpki-sim serve --trace`, `jpki-tool
//! --verbose`): every exchange as two lines, `> C-APDU` and `< R-APDU`, with secrets and
//! personal data redacted by what the bytes are, not by three instruction bytes.
//!
//! - **Secrets, never shown** (not even with personal data allowed): the data of every command
//!   that can carry a PIN or an authentication secret, whatever its class byte (interindustry,
//!   proprietary `8x`, chained) and in its even and odd INS forms — VERIFY `20`/`21`, CHANGE
//!   REFERENCE DATA `24`/`25`, RESET RETRY COUNTER `2C`/`2D` (the city hall's new PIN), CHANGE
//!   KEY `32`/`33` (共通カードAP and 住基AP PINs), EXTERNAL AUTHENTICATE `82`/`83` (the admin
//!   channel's signature), GENERAL AUTHENTICATE `86`/`87` and ENVELOPE `C2`/`C3` (which can
//!   wrap any of them). Also 照合番号A (the My Number), which is a VERIFY. A C-APDU that does
//!   not decode is shown only by its length.
//! - **Personal data, shown only when asked for**: the data of READ BINARY (`B0`/`B1`), READ
//!   RECORD (`B2`/`B3`) and GET RESPONSE (`C0`) responses, unless the tracer knows the file read
//!   is one of the JPKI application's free files that hold no personal data: the signature CA
//!   certificate `0002`, token info `0006`, availability `0008`, the authentication certificate
//!   `000A` (its subject has no name) and its CA `000B`. Everything else is redacted: the
//!   券面事項入力補助AP (My Number and the 4 facts), the 券面事項確認AP (face, name and address
//!   images), the 共通カードAP and 住基AP records (card serial, municipality), the signature
//!   certificate `0001` (the 4 facts in its subjectAltName), and any read whose file the
//!   tracer cannot tell (nothing selected, a SELECT it did not recognise or that failed).
//!
//! The tracer sees only bytes, so it follows the selection from the SELECT commands and their
//! answers (by DF name, by EF identifier, and the short-file-identifier forms of READ BINARY
//! and READ RECORD). Redacted data reads `<redacted N bytes>`.
//!
//! ```
//! use apdu::{Command, Response, StatusWord};
//! let mut tracer = cli_common::trace::Tracer::new(false);
//! let ok = Response::status(StatusWord::SUCCESS);
//! let verify = Command::new(0x00, 0x21, 0x00, 0x80).with_data(b"1234".to_vec());
//! assert_eq!(
//!     tracer.exchange(&verify, &ok),
//!     "> 00 21 00 80 04 <redacted 4 bytes>\n< 9000"
//! );
//! ```

use apdu::{Command, Response, is_secret_ins as is_secret_command};

/// Application identifiers (shared/jpki-spec.md §3, card-map.md), as the tracer recognises
/// them in SELECT by DF name.
const AID_JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

/// JPKI application files that hold no personal data (see the module documentation).
const JPKI_FREE_FILES: [u16; 5] = [0x0002, 0x0006, 0x0008, 0x000A, 0x000B];

/// What the tracer knows is selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Selected {
    /// The JPKI application, and the EF if known.
    Jpki(Option<u16>),
    /// Anything else: another application, nothing, or not known.
    Other,
}

/// Formats traced exchanges, redacting secrets always and personal data unless allowed; keeps
/// track of the selected application and file.
#[derive(Debug)]
pub struct Tracer {
    personal_data: bool,
    selected: Selected,
    /// Whether the data of the last response counted as personal (for a GET RESPONSE that
    /// fetches the rest of it).
    last_personal: bool,
}

impl Tracer {
    /// A tracer; `personal_data` shows the personal data read from the card (never a PIN).
    #[must_use]
    pub fn new(personal_data: bool) -> Self {
        Self {
            personal_data,
            selected: Selected::Other,
            last_personal: true,
        }
    }

    /// One exchange as two lines (`> …` and `< …`, no final newline), and the selection
    /// updated from it.
    pub fn exchange(&mut self, command: &Command, response: &Response) -> String {
        let personal = self.is_personal_read(command);
        self.follow(command, response);
        self.last_personal = personal;
        let response = if personal && !self.personal_data && !response.data.is_empty() {
            format!(
                "<redacted {} bytes> {:04X}",
                response.data.len(),
                response.sw.0
            )
        } else {
            response.to_string()
        };
        format!("> {}\n< {response}", command_line(command))
    }

    /// [`exchange`](Self::exchange) for the wire bytes. A C-APDU that does not decode shows
    /// only its length, and the data of its answer is redacted.
    pub fn exchange_bytes(&mut self, capdu: &[u8], rapdu: &[u8]) -> String {
        let Ok(mut command) = Command::decode(capdu) else {
            self.selected = Selected::Other;
            self.last_personal = true;
            let response = match Response::decode(rapdu) {
                Ok(r) if r.data.is_empty() => r.to_string(),
                Ok(r) => format!("<redacted {} bytes> {:04X}", r.data.len(), r.sw.0),
                Err(_) => format!("<{} bytes, not a valid R-APDU>", rapdu.len()),
            };
            return format!(
                "> <{} bytes, not a valid C-APDU>\n< {response}",
                capdu.len()
            );
        };
        if is_secret_command(command.ins) {
            // wiped on drop
            command.set_sensitive(true);
        }
        match Response::decode(rapdu) {
            Ok(response) => self.exchange(&command, &response),
            Err(_) => {
                self.selected = Selected::Other;
                format!(
                    "> {}\n< <{} bytes, not a valid R-APDU>",
                    command_line(&command),
                    rapdu.len()
                )
            }
        }
    }

    /// Whether the data this command's answer carries counts as personal.
    fn is_personal_read(&self, command: &Command) -> bool {
        let file = match command.ins {
            // READ BINARY: P1 b8 set = SFI in P1 b5–b1
            0xB0 if command.p1 & 0x80 != 0 => Some(Some(u16::from(command.p1 & 0x1F))),
            0xB0 => Some(None),
            // odd READ BINARY: P1P2 a file identifier, an SFI (= FID 00xx), or 0000 (current EF)
            0xB1 => {
                let p1p2 = u16::from_be_bytes([command.p1, command.p2]);
                Some((p1p2 != 0).then_some(p1p2))
            }
            // READ RECORD: SFI in P2 b8–b4, or the current EF
            0xB2 | 0xB3 => Some((command.p2 >> 3 != 0).then_some(u16::from(command.p2 >> 3))),
            0xC0 => return self.last_personal,
            _ => None,
        };
        match file {
            None => false,
            Some(file) => {
                let file = match (file, self.selected) {
                    (Some(fid), Selected::Jpki(_)) => Some(fid),
                    (None, Selected::Jpki(current)) => current,
                    (_, Selected::Other) => None,
                };
                !file.is_some_and(|fid| JPKI_FREE_FILES.contains(&fid))
            }
        }
    }

    /// Follows SELECT and the SFI forms of the read commands.
    fn follow(&mut self, command: &Command, response: &Response) {
        // 9000, 61xx (more data), 62xx/63xx (warnings): the command took effect
        let took_effect = matches!(response.sw.0 >> 8, 0x90 | 0x61 | 0x62 | 0x63);
        match command.ins {
            0xA4 => {
                self.selected = match (took_effect, command.p1) {
                    (true, 0x04) if command.data == AID_JPKI => Selected::Jpki(None),
                    (true, 0x02) => match (self.selected, <[u8; 2]>::try_from(&*command.data)) {
                        (Selected::Jpki(_), Ok(fid)) => {
                            Selected::Jpki(Some(u16::from_be_bytes(fid)))
                        }
                        _ => Selected::Other,
                    },
                    // another application, another kind of SELECT, or one that failed
                    _ => Selected::Other,
                };
            }
            0xB0 if took_effect && command.p1 & 0x80 != 0 => {
                if let Selected::Jpki(_) = self.selected {
                    self.selected = Selected::Jpki(Some(u16::from(command.p1 & 0x1F)));
                }
            }
            _ => {}
        }
    }
}

/// The C-APDU as `apdu::Command` displays it, with the data of a secret command replaced by
/// `<redacted N bytes>`.
fn command_line(command: &Command) -> String {
    if !is_secret_command(command.ins) || command.data.is_empty() {
        return command.to_string();
    }
    let mut hidden = command.clone();
    hidden.set_sensitive(true);
    hidden.to_string().replacen(
        "<redacted>",
        &format!("<redacted {} bytes>", command.data.len()),
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use apdu::StatusWord;

    const OK: StatusWord = StatusWord::SUCCESS;

    fn cmd(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Command {
        let c = Command::new(cla, ins, p1, p2);
        if data.is_empty() {
            c
        } else {
            c.with_data(data.to_vec())
        }
    }

    fn read(p1: u8, p2: u8) -> Command {
        Command::new(0x00, 0xB0, p1, p2).with_le(256)
    }

    fn data(bytes: &[u8]) -> Response {
        Response::new(bytes.to_vec(), OK)
    }

    #[test]
    fn pin_commands_are_redacted_in_every_form_and_class() {
        let mut t = Tracer::new(true);
        for ins in [
            0x20, 0x21, 0x24, 0x25, 0x2C, 0x2D, 0x32, 0x33, 0x82, 0x83, 0x86, 0x87,
        ] {
            for cla in [0x00, 0x80, 0x10, 0x0C, 0x84, 0xA0] {
                let line = t.exchange(&cmd(cla, ins, 0x00, 0x80, b"SENTINEL9"), &data(&[]));
                assert!(line.contains("<redacted 9 bytes>"), "{line}");
                assert!(!line.contains("53454E"), "{line}");
            }
        }
        assert_eq!(
            t.exchange(
                &cmd(0x00, 0x20, 0x00, 0x80, &[]),
                &Response::status(StatusWord(0x63C3))
            ),
            "> 00 20 00 80\n< 63C3"
        );
        for ins in [0xA4, 0xB0, 0x2A, 0x84, 0xCA, 0x88] {
            assert!(!is_secret_command(ins), "{ins:02X}");
        }
    }

    #[test]
    fn reads_are_redacted_unless_the_file_is_a_free_jpki_file() {
        let mut t = Tracer::new(false);
        let secret = b"123456789018";
        // nothing selected yet: unknown, redacted
        assert!(
            t.exchange(&read(0, 0), &data(secret))
                .contains("<redacted 12 bytes> 9000")
        );
        t.exchange(&cmd(0, 0xA4, 4, 0x0C, &AID_JPKI), &data(&[]));
        t.exchange(&cmd(0, 0xA4, 2, 0x0C, &[0x00, 0x0A]), &data(&[]));
        assert!(
            t.exchange(&read(0, 0), &data(&[0x30, 0x82]))
                .ends_with("< 3082 9000")
        );
        // the signature certificate carries the 4 facts
        t.exchange(&cmd(0, 0xA4, 2, 0x0C, &[0x00, 0x01]), &data(&[]));
        assert!(t.exchange(&read(0, 0), &data(secret)).contains("<redacted"));
        // an SFI read of 000A, then of 0001
        assert!(
            t.exchange(&read(0x8A, 0), &data(&[0x30]))
                .ends_with("< 30 9000")
        );
        assert!(
            t.exchange(&read(0x81, 0), &data(secret))
                .contains("<redacted")
        );
        // a failed SELECT: no longer known
        t.exchange(&cmd(0, 0xA4, 2, 0x0C, &[0x00, 0x0A]), &data(&[]));
        t.exchange(
            &cmd(0, 0xA4, 2, 0x0C, &[0x12, 0x34]),
            &Response::status(StatusWord(0x6A82)),
        );
        assert!(t.exchange(&read(0, 0), &data(secret)).contains("<redacted"));
        // the text-support AP: every file
        t.exchange(
            &cmd(
                0,
                0xA4,
                4,
                0x0C,
                &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08],
            ),
            &data(&[]),
        );
        t.exchange(&cmd(0, 0xA4, 2, 0x0C, &[0x00, 0x0A]), &data(&[]));
        assert!(t.exchange(&read(0, 0), &data(secret)).contains("<redacted"));
        // GET RESPONSE continues the read before it; READ RECORD in another AP
        let more = Response::new(secret.to_vec(), StatusWord(0x6110));
        assert!(
            t.exchange(&read(0, 0), &more)
                .contains("<redacted 12 bytes> 6110")
        );
        let get = Command::new(0, 0xC0, 0, 0).with_le(16);
        assert!(t.exchange(&get, &data(secret)).contains("<redacted"));
        let record = Command::new(0, 0xB2, 1, 0x0C).with_le(256);
        assert!(t.exchange(&record, &data(secret)).contains("<redacted"));
        // other commands' answers are shown
        let challenge = Command::new(0, 0x84, 0, 0).with_le(8);
        assert!(
            t.exchange(&challenge, &data(&[0xAB; 8]))
                .contains("ABABABAB")
        );
    }

    #[test]
    fn personal_data_shows_when_asked_but_pins_never() {
        let mut t = Tracer::new(true);
        assert!(
            t.exchange(&read(0, 0), &data(b"ABC"))
                .ends_with("< 414243 9000")
        );
        assert!(
            t.exchange_bytes(&[0x00, 0x21, 0x00, 0x80, 0x02, 0x39, 0x39], &[0x90, 0x00])
                .contains("<redacted 2 bytes>")
        );
    }

    #[test]
    fn bytes_that_do_not_decode_show_only_their_length() {
        let mut t = Tracer::new(true);
        let line = t.exchange_bytes(
            &[0x00, 0x20, 0x00, 0x80, 0x09, 0x31],
            &[0x31, 0x32, 0x67, 0x00],
        );
        assert_eq!(
            line,
            "> <6 bytes, not a valid C-APDU>\n< <redacted 2 bytes> 6700"
        );
        let line = t.exchange_bytes(&[0x00, 0x84, 0x00, 0x00, 0x08], &[0x90]);
        assert_eq!(line, "> 00 84 00 00 08\n< <1 bytes, not a valid R-APDU>");
    }
}
