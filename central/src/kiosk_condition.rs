//! What is wrong with a kiosk, from its last heartbeat, the heartbeat's age and its certificate:
//! each problem with a short code (kept in the kiosk's history) and its words for the console
//! (Chinese, then English). A kiosk is offline once no heartbeat came for 1.5 heartbeat intervals.

use crate::storage::KioskRow;
use citizen_window_protocol::heartbeat::Heartbeat;

/// A backlog older than this is a problem: the kiosk's records are not reaching the server.
pub const SYNC_BEHIND_MS: i64 = 3_600_000;
/// A kiosk certificate ending within this is a problem: kiosks renew theirs when a third of its
/// validity is left (months ahead), so one this close to its end has failed to renew.
pub const CERTIFICATE_WARNING_MS: i64 = 30 * 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Problem {
    Revoked,
    Offline,
    PaperOut,
    PaperJam,
    PaperLow,
    PrinterFault,
    ReaderFault,
    SyncBehind,
    ContentRefused,
    CertificateEnding,
}

const ALL: [Problem; 10] = [
    Problem::Revoked,
    Problem::Offline,
    Problem::PaperOut,
    Problem::PaperJam,
    Problem::PaperLow,
    Problem::PrinterFault,
    Problem::ReaderFault,
    Problem::SyncBehind,
    Problem::ContentRefused,
    Problem::CertificateEnding,
];

impl Problem {
    /// Its code in the kiosk's history.
    pub fn code(self) -> &'static str {
        match self {
            Problem::Revoked => "revoked",
            Problem::Offline => crate::storage::OFFLINE_CONDITION,
            Problem::PaperOut => "paper_out",
            Problem::PaperJam => "paper_jam",
            Problem::PaperLow => "paper_low",
            Problem::PrinterFault => "printer_fault",
            Problem::ReaderFault => "reader_fault",
            Problem::SyncBehind => "sync_behind",
            Problem::ContentRefused => "content_refused",
            Problem::CertificateEnding => "certificate_ending",
        }
    }

    pub fn from_code(code: &str) -> Option<Problem> {
        ALL.into_iter().find(|p| p.code() == code)
    }

    /// Its words on the console.
    pub fn words(self) -> &'static str {
        match self {
            Problem::Revoked => "已吊销 revoked",
            Problem::Offline => "离线 offline",
            Problem::PaperOut => "缺纸 paper out",
            Problem::PaperJam => "卡纸 paper jam",
            Problem::PaperLow => "纸将用完 paper low",
            Problem::PrinterFault => "打印机故障 printer fault",
            Problem::ReaderFault => "读卡器故障 reader fault",
            Problem::SyncBehind => "同步积压 sync behind",
            Problem::ContentRefused => "内容被拒 content refused",
            Problem::CertificateEnding => "证书将到期 certificate ending",
        }
    }
}

/// The problems a heartbeat shows, received at `now_ms`.
pub fn of_heartbeat(beat: &Heartbeat, now_ms: i64) -> Vec<Problem> {
    let mut found = Vec::new();
    for device in &beat.devices {
        let printer = device.device == "receipt_printer";
        let problem = match (printer, device.status.as_str(), device.paper.as_deref()) {
            (_, "no_device", _) => None,
            (true, _, Some("out")) => Some(Problem::PaperOut),
            (true, _, Some("jammed")) => Some(Problem::PaperJam),
            (true, "online", Some("low")) => Some(Problem::PaperLow),
            (true, "online", _) => None,
            (true, _, _) => Some(Problem::PrinterFault),
            (false, "online", _) => None,
            (false, _, _) => Some(Problem::ReaderFault),
        };
        found.extend(problem);
    }
    // A kiosk's own figures may be anything (a lying kiosk): no arithmetic on them may overflow.
    if beat.oldest_pending_ms.is_some_and(|t| now_ms.saturating_sub(t) > SYNC_BEHIND_MS) {
        found.push(Problem::SyncBehind);
    }
    if !beat.rejected_bundles.is_empty() {
        found.push(Problem::ContentRefused);
    }
    found.sort();
    found.dedup();
    found
}

/// How a kiosk stands in its history: its problems' codes, comma-separated (empty: all well).
pub fn history_text(problems: &[Problem]) -> String {
    problems.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")
}

/// The problems of a history entry; codes this server does not know are left out.
pub fn from_history_text(text: &str) -> Vec<Problem> {
    text.split(',').filter_map(Problem::from_code).collect()
}

/// How long after its last heartbeat a kiosk counts as offline.
pub fn offline_after_ms(heartbeat_interval_ms: i64) -> i64 {
    heartbeat_interval_ms * 3 / 2
}

/// Whether a kiosk counts as online at `now_ms`: not revoked, a heartbeat within 1.5 intervals.
pub fn online(kiosk: &KioskRow, now_ms: i64, heartbeat_interval_ms: i64) -> bool {
    kiosk.revoked_at_ms.is_none()
        && kiosk.last_heartbeat_ms.is_some_and(|t| now_ms.saturating_sub(t) <= offline_after_ms(heartbeat_interval_ms))
}

/// Everything wrong with a kiosk at `now_ms`; a revoked kiosk is only that.
pub fn of_kiosk(kiosk: &KioskRow, now_ms: i64, heartbeat_interval_ms: i64) -> Vec<Problem> {
    if kiosk.revoked_at_ms.is_some() {
        return vec![Problem::Revoked];
    }
    let mut found = Vec::new();
    if !online(kiosk, now_ms, heartbeat_interval_ms) {
        found.push(Problem::Offline);
    }
    if let Some(beat) = &kiosk.last_heartbeat {
        found.extend(of_heartbeat(beat, now_ms));
    }
    if kiosk.certificate_ends_ms.is_some_and(|end| end.saturating_sub(now_ms) < CERTIFICATE_WARNING_MS) {
        found.push(Problem::CertificateEnding);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_its_problem() {
        for problem in ALL {
            assert_eq!(Problem::from_code(problem.code()), Some(problem));
        }
        let text = history_text(&[Problem::Offline, Problem::PaperOut]);
        assert_eq!(text, "offline,paper_out");
        assert_eq!(from_history_text(&text), [Problem::Offline, Problem::PaperOut]);
        assert_eq!(from_history_text(""), []);
        assert_eq!(from_history_text("a_newer_code,paper_low"), [Problem::PaperLow]);
    }

    #[test]
    fn a_lying_kiosk_s_figures_overflow_nothing() {
        let beat = Heartbeat {
            sent_at_ms: i64::MIN,
            devices: Vec::new(),
            backlog: u64::MAX,
            oldest_pending_ms: Some(i64::MIN),
            content_version: Some(u64::MAX),
            software_version: String::new(),
            free_disk_bytes: None,
            rejected_bundles: Vec::new(),
            content: None,
            refused_records: 0,
        };
        assert_eq!(of_heartbeat(&beat, i64::MAX), [Problem::SyncBehind]);
    }
}
