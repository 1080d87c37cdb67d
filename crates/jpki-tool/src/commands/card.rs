//! `readers`, `info` and `pin status` / `pin change`: what is in the reader and on the card
//! (every PIN and key reference of the whole card, card-map §3–§7).

use anyhow::Result;
use apdu::TransportError;
use cli_common::InvalidInput;
use jpki_applet::{CardPin, PinRef, PinStatus};
use jpki_tool::pin_input::PinInput;

use super::read_pin;
use crate::cli::PinArg;
use crate::open::Card;

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

pub(crate) fn info(card: &mut Card<'_>, json: bool) -> Result<()> {
    let token = card.token_info();
    let avail = card.availability();
    if json {
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "card": token.kind.to_string(),
                "token": {
                    "label": token.label,
                    "serial": token.serial_number,
                    "model": token.model,
                    "manufacturer": token.manufacturer_id,
                    "min_pin_len": token.min_pin_len,
                    "max_pin_len": token.max_pin_len,
                },
                "auth_certificate": avail.auth,
                "sign_certificate": avail.sign,
                "pins": pin_status_json(card)?,
            }))
        );
        return Ok(());
    }
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
    let yes = |b| if b { "present" } else { "not issued" };
    println!("auth cert:   {}", yes(avail.auth));
    println!("sign cert:   {}", yes(avail.sign));
    print_pin_status(card)
}

/// Every PIN and key reference of the card (card-map §3–§7) with its status, `None` for one
/// the card does not have (its application or key is absent): what `pin status` shows as text
/// and as JSON. Nothing is spent: each is an empty VERIFY.
pub(crate) fn pin_states(card: &mut Card<'_>) -> Result<Vec<(CardPin, Option<PinStatus>)>> {
    Ok(card.whole_card().pin_statuses()?)
}

pub(crate) fn print_pin_status(card: &mut Card<'_>) -> Result<()> {
    for (pin, state) in pin_states(card)? {
        match state {
            Some(s) if s.is_blocked() => {
                println!("{pin}: BLOCKED (only the city hall can unlock it)")
            }
            Some(s) => println!("{pin}: {} tries left", s.tries_left),
            None => println!("{pin}: not on this card"),
        }
    }
    Ok(())
}

pub(crate) fn pin_status(card: &mut Card<'_>, json: bool) -> Result<()> {
    if json {
        println!("{}", cli_common::json(&pin_status_json(card)?));
        return Ok(());
    }
    print_pin_status(card)
}

/// Each key reference's state as JSON, keyed by [`CardPin::key`]: `{"auth": {"present": true,
/// "tries_left": 3, "blocked": false}, "sign": …, "text_support": …, "text_support_number_a":
/// …, "face_number_b": …, "common": …, "juki": …}` (`{"present": false}` for one the card does
/// not have).
pub(crate) fn pin_status_json(card: &mut Card<'_>) -> Result<serde_json::Value> {
    let mut out = serde_json::Map::new();
    for (pin, state) in pin_states(card)? {
        let state = match state {
            Some(s) => serde_json::json!({
                "present": true,
                "tries_left": s.tries_left,
                "blocked": s.is_blocked(),
            }),
            None => serde_json::json!({ "present": false }),
        };
        out.insert(pin.key().into(), state);
    }
    Ok(serde_json::Value::Object(out))
}

pub(crate) fn change_pin(card: &mut Card<'_>, which: PinArg, pins: &mut PinInput) -> Result<()> {
    let pin = match which {
        PinArg::Auth => PinRef::Auth,
        PinArg::Sign => PinRef::Sign,
        PinArg::Text => PinRef::TextSupport,
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
