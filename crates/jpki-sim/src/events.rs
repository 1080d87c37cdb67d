//! `jpki-sim admin renew|lost|cease`: the life-cycle events at the window (see
//! `issuer::Authority::{renew, report_lost, cease}`; `reset-pin` is with `unlock` in
//! [`mod@crate::admin`]).

use anyhow::Context as _;
use card_sim::{CardProfile, Cessation, KeyRole};
use cert::time::OffsetDateTime;
use clap::{Args, ValueEnum};
use cli_common::pins::PinInput;
use issuer::RenewRequest;
use pin_policy::PinKind;

use crate::AdminTarget;
use crate::authority::open_authority;
use crate::serve::open_card;

/// `admin renew`'s arguments.
#[derive(Debug, Args)]
pub(crate) struct RenewArgs {
    #[command(flatten)]
    target: AdminTarget,
    /// Renew only this certificate (default: each one whose renewal window is open).
    #[arg(long, value_enum)]
    cert: Option<CertArg>,
    /// Set new PINs for the renewed certificates (prompted, or one line each of stdin with
    /// --pin-stdin: authentication, then signature).
    #[arg(long)]
    new_pin: bool,
    /// Read the new PINs from standard input instead of prompting.
    #[arg(long)]
    pin_stdin: bool,
    /// The window's date and time (RFC 3339, e.g. 2030-12-01T10:00:00+09:00) instead of now:
    /// to rehearse a renewal on a simulated card.
    #[arg(long)]
    at: Option<String>,
}

/// A certificate of the card.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum CertArg {
    /// The authentication certificate.
    Auth,
    /// The signature certificate.
    Sign,
}

/// Why a card ceases.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum CauseArg {
    /// The holder died.
    Death,
    /// The holder left Japan.
    Emigration,
}

/// The document the holder's identity was confirmed with at the window.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum IdentityArg {
    /// The My Number card itself, its photo compared with the holder.
    CardPhoto,
    /// A passport.
    Passport,
    /// A driving licence.
    DrivingLicence,
    /// A residence card (在留カード).
    ResidenceCard,
}

impl IdentityArg {
    /// The issuer's name for the document.
    pub(crate) fn check(self) -> issuer::IdentityCheck {
        match self {
            Self::CardPhoto => issuer::IdentityCheck::CardPhoto,
            Self::Passport => issuer::IdentityCheck::Passport,
            Self::DrivingLicence => issuer::IdentityCheck::DrivingLicence,
            Self::ResidenceCard => issuer::IdentityCheck::ResidenceCard,
        }
    }
}

fn role(arg: CertArg) -> KeyRole {
    match arg {
        CertArg::Auth => KeyRole::Authentication,
        CertArg::Sign => KeyRole::Signature,
    }
}

pub(crate) fn renew(args: &RenewArgs) -> anyhow::Result<()> {
    let at = match &args.at {
        None => OffsetDateTime::now_utc(),
        Some(s) => {
            OffsetDateTime::parse(s, &cert::time::format_description::well_known::Rfc3339)
                .map_err(|e| crate::invalid(format!("--at {s:?} is not an RFC 3339 time ({e})")))?
        }
    };
    let mut authority = open_authority(&args.target.authority)?;
    let mut card = open_card(&args.target.card)?;
    let today = cert::validity::jst_date(at);
    // the certificates renewed: as asked, else those whose window is open (the PINs to read)
    let roles: Vec<KeyRole> = match args.cert {
        Some(c) => vec![role(c)],
        None => [KeyRole::Authentication, KeyRole::Signature]
            .into_iter()
            .filter(|r| {
                card.certificate(*r)
                    .and_then(|der| cert::JpkiCertificate::from_der(der).ok())
                    .and_then(|c| {
                        cert::validity::renewable_on(cert::validity::jst_date(c.not_after()), today)
                            .ok()
                    })
                    .unwrap_or(false)
            })
            .collect(),
    };
    let mut request = RenewRequest {
        roles: args.cert.map(role).into_iter().collect(),
        ..RenewRequest::default()
    };
    if args.new_pin {
        let mut input = PinInput::from_stdin_flag(args.pin_stdin);
        for r in &roles {
            let kind = match (r, card.profile()) {
                (KeyRole::Authentication, _) => PinKind::Authentication,
                (KeyRole::Signature, CardProfile::Juki) => PinKind::JukiSignature,
                (KeyRole::Signature, CardProfile::MyNumber) => PinKind::Signature,
            };
            // a next-generation card's secrets that guard these keys
            let what = match (card.is_next_gen(), r) {
                (true, KeyRole::Authentication) => "new 4-digit PIN (82)".to_owned(),
                (true, KeyRole::Signature) => "new signing password (81)".to_owned(),
                (false, r) => format!("new {r} PIN"),
            };
            let pin = input.read_pin(kind, &what)?;
            match r {
                KeyRole::Authentication => request.auth_pin = Some(pin),
                KeyRole::Signature => request.sign_pin = Some(pin),
            }
        }
        // the PINs read are for exactly these certificates
        request.roles = roles;
    }
    let renewed = authority
        .renew(&mut card, request, at, &mut rand::rng())
        .context("renewal")?;
    for r in renewed {
        println!(
            "{} certificate renewed: serial {} revoked (superseded), new serial {} valid to {} (JST)",
            r.role,
            r.old_serial,
            r.new_serial,
            cert::validity::jst_date(r.not_after)
        );
    }
    Ok(())
}

pub(crate) fn lost(target: &AdminTarget) -> anyhow::Result<()> {
    let mut authority = open_authority(&target.authority)?;
    let mut card = open_card(&target.card)?;
    authority
        .report_lost(&mut card, OffsetDateTime::now_utc())
        .context("lost card")?;
    println!("every certificate revoked (keyCompromise); card marked lost");
    Ok(())
}

pub(crate) fn cease(target: &AdminTarget, cause: CauseArg) -> anyhow::Result<()> {
    let cause = match cause {
        CauseArg::Death => Cessation::Death,
        CauseArg::Emigration => Cessation::Emigration,
    };
    let mut authority = open_authority(&target.authority)?;
    let mut card = open_card(&target.card)?;
    authority
        .cease(&mut card, cause, OffsetDateTime::now_utc())
        .context("cessation")?;
    println!("every certificate revoked (cessationOfOperation); card terminated ({cause})");
    Ok(())
}
