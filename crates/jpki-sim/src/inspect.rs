//! `jpki-sim inspect`: a copy of a card file, shown (works while the card is served).

use std::path::Path;

use anyhow::{Context as _, bail};
use card_sim::{CardProfile, KeyRole, PinRef, SimCard, admin::Hex};
use cert::time::OffsetDateTime;
use cli_common::printable;

use crate::admin::pin_name;

pub(crate) fn inspect(path: &Path, json: bool) -> anyhow::Result<()> {
    // A copy: inspecting works while the card is served, and never writes the file.
    if !path.exists() {
        bail!("the card file {} does not exist", path.display());
    }
    let card = SimCard::open_snapshot(path).context("cannot open the card")?;
    if json {
        println!("{}", cli_common::json(&inspect_json(path, &card)));
        return Ok(());
    }
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

/// The card as one JSON object: the same facts as the text form.
fn inspect_json(path: &Path, card: &SimCard) -> serde_json::Value {
    let pin = |pin: PinRef| {
        card.pin_counter(pin).map(|c| {
            serde_json::json!({
                "tries_left": c.tries_left(),
                "limit": c.limit(),
                "blocked": c.is_blocked(),
            })
        })
    };
    let certificate = |role: KeyRole| {
        card.certificate(role)
            .map(|der| match cert::JpkiCertificate::from_der(der) {
                Ok(c) => serde_json::json!({
                    "serial": c.serial().to_string(),
                    "not_before": jst(c.not_before()),
                    "not_after": jst(c.not_after()),
                }),
                Err(e) => serde_json::json!({ "bytes": der.len(), "error": e.to_string() }),
            })
    };
    serde_json::json!({
        "card_file": path.display().to_string(),
        "profile": card.profile().to_string(),
        "card_id": card.administration().map(|a| Hex(&a.card_id).to_string()),
        "card_expiry": card.administration().map(|a| a.card_expiry.to_string()),
        "terminated": card.is_terminated(),
        "authentication_certificate": certificate(KeyRole::Authentication),
        "signature_certificate": certificate(KeyRole::Signature),
        "pins": {
            "authentication": pin(PinRef::Authentication),
            "signature": pin(PinRef::Signature),
            "text_support": pin(PinRef::TextSupport),
        },
        "text_support": card.has_text_support(),
    })
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
