//! How a revocation reads: RFC 5280 reason codes and their names, and the date as people
//! read it. A leaf, so that [`Error`](crate::Error) can name a revocation without a circle
//! through the CRL reader.

use time::OffsetDateTime;

/// RFC 5280 CRLReason codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RevocationReason {
    /// 0.
    Unspecified,
    /// 1: the key was compromised.
    KeyCompromise,
    /// 2.
    CaCompromise,
    /// 3: e.g. a change of the 4 facts (signature certificates).
    AffiliationChanged,
    /// 4: replaced by a new certificate.
    Superseded,
    /// 5: e.g. death, emigration, card returned.
    CessationOfOperation,
    /// 6.
    CertificateHold,
    /// 8.
    RemoveFromCrl,
    /// 9.
    PrivilegeWithdrawn,
    /// 10.
    AaCompromise,
}

impl RevocationReason {
    /// The ENUMERATED value.
    pub fn code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::CaCompromise => 2,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::CertificateHold => 6,
            Self::RemoveFromCrl => 8,
            Self::PrivilegeWithdrawn => 9,
            Self::AaCompromise => 10,
        }
    }

    /// Its RFC 5280 §5.3.1 name (`keyCompromise`, `cessationOfOperation`…), as the CPS and
    /// the CLIs write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::CaCompromise => "cACompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::CertificateHold => "certificateHold",
            Self::RemoveFromCrl => "removeFromCRL",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
            Self::AaCompromise => "aACompromise",
        }
    }

    /// From the ENUMERATED value.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            _ => return None,
        })
    }
}

/// A revocation date as people read it: `2026-11-27 16:13:13 UTC`.
pub(crate) fn utc_text(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A reason code as people read it (RFC 5280 §5.3.1 names).
pub(crate) fn reason_text(reason: Option<RevocationReason>) -> &'static str {
    match reason {
        None => "not given",
        Some(RevocationReason::AffiliationChanged) => "affiliationChanged (the 4 facts changed)",
        Some(r) => r.name(),
    }
}
