//! The city-hall terminal: the administrative exchange with a card over its APDUs (a reading
//! of shared/jpki-spec.md of its own, beside the client's).

use apdu::{Command, Response, StatusWord, Transport};
use p256::ecdsa::{Signature, signature::Signer};
use pin_policy::Pin;
use zeroize::Zeroizing;

use card_sim::admin::{CARD_ID_TAG, CHALLENGE_LEN, admin_message};
use card_sim::{CARD_ID_LEN, PinRef};

use super::Authority;
use crate::error::Error;

impl Authority {
    /// The municipality's half of EXTERNAL AUTHENTICATE: an ECDSA P-256 signature (raw
    /// `r || s`, 64 bytes) over [`admin_message`]`(card_id, challenge)`.
    #[must_use]
    pub fn admin_response(
        &self,
        card_id: &[u8; CARD_ID_LEN],
        challenge: &[u8; CHALLENGE_LEN],
    ) -> Vec<u8> {
        let signature: Signature = self.admin.sign(&admin_message(card_id, challenge));
        signature.to_bytes().to_vec()
    }

    /// Releases a PIN at the city hall, over the APDUs a real card sees: SELECT the PIN's
    /// application and EF, GET DATA (card ID), GET CHALLENGE, EXTERNAL AUTHENTICATE with the
    /// admin key, then RESET RETRY COUNTER — `00 2C 03 80` (counter back at its limit), or
    /// `00 2C 02 80 Lc <new PIN>` with `new_pin`. The PIN is left unverified.
    ///
    /// # Errors
    /// [`Error::ForeignCard`] for a card of another authority (EXTERNAL AUTHENTICATE `6300`)
    /// or of none (GET DATA `6A88`); [`Error::CardRefused`] naming the command the card
    /// refused (e.g. RESET RETRY COUNTER `6A80` for a new PIN that breaks the format rule,
    /// SELECT `6A82` for a card without that PIN);
    /// [`Error::Transport`]; [`Error::BadCardResponse`].
    pub fn unlock(
        &self,
        card: &mut dyn Transport,
        pin: PinRef,
        new_pin: Option<&Pin>,
    ) -> Result<(), Error> {
        let (aid, fid): (&[u8], [u8; 2]) = match pin {
            PinRef::Authentication => (&AID_JPKI, [0x00, 0x18]),
            PinRef::Signature => (&AID_JPKI, [0x00, 0x1B]),
            PinRef::TextSupport => (&AID_TEXT_SUPPORT, [0x00, 0x11]),
            PinRef::TextSupportBlocked => (&AID_TEXT_SUPPORT, [0x00, 0x12]),
            PinRef::TextSupportA => (&AID_TEXT_SUPPORT, [0x00, 0x14]),
            PinRef::TextSupportB => (&AID_TEXT_SUPPORT, [0x00, 0x15]),
            PinRef::VisualBirthDate => (&AID_VISUAL, [0x00, 0x11]),
            PinRef::VisualB => (&AID_VISUAL, [0x00, 0x12]),
            PinRef::VisualA => (&AID_VISUAL, [0x00, 0x13]),
            PinRef::Common => (&AID_COMMON, [0x00, 0x1C]),
            PinRef::Juki => (&AID_JUKI, [0x00, 0x1C]),
        };
        exchange(
            card,
            "SELECT (application)",
            &Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid.to_vec()),
        )?;
        exchange(
            card,
            "SELECT (PIN EF)",
            &Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_vec()),
        )?;
        let [tag_hi, tag_lo] = CARD_ID_TAG.to_be_bytes();
        let card_id: [u8; CARD_ID_LEN] = exchange_data(
            card,
            "GET DATA (card ID)",
            &Command::new(0x00, 0xCA, tag_hi, tag_lo).with_le(256),
        )
        .map_err(|e| match e {
            Error::CardRefused {
                status: StatusWord::REFERENCED_DATA_NOT_FOUND,
                ..
            } => Error::ForeignCard {
                reason: "it carries no authority binding: GET DATA (card ID) answered 6A88",
            },
            e => e,
        })?;
        let challenge: [u8; CHALLENGE_LEN] = exchange_data(
            card,
            "GET CHALLENGE",
            &Command::new(0x00, 0x84, 0x00, 0x00).with_le(CHALLENGE_LEN),
        )?;
        exchange(
            card,
            "EXTERNAL AUTHENTICATE",
            &Command::new(0x00, 0x82, 0x00, 0x00)
                .with_data(self.admin_response(&card_id, &challenge)),
        )
        .map_err(|e| match e {
            // the card checked this authority's signature against the admin key it carries
            Error::CardRefused {
                status: StatusWord(0x6300),
                ..
            } => Error::ForeignCard {
                reason: "its admin key is another authority's: EXTERNAL AUTHENTICATE answered 6300",
            },
            e => e,
        })?;
        let reset = match new_pin {
            None => Command::new(0x00, 0x2C, 0x03, 0x80),
            Some(new) => {
                Command::new(0x00, 0x2C, 0x02, 0x80).with_data(new.expose_secret().to_vec())
            }
        }
        .sensitive();
        exchange(card, "RESET RETRY COUNTER", &reset)
    }
}

/// Application identifiers (shared/jpki-spec.md §3), as the municipality's terminal sends them.
const AID_JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
const AID_TEXT_SUPPORT: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
/// 券面事項確認AP, 共通カードAP, 住基AP (card-map §5–§7).
const AID_VISUAL: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];
const AID_COMMON: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00];
const AID_JUKI: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01];

/// Sends one command, expects `9000`, returns the data.
fn transmit(
    card: &mut dyn Transport,
    what: &'static str,
    command: &Command,
) -> Result<Vec<u8>, Error> {
    let capdu = Zeroizing::new(
        command
            .encode()
            .map_err(|_| Error::BadCardResponse { command: what })?,
    );
    let rapdu = card.transmit(&capdu)?;
    let response =
        Response::decode(&rapdu).map_err(|_| Error::BadCardResponse { command: what })?;
    if response.sw == StatusWord::SUCCESS {
        Ok(response.data)
    } else {
        Err(Error::CardRefused {
            command: what,
            status: response.sw,
        })
    }
}

/// [`transmit`], expecting no data.
fn exchange(card: &mut dyn Transport, what: &'static str, command: &Command) -> Result<(), Error> {
    transmit(card, what, command).map(|_| ())
}

/// [`transmit`], expecting exactly `N` bytes of data.
fn exchange_data<const N: usize>(
    card: &mut dyn Transport,
    what: &'static str,
    command: &Command,
) -> Result<[u8; N], Error> {
    let data = transmit(card, what, command)?;
    data.as_slice()
        .try_into()
        .map_err(|_| Error::BadCardResponse { command: what })
}
