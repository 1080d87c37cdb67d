//! The cards `cargo xtask bench` measures over PC/SC (the signing-path bench's layer 5): today's
//! card on the first free vpcd reader and a next-generation card from the same authority on the
//! second, both served by `jpki-sim serve` (release build) through pcscd.

use std::path::Path;

use anyhow::{Result, bail};

use super::env::{
    Guard, NG_SIGN_PASSWORD, Prepared, SIGN_PIN, VPCD_DRIVER, free_readers, prepare, serve_card,
    start_pcscd, which,
};
use super::next_gen;

/// What `cargo xtask bench` needs for layer 5: pcscd, vpcd and the served cards.
pub(crate) struct BenchReader {
    /// The reader's name (for `JPKI_BENCH_READER`).
    pub reader: String,
    /// The card's signature PIN (for `JPKI_BENCH_PIN`).
    pub sign_pin: &'static str,
    /// The reader with the next-generation card (for `JPKI_BENCH_NG_READER`), or why no such
    /// card is served (only one vpcd reader was free).
    pub next_gen: Result<String, String>,
    /// The next-generation card's signing password (for `JPKI_BENCH_NG_PASSWORD`).
    pub ng_password: &'static str,
    // dropped in this order: both cards leave their readers before pcscd stops
    _serve_ng: Option<Guard>,
    _serve: Guard,
    _pcscd: Option<Guard>,
}

/// Brings up pcscd (or reuses it), issues a card with `jpki-sim` built in release and serves it
/// on a free vpcd reader, and a next-generation card from the same authority on a second free
/// reader, for the PC/SC layer of the signing-path bench. `None` when pcscd or vpcd is not
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
    let free = free_readers(&jpki_tool)?;
    let Some(&(reader, port)) = free.first() else {
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
    let (next_gen, serve_ng) = match free.get(1) {
        Some(&(ng_reader, ng_port)) => {
            let ng_card = next_gen::issue_card(&jpki_sim, &dir, "next-gen.jpkicard")?;
            let guard = serve_card(
                &jpki_sim,
                &jpki_tool,
                &ng_card,
                ng_reader,
                ng_port,
                &dir.join("serve-ng.log"),
                &[],
            )?;
            (Ok(ng_reader.to_owned()), Some(guard))
        }
        None => (
            Err(format!(
                "only {reader} was free: the next-generation card needs a second vpcd reader"
            )),
            None,
        ),
    };
    Ok(Some(BenchReader {
        reader: reader.to_owned(),
        sign_pin: SIGN_PIN,
        next_gen,
        ng_password: NG_SIGN_PASSWORD,
        _serve_ng: serve_ng,
        _serve: serve,
        _pcscd: pcscd,
    }))
}
