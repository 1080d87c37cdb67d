//! The byte seam every card sits behind: a simulator, a PC/SC reader or a fuzzer.

/// Sends one C-APDU and returns the R-APDU, both in their wire form.
///
/// Implementations do no APDU-level processing (no GET RESPONSE, no chaining): that is
/// [`crate::Channel`]'s job, one layer up.
///
/// ```
/// use apdu::{Transport, TransportError};
/// /// A card that knows nothing: every command is answered `6D00`.
/// struct Mute;
/// impl Transport for Mute {
///     fn transmit(&mut self, _capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
///         Ok(vec![0x6D, 0x00])
///     }
/// }
/// assert_eq!(Mute.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08])?, [0x6D, 0x00]);
/// # Ok::<(), TransportError>(())
/// ```
pub trait Transport {
    /// Sends `capdu`, returns the card's answer.
    ///
    /// # Errors
    /// The card or the path to it failed; see [`TransportError`].
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(capdu)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(capdu)
    }
}

/// Why an exchange with the card did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The smart-card service is not running or cannot be reached.
    #[error("the smart-card service (pcscd) is not running: start it, or check its socket")]
    NoService,
    /// No reader is connected.
    #[error("no smart-card reader found: connect one (or start a virtual reader)")]
    NoReader,
    /// The named reader does not exist.
    #[error("no reader named {name:?}: list readers to see what is there")]
    UnknownReader {
        /// The name asked for.
        name: String,
    },
    /// The reader has no card.
    #[error("no card in the reader: insert the card")]
    NoCard,
    /// The card was removed during the session.
    #[error("the card was removed")]
    CardRemoved,
    /// Another application reset the card; security state is lost.
    #[error("the card was reset by another application: try again")]
    CardReset,
    /// The card answered with something that cannot be a response.
    #[error("the card gave a malformed answer of {len} bytes")]
    MalformedAnswer {
        /// Bytes received.
        len: usize,
    },
    /// An I/O failure on the path to the card.
    #[error("I/O error talking to the card: {0}")]
    Io(#[from] std::io::Error),
    /// A failure reported by the reader stack, with its own error.
    #[error("{context}: {source}")]
    Reader {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}
