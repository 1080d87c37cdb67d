//! The count of interop's checks and their per-check APDU report (`report.md`).

use std::fs;
use std::path::Path;

use crate::summary::{Outcome, Summary};

use super::Check;
use super::env::Env;
use super::tool;

/// The checks' count and their per-check APDU report.
pub(super) struct Tally {
    pub(super) passed: usize,
    pub(super) failed: usize,
    pub(super) report: String,
}

impl Tally {
    /// Runs `checks` in order, each a step of `s` with the APDUs the card saw meanwhile (from
    /// its `serve --trace` log `log`, PINs already redacted) in the report.
    pub(super) fn run(&mut self, s: &mut Summary, env: &Env, checks: &[(&str, Check)], log: &Path) {
        for &(name, check) in checks {
            let before = fs::read_to_string(log).map_or(0, |t| t.lines().count());
            let result = check(env);
            let apdus: Vec<String> = fs::read_to_string(log)
                .unwrap_or_default()
                .lines()
                .skip(before)
                .filter(|l| l.starts_with("> ") || l.starts_with("< "))
                .map(str::to_owned)
                .collect();
            let verdict = match &result {
                Ok(()) => "ok".to_owned(),
                Err(e) => format!("FAILED: {e:#}"),
            };
            self.report.push_str(&format!(
                "\n## {name}\n\n{verdict}; {} APDUs\n\n```\n{}\n```\n",
                apdus.len() / 2,
                apdus.join("\n")
            ));
            // the CLI suite's tests, each a step of its own
            for (test, outcome) in tool::take_suite_steps() {
                self.record(s, &test, outcome);
            }
            let outcome =
                result.map_or_else(|e| Outcome::Failed(format!("{e:#}")), |()| Outcome::Ok);
            self.record(s, name, outcome);
        }
    }

    pub(super) fn record(&mut self, s: &mut Summary, name: &str, outcome: Outcome) {
        match &outcome {
            Outcome::Ok => {
                self.passed += 1;
                eprintln!("interop: ok     {name}");
            }
            Outcome::Failed(e) => {
                self.failed += 1;
                eprintln!("interop: FAILED {name}: {e}");
            }
            Outcome::Skipped { .. } => {
                self.failed += 1;
                eprintln!("interop: FAILED {name} (skipped)");
            }
        }
        s.record(name, outcome);
    }
}
