//! What the operator's commands say of content: a kiosk's content in one phrase (`kiosks`), the
//! versions published with the kiosks that applied or refused each (`content list`), and each
//! kiosk's content and push stream (`content status`). Everything a kiosk sent is shown without
//! control characters and cut short: a stolen kiosk could send anything.

use crate::content_shelf::PublishedVersion;
use crate::rollout::Rollout;
use crate::storage::KioskRow;
use citizen_window_protocol::heartbeat::Heartbeat;

/// The most characters of a kiosk's own words shown.
const SHOWN_CHARS: usize = 200;

/// Text from a kiosk, safe for a terminal: no control characters, no bidirectional overrides
/// (which could make a line read as another).
pub fn printable(text: &str) -> String {
    let bidi = |c: char| matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    text.chars().filter(|c| !c.is_control() && !bidi(*c)).take(SHOWN_CHARS).collect()
}

/// How many of a kiosk's refusals are shown.
pub const REFUSALS_SHOWN: usize = 5;

/// "v3, stream connected", "folder, stream down (why)", "v3 (clock behind), …".
pub fn kiosk_content(heartbeat: &Heartbeat) -> String {
    let version = heartbeat.content_version.map_or("folder".to_string(), |v| format!("v{v}"));
    let Some(report) = &heartbeat.content else { return version };
    let clock = if report.clock_behind { " (clock behind)" } else { "" };
    let stream = match &report.stream_detail {
        Some(detail) => format!("stream {} ({})", printable(&report.stream), printable(detail)),
        None => format!("stream {}", printable(&report.stream)),
    };
    let repaired = match report.repaired_files {
        0 => String::new(),
        n => format!(", {n} files repaired"),
    };
    format!("{version}{clock}, {stream}{repaired}")
}

/// `content list`: a line per published version, newest first, with its kiosks.
pub fn version_lines(versions: &[PublishedVersion], kiosks: &[KioskRow], rollouts: &[Rollout]) -> Vec<String> {
    let heartbeats: Vec<&Heartbeat> =
        kiosks.iter().filter(|k| k.revoked_at_ms.is_none()).filter_map(|k| k.last_heartbeat.as_ref()).collect();
    versions
        .iter()
        .map(|v| {
            let whom = if v.groups.is_empty() { "every kiosk".to_string() } else { v.groups.join(", ") };
            let applied = heartbeats.iter().filter(|h| h.content_version == Some(v.version)).count();
            let prefix = format!("version {}:", v.version);
            let refused = heartbeats.iter().filter(|h| h.rejected_bundles.iter().any(|r| r.starts_with(&prefix))).count();
            let rollout = rollouts.iter().find(|r| r.versions.contains(&v.version)).map_or(String::new(), |r| {
                let state = match (&r.stopped, r.is_done()) {
                    (Some(why), _) => format!("STOPPED: {why}"),
                    (None, true) => "done".to_string(),
                    (None, false) => format!("stage {} of {}", r.reached, r.stages.len()),
                };
                format!("  rollout of v{}: {state}", r.first_version())
            });
            format!(
                "version {:<5} for {whom:<24} {:>3} files {:>10} bytes  signed {}  expires {}  shown by {applied}, refused by {refused}{rollout}",
                v.version,
                v.files,
                v.bytes,
                day_and_time(v.signed_at_ms),
                day_and_time(v.expires_at_ms),
            )
        })
        .collect()
}

/// `content status`: a line per kiosk, and its refusals under it; `now_ms` dates the heartbeats.
pub fn kiosk_lines(kiosks: &[KioskRow], now_ms: i64) -> Vec<String> {
    let mut lines = Vec::new();
    for kiosk in kiosks {
        let label = printable(kiosk.label.as_deref().unwrap_or_default());
        let revoked = if kiosk.revoked_at_ms.is_some() { "  REVOKED" } else { "" };
        let (Some(heartbeat), Some(at)) = (&kiosk.last_heartbeat, kiosk.last_heartbeat_ms) else {
            lines.push(format!("{}  {label:<24} no heartbeat yet{revoked}", kiosk.kiosk_id));
            continue;
        };
        let age = format!("heartbeat {} s ago", (now_ms - at).max(0) / 1000);
        let versions = heartbeat.content.as_ref().map_or(String::new(), |c| {
            let previous = c.previous_version.map_or("none".to_string(), |v| format!("v{v}"));
            format!(", previous {previous}, highest accepted v{}", c.highest_version)
        });
        let group = heartbeat.content.as_ref().map_or("-".to_string(), |c| match c.group.as_str() {
            "" => "(no group)".to_string(),
            group => printable(group),
        });
        lines.push(format!(
            "{}  {label:<24} group {group:<12} {}{versions}  ({age}){revoked}",
            kiosk.kiosk_id,
            kiosk_content(heartbeat)
        ));
        for refused in heartbeat.rejected_bundles.iter().take(REFUSALS_SHOWN) {
            lines.push(format!("    refused {}", printable(refused)));
        }
    }
    lines
}

/// The day and time in China Standard Time.
fn day_and_time(ms: i64) -> String {
    citizen_window_protocol::china_time::date_time_text(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use citizen_window_protocol::heartbeat::ContentReport;

    #[test]
    fn a_kiosks_content_is_one_phrase_and_what_it_sent_is_made_safe() {
        let mut heartbeat: Heartbeat = serde_json::from_value(serde_json::json!({
            "sent_at_ms": 0, "devices": [], "backlog": 0, "oldest_pending_ms": null, "content_version": 3,
            "software_version": "0", "free_disk_bytes": null, "rejected_bundles": ["version 4: bad\u{1b}[31m signature"]
        }))
        .unwrap();
        assert_eq!(kiosk_content(&heartbeat), "v3");
        heartbeat.content = Some(ContentReport {
            stream: "down".into(),
            stream_detail: Some("nothing heard for 60 s".into()),
            clock_behind: true,
            repaired_files: 2,
            ..Default::default()
        });
        assert_eq!(
            kiosk_content(&heartbeat),
            "v3 (clock behind), stream down (nothing heard for 60 s), 2 files repaired"
        );
        let row = KioskRow {
            kiosk_id: "k-1".into(),
            label: Some("东门".into()),
            enrolled_at_ms: 0,
            last_heartbeat_ms: Some(0),
            last_heartbeat: Some(heartbeat),
            highest_contiguous_seq: 0,
            revoked_at_ms: None,
            certificate_ends_ms: None,
            help_call: None,
        };
        let lines = kiosk_lines(&[row], 5_000);
        assert!(lines[0].contains("group (no group)") && lines[0].contains("v3"), "{lines:?}");
        assert!(lines[0].contains("highest accepted v0") && lines[0].contains("heartbeat 5 s ago"), "{lines:?}");
        assert_eq!(lines[1], "    refused version 4: bad[31m signature", "no escape character reaches the terminal");
        assert_eq!(printable("ok\u{202e}evil"), "okevil", "no bidirectional override either");
    }
}
