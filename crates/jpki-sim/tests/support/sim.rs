//! Running the `jpki-sim` binary from a test of its crate (only this package's tests see
//! `CARGO_BIN_EXE_jpki-sim`); the helpers are `test_support::process`'s.

#![allow(dead_code)]

const JPKI_SIM: &str = env!("CARGO_BIN_EXE_jpki-sim");

/// Runs `jpki-sim args…` with `stdin` piped in.
pub fn run_jpki_sim(args: &[&str], stdin: &str) -> std::process::Output {
    test_support::process::run(JPKI_SIM, args, stdin)
}

/// `jpki-sim serve --trace` of `card`, with the test playing vpcd: returns the child (stdout
/// and stderr piped, for the trace) and the accepted vpcd connection.
pub fn serve_traced(card: &std::path::Path) -> (std::process::Child, std::net::TcpStream) {
    serve_traced_with(card, &[])
}

/// [`serve_traced`] with more arguments (e.g. `--trace-personal-data`).
pub fn serve_traced_with(
    card: &std::path::Path,
    extra: &[&str],
) -> (std::process::Child, std::net::TcpStream) {
    test_support::process::serve_traced(JPKI_SIM, card, extra)
}
