//! Running the workspace's binaries from tests: PINs on standard input, output captured, and
//! `jpki-sim serve` with the test playing vpcd. A test names its binary with
//! `env!("CARGO_BIN_EXE_…")`, which only its own package's tests can see.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// The standard output of a command that must have succeeded; otherwise the test fails with
/// its exit code, stdout and stderr.
#[track_caller]
pub fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `command` with `stdin` written to its standard input and stdout and stderr captured.
/// A command that fails before reading its PINs closes stdin early: not a test failure.
pub fn run_with_stdin(command: &mut Command, stdin: &str) -> Output {
    let mut child = command
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

/// Runs the program `program args…` with `stdin` piped in (see [`run_with_stdin`]).
pub fn run(program: &str, args: &[&str], stdin: &str) -> Output {
    run_with_stdin(Command::new(program).args(args), stdin)
}

/// `jpki-sim serve --trace --give-up-after 1 [extra]` of `card` (`jpki_sim` is the binary's
/// path), with the test playing vpcd: returns the child (stdout and stderr piped, for the
/// trace) and the accepted vpcd connection.
pub fn serve_traced(jpki_sim: &str, card: &Path, extra: &[&str]) -> (Child, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let child = Command::new(jpki_sim)
        .args(["serve", "--card", card.to_str().unwrap(), "--addr", &addr])
        .args(["--trace", "--give-up-after", "1"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (stream, _) = listener.accept().unwrap();
    (child, stream)
}

/// `openssl cms -verify -binary -inform DER -purpose any` of the detached signature `p7s` over
/// `content`, trusting the CA certificate(s) in `ca_file` (PEM), at `attime` (Unix seconds) if
/// given, else now; the signed content goes to `/dev/null`. The output is returned for the test
/// to judge (`status`, `stderr`).
pub fn openssl_cms_verify(
    p7s: &Path,
    content: &Path,
    ca_file: &Path,
    attime: Option<i64>,
) -> Output {
    let mut openssl = Command::new("openssl");
    openssl
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any",
        ])
        .arg("-in")
        .arg(p7s)
        .arg("-content")
        .arg(content)
        .arg("-CAfile")
        .arg(ca_file)
        .args(["-out", "/dev/null"]);
    if let Some(at) = attime {
        openssl.args(["-attime", &at.to_string()]);
    }
    openssl.output().expect("openssl cannot be started")
}
