//! `jpki-tool`: the command-line client for JPKI cards (My Number and Juki cards), for real
//! readers through PC/SC and for simulator card files in process.
//!
//! Exit codes: the table both binaries share, [`cli_common::EXIT_CODES`] (0 success; 1
//! error; 2 usage; 3 wrong or blocked PIN; 4 a signature, certificate or login that does not
//! verify; 5 no PC/SC service, reader or card; 6 invalid input).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use apdu::{Transport, TransportError};
use clap::{Args, Parser, Subcommand, ValueEnum};
use cli_common::{EXIT_CODES, InvalidInput, exit, printable};
use jpki_applet::{CertSlot, JpkiApplet, KeyRef, PinRef};
use jpki_tool::input::{self, Input};
use jpki_tool::pin_input::PinInput;
use jpki_tool::{anchors, card_sign, cms, login, report};
use time::OffsetDateTime;

#[derive(Parser, Debug)]
#[command(
    name = "jpki-tool",
    version,
    about = "Client for JPKI cards (マイナンバーカード, 住基カード)",
    after_help = format!("{EXIT_CODES}\n\n{}", jpki_tool::input::HELP)
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Args, Debug, Clone)]
struct Global {
    /// PC/SC reader to use (default: the first reader with a card).
    #[arg(long, global = true, value_name = "NAME", conflicts_with = "card")]
    reader: Option<String>,
    /// Wait up to this many seconds for a card in the reader (PC/SC only).
    #[arg(long, global = true, value_name = "SECS", default_value_t = 0)]
    wait: u64,
    /// A simulator card file, used in process instead of a reader.
    #[arg(long, global = true, value_name = "FILE")]
    card: Option<PathBuf>,
    /// Read PINs from standard input, one per line, instead of prompting.
    #[arg(long, global = true)]
    pin_stdin: bool,
    /// Trace every APDU on standard error. PINs and other secrets are always redacted; personal
    /// data read from the card (My Number, 4 facts, the signature certificate) too, unless
    /// --trace-personal-data.
    #[arg(long, short, global = true, visible_alias = "trace")]
    verbose: bool,
    /// With --verbose: show the personal data read from the card in the trace (never PINs).
    #[arg(long, global = true, requires = "verbose")]
    trace_personal_data: bool,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// List PC/SC readers and whether a card is present.
    Readers,
    /// Card kind, which certificates exist, and PIN tries left.
    Info {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show, export or verify certificates.
    #[command(subcommand)]
    Cert(CertCmd),
    /// PIN status and PIN change.
    #[command(subcommand)]
    Pin(PinCmd),
    /// Sign a file: a detached CMS SignedData (.p7s) with the signer certificate.
    Sign {
        /// Which key.
        #[arg(long, value_enum)]
        key: KeyArg,
        /// The file to sign.
        file: PathBuf,
        /// Where to write the signature.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Verify a detached CMS signature over a file, and show who signed it.
    Verify {
        /// The signature (.p7s, DER).
        signature: PathBuf,
        /// The signed file.
        file: PathBuf,
        #[command(flatten)]
        trust: Trust,
        #[command(flatten)]
        revocation: RequireRevocation,
        /// The report as JSON on standard output.
        #[arg(long)]
        json: bool,
    },
    /// The login flow with the authentication certificate.
    #[command(subcommand)]
    Auth(AuthCmd),
    /// The My Number and the 4 facts from the text-support application (PIN needed).
    Text {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Issue a sample My Number card into a temporary directory and walk through its life:
    /// certificates, PINs, a signature, a login, a 4-facts change, a city-hall unlock.
    Demo {
        /// Where to put the card and authority (default: a new temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum CertCmd {
    /// Show a certificate: from the card (auth, sign, auth-ca, sign-ca), or from a file (PEM
    /// or DER; write `./auth` for a file of that name).
    Show {
        /// auth | sign | auth-ca | sign-ca, or a certificate file.
        #[arg(value_name = "WHICH|FILE", value_parser = parse_show_source)]
        which: ShowSource,
        /// Output format.
        #[command(flatten)]
        format: Format,
    },
    /// Write a certificate from the card to a file.
    Export {
        /// Which certificate.
        #[arg(value_enum)]
        which: SlotArg,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
        /// PEM instead of DER.
        #[arg(long)]
        pem: bool,
    },
    /// Verify a certificate file: chain, validity, revocation.
    Verify {
        /// The certificate (PEM or DER).
        file: PathBuf,
        #[command(flatten)]
        trust: Trust,
        #[command(flatten)]
        revocation: RequireRevocation,
        /// The report as JSON on standard output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
#[group(multiple = false)]
struct Format {
    /// PEM on standard output.
    #[arg(long)]
    pem: bool,
    /// DER on standard output.
    #[arg(long)]
    der: bool,
    /// JSON on standard output.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug, Clone)]
struct Trust {
    /// Trusted CA certificate(s); default: the built-in real J-LIS CAs (six generations).
    #[arg(long = "ca", value_name = "FILE")]
    ca: Vec<PathBuf>,
    /// The issuing CA's CRL to check revocation against (PEM or DER). Without it the report
    /// says `revocation: not checked (no CRL given)`.
    #[arg(long, value_name = "FILE")]
    crl: Option<PathBuf>,
    /// Check at this instant (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
}

#[derive(Args, Debug, Clone, Copy)]
struct RequireRevocation {
    /// Fail (exit 4) unless revocation is checked: makes --crl mandatory.
    #[arg(long)]
    require_revocation: bool,
}

#[derive(Subcommand, Debug)]
enum PinCmd {
    /// Tries left for each PIN, without spending one.
    Status {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change a PIN: the current one, then the new one twice.
    Change {
        /// Which PIN.
        #[arg(value_enum)]
        which: PinArg,
    },
}

#[derive(Subcommand, Debug)]
enum AuthCmd {
    /// (Relying party) issue a random challenge.
    Challenge {
        /// The service's name, bound into the challenge.
        #[arg(long, default_value = "jpki-tool")]
        service: String,
        /// Where to write it.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// (Card holder) answer a challenge with the authentication key.
    Respond {
        /// The challenge file.
        challenge: PathBuf,
        /// Where to write the response.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// (Relying party) check a response: signature, chain, revocation; prints the subject.
    Check {
        /// The challenge this party issued.
        challenge: PathBuf,
        /// The card holder's response.
        response: PathBuf,
        #[command(flatten)]
        trust: Trust,
        /// How old the challenge may be, in seconds.
        #[arg(long, default_value_t = 300)]
        max_age: u64,
        /// A file of used challenges: refuse replays and record this one.
        #[arg(long, value_name = "FILE")]
        used: Option<PathBuf>,
        /// Accept the login without revocation data (no --crl); the report says so. Without
        /// this flag a check without --crl is refused: a revoked card could log in.
        #[arg(long, conflicts_with = "crl")]
        no_revocation_check: bool,
        /// The report as JSON on standard output.
        #[arg(long)]
        json: bool,
    },
}

/// Where `cert show` takes its certificate from.
#[derive(Clone, Debug)]
enum ShowSource {
    Card(SlotArg),
    File(PathBuf),
}

fn parse_show_source(s: &str) -> Result<ShowSource, String> {
    match SlotArg::from_str(s, false) {
        Ok(slot) => Ok(ShowSource::Card(slot)),
        Err(_) => Ok(ShowSource::File(PathBuf::from(s))),
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum SlotArg {
    Auth,
    Sign,
    AuthCa,
    SignCa,
}

impl From<SlotArg> for CertSlot {
    fn from(s: SlotArg) -> Self {
        match s {
            SlotArg::Auth => Self::Auth,
            SlotArg::Sign => Self::Sign,
            SlotArg::AuthCa => Self::AuthCa,
            SlotArg::SignCa => Self::SignCa,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum KeyArg {
    Auth,
    Sign,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum PinArg {
    Auth,
    Sign,
    Text,
}

/// A certificate or signature that does not verify (exit code 4).
#[derive(Debug, thiserror::Error)]
enum Exit {
    #[error("{0}")]
    NotVerified(String),
}

fn main() -> ExitCode {
    // First, before any PIN or key is in memory: a crash must not write them to a core file.
    if let Err(e) = cli_common::process::disable_core_dumps() {
        eprintln!(
            "jpki-tool: warning: cannot disable core dumps ({e}); a crash could write PINs and keys to a core file"
        );
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jpki-tool: {}", cli_common::one_line(e.chain()));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The exit code of an error: the table of [`cli_common::exit`].
fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if let Some(exit) = cause.downcast_ref::<Exit>() {
            return match exit {
                Exit::NotVerified(_) => exit::NOT_VERIFIED,
            };
        }
        if let Some(err) = cause.downcast_ref::<jpki_applet::Error>() {
            match err {
                jpki_applet::Error::WrongPin { .. } | jpki_applet::Error::PinBlocked { .. } => {
                    return exit::WRONG_PIN;
                }
                jpki_applet::Error::PinFormat { .. } => return exit::INVALID_INPUT,
                jpki_applet::Error::Exchange(apdu::ExchangeError::Transport(t))
                    if is_no_card(t) =>
                {
                    return exit::NO_CARD;
                }
                _ => {}
            }
        }
        if let Some(t) = cause.downcast_ref::<TransportError>()
            && is_no_card(t)
        {
            return exit::NO_CARD;
        }
        if cause.downcast_ref::<cms::CmsError>().is_some()
            || cause.downcast_ref::<login::LoginError>().is_some()
        {
            return exit::NOT_VERIFIED;
        }
        if cli_common::is_invalid_input(cause) {
            return exit::INVALID_INPUT;
        }
    }
    exit::ERROR
}

fn is_no_card(t: &TransportError) -> bool {
    matches!(
        t,
        TransportError::NoService
            | TransportError::NoReader
            | TransportError::NoCard
            | TransportError::UnknownReader { .. }
    )
}

fn run(cli: Cli) -> Result<()> {
    let g = cli.global;
    let mut pins = PinInput::from_stdin_flag(g.pin_stdin);
    match cli.command {
        Cmd::Readers => readers(),
        Cmd::Info { json } => with_card(&g, |card| info(card, json)),
        Cmd::Cert(CertCmd::Show {
            which: ShowSource::Card(which),
            format,
        }) => with_card(&g, |card| {
            let der = read_slot(card, which.into(), &mut pins)?;
            show_certificate(&der, &format)
        }),
        Cmd::Cert(CertCmd::Show {
            which: ShowSource::File(file),
            format,
        }) => {
            let c = anchors::read_certificate(&file)?;
            show_certificate(c.der(), &format)
        }
        Cmd::Cert(CertCmd::Export { which, output, pem }) => with_card(&g, |card| {
            let der = read_slot(card, which.into(), &mut pins)?;
            let bytes = if pem {
                cert::JpkiCertificate::from_der(&der)?.to_pem().into_bytes()
            } else {
                der
            };
            write_file(&output, &bytes)?;
            println!("wrote {}", output.display());
            Ok(())
        }),
        Cmd::Cert(CertCmd::Verify {
            file,
            trust,
            revocation,
            json,
        }) => verify_certificate(&file, &trust, revocation, json),
        Cmd::Pin(PinCmd::Status { json }) => with_card(&g, |card| pin_status(card, json)),
        Cmd::Pin(PinCmd::Change { which }) => {
            with_card(&g, |card| change_pin(card, which, &mut pins))
        }
        Cmd::Sign { key, file, output } => {
            with_card(&g, |card| sign_file(card, key, &file, &output, &mut pins))
        }
        Cmd::Verify {
            signature,
            file,
            trust,
            revocation,
            json,
        } => verify_signature(&signature, &file, &trust, revocation, json),
        Cmd::Auth(AuthCmd::Challenge { service, output }) => {
            let c = login::Challenge::new(&service, SystemTime::now());
            write_file(&output, c.to_text().as_bytes())?;
            println!(
                "wrote challenge for {:?} to {}",
                c.service,
                output.display()
            );
            Ok(())
        }
        Cmd::Auth(AuthCmd::Respond { challenge, output }) => with_card(&g, |card| {
            let text = input::read(&challenge, Input::Challenge)?;
            let response = auth_respond(card, &text, &mut pins)?;
            write_file(&output, response.to_text().as_bytes())?;
            println!("wrote response to {}", output.display());
            Ok(())
        }),
        Cmd::Auth(AuthCmd::Check {
            challenge,
            response,
            trust,
            max_age,
            used,
            no_revocation_check,
            json,
        }) => {
            let required = if no_revocation_check {
                None
            } else {
                Some(
                    "a login decision needs the authentication CA's CRL (--crl FILE); \
                     --no-revocation-check accepts it without",
                )
            };
            auth_check(
                &challenge,
                &response,
                &trust,
                max_age,
                used.as_deref(),
                required,
                json,
            )
        }
        Cmd::Text { json } => with_card(&g, |card| text_support(card, &mut pins, json)),
        Cmd::Demo { dir } => {
            let dir = match dir {
                Some(d) => d,
                None => std::env::temp_dir().join(format!(
                    "jpki-demo-{}-{}",
                    std::process::id(),
                    SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0)
                )),
            };
            jpki_tool::demo::run(&dir)
        }
    }
}

type Card<'a> = JpkiApplet<&'a mut dyn Transport>;

/// Opens the card named by the global options and runs `f` on it: a simulator file in process,
/// or a PC/SC reader inside one transaction.
fn with_card<R>(g: &Global, f: impl FnOnce(&mut Card<'_>) -> Result<R>) -> Result<R> {
    if let Some(path) = &g.card {
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
fn traced<'a>(
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

fn readers() -> Result<()> {
    let ctx = jpki_applet::pcsc::PcscContext::establish()?;
    for name in ctx.readers()? {
        match ctx.connect(&name) {
            Ok(card) => println!(
                "{name}: card present, ATR {}",
                hex::encode_upper(card.atr())
            ),
            Err(TransportError::NoCard) => println!("{name}: no card"),
            Err(e) => println!("{name}: {e}"),
        }
    }
    Ok(())
}

fn info(card: &mut Card<'_>, json: bool) -> Result<()> {
    let token = card.token_info();
    let avail = card.availability();
    if json {
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "card": token.kind.to_string(),
                "auth_certificate": avail.auth,
                "sign_certificate": avail.sign,
                "pins": pin_status_json(card)?,
            }))
        );
        return Ok(());
    }
    println!("card:        {}", token.kind);
    let yes = |b| if b { "present" } else { "not issued" };
    println!("auth cert:   {}", yes(avail.auth));
    println!("sign cert:   {}", yes(avail.sign));
    print_pin_status(card)
}

/// Each PIN's status, `None` for a PIN the card does not have: what `pin status` shows as
/// text and as JSON.
fn pin_states(card: &mut Card<'_>) -> Result<Vec<(PinRef, Option<jpki_applet::PinStatus>)>> {
    let mut states = Vec::new();
    for pin in [PinRef::Auth, PinRef::Sign, PinRef::TextSupport] {
        let state = match card.pin_status(pin) {
            Ok(s) => Some(s),
            Err(
                jpki_applet::Error::FileNotFound { .. }
                | jpki_applet::Error::ApplicationNotFound { .. },
            ) => None,
            Err(e) => return Err(e.into()),
        };
        states.push((pin, state));
    }
    Ok(states)
}

fn print_pin_status(card: &mut Card<'_>) -> Result<()> {
    for (pin, state) in pin_states(card)? {
        match state {
            Some(s) if s.is_blocked() => {
                println!("{pin} PIN: BLOCKED (only the city hall can unlock it)")
            }
            Some(s) => println!("{pin} PIN: {} tries left", s.tries_left),
            None => println!("{pin} PIN: not on this card"),
        }
    }
    Ok(())
}

fn pin_status(card: &mut Card<'_>, json: bool) -> Result<()> {
    if json {
        println!("{}", cli_common::json(&pin_status_json(card)?));
        return Ok(());
    }
    print_pin_status(card)
}

/// Each PIN's state as JSON: `{"auth": {"present": true, "tries_left": 3, "blocked": false}, …}`
/// (`{"present": false}` for a PIN the card does not have).
fn pin_status_json(card: &mut Card<'_>) -> Result<serde_json::Value> {
    let mut out = serde_json::Map::new();
    for (pin, state) in pin_states(card)? {
        let key = match pin {
            PinRef::Auth => "auth",
            PinRef::Sign => "sign",
            PinRef::TextSupport => "text_support",
        };
        let state = match state {
            Some(s) => serde_json::json!({
                "present": true,
                "tries_left": s.tries_left,
                "blocked": s.is_blocked(),
            }),
            None => serde_json::json!({ "present": false }),
        };
        out.insert(key.into(), state);
    }
    Ok(serde_json::Value::Object(out))
}

fn read_pin(pins: &mut PinInput, what: &str) -> Result<zeroize::Zeroizing<String>> {
    Ok(pins.read(what)?)
}

fn read_slot(card: &mut Card<'_>, slot: CertSlot, pins: &mut PinInput) -> Result<Vec<u8>> {
    Ok(match slot {
        CertSlot::Sign => {
            let pin = read_pin(pins, "signature PIN")?;
            card.read_sign_certificate(pin.as_bytes())?
        }
        other => card.read_certificate(other)?,
    })
}

fn show_certificate(der: &[u8], format: &Format) -> Result<()> {
    let c = cert::JpkiCertificate::from_der(der)?;
    if format.der {
        use std::io::Write;
        std::io::stdout().write_all(der)?;
    } else if format.pem {
        print!("{}", c.to_pem());
    } else if format.json {
        println!("{}", report::json(&c, OffsetDateTime::now_utc()));
    } else {
        print!("{}", report::text(&c, OffsetDateTime::now_utc()));
    }
    Ok(())
}

fn parse_at(at: Option<&str>) -> Result<OffsetDateTime> {
    match at {
        None => Ok(OffsetDateTime::now_utc()),
        Some(s) => OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                InvalidInput(format!(
                    "--at {}: not an RFC 3339 time (e.g. 2026-04-01T09:00:00+09:00)",
                    printable(s)
                ))
                .into()
            }),
    }
}

/// The CRL the options name, loaded; or `None` when none is given and `required` (the reason
/// it is needed, with what to do) is `None`. Checked before any other work.
fn load_crl(trust: &Trust, required: Option<&str>) -> Result<Option<cert::Crl>> {
    match (&trust.crl, required) {
        (Some(path), _) => Ok(Some(anchors::read_crl(path)?)),
        (None, None) => Ok(None),
        (None, Some(why)) => {
            Err(Exit::NotVerified(format!("revocation not checked: {why}")).into())
        }
    }
}

fn revocation_check(crl: Option<&cert::Crl>) -> cert::RevocationCheck<'_> {
    match crl {
        Some(crl) => cert::RevocationCheck::Crl(crl),
        None => cert::RevocationCheck::NotChecked,
    }
}

const REQUIRE_REVOCATION: &str = "--require-revocation needs the issuing CA's CRL (--crl FILE)";

fn verify_certificate(
    file: &Path,
    trust: &Trust,
    require: RequireRevocation,
    json: bool,
) -> Result<()> {
    let crl = load_crl(
        trust,
        require.require_revocation.then_some(REQUIRE_REVOCATION),
    )?;
    let c = anchors::read_certificate(file)?;
    if c.environment() == cert::Environment::Test {
        return Err(Exit::NotVerified(
            "this is a JPKI-TEST certificate (a test card): refused, it proves nothing about a real person".into(),
        )
        .into());
    }
    let at = parse_at(trust.at.as_deref())?;
    let anchors = anchors::load(&trust.ca)?;
    match anchors.verify(&c, at, revocation_check(crl.as_ref())) {
        Ok(checked) if json => {
            println!(
                "{}",
                cli_common::json(&serde_json::json!({
                    "verified": true,
                    "issuer_ca_serial": checked.anchor.serial().to_string(),
                    "revocation": report::revocation_json(checked.revocation),
                    "certificate": report::json_value(&c, at),
                }))
            );
            Ok(())
        }
        Ok(checked) => {
            let anchor = checked.anchor;
            println!("OK: {} certificate, serial {}", report_kind(&c), c.serial());
            println!(
                "  issued by CA serial {} ({})",
                anchor.serial(),
                printable(&anchor.subject().to_string())
            );
            println!(
                "  valid until {} ({} days left)",
                report::rfc3339(c.not_after()),
                report::days_left(&c, at)
            );
            println!("  revocation: {}", checked.revocation);
            Ok(())
        }
        Err(e) => Err(Exit::NotVerified(format!("certificate does not verify: {e}")).into()),
    }
}

fn report_kind(c: &cert::JpkiCertificate) -> &'static str {
    match c.kind() {
        cert::CertKind::Signature => "signature",
        cert::CertKind::Authentication => "authentication",
        cert::CertKind::Ca(_) => "CA",
    }
}

fn change_pin(card: &mut Card<'_>, which: PinArg, pins: &mut PinInput) -> Result<()> {
    let pin = match which {
        PinArg::Auth => PinRef::Auth,
        PinArg::Sign => PinRef::Sign,
        PinArg::Text => PinRef::TextSupport,
    };
    let old = read_pin(pins, &format!("current {pin} PIN"))?;
    let new = read_pin(pins, &format!("new {pin} PIN"))?;
    let again = read_pin(pins, &format!("new {pin} PIN again"))?;
    if new.as_bytes() != again.as_bytes() {
        return Err(InvalidInput("the two new PINs differ; nothing was changed".into()).into());
    }
    card.change_pin(pin, old.as_bytes(), new.as_bytes())?;
    println!("{pin} PIN changed");
    Ok(())
}

fn sign_file(
    card: &mut Card<'_>,
    key: KeyArg,
    file: &Path,
    output: &Path,
    pins: &mut PinInput,
) -> Result<()> {
    // opened (and refused if not a regular file) before the PIN is asked for; hashed as it
    // streams, after the card has given its certificate
    let content = input::open(file, Input::Document)?;
    let size = content.metadata().map(|m| m.len()).unwrap_or(0);
    let (key, pin_name) = match key {
        KeyArg::Sign => (KeyRef::Sign, "signature PIN"),
        KeyArg::Auth => (KeyRef::Auth, "authentication PIN"),
    };
    let pin = read_pin(pins, pin_name)?;
    let now = cms::whole_seconds(SystemTime::now());
    // one VERIFY: the certificate and the signature under the same session
    let p7s =
        card_sign::sign_document(card, key, pin.as_bytes(), &content, now).map_err(
            |e| match e {
                card_sign::CardSignError::Card(e) => e.into(),
                card_sign::CardSignError::Cms(e) => document_error(e, file),
            },
        )?;
    write_file(output, &p7s)?;
    println!(
        "signed {} ({} bytes) → {}",
        file.display(),
        size,
        output.display()
    );
    Ok(())
}

fn verify_signature(
    signature: &Path,
    file: &Path,
    trust: &Trust,
    require: RequireRevocation,
    json: bool,
) -> Result<()> {
    let crl = load_crl(
        trust,
        require.require_revocation.then_some(REQUIRE_REVOCATION),
    )?;
    let content = input::open(file, Input::Document)?;
    let p7s = input::read(signature, Input::Signature)?;
    let v = cms::verify_detached(&p7s, &content).map_err(|e| document_error(e, file))?;
    let signer = &v.signer;
    if signer.environment() == cert::Environment::Test {
        return Err(
            Exit::NotVerified("signed with a JPKI-TEST certificate: refused".into()).into(),
        );
    }
    let at = match (&trust.at, v.signing_time) {
        (Some(s), _) => parse_at(Some(s))?,
        (None, Some(t)) => OffsetDateTime::from(t),
        (None, None) => OffsetDateTime::now_utc(),
    };
    let anchors = anchors::load(&trust.ca)?;
    let checked = match anchors.verify(signer, at, revocation_check(crl.as_ref())) {
        Ok(checked) => checked,
        Err(e) => {
            return Err(Exit::NotVerified(format!("signature does not verify: {e}")).into());
        }
    };
    if json {
        let signing_time = v
            .signing_time
            .map(|t| report::rfc3339(OffsetDateTime::from(t)));
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "verified": true,
                "document": file.display().to_string(),
                "signing_time": signing_time,
                "revocation": report::revocation_json(checked.revocation),
                "signer": report::json_value(signer, at),
            }))
        );
        return Ok(());
    }
    let caveat = if checked.revocation.is_checked() {
        ""
    } else {
        " (revocation not checked)"
    };
    println!(
        "Verification successful{caveat}: {} signed by a {} certificate",
        printable(&file.display().to_string()),
        report_kind(signer)
    );
    if let Some(t) = v.signing_time {
        println!(
            "  signing time: {}",
            report::rfc3339(OffsetDateTime::from(t))
        );
    }
    println!(
        "  signer serial {}, valid until {}",
        signer.serial(),
        report::rfc3339(signer.not_after())
    );
    match signer.four_facts() {
        Some(f) => {
            println!("  name:       {}", printable(&f.name.text()));
            println!("  birth date: {}", f.birth_date);
            println!("  gender:     {}", f.gender.code());
            println!("  address:    {}", printable(&f.address.text()));
        }
        None => println!("  subject:    {}", printable(&signer.subject().to_string())),
    }
    println!("  revocation: {}", checked.revocation);
    Ok(())
}

/// A document that could not be read is an I/O error (exit 1), not a signature that does not
/// verify: the error leaves the CMS type.
fn document_error(e: cms::CmsError, file: &Path) -> anyhow::Error {
    match e {
        cms::CmsError::Read(io) => {
            anyhow::Error::from(io).context(format!("cannot read document {}", file.display()))
        }
        other => other.into(),
    }
}

fn auth_respond(
    card: &mut Card<'_>,
    challenge: &[u8],
    pins: &mut PinInput,
) -> Result<login::Response> {
    let certificate = card.read_certificate(CertSlot::Auth)?;
    let pin = read_pin(pins, "authentication PIN")?;
    let response = login::Response::answer(challenge, certificate, |digest_info| {
        card.sign(KeyRef::Auth, pin.as_bytes(), digest_info)
    })??;
    Ok(response)
}

fn auth_check(
    challenge: &Path,
    response: &Path,
    trust: &Trust,
    max_age: u64,
    used: Option<&Path>,
    revocation_required: Option<&str>,
    json: bool,
) -> Result<()> {
    let crl = load_crl(trust, revocation_required)?;
    let challenge_text = input::read(challenge, Input::Challenge)?;
    let response_text = input::read(response, Input::Response)?;
    let response = login::Response::parse(&response_text)?;
    let anchors = anchors::load(&trust.ca)?;
    let now = match &trust.at {
        Some(s) => SystemTime::from(parse_at(Some(s))?),
        None => SystemTime::now(),
    };
    let policy = login::Policy {
        anchors: &anchors,
        revocation: revocation_check(crl.as_ref()),
        now,
        max_age: Duration::from_secs(max_age),
    };
    let who = login::check(&challenge_text, &response, &policy)?;
    if let Some(used) = used {
        login::mark_used(used, &challenge_text).map_err(|e| match e {
            // a list that cannot be used is an input error (exit 1), not a refused login
            login::LoginError::UsedList(e) => anyhow::Error::from(e),
            e => e.into(),
        })?;
    }
    if json {
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "login": true,
                "subject": who.subject,
                "serial": who.serial,
                "not_after": report::rfc3339(who.not_after),
                "revocation": report::revocation_json(who.revocation),
            }))
        );
        return Ok(());
    }
    println!("login OK: {}", printable(&who.subject));
    println!(
        "  certificate serial {}, valid until {}",
        who.serial,
        report::rfc3339(who.not_after)
    );
    println!("  revocation: {}", who.revocation);
    Ok(())
}

fn text_support(card: &mut Card<'_>, pins: &mut PinInput, json: bool) -> Result<()> {
    let pin = read_pin(pins, "text-support PIN")?;
    // one VERIFY for both files
    let mut session = card.text_support().verify_pin(pin.as_bytes())?;
    let number = session.my_number()?;
    let facts = session.four_facts()?;
    let (y, m, d) = facts.birth;
    if json {
        // personal data, asked for: printed as the text form prints it
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "my_number": number.to_string(),
                "name": facts.name,
                "address": facts.address,
                "birth_date": format!("{y:04}-{m:02}-{d:02}"),
                "sex": facts.sex.to_string(),
            }))
        );
        return Ok(());
    }
    println!("My Number:  {}", printable(&number.to_string()));
    println!("name:       {}", printable(&facts.name));
    println!("address:    {}", printable(&facts.address));
    println!("birth date: {y:04}-{m:02}-{d:02}");
    println!("sex:        {}", facts.sex);
    Ok(())
}

/// Writes a file atomically and durably: an exclusive temp file beside it under a random name
/// (never following a link planted at a fixed name), fsync, rename over `path` (a symlink at
/// `path` is replaced, not followed), fsync of the directory. The file is private (0600).
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    cli_common::write_file(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
