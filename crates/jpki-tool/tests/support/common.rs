//! Helpers shared by the jpki-tool integration tests: a scratch directory and running the
//! binary against a simulator card file with PINs on standard input.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A directory under the system temp dir, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("jpki-tool-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `jpki-tool --card CARD --pin-stdin [extra] args…` with `stdin` piped in.
pub fn tool_with(card: &Path, extra: &[&str], args: &[&str], stdin: &str) -> Output {
    test_support::process::run_with_stdin(
        Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
            .arg("--card")
            .arg(card)
            .arg("--pin-stdin")
            .args(extra)
            .args(args),
        stdin,
    )
}

/// An empty, complete CRL of `ca` issued now, next update in a day. For checks made at the
/// current time (`auth check`): the fixture CRLs were issued at REFERENCE_TIME and are past
/// their nextUpdate, so the verifier refuses them as stale.
pub fn current_crl(ca: &cert::CertificateAuthority) -> Vec<u8> {
    let now = cert::time::OffsetDateTime::now_utc();
    ca.issue_crl(
        &cert::CrlRequest {
            this_update: now,
            next_update: Some(now + cert::time::Duration::days(1)),
            crl_number: 2,
            scope: cert::CrlScope::Complete,
        },
        [],
    )
    .unwrap()
}
