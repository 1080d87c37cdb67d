//! What another user of a shared directory can plant beside a file: links and directories at
//! every name a writer could choose.

use std::{
    fs,
    os::unix::fs::symlink,
    path::{Path, PathBuf},
};

/// Names in the temp-file form of `target` (`.NAME.<12 alphanumerics>.tmp`), `n` of them.
pub fn temp_like_names(target: &str, n: usize) -> Vec<String> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    (0..n)
        .map(|_| {
            let random: String = (0..12)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let alphabet =
                        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
                    char::from(alphabet[(state % 62) as usize])
                })
                .collect();
            format!(".{target}.{random}.tmp")
        })
        .collect()
}

/// Everything an attacker can plant beside `target` in `dir`: a symlink at the fixed temp and
/// lock names of earlier versions, and at `n` names of the current temp-file form, each to a
/// file of its own in `loot` that does not exist yet; directories at a few more.
pub fn plant(dir: &Path, target: &str, loot: &Path, n: usize) -> Vec<PathBuf> {
    let mut names = vec![format!(".{target}.tmp"), format!(".{target}.lock")];
    names.extend(temp_like_names(target, n));
    let mut planted = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let at = dir.join(name);
        if i % 10 == 9 {
            fs::create_dir(&at).unwrap();
        } else {
            symlink(loot.join(format!("{target}-{i}")), &at).unwrap();
        }
        planted.push(at);
    }
    planted
}

/// Owned by someone else when the test runs as root (as CI does).
pub fn give_away(path: &Path) {
    if rustix::process::geteuid().is_root() {
        std::os::unix::fs::lchown(path, Some(65534), Some(65534)).unwrap();
    }
}

/// Asserts that nothing reached `loot` and every planted link and directory is still there.
pub fn assert_untouched(planted: &[PathBuf], loot: &Path) {
    let taken: Vec<_> = fs::read_dir(loot)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(taken.is_empty(), "bytes reached {taken:?}");
    for at in planted {
        let meta = at.symlink_metadata().unwrap();
        assert!(
            meta.file_type().is_symlink() || meta.is_dir(),
            "{} was replaced",
            at.display()
        );
    }
}
