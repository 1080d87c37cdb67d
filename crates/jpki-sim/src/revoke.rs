//! `jpki-sim admin revoke` and `jpki-sim admin release`: revocation of a card's certificate
//! with a CPS reason, and the release of a hold (一時保留).

use anyhow::{Context as _, bail};
use card_sim::KeyRole;
use cert::time::OffsetDateTime;
use cert::{JpkiCertificate, RevocationReason};
use clap::ValueEnum;
use issuer::{Authority, RevokeOutcome};

use crate::AdminTarget;
use crate::authority::open_authority;
use crate::serve::open_card;

/// Which certificate of the card.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum CertArg {
    /// The authentication certificate (利用者証明用).
    Auth,
    /// The signature certificate (署名用).
    Sign,
}

/// The revocation reasons of the JPKI CPS (RFC 5280 codes).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ReasonArg {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1): the card was lost or stolen, the key may be in other hands.
    KeyCompromise,
    /// affiliationChanged (3): the 4 facts changed (signature certificate).
    AffiliationChanged,
    /// superseded (4): replaced by a new certificate (renewal).
    Superseded,
    /// cessationOfOperation (5): death, leaving Japan, the card returned or faulty.
    CessationOfOperation,
    /// certificateHold (6): 一時保留, suspended; `admin release` lifts it.
    CertificateHold,
}

impl From<ReasonArg> for RevocationReason {
    fn from(r: ReasonArg) -> Self {
        match r {
            ReasonArg::Unspecified => Self::Unspecified,
            ReasonArg::KeyCompromise => Self::KeyCompromise,
            ReasonArg::AffiliationChanged => Self::AffiliationChanged,
            ReasonArg::Superseded => Self::Superseded,
            ReasonArg::CessationOfOperation => Self::CessationOfOperation,
            ReasonArg::CertificateHold => Self::CertificateHold,
        }
    }
}

fn what(cert: CertArg) -> (&'static str, KeyRole) {
    match cert {
        CertArg::Auth => ("authentication certificate", KeyRole::Authentication),
        CertArg::Sign => ("signature certificate", KeyRole::Signature),
    }
}

/// The authority and the certificate of the card the target names.
fn open(target: &AdminTarget, cert: CertArg) -> anyhow::Result<(Authority, JpkiCertificate)> {
    let authority = open_authority(&target.authority)?;
    let card = open_card(&target.card)?;
    let (name, role) = what(cert);
    let Some(der) = card.certificate(role) else {
        bail!("the card has no {name}");
    };
    let certificate =
        JpkiCertificate::from_der(der).with_context(|| format!("the card's {name}"))?;
    Ok((authority, certificate))
}

/// `admin revoke`: prints what changed (nothing, for a certificate already revoked).
pub(crate) fn revoke(target: &AdminTarget, cert: CertArg, reason: ReasonArg) -> anyhow::Result<()> {
    let (mut authority, certificate) = open(target, cert)?;
    let (name, _) = what(cert);
    let reason = RevocationReason::from(reason);
    let outcome = authority
        .revoke_reporting(&certificate, reason, OffsetDateTime::now_utc())
        .context("revoke")?;
    let serial = certificate.serial();
    let crl = authority.crl_path_for(&certificate)?;
    match outcome {
        RevokeOutcome::Revoked(_) => println!(
            "{name} {serial} revoked ({}); published in {}",
            reason.name(),
            crl.display()
        ),
        RevokeOutcome::HoldMadePermanent(_) => println!(
            "{name} {serial} was on hold; now revoked for good ({}), the hold's date kept; published in {}",
            reason.name(),
            crl.display()
        ),
        RevokeOutcome::AlreadyRevoked(r) => println!(
            "{name} {serial} is already revoked ({}); nothing changed",
            r.reason.map_or("no reason given", RevocationReason::name)
        ),
        _ => println!("{name} {serial}: revocation recorded"),
    }
    Ok(())
}

/// `admin release`: lifts a hold.
pub(crate) fn release(target: &AdminTarget, cert: CertArg) -> anyhow::Result<()> {
    let (mut authority, certificate) = open(target, cert)?;
    let (name, _) = what(cert);
    authority
        .release(&certificate, OffsetDateTime::now_utc())
        .context("release")?;
    println!(
        "{name} {} released from hold: no longer on {}",
        certificate.serial(),
        authority.crl_path_for(&certificate)?.display()
    );
    Ok(())
}
