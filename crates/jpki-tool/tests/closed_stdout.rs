//! A reader that closes standard output early (`jpki-tool pin status | head -1`) ends the
//! tool quietly with status 141 (as `SIGPIPE` ends other Unix tools), not with a panic
//! message and status 101.

use std::process::{Command, Stdio};
use std::sync::OnceLock;

#[path = "support/common.rs"]
mod common;

use card_sim::SimCard;
use common::Scratch;
use test_support::fixtures::{self, FixtureSet};
use test_support::sample;

fn set() -> &'static FixtureSet {
    static SET: OnceLock<FixtureSet> = OnceLock::new();
    SET.get_or_init(|| fixtures::build().unwrap())
}

#[test]
fn a_closed_standard_output_ends_the_tool_quietly() {
    let dir = Scratch::new("closed-stdout");
    let card = dir.path("card.jpkicard");
    SimCard::create(&card, sample::my_number(set(), true).unwrap()).unwrap();
    for args in [&["pin", "status"][..], &["info"]] {
        // a pipe whose reader is gone before the tool starts: every write fails with EPIPE
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
            .arg("--card")
            .arg(&card)
            .args(args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: nothing to say: {stderr}");
    }
    // the card was only read: a second run with a reader gets the whole report
    let out = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .arg("--card")
        .arg(&card)
        .args(["pin", "status"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() > 3);
}
