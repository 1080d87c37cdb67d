//! What the verifying commands share: the instant to check at, the CRLs, the revocation check.

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

/// The trust anchors of `--ca` (or the built-in ones), with the RSA cut-off of
/// `--rsa-cutoff` (default [`cert::RSA_CUTOFF`], 2031-01-01: RSA-2048 chains are refused at
/// and after it).
pub(crate) fn anchors(trust: &Trust) -> Result<cert::TrustAnchors> {
    let anchors = anchors::load(&trust.ca)?;
    let Some(s) = &trust.rsa_cutoff else {
        return Ok(anchors);
    };
    let cutoff =
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).map_err(|_| {
            InvalidInput(format!(
                "--rsa-cutoff {}: not an RFC 3339 time (e.g. 2031-01-01T00:00:00Z)",
                printable(s)
            ))
        })?;
    Ok(anchors.with_rsa_cutoff(cutoff))
}

/// The CRLs the `--crl` options name (files and directories), loaded, with whether a stale
/// one may be used (`--allow-stale-crl`).
pub(crate) struct Crls {
    crls: Vec<cert::Crl>,
    accept_stale: bool,
}

impl Crls {
    /// The revocation check for the verifier: choose among the CRLs, or not checked when none
    /// was given.
    pub(crate) fn check(&self) -> cert::RevocationCheck<'_> {
        match (self.crls.is_empty(), self.accept_stale) {
            (true, _) => cert::RevocationCheck::NotChecked,
            (false, false) => cert::RevocationCheck::Crls(&self.crls),
            (false, true) => cert::RevocationCheck::CrlsAcceptingStale(&self.crls),
        }
    }
}

/// The CRLs the options name, loaded; none when none is given and `required` (the reason it is
/// needed, with what to do) is `None`. Checked before any other work.
pub(crate) fn load_crls(trust: &Trust, required: Option<&str>) -> Result<Crls> {
    if trust.crl.is_empty()
        && let Some(why) = required
    {
        return Err(Exit::NotVerified(format!("revocation not checked: {why}")).into());
    }
    Ok(Crls {
        crls: anchors::read_crls(&trust.crl)?,
        accept_stale: trust.allow_stale_crl,
    })
}

pub(crate) const REQUIRE_REVOCATION: &str =
    "--require-revocation needs the issuing CA's CRL (--crl FILE|DIR)";
