//! How the community office handles a resident's issue report (报事报修): received → assigned →
//! in progress → resolved, or rejected, each move with a note the resident reads at the kiosk's
//! status lookup. A report moves only forward, and once resolved or rejected it is closed; a report
//! left open too long is overdue.

/// A report's status, as the kiosks' API and the database write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportStatus {
    Received,
    Assigned,
    InProgress,
    Resolved,
    Rejected,
}

pub const ALL: [ReportStatus; 5] = [
    ReportStatus::Received,
    ReportStatus::Assigned,
    ReportStatus::InProgress,
    ReportStatus::Resolved,
    ReportStatus::Rejected,
];

/// The longest note, in characters: the kiosk shows it on one screen.
pub const NOTE_LIMIT: usize = 200;
/// A report not yet assigned this long after it arrived is overdue.
pub const ASSIGN_WITHIN_MS: i64 = 24 * 3_600_000;
/// A report still open this long after it arrived is overdue.
pub const CLOSE_WITHIN_MS: i64 = 72 * 3_600_000;

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Received => "received",
            ReportStatus::Assigned => "assigned",
            ReportStatus::InProgress => "in_progress",
            ReportStatus::Resolved => "resolved",
            ReportStatus::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Its words on the console.
    pub fn words(self) -> &'static str {
        match self {
            ReportStatus::Received => "已受理 received",
            ReportStatus::Assigned => "已派单 assigned",
            ReportStatus::InProgress => "处理中 in progress",
            ReportStatus::Resolved => "已办结 resolved",
            ReportStatus::Rejected => "不予受理 rejected",
        }
    }

    /// Whether the report still waits for the office.
    pub fn is_open(self) -> bool {
        !matches!(self, ReportStatus::Resolved | ReportStatus::Rejected)
    }

    /// The statuses a report in this one may move to.
    pub fn next(self) -> Vec<ReportStatus> {
        if !self.is_open() {
            return Vec::new();
        }
        ALL.into_iter().filter(|s| *s > self).collect()
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefusal {
    #[error("a report that is {} cannot become {}: reports only move forward, and a closed one stays closed", .from.as_str(), .to.as_str())]
    Backwards { from: ReportStatus, to: ReportStatus },
    #[error("a note is at most {NOTE_LIMIT} characters, without control characters other than line breaks: shorten it")]
    BadNote,
    #[error("say in the note why the report is rejected: the resident reads it at the kiosk")]
    RejectedWithoutNote,
}

/// Checks a move from `from` to `to` with `note`; returns the note as it is kept (trimmed).
pub fn check_move(from: ReportStatus, to: ReportStatus, note: &str) -> Result<String, MoveRefusal> {
    if !from.next().contains(&to) {
        return Err(MoveRefusal::Backwards { from, to });
    }
    let note = note.trim().replace("\r\n", "\n");
    if note.chars().count() > NOTE_LIMIT || note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(MoveRefusal::BadNote);
    }
    if to == ReportStatus::Rejected && note.is_empty() {
        return Err(MoveRefusal::RejectedWithoutNote);
    }
    Ok(note)
}

/// Whether a report in `status`, received at `received_at_ms`, is overdue at `now_ms`.
pub fn overdue(status: ReportStatus, received_at_ms: i64, now_ms: i64) -> bool {
    let age = now_ms - received_at_ms;
    (status == ReportStatus::Received && age > ASSIGN_WITHIN_MS) || (status.is_open() && age > CLOSE_WITHIN_MS)
}

#[cfg(test)]
mod tests {
    use super::ReportStatus::*;
    use super::*;

    #[test]
    fn reports_move_forward_and_stay_closed() {
        assert_eq!(Received.next(), [Assigned, InProgress, Resolved, Rejected]);
        assert_eq!(InProgress.next(), [Resolved, Rejected]);
        assert!(Resolved.next().is_empty() && Rejected.next().is_empty());
        assert_eq!(check_move(Received, Assigned, "  王师傅 "), Ok("王师傅".into()));
        assert_eq!(
            check_move(InProgress, Assigned, ""),
            Err(MoveRefusal::Backwards { from: InProgress, to: Assigned })
        );
        assert!(check_move(Resolved, Rejected, "x").is_err());
        assert_eq!(check_move(Received, Rejected, " "), Err(MoveRefusal::RejectedWithoutNote));
        assert_eq!(check_move(Received, Resolved, &"长".repeat(201)), Err(MoveRefusal::BadNote));
        assert_eq!(check_move(Received, Resolved, "a\u{1b}[2J"), Err(MoveRefusal::BadNote));
        assert_eq!(check_move(Received, Resolved, "第一行\r\n第二行"), Ok("第一行\n第二行".into()));
        for status in ALL {
            assert_eq!(ReportStatus::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn open_reports_become_overdue() {
        let hour = 3_600_000;
        assert!(!overdue(Received, 0, 23 * hour));
        assert!(overdue(Received, 0, 25 * hour), "not assigned within a day");
        assert!(!overdue(Assigned, 0, 71 * hour));
        assert!(overdue(InProgress, 0, 73 * hour), "open over three days");
        assert!(!overdue(Resolved, 0, 1000 * hour));
    }
}
