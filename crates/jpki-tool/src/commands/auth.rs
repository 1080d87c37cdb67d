//! `auth challenge`, `auth respond` and `auth check`: the login flow.

use std::path::Path;
use std::time::{Duration, SystemTime};

use anyhow::Result;
use cli_common::printable;
use jpki_applet::{CertSlot, KeyRef};
use jpki_tool::input::{self, Input};
use jpki_tool::pin_input::PinInput;
use jpki_tool::{login, report};

use super::trust::{load_crls, parse_at};
use super::{read_pin, write_file};
use crate::cli::Trust;
use crate::open::Card;

/// `auth challenge`.
pub(crate) fn challenge(service: &str, output: &Path) -> Result<()> {
    let c = login::Challenge::new(service, SystemTime::now());
    write_file(output, c.to_text().as_bytes())?;
    println!(
        "wrote challenge for {:?} to {}",
        c.service,
        output.display()
    );
    Ok(())
}

/// `auth respond`.
pub(crate) fn respond(
    card: &mut Card<'_>,
    challenge: &Path,
    output: &Path,
    pins: &mut PinInput,
) -> Result<()> {
    let text = input::read(challenge, Input::Challenge)?;
    let response = auth_respond(card, &text, pins)?;
    write_file(output, response.to_text().as_bytes())?;
    println!("wrote response to {}", output.display());
    Ok(())
}

/// `auth check`: without `--crl`, refused unless `--no-revocation-check`.
pub(crate) fn check(
    challenge: &Path,
    response: &Path,
    trust: &Trust,
    max_age: u64,
    used: Option<&Path>,
    no_revocation_check: bool,
    json: bool,
) -> Result<()> {
    let required = if no_revocation_check {
        None
    } else {
        Some(
            "a login decision needs the authentication CA's CRL (--crl FILE|DIR); \
             --no-revocation-check accepts it without",
        )
    };
    auth_check(challenge, response, trust, max_age, used, required, json)
}

fn auth_respond(
    card: &mut Card<'_>,
    challenge: &[u8],
    pins: &mut PinInput,
) -> Result<login::Response> {
    let certificate = card.read_certificate(CertSlot::Auth)?;
    let pin = read_pin(pins, card.key_secret_name(KeyRef::Auth))?;
    // today RSA over a SHA-256 DigestInfo, next generation DER ECDSA P-384 over SHA-384
    let response = login::Response::answer_message(challenge, certificate, |message| {
        card.sign(KeyRef::Auth, pin.as_bytes(), message)
            .map(jpki_applet::CardSignature::into_bytes)
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
    let crls = load_crls(trust, revocation_required)?;
    let challenge_text = input::read(challenge, Input::Challenge)?;
    let response_text = input::read(response, Input::Response)?;
    let response = login::Response::parse(&response_text)?;
    let anchors = super::trust::anchors(trust)?;
    let now = match &trust.at {
        Some(s) => SystemTime::from(parse_at(Some(s))?),
        None => SystemTime::now(),
    };
    let policy = login::Policy {
        anchors: &anchors,
        revocation: crls.check(),
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
