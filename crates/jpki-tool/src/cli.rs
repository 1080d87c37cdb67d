//! The command line: clap's types for the global options, the commands and their arguments.
//! The help text is written here (doc comments become `--help`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cli_common::EXIT_CODES;
use jpki_applet::CertSlot;

#[derive(Parser, Debug)]
#[command(
    name = "jpki-tool",
    version,
    about = "Client for JPKI cards (マイナンバーカード, 住基カード)",
    after_help = format!("{EXIT_CODES}\n\n{}", jpki_tool::input::HELP)
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Cmd,
}

#[derive(Args, Debug, Clone)]
pub(crate) struct Global {
    /// PC/SC reader to use (default: the first reader with a card).
    #[arg(long, global = true, value_name = "NAME")]
    #[cfg_attr(feature = "simulator", arg(conflicts_with = "card"))]
    pub(crate) reader: Option<String>,
    /// Wait up to this many seconds for a card in the reader (PC/SC only).
    #[arg(long, global = true, value_name = "SECS", default_value_t = 0)]
    pub(crate) wait: u64,
    /// A simulator card file, used in process instead of a reader.
    #[cfg(feature = "simulator")]
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) card: Option<PathBuf>,
    /// Read PINs from standard input, one per line, instead of prompting.
    #[arg(long, global = true)]
    pub(crate) pin_stdin: bool,
    /// Trace every APDU on standard error. PINs and other secrets are always redacted; personal
    /// data read from the card (My Number, 4 facts, the signature certificate) too, unless
    /// --trace-personal-data.
    #[arg(long, short, global = true, visible_alias = "trace")]
    pub(crate) verbose: bool,
    /// With --verbose: show the personal data read from the card in the trace (never PINs).
    #[arg(long, global = true, requires = "verbose")]
    pub(crate) trace_personal_data: bool,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Cmd {
    /// List PC/SC readers and whether a card is present.
    Readers,
    /// Card kind, each certificate with its status (validity, renewal window, revocation with
    /// --crl), and PIN tries left.
    Info {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Also read the signature certificate (asks the signature PIN).
        #[arg(long)]
        with_sign: bool,
        #[command(flatten)]
        trust: Trust,
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
    /// The My Number and the 4 facts from the text-support application (PIN needed); with
    /// `basic-info`, the card's free identification records (no PIN).
    #[command(args_conflicts_with_subcommands = true)]
    Text {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        sub: Option<TextCmd>,
    },
    /// The card face (券面事項確認AP): show it, or check a 照合番号.
    #[command(subcommand)]
    Face(FaceCmd),
    #[cfg(feature = "simulator")]
    /// Issue a sample My Number card into a temporary directory and walk through its life:
    /// certificates, PINs, a signature, a login, a 4-facts change, a city-hall unlock, a
    /// renewal. Then a next-generation card (ECDSA P-384) from the same authority: its
    /// secrets, a signature and a login checked by the same verifier, a PUK, and the RSA
    /// cut-off refusing today's card's signature after 2031-01-01.
    Demo {
        /// Where to put the card and authority (default: a new temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum CertCmd {
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
pub(crate) struct Format {
    /// PEM on standard output.
    #[arg(long)]
    pub(crate) pem: bool,
    /// DER on standard output.
    #[arg(long)]
    pub(crate) der: bool,
    /// JSON on standard output.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Args, Debug, Clone)]
pub(crate) struct Trust {
    /// Trusted CA certificate(s); default: the built-in real J-LIS CAs (six generations).
    #[arg(long = "ca", value_name = "FILE")]
    pub(crate) ca: Vec<PathBuf>,
    /// CRL to check revocation against (PEM or DER), or a directory whose `*.crl` files are
    /// all read; repeatable. The CRL of the certificate's issuer and partition (its CRL
    /// distribution point, e.g. `… CN=Chiyoda-ku CRLDP`) is chosen among them; if none fits,
    /// the check fails. Without --crl the report says `revocation: not checked (no CRL
    /// given)`.
    #[arg(long, value_name = "FILE|DIR")]
    pub(crate) crl: Vec<PathBuf>,
    /// Use a CRL past its nextUpdate (by default refused: a newer CRL may list the
    /// certificate).
    #[arg(long, requires = "crl")]
    pub(crate) allow_stale_crl: bool,
    /// Check at this instant (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME")]
    pub(crate) at: Option<String>,
    /// Refuse RSA-2048 certificates (first-generation cards) checked at or after this instant
    /// (RFC 3339); default 2031-01-01T00:00:00Z, when CRYPTREC ends RSA-2048. Next-generation
    /// (ECDSA P-384) certificates are not affected.
    #[arg(long, value_name = "TIME")]
    pub(crate) rsa_cutoff: Option<String>,
}

#[derive(Args, Debug, Clone, Copy)]
pub(crate) struct RequireRevocation {
    /// Fail (exit 4) unless revocation is checked: makes --crl mandatory.
    #[arg(long)]
    pub(crate) require_revocation: bool,
}

#[derive(Subcommand, Debug)]
pub(crate) enum PinCmd {
    /// Tries left for each PIN, without spending one.
    Status {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change a PIN: the current one, then the new one twice. On a next-generation card `auth`
    /// (`pin4`) is the 4-digit PIN, `sign` (`sign-password`) the signing password, and `puk`
    /// sets or replaces the PUK (the signing password, then the new PUK twice).
    Change {
        /// Which PIN.
        #[arg(value_enum)]
        which: PinArg,
    },
    /// Re-set a blocked or forgotten 4-digit PIN with the PUK (next-generation cards): the PUK,
    /// then the new PIN twice, read like every PIN (prompt or --pin-stdin, never argv).
    Reset {
        /// Use the PUK (the only way this tool re-sets a PIN; the rest is the city hall's).
        #[arg(long, required = true)]
        with_puk: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum TextCmd {
    /// The free basic-info records: 入力補助AP EF 0005, 確認AP EF 0003, the 共通カードAP record
    /// (serial, municipality, expiry), the MF's municipality and expiry, and the key IDs of
    /// the MF's J-LIS card chain (00F8 root → intermediate, 7F21 intermediate → the card's
    /// internal-authentication key). No PIN.
    BasicInfo {
        /// The card CA's root public key (PEM SubjectPublicKeyInfo, e.g. an issuer
        /// directory's card-ca.pem): also verify the chain up to it.
        #[arg(long, value_name = "FILE")]
        card_ca: Option<PathBuf>,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum FaceCmd {
    /// Verify a 照合番号 (A: the 12-digit My Number; B: era birth date YYMMDD + expiry year +
    /// the 4-digit security code, 14 digits), read like a PIN, then show the birth date, sex
    /// and expiry, check the card face's signature, and write the images to a directory (with
    /// A also the My Number image).
    Show {
        /// Directory for face.jp2, name.png, address.png, security-code.png (and
        /// my-number.png): created if missing; existing files are never replaced.
        #[arg(long, value_name = "DIR")]
        out_dir: PathBuf,
        /// The card-face CA's public key (PEM SubjectPublicKeyInfo, e.g. an issuer
        /// directory's face-visual-ca.pem): also check the CV certificate's signature.
        #[arg(long, value_name = "FILE")]
        face_ca: Option<PathBuf>,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check a 照合番号 (A or B, read like a PIN) against the card: right, or wrong with the
    /// tries left, or blocked. Reads nothing else.
    Verify {
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum AuthCmd {
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
pub(crate) enum ShowSource {
    Card(SlotArg),
    File(PathBuf),
}

pub(crate) fn parse_show_source(s: &str) -> Result<ShowSource, String> {
    match SlotArg::from_str(s, false) {
        Ok(slot) => Ok(ShowSource::Card(slot)),
        Err(_) => Ok(ShowSource::File(PathBuf::from(s))),
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(crate) enum SlotArg {
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
pub(crate) enum KeyArg {
    Auth,
    Sign,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(crate) enum PinArg {
    /// The authentication PIN; on a next-generation card the 4-digit PIN.
    #[value(alias = "pin4")]
    Auth,
    /// The signature PIN; on a next-generation card the signing password.
    #[value(alias = "sign-password")]
    Sign,
    /// The text-support PIN (today's cards).
    Text,
    /// Set or replace the PUK with the signing password (next-generation cards).
    Puk,
}
