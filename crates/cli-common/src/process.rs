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

/// The exit status when standard output was closed by its reader before everything was
/// written (`jpki-tool pin status | head -1`): 141, the status a shell shows for a process
/// ended by `SIGPIPE`, as other Unix tools end.
pub const CLOSED_STDOUT_EXIT: i32 = 141;

/// Rust ignores `SIGPIPE`, so a write to a closed pipe fails with `EPIPE` and `println!`
/// panics ("failed printing to stdout"): a panic message and exit code 101 for what is no
/// error of ours. After this call (first thing in `main`), that panic ends the process
/// quietly with [`CLOSED_STDOUT_EXIT`]; every other panic is reported as before.
pub fn exit_quietly_on_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied());
        if message.is_some_and(is_closed_stdout) {
            std::process::exit(CLOSED_STDOUT_EXIT);
        }
        report(info);
    }));
}

/// Whether a panic message is std's for a print to a closed pipe. The OS error number is
/// matched, not its text (which the locale may translate).
fn is_closed_stdout(message: &str) -> bool {
    let epipe = format!("(os error {})", rustix::io::Errno::PIPE.raw_os_error());
    message.starts_with("failed printing to stdout") && message.contains(&epipe)
}

#[cfg(test)]
mod closed_stdout_tests {
    use super::is_closed_stdout;

    #[test]
    fn only_a_print_to_a_closed_pipe_is_quiet() {
        assert!(is_closed_stdout(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        // the same failure in another locale's words
        assert!(is_closed_stdout(
            "failed printing to stdout: Relais brisé (os error 32)"
        ));
        assert!(!is_closed_stdout(
            "failed printing to stdout: No space left on device (os error 28)"
        ));
        assert!(!is_closed_stdout("index out of bounds (os error 32)"));
    }
}
