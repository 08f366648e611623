//! `kioskctl status`: the kiosk on one screen, without personal data. The running kiosk gathers
//! it (with its devices, server link and page, [`LiveStatus`]); when it does not run, `kioskctl`
//! gathers what its files tell. Each problem found becomes a warning saying what to do.

use super::content_commands::{self, ContentStatus};
use crate::config::Config;
use crate::journal::{Journal, SyncStatus, journal_path, now_ms};
use crate::sync::identity::KioskIdentity;
use crate::sync::link_board::LinkState;
use citizen_window_protocol::heartbeat::DeviceReport;
use serde::{Deserialize, Serialize};
use std::path::Path;

const DAY_MS: i64 = 86_400_000;
/// A certificate this close to its end is warned of.
pub const CERTIFICATE_WARNING_DAYS: i64 = 30;
/// Less free disk than this is warned of: the journal and content updates need room.
pub const LOW_DISK_BYTES: u64 = 200 << 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KioskStatus {
    pub software_version: String,
    pub config_file: String,
    /// What only the running kiosk knows; `None` when it is not running.
    pub running: Option<LiveStatus>,
    pub enrolment: Option<EnrolmentStatus>,
    pub content: Option<ContentStatus>,
    pub sync: Option<SyncStatus>,
    pub disk_free_bytes: Option<u64>,
    /// The journal's files (database and write-ahead log) together.
    pub journal_bytes: Option<u64>,
    /// Each problem found, with what to do.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LiveStatus {
    pub pid: u32,
    pub uptime_seconds: u64,
    /// `None`: the UI thread did not answer within a second.
    pub ui: Option<UiState>,
    pub devices: Vec<DeviceReport>,
    pub link: LinkState,
}

/// What the UI shows, without any personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiState {
    /// The page's name, such as `attract` or `bills`.
    pub page: String,
    pub session_active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrolmentStatus {
    pub kiosk_id: String,
    pub server_url: String,
    /// When the kiosk's certificate ends (ms since the epoch), if it can be read.
    pub certificate_ends_ms: Option<i64>,
    /// Whole days left (negative once it has ended).
    pub certificate_days_left: Option<i64>,
}

/// What the kiosk's files (and, when it runs, the kiosk itself) tell.
pub fn gather(config: &Config, config_file: Option<&Path>, running: Option<LiveStatus>) -> KioskStatus {
    let state = &config.state_dir;
    let now = now_ms();
    let mut warnings = Vec::new();
    let enrolment = match KioskIdentity::load(state) {
        Ok(identity) => {
            let ends = crate::sync::renewal::validity_ms(&identity.cert_pem).map(|(_, end)| end);
            let days_left = ends.map(|end| (end - now).div_euclid(DAY_MS));
            Some(EnrolmentStatus {
                kiosk_id: identity.enrolment.kiosk_id,
                server_url: identity.enrolment.server_url,
                certificate_ends_ms: ends,
                certificate_days_left: days_left,
            })
        }
        Err(e) => {
            let enrolment = crate::sync::identity::identity_dir(state).join(crate::sync::identity::ENROLMENT_FILE);
            warnings.push(if enrolment.exists() {
                format!("the kiosk's identity cannot be read, so it works offline: {e}")
            } else {
                "the kiosk is not enrolled, so it works offline: run `kioskctl enrol`".to_string()
            });
            None
        }
    };
    if let Some(warning) = enrolment.as_ref().and_then(certificate_warning) {
        warnings.push(warning);
    }
    let journal = journal_path(state);
    let sync = journal.exists().then(|| Journal::open(&journal).and_then(|mut j| j.sync_status()));
    let sync = match sync {
        Some(Ok(sync)) => Some(sync),
        Some(Err(e)) => {
            warnings.push(format!("the journal cannot be read ({e}): run `kioskctl doctor`"));
            None
        }
        None => None,
    };
    let journal_bytes = ["", "-wal"]
        .iter()
        .map(|suffix| std::fs::metadata(format!("{}{suffix}", journal.display())).map_or(0, |m| m.len()))
        .sum::<u64>();
    let disk_free_bytes = crate::sync::heartbeat::free_disk_bytes(state);
    if disk_free_bytes.is_some_and(|free| free < LOW_DISK_BYTES) {
        warnings.push(format!(
            "only {} MiB free on the disk of {}: free space (old logs: `journalctl --vacuum-size=100M`)",
            disk_free_bytes.unwrap_or(0) >> 20,
            state.display()
        ));
    }
    if let Some(live) = &running {
        warnings.extend(live_warnings(live));
    }
    KioskStatus {
        software_version: env!("CARGO_PKG_VERSION").to_string(),
        config_file: config_file.map_or("(none: the defaults)".into(), |p| p.display().to_string()),
        running,
        enrolment,
        content: content_commands::status(state).ok(),
        sync,
        disk_free_bytes,
        journal_bytes: (journal_bytes > 0).then_some(journal_bytes),
        warnings,
    }
}

/// An ended certificate, or one ending within [`CERTIFICATE_WARNING_DAYS`].
fn certificate_warning(enrolment: &EnrolmentStatus) -> Option<String> {
    let days = enrolment.certificate_days_left?;
    if days < 0 {
        Some(format!(
            "the kiosk's certificate has expired ({} days ago): the server refuses it. Ask the office for a token \
             (`citizen-central enrol-token`) and run `kioskctl enrol` again",
            -days
        ))
    } else if days <= CERTIFICATE_WARNING_DAYS {
        Some(format!(
            "the kiosk's certificate ends in {days} days: the kiosk renews it by itself while it reaches the server; \
             if it cannot, enrol it again (`kioskctl enrol`) before then"
        ))
    } else {
        None
    }
}

fn live_warnings(live: &LiveStatus) -> Vec<String> {
    let mut warnings = Vec::new();
    if live.ui.is_none() {
        warnings.push(
            "the kiosk's UI does not answer: systemd's watchdog restarts it; if it does not, `kioskctl restart` \
             and see `kioskctl logs`"
                .into(),
        );
    }
    if live.link.certificate_refused {
        warnings.push(
            "the server refuses this kiosk: it was revoked, its certificate has expired, or it is from another fleet. \
             Ask the office for a token (`citizen-central enrol-token`) and run `kioskctl enrol` again"
                .into(),
        );
    } else if live.link.online == Some(false) {
        let why = live.link.last_error.as_deref().unwrap_or("no answer");
        warnings.push(format!("the server does not answer ({why}): run `kioskctl doctor`"));
    }
    for device in &live.devices {
        if device.status != "online" && device.status != "no_device" {
            let detail = device.detail.as_deref().unwrap_or("see `kioskctl doctor`");
            warnings.push(format!("{}: {} ({detail})", device.device, device.status));
        }
    }
    warnings
}

/// The status as one screen of text.
pub fn render(status: &KioskStatus, now: i64) -> String {
    let mut out = format!("Citizen Window {}    configuration: {}\n", status.software_version, status.config_file);
    let ago = |t: i64| format!("{} ago", duration_words((now - t).max(0) / 1000));
    match &status.running {
        Some(live) => {
            let ui = live.ui.as_ref().map_or("NOT ANSWERING".to_string(), |ui| {
                format!("{}{}", ui.page, if ui.session_active { " (a resident's session)" } else { "" })
            });
            out += &format!(
                "kiosk:       running (pid {}), up {}, page {ui}\n",
                live.pid,
                duration_words(live.uptime_seconds as i64)
            );
            for device in &live.devices {
                let paper = device.paper.as_ref().map(|p| format!(", paper {p}")).unwrap_or_default();
                let detail = device.detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default();
                out += &format!("{:12} {}{paper}{detail}\n", format!("{}:", device.device), device.status);
            }
            let link = &live.link;
            let server = match link.online {
                None => "not tried yet".to_string(),
                Some(true) => format!("online since {}", link.since_ms.map_or("-".into(), ago)),
                Some(false) => format!(
                    "OFFLINE since {}: {}",
                    link.since_ms.map_or("-".into(), ago),
                    link.last_error.as_deref().unwrap_or("-")
                ),
            };
            out += &format!("server:      {server}\n");
            if let Some(content) = &link.content {
                let detail = content.stream_detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default();
                out += &format!("push stream: {} since {}{detail}\n", content.stream, ago(content.stream_since_ms));
            }
        }
        None => out += "kiosk:       NOT RUNNING (what follows is read from its files)\n",
    }
    match &status.enrolment {
        Some(e) => {
            let days = e.certificate_days_left.map_or("unreadable".into(), |d| format!("{d} days left"));
            out += &format!("enrolled:    {} with {}; certificate {days}\n", e.kiosk_id, e.server_url);
        }
        None => out += "enrolled:    no\n",
    }
    if let Some(content) = &status.content {
        let version = content.current.map_or("the installed content folder".into(), |v| format!("version {v}"));
        out += &format!("content:     {version}\n");
    }
    if let Some(sync) = &status.sync {
        let oldest = sync.oldest_pending_ms.map_or(String::new(), |t| format!(", oldest pending {}", ago(t)));
        out += &format!("sync:        {} waiting to be sent{oldest}\n", sync.pending);
    }
    let mib = |bytes: Option<u64>| bytes.map_or("-".into(), |b| format!("{:.1} MiB", b as f64 / 1048576.0));
    out += &format!("disk:        {} free; journal {}\n", mib(status.disk_free_bytes), mib(status.journal_bytes));
    if status.warnings.is_empty() {
        out += "all well\n";
    }
    for warning in &status.warnings {
        out += &format!("WARNING: {warning}\n");
    }
    out
}

/// "3 d 4 h", "5 h 2 min", "12 min", "40 s".
fn duration_words(seconds: i64) -> String {
    match seconds {
        s if s >= 86_400 => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}
