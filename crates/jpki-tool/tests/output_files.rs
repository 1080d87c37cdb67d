//! Files jpki-tool writes (challenges, responses, signatures, exported certificates) go through
//! an exclusive temp file under a random name: a link another user plants beside the output,
//! at the names an earlier version used (`.NAME.tmp<pid>`) or at the output itself, never
//! receives a byte.

use std::{fs, os::unix::fs::symlink, process::Command};

#[path = "support/common.rs"]
mod common;

use common::Scratch;

/// The pid the kernel handed out last (/proc/loadavg's fifth field).
fn last_pid() -> u32 {
    let text = fs::read_to_string("/proc/loadavg").unwrap();
    let field = text.split_whitespace().nth(4).unwrap();
    field.parse().unwrap()
}

#[test]
fn planted_links_beside_an_output_file_receive_nothing() {
    let dir = Scratch::new("output-links");
    let loot = dir.path("loot");
    fs::create_dir(&loot).unwrap();
    let output = dir.path("challenge.txt");
    // where an earlier version wrote its temp file: `.challenge.txt.tmp<pid>`, for the pids
    // the child is about to get
    let next = last_pid();
    for pid in next..next + 300 {
        symlink(
            loot.join(format!("tmp-{pid}")),
            dir.path(&format!(".challenge.txt.tmp{pid}")),
        )
        .unwrap();
    }
    // and at the output itself: replaced, not followed
    let victim = dir.path("victim.txt");
    fs::write(&victim, b"the victim's own file").unwrap();
    symlink(&victim, &output).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_jpki-tool"))
        .args(["auth", "challenge", "--service", "portal", "--output"])
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let taken: Vec<_> = fs::read_dir(&loot).unwrap().collect();
    assert!(
        taken.is_empty(),
        "bytes reached {} planted links",
        taken.len()
    );
    assert_eq!(fs::read(&victim).unwrap(), b"the victim's own file");
    let meta = fs::symlink_metadata(&output).unwrap();
    assert!(meta.is_file(), "the output is still a link");
    assert!(fs::read_to_string(&output).unwrap().contains("portal"));
}
