//! `jpki-sim admin unlock|reset-pin` on a next-generation card (NG-sim v1): its three secrets
//! (`--pin sign-password|pin4|puk`), released or reset on the card file at the window
//! (`issuer::Authority::{unlock_next_gen, reset_next_gen_secret}`). Today's PIN names are
//! refused on a next-generation card and these on today's card, before anything is changed.

use anyhow::Context as _;
use card_sim::{NextGenSecret, PinRef, SimCard};
use cert::time::OffsetDateTime;
use cli_common::pins::PinInput;
use issuer::Authority;

use crate::PinArg;
use crate::next_gen::secret_name;

/// What `--pin` names, in the card's generation.
pub(super) enum Secret {
    /// A PIN or key reference of today's card.
    Current(PinRef),
    /// A secret of the next-generation 認証AP.
    NextGen(NextGenSecret),
}

/// What `--pin` names on `card`, refused when it belongs to the other generation. A
/// terminated card has no generation left: the issuer refuses it with its own reason.
pub(super) fn choose(pin: PinArg, card: &SimCard) -> anyhow::Result<Secret> {
    let secret = super::secret_of(pin);
    if card.is_terminated() {
        return Ok(secret);
    }
    match (&secret, card.is_next_gen()) {
        (Secret::Current(pin), true) => Err(crate::invalid(format!(
            "the card is a next-generation card: it has no {} {}; its secrets are \
             sign-password, pin4 and puk; nothing was changed",
            super::pin_name(*pin),
            super::noun(*pin)
        ))),
        (Secret::NextGen(secret), false) => Err(crate::invalid(format!(
            "the {} is a next-generation card's secret; this card is of today's generation \
             (auth, sign, text, common, juki, ...); nothing was changed",
            secret_name(*secret)
        ))),
        _ => Ok(secret),
    }
}

/// `admin unlock` of a next-generation secret: its counter back at the limit, with
/// `new_pin` a new value read from the prompt or stdin.
pub(super) fn unlock(
    authority: &Authority,
    card: &mut SimCard,
    secret: NextGenSecret,
    new_pin: bool,
    pin_stdin: bool,
) -> anyhow::Result<()> {
    let was = card.next_gen_counter(secret);
    let new = if new_pin {
        Some(
            PinInput::from_stdin_flag(pin_stdin)
                .read_pin(secret.kind(), &format!("new {}", secret_name(secret)))?,
        )
    } else {
        None
    };
    authority
        .unlock_next_gen(card, secret, new.as_ref())
        .context("unlock")?;
    let now = card.next_gen_counter(secret);
    if let (Some(was), Some(now)) = (was, now) {
        println!(
            "{} unlocked ({} of {} tries, was {}){}",
            secret_name(secret),
            now.tries_left(),
            now.limit(),
            was.tries_left(),
            if new.is_some() { ", new value set" } else { "" }
        );
    }
    Ok(())
}

/// `admin reset-pin` of a next-generation secret: the holder's identity confirmed, a new
/// value read from the prompt or stdin.
pub(super) fn reset(
    authority: &Authority,
    card: &mut SimCard,
    secret: NextGenSecret,
    identity: crate::events::IdentityArg,
    pin_stdin: bool,
) -> anyhow::Result<()> {
    let identity = identity.check();
    let new = PinInput::from_stdin_flag(pin_stdin)
        .read_pin(secret.kind(), &format!("new {}", secret_name(secret)))?;
    authority
        .reset_next_gen_secret(card, secret, &new, identity, OffsetDateTime::now_utc())
        .context("secret reset")?;
    println!(
        "{} reset (identity confirmed: {identity:?}); tries back at the limit",
        secret_name(secret)
    );
    Ok(())
}
