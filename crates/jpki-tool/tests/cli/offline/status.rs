//! `jpki-tool info` states each certificate's status at `--at`: valid with the day its
//! renewal window opens, renewable, expired, not yet valid, and revoked (reason, date) when the
//! issuer's CRL is given. The card is issued here, by an authority of the test's own.

use std::path::PathBuf;
use std::process::Output;

use card_sim::{CardProfile, KeyRole, MyNumber};
use cert::{Hierarchy, JpkiCertificate, RevocationReason};
use issuer::{Authority, IssueRequest, RetryLimits};
use pin_policy::{Pin, PinKind};
use test_support::sample::{AUTH_PIN, SIGN_PIN, TEXT_PIN};
use time::macros::{date, datetime};

use crate::common::{self, Scratch};

/// A My Number card issued 2026-04-01 to the fixture holder (born 1985-08-20): its
/// certificates end on the 5th birthday after issue, 2030-08-20, renewable from 2030-05-21.
struct Issued {
    authority: Authority,
    card: PathBuf,
    auth: JpkiCertificate,
}

fn issue(dir: &Scratch) -> Issued {
    let at = datetime!(2026-04-01 01:00 UTC);
    let mut authority = Authority::create(
        &dir.path("authority"),
        at,
        &mut test_support::keys::seeded_rng(90),
    )
    .unwrap();
    let pin = |kind, s: &str| Pin::new(kind, s.as_bytes()).unwrap();
    let request = IssueRequest {
        profile: CardProfile::MyNumber,
        holder: test_support::fixtures::holder(),
        my_number: Some(MyNumber::new("123456789018").unwrap()),
        auth_pin: Some(pin(PinKind::Authentication, AUTH_PIN)),
        sign_pin: Some(pin(PinKind::Signature, SIGN_PIN)),
        text_pin: Some(pin(PinKind::TextSupport, TEXT_PIN)),
        resident_pin: None,
        retry_limits: RetryLimits::default(),
        card_expiry: date!(2035 - 08 - 20),
        stay_until: None,
        issued_at: at,
    };
    let card = dir.path("card.jpkicard");
    let sim = authority
        .issue_card(request, &card, &mut test_support::keys::seeded_rng(91))
        .unwrap();
    let auth =
        JpkiCertificate::from_der(sim.certificate(KeyRole::Authentication).unwrap()).unwrap();
    Issued {
        authority,
        card,
        auth,
    }
}

/// `jpki-tool --card CARD info --at AT --ca (both CAs) extra…`, succeeded; its output.
fn info(issued: &Issued, at: &str, extra: &[&str], stdin: &str) -> String {
    let cas: Vec<String> = [Hierarchy::Authentication, Hierarchy::Signature]
        .iter()
        .map(|h| issued.authority.ca_path(*h).display().to_string())
        .collect();
    let mut args = vec!["info", "--at", at, "--ca", &cas[0], "--ca", &cas[1]];
    args.extend(extra);
    let out: Output = common::tool_with(&issued.card, &[], &args, stdin);
    crate::ok(&out)
}

/// The `status:` (and `revocation:`) lines under `label:` in `info`'s text.
fn block<'a>(out: &'a str, label: &str) -> Vec<&'a str> {
    let mut lines = out.lines().skip_while(|l| !l.starts_with(label));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no {label} in {out}"));
    std::iter::once(first)
        .chain(lines.take_while(|l| l.starts_with("             ")))
        .collect()
}

#[test]
fn info_states_validity_renewal_expiry_and_revocation() {
    let dir = Scratch::new("info-status");
    let mut issued = issue(&dir);

    let out = info(&issued, "2026-04-02T09:00:00+09:00", &[], "");
    let auth = block(&out, "auth cert:");
    assert!(
        auth[0].starts_with(&format!(
            "auth cert:   present, serial {}, until 2030-08-20 23:59:59 JST",
            issued.auth.serial()
        )),
        "{out}"
    );
    assert!(
        auth.contains(&"             status: valid, 1601 days left (renewable from 2030-05-21)"),
        "{out}"
    );
    assert!(
        auth.contains(&"             revocation: not checked (no CRL given)"),
        "{out}"
    );
    assert!(
        out.contains("sign cert:   present (reading it needs the signature PIN: add --with-sign)"),
        "{out}"
    );
    assert!(
        block(&out, "auth CA:")[2].contains("status: valid"),
        "{out}"
    );

    // in the renewal window (更新: from the day after three months before expiry)
    let out = info(
        &issued,
        "2030-05-21T00:00:00+09:00",
        &["--with-sign"],
        &format!("{SIGN_PIN}\n"),
    );
    for label in ["auth cert:", "sign cert:"] {
        assert!(
            block(&out, label).contains(&"             status: expires in 91 days: renewable at the municipal window since 2030-05-21"),
            "{out}"
        );
    }
    let before = info(&issued, "2030-05-20T23:59:59+09:00", &["--json"], "");
    let v: serde_json::Value = serde_json::from_str(&before).unwrap();
    assert_eq!(v["certificates"]["auth"]["status"], "valid", "{v}");
    assert_eq!(
        v["certificates"]["auth"]["renewable_from"], "2030-05-21",
        "{v}"
    );
    assert_eq!(v["certificates"]["sign"]["read"], false, "{v}");

    // expired the day after its last day, not yet valid before issue
    let out = info(&issued, "2030-08-21T00:00:00+09:00", &[], "");
    assert!(
        block(&out, "auth cert:").contains(&"             status: EXPIRED on 2030-08-20"),
        "{out}"
    );
    let out = info(&issued, "2026-03-31T00:00:00+09:00", &["--json"], "");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["certificates"]["auth"]["status"], "not_yet_valid", "{v}");

    // revoked (a lost card), with the issuer's CRL
    let auth = issued.auth.clone();
    issued
        .authority
        .revoke(
            &auth,
            RevocationReason::KeyCompromise,
            datetime!(2026-05-01 03:00 UTC),
        )
        .unwrap();
    // the whole crl/ directory: the verifier picks the certificate's partition
    let crl = issued.authority.crl_dir();
    let crl = crl.to_str().unwrap();
    let out = info(&issued, "2026-05-01T18:00:00+09:00", &["--crl", crl], "");
    let lines = block(&out, "auth cert:");
    assert!(
        lines.iter().any(|l| l
            .starts_with("             revocation: REVOKED: certificate revoked on 2026-05-01")
            && l.contains("keyCompromise")),
        "{out}"
    );
    let out = info(
        &issued,
        "2026-05-01T18:00:00+09:00",
        &["--crl", crl, "--json"],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v["certificates"]["auth"]["revocation"];
    assert_eq!(r["revoked"], true, "{v}");
    assert_eq!(r["reason_code"], 1, "{v}");
    assert_eq!(r["revoked_at"], "2026-05-01T03:00:00Z", "{v}");
    // the CAs carry no revocation line
    assert_eq!(
        v["certificates"]["auth_ca"]["revocation"],
        serde_json::Value::Null,
        "{v}"
    );

    // a card terminated after a fault has no JPKI application left
    let mut sim = card_sim::SimCard::open(&issued.card).unwrap();
    issued
        .authority
        .fault(&mut sim, datetime!(2026-06-01 01:00 UTC))
        .unwrap();
    drop(sim);
    let out = info(&issued, "2026-06-01T18:00:00+09:00", &[], "");
    assert!(out.starts_with("card:        no JPKI application"), "{out}");
    let out = info(&issued, "2026-06-01T18:00:00+09:00", &["--json"], "");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["jpki_application"], false, "{v}");
}
