//! Core files, seen from outside (Linux): a process's core limits from `/proc/<pid>/limits`,
//! where `core_pattern` puts core files, a process started with its soft core limit raised by
//! its parent, and a control that shows whether core files can be observed at all here.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};

/// The soft and hard "Max core file size" of a running process, as `/proc` prints them.
pub fn core_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max core file size"))
        .unwrap();
    let mut values = line.split_whitespace().map(str::to_owned);
    (values.next().unwrap(), values.next().unwrap())
}

/// Whether this test runs as root (for whom a non-dumpable process's `/proc` files look the
/// same as anyone's).
pub fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).map(|uid| uid == "0"))
        .unwrap()
}

/// Asserts that `pid` is not dumpable where that can be seen: its `/proc` files then belong to
/// root. Returns whether it could be seen.
pub fn assert_not_dumpable(pid: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    if running_as_root() {
        return false;
    }
    let owner = std::fs::metadata(format!("/proc/{pid}/status"))
        .unwrap()
        .uid();
    assert_eq!(
        owner, 0,
        "process {pid} is dumpable: its /proc files belong to uid {owner}"
    );
    true
}

/// Where a process started in `cwd` would write a core file (directory, file-name prefix), or
/// `None` if `core_pattern` pipes cores to a program.
pub fn core_place(cwd: &Path) -> Option<(PathBuf, String)> {
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").ok()?;
    let pattern = pattern.trim();
    if pattern.starts_with('|') || pattern.is_empty() {
        return None;
    }
    // an absolute pattern replaces cwd
    let path = cwd.join(pattern);
    let prefix = path.file_name()?.to_str()?.split('%').next()?.to_owned();
    Some((path.parent()?.to_path_buf(), prefix))
}

/// The core files in `place` now.
pub fn cores(place: Option<&(PathBuf, String)>) -> Vec<PathBuf> {
    let Some((dir, prefix)) = place else {
        return Vec::new();
    };
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix.as_str()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Starts `program args…` in `cwd` (created) with its soft core limit raised as far as the hard
/// limit allows — by the shell, before it execs the program. Standard input is piped.
pub fn spawn_with_cores(cwd: &Path, program: &str, args: &[&str]) -> Child {
    std::fs::create_dir_all(cwd).unwrap();
    Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -S -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"; exec "$0" "$@""#)
        .arg(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends SIGQUIT (terminate with a core dump) to `pid`.
pub fn quit(pid: u32) {
    let status = Command::new("kill")
        .args(["-QUIT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -QUIT {pid}");
}

/// Sends SIGQUIT to `child` and waits; returns its status and the core files it left.
pub fn quit_and_collect(child: Child, cwd: &Path) -> (ExitStatus, Vec<PathBuf>) {
    let place = core_place(cwd);
    let before = cores(place.as_ref());
    quit(child.id());
    let status = child.wait_with_output().unwrap().status;
    let new = cores(place.as_ref())
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    (status, new)
}

/// The control: `sleep`, started the same way and sent SIGQUIT, dumps core — or core files
/// cannot be observed here. Returns the core files it left (removed).
pub fn control_dumps_core(cwd: &Path) -> Option<Vec<PathBuf>> {
    let child = spawn_with_cores(cwd, "sleep", &["30"]);
    // let the shell exec sleep (the signal must reach sleep, not sh)
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::fs::read_to_string(format!("/proc/{}/comm", child.id()))
        .is_ok_and(|c| c.trim() != "sleep")
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let (status, new) = quit_and_collect(child, cwd);
    for core in &new {
        let _ = std::fs::remove_file(core);
    }
    {
        use std::os::unix::process::ExitStatusExt;
        (status.core_dumped() && !new.is_empty()).then_some(new)
    }
}

/// Whether any of `files` holds `secret`.
pub fn any_holds(files: &[PathBuf], secret: &str) -> bool {
    files.iter().any(|p| {
        std::fs::read(p).is_ok_and(|b| b.windows(secret.len()).any(|w| w == secret.as_bytes()))
    })
}

/// The closing line of a core-file test: what was checked, and whether it could be observed.
pub fn summary(who: &str, held: &str, dumpable_seen: bool, control: Option<&[PathBuf]>) -> String {
    format!(
        "core files of {who}: limits 0/0; not dumpable {}; SIGQUIT with {held} left none ({})",
        if dumpable_seen {
            "(checked)"
        } else {
            "(not observable as root)"
        },
        match control {
            Some(files) =>
                format!("an unprotected control process started the same way dumped {files:?}"),
            None => "core files are not observable here: no control process dumped core".to_owned(),
        }
    )
}
