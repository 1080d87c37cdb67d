//! `jpki-sim serve`: the card behind pcscd's virtual reader (vpcd).

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::{Context as _, bail};
use card_sim::SimCard;
use card_sim::vpcd::{self, ServeOptions};
use cli_common::printable;

use crate::ServeArgs;

pub(crate) fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let mut card = open_card(&args.card)?;
    if let Some(engine) = args.engine {
        card.set_engine(engine);
    }
    let options = ServeOptions {
        addr: args.addr,
        max_attempts: args.give_up_after,
        ..ServeOptions::default()
    };
    let stop = AtomicBool::new(false);
    let mut tracer = cli_common::trace::Tracer::new(args.trace_personal_data);
    let mut trace = |capdu: &[u8], rapdu: &[u8]| {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}",
            tracer.exchange_bytes(capdu, rapdu)
        );
    };
    let observer: Option<&mut vpcd::Observer<'_>> =
        if args.trace { Some(&mut trace) } else { None };
    eprintln!(
        "serving {} ({}, RSA engine {}) to vpcd at {}",
        printable(&args.card.display().to_string()),
        card.profile(),
        card.engine(),
        args.addr
    );
    vpcd::serve(&mut card, &options, &stop, observer, |line| {
        eprintln!("jpki-sim: {line}");
    })
    .context("vpcd")?;
    Ok(())
}

pub(crate) fn open_card(path: &Path) -> anyhow::Result<SimCard> {
    if !path.exists() {
        bail!("the card file {} does not exist", path.display());
    }
    // the card library's errors name the file
    SimCard::open(path).context("cannot open the card")
}
