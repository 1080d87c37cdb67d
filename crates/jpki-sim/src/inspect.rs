//! `jpki-sim inspect`: a copy of a card file, shown (works while the card is served).

use std::path::Path;

use anyhow::{Context as _, bail};
use card_sim::{CardProfile, KeyRole, PinRef, SimCard, admin::Hex};
use cert::time::OffsetDateTime;
use cli_common::printable;

use crate::admin::{noun, pin_name};

pub(crate) fn inspect(path: &Path, json: bool, authority: Option<&Path>) -> anyhow::Result<()> {
    // A copy: inspecting works while the card is served, and never writes the file.
    if !path.exists() {
        bail!("the card file {} does not exist", path.display());
    }
    let mut card = SimCard::open_snapshot(path).context("cannot open the card")?;
    let status = CertStatus::read(&card, authority)?;
    let common = common_record(&mut card);
    if json {
        println!(
            "{}",
            cli_common::json(&inspect_json(path, &card, common.as_ref(), &status))
        );
        return Ok(());
    }
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("card file: {}", path.display()));
    line(format!("profile: {}", card.profile()));
    match card.administration() {
        Some(admin) => {
            line(format!("card ID: {}", Hex(&admin.card_id)));
            line(format!("card expiry: {}", admin.card_expiry));
        }
        None => line("card ID: none (not issued by an authority; no administrative unlock)".into()),
    }
    line(format!(
        "state: {}{}",
        card.state(),
        if card.is_terminated() {
            "; every command answers 6A82"
        } else {
            ""
        }
    ));
    if card.is_next_gen() {
        crate::next_gen::inspect_lines(&card, &mut line);
    }
    let history = card.history();
    if let Some(at) = history.last_renewal {
        line(format!("last renewal: {}", jst(at)));
    }
    if let Some(at) = history.last_pin_reset {
        line(format!("last PIN reset at the window: {}", jst(at)));
    }
    for (role, pin) in [
        (KeyRole::Authentication, PinRef::Authentication),
        (KeyRole::Signature, PinRef::Signature),
    ] {
        match card.certificate(role) {
            None => line(format!("{role} certificate: none")),
            Some(der) => match cert::JpkiCertificate::from_der(der) {
                Ok(c) => line(format!(
                    "{role} certificate: serial {}, valid {} to {}{}{}",
                    c.serial(),
                    jst(c.not_before()),
                    jst(c.not_after()),
                    renewable_from(&c)
                        .map(|d| format!(", renewable from {d}"))
                        .unwrap_or_default(),
                    status.text(role)
                )),
                Err(e) => line(format!(
                    "{role} certificate: {} bytes, not a JPKI certificate ({e})",
                    der.len()
                )),
            },
        }
        if let Some(counter) = card.pin_counter(pin) {
            line(pin_line(pin, counter));
        }
    }
    if let Some(counter) = card.pin_counter(PinRef::TextSupport) {
        line("text-support AP: present".into());
        line(pin_line(PinRef::TextSupport, counter));
    } else if !card.is_terminated()
        && !card.is_next_gen()
        && card.profile() == CardProfile::MyNumber
    {
        // (a next-generation card has no 入力補助AP: its two applications are listed with it)
        line("text-support AP: none".into());
    }
    // the key references after the JPKI and text-support PINs, in card order
    for pin in PinRef::ALL.into_iter().filter(|p| {
        !matches!(
            p,
            PinRef::Authentication | PinRef::Signature | PinRef::TextSupport
        )
    }) {
        if let Some(counter) = card.pin_counter(pin) {
            line(pin_line(pin, counter));
        }
    }
    if !card.is_terminated() && card.profile() == CardProfile::MyNumber {
        line(format!(
            "visual AP (券面事項確認AP): {}",
            present(card.pin_counter(PinRef::VisualA).is_some())
        ));
    }
    match &common {
        Some(c) => line(format!(
            "common AP (共通カードAP): serial {}, municipality {}, expiry {}",
            c.serial, c.municipality, c.expiry
        )),
        None if !card.is_terminated() => line("common AP (共通カードAP): none".into()),
        None => {}
    }
    // certificate serials and error texts come from the card file: nothing raw reaches the
    // terminal
    for l in out.lines() {
        println!("{}", printable(l));
    }
    Ok(())
}

/// The card as one JSON object: the same facts as the text form.
fn inspect_json(
    path: &Path,
    card: &SimCard,
    common: Option<&CommonRecord>,
    status: &CertStatus,
) -> serde_json::Value {
    let pin = |pin: PinRef| {
        card.pin_counter(pin).map(|c| {
            serde_json::json!({
                "tries_left": c.tries_left(),
                "limit": c.limit(),
                "blocked": c.is_blocked(),
            })
        })
    };
    let certificate = |role: KeyRole| {
        card.certificate(role)
            .map(|der| match cert::JpkiCertificate::from_der(der) {
                Ok(c) => serde_json::json!({
                    "serial": c.serial().to_string(),
                    "not_before": jst(c.not_before()),
                    "not_after": jst(c.not_after()),
                    "renewable_from": renewable_from(&c).map(|d| d.to_string()),
                    "revocation": status.json(role),
                }),
                Err(e) => serde_json::json!({ "bytes": der.len(), "error": e.to_string() }),
            })
    };
    serde_json::json!({
        "card_file": path.display().to_string(),
        "profile": card.profile().to_string(),
        "card_id": card.administration().map(|a| Hex(&a.card_id).to_string()),
        "card_expiry": card.administration().map(|a| a.card_expiry.to_string()),
        "terminated": card.is_terminated(),
        "state": card.state().to_string(),
        "last_renewal": card.history().last_renewal.map(jst),
        "last_pin_reset": card.history().last_pin_reset.map(jst),
        "authentication_certificate": certificate(KeyRole::Authentication),
        "signature_certificate": certificate(KeyRole::Signature),
        "pins": {
            "authentication": pin(PinRef::Authentication),
            "signature": pin(PinRef::Signature),
            "text_support": pin(PinRef::TextSupport),
            "text_support_a": pin(PinRef::TextSupportA),
            "text_support_b": pin(PinRef::TextSupportB),
            "text_support_0012": pin(PinRef::TextSupportBlocked),
            "visual_birth_date": pin(PinRef::VisualBirthDate),
            "visual_b": pin(PinRef::VisualB),
            "visual_a": pin(PinRef::VisualA),
            "common": pin(PinRef::Common),
            "juki": pin(PinRef::Juki),
        },
        "text_support": card.has_text_support(),
        "text_support_records": card.pin_counter(PinRef::TextSupportA).is_some(),
        "visual": card.pin_counter(PinRef::VisualA).is_some(),
        "common": common.map(|c| serde_json::json!({
            "serial": c.serial,
            "municipality": c.municipality,
            "expiry": c.expiry,
        })),
    })
}

/// An instant as JPKI states validity: Japan Standard Time.
pub(crate) fn jst(t: OffsetDateTime) -> String {
    let t = t.to_offset(cert::validity::JST);
    format!(
        "{} {:02}:{:02}:{:02} JST",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub(crate) fn pin_line(pin: PinRef, counter: pin_policy::RetryCounter) -> String {
    format!(
        "{} {}: {} of {} tries left{}",
        pin_name(pin),
        noun(pin),
        counter.tries_left(),
        counter.limit(),
        if pin == PinRef::TextSupportBlocked {
            " (blocked as issued; never unlocked)"
        } else if counter.is_blocked() {
            " (BLOCKED: only the issuing municipality can unlock it)"
        } else {
            ""
        }
    )
}

fn present(yes: bool) -> &'static str {
    if yes { "present" } else { "none" }
}

/// 共通カードAP `0001` record 1 (card-map §6): public, free to read.
struct CommonRecord {
    serial: String,
    municipality: String,
    expiry: String,
}

/// Reads the 共通カードAP record the way a terminal does (SELECT, READ RECORD `00 B2 01 0C`),
/// on the in-memory copy; `None` without the application or for a record that is not
/// `01 1C` + 28 ASCII digits.
fn common_record(card: &mut SimCard) -> Option<CommonRecord> {
    const SELECT_COMMON: [u8; 15] = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00,
    ];
    const READ_RECORD_1: [u8; 5] = [0x00, 0xB2, 0x01, 0x0C, 0x00];
    if card.is_terminated() || card.process(&SELECT_COMMON) != [0x90, 0x00] {
        return None;
    }
    let answer = card.process(&READ_RECORD_1);
    let digits = match answer.as_slice() {
        [0x01, 0x1C, rest @ ..] => rest.strip_suffix(&[0x90, 0x00])?,
        _ => return None,
    };
    if digits.len() != 28 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let text = std::str::from_utf8(digits).ok()?;
    let (serial, rest) = text.split_at_checked(15)?;
    let (municipality, expiry) = rest.split_at_checked(5)?;
    let (y, md) = expiry.split_at_checked(4)?;
    let (m, d) = md.split_at_checked(2)?;
    Some(CommonRecord {
        serial: serial.to_owned(),
        municipality: municipality.to_owned(),
        expiry: format!("{y}-{m}-{d}"),
    })
}

/// The first day a certificate may be renewed (its last day's [`cert::validity::renewal_opens`]).
pub(crate) fn renewable_from(certificate: &cert::JpkiCertificate) -> Option<cert::time::Date> {
    cert::validity::renewal_opens(cert::validity::jst_date(certificate.not_after())).ok()
}

/// Each certificate's revocation status on the card, as the authority's published CRLs say
/// (`None`: no authority given).
pub(crate) struct CertStatus {
    statuses: Option<[Option<Option<cert::Revocation>>; 2]>,
}

impl CertStatus {
    /// Reads the CRL of each certificate on `card` from `authority`'s directory.
    pub(crate) fn read(
        card: &card_sim::SimCard,
        authority: Option<&std::path::Path>,
    ) -> anyhow::Result<Self> {
        let Some(dir) = authority else {
            return Ok(Self { statuses: None });
        };
        let authority = crate::authority::open_authority(dir)?;
        let mut statuses = [None, None];
        for (slot, role) in statuses
            .iter_mut()
            .zip([KeyRole::Authentication, KeyRole::Signature])
        {
            let Some(der) = card.certificate(role) else {
                continue;
            };
            let Ok(certificate) = cert::JpkiCertificate::from_der(der) else {
                continue;
            };
            *slot = Some(revocation(&authority, &certificate)?);
        }
        Ok(Self {
            statuses: Some(statuses),
        })
    }

    fn get(&self, role: KeyRole) -> Option<Option<cert::Revocation>> {
        let [auth, sign] = self.statuses.as_ref()?;
        match role {
            KeyRole::Authentication => *auth,
            KeyRole::Signature => *sign,
        }
    }

    /// `, not revoked` / `, REVOKED (reason) on …`, empty without an authority.
    pub(crate) fn text(&self, role: KeyRole) -> String {
        match self.get(role) {
            None => String::new(),
            Some(None) => ", not revoked (authority CRL)".into(),
            Some(Some(r)) => format!(
                ", REVOKED ({}) on {}",
                reason_name(r.reason),
                jst(r.revoked_at)
            ),
        }
    }

    /// `"not revoked"` / `{"reason", "revoked_at"}`, null without an authority.
    pub(crate) fn json(&self, role: KeyRole) -> serde_json::Value {
        match self.get(role) {
            None => serde_json::Value::Null,
            Some(None) => serde_json::json!("not revoked"),
            Some(Some(r)) => serde_json::json!({
                "reason": reason_name(r.reason),
                "revoked_at": jst(r.revoked_at),
            }),
        }
    }
}

fn reason_name(reason: Option<cert::RevocationReason>) -> &'static str {
    reason.map_or("no reason code", cert::RevocationReason::name)
}

/// The one place the published revocation status of a certificate is read: the CRL the
/// authority publishes for the certificate's partition (its municipality), its signature and
/// its scope checked.
fn revocation(
    authority: &issuer::Authority,
    certificate: &cert::JpkiCertificate,
) -> anyhow::Result<Option<cert::Revocation>> {
    let path = authority.crl_path_for(certificate)?;
    let der = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let crl = cert::Crl::from_der(&der).with_context(|| format!("{} is no CRL", path.display()))?;
    crl.verify_signed_by(authority.ca(certificate.hierarchy()).certificate())
        .with_context(|| format!("{} is not signed by the authority's CA", path.display()))?;
    crl.covers(certificate)
        .with_context(|| format!("{} is not the certificate's partition", path.display()))?;
    Ok(crl.lookup(certificate.serial()))
}
