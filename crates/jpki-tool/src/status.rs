//! A certificate's status at an instant, as `jpki-tool info` shows it: the validity window
//! (not yet valid, valid, renewable, expired; spec §1's renewal from three months before
//! expiry) and, when a CRL is given, revocation.

use cert::{JpkiCertificate, RevocationCheck, TrustAnchors};
use time::{Date, OffsetDateTime};

/// Where an instant falls in a certificate's validity (dates in JST).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// Before notBefore.
    NotYetValid {
        /// notBefore.
        from: OffsetDateTime,
    },
    /// An end-entity certificate, valid and not yet in its renewal window.
    Valid {
        /// Whole days until notAfter.
        days_left: i64,
        /// The first day of its renewal (更新) window.
        renewable_from: Date,
    },
    /// Valid and renewable at the municipal window from `renewable_from` (spec §1).
    Renewable {
        /// Whole days until notAfter.
        days_left: i64,
        /// The first day of its renewal window.
        renewable_from: Date,
    },
    /// A CA certificate inside its validity (a CA is not renewed at the window).
    ValidCa {
        /// Whole days until notAfter.
        days_left: i64,
    },
    /// After notAfter.
    Expired {
        /// notAfter.
        on: OffsetDateTime,
    },
}

impl Validity {
    /// Where `at` falls in `cert`'s validity.
    #[must_use]
    pub fn of(cert: &JpkiCertificate, at: OffsetDateTime) -> Self {
        if at < cert.not_before() {
            return Self::NotYetValid {
                from: cert.not_before(),
            };
        }
        if at > cert.not_after() {
            return Self::Expired {
                on: cert.not_after(),
            };
        }
        let days_left = (cert.not_after() - at).whole_days();
        if matches!(cert.kind(), cert::CertKind::Ca(_)) {
            return Self::ValidCa { days_left };
        }
        let last_day = cert::validity::jst_date(cert.not_after());
        // a notAfter at the calendar's edge has no renewal date: the window is then its last day
        let renewable_from = cert::validity::renewal_opens(last_day).unwrap_or(last_day);
        if cert::validity::jst_date(at) >= renewable_from {
            Self::Renewable {
                days_left,
                renewable_from,
            }
        } else {
            Self::Valid {
                days_left,
                renewable_from,
            }
        }
    }

    /// One word for programs: `not_yet_valid`, `valid`, `renewable`, `expired`.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::Valid { .. } | Self::ValidCa { .. } => "valid",
            Self::Renewable { .. } => "renewable",
            Self::Expired { .. } => "expired",
        }
    }
}

impl core::fmt::Display for Validity {
    /// `valid, 1234 days left (renewable from 2036-05-21)`, `expires in 80 days: renewable
    /// since 2036-05-21`, `EXPIRED on 2018-06-01`, `not yet valid (from 2027-01-01)`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotYetValid { from } => {
                write!(
                    f,
                    "not yet valid (from {})",
                    cert::validity::jst_date(*from)
                )
            }
            Self::Valid {
                days_left,
                renewable_from,
            } => write!(
                f,
                "valid, {days_left} days left (renewable from {renewable_from})"
            ),
            Self::ValidCa { days_left } => write!(f, "valid, {days_left} days left"),
            Self::Renewable {
                days_left,
                renewable_from,
            } => write!(
                f,
                "expires in {days_left} days: renewable at the municipal window since {renewable_from}"
            ),
            Self::Expired { on } => {
                write!(f, "EXPIRED on {}", cert::validity::jst_date(*on))
            }
        }
    }
}

/// What a CRL says of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revocation {
    /// No CRL was given.
    NotChecked,
    /// The issuer's CRL (signature checked) does not list it.
    NotRevoked,
    /// The issuer's CRL lists it.
    Revoked {
        /// The revocation date.
        at: OffsetDateTime,
        /// The reason code, if the CRL gives one.
        reason: Option<cert::RevocationReason>,
        /// Both in words (`certificate revoked on … (reason: …)`).
        text: String,
    },
    /// The CRL could not be applied (another CA's, a bad signature, an unknown issuer, an
    /// expired certificate…).
    Unchecked(String),
}

impl Revocation {
    /// `cert` checked with `check` (the CRLs given: the verifier picks the certificate's
    /// partition) at `at` with `anchors` (which must hold its issuer).
    #[must_use]
    pub fn of(
        cert: &JpkiCertificate,
        check: RevocationCheck<'_>,
        anchors: &TrustAnchors,
        at: OffsetDateTime,
    ) -> Self {
        if matches!(check, RevocationCheck::NotChecked) {
            return Self::NotChecked;
        }
        match anchors.verify(cert, at, check) {
            Ok(_) => Self::NotRevoked,
            Err(e @ cert::Error::Revoked { revoked_at, reason }) => Self::Revoked {
                at: revoked_at,
                reason,
                text: e.to_string(),
            },
            Err(e) => Self::Unchecked(e.to_string()),
        }
    }

    /// As JSON: `{"checked": bool, "revoked": bool, "revoked_at", "reason_code", "result"}`.
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        match self {
            Self::NotChecked => serde_json::json!({
                "checked": false, "revoked": false, "result": self.to_string()
            }),
            Self::NotRevoked => serde_json::json!({
                "checked": true, "revoked": false, "result": self.to_string()
            }),
            Self::Revoked { at, reason, .. } => serde_json::json!({
                "checked": true,
                "revoked": true,
                "revoked_at": crate::report::rfc3339(*at),
                "reason_code": reason.map(cert::RevocationReason::code),
                "result": self.to_string(),
            }),
            Self::Unchecked(_) => serde_json::json!({
                "checked": false, "revoked": false, "result": self.to_string()
            }),
        }
    }
}

impl core::fmt::Display for Revocation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotChecked => f.write_str("not checked (no CRL given)"),
            Self::NotRevoked => f.write_str("not revoked (CRL checked)"),
            Self::Revoked { text, .. } => write!(f, "REVOKED: {text}"),
            Self::Unchecked(why) => write!(f, "not checked ({why})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_walks_from_not_yet_valid_to_expired() {
        let set = test_support::fixtures::build().unwrap();
        let c = &set.my_number_auth.certificate;
        let last = cert::validity::jst_date(c.not_after());
        let opens = cert::validity::renewal_opens(last).unwrap();
        let noon = |d: Date| d.with_hms(3, 0, 0).unwrap().assume_utc(); // 12:00 JST
        assert!(matches!(
            Validity::of(c, c.not_before() - time::Duration::seconds(1)),
            Validity::NotYetValid { .. }
        ));
        assert!(matches!(
            Validity::of(c, noon(opens.previous_day().unwrap())),
            Validity::Valid { renewable_from, .. } if renewable_from == opens
        ));
        let v = Validity::of(c, noon(opens));
        assert!(matches!(v, Validity::Renewable { .. }), "{v}");
        assert!(v.to_string().contains(&format!("since {opens}")), "{v}");
        let v = Validity::of(c, c.not_after() + time::Duration::seconds(1));
        assert_eq!(v.to_string(), format!("EXPIRED on {last}"));
        // a CA has no renewal window
        let ca = set.auth_ca.certificate();
        let v = Validity::of(ca, ca.not_after() - time::Duration::days(3));
        assert_eq!(v, Validity::ValidCa { days_left: 3 });
        assert_eq!(v.to_string(), "valid, 3 days left");
    }
}
