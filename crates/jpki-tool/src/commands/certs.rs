//! `cert show`, `cert export` and `cert verify`.

use std::path::Path;

use anyhow::Result;
use cli_common::printable;
use jpki_applet::{CertSlot, KeyRef};
use jpki_tool::pin_input::PinInput;
use jpki_tool::{anchors, report};
use time::OffsetDateTime;

use super::trust::{REQUIRE_REVOCATION, load_crls, parse_at};
use super::{read_pin, write_file};
use crate::cli::{Format, RequireRevocation, SlotArg, Trust};
use crate::exit::Exit;
use crate::open::Card;

fn read_slot(card: &mut Card<'_>, slot: CertSlot, pins: &mut PinInput) -> Result<Vec<u8>> {
    Ok(match slot {
        CertSlot::Sign => {
            let pin = read_pin(pins, card.key_secret_name(KeyRef::Sign))?;
            card.read_sign_certificate(pin.as_bytes())?
        }
        other => card.read_certificate(other)?,
    })
}

/// `cert show auth|sign|auth-ca|sign-ca`.
pub(crate) fn show_from_card(
    card: &mut Card<'_>,
    which: SlotArg,
    format: &Format,
    pins: &mut PinInput,
) -> Result<()> {
    let der = read_slot(card, which.into(), pins)?;
    show_certificate(&der, format)
}

/// `cert show FILE`.
pub(crate) fn show_from_file(file: &Path, format: &Format) -> Result<()> {
    let c = anchors::read_certificate(file)?;
    show_certificate(c.der(), format)
}

/// `cert export`.
pub(crate) fn export(
    card: &mut Card<'_>,
    which: SlotArg,
    output: &Path,
    pem: bool,
    pins: &mut PinInput,
) -> Result<()> {
    let der = read_slot(card, which.into(), pins)?;
    let bytes = if pem {
        cert::JpkiCertificate::from_der(&der)?.to_pem().into_bytes()
    } else {
        der
    };
    write_file(output, &bytes)?;
    println!("wrote {}", output.display());
    Ok(())
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

pub(crate) fn verify_certificate(
    file: &Path,
    trust: &Trust,
    require: RequireRevocation,
    json: bool,
) -> Result<()> {
    let crls = load_crls(
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
    let anchors = super::trust::anchors(trust)?;
    match anchors.verify(&c, at, crls.check()) {
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

pub(crate) fn report_kind(c: &cert::JpkiCertificate) -> &'static str {
    match c.kind() {
        cert::CertKind::Signature => "signature",
        cert::CertKind::Authentication => "authentication",
        cert::CertKind::Ca(_) => "CA",
    }
}
