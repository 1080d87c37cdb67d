//! `text`: the My Number and the 4 facts from the text-support application.

use anyhow::Result;
use cli_common::printable;
use jpki_tool::pin_input::PinInput;

use super::read_pin;
use crate::open::Card;

pub(crate) fn text_support(card: &mut Card<'_>, pins: &mut PinInput, json: bool) -> Result<()> {
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
