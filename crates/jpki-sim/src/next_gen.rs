//! `jpki-sim issue --profile next-gen`: a next-generation card (NG-sim v1,
//! shared/next-gen-profile.md) from the same authority as today's cards, and what `inspect`
//! says of one.

use anyhow::Context as _;
use card_sim::{MyNumber, NextGenRetryLimits, NextGenSecret, SimCard};
use cert::time::{Date, OffsetDateTime};
use cli_common::pins::PinInput;
use cli_common::printable;
use issuer::{Authority, NextGenIssueRequest};
use pin_policy::PinKind;

use crate::{IssueArgs, invalid};

/// Issues the card `args` describe with `authority` (opened by the caller); the rules shared
/// with today's cards (dates, age, stay) were checked by the caller.
pub(crate) fn issue_next_gen(
    args: &IssueArgs,
    mut authority: Authority,
    holder: cert::Holder,
    now: OffsetDateTime,
    card_expiry: Date,
    stay_until: Option<Date>,
) -> anyhow::Result<()> {
    let Some(number) = &args.my_number else {
        return Err(invalid(
            "a next-generation card needs --my-number (12 digits): its 認証AP holds it",
        ));
    };
    let my_number = MyNumber::new(number).map_err(|e| invalid(format!("--my-number: {e}")))?;
    if args.no_auth && args.no_sign {
        return Err(invalid(
            "--no-auth and --no-sign together leave the card without a key; drop one",
        ));
    }
    let mut source = PinInput::from_stdin_flag(args.pin_stdin);
    // both secrets exist on every next-generation card (P7): the 4-digit PIN, then the
    // signing password, in the order today's cards ask for the authentication and signature PINs
    let pin4 = source.read_pin(PinKind::Authentication, "4-digit PIN (暗証番号)")?;
    let sign_password = source.read_pin(
        PinKind::Signature,
        "signing password (署名用パスワード, 6-16 A-Z/0-9)",
    )?;
    let request = NextGenIssueRequest {
        holder,
        my_number,
        with_authentication: !args.no_auth,
        with_signature: !args.no_sign,
        sign_password,
        pin4,
        // NG-sim v1's limits (5/3/3); --retry-limits names today's card's figures
        retry_limits: NextGenRetryLimits::default(),
        card_expiry,
        stay_until,
        issued_at: now,
    };
    let card = authority
        .issue_next_gen_card(request, &args.out, &mut rand::rng())
        .with_context(|| format!("cannot issue the card {}", args.out.display()))?;
    if args.issued.is_some() {
        authority
            .republish(OffsetDateTime::now_utc())
            .context("publishing the CRLs")?;
    }
    println!(
        "issued next-generation (NG-sim v1, ECDSA P-384) card {}",
        printable(&args.out.display().to_string())
    );
    if let Some(admin) = card.administration() {
        println!("card ID: {}", card_sim::admin::Hex(&admin.card_id));
    }
    println!(
        "anchors: {} and {} (P-384, same names as today's CAs); card-authentication CA {}",
        printable(
            &authority
                .ca_path_of(
                    cert::Hierarchy::Authentication,
                    cert::keys::Algorithm::EcdsaP384
                )
                .display()
                .to_string()
        ),
        printable(
            &authority
                .ca_path_of(cert::Hierarchy::Signature, cert::keys::Algorithm::EcdsaP384)
                .display()
                .to_string()
        ),
        printable(&authority.card_auth_ca_path().display().to_string())
    );
    Ok(())
}

/// `inspect`'s lines for a next-generation card: the generation, its three secrets and the
/// differences between the simulated card and the profile.
pub(crate) fn inspect_lines(card: &SimCard, line: &mut dyn FnMut(String)) {
    line("generation: next (NG-sim v1: ECDSA P-384 / SHA-384, 認証AP + 券面等AP)".into());
    for secret in NextGenSecret::ALL {
        let name = secret_name(secret);
        match card.next_gen_counter(secret) {
            Some(c) => line(format!(
                "{name}: {} of {} tries left{}",
                c.tries_left(),
                c.limit(),
                if c.is_blocked() { ", BLOCKED" } else { "" }
            )),
            None => line(format!("{name}: not set")),
        }
    }
    for d in card_sim::NEXT_GEN_DIFFERENCES {
        line(format!("differs from the profile: {d}"));
    }
}

/// A next-generation secret's name with its reference, as `inspect` and `admin` print it.
pub(crate) fn secret_name(secret: NextGenSecret) -> &'static str {
    match secret {
        NextGenSecret::SignPassword => "signing password (81)",
        NextGenSecret::Pin4 => "4-digit PIN (82)",
        NextGenSecret::Puk => "PUK (83)",
    }
}
