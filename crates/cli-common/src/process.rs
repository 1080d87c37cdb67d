//! Process hardening for the binaries that hold PINs and private keys in memory (`jpki-sim`,
//! `jpki-tool`): no core files.
//!
//! A core file is a copy of the process's memory written to disk when it crashes (or is sent
//! `SIGQUIT`/`SIGSEGV`/`SIGABRT`): it would hold the PINs typed in, the PINs of every card
//! loaded, and the card's and the authority's private keys, in a file that outlives the
//! process. [`disable_core_dumps`] is called first thing in `main`.

use std::io;

/// Makes sure this process never writes a core file: `RLIMIT_CORE` is set to 0, soft and hard
/// (so neither the process nor its children can raise it again), and the process is marked
/// non-dumpable (`prctl(PR_SET_DUMPABLE, 0)`: no core file even through a `core_pattern` pipe
/// such as systemd-coredump, which ignores the limit, and no `ptrace` attach or
/// `/proc/<pid>/mem` read by other processes of the same user).
///
/// On targets other than Linux this does nothing and returns `Ok(())`.
///
/// # Errors
/// The kernel refused either setting (both are attempted; the first error is returned).
pub fn disable_core_dumps() -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{
            DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit,
        };
        let limit = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        );
        let dumpable = set_dumpable_behavior(DumpableBehavior::NotDumpable);
        limit.map_err(io::Error::from)?;
        dumpable.map_err(io::Error::from)?;
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn core_limit_is_zero_and_the_process_is_not_dumpable_afterwards() {
        // This changes the test process itself: harmless (it only forbids core files).
        disable_core_dumps().unwrap();
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!(limit.current, Some(0));
        assert_eq!(limit.maximum, Some(0));
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
        // idempotent: a second call (e.g. from a library and main) succeeds
        disable_core_dumps().unwrap();
    }
}
