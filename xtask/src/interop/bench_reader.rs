//! The card `cargo xtask bench` measures over PC/SC (the signing-path bench's layer 5), served by
//! `jpki-sim serve` (release build) through pcscd.

use std::path::Path;

use anyhow::{Result, bail};

use super::env::{
    Guard, Prepared, SIGN_PIN, VPCD_DRIVER, free_readers, prepare, serve_card, start_pcscd, which,
};

/// What `cargo xtask bench` needs for layer 5: pcscd, vpcd and a served card.
pub(crate) struct BenchReader {
    /// The reader's name (for `JPKI_BENCH_READER`).
    pub reader: String,
    /// The card's signature PIN (for `JPKI_BENCH_PIN`).
    pub sign_pin: &'static str,
    // dropped in this order: the card leaves its reader before pcscd stops
    _serve: Guard,
    _pcscd: Option<Guard>,
}

/// Brings up pcscd (or reuses it), issues a card with `jpki-sim` built in release and serves it
/// on a free vpcd reader, for the PC/SC layer of the signing-path bench. `None` when pcscd or vpcd is not
/// installed (the bench records that layer as skipped).
pub(crate) fn bench_reader(root: &Path, cargo: &Path) -> Result<Option<BenchReader>> {
    if !which("pcscd") || !Path::new(VPCD_DRIVER).exists() {
        return Ok(None);
    }
    let Prepared {
        jpki_sim,
        jpki_tool,
        dir,
        card,
        ..
    } = prepare(root, cargo, true, "bench-reader")?;
    let (pcscd, _) = start_pcscd(&dir, &jpki_tool)?;
    let Some(&(reader, port)) = free_readers(&jpki_tool)?.first() else {
        bail!("no free vpcd reader for the bench (is another card connected?)");
    };
    // The served card signs with `rsa`, the engine of layers 2 and 3's first rows.
    let serve = serve_card(
        &jpki_sim,
        &jpki_tool,
        &card,
        reader,
        port,
        &dir.join("serve.log"),
        &["--engine", "rsa"],
    )?;
    Ok(Some(BenchReader {
        reader: reader.to_owned(),
        sign_pin: SIGN_PIN,
        _serve: serve,
        _pcscd: pcscd,
    }))
}
