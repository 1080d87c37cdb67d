//! The typed layer above a [`Transport`]: commands in, responses out, with GET RESPONSE,
//! `6Cxx` re-issue, command chaining and redacted tracing.

use core::fmt;

use zeroize::Zeroizing;

use crate::command::{Command, CommandEncodeError};
use crate::response::{Response, ResponseDecodeError};
use crate::transport::{Transport, TransportError};

/// The chaining bit of CLA (ISO/IEC 7816-4 §5.1.1): "more commands of this chain follow".
pub const CLA_CHAINING: u8 = 0x10;
/// GET RESPONSE instruction.
pub const INS_GET_RESPONSE: u8 = 0xC0;
/// The most GET RESPONSE rounds a single command may take before the card is judged broken.
pub const MAX_GET_RESPONSE_ROUNDS: usize = 1024;

/// Why [`Channel::send`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The transport failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The command cannot be encoded.
    #[error("cannot encode command: {0}")]
    Encode(#[from] CommandEncodeError),
    /// The card's answer is not a response APDU.
    #[error("malformed response from the card: {0}")]
    MalformedResponse(#[from] ResponseDecodeError),
    /// The card kept answering `61xx` past [`MAX_GET_RESPONSE_ROUNDS`].
    #[error("the card kept announcing more data after {rounds} GET RESPONSE rounds")]
    EndlessGetResponse {
        /// Rounds made.
        rounds: usize,
    },
    /// A chaining chunk size of zero, or above 255 for a short-form chain.
    #[error("chunk size {chunk} is outside 1..=255")]
    BadChunkSize {
        /// The chunk size asked for.
        chunk: usize,
    },
}

type TraceFn = Box<dyn FnMut(&Command, &Response) + Send>;

/// A card connection that speaks [`Command`] and [`Response`].
///
/// - `61xx`: fetches the rest with GET RESPONSE (`CLA C0 00 00 xx`) and concatenates the data.
/// - `6Cxx`: re-issues the command once with Le = `xx`.
/// - [`Channel::send_chained`] splits long data into a chain (CLA bit `0x10` on all but the last).
/// - [`Channel::set_trace`] sees every exchange on the wire; sensitive data prints `<redacted>`.
///
/// ```
/// use apdu::{Channel, Command, StatusWord, Transport, TransportError};
/// /// A card that returns 3 bytes in two steps: `61 03`, then the data on GET RESPONSE.
/// struct Lazy;
/// impl Transport for Lazy {
///     fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
///         Ok(match capdu[1] {
///             0xC0 => vec![1, 2, 3, 0x90, 0x00],
///             _ => vec![0x61, 0x03],
///         })
///     }
/// }
/// let mut ch = Channel::new(Lazy);
/// let r = ch.send(&Command::new(0x00, 0xCA, 0x01, 0x00).with_le(256))?;
/// assert_eq!((r.data.as_slice(), r.sw), (&[1, 2, 3][..], StatusWord::SUCCESS));
/// # Ok::<(), apdu::ExchangeError>(())
/// ```
pub struct Channel<T> {
    transport: T,
    trace: Option<TraceFn>,
}

impl<T: fmt::Debug> fmt::Debug for Channel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("transport", &self.transport)
            .field("traced", &self.trace.is_some())
            .finish()
    }
}

impl<T: Transport> Channel<T> {
    /// Wraps a transport.
    pub const fn new(transport: T) -> Self {
        Self {
            transport,
            trace: None,
        }
    }

    /// Calls `f` with every command sent and response received, GET RESPONSE included.
    /// Print them with `{}`: a sensitive command's data shows as `<redacted>`.
    pub fn set_trace(&mut self, f: impl FnMut(&Command, &Response) + Send + 'static) {
        self.trace = Some(Box::new(f));
    }

    /// The transport, for operations outside APDUs (reset, transactions).
    pub const fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        self.transport
    }

    /// Sends one command and returns the complete response.
    ///
    /// # Errors
    /// Transport failure, an unencodable command, or a malformed or endless answer. A status
    /// word other than `9000` is not an error here: it is in the returned [`Response`].
    pub fn send(&mut self, cmd: &Command) -> Result<Response, ExchangeError> {
        let mut resp = self.exchange(cmd)?;
        if let Some(le) = resp.sw.exact_le() {
            let mut again = cmd.clone();
            again.le = Some(le);
            resp = self.exchange(&again)?;
        }
        self.collect_remaining(cmd.cla, resp)
    }

    /// Sends `cmd`, splitting its data into a chain of commands of at most `chunk` bytes.
    /// Every link but the last carries CLA bit `0x10` and no Le; a link answered with
    /// anything but `9000` ends the chain and that answer is returned.
    ///
    /// # Errors
    /// As [`Channel::send`], and a `chunk` outside 1..=255.
    pub fn send_chained(&mut self, cmd: &Command, chunk: usize) -> Result<Response, ExchangeError> {
        if chunk == 0 || chunk > crate::command::MAX_SHORT_DATA_LEN {
            return Err(ExchangeError::BadChunkSize { chunk });
        }
        if cmd.data.len() <= chunk {
            return self.send(cmd);
        }
        let pieces: Vec<&[u8]> = cmd.data.chunks(chunk).collect();
        let Some((last, init)) = pieces.split_last() else {
            return self.send(cmd);
        };
        for piece in init {
            let mut link = self.link(cmd, piece);
            link.cla |= CLA_CHAINING;
            let resp = self.exchange(&link)?;
            if !resp.is_success() {
                return Ok(resp);
            }
        }
        let mut link = self.link(cmd, last);
        link.le = cmd.le;
        self.send(&link)
    }

    /// One link of a chain: `cmd`'s header and sensitivity over `piece`.
    fn link(&self, cmd: &Command, piece: &[u8]) -> Command {
        let mut link = Command::new(cmd.cla, cmd.ins, cmd.p1, cmd.p2).with_data(piece.to_vec());
        link.set_sensitive(cmd.is_sensitive());
        link
    }

    fn collect_remaining(
        &mut self,
        cla: u8,
        mut resp: Response,
    ) -> Result<Response, ExchangeError> {
        let mut rounds = 0;
        while let Some(n) = resp.sw.bytes_remaining() {
            rounds += 1;
            if rounds > MAX_GET_RESPONSE_ROUNDS {
                return Err(ExchangeError::EndlessGetResponse { rounds });
            }
            let get = Command::new(cla & !CLA_CHAINING, INS_GET_RESPONSE, 0, 0).with_le(n);
            let mut next = self.exchange(&get)?;
            if let Some(le) = next.sw.exact_le() {
                next = self.exchange(&get.with_le(le))?;
            }
            resp.data.append(&mut next.data);
            resp.sw = next.sw;
        }
        Ok(resp)
    }

    /// One wire exchange, traced.
    fn exchange(&mut self, cmd: &Command) -> Result<Response, ExchangeError> {
        let wire = Zeroizing::new(cmd.encode()?);
        let answer = self.transport.transmit(&wire)?;
        let resp = Response::decode(&answer)?;
        if let Some(trace) = self.trace.as_mut() {
            trace(cmd, &resp);
        }
        Ok(resp)
    }
}

impl<T: Transport> Transport for Channel<T> {
    fn transmit(&mut self, capdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.transport.transmit(capdu)
    }
}
