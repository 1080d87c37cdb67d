//! `readers`, `info` and `pin status` / `pin change`: what is in the reader and on the card
//! (every PIN and key reference of the whole card, card-map §3–§7).

use anyhow::Result;
use apdu::TransportError;
use cli_common::InvalidInput;
use cli_common::printable;
use jpki_applet::{CertSlot, Generation, KeyRef, PinRef, PinReport, SecretStatus};
use jpki_tool::pin_input::PinInput;
use jpki_tool::report;
use jpki_tool::status::{Revocation, Validity};

use super::read_pin;
use super::trust::{load_crls, parse_at};
use crate::cli::{PinArg, Trust};
use crate::open::{Card, current, next_gen};

pub(crate) fn readers() -> Result<()> {
    let ctx = jpki_applet::pcsc::PcscContext::establish()?;
    for name in ctx.readers()? {
        match ctx.connect(&name) {
            Ok(card) => println!(
                "{name}: card present, ATR {}",
                hex::encode_upper(card.atr())
            ),
            Err(TransportError::NoCard) => println!("{name}: no card"),
            Err(e) => println!("{name}: {e}"),
        }
    }
    Ok(())
}

/// `info`: the card, each certificate on it with its status at `--at` (validity, renewal
/// window, revocation with `--crl`), and every PIN's state. The signature certificate is
/// read only with `--with-sign` (it needs the signature PIN).
pub(crate) fn info(
    card: &mut Card<'_>,
    json: bool,
    with_sign: bool,
    trust: &Trust,
    pins: &mut PinInput,
) -> Result<()> {
    let crls = load_crls(trust, None)?;
    let at = parse_at(trust.at.as_deref())?;
    let anchors = super::trust::anchors(trust)?;
    let avail = card.availability();
    let mut certificates = Vec::new();
    for slot in CertSlot::ALL {
        let present = match slot {
            CertSlot::Auth | CertSlot::AuthCa => avail.auth,
            CertSlot::Sign | CertSlot::SignCa => avail.sign,
        };
        let der = match slot {
            _ if !present => None,
            CertSlot::Sign if !with_sign => None,
            CertSlot::Sign => {
                let secret = read_pin(pins, card.key_secret_name(KeyRef::Sign))?;
                Some(card.read_sign_certificate(secret.as_bytes())?)
            }
            other => Some(card.read_certificate(other)?),
        };
        let c = der
            .map(|der| cert::JpkiCertificate::from_der(&der))
            .transpose()?;
        certificates.push((slot, present, c));
    }
    let generation = card.generation();
    let algorithm = card.signature_algorithm();
    // today's card: its token info in full; the next-generation card names only its label
    let token = card.current_mut().map(|c| c.token_info().clone());
    let label = card.token_label().to_owned();
    let status = |c: &cert::JpkiCertificate| {
        let validity = Validity::of(c, at);
        let revocation = match c.kind() {
            cert::CertKind::Ca(_) => None,
            _ => Some(Revocation::of(c, crls.check(), &anchors, at)),
        };
        (validity, revocation)
    };
    if json {
        let mut out = serde_json::Map::new();
        for (slot, present, c) in &certificates {
            let value = match c {
                None => serde_json::json!({
                    "present": present,
                    "read": false,
                }),
                Some(c) => {
                    let (validity, revocation) = status(c);
                    serde_json::json!({
                        "present": true,
                        "read": true,
                        "subject": c.subject().to_string(),
                        "serial": c.serial().to_string(),
                        "not_before": report::rfc3339(c.not_before()),
                        "not_after": report::rfc3339(c.not_after()),
                        "status": validity.key(),
                        "status_text": validity.to_string(),
                        "renewable_from": renewable_from(validity),
                        "revocation": revocation.map(|r| r.json()),
                    })
                }
            };
            out.insert(slot_key(*slot).into(), value);
        }
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "card": token.as_ref().map_or_else(|| generation.to_string(), |t| t.kind.to_string()),
                "generation": generation_key(generation),
                "signature_algorithm": algorithm.to_string(),
                "token": match &token {
                    Some(token) => serde_json::json!({
                        "label": token.label,
                        "serial": token.serial_number,
                        "model": token.model,
                        "manufacturer": token.manufacturer_id,
                        "min_pin_len": token.min_pin_len,
                        "max_pin_len": token.max_pin_len,
                    }),
                    None => serde_json::json!({ "label": label }),
                },
                "at": report::rfc3339(at),
                "auth_certificate": avail.auth,
                "sign_certificate": avail.sign,
                "certificates": out,
                "pins": pin_status_json(card)?,
            }))
        );
        return Ok(());
    }
    match &token {
        Some(token) => {
            println!("card:        {}", token.kind);
            println!(
                "token:       {} serial {}",
                token.label, token.serial_number
            );
            println!("model:       {}", token.model);
            println!(
                "PIN length:  {} to {} characters (token info)",
                token.min_pin_len, token.max_pin_len
            );
        }
        None => {
            println!("card:        {generation} (NG-sim v1 profile)");
            println!("token:       {label}");
        }
    }
    println!("signatures:  {algorithm}");
    println!("status at:   {}", report::jst(at));
    for (slot, present, c) in &certificates {
        let label = format!("{}:", slot_label(*slot));
        match c {
            None if !present => println!("{label:<13}not issued"),
            None => {
                println!("{label:<13}present (reading it needs the signature PIN: add --with-sign)")
            }
            Some(c) => {
                let (validity, revocation) = status(c);
                println!(
                    "{label:<13}present, serial {}, until {}",
                    c.serial(),
                    report::jst(c.not_after())
                );
                println!(
                    "             subject: {}",
                    printable(&c.subject().to_string())
                );
                println!("             status: {validity}");
                if let Some(r) = revocation {
                    println!("             revocation: {r}");
                }
            }
        }
    }
    print_pin_status(card)
}

/// `info` of a card that answers SELECT of the JPKI application with `6A82`: a card
/// terminated after a fault (it answers every command so), or not a JPKI card. That is its
/// state, shown as such; any other error stays one.
pub(crate) fn no_jpki_application(e: anyhow::Error, json: bool) -> Result<()> {
    let not_found = e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<jpki_applet::Error>(),
            Some(jpki_applet::Error::ApplicationNotFound { .. })
        )
    });
    if !not_found {
        return Err(e);
    }
    if json {
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "card": serde_json::Value::Null,
                "jpki_application": false,
            }))
        );
    } else {
        println!(
            "card:        no JPKI application (a card terminated after a fault, or not a JPKI card); a terminated card is replaced at the city hall"
        );
    }
    Ok(())
}

fn renewable_from(v: Validity) -> Option<String> {
    match v {
        Validity::Valid { renewable_from, .. } | Validity::Renewable { renewable_from, .. } => {
            Some(renewable_from.to_string())
        }
        _ => None,
    }
}

fn slot_label(slot: CertSlot) -> &'static str {
    match slot {
        CertSlot::Auth => "auth cert",
        CertSlot::AuthCa => "auth CA",
        CertSlot::Sign => "sign cert",
        CertSlot::SignCa => "sign CA",
    }
}

fn slot_key(slot: CertSlot) -> &'static str {
    match slot {
        CertSlot::Auth => "auth",
        CertSlot::AuthCa => "auth_ca",
        CertSlot::Sign => "sign",
        CertSlot::SignCa => "sign_ca",
    }
}

/// `"current"` or `"next_gen"`: the `generation` of `info --json`.
fn generation_key(g: Generation) -> &'static str {
    match g {
        Generation::Current => "current",
        Generation::NextGen => "next_gen",
    }
}

/// Every PIN and secret of the card with its status: today every key reference of the whole
/// card (card-map §3–§7, `None` for one the card does not have); next generation the signing
/// password, the 4-digit PIN and the PUK. Nothing is spent: each is an empty VERIFY.
pub(crate) fn pin_states(card: &mut Card<'_>) -> Result<Vec<PinReport>> {
    Ok(card.pin_statuses()?)
}

pub(crate) fn print_pin_status(card: &mut Card<'_>) -> Result<()> {
    let next_gen = card.generation() == Generation::NextGen;
    for PinReport { key, name, status } in pin_states(card)? {
        match status {
            Some(s) if s.is_blocked() && next_gen => {
                println!("{name}: BLOCKED ({})", unblock_note(key))
            }
            Some(s) if s.is_blocked() => {
                println!("{name}: BLOCKED (only the city hall can unlock it)")
            }
            Some(SecretStatus::TriesLeft(n)) if !next_gen => println!("{name}: {n} tries left"),
            Some(s) => println!("{name}: {s}"),
            None => println!("{name}: not on this card"),
        }
    }
    Ok(())
}

/// Who unblocks a next-generation secret, by its [`PinReport::key`]
/// (shared/next-gen-profile.md §2.3): the PUK re-sets the 4-digit PIN, the city hall the rest.
fn unblock_note(key: &str) -> &'static str {
    if key == jpki_applet::NgSecret::Pin4.key() {
        "the PUK re-sets it (`jpki-tool pin reset --with-puk`), or the city hall"
    } else {
        "only the city hall can unlock it"
    }
}

pub(crate) fn pin_status(card: &mut Card<'_>, json: bool) -> Result<()> {
    if json {
        println!("{}", cli_common::json(&pin_status_json(card)?));
        return Ok(());
    }
    print_pin_status(card)
}

/// Each PIN's state as JSON, keyed by [`PinReport::key`]. Today's card: `{"auth": {"present":
/// true, "tries_left": 3, "blocked": false}, "sign": …, "text_support": …,
/// "text_support_number_a": …, "face_number_b": …, "common": …, "juki": …}` (`{"present":
/// false}` for one the card does not have; `"tries_left": null` for a key the card keeps no
/// count for, `6300`). Next generation: `{"sign_password": …, "pin4": …,
/// "puk": …}`, each `{"present": true, "set": bool, "verified": bool, "tries_left": n|null,
/// "blocked": bool}` (`tries_left` is null when the card does not say: verified, not set).
pub(crate) fn pin_status_json(card: &mut Card<'_>) -> Result<serde_json::Value> {
    let next_gen = card.generation() == Generation::NextGen;
    let mut out = serde_json::Map::new();
    for PinReport { key, status, .. } in pin_states(card)? {
        let state = match status {
            Some(s) if next_gen => serde_json::json!({
                "present": true,
                "set": s != SecretStatus::NotSet,
                "verified": s == SecretStatus::Verified,
                "tries_left": s.tries_left(),
                "blocked": s.is_blocked(),
            }),
            // `tries_left` null: a key the card keeps no count for (`6300`)
            Some(s) => serde_json::json!({
                "present": true,
                "tries_left": s.tries_left(),
                "blocked": s.is_blocked(),
            }),
            None => serde_json::json!({ "present": false }),
        };
        out.insert(key.into(), state);
    }
    Ok(serde_json::Value::Object(out))
}

pub(crate) fn change_pin(card: &mut Card<'_>, which: PinArg, pins: &mut PinInput) -> Result<()> {
    if card.generation() == Generation::NextGen {
        return change_next_gen_secret(card, which, pins);
    }
    let pin = match which {
        PinArg::Auth => PinRef::Auth,
        PinArg::Sign => PinRef::Sign,
        PinArg::Text => PinRef::TextSupport,
        PinArg::Puk => {
            next_gen(card, "pin change puk")?;
            return Ok(());
        }
    };
    let old = read_pin(pins, &format!("current {pin} PIN"))?;
    let new = read_pin(pins, &format!("new {pin} PIN"))?;
    let again = read_pin(pins, &format!("new {pin} PIN again"))?;
    if new.as_bytes() != again.as_bytes() {
        return Err(InvalidInput("the two new PINs differ; nothing was changed".into()).into());
    }
    card.change_pin(pin, old.as_bytes(), new.as_bytes())?;
    println!("{pin} PIN changed");
    Ok(())
}

/// `pin change` on a next-generation card: `auth` (or `pin4`) the 4-digit PIN, `sign` (or
/// `sign-password`) the signing password, `puk` sets or replaces the PUK under the signing
/// password. Every value is read like any PIN (prompt, or `--pin-stdin`), never from argv.
fn change_next_gen_secret(card: &mut Card<'_>, which: PinArg, pins: &mut PinInput) -> Result<()> {
    let (pin, name) = match which {
        PinArg::Auth => (PinRef::Auth, "4-digit PIN"),
        PinArg::Sign => (PinRef::Sign, "signing password"),
        PinArg::Text => {
            current(
                card,
                "pin change text (the 4-digit PIN covers the text-support data: change it with `pin change pin4`)",
            )?;
            return Ok(());
        }
        PinArg::Puk => {
            let password = read_pin(pins, "signing password")?;
            let (puk, _) = read_new_twice(pins, "PUK")?;
            card.set_puk(password.as_bytes(), puk.as_bytes())?;
            println!("PUK set");
            return Ok(());
        }
    };
    let old = read_pin(pins, &format!("current {name}"))?;
    let (new, _) = read_new_twice(pins, name)?;
    card.change_pin(pin, old.as_bytes(), new.as_bytes())?;
    println!("{name} changed");
    Ok(())
}

/// `pin reset --with-puk`: the PUK re-sets the 4-digit PIN (next generation only); the PUK
/// and the new PIN are read like any PIN, never from argv.
pub(crate) fn reset_pin_with_puk(card: &mut Card<'_>, pins: &mut PinInput) -> Result<()> {
    // the generation first: today's card costs no prompt
    next_gen(card, "pin reset --with-puk")?;
    let puk = read_pin(pins, "PUK")?;
    let (new, _) = read_new_twice(pins, "4-digit PIN")?;
    card.reset_pin_with_puk(puk.as_bytes(), new.as_bytes())?;
    println!("4-digit PIN re-set with the PUK");
    Ok(())
}

/// Reads a new value twice; differing values are invalid input and change nothing.
fn read_new_twice(
    pins: &mut PinInput,
    name: &str,
) -> Result<(zeroize::Zeroizing<String>, zeroize::Zeroizing<String>)> {
    let new = read_pin(pins, &format!("new {name}"))?;
    let again = read_pin(pins, &format!("new {name} again"))?;
    if new.as_bytes() != again.as_bytes() {
        return Err(InvalidInput(format!(
            "the two new values of the {name} differ; nothing was changed"
        ))
        .into());
    }
    Ok((new, again))
}
