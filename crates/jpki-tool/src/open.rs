//! Opening the card the global options name: a simulator card file in process (`--card`, with
//! the `simulator` feature) or a PC/SC reader, with the APDU trace of `--verbose`. The card is
//! a [`JpkiCard`] of either generation, told apart by which application answers SELECT
//! (shared/next-gen-profile.md §2.1); [`current`] and [`next_gen`] reach what only one
//! generation has, with a clear error on the other.

use std::time::Duration;

use anyhow::Result;
use apdu::Transport;
use jpki_applet::{Generation, JpkiApplet, JpkiCard, NextGenApplet};

use crate::cli::Global;

/// A card of either generation.
pub(crate) type Card<'a> = JpkiCard<&'a mut dyn Transport>;

/// Today's card, for a command only it has (text support, the whole card, the card face);
/// `what` names the command for the error on a next-generation card.
pub(crate) fn current<'c, 'a>(
    card: &'c mut Card<'a>,
    what: &'static str,
) -> Result<&'c mut JpkiApplet<&'a mut dyn Transport>> {
    card.current_mut().ok_or_else(|| {
        NotOnThisCard {
            what,
            generation: Generation::NextGen,
            note: "not on a next-generation card (NG-sim v1): it has no such application",
        }
        .into()
    })
}

/// The next-generation card, for a command only it has (the PUK); `what` names the command
/// for the error on today's card.
pub(crate) fn next_gen<'c, 'a>(
    card: &'c mut Card<'a>,
    what: &'static str,
) -> Result<&'c mut NextGenApplet<&'a mut dyn Transport>> {
    card.next_gen_mut().ok_or_else(|| {
        NotOnThisCard {
            what,
            generation: Generation::Current,
            note: "only on a next-generation card (NG-sim v1)",
        }
        .into()
    })
}

/// A command the card's generation does not have (exit code 1: nothing was sent that could
/// fail, the card is simply of the other generation).
#[derive(Debug, thiserror::Error)]
#[error("{what}: {note} (this is a {generation})")]
pub(crate) struct NotOnThisCard {
    what: &'static str,
    generation: Generation,
    note: &'static str,
}

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
        let mut card: Card<'_> = JpkiCard::open_channel(traced(&mut sim, g))?;
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
    let mut card: Card<'_> = JpkiCard::open_channel(traced(&mut tx, g))?;
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
