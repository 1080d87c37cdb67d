//! `jpki-sim admin renew|lost|cease|reset-pin`: the life-cycle events at the window (see
//! `issuer::Authority::{renew, report_lost, cease, reset_pin}`).

use anyhow::Context as _;
use card_sim::{CardProfile, Cessation, KeyRole, PinRef};
use cert::time::OffsetDateTime;
use clap::{Args, ValueEnum};
use cli_common::pins::PinInput;
use issuer::{IdentityCheck, RenewRequest};
use pin_policy::PinKind;

use crate::AdminTarget;
use crate::admin::pin_name;
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
            let pin = input.read_pin(kind, &format!("new {r} PIN"))?;
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
            "{} certificate renewed: serial {} revoked (superseded), new serial {} valid to {}",
            r.role,
            r.old_serial,
            r.new_serial,
            crate::inspect::jst(r.not_after)
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

pub(crate) fn reset_pin(
    target: &AdminTarget,
    pin: PinRef,
    identity: IdentityArg,
    pin_stdin: bool,
) -> anyhow::Result<()> {
    let identity = match identity {
        IdentityArg::CardPhoto => IdentityCheck::CardPhoto,
        IdentityArg::Passport => IdentityCheck::Passport,
        IdentityArg::DrivingLicence => IdentityCheck::DrivingLicence,
        IdentityArg::ResidenceCard => IdentityCheck::ResidenceCard,
    };
    let authority = open_authority(&target.authority)?;
    let mut card = open_card(&target.card)?;
    let kind = match (pin, card.profile()) {
        (PinRef::Authentication, _) => PinKind::Authentication,
        (PinRef::Signature, CardProfile::Juki) => PinKind::JukiSignature,
        (PinRef::Signature, CardProfile::MyNumber) => PinKind::Signature,
        (PinRef::TextSupport, _) => PinKind::TextSupport,
        (PinRef::Common | PinRef::Juki, _) => PinKind::ResidentRegistry,
        _ => {
            return Err(crate::invalid(format!(
                "the {} is not a PIN the holder sets: only auth, sign, text, common and juki \
                 are reset at the window; nothing was sent to the card",
                pin_name(pin)
            )));
        }
    };
    let new = PinInput::from_stdin_flag(pin_stdin)
        .read_pin(kind, &format!("new {} PIN", pin_name(pin)))?;
    authority
        .reset_pin(&mut card, pin, &new, identity, OffsetDateTime::now_utc())
        .context("PIN reset")?;
    println!(
        "{} PIN reset (identity confirmed: {identity:?}); tries back at the limit",
        pin_name(pin)
    );
    Ok(())
}

/// The first day a certificate may be renewed (its last day's [`cert::validity::renewal_opens`]).
pub(crate) fn renewable_from(certificate: &cert::JpkiCertificate) -> Option<cert::time::Date> {
    cert::validity::renewal_opens(cert::validity::jst_date(certificate.not_after())).ok()
}

/// Each certificate's revocation status on the card, as the authority's published CRLs say
/// (`None`: no authority given).
pub(crate) struct CertStatus {
    statuses: Option<[Option<Option<cert::Revocation>>; 2]>,
}

impl CertStatus {
    /// Reads the CRL of each certificate on `card` from `authority`'s directory.
    pub(crate) fn read(
        card: &card_sim::SimCard,
        authority: Option<&std::path::Path>,
    ) -> anyhow::Result<Self> {
        let Some(dir) = authority else {
            return Ok(Self { statuses: None });
        };
        let authority = open_authority(dir)?;
        let mut statuses = [None, None];
        for (slot, role) in statuses
            .iter_mut()
            .zip([KeyRole::Authentication, KeyRole::Signature])
        {
            let Some(der) = card.certificate(role) else {
                continue;
            };
            let Ok(certificate) = cert::JpkiCertificate::from_der(der) else {
                continue;
            };
            *slot = Some(revocation(&authority, &certificate)?);
        }
        Ok(Self {
            statuses: Some(statuses),
        })
    }

    fn get(&self, role: KeyRole) -> Option<Option<cert::Revocation>> {
        let [auth, sign] = self.statuses.as_ref()?;
        match role {
            KeyRole::Authentication => *auth,
            KeyRole::Signature => *sign,
        }
    }

    /// `, not revoked` / `, REVOKED (reason) on …`, empty without an authority.
    pub(crate) fn text(&self, role: KeyRole) -> String {
        match self.get(role) {
            None => String::new(),
            Some(None) => ", not revoked (authority CRL)".into(),
            Some(Some(r)) => format!(
                ", REVOKED ({}) on {}",
                reason_name(r.reason),
                crate::inspect::jst(r.revoked_at)
            ),
        }
    }

    /// `"not revoked"` / `{"reason", "revoked_at"}`, null without an authority.
    pub(crate) fn json(&self, role: KeyRole) -> serde_json::Value {
        match self.get(role) {
            None => serde_json::Value::Null,
            Some(None) => serde_json::json!("not revoked"),
            Some(Some(r)) => serde_json::json!({
                "reason": reason_name(r.reason),
                "revoked_at": crate::inspect::jst(r.revoked_at),
            }),
        }
    }
}

fn reason_name(reason: Option<cert::RevocationReason>) -> String {
    reason.map_or_else(|| "no reason code".into(), |r| format!("{r:?}"))
}

/// The one place the published revocation status of a certificate is read: the CRL the
/// authority publishes for the certificate's hierarchy, its signature checked.
fn revocation(
    authority: &issuer::Authority,
    certificate: &cert::JpkiCertificate,
) -> anyhow::Result<Option<cert::Revocation>> {
    let path = authority.crl_path(certificate.hierarchy());
    let der = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let crl = cert::Crl::from_der(&der).with_context(|| format!("{} is no CRL", path.display()))?;
    crl.verify_signed_by(authority.ca(certificate.hierarchy()).certificate())
        .with_context(|| format!("{} is not signed by the authority's CA", path.display()))?;
    Ok(crl.lookup(certificate.serial()))
}
