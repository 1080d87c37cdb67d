//! `jpki-sim authority init|publish|status`: the authority directory itself (its CAs, its CRLs,
//! what it holds), as against the cards it issues (`authority.rs`).

use std::path::Path;

use anyhow::Context as _;
use cert::time::OffsetDateTime;
use cli_common::printable;
use issuer::Authority;

use crate::authority::open_authority;

pub(crate) fn authority_init(dir: &Path) -> anyhow::Result<()> {
    let authority = Authority::create(dir, OffsetDateTime::now_utc(), &mut rand::rng())
        .with_context(|| format!("cannot create an authority in {}", dir.display()))?;
    println!("authority created in {}", authority.dir().display());
    for (what, h) in [
        ("signature CA", cert::Hierarchy::Signature),
        ("authentication CA", cert::Hierarchy::Authentication),
    ] {
        println!("{what}: {}", authority.ca_path(h).display());
    }
    println!(
        "CRLs: {} (one per municipality and hierarchy once it has a card, e.g. sign-13101.crl; the ARLs sign-arl.crl, auth-arl.crl)",
        authority.crl_dir().display()
    );
    Ok(())
}

/// `authority publish`: every CRL again, dated now (the daily update).
pub(crate) fn authority_publish(dir: &Path) -> anyhow::Result<()> {
    let mut authority = open_authority(dir)?;
    let now = OffsetDateTime::now_utc();
    authority.republish(now).context("publishing the CRLs")?;
    let files = std::fs::read_dir(authority.crl_dir())
        .map_or(0, |entries| entries.filter_map(Result::ok).count());
    println!(
        "{files} CRLs published in {} (thisUpdate {}, nextUpdate {})",
        printable(&authority.crl_dir().display().to_string()),
        utc(now),
        utc(now + cert::time::Duration::days(1)),
    );
    Ok(())
}

/// `authority status`: what the authority holds and publishes (no keys).
pub(crate) fn authority_status(dir: &Path) -> anyhow::Result<()> {
    let authority = open_authority(dir)?;
    println!(
        "authority {}",
        printable(&authority.dir().display().to_string())
    );
    for (what, h) in [
        ("signature CA", cert::Hierarchy::Signature),
        ("authentication CA", cert::Hierarchy::Authentication),
    ] {
        let ca = authority.ca(h).certificate();
        println!(
            "{what}: serial {}, valid until {} ({})",
            ca.serial(),
            cert::validity::jst_date(ca.not_after()),
            authority.ca_path(h).display()
        );
    }
    println!("next serial: {:08X}", authority.next_serial());
    println!(
        "municipalities (CRL partitions): {}",
        authority.municipalities().len()
    );
    for m in authority.municipalities() {
        println!(
            "  {} {} {}",
            m.code,
            printable(&m.prefecture),
            printable(&m.city)
        );
    }
    println!("CRLs: {}", authority.crl_dir().display());
    let revocations: Vec<_> = authority.revocations().collect();
    println!("revoked: {}", revocations.len());
    for (h, partition, r) in revocations {
        println!(
            "  {} {} {} ({}, {})",
            match h {
                cert::Hierarchy::Signature => "sign",
                cert::Hierarchy::Authentication => "auth",
            },
            r.serial,
            partition,
            r.reason
                .map_or("no reason given", cert::RevocationReason::name),
            utc(r.revoked_at)
        );
    }
    Ok(())
}

/// `2026-04-01 01:00:00 UTC`.
fn utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(cert::time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
