//! `text`: the My Number and the 4 facts from the text-support application; `text
//! basic-info`: the free identification records of the whole card.

use std::path::Path;

use anyhow::Result;
use cli_common::printable;
use jpki_tool::pin_input::PinInput;

use super::read_pin;
use crate::exit::Exit;
use crate::open::{Card, current};

pub(crate) fn text_support(card: &mut Card<'_>, pins: &mut PinInput, json: bool) -> Result<()> {
    // the generation first: a next-generation card costs no PIN prompt
    let card = current(card, "text (the text-support application)")?;
    let pin = read_pin(pins, "text-support PIN")?;
    // one VERIFY for both files
    let mut session = card.text_support().verify_pin(pin.as_bytes())?;
    let number = session.my_number()?;
    let facts = session.four_facts()?;
    let (y, m, d) = facts.birth;
    if json {
        // personal data, asked for: printed as the text form prints it
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "my_number": number.to_string(),
                "name": facts.name,
                "address": facts.address,
                "birth_date": format!("{y:04}-{m:02}-{d:02}"),
                "sex": facts.sex.to_string(),
            }))
        );
        return Ok(());
    }
    println!("My Number:  {}", printable(&number.to_string()));
    println!("name:       {}", printable(&facts.name));
    println!("address:    {}", printable(&facts.address));
    println!("birth date: {y:04}-{m:02}-{d:02}");
    println!("sex:        {}", facts.sex);
    Ok(())
}

/// `text basic-info`: the free identification records of the whole card, no PIN
/// (card-map §2, §4–§6). A part the card does not have is shown as absent. With `card_ca`,
/// the MF chain must verify up to it (else nothing is printed and the exit is "not
/// verified").
pub(crate) fn basic_info(card: &mut Card<'_>, card_ca: Option<&Path>, json: bool) -> Result<()> {
    // the CA key first: a bad file reads nothing
    let ca = card_ca.map(super::face::read_ca_key).transpose()?;
    let mut whole = current(card, "text basic-info (the whole card's records)")?.whole_card();
    let info = whole.basic_info()?;
    let chain = whole.card_chain()?;
    let chain_state = match (&chain, &ca, card_ca) {
        (None, _, _) => None,
        (Some(chain), Some(ca), Some(path)) => {
            chain
                .verify(ca)
                .map_err(|e| Exit::NotVerified(e.to_string()))?;
            Some(format!(
                "verified up to the card CA given by --card-ca {}",
                path.display()
            ))
        }
        (Some(_), _, _) => Some("not checked (no --card-ca given)".to_owned()),
    };
    if json {
        let key_id = |k: &jpki_applet::records::KeyId| k.to_string();
        println!(
            "{}",
            cli_common::json(&serde_json::json!({
                "text_support": info.text_support.as_ref().map(|t| serde_json::json!({
                    "profile": hex::encode_upper(t.profile),
                    "key_id": key_id(&t.key_id),
                })),
                "face_check": info.face_check.as_ref().map(|f| serde_json::json!({
                    "profile": hex::encode_upper(f.profile),
                    "key_id": key_id(&f.key_id),
                    "version": f.version,
                    "municipality": f.municipality,
                    "extra_key_id": key_id(&f.extra_key_id),
                })),
                "common": info.common.as_ref().map(|c| serde_json::json!({
                    "serial": c.serial,
                    "municipality": c.municipality,
                    "expiry": c.expiry.to_string(),
                })),
                "mf": {
                    "municipality": info.mf_municipality,
                    "expiry": info.mf_expiry.map(|d| d.to_string()),
                },
                "card_chain": chain.as_ref().map(|c| serde_json::json!({
                    "root_key_id": key_id(&c.root_key_id()),
                    "intermediate_key_id": key_id(&c.issuer_key_id),
                    "card_key_id": key_id(&c.card.subject_key_id),
                    "check": chain_state,
                })),
            }))
        );
        return Ok(());
    }
    const ABSENT: &str = "not on this card";
    match &info.text_support {
        Some(t) => println!(
            "text-support AP (EF 0005):  profile {}, key ID {}",
            hex::encode_upper(t.profile),
            t.key_id
        ),
        None => println!("text-support AP (EF 0005):  {ABSENT}"),
    }
    match &info.face_check {
        Some(f) => println!(
            "card-face AP (EF 0003):     profile {}, key ID {}, version {}, municipality {}",
            hex::encode_upper(f.profile),
            f.key_id,
            f.version,
            f.municipality
        ),
        None => println!("card-face AP (EF 0003):     {ABSENT}"),
    }
    match &info.common {
        Some(c) => {
            println!("card serial:                {}", c.serial);
            println!("municipality (common AP):   {}", c.municipality);
            println!("expiry (common AP):         {}", c.expiry);
        }
        None => println!("common-card AP record:      {ABSENT}"),
    }
    println!(
        "municipality (MF 00F0):     {}",
        info.mf_municipality.as_deref().unwrap_or(ABSENT)
    );
    println!(
        "expiry (MF 00F2):           {}",
        info.mf_expiry
            .map_or_else(|| ABSENT.to_owned(), |d| d.to_string())
    );
    match (&chain, &chain_state) {
        (Some(c), Some(state)) => {
            println!(
                "card chain (MF 00F8, 7F21): root {} -> intermediate {} (00F7) -> card key {}",
                c.root_key_id(),
                c.issuer_key_id,
                c.card.subject_key_id
            );
            println!("card chain check:           {state}");
        }
        _ => println!("card chain (MF 00F8, 7F21): {ABSENT}"),
    }
    Ok(())
}
