//! The card side of vsmartcard's virtual reader (`vpcd`, shared/jpki-spec.md §8).
//!
//! pcscd loads the vpcd driver, which listens on TCP (35963 for `Virtual PCD 00 00`); the card
//! connects as the client. Every message is a 2-byte big-endian length and a payload. A 1-byte
//! payload is a control code (0 power off, 1 power on, 2 reset, 4 get ATR — only get ATR is
//! answered, with the ATR); anything longer is a C-APDU, answered with the R-APDU.
//!
//! Debian's vpcd writes the length and the payload in two `send` calls, so without
//! `TCP_NODELAY` and `TCP_QUICKACK` on our socket each APDU waits ~40 ms for Nagle and delayed
//! ACK. Both are set; QUICKACK is re-armed before every read because Linux clears it.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The default vpcd address: reader `Virtual PCD 00 00` on loopback.
pub const DEFAULT_ADDR: &str = "127.0.0.1:35963";

/// Largest payload accepted from vpcd (a maximal extended C-APDU).
pub const MAX_PAYLOAD: usize = apdu::MAX_COMMAND_LEN;

/// What vpcd needs from a card.
pub trait VirtualCard {
    /// The answer to reset.
    fn atr(&self) -> Vec<u8>;
    /// Control code 1.
    fn power_on(&mut self);
    /// Control code 0.
    fn power_off(&mut self);
    /// Control code 2.
    fn reset(&mut self);
    /// A C-APDU in, the R-APDU out.
    fn process(&mut self, capdu: &[u8]) -> Vec<u8>;
}

impl VirtualCard for crate::SimCard {
    fn atr(&self) -> Vec<u8> {
        crate::SimCard::atr(self).to_vec()
    }
    fn power_on(&mut self) {
        crate::SimCard::power_on(self);
    }
    fn power_off(&mut self) {
        crate::SimCard::power_off(self);
    }
    fn reset(&mut self) {
        crate::SimCard::reset(self);
    }
    fn process(&mut self, capdu: &[u8]) -> Vec<u8> {
        crate::SimCard::process(self, capdu)
    }
}

/// One message from vpcd.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// `00`.
    PowerOff,
    /// `01`.
    PowerOn,
    /// `02`.
    Reset,
    /// `04`.
    GetAtr,
    /// Another 1-byte control code (ignored, as vpcd's own card side does).
    UnknownControl(u8),
    /// A C-APDU.
    Apdu(Vec<u8>),
}

impl Message {
    /// Classifies a payload.
    #[must_use]
    pub fn from_payload(payload: Vec<u8>) -> Self {
        match payload.as_slice() {
            [0] => Self::PowerOff,
            [1] => Self::PowerOn,
            [2] => Self::Reset,
            [4] => Self::GetAtr,
            [c] => Self::UnknownControl(*c),
            _ => Self::Apdu(payload),
        }
    }
}

/// Reads one framed payload; `Ok(None)` at a clean end of stream.
///
/// # Errors
/// I/O errors, a stream cut inside a frame, or a length above [`MAX_PAYLOAD`].
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 2];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = usize::from(u16::from_be_bytes(len));
    if len > MAX_PAYLOAD {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("vpcd frame of {len} bytes is larger than any APDU"),
        ));
    }
    let mut payload = vec![0; len];
    r.read_exact(&mut payload)?;
    Ok(Some(payload))
}

/// Writes one framed payload in a single write (length and payload together).
///
/// # Errors
/// I/O errors, or a payload longer than 65535 bytes.
pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "payload longer than 65535 bytes",
        )
    })?;
    let mut frame = Vec::with_capacity(payload.len() + 2);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    w.write_all(&frame)?;
    w.flush()
}

/// Sets `TCP_NODELAY` and arms `TCP_QUICKACK` on Linux.
///
/// # Errors
/// The socket refused the option.
pub fn tune(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    #[cfg(target_os = "linux")]
    socket2::SockRef::from(stream).set_tcp_quickack(true)?;
    Ok(())
}

/// Called with each C-APDU and the R-APDU returned, for tracing.
pub type Observer<'a> = dyn FnMut(&[u8], &[u8]) + 'a;

/// Serves one vpcd connection until vpcd closes it.
///
/// # Errors
/// I/O errors on the connection (the caller reconnects).
pub fn serve_connection(
    stream: &mut TcpStream,
    card: &mut dyn VirtualCard,
    observer: Option<&mut Observer<'_>>,
) -> io::Result<()> {
    tune(stream)?;
    let mut observer = observer;
    loop {
        #[cfg(target_os = "linux")]
        socket2::SockRef::from(&*stream).set_tcp_quickack(true)?;
        let Some(payload) = read_frame(stream)? else {
            return Ok(());
        };
        match Message::from_payload(payload) {
            Message::PowerOff => card.power_off(),
            Message::PowerOn => card.power_on(),
            Message::Reset => card.reset(),
            Message::GetAtr => write_frame(stream, &card.atr())?,
            Message::UnknownControl(_) => {}
            Message::Apdu(capdu) => {
                let rapdu = card.process(&capdu);
                if let Some(obs) = observer.as_mut() {
                    obs(&capdu, &rapdu);
                }
                write_frame(stream, &rapdu)?;
            }
        }
    }
}

/// How [`serve`] connects and reconnects.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// vpcd's address.
    pub addr: SocketAddr,
    /// Pause between connection attempts.
    pub retry_delay: Duration,
    /// Give up after this many failed attempts in a row (`None`: never).
    pub max_attempts: Option<u32>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 35963)),
            retry_delay: Duration::from_millis(500),
            max_attempts: None,
        }
    }
}

/// Connects to vpcd and serves the card; when pcscd restarts (the connection drops or is
/// refused) it powers the card off and connects again, until `stop` is set.
///
/// # Errors
/// `max_attempts` connection failures in a row.
pub fn serve(
    card: &mut dyn VirtualCard,
    options: &ServeOptions,
    stop: &AtomicBool,
    mut observer: Option<&mut Observer<'_>>,
    mut log: impl FnMut(&str),
) -> io::Result<()> {
    let mut failures = 0u32;
    while !stop.load(Ordering::Relaxed) {
        match TcpStream::connect_timeout(&options.addr, Duration::from_secs(2)) {
            Ok(mut stream) => {
                failures = 0;
                log(&format!("connected to vpcd at {}", options.addr));
                let result = serve_connection(&mut stream, card, observer.as_deref_mut());
                card.power_off();
                match result {
                    Ok(()) => log("vpcd closed the connection; reconnecting"),
                    Err(e) => log(&format!("vpcd connection lost ({e}); reconnecting")),
                }
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                if options.max_attempts.is_some_and(|max| failures >= max) {
                    return Err(io::Error::new(
                        e.kind(),
                        format!(
                            "cannot reach vpcd at {} after {failures} attempts ({e}): is pcscd running with the vpcd driver?",
                            options.addr
                        ),
                    ));
                }
                if failures == 1 {
                    log(&format!("waiting for vpcd at {} ({e})", options.addr));
                }
            }
        }
        std::thread::sleep(options.retry_delay);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
