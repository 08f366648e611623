//! `kioskctl doctor`: every part of the kiosk checked in turn, each printed as pass, warn or fail
//! with, for each problem, what to do. While the kiosk runs, its devices are judged from what it
//! reports (it owns their ports); otherwise `doctor` asks them itself. The checks themselves are
//! in `doctor_checks` and `doctor_display`.

use super::doctor_checks as checks;
use super::doctor_display as display;
use super::status_report::LiveStatus;
use crate::config::Config;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    /// Works now, needs attention soon.
    Warn,
    Fail,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// A short name, such as `printer` or `journal`.
    pub name: String,
    pub verdict: Verdict,
    /// What was found.
    pub detail: String,
    /// What to do, for a warning or a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub fn pass(name: &str, detail: impl Into<String>) -> Self {
        Self { name: name.into(), verdict: Verdict::Pass, detail: detail.into(), fix: None }
    }

    pub fn warn(name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { name: name.into(), verdict: Verdict::Warn, detail: detail.into(), fix: Some(fix.into()) }
    }

    pub fn fail(name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { name: name.into(), verdict: Verdict::Fail, detail: detail.into(), fix: Some(fix.into()) }
    }
}

/// What `doctor` may be told besides the configuration.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    /// Less free space than this on the state folder's disk fails.
    pub min_free_mib: u64,
    /// How far the kiosk's clock may be from the server's.
    pub max_clock_offset_seconds: i64,
}

impl Default for DoctorOptions {
    fn default() -> Self {
        Self { min_free_mib: super::status_report::LOW_DISK_BYTES >> 20, max_clock_offset_seconds: 120 }
    }
}

/// Every check, in the order a technician fixes things: the configuration, the devices, time and
/// trust, the server, storage, content, the display. `config` is what `config_file` gave (or the
/// defaults); `config_problem` why it could not be read; `running` what the running kiosk said.
pub fn examine(
    config: &Config,
    config_file: &Path,
    config_problem: Option<String>,
    running: Option<&LiveStatus>,
    options: &DoctorOptions,
) -> Vec<Check> {
    let mut found = vec![checks::configuration(config_file, config_problem)];
    found.push(match running {
        Some(live) => Check::pass("kiosk", format!("running (pid {}), up {} s", live.pid, live.uptime_seconds)),
        None => Check::warn(
            "kiosk",
            "the kiosk program is not running: the devices are asked directly",
            "systemctl start citizen-window (and `systemctl status citizen-window` for why it stopped)",
        ),
    });
    found.push(checks::printer(config, running));
    found.push(checks::reader(config, running));
    found.push(checks::scanner(config, running));
    found.push(checks::sound(config, running));
    let server = checks::server(config);
    found.push(checks::clock(config, server.server_time_ms, options));
    found.push(checks::certificate(config));
    found.push(server.check);
    found.push(checks::disk(config, options));
    found.push(checks::journal(config));
    found.push(checks::content(config));
    found.extend(display::checks());
    found
}

/// The checks as lines: `PASS`, `WARN` or `FAIL`, the name, what was found, then what to do.
pub fn render(checks: &[Check]) -> String {
    let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for check in checks {
        let verdict = match check.verdict {
            Verdict::Pass => "PASS",
            Verdict::Warn => "WARN",
            Verdict::Fail => "FAIL",
        };
        out += &format!("{verdict}  {:width$}  {}\n", check.name, check.detail);
        if let Some(fix) = &check.fix {
            out += &format!("      {:width$}  → {fix}\n", "");
        }
    }
    let failed = checks.iter().filter(|c| c.verdict == Verdict::Fail).count();
    let warned = checks.iter().filter(|c| c.verdict == Verdict::Warn).count();
    out += &match (failed, warned) {
        (0, 0) => "all checks pass\n".to_string(),
        (0, w) => format!("no failure; {w} to look at\n"),
        (f, w) => format!("{f} failed, {w} to look at\n"),
    };
    out
}

/// Whether any check failed (the exit code).
pub fn any_failed(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.verdict == Verdict::Fail)
}
