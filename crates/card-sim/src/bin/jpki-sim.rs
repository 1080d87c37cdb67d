//! `jpki-sim`: the software JPKI card from the command line — an authority (the municipal
//! window and city hall), card issuance, the vpcd virtual reader link, administration and
//! inspection.
//!
//! PINs are never taken from the command line (argv is visible to every user of the machine):
//! they are read from a no-echo prompt on the terminal, or with `--pin-stdin` one per line from
//! standard input, in the order the command documents.

use std::io::{BufRead, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use anyhow::{Context as _, bail};
use card_sim::authority::{Authority, IssueRequest, RetryLimits};
use card_sim::cli::{EXIT_CODES, InvalidInput, printable};
use card_sim::vpcd::{self, ServeOptions};
use card_sim::{CardProfile, Engine, KeyRole, MyNumber, PinRef, SimCard, admin::Hex};
use cert::time::{Date, Month, OffsetDateTime};
use clap::{Args, Parser, Subcommand, ValueEnum};
use pin_policy::{Pin, PinKind};
use zeroize::Zeroizing;

/// A software My Number / Juki card: issue, serve over vpcd, administer, inspect.
#[derive(Debug, Parser)]
#[command(name = "jpki-sim", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Manage an authority directory (both CAs, serials, CRLs, the municipal admin key).
    Authority {
        #[command(subcommand)]
        action: AuthorityCommand,
    },
    /// Issue a card at the municipal window. PINs (never argv): authentication, signature,
    /// text-support — only those the card gets, in that order.
    Issue(IssueArgs),
    /// Connect a card to pcscd's virtual reader (vsmartcard vpcd); reconnects when pcscd
    /// restarts. Runs until killed.
    Serve(ServeArgs),
    /// City-hall administration of a card issued by the authority.
    Admin {
        #[command(subcommand)]
        action: AdminCommand,
    },
    /// Print a card's state (profile, certificates, PIN tries left) without secrets.
    Inspect {
        /// The card file.
        #[arg(long)]
        card: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuthorityCommand {
    /// Create a new authority in DIR (refuses one that exists).
    Init {
        /// The authority directory.
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Profile {
    /// 個人番号カード: authentication and signature certificates, text-support AP.
    MyNumber,
    /// 住基カード: one signature certificate (Juki PIN rule).
    Juki,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Limits {
    /// The real card's: authentication 3, signature 5, text-support 3 (Juki 5).
    Real,
    /// The municipal page's: 5, and 3 for the signature PIN.
    Municipal,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GenderArg {
    Male,
    Female,
    Unknown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PinArg {
    /// Authentication PIN (EF 0018).
    Auth,
    /// Signature PIN (EF 001B; the Juki PIN on a Juki card).
    Sign,
    /// Text-support PIN (EF 0011).
    Text,
}

#[derive(Debug, Args)]
struct HolderArgs {
    /// Name: family name, a space (written as U+3000), given name.
    #[arg(long)]
    name: String,
    /// Address, from the prefecture on.
    #[arg(long)]
    address: String,
    /// Date of birth, YYYY-MM-DD.
    #[arg(long)]
    birth: String,
    /// Gender.
    #[arg(long, value_enum)]
    gender: GenderArg,
    /// Prefecture of the registered municipality (e.g. 東京都).
    #[arg(long)]
    prefecture: String,
    /// City, ward, town or village (e.g. 千代田区).
    #[arg(long)]
    city: String,
}

#[derive(Debug, Args)]
struct IssueArgs {
    /// The authority directory.
    #[arg(long)]
    authority: PathBuf,
    /// The new card file (never overwritten).
    #[arg(long)]
    out: PathBuf,
    /// Card profile.
    #[arg(long, value_enum, default_value = "my-number")]
    profile: Profile,
    /// Issue no authentication certificate.
    #[arg(long)]
    no_auth: bool,
    /// Issue no signature certificate (e.g. holders under 15).
    #[arg(long)]
    no_sign: bool,
    #[command(flatten)]
    holder: HolderArgs,
    /// The individual number, 12 digits (My Number card; required for it).
    #[arg(long)]
    my_number: Option<String>,
    /// Retry limits of the PINs.
    #[arg(long, value_enum, default_value = "real")]
    retry_limits: Limits,
    /// Card expiry date, YYYY-MM-DD (default: the 10th birthday after issue).
    #[arg(long)]
    card_expiry: Option<String>,
    /// Read the PINs from standard input, one per line, instead of prompting.
    #[arg(long)]
    pin_stdin: bool,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// The card file.
    #[arg(long)]
    card: PathBuf,
    /// vpcd's address (reader `Virtual PCD 00 00` listens on 35963).
    #[arg(long, default_value = vpcd::DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Log every APDU pair to stderr. PINs and other secrets are always redacted; personal
    /// data read from the card (My Number, 4 facts, the signature certificate) too, unless
    /// --trace-personal-data.
    #[arg(long)]
    trace: bool,
    /// With --trace: show the personal data read from the card (never PINs).
    #[arg(long, requires = "trace")]
    trace_personal_data: bool,
    /// Give up after this many failed connection attempts in a row (default: never).
    #[arg(long)]
    give_up_after: Option<u32>,
    /// RSA engine for signatures: `rsa`, or `openssl` when built with the `fast-engine`
    /// feature (the default then). Both give identical signatures.
    #[arg(long, value_parser = parse_engine)]
    engine: Option<Engine>,
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

#[derive(Debug, Args)]
struct AdminTarget {
    /// The authority directory.
    #[arg(long)]
    authority: PathBuf,
    /// The card file.
    #[arg(long)]
    card: PathBuf,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Release a blocked PIN over the administrative channel (GET CHALLENGE, EXTERNAL
    /// AUTHENTICATE, RESET RETRY COUNTER). With --new-pin, reads the new PIN (never argv).
    Unlock {
        #[command(flatten)]
        target: AdminTarget,
        /// Which PIN.
        #[arg(long, value_enum)]
        pin: PinArg,
        /// Set a new PIN (prompted, or one line of stdin with --pin-stdin).
        #[arg(long)]
        new_pin: bool,
        /// Read the new PIN from standard input instead of prompting.
        #[arg(long)]
        pin_stdin: bool,
    },
    /// A change of the 4 facts: revoke the signature certificate (affiliationChanged) and
    /// write a new signature key and certificate; the authentication certificate stays.
    ChangeFacts {
        #[command(flatten)]
        target: AdminTarget,
        #[command(flatten)]
        holder: HolderArgs,
    },
    /// A card fault: revoke every certificate on the card (cessationOfOperation) and terminate
    /// it (keys erased; it answers every command 6A82).
    Fault {
        #[command(flatten)]
        target: AdminTarget,
    },
}

fn invalid(message: impl Into<String>) -> anyhow::Error {
    InvalidInput(message.into()).into()
}

fn main() -> ExitCode {
    // First, before any PIN or key is in memory: a crash must not write them to a core file.
    if let Err(e) = card_sim::process::disable_core_dumps() {
        eprintln!(
            "jpki-sim: warning: cannot disable core dumps ({e}); a crash could write PINs and keys to a core file"
        );
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jpki-sim: {}", card_sim::cli::one_line(e.chain()));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The exit code of an error (see [`card_sim::cli::exit`]).
fn exit_code(e: &anyhow::Error) -> u8 {
    use card_sim::cli::exit;
    if e.chain().any(card_sim::cli::is_invalid_input) {
        exit::INVALID_INPUT
    } else {
        exit::ERROR
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Authority {
            action: AuthorityCommand::Init { dir },
        } => authority_init(&dir),
        Command::Issue(args) => issue(&args),
        Command::Serve(args) => serve(&args),
        Command::Admin { action } => admin(action),
        Command::Inspect { card } => inspect(&card),
    }
}

fn authority_init(dir: &Path) -> anyhow::Result<()> {
    let authority = Authority::create(dir, OffsetDateTime::now_utc(), &mut rand::rng())
        .with_context(|| format!("cannot create an authority in {}", dir.display()))?;
    println!("authority created in {}", authority.dir().display());
    for (what, h) in [
        ("signature CA", cert::Hierarchy::Signature),
        ("authentication CA", cert::Hierarchy::Authentication),
    ] {
        println!("{what}: {}", authority.ca_path(h).display());
    }
    Ok(())
}

/// How long a command waits for an authority that another `jpki-sim` has open (issuing a card
/// takes a second or two; a command queued behind a few of them waits for them).
const AUTHORITY_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

fn open_authority(dir: &Path) -> anyhow::Result<Authority> {
    if !dir.is_dir() {
        bail!(
            "the authority directory {} does not exist; create one with `jpki-sim authority init {}`",
            printable(&dir.display().to_string()),
            printable(&dir.display().to_string())
        );
    }
    let start = std::time::Instant::now();
    let mut said = false;
    loop {
        match Authority::open(dir) {
            Err(card_sim::Error::AuthorityInUse { .. }) if start.elapsed() < AUTHORITY_WAIT => {
                if !said {
                    eprintln!(
                        "jpki-sim: waiting for the authority {} (another process has it open)",
                        printable(&dir.display().to_string())
                    );
                    said = true;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            opened => {
                return opened
                    .with_context(|| format!("cannot open the authority {}", dir.display()));
            }
        }
    }
}

/// Where PINs come from.
enum PinSource {
    Prompt,
    Stdin,
}

impl PinSource {
    fn new(stdin: bool) -> Self {
        if stdin { Self::Stdin } else { Self::Prompt }
    }

    /// Reads one PIN and checks its format rule.
    fn read(&self, kind: PinKind, what: &str) -> anyhow::Result<Pin> {
        let text: Zeroizing<String> = match self {
            Self::Prompt => Zeroizing::new(
                rpassword::prompt_password(format!("{what}: ")).map_err(|e| {
                    invalid(format!(
                        "cannot prompt for the {what} ({e}); pipe the PINs in with --pin-stdin"
                    ))
                })?,
            ),
            Self::Stdin => {
                let mut line = Zeroizing::new(String::new());
                let n = std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .with_context(|| format!("reading the {what} from standard input"))?;
                if n == 0 {
                    return Err(invalid(format!(
                        "standard input ended before the {what} (one PIN per line)"
                    )));
                }
                let len = line.trim_end_matches(['\r', '\n']).len();
                line.truncate(len);
                line
            }
        };
        Pin::new(kind, text.as_bytes()).map_err(|e| invalid(format!("{what}: {e}")))
    }
}

fn parse_date(s: &str, what: &str) -> anyhow::Result<Date> {
    let bad = || invalid(format!("{what} {s:?} is not a date YYYY-MM-DD"));
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

fn holder(args: &HolderArgs) -> anyhow::Result<cert::Holder> {
    // 氏 + U+3000 + 名: an ASCII space typed on the command line becomes the ideographic one
    let name = args.name.replace(' ', "\u{3000}");
    let holder = cert::Holder {
        name: cert::CardText::plain(name),
        address: cert::CardText::plain(args.address.clone()),
        birth_date: parse_date(&args.birth, "--birth")?,
        gender: match args.gender {
            GenderArg::Male => cert::Gender::Male,
            GenderArg::Female => cert::Gender::Female,
            GenderArg::Unknown => cert::Gender::Unknown,
        },
        municipality: cert::Municipality {
            prefecture: args.prefecture.clone(),
            city: args.city.clone(),
        },
    };
    let today = cert::validity::jst_date(OffsetDateTime::now_utc());
    holder.validate_on(today).map_err(|e| match e {
        cert::Error::BadHolder { field, reason } => {
            let flag = match field {
                "name" => "--name",
                "address" => "--address",
                "birth_date" => "--birth",
                "prefecture" => "--prefecture",
                "city" => "--city",
                other => other,
            };
            invalid(format!("{flag}: {reason}"))
        }
        e => invalid(format!("holder data: {e}")),
    })?;
    Ok(holder)
}

/// The 10th birthday strictly after `issued` (a My Number card for an adult).
fn tenth_birthday_after(issued: Date, birth: Date) -> anyhow::Result<Date> {
    let fifth = cert::validity::fifth_birthday_after(issued, birth)
        .map_err(|e| invalid(format!("--birth: {e}")))?;
    cert::validity::anniversary(birth, fifth.year() + 5).map_err(|e| invalid(e.to_string()))
}

fn issue(args: &IssueArgs) -> anyhow::Result<()> {
    let holder = holder(&args.holder)?;
    let now = OffsetDateTime::now_utc();
    let issued = cert::validity::jst_date(now);
    let card_expiry = match &args.card_expiry {
        Some(s) => parse_date(s, "--card-expiry")?,
        None => tenth_birthday_after(issued, holder.birth_date)?,
    };
    if card_expiry <= issued {
        return Err(invalid(format!(
            "--card-expiry {card_expiry} is not after today ({issued}); give a later date"
        )));
    }
    check_parent_dir(&args.out, "--out")?;
    let (profile, with_auth, sign_kind, with_text) = match args.profile {
        Profile::MyNumber => (
            CardProfile::MyNumber,
            !args.no_auth,
            PinKind::Signature,
            true,
        ),
        Profile::Juki => {
            if args.my_number.is_some() {
                return Err(invalid(
                    "a Juki card has no text-support AP: drop --my-number",
                ));
            }
            (CardProfile::Juki, false, PinKind::JukiSignature, false)
        }
    };
    let my_number = match (&args.my_number, with_text) {
        (Some(s), _) => Some(MyNumber::new(s).map_err(|e| invalid(format!("--my-number: {e}")))?),
        (None, true) => return Err(invalid("a My Number card needs --my-number (12 digits)")),
        (None, false) => None,
    };
    let retry_limits = match (args.retry_limits, profile) {
        (Limits::Real, _) => RetryLimits::default(),
        (Limits::Municipal, CardProfile::MyNumber) => RetryLimits::municipal_page(),
        // the page's "3" is for the My Number signature PIN; its Juki PIN figure is 5
        (Limits::Municipal, CardProfile::Juki) => RetryLimits {
            sign: 5,
            ..RetryLimits::municipal_page()
        },
    };
    let mut authority = open_authority(&args.authority)?;
    let source = PinSource::new(args.pin_stdin);
    let auth_pin = with_auth
        .then(|| source.read(PinKind::Authentication, "authentication PIN (4 digits)"))
        .transpose()?;
    let sign_pin = (!args.no_sign)
        .then(|| source.read(sign_kind, "signature PIN"))
        .transpose()?;
    let text_pin = with_text
        .then(|| source.read(PinKind::TextSupport, "text-support PIN (4 digits)"))
        .transpose()?;
    let request = IssueRequest {
        profile,
        holder,
        my_number,
        auth_pin,
        sign_pin,
        text_pin,
        retry_limits,
        card_expiry,
        issued_at: now,
    };
    let card = authority
        .issue_card(request, &args.out, &mut rand::rng())
        .with_context(|| format!("cannot issue the card {}", args.out.display()))?;
    println!(
        "issued {} card {} (card ID {})",
        card.profile(),
        printable(&args.out.display().to_string()),
        card.card_id()
            .as_ref()
            .map_or_else(String::new, |id| Hex(id).to_string())
    );
    Ok(())
}

/// A file the user named in a directory that does not exist: say so, naming the directory,
/// before the card library reports its lock file.
fn check_parent_dir(path: &Path, what: &str) -> anyhow::Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent
        && !dir.is_dir()
    {
        bail!(
            "cannot write {what} {}: the directory {} does not exist; create it first",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}

fn serve(args: &ServeArgs) -> anyhow::Result<()> {
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
    let mut tracer = card_sim::trace::Tracer::new(args.trace_personal_data);
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

fn open_card(path: &Path) -> anyhow::Result<SimCard> {
    if !path.exists() {
        bail!("the card file {} does not exist", path.display());
    }
    // the card library's errors name the file
    SimCard::open(path).context("cannot open the card")
}

fn admin(action: AdminCommand) -> anyhow::Result<()> {
    match action {
        AdminCommand::Unlock {
            target,
            pin,
            new_pin,
            pin_stdin,
        } => {
            let authority = open_authority(&target.authority)?;
            let mut card = open_card(&target.card)?;
            let pin_ref = match pin {
                PinArg::Auth => PinRef::Authentication,
                PinArg::Sign => PinRef::Signature,
                PinArg::Text => PinRef::TextSupport,
            };
            let kind = match (pin_ref, card.profile()) {
                (PinRef::Authentication, _) => PinKind::Authentication,
                (PinRef::Signature, CardProfile::Juki) => PinKind::JukiSignature,
                (PinRef::Signature, CardProfile::MyNumber) => PinKind::Signature,
                (PinRef::TextSupport, _) => PinKind::TextSupport,
            };
            let Some(counter) = card.pin_counter(pin_ref) else {
                bail!("the card has no {} PIN", pin_name(pin_ref));
            };
            let new = new_pin
                .then(|| {
                    PinSource::new(pin_stdin).read(kind, &format!("new {} PIN", pin_name(pin_ref)))
                })
                .transpose()?;
            authority
                .unlock(&mut card, pin_ref, new.as_ref())
                .context("unlock")?;
            println!(
                "{} PIN unlocked ({} of {} tries, was {}){}",
                pin_name(pin_ref),
                counter.limit(),
                counter.limit(),
                counter.tries_left(),
                if new.is_some() { ", new PIN set" } else { "" }
            );
            Ok(())
        }
        AdminCommand::ChangeFacts { target, holder: h } => {
            let holder = holder(&h)?;
            let mut authority = open_authority(&target.authority)?;
            let mut card = open_card(&target.card)?;
            authority
                .change_facts(
                    &mut card,
                    holder,
                    OffsetDateTime::now_utc(),
                    &mut rand::rng(),
                )
                .context("4-facts change")?;
            let serial = card
                .certificate(KeyRole::Signature)
                .and_then(|der| cert::JpkiCertificate::from_der(der).ok())
                .map(|c| c.serial().to_string())
                .unwrap_or_default();
            println!(
                "old signature certificate revoked (affiliationChanged); new signature certificate {serial}"
            );
            Ok(())
        }
        AdminCommand::Fault { target } => {
            let mut authority = open_authority(&target.authority)?;
            let mut card = open_card(&target.card)?;
            authority
                .fault(&mut card, OffsetDateTime::now_utc())
                .context("card fault")?;
            println!("every certificate revoked (cessationOfOperation); card terminated");
            Ok(())
        }
    }
}

fn pin_name(pin: PinRef) -> &'static str {
    match pin {
        PinRef::Authentication => "authentication",
        PinRef::Signature => "signature",
        PinRef::TextSupport => "text-support",
    }
}

fn inspect(path: &Path) -> anyhow::Result<()> {
    // A copy: inspecting works while the card is served, and never writes the file.
    if !path.exists() {
        bail!("the card file {} does not exist", path.display());
    }
    let card = SimCard::open_snapshot(path).context("cannot open the card")?;
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("card file: {}", path.display()));
    line(format!("profile: {}", card.profile()));
    match card.administration() {
        Some(admin) => {
            line(format!("card ID: {}", Hex(&admin.card_id)));
            line(format!("card expiry: {}", admin.card_expiry));
        }
        None => line("card ID: none (not issued by an authority; no administrative unlock)".into()),
    }
    line(format!(
        "state: {}",
        if card.is_terminated() {
            "terminated (card fault; every command answers 6A82)"
        } else {
            "operational"
        }
    ));
    for (role, pin) in [
        (KeyRole::Authentication, PinRef::Authentication),
        (KeyRole::Signature, PinRef::Signature),
    ] {
        match card.certificate(role) {
            None => line(format!("{role} certificate: none")),
            Some(der) => match cert::JpkiCertificate::from_der(der) {
                Ok(c) => line(format!(
                    "{role} certificate: serial {}, valid {} to {}",
                    c.serial(),
                    jst(c.not_before()),
                    jst(c.not_after())
                )),
                Err(e) => line(format!(
                    "{role} certificate: {} bytes, not a JPKI certificate ({e})",
                    der.len()
                )),
            },
        }
        if let Some(counter) = card.pin_counter(pin) {
            line(pin_line(pin, counter));
        }
    }
    if let Some(counter) = card.pin_counter(PinRef::TextSupport) {
        line("text-support AP: present".into());
        line(pin_line(PinRef::TextSupport, counter));
    } else if !card.is_terminated() && card.profile() == CardProfile::MyNumber {
        line("text-support AP: none".into());
    }
    // certificate serials and error texts come from the card file: nothing raw reaches the
    // terminal
    for l in out.lines() {
        println!("{}", printable(l));
    }
    Ok(())
}

/// An instant as JPKI states validity: Japan Standard Time.
fn jst(t: OffsetDateTime) -> String {
    let t = t.to_offset(cert::validity::JST);
    format!(
        "{} {:02}:{:02}:{:02} JST",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn pin_line(pin: PinRef, counter: pin_policy::RetryCounter) -> String {
    format!(
        "{} PIN: {} of {} tries left{}",
        pin_name(pin),
        counter.tries_left(),
        counter.limit(),
        if counter.is_blocked() {
            " (BLOCKED: only the issuing municipality can unlock it)"
        } else {
            ""
        }
    )
}
