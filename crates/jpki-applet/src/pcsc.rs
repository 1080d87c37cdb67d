//! PC/SC readers through pcscd (the `pcsc` crate): the transport for real cards and for the
//! simulator behind vsmartcard's virtual reader.
//!
//! ```no_run
//! use jpki_applet::{JpkiApplet, pcsc::PcscContext};
//! let ctx = PcscContext::establish()?;             // NoService if pcscd is not running
//! let reader = ctx.first_reader()?;                // NoReader if none is connected
//! let mut card = ctx.connect(&reader)?;            // NoCard if the reader is empty
//! let tx = card.transaction()?;                    // exclusive for this operation
//! let kind = JpkiApplet::open(tx)?.kind();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ffi::CString;
use std::time::Duration;

use apdu::{Transport, TransportError};

/// A connection to the PC/SC service.
pub struct PcscContext {
    ctx: pcsc::Context,
}

impl std::fmt::Debug for PcscContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PcscContext")
    }
}

/// A card in a reader, shared with other applications between operations.
pub struct PcscCard {
    card: pcsc::Card,
    reader: String,
    atr: Vec<u8>,
}

impl std::fmt::Debug for PcscCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscCard")
            .field("reader", &self.reader)
            .field("atr", &self.atr)
            .finish()
    }
}

/// Exclusive access to a card for one operation (a PC/SC transaction); ends on drop.
pub struct PcscTransaction<'a> {
    tx: pcsc::Transaction<'a>,
}

impl std::fmt::Debug for PcscTransaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PcscTransaction")
    }
}

fn map_err(context: &'static str, e: pcsc::Error) -> TransportError {
    match e {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => TransportError::NoService,
        pcsc::Error::NoReadersAvailable => TransportError::NoReader,
        pcsc::Error::NoSmartcard => TransportError::NoCard,
        pcsc::Error::RemovedCard if context == "connecting to the card" => TransportError::NoCard,
        pcsc::Error::RemovedCard => TransportError::CardRemoved,
        pcsc::Error::ResetCard => TransportError::CardReset,
        e => TransportError::Reader {
            context,
            source: Box::new(e),
        },
    }
}

impl PcscContext {
    /// Connects to pcscd.
    ///
    /// # Errors
    /// [`TransportError::NoService`] when pcscd is not running.
    pub fn establish() -> Result<Self, TransportError> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User)
            .map_err(|e| map_err("establishing a PC/SC context", e))?;
        Ok(Self { ctx })
    }

    /// The names of the connected readers.
    ///
    /// # Errors
    /// [`TransportError::NoReader`] when there are none.
    pub fn readers(&self) -> Result<Vec<String>, TransportError> {
        let names = self
            .ctx
            .list_readers_owned()
            .map_err(|e| map_err("listing readers", e))?;
        if names.is_empty() {
            return Err(TransportError::NoReader);
        }
        Ok(names
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect())
    }

    /// The first reader that has a card, else the first reader.
    ///
    /// # Errors
    /// As [`PcscContext::readers`].
    pub fn first_reader(&self) -> Result<String, TransportError> {
        let readers = self.readers()?;
        for r in &readers {
            if self.has_card(r).unwrap_or(false) {
                return Ok(r.clone());
            }
        }
        readers.into_iter().next().ok_or(TransportError::NoReader)
    }

    fn reader_name(&self, name: &str) -> Result<CString, TransportError> {
        if !self.readers()?.iter().any(|r| r == name) {
            return Err(TransportError::UnknownReader { name: name.into() });
        }
        CString::new(name).map_err(|_| TransportError::UnknownReader { name: name.into() })
    }

    fn has_card(&self, name: &str) -> Result<bool, TransportError> {
        let cname = self.reader_name(name)?;
        let mut states = [pcsc::ReaderState::new(cname, pcsc::State::UNAWARE)];
        self.ctx
            .get_status_change(Duration::ZERO, &mut states)
            .map_err(|e| map_err("reading the reader state", e))?;
        Ok(states
            .first()
            .is_some_and(|s| s.event_state().contains(pcsc::State::PRESENT)))
    }

    /// Waits up to `timeout` for a card in `reader`.
    ///
    /// # Errors
    /// [`TransportError::NoCard`] when none arrives in time; reader errors.
    pub fn wait_for_card(&self, reader: &str, timeout: Duration) -> Result<(), TransportError> {
        let cname = self.reader_name(reader)?;
        let mut states = [pcsc::ReaderState::new(cname, pcsc::State::UNAWARE)];
        let deadline = std::time::Instant::now() + timeout;
        // The first call (state UNAWARE) returns at once with the current state; later ones
        // block until the state changes or the time left runs out.
        let mut wait = Duration::ZERO;
        loop {
            match self.ctx.get_status_change(wait, &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout) => return Err(TransportError::NoCard),
                Err(e) => return Err(map_err("waiting for a card", e)),
            }
            let Some(state) = states.first_mut() else {
                return Err(TransportError::NoReader);
            };
            if state.event_state().contains(pcsc::State::PRESENT) {
                return Ok(());
            }
            state.sync_current_state();
            wait = deadline.saturating_duration_since(std::time::Instant::now());
            if wait.is_zero() {
                return Err(TransportError::NoCard);
            }
        }
    }

    /// Connects to the card in `reader` (shared mode, T=0 or T=1).
    ///
    /// # Errors
    /// [`TransportError::UnknownReader`], [`TransportError::NoCard`].
    pub fn connect(&self, reader: &str) -> Result<PcscCard, TransportError> {
        let cname = self.reader_name(reader)?;
        let card = self
            .ctx
            .connect(&cname, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
            .map_err(|e| map_err("connecting to the card", e))?;
        // The ATR from the card status: not every driver (vpcd) answers the ATR attribute.
        let atr = card
            .status2_owned()
            .map(|s| s.atr().to_vec())
            .unwrap_or_default();
        Ok(PcscCard {
            card,
            reader: reader.into(),
            atr,
        })
    }
}

impl PcscCard {
    /// The reader's name.
    #[must_use]
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's answer to reset.
    #[must_use]
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Starts a transaction: no other application reaches the card until it drops.
    ///
    /// # Errors
    /// The card was removed or reset.
    ///
    /// When another application reset the card since this connection was made (pcsc-lite
    /// resets it when a client disconnects), this session holds no state yet: the connection
    /// is re-established, leaving the card as it is, and the transaction started once more.
    pub fn transaction(&mut self) -> Result<PcscTransaction<'_>, TransportError> {
        // The transaction begun here is the one returned: ending it and beginning another would
        // leave a window in which another client's disconnect resets the card mid-operation.
        match self.card.transaction2() {
            Ok(tx) => Ok(PcscTransaction { tx }),
            Err((card, pcsc::Error::ResetCard)) => {
                card.reconnect(
                    pcsc::ShareMode::Shared,
                    pcsc::Protocols::ANY,
                    pcsc::Disposition::LeaveCard,
                )
                .map_err(|e| map_err("reconnecting after a reset", e))?;
                let tx = card
                    .transaction()
                    .map_err(|e| map_err("starting a transaction", e))?;
                Ok(PcscTransaction { tx })
            }
            Err((_, e)) => Err(map_err("starting a transaction", e)),
        }
    }

    /// Resets the card (security state is lost), then reconnects.
    ///
    /// # Errors
    /// The reader refused.
    pub fn reset(&mut self) -> Result<(), TransportError> {
        self.card
            .reconnect(
                pcsc::ShareMode::Shared,
                pcsc::Protocols::ANY,
                pcsc::Disposition::ResetCard,
            )
            .map_err(|e| map_err("resetting the card", e))
    }
}

fn transmit(card: &pcsc::Card, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
    let mut buf = vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED];
    let answer = card
        .transmit(capdu, &mut buf)
        .map_err(|e| map_err("sending an APDU", e))?;
    Ok(answer.to_vec())
}

impl Transport for PcscCard {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        transmit(&self.card, capdu)
    }
}

impl Transport for PcscTransaction<'_> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        transmit(&self.tx, capdu)
    }
}
