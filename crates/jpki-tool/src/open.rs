//! Opening the card the global options name: a simulator card file in process (`--card`, with
//! the `simulator` feature) or a PC/SC reader, with the APDU trace of `--verbose`.

use std::time::Duration;

use anyhow::Result;
use apdu::Transport;
use jpki_applet::JpkiApplet;

use crate::cli::Global;

pub(crate) type Card<'a> = JpkiApplet<&'a mut dyn Transport>;

/// Opens the card named by the global options and runs `f` on it: a simulator file in process,
/// or a PC/SC reader inside one transaction.
pub(crate) fn with_card<R>(g: &Global, f: impl FnOnce(&mut Card<'_>) -> Result<R>) -> Result<R> {
    #[cfg(feature = "simulator")]
    if let Some(path) = &g.card {
        use anyhow::{Context, bail};
        if !path.exists() {
            bail!("the simulator card file {} does not exist", path.display());
        }
        // the card library's errors name the file
        let mut sim = card_sim::SimCard::open(path).context("cannot open the simulator card")?;
        let mut card: Card<'_> = JpkiApplet::open_channel(traced(&mut sim, g))?;
        return f(&mut card);
    }
    let ctx = jpki_applet::pcsc::PcscContext::establish()?;
    let reader = match &g.reader {
        Some(r) => r.clone(),
        None => ctx.first_reader()?,
    };
    if g.wait > 0 {
        ctx.wait_for_card(&reader, Duration::from_secs(g.wait))?;
    }
    let mut pcsc_card = ctx.connect(&reader)?;
    let mut tx = pcsc_card.transaction()?;
    let mut card: Card<'_> = JpkiApplet::open_channel(traced(&mut tx, g))?;
    f(&mut card)
}

/// The channel to a card; with `--verbose`, every exchange (from the first, which opens the
/// card) on standard error through the tracer both binaries share (PINs always redacted,
/// personal data unless `--trace-personal-data`).
pub(crate) fn traced<'a>(
    transport: &'a mut dyn Transport,
    g: &Global,
) -> apdu::Channel<&'a mut dyn Transport> {
    let mut channel = apdu::Channel::new(transport);
    if g.verbose {
        let mut tracer = cli_common::trace::Tracer::new(g.trace_personal_data);
        channel.set_trace(move |c: &apdu::Command, r: &apdu::Response| {
            eprintln!("{}", tracer.exchange(c, r));
        });
    }
    channel
}
