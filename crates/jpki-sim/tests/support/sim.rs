//! Running the `jpki-sim` binary from a test of its crate.

#![allow(dead_code)]

/// Runs `jpki-sim args…` with `stdin` piped in. A command that fails before reading its PINs
/// closes stdin early: not a test failure.
pub fn run_jpki_sim(args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_jpki-sim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
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
    use std::process::{Command, Stdio};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let child = Command::new(env!("CARGO_BIN_EXE_jpki-sim"))
        .args([
            "serve",
            "--card",
            card.to_str().unwrap(),
            "--addr",
            &addr,
            "--trace",
        ])
        .args(["--give-up-after", "1"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (stream, _) = listener.accept().unwrap();
    (child, stream)
}
