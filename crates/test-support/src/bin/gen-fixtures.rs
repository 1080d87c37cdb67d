//! Writes the deterministic fixture set: `cargo run -p test-support --bin gen-fixtures -- --out DIR`
//! (files land in `DIR/cert/`).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let out = match (args.next().as_deref(), args.next(), args.next()) {
        (Some("--out"), Some(dir), None) => PathBuf::from(dir),
        _ => {
            eprintln!("usage: gen-fixtures --out DIR");
            return ExitCode::from(2);
        }
    };
    match test_support::fixtures::generate(&out) {
        Ok(paths) => {
            println!(
                "wrote {} files under {}",
                paths.len(),
                out.join("cert").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-fixtures: {e}");
            ExitCode::FAILURE
        }
    }
}
