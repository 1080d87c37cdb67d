//! What the verifying commands share: the instant to check at, the CRL, the revocation check.

use anyhow::Result;
use cli_common::{InvalidInput, printable};
use jpki_tool::anchors;
use time::OffsetDateTime;

use crate::cli::Trust;
use crate::exit::Exit;

pub(crate) fn parse_at(at: Option<&str>) -> Result<OffsetDateTime> {
    match at {
        None => Ok(OffsetDateTime::now_utc()),
        Some(s) => OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                InvalidInput(format!(
                    "--at {}: not an RFC 3339 time (e.g. 2026-04-01T09:00:00+09:00)",
                    printable(s)
                ))
                .into()
            }),
    }
}

/// The CRL the options name, loaded; or `None` when none is given and `required` (the reason
/// it is needed, with what to do) is `None`. Checked before any other work.
pub(crate) fn load_crl(trust: &Trust, required: Option<&str>) -> Result<Option<cert::Crl>> {
    match (&trust.crl, required) {
        (Some(path), _) => Ok(Some(anchors::read_crl(path)?)),
        (None, None) => Ok(None),
        (None, Some(why)) => {
            Err(Exit::NotVerified(format!("revocation not checked: {why}")).into())
        }
    }
}

pub(crate) fn revocation_check(crl: Option<&cert::Crl>) -> cert::RevocationCheck<'_> {
    match crl {
        Some(crl) => cert::RevocationCheck::Crl(crl),
        None => cert::RevocationCheck::NotChecked,
    }
}

pub(crate) const REQUIRE_REVOCATION: &str =
    "--require-revocation needs the issuing CA's CRL (--crl FILE)";
