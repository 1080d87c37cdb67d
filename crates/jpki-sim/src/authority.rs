//! `jpki-sim issue`: the municipal window (the authority directory itself is `directory.rs`).

use std::path::Path;

use anyhow::{Context as _, bail};
use card_sim::{CardProfile, MyNumber, admin::Hex};
use cert::time::{Date, Month, OffsetDateTime};
use cli_common::printable;
use issuer::{Authority, IssueRequest, RetryLimits};
use pin_policy::PinKind;

use crate::{GenderArg, HolderArgs, IssueArgs, Limits, Profile, invalid};
use cli_common::pins::PinInput;

/// How long a command waits for an authority that another `jpki-sim` has open (issuing a card
/// takes a second or two; a command queued behind a few of them waits for them).
pub(crate) const AUTHORITY_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

pub(crate) fn open_authority(dir: &Path) -> anyhow::Result<Authority> {
    if !dir.is_dir() {
        bail!(
            "the authority directory {} does not exist; create one with `jpki-sim authority init {}`",
            printable(&dir.display().to_string()),
            printable(&dir.display().to_string())
        );
    }
    let start = std::time::Instant::now();
    let mut said = false;
    loop {
        match Authority::open(dir) {
            Err(issuer::Error::AuthorityInUse { .. }) if start.elapsed() < AUTHORITY_WAIT => {
                if !said {
                    eprintln!(
                        "jpki-sim: waiting for the authority {} (another process has it open)",
                        printable(&dir.display().to_string())
                    );
                    said = true;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            opened => {
                return opened
                    .with_context(|| format!("cannot open the authority {}", dir.display()));
            }
        }
    }
}

pub(crate) fn parse_date(s: &str, what: &str) -> anyhow::Result<Date> {
    let bad = || invalid(format!("{what} {s:?} is not a date YYYY-MM-DD"));
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

pub(crate) fn holder(args: &HolderArgs) -> anyhow::Result<cert::Holder> {
    // 氏 + U+3000 + 名: an ASCII space typed on the command line becomes the ideographic one
    let name = args.name.replace(' ', "\u{3000}");
    let holder = cert::Holder {
        name: cert::CardText::plain(name),
        address: cert::CardText::plain(args.address.clone()),
        birth_date: parse_date(&args.birth, "--birth")?,
        gender: match args.gender {
            GenderArg::Male => cert::Gender::Male,
            GenderArg::Female => cert::Gender::Female,
            GenderArg::Unknown => cert::Gender::Unknown,
        },
        municipality: municipality(args)?,
    };
    let today = cert::validity::jst_date(OffsetDateTime::now_utc());
    holder.validate_on(today).map_err(|e| match e {
        cert::Error::BadHolder { field, reason } => {
            let flag = match field {
                "name" => "--name",
                "address" => "--address",
                "birth_date" => "--birth",
                "prefecture" => "--prefecture",
                "municipality code" => "--municipality-code",
                "city" => "--city",
                other => other,
            };
            invalid(format!("{flag}: {reason}"))
        }
        e => invalid(format!("holder data: {e}")),
    })?;
    Ok(holder)
}

/// The municipality from `--municipality-code`, `--city` and `--prefecture` (romaji; the
/// prefecture defaults to the code's and must agree with it).
fn municipality(args: &HolderArgs) -> anyhow::Result<cert::Municipality> {
    let flag_error = |e: cert::Error| match e {
        cert::Error::BadHolder { field, reason } => {
            let flag = match field {
                "municipality code" => "--municipality-code",
                "prefecture" => "--prefecture",
                _ => "--city",
            };
            invalid(format!("{flag}: {reason}"))
        }
        e => invalid(e.to_string()),
    };
    let mut municipality =
        cert::Municipality::new(&args.municipality_code, &args.city).map_err(flag_error)?;
    if let Some(prefecture) = &args.prefecture {
        let (romaji, kanji) = municipality.code.prefecture();
        if prefecture != romaji {
            municipality.prefecture.clone_from(prefecture);
            municipality.validate().map_err(flag_error)?;
            return Err(invalid(format!(
                "--prefecture: municipality code {} is in {romaji} ({kanji}), not {prefecture}",
                municipality.code
            )));
        }
    }
    Ok(municipality)
}

/// The issuing instant: now, or 10:00 JST of `--issued` (a past date, to simulate an
/// earlier issue such as a Juki card's).
fn issued_at(args: &IssueArgs, now: OffsetDateTime) -> anyhow::Result<OffsetDateTime> {
    let today = cert::validity::jst_date(now);
    let Some(s) = &args.issued else {
        return Ok(now);
    };
    let date = parse_date(s, "--issued")?;
    if date > today {
        return Err(invalid(format!(
            "--issued {date} is after today ({today}); a card is issued today or was issued earlier"
        )));
    }
    if date == today {
        return Ok(now);
    }
    let ten = cert::time::Time::from_hms(10, 0, 0).unwrap_or(cert::time::Time::MIDNIGHT);
    Ok(cert::time::PrimitiveDateTime::new(date, ten)
        .assume_offset(cert::validity::JST)
        .to_offset(cert::time::UtcOffset::UTC))
}

/// The card expiry: `--card-expiry`, else the latest the rules allow (spec §1: the 10th
/// birthday after issue, the 5th for a holder under 18 on the issuing date, never after the
/// period of stay); a `--card-expiry` past that latest date is refused.
fn card_expiry(
    args: &IssueArgs,
    issued: Date,
    birth: Date,
    stay_until: Option<Date>,
) -> anyhow::Result<Date> {
    let latest = cert::validity::latest_card_expiry(issued, birth)
        .map_err(|e| invalid(format!("--birth: {e}")))?;
    let under_18 = cert::validity::age_on(birth, issued)
        .map_err(|e| invalid(format!("--birth: {e}")))?
        < cert::validity::ADULT_CARD_AGE;
    let (latest, rule) = match stay_until {
        Some(stay) if stay < latest => (stay, "the end of the period of stay (--stay-until)"),
        _ if under_18 => (latest, "the 5th birthday after issue for a holder under 18"),
        _ => (latest, "the 10th birthday after issue"),
    };
    let Some(s) = &args.card_expiry else {
        return Ok(latest);
    };
    let card_expiry = parse_date(s, "--card-expiry")?;
    if card_expiry > latest {
        return Err(invalid(format!(
            "--card-expiry {card_expiry} is after {latest}, the latest allowed ({rule}); give an earlier date or leave it out"
        )));
    }
    Ok(card_expiry)
}

pub(crate) fn issue(args: &IssueArgs) -> anyhow::Result<()> {
    let holder = holder(&args.holder)?;
    let now = issued_at(args, OffsetDateTime::now_utc())?;
    let issued = cert::validity::jst_date(now);
    let stay_until = args
        .stay_until
        .as_deref()
        .map(|s| parse_date(s, "--stay-until"))
        .transpose()?;
    if let Some(stay) = stay_until
        && stay < issued
    {
        return Err(invalid(format!(
            "--stay-until {stay}: the period of stay ends before the issuing date ({issued}); a foreign resident's card ends with the period of stay, so renew the stay first"
        )));
    }
    if matches!(args.profile, Profile::Juki) && issued >= cert::validity::JUKI_ISSUANCE_ENDED {
        return Err(invalid(format!(
            "--profile juki: new Juki cards (住基カード) were issued only until 2015-12-31 (the My Number card replaced them); give --issued YYYY-MM-DD before 2016-01-01 to simulate one (issuing date now {issued})"
        )));
    }
    if matches!(args.profile, Profile::MyNumber | Profile::NextGen)
        && !args.no_sign
        && !cert::validity::may_have_signature(holder.birth_date, issued)
            .map_err(|e| invalid(format!("--birth: {e}")))?
    {
        return Err(invalid(
            "holders under 15 get no signature certificate (JPKI rule); issue with --no-sign",
        ));
    }
    let card_expiry = card_expiry(args, issued, holder.birth_date, stay_until)?;
    if card_expiry <= issued {
        return Err(invalid(format!(
            "--card-expiry {card_expiry} is not after the issuing date ({issued}); give a later date"
        )));
    }
    check_parent_dir(&args.out, "--out")?;
    let (profile, with_auth, sign_kind, with_text) = match args.profile {
        Profile::MyNumber => (
            CardProfile::MyNumber,
            !args.no_auth,
            PinKind::Signature,
            true,
        ),
        Profile::NextGen => {
            let authority = open_authority(&args.authority)?;
            return crate::next_gen::issue_next_gen(
                args,
                authority,
                holder,
                now,
                card_expiry,
                stay_until,
            );
        }
        Profile::Juki => {
            if args.my_number.is_some() {
                return Err(invalid(
                    "a Juki card has no text-support AP: drop --my-number",
                ));
            }
            (CardProfile::Juki, false, PinKind::JukiSignature, false)
        }
    };
    let my_number = match (&args.my_number, with_text) {
        (Some(s), _) => Some(MyNumber::new(s).map_err(|e| invalid(format!("--my-number: {e}")))?),
        (None, true) => return Err(invalid("a My Number card needs --my-number (12 digits)")),
        (None, false) => None,
    };
    let retry_limits = match (args.retry_limits, profile) {
        (Limits::Real, _) => RetryLimits::default(),
        (Limits::Municipal, CardProfile::MyNumber) => RetryLimits::municipal_page(),
        // the page's "3" is for the My Number signature PIN; its Juki PIN figure is 5
        (Limits::Municipal, CardProfile::Juki) => RetryLimits {
            sign: 5,
            ..RetryLimits::municipal_page()
        },
    };
    let mut authority = open_authority(&args.authority)?;
    let mut source = PinInput::from_stdin_flag(args.pin_stdin);
    let auth_pin = with_auth
        .then(|| source.read_pin(PinKind::Authentication, "authentication PIN (4 digits)"))
        .transpose()?;
    let sign_pin = (!args.no_sign)
        .then(|| source.read_pin(sign_kind, "signature PIN"))
        .transpose()?;
    let text_pin = with_text
        .then(|| source.read_pin(PinKind::TextSupport, "text-support PIN (4 digits)"))
        .transpose()?;
    let birth_date = holder.birth_date;
    let request = IssueRequest {
        profile,
        holder,
        my_number,
        auth_pin,
        sign_pin,
        text_pin,
        resident_pin: None,
        retry_limits,
        card_expiry,
        stay_until,
        issued_at: now,
    };
    let card = authority
        .issue_card(request, &args.out, &mut rand::rng())
        .with_context(|| format!("cannot issue the card {}", args.out.display()))?;
    if args.issued.is_some() {
        // the CRLs were published with the issuing date: date them today again
        authority
            .republish(OffsetDateTime::now_utc())
            .context("publishing the CRLs")?;
    }
    println!(
        "issued {} card {} (card ID {})",
        card.profile(),
        printable(&args.out.display().to_string()),
        card.card_id()
            .as_ref()
            .map_or_else(String::new, |id| Hex(id).to_string())
    );
    if let Some(code) = card.security_code() {
        // printed on the card face in real life, as are the birth date and the expiry that
        // make 照合番号B with it: the holder (and a test script) needs them
        println!("security code printed on the card face: {code}");
        let number_b = issuer::card_face::number_b(birth_date, card_expiry.year(), code)
            .context("照合番号B")?;
        println!(
            "照合番号B (birth date in era YYMMDD, expiry year, security code): {}",
            *number_b
        );
    }
    Ok(())
}

/// A file the user named in a directory that does not exist: say so, naming the directory,
/// before the card library reports its lock file.
pub(crate) fn check_parent_dir(path: &Path, what: &str) -> anyhow::Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent
        && !dir.is_dir()
    {
        bail!(
            "cannot write {what} {}: the directory {} does not exist; create it first",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}
