//! Running the `jpki-sim` binary from a test of its crate (only this package's tests see
//! `CARGO_BIN_EXE_jpki-sim`); the helpers are `test_support::process`'s.

#![allow(dead_code)]

const JPKI_SIM: &str = env!("CARGO_BIN_EXE_jpki-sim");

/// Runs `jpki-sim args…` with `stdin` piped in.
pub fn run_jpki_sim(args: &[&str], stdin: &str) -> std::process::Output {
    test_support::process::run(JPKI_SIM, args, stdin)
}

/// Runs `jpki-sim args…`, asserts it succeeded, and gives its standard output.
#[track_caller]
pub fn ok(args: &[&str], stdin: &str) -> String {
    let out = run_jpki_sim(args, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a failing `jpki-sim args…`: asserts the exit code and a one-line `jpki-sim: ` error;
/// returns it.
#[track_caller]
pub fn fails(args: &[&str], stdin: &str, code: i32) -> String {
    let out = run_jpki_sim(args, stdin);
    assert_eq!(out.status.code(), Some(code), "{args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("jpki-sim: "), "{err}");
    err
}

/// A path as a UTF-8 argument.
pub fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// The PINs of [`issue_my_number`]'s card, one per line: authentication `1234`, signature
/// `ABC123`, text-support `5678`.
pub const MY_NUMBER_PINS: &str = "1234\nABC123\n5678\n";

/// `authority init` of `dir/authority` (unless it is there) and `jpki-sim issue` of a My Number
/// card of the test holder (My Number `123456789018`, [`MY_NUMBER_PINS`]) into `dir/card`;
/// returns the authority, the card and what `issue` printed.
pub fn issue_my_number(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    issue_into(dir, "card", &[], MY_NUMBER_PINS)
}

/// `authority init` of `dir/authority` (unless it is there), then `jpki-sim issue [extra]` of
/// a card of the test holder (My Number `123456789018`) into `dir/file`, `pins` on stdin:
/// (authority, card, stdout).
fn issue_into(
    dir: &std::path::Path,
    file: &str,
    extra: &[&str],
    pins: &str,
) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let authority = dir.join("authority");
    if !authority.exists() {
        ok(&["authority", "init", s(&authority)], "");
    }
    let card = dir.join(file);
    let mut args = vec!["issue"];
    args.extend(extra);
    args.extend([
        "--authority",
        s(&authority),
        "--out",
        s(&card),
        "--my-number",
        "123456789018",
        "--pin-stdin",
    ]);
    args.extend(test_support::cards::HOLDER);
    let out = ok(&args, pins);
    (authority, card, out)
}

/// The secrets `issue_next_gen` gives: PIN4 `2468`, then the signing password `XYZ789`.
pub const NEXT_GEN_SECRETS: &str = "2468\nXYZ789\n";

/// `issue --profile next-gen` of a card into `dir/ng.card` ([`NEXT_GEN_SECRETS`]), from the
/// authority `dir/authority` (created if missing): (authority, card, stdout).
pub fn issue_next_gen(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    issue_into(dir, "ng.card", &["--profile", "next-gen"], NEXT_GEN_SECRETS)
}

/// The issuing date of the Juki cards of the tests: Juki issuance ended in December 2015.
pub const JUKI_ISSUED: &str = "2015-06-01";

/// `jpki-sim issue` of a Juki card (the test holder, Juki PIN `JUKI01`, issued on
/// [`JUKI_ISSUED`]) from `authority` into `out`; its standard output.
pub fn issue_juki(authority: &std::path::Path, out: &std::path::Path) -> String {
    let mut args = vec![
        "issue",
        "--authority",
        s(authority),
        "--out",
        s(out),
        "--profile",
        "juki",
        "--issued",
        JUKI_ISSUED,
        "--pin-stdin",
    ];
    args.extend(test_support::cards::HOLDER);
    ok(&args, "JUKI01\n")
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

/// The serial of the first certificate `authority` issued (the one after its two CAs', from
/// the one 4-byte counter), as a number.
pub fn first_serial(authority: &std::path::Path) -> u64 {
    let pem = std::fs::read_to_string(authority.join("auth-ca.pem")).unwrap();
    let ca = cert::JpkiCertificate::from_pem(&pem).unwrap();
    let n = ca
        .serial()
        .as_bytes()
        .iter()
        .fold(0u64, |n, b| n << 8 | u64::from(*b));
    n + 1
}

/// The CRL of the test holder's municipality (13101) of a hierarchy (`sign` or `auth`).
pub fn holder_crl(authority: &std::path::Path, hierarchy: &str) -> cert::Crl {
    let path = authority.join("crl").join(format!("{hierarchy}-13101.crl"));
    cert::Crl::from_der(&std::fs::read(path).unwrap()).unwrap()
}
