//! How a certificate is shown to a person (text) or a program (JSON).
//!
//! A certificate from elsewhere can carry anything in its names: every string taken from it
//! is passed through [`cli_common::printable`] (text) or [`quote`] (JSON), so no control
//! character or bidirectional override reaches the terminal.

use std::fmt::Write as _;

use cert::{CertKind, Environment, Gender, JpkiCertificate};
use cli_common::printable;
use time::OffsetDateTime;

/// Japan Standard Time, in which JPKI validity is stated (notAfter is 23:59:59 JST).
fn jst(t: OffsetDateTime) -> String {
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

/// A JSON object with the same fields.
#[must_use]
pub fn json(cert: &JpkiCertificate, now: OffsetDateTime) -> String {
    let mut fields: Vec<(&str, String)> = vec![
        ("kind", quote(kind_label(cert.kind()))),
        (
            "test_card",
            (cert.environment() == Environment::Test).to_string(),
        ),
        ("subject", quote(&cert.subject().to_string())),
        ("issuer", quote(&cert.issuer().to_string())),
        ("serial", quote(&cert.serial().to_string())),
        ("not_before", quote(&rfc3339(cert.not_before()))),
        ("not_after", quote(&rfc3339(cert.not_after()))),
        ("days_left", days_left(cert, now).to_string()),
        (
            "sha256",
            quote(&hex::encode_upper(cert.fingerprint_sha256())),
        ),
    ];
    if let Some(f) = cert.four_facts() {
        let facts = format!(
            "{{\"name\":{},\"birth_date\":{},\"era_digit\":{},\"gender\":{},\"address\":{}}}",
            quote(&f.name.text()),
            quote(&f.birth_date.to_string()),
            quote(&f.era.digit().to_string()),
            quote(&f.gender.code().to_string()),
            quote(&f.address.text())
        );
        fields.push(("four_facts", facts));
    }
    let body: Vec<String> = fields
        .into_iter()
        .map(|(k, v)| format!("{}:{v}", quote(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// What a verification learned about revocation, as a JSON object: `checked`, `result` (the
/// same words as the text report, e.g. `not checked (no CRL given)`) and, when a CRL was
/// used, its `crl_this_update`, `crl_next_update` and `crl_entries`.
#[must_use]
pub fn revocation_json(status: cert::RevocationStatus) -> String {
    let result = quote(&status.to_string());
    match status {
        cert::RevocationStatus::NotRevoked {
            crl_this_update,
            crl_next_update,
            crl_entries,
        } => format!(
            "{{\"checked\":true,\"result\":{result},\"crl_this_update\":{},\"crl_next_update\":{},\"crl_entries\":{crl_entries}}}",
            quote(&rfc3339(crl_this_update)),
            crl_next_update.map_or_else(|| "null".to_owned(), |t| quote(&rfc3339(t)))
        ),
        _ => format!("{{\"checked\":false,\"result\":{result}}}"),
    }
}

/// RFC 3339 in UTC.
#[must_use]
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A JSON string literal. Beyond what JSON requires (`"`, `\\`, U+0000–001F), DEL, the C1
/// controls and the bidirectional and line-separator characters of
/// [`cert::text::is_unsafe_char`] are written as `\uXXXX` too: a program that prints a
/// decoded field stays as safe as our text output.
#[must_use]
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if cert::text::is_unsafe_char(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_what_json_requires() {
        assert_eq!(quote("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
        assert_eq!(quote("番号　花子"), "\"番号　花子\"");
        assert_eq!(
            quote("\u{1b}[2J\u{7}\u{7f}\u{85}\u{202e}\u{2066}"),
            "\"\\u001b[2J\\u0007\\u007f\\u0085\\u202e\\u2066\""
        );
    }
}
