//! `jpki-sim inspect`: a copy of a card file, shown (works while the card is served).

use std::path::Path;

use anyhow::{Context as _, bail};
use card_sim::{CardProfile, KeyRole, PinRef, SimCard, admin::Hex};
use cert::time::OffsetDateTime;
use cli_common::printable;

use crate::admin::pin_name;

pub(crate) fn inspect(path: &Path) -> anyhow::Result<()> {
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
pub(crate) fn jst(t: OffsetDateTime) -> String {
    let t = t.to_offset(cert::validity::JST);
    format!(
        "{} {:02}:{:02}:{:02} JST",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub(crate) fn pin_line(pin: PinRef, counter: pin_policy::RetryCounter) -> String {
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
