//! `jpki-sim admin`: the city hall (unlock, a forgotten PIN's reset, 4-facts change, fault;
//! revoke and release are in [`crate::revoke`], the other life-cycle events in
//! [`crate::events`], the next-generation card's secrets in [`next_gen`]).

use anyhow::{Context as _, bail};
use card_sim::{CardProfile, KeyRole, NextGenSecret, PinRef};
use cert::time::OffsetDateTime;
use pin_policy::PinKind;

use crate::authority::{holder, open_authority};
use crate::serve::open_card;
use crate::{AdminCommand, PinArg, invalid};
use cli_common::pins::PinInput;

mod next_gen;

use next_gen::Secret;

pub(crate) fn admin(action: AdminCommand) -> anyhow::Result<()> {
    match action {
        AdminCommand::Unlock {
            target,
            pin,
            new_pin,
            pin_stdin,
        } => {
            let authority = open_authority(&target.authority)?;
            let mut card = open_card(&target.card)?;
            let pin_ref = match next_gen::choose(pin, &card)? {
                Secret::Current(pin_ref) => pin_ref,
                Secret::NextGen(secret) => {
                    return next_gen::unlock(&authority, &mut card, secret, new_pin, pin_stdin);
                }
            };
            let kind = match (pin_ref, card.profile()) {
                (PinRef::Authentication, _) => Some(PinKind::Authentication),
                (PinRef::Signature, CardProfile::Juki) => Some(PinKind::JukiSignature),
                (PinRef::Signature, CardProfile::MyNumber) => Some(PinKind::Signature),
                (PinRef::TextSupport, _) => Some(PinKind::TextSupport),
                (PinRef::Common | PinRef::Juki, _) => Some(PinKind::ResidentRegistry),
                (PinRef::TextSupportBlocked, _) => {
                    return Err(invalid(
                        "the 入力補助AP key 0012 is blocked as issued and has no value to \
                         unlock; nothing was sent to the card",
                    ));
                }
                // 照合番号A/B and the birth date are facts of the card: the card refuses a new
                // value for them (6985), only their counters are reset
                (_, _) => None,
            };
            let Some(counter) = card.pin_counter(pin_ref) else {
                bail!("the card has no {} {}", pin_name(pin_ref), noun(pin_ref));
            };
            let new = match (new_pin, kind) {
                (false, _) => None,
                (true, Some(kind)) => Some(
                    PinInput::from_stdin_flag(pin_stdin)
                        .read_pin(kind, &format!("new {} PIN", pin_name(pin_ref)))?,
                ),
                (true, None) => {
                    return Err(invalid(format!(
                        "the {} is a fact of the card, not a PIN the holder sets: it takes no \
                         new value; drop --new-pin to reset its counter",
                        pin_name(pin_ref)
                    )));
                }
            };
            authority
                .unlock(&mut card, pin_ref, new.as_ref())
                .context("unlock")?;
            println!(
                "{} {} unlocked ({} of {} tries, was {}){}",
                pin_name(pin_ref),
                noun(pin_ref),
                counter.limit(),
                counter.limit(),
                counter.tries_left(),
                if new.is_some() { ", new PIN set" } else { "" }
            );
            Ok(())
        }
        AdminCommand::ChangeFacts { target, holder: h } => {
            let holder = holder(&h)?;
            let mut authority = open_authority(&target.authority)?;
            let mut card = open_card(&target.card)?;
            authority
                .change_facts(
                    &mut card,
                    holder,
                    OffsetDateTime::now_utc(),
                    &mut rand::rng(),
                )
                .context("4-facts change")?;
            let serial = card
                .certificate(KeyRole::Signature)
                .and_then(|der| cert::JpkiCertificate::from_der(der).ok())
                .map(|c| c.serial().to_string())
                .unwrap_or_default();
            println!(
                "old signature certificate revoked (affiliationChanged); new signature certificate {serial}"
            );
            Ok(())
        }
        AdminCommand::Fault { target } => {
            let mut authority = open_authority(&target.authority)?;
            let mut card = open_card(&target.card)?;
            authority
                .fault(&mut card, OffsetDateTime::now_utc())
                .context("card fault")?;
            println!("every certificate revoked (cessationOfOperation); card terminated");
            Ok(())
        }
        AdminCommand::Revoke {
            target,
            cert,
            reason,
        } => crate::revoke::revoke(&target, cert, reason),
        AdminCommand::Release { target, cert } => crate::revoke::release(&target, cert),
        AdminCommand::Renew(args) => crate::events::renew(&args),
        AdminCommand::Lost { target } => crate::events::lost(&target),
        AdminCommand::Cease { target, cause } => crate::events::cease(&target, cause),
        AdminCommand::ResetPin {
            target,
            pin,
            identity,
            pin_stdin,
        } => reset_pin(&target, pin, identity, pin_stdin),
    }
}

/// `admin reset-pin`: a forgotten PIN reset at the window (`issuer::Authority::reset_pin`).
fn reset_pin(
    target: &crate::AdminTarget,
    pin: PinArg,
    identity: crate::events::IdentityArg,
    pin_stdin: bool,
) -> anyhow::Result<()> {
    let authority = open_authority(&target.authority)?;
    let mut card = open_card(&target.card)?;
    let pin = match next_gen::choose(pin, &card)? {
        Secret::Current(pin) => pin,
        Secret::NextGen(secret) => {
            return next_gen::reset(&authority, &mut card, secret, identity, pin_stdin);
        }
    };
    let identity = identity.check();
    let kind = match (pin, card.profile()) {
        (PinRef::Authentication, _) => PinKind::Authentication,
        (PinRef::Signature, CardProfile::Juki) => PinKind::JukiSignature,
        (PinRef::Signature, CardProfile::MyNumber) => PinKind::Signature,
        (PinRef::TextSupport, _) => PinKind::TextSupport,
        (PinRef::Common | PinRef::Juki, _) => PinKind::ResidentRegistry,
        _ => {
            return Err(crate::invalid(format!(
                "the {} is not a PIN the holder sets: only auth, sign, text, common and juki \
                 are reset at the window; nothing was sent to the card",
                pin_name(pin)
            )));
        }
    };
    let new = PinInput::from_stdin_flag(pin_stdin)
        .read_pin(kind, &format!("new {} PIN", pin_name(pin)))?;
    authority
        .reset_pin(&mut card, pin, &new, identity, OffsetDateTime::now_utc())
        .context("PIN reset")?;
    println!(
        "{} PIN reset (identity confirmed: {identity:?}); tries back at the limit",
        pin_name(pin)
    );
    Ok(())
}

pub(crate) fn pin_name(pin: PinRef) -> &'static str {
    match pin {
        PinRef::Authentication => "authentication",
        PinRef::Signature => "signature",
        PinRef::TextSupport => "text-support",
        PinRef::TextSupportA => "text-support 照合番号A",
        PinRef::TextSupportB => "text-support 照合番号B",
        PinRef::TextSupportBlocked => "text-support 0012",
        PinRef::VisualBirthDate => "visual birth-date",
        PinRef::VisualB => "visual 照合番号B",
        PinRef::VisualA => "visual 照合番号A",
        PinRef::Common => "common 001C",
        PinRef::Juki => "juki 001C",
    }
}

/// What a `--pin` value names: a key reference of today's card or a next-generation secret.
fn secret_of(pin: PinArg) -> Secret {
    let current = match pin {
        PinArg::SignPassword => return Secret::NextGen(NextGenSecret::SignPassword),
        PinArg::Pin4 => return Secret::NextGen(NextGenSecret::Pin4),
        PinArg::Puk => return Secret::NextGen(NextGenSecret::Puk),
        PinArg::Auth => PinRef::Authentication,
        PinArg::Sign => PinRef::Signature,
        PinArg::Text => PinRef::TextSupport,
        PinArg::TextA => PinRef::TextSupportA,
        PinArg::TextB => PinRef::TextSupportB,
        PinArg::TextBlocked => PinRef::TextSupportBlocked,
        PinArg::BirthDate => PinRef::VisualBirthDate,
        PinArg::VisualB => PinRef::VisualB,
        PinArg::VisualA => PinRef::VisualA,
        PinArg::Common => PinRef::Common,
        PinArg::Juki => PinRef::Juki,
    };
    Secret::Current(current)
}

/// "PIN" for what the holder sets, "key" for 照合番号A/B, the birth date and `0012`.
pub(crate) fn noun(pin: PinRef) -> &'static str {
    match pin {
        PinRef::Authentication
        | PinRef::Signature
        | PinRef::TextSupport
        | PinRef::Common
        | PinRef::Juki => "PIN",
        PinRef::TextSupportA
        | PinRef::TextSupportB
        | PinRef::TextSupportBlocked
        | PinRef::VisualBirthDate
        | PinRef::VisualB
        | PinRef::VisualA => "key",
    }
}
