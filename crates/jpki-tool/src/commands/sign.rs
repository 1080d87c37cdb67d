//! `sign` (a detached CMS with the card) and `verify` (a detached CMS over a file).

use std::path::Path;
use std::time::SystemTime;

use anyhow::Result;
use cli_common::printable;
use jpki_applet::KeyRef;
use jpki_tool::input::{self, Input};
use jpki_tool::pin_input::PinInput;
use jpki_tool::{card_sign, cms, report};
use time::OffsetDateTime;

use super::certs::report_kind;
use super::trust::{REQUIRE_REVOCATION, load_crls, parse_at};
use super::{read_pin, write_file};
use crate::cli::{KeyArg, RequireRevocation, Trust};
use crate::exit::Exit;
use crate::open::Card;

pub(crate) fn sign_file(
    card: &mut Card<'_>,
    key: KeyArg,
    file: &Path,
    output: &Path,
    pins: &mut PinInput,
) -> Result<()> {
    // opened (and refused if not a regular file) before the PIN is asked for; hashed as it
    // streams, after the card has given its certificate
    let content = input::open(file, Input::Document)?;
    let size = content.metadata().map(|m| m.len()).unwrap_or(0);
    let key = match key {
        KeyArg::Sign => KeyRef::Sign,
        KeyArg::Auth => KeyRef::Auth,
    };
    // today "signature PIN" / "authentication PIN"; next generation "signing password" /
    // "4-digit PIN"
    let pin = read_pin(pins, card.key_secret_name(key))?;
    let now = cms::whole_seconds(SystemTime::now());
    // one VERIFY: the certificate and the signature under the same session
    let p7s = card_sign::sign_document_on_card(card, key, pin.as_bytes(), &content, now).map_err(
        |e| match e {
            card_sign::CardSignError::Card(e) => e.into(),
            card_sign::CardSignError::Cms(e) => document_error(e, file),
        },
    )?;
    write_file(output, &p7s)?;
    println!(
        "signed {} ({} bytes) → {}",
        file.display(),
        size,
        output.display()
    );
    Ok(())
}

pub(crate) fn verify_signature(
    signature: &Path,
    file: &Path,
    trust: &Trust,
    require: RequireRevocation,
    json: bool,
) -> Result<()> {
    let crls = load_crls(
        trust,
        require.require_revocation.then_some(REQUIRE_REVOCATION),
    )?;
    let content = input::open(file, Input::Document)?;
    let p7s = input::read(signature, Input::Signature)?;
    let v = cms::verify_detached(&p7s, &content).map_err(|e| document_error(e, file))?;
    let signer = &v.signer;
    if signer.environment() == cert::Environment::Test {
        return Err(
            Exit::NotVerified("signed with a JPKI-TEST certificate: refused".into()).into(),
        );
    }
    let at = match (&trust.at, v.signing_time) {
        (Some(s), _) => parse_at(Some(s))?,
        (None, Some(t)) => OffsetDateTime::from(t),
        (None, None) => OffsetDateTime::now_utc(),
    };
    let anchors = super::trust::anchors(trust)?;
    let checked = match anchors.verify(signer, at, crls.check()) {
        Ok(checked) => checked,
        Err(e) => {
            return Err(Exit::NotVerified(format!("signature does not verify: {e}")).into());
        }
    };
    if json {
        let signing_time = v
            .signing_time
            .map(|t| report::rfc3339(OffsetDateTime::from(t)));
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "verified": true,
                "document": file.display().to_string(),
                "signing_time": signing_time,
                "revocation": report::revocation_json(checked.revocation),
                "signer": report::json_value(signer, at),
            }))
        );
        return Ok(());
    }
    let caveat = if checked.revocation.is_checked() {
        ""
    } else {
        " (revocation not checked)"
    };
    println!(
        "Verification successful{caveat}: {} signed by a {} certificate",
        printable(&file.display().to_string()),
        report_kind(signer)
    );
    if let Some(t) = v.signing_time {
        println!(
            "  signing time: {}",
            report::rfc3339(OffsetDateTime::from(t))
        );
    }
    println!(
        "  signer serial {}, valid until {}",
        signer.serial(),
        report::rfc3339(signer.not_after())
    );
    match signer.four_facts() {
        Some(f) => {
            println!("  name:       {}", printable(&f.name.text()));
            println!("  birth date: {}", f.birth_date);
            println!("  gender:     {}", f.gender.code());
            println!("  address:    {}", printable(&f.address.text()));
        }
        None => println!("  subject:    {}", printable(&signer.subject().to_string())),
    }
    println!("  revocation: {}", checked.revocation);
    Ok(())
}

/// A document that could not be read is an I/O error (exit 1), not a signature that does not
/// verify: the error leaves the CMS type.
pub(crate) fn document_error(e: cms::CmsError, file: &Path) -> anyhow::Error {
    match e {
        cms::CmsError::Read(io) => {
            anyhow::Error::from(io).context(format!("cannot read document {}", file.display()))
        }
        other => other.into(),
    }
}
