//! The closing summary of every task: each step `ok`, `FAILED`, or `SKIPPED (reason; remedy)`.
//!
//! A step that cannot run here (a missing library, tool or service) is recorded as skipped, never
//! passed in silence. Under CI (`CI=true`) the checking tasks (`test`, `ci`) treat a skip as a
//! failure, since CI installs everything and a skip there means a broken setup; elsewhere a skip
//! is a loud warning and the exit code stays 0.

use std::fmt::Write as _;
use std::process::Command;

use anyhow::{Result, bail};

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It ran and passed.
    Ok,
    /// It ran and failed, with the error.
    Failed(String),
    /// It did not run: why, and what makes it run.
    Skipped {
        /// Why the step could not run here.
        reason: String,
        /// What to install or change so that it runs.
        remedy: String,
    },
}

/// What a task's steps amount to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Every step ran and passed.
    Pass,
    /// Every step that ran passed, but `skipped` steps did not run (not a failure here).
    PassWithSkips {
        /// How many steps were skipped.
        skipped: usize,
    },
    /// A step failed, or a step was skipped where skips count as failures.
    Fail {
        /// Steps that ran and failed.
        failed: usize,
        /// Steps skipped where a skip fails the run.
        skipped: usize,
    },
}

/// The verdict on `outcomes`; with `skip_fails` (CI, checking tasks) a skip is a failure.
pub(crate) fn verdict<'a>(
    outcomes: impl IntoIterator<Item = &'a Outcome>,
    skip_fails: bool,
) -> Verdict {
    let (mut failed, mut skipped) = (0, 0);
    for outcome in outcomes {
        match outcome {
            Outcome::Ok => {}
            Outcome::Failed(_) => failed += 1,
            Outcome::Skipped { .. } => skipped += 1,
        }
    }
    match (failed, skipped) {
        (0, 0) => Verdict::Pass,
        (0, skipped) if !skip_fails => Verdict::PassWithSkips { skipped },
        (failed, skipped) if skip_fails => Verdict::Fail { failed, skipped },
        (failed, _) => Verdict::Fail { failed, skipped: 0 },
    }
}

/// Whether the `CI` environment variable says this is a CI run (`true` or `1`).
pub(crate) fn is_ci(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Whether this process runs under CI.
pub(crate) fn under_ci() -> bool {
    is_ci(std::env::var("CI").ok().as_deref())
}

/// The summary's text: one line per step, then the counts and, if any, the skips' consequence.
pub(crate) fn render(task: &str, steps: &[(String, Outcome)], skip_fails: bool) -> String {
    let mut s = format!("\n== {task}: summary\n");
    for (name, outcome) in steps {
        let _ = match outcome {
            Outcome::Ok => writeln!(s, "   ok       {name}"),
            Outcome::Failed(e) => writeln!(s, "   FAILED   {name}: {e}"),
            Outcome::Skipped { reason, remedy } => {
                writeln!(s, "   SKIPPED  {name} ({reason}; remedy: {remedy})")
            }
        };
    }
    let count = |f: fn(&Outcome) -> bool| steps.iter().filter(|(_, o)| f(o)).count();
    let ok = count(|o| *o == Outcome::Ok);
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let skipped = count(|o| matches!(o, Outcome::Skipped { .. }));
    let _ = write!(s, "== {task}: {ok} ok, {failed} FAILED, {skipped} SKIPPED");
    match verdict(steps.iter().map(|(_, o)| o), skip_fails) {
        Verdict::Pass => {}
        Verdict::PassWithSkips { skipped } => {
            let _ = write!(
                s,
                "\nwarning: {skipped} step(s) SKIPPED: this run did NOT check everything \
                 (see the remedies above; under CI, CI=true, `test` and `ci` fail on a skip)"
            );
        }
        Verdict::Fail { skipped, .. } if skipped > 0 => {
            let _ = write!(
                s,
                "\nerror: {skipped} step(s) SKIPPED under CI (CI=true): CI installs everything, \
                 so a skip means a broken setup"
            );
        }
        Verdict::Fail { .. } => {}
    }
    s
}

/// The steps of one task, in the order they ran.
pub(crate) struct Summary {
    task: &'static str,
    steps: Vec<(String, Outcome)>,
}

impl Summary {
    pub(crate) fn new(task: &'static str) -> Self {
        Self {
            task,
            steps: Vec::new(),
        }
    }

    /// Runs one step and records how it ended; its error is returned for the caller to stop on.
    pub(crate) fn run<T>(&mut self, name: &str, step: impl FnOnce() -> Result<T>) -> Result<T> {
        let result = step();
        self.record(
            name,
            match &result {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Failed(format!("{e:#}")),
            },
        );
        result
    }

    /// Runs a command as one step (see [`crate::step`]) and records how it ended.
    pub(crate) fn step(&mut self, what: &str, cmd: Command) -> Result<()> {
        self.run(what, || crate::step(what, cmd))
    }

    /// Records a step that cannot run here, and says so at once.
    pub(crate) fn skip(&mut self, name: &str, reason: &str, remedy: &str) {
        eprintln!("\n== {name}: SKIPPED ({reason}; remedy: {remedy})");
        self.record(
            name,
            Outcome::Skipped {
                reason: reason.to_owned(),
                remedy: remedy.to_owned(),
            },
        );
    }

    /// Records a step that ran elsewhere (a check of a suite) with its outcome.
    pub(crate) fn record(&mut self, name: &str, outcome: Outcome) {
        self.steps.push((name.to_owned(), outcome));
    }

    /// Prints the summary and ends the task: `result` is the steps' own result (an error stops
    /// at the first failure); with `skip_fails` a skipped step fails the task too.
    pub(crate) fn finish(self, result: Result<()>, skip_fails: bool) -> Result<()> {
        eprintln!("{}", render(self.task, &self.steps, skip_fails));
        result?;
        match verdict(self.steps.iter().map(|(_, o)| o), skip_fails) {
            Verdict::Pass | Verdict::PassWithSkips { .. } => Ok(()),
            Verdict::Fail { failed, skipped } => {
                bail!(
                    "{}: {failed} step(s) failed, {skipped} skipped under CI",
                    self.task
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skipped() -> Outcome {
        Outcome::Skipped {
            reason: "libssl-dev missing".into(),
            remedy: "apt-get install -y libssl-dev".into(),
        }
    }

    #[test]
    fn a_skip_is_a_warning_locally_and_a_failure_under_ci() {
        let steps = [Outcome::Ok, skipped(), Outcome::Ok];
        assert_eq!(
            verdict(&steps, false),
            Verdict::PassWithSkips { skipped: 1 }
        );
        assert_eq!(
            verdict(&steps, true),
            Verdict::Fail {
                failed: 0,
                skipped: 1
            }
        );
    }

    #[test]
    fn a_failure_fails_everywhere_and_all_ok_passes_everywhere() {
        let failing = [Outcome::Ok, Outcome::Failed("clippy".into()), skipped()];
        assert_eq!(
            verdict(&failing, false),
            Verdict::Fail {
                failed: 1,
                skipped: 0
            }
        );
        assert_eq!(
            verdict(&failing, true),
            Verdict::Fail {
                failed: 1,
                skipped: 1
            }
        );
        for ci in [false, true] {
            assert_eq!(verdict(&[Outcome::Ok, Outcome::Ok], ci), Verdict::Pass);
            assert_eq!(verdict(&[], ci), Verdict::Pass);
        }
    }

    #[test]
    fn the_summary_names_every_step_with_its_reason_and_remedy() {
        let steps = vec![
            ("format check".to_owned(), Outcome::Ok),
            ("fast engine".to_owned(), skipped()),
            (
                "tests".to_owned(),
                Outcome::Failed("tests failed (exit status: 101)".into()),
            ),
        ];
        let local = render("test", &steps, false);
        assert!(local.contains("   ok       format check\n"), "{local}");
        assert!(
            local.contains(
                "   SKIPPED  fast engine (libssl-dev missing; remedy: apt-get install -y libssl-dev)"
            ),
            "{local}"
        );
        assert!(
            local.contains("   FAILED   tests: tests failed (exit status: 101)"),
            "{local}"
        );
        assert!(
            local.contains("== test: 1 ok, 1 FAILED, 1 SKIPPED"),
            "{local}"
        );

        let only_skip = &steps[..2];
        assert!(render("test", only_skip, false).contains("warning: 1 step(s) SKIPPED"));
        let ci = render("test", only_skip, true);
        assert!(ci.contains("error: 1 step(s) SKIPPED under CI"), "{ci}");
        let clean = render("test", &steps[..1], true);
        assert!(
            clean.ends_with("== test: 1 ok, 0 FAILED, 0 SKIPPED"),
            "{clean}"
        );
    }

    #[test]
    fn finish_fails_under_ci_on_a_skip_and_passes_locally() {
        let summary = || {
            let mut s = Summary::new("test");
            s.record("format check", Outcome::Ok);
            s.record("fast engine", skipped());
            s
        };
        assert!(summary().finish(Ok(()), false).is_ok());
        let err = summary().finish(Ok(()), true).unwrap_err();
        assert!(err.to_string().contains("1 skipped under CI"), "{err}");
        // a step's own error is what the task reports
        let mut s = Summary::new("test");
        assert!(
            s.run("clippy", || -> Result<()> { bail!("clippy failed") })
                .is_err()
        );
        let err = s
            .finish(Err(anyhow::anyhow!("clippy failed")), false)
            .unwrap_err();
        assert_eq!(err.to_string(), "clippy failed");
    }

    #[test]
    fn ci_is_recognised_from_the_environment_value() {
        assert!(is_ci(Some("true")));
        assert!(is_ci(Some("TRUE")));
        assert!(is_ci(Some("1")));
        assert!(!is_ci(Some("false")));
        assert!(!is_ci(Some("")));
        assert!(!is_ci(None));
    }
}
