//! `jpki-sim serve`: the card behind pcscd's virtual reader (vpcd).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Context as _, bail};
use card_sim::vpcd::{self, ServeOptions};
use card_sim::{Engine, SimCard};
use clap::Args;
use cli_common::printable;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The card file.
    #[arg(long)]
    pub(crate) card: PathBuf,
    /// vpcd's address (reader `Virtual PCD 00 00` listens on 35963).
    #[arg(long, default_value = vpcd::DEFAULT_ADDR)]
    pub(crate) addr: SocketAddr,
    /// Log every APDU pair to stderr. PINs and other secrets are always redacted; personal
    /// data read from the card (My Number, 4 facts, the signature certificate) too, unless
    /// --trace-personal-data.
    #[arg(long)]
    pub(crate) trace: bool,
    /// With --trace: show the personal data read from the card (never PINs).
    #[arg(long, requires = "trace")]
    pub(crate) trace_personal_data: bool,
    /// Give up after this many failed connection attempts in a row (default: never).
    #[arg(long)]
    pub(crate) give_up_after: Option<u32>,
    /// RSA engine for signatures: `rsa`, or `openssl` when built with the `fast-engine`
    /// feature (the default then). Both give identical signatures.
    #[arg(long, value_parser = parse_engine)]
    pub(crate) engine: Option<Engine>,
}

fn parse_engine(name: &str) -> Result<Engine, String> {
    Engine::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Engine::ALL.iter().map(|e| e.name()).collect();
        format!(
            "unknown engine {name:?}; this build has: {} (openssl needs the fast-engine feature)",
            known.join(", ")
        )
    })
}

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
    let kind = if card.is_next_gen() {
        if args.engine.is_some() {
            eprintln!(
                "jpki-sim: --engine is ignored: a next-generation card signs with ECDSA P-384"
            );
        }
        "next-generation card NG-sim v1, ECDSA P-384".to_owned()
    } else {
        format!("{}, RSA engine {}", card.profile(), card.engine())
    };
    eprintln!(
        "serving {} ({kind}) to vpcd at {}",
        printable(&args.card.display().to_string()),
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
