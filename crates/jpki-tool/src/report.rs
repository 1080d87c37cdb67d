//! How a certificate is shown to a person (text) or a program (JSON).
//!
//! A certificate from elsewhere can carry anything in its names: every string taken from it
//! is passed through [`cli_common::printable`] (text) or [`cli_common::json`] (JSON), so no control
//! character or bidirectional override reaches the terminal.

use std::fmt::Write as _;

use cert::{CertKind, Environment, Gender, JpkiCertificate};
use cli_common::printable;
use time::OffsetDateTime;

/// Japan Standard Time, in which JPKI validity is stated (notAfter is 23:59:59 JST):
/// `2036-08-20 23:59:59 JST`.
#[must_use]
pub fn jst(t: OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(9, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t = t.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} JST",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn kind_label(kind: CertKind) -> &'static str {
    match kind {
        CertKind::Authentication => "authentication (利用者証明用)",
        CertKind::Signature => "signature (署名用)",
        CertKind::Ca(cert::Hierarchy::Signature) => "signature CA (署名用認証局)",
        CertKind::Ca(cert::Hierarchy::Authentication) => "authentication CA (利用者証明用認証局)",
    }
}

fn gender_label(g: Gender) -> &'static str {
    match g {
        Gender::Male => "male (男)",
        Gender::Female => "female (女)",
        Gender::Unknown => "unknown",
    }
}

/// Whole days from `now` until `not_after` (negative when expired).
#[must_use]
pub fn days_left(cert: &JpkiCertificate, now: OffsetDateTime) -> i64 {
    (cert.not_after() - now).whole_days()
}

/// A multi-line description: kind, subject, issuer, serial, validity with days left, and for
/// signature certificates the 4 facts.
#[must_use]
pub fn text(cert: &JpkiCertificate, now: OffsetDateTime) -> String {
    let mut s = String::new();
    let env = match cert.environment() {
        Environment::Production => "",
        Environment::Test => "  [JPKI-TEST: a test card, not valid for real use]",
    };
    let _ = writeln!(s, "kind:        {}{env}", kind_label(cert.kind()));
    let _ = writeln!(s, "subject:     {}", printable(&cert.subject().to_string()));
    let _ = writeln!(s, "issuer:      {}", printable(&cert.issuer().to_string()));
    let _ = writeln!(s, "serial:      {}", cert.serial());
    let _ = writeln!(s, "valid from:  {}", jst(cert.not_before()));
    let days = days_left(cert, now);
    let state = if now < cert.not_before() {
        "not yet valid".to_owned()
    } else if days < 0 || now > cert.not_after() {
        format!("EXPIRED {} days ago", -days)
    } else {
        format!("{days} days left")
    };
    let _ = writeln!(s, "valid until: {} ({state})", jst(cert.not_after()));
    if let Some(f) = cert.four_facts() {
        let _ = writeln!(s, "name:        {}", printable(&f.name.text()));
        let _ = writeln!(
            s,
            "birth date:  {} (era digit {})",
            f.birth_date,
            f.era.digit()
        );
        let _ = writeln!(s, "gender:      {}", gender_label(f.gender));
        let _ = writeln!(s, "address:     {}", printable(&f.address.text()));
    }
    let fp: Vec<String> = cert
        .fingerprint_sha256()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let _ = writeln!(s, "SHA-256:     {}", fp.join(":"));
    s
}

/// The same fields as a JSON value (`cert show --json`, and inside the verification reports).
#[must_use]
pub fn json_value(cert: &JpkiCertificate, now: OffsetDateTime) -> serde_json::Value {
    let mut v = serde_json::json!({
        "kind": kind_label(cert.kind()),
        "test_card": cert.environment() == Environment::Test,
        "subject": cert.subject().to_string(),
        "issuer": cert.issuer().to_string(),
        "serial": cert.serial().to_string(),
        "not_before": rfc3339(cert.not_before()),
        "not_after": rfc3339(cert.not_after()),
        "days_left": days_left(cert, now),
        "sha256": hex::encode_upper(cert.fingerprint_sha256()),
    });
    if let (Some(f), Some(object)) = (cert.four_facts(), v.as_object_mut()) {
        object.insert(
            "four_facts".into(),
            serde_json::json!({
                "name": f.name.text(),
                "birth_date": f.birth_date.to_string(),
                "era_digit": f.era.digit().to_string(),
                "gender": f.gender.code().to_string(),
                "address": f.address.text(),
            }),
        );
    }
    v
}

/// [`json_value`] as one line of JSON (see [`cli_common::json`]).
#[must_use]
pub fn json(cert: &JpkiCertificate, now: OffsetDateTime) -> String {
    cli_common::json(&json_value(cert, now))
}

/// What a verification learned about revocation, as a JSON object: `checked`, `result` (the
/// same words as the text report, e.g. `not checked (no CRL given)`) and, when a CRL was
/// used, its `crl_this_update`, `crl_next_update` and `crl_entries`.
#[must_use]
pub fn revocation_json(status: cert::RevocationStatus) -> serde_json::Value {
    let result = status.to_string();
    match status {
        cert::RevocationStatus::NotRevoked {
            crl_this_update,
            crl_next_update,
            crl_entries,
        } => serde_json::json!({
            "checked": true,
            "result": result,
            "crl_this_update": rfc3339(crl_this_update),
            "crl_next_update": crl_next_update.map(rfc3339),
            "crl_entries": crl_entries,
        }),
        _ => serde_json::json!({ "checked": false, "result": result }),
    }
}

/// RFC 3339 in UTC.
#[must_use]
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_json_is_json() {
        let set = test_support::fixtures::build().unwrap();
        let c = &set.my_number_sign.certificate;
        let v: serde_json::Value =
            serde_json::from_str(&json(c, test_support::fixtures::REFERENCE_TIME)).unwrap();
        assert_eq!(v["kind"], "signature (署名用)");
        assert_eq!(v["serial"], c.serial().to_string());
        assert!(v["four_facts"]["name"].is_string());
    }
}
