//! `jpki-sim`: the software JPKI card from the command line — an authority (the municipal
//! window and city hall), card issuance, the vpcd virtual reader link, administration and
//! inspection.
//!
//! PINs are never taken from the command line (argv is visible to every user of the machine):
//! they are read from a no-echo prompt on the terminal, or with `--pin-stdin` one per line from
//! standard input, in the order the command documents.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cli_common::{EXIT_CODES, InvalidInput};

mod admin;
mod authority;
mod directory;
mod events;
mod inspect;
mod next_gen;
mod revoke;
mod serve;

use crate::admin::admin;
use crate::authority::issue;
use crate::directory::authority_init;
use crate::inspect::inspect;
use crate::serve::{ServeArgs, serve};

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
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// The issuing authority directory: adds each certificate's revocation status from
        /// its published CRL.
        #[arg(long)]
        authority: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum AuthorityCommand {
    /// Create a new authority in DIR (refuses one that exists).
    Init {
        /// The authority directory.
        dir: PathBuf,
    },
    /// Publish every CRL again, dated now (nextUpdate tomorrow): J-LIS's daily update. CRLs
    /// are also published on every event; a verifier refuses one past its nextUpdate.
    Publish {
        /// The authority directory.
        dir: PathBuf,
    },
    /// Show an authority: its CAs, the next serial, the municipalities it issues for (CRL
    /// partitions), its CRL files and revocations. No keys.
    Status {
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
    /// The next-generation card (NG-sim v1, shared/next-gen-profile.md): ECDSA P-384 keys
    /// certified by the authority's P-384 CAs (created with the first such card), a signing
    /// password and a 4-digit PIN, the 認証AP and 券面等AP.
    NextGen,
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
    /// Text-support PIN (入力補助AP EF 0011).
    Text,
    /// 入力補助AP 照合番号A (0014, the My Number): counter reset only.
    TextA,
    /// 入力補助AP 照合番号B (0015): counter reset only.
    TextB,
    /// 入力補助AP 0012: blocked as issued, never unlocked (refused).
    TextBlocked,
    /// 券面事項確認AP birth-date key (0011, era YYMMDD): counter reset only.
    BirthDate,
    /// 券面事項確認AP 照合番号B (0012): counter reset only.
    VisualB,
    /// 券面事項確認AP 照合番号A (0013, the My Number): counter reset only.
    VisualA,
    /// 共通カードAP 住民基本台帳用 PIN (001C, 4 digits).
    #[value(alias = "resident")]
    Common,
    /// 住基AP 住民基本台帳用 PIN (001C, 4 digits; its own counter).
    Juki,
    /// Next-generation card: the signing password 署名用パスワード (81).
    #[value(alias = "sign-pw")]
    SignPassword,
    /// Next-generation card: the 4-digit PIN 暗証番号 (82).
    Pin4,
    /// Next-generation card: the PUK (83), once the holder has set one.
    Puk,
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
    /// The registered municipality's local government code (団体コード), 5 digits or 6 with
    /// its check digit (e.g. 13101 for Chiyoda-ku, Tokyo).
    #[arg(long)]
    municipality_code: String,
    /// Prefecture in romaji, as certificates write it (e.g. Tokyo-to); by default the one
    /// the municipality code names.
    #[arg(long)]
    prefecture: Option<String>,
    /// City, ward, town or village in romaji, as certificates write it (e.g. Chiyoda-ku,
    /// Yokohama-shi-Naka-ku).
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
    /// Issue no signature certificate (required for holders under 15 on the issuing date).
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
    /// Card expiry date, YYYY-MM-DD (default and latest: the 10th birthday after issue, the
    /// 5th for a holder under 18 on the issuing date, the end of the stay with --stay-until).
    #[arg(long)]
    card_expiry: Option<String>,
    /// A foreign resident's period of stay ends on YYYY-MM-DD: the card and its certificates
    /// end no later than that day.
    #[arg(long)]
    stay_until: Option<String>,
    /// The issuing date, YYYY-MM-DD, today or earlier (default: today). A Juki card needs a
    /// date before 2016-01-01: its issuance ended in December 2015.
    #[arg(long)]
    issued: Option<String>,
    /// Read the PINs from standard input, one per line, instead of prompting.
    #[arg(long)]
    pin_stdin: bool,
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
    /// Release a blocked PIN or key reference over the administrative channel (GET CHALLENGE,
    /// EXTERNAL AUTHENTICATE, RESET RETRY COUNTER). With --new-pin, reads the new PIN (never
    /// argv); 照合番号A/B and the birth-date key only get their counter back (no new value).
    /// A next-generation card's secrets (sign-password, pin4, puk) are released on the card
    /// file at the window (it has no administrative APDUs in NG-sim v1).
    Unlock {
        #[command(flatten)]
        target: AdminTarget,
        /// Which PIN.
        #[arg(long, value_enum)]
        pin: PinArg,
        /// Set a new PIN (prompted, or one line of stdin with --pin-stdin): the JPKI PINs,
        /// text and common/juki, and the next-generation secrets, only.
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
    /// Revoke a certificate of the card with a CPS reason; its municipality's CRL is
    /// republished. One already revoked is reported and left as it is, except that a hold
    /// (certificate-hold) may be made permanent with another reason.
    Revoke {
        #[command(flatten)]
        target: AdminTarget,
        /// Which certificate.
        #[arg(long, value_enum)]
        cert: revoke::CertArg,
        /// Why (the CPS reasons).
        #[arg(long, value_enum)]
        reason: revoke::ReasonArg,
    },
    /// Release a hold (certificate-hold): the certificate leaves the CRL. Any other
    /// revocation is final and is refused.
    Release {
        #[command(flatten)]
        target: AdminTarget,
        /// Which certificate.
        #[arg(long, value_enum)]
        cert: revoke::CertArg,
    },
    /// Renewal (更新), from three months before a certificate's expiry: new keys and
    /// certificates on the same card, the old ones revoked (superseded). PINs are kept; with
    /// --new-pin, new ones are read (never argv): authentication, then signature, for the
    /// certificates renewed.
    Renew(events::RenewArgs),
    /// A lost or stolen card: both certificates revoked (keyCompromise), the card marked lost
    /// (it keeps answering; relying parties see the revocation).
    Lost {
        #[command(flatten)]
        target: AdminTarget,
    },
    /// The card returned after the holder's death or departure from Japan: certificates
    /// revoked (cessationOfOperation), the card terminated (it answers every command 6A82).
    Cease {
        #[command(flatten)]
        target: AdminTarget,
        /// Why.
        #[arg(long, value_enum)]
        cause: events::CauseArg,
    },
    /// Reset a forgotten PIN (blocked or not) at the window, the holder's identity confirmed:
    /// the new PIN is read (prompted, or one line of stdin with --pin-stdin; never argv).
    ResetPin {
        #[command(flatten)]
        target: AdminTarget,
        /// Which PIN: auth, sign, text, common or juki; on a next-generation card
        /// sign-password, pin4 or puk.
        #[arg(long, value_enum)]
        pin: PinArg,
        /// The document the holder's identity was confirmed with.
        #[arg(long, value_enum)]
        identity: events::IdentityArg,
        /// Read the new PIN from standard input instead of prompting.
        #[arg(long)]
        pin_stdin: bool,
    },
}

fn invalid(message: impl Into<String>) -> anyhow::Error {
    InvalidInput(message.into()).into()
}

fn main() -> ExitCode {
    // First, before any PIN or key is in memory: a crash must not write them to a core file.
    if let Err(e) = cli_common::process::disable_core_dumps() {
        eprintln!(
            "jpki-sim: warning: cannot disable core dumps ({e}); a crash could write PINs and keys to a core file"
        );
    }
    // `jpki-sim … | head -1`: a closed standard output ends the process quietly
    cli_common::process::exit_quietly_on_closed_stdout();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jpki-sim: {}", cli_common::one_line(e.chain()));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The exit code of an error (see [`cli_common::exit`]).
fn exit_code(e: &anyhow::Error) -> u8 {
    use cli_common::exit;
    if e.chain().any(|cause| {
        cli_common::is_invalid_input(cause)
            || cause
                .downcast_ref::<issuer::Error>()
                .is_some_and(|e| match e {
                    issuer::Error::IssueRequest { .. }
                    | issuer::Error::CardExpiryTooLate { .. }
                    | issuer::Error::Pin(_)
                    | issuer::Error::MunicipalityClash { .. }
                    | issuer::Error::NotRevoked { .. }
                    | issuer::Error::NotOnHold { .. } => true,
                    issuer::Error::Card(card) => cli_common::is_invalid_input(card),
                    issuer::Error::Certificate(cert) => cli_common::is_invalid_input(cert),
                    _ => false,
                })
    }) {
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
        Command::Authority {
            action: AuthorityCommand::Publish { dir },
        } => directory::authority_publish(&dir),
        Command::Authority {
            action: AuthorityCommand::Status { dir },
        } => directory::authority_status(&dir),
        Command::Issue(args) => issue(&args),
        Command::Serve(args) => serve(&args),
        Command::Admin { action } => admin(action),
        Command::Inspect {
            card,
            json,
            authority,
        } => inspect(&card, json, authority.as_deref()),
    }
}
