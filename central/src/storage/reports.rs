//! Issue reports as the community office handles them: a `reports` row per report, filed by a
//! trigger in the very transaction that stores the report's record (so none is missed, whichever
//! way it arrived), its status moved by staff with a note (`report_updates` keeps each move). The
//! tables and triggers of both databases are here, with what they are read into.

use super::kind_sql::const_str_concat;
use citizen_window_protocol::record_rules::kinds;
use serde::Serialize;

/// One report: where and what, and how the office stands with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    pub tracking_number: String,
    pub kiosk_id: String,
    pub received_at_ms: i64,
    /// When the resident made it (the kiosk's clock).
    pub reported_at_ms: i64,
    pub category: String,
    /// Chinese, English.
    pub category_name: (String, String),
    pub place: String,
    pub place_name: (String, String),
    /// `report_workflow::ReportStatus` as text.
    pub status: String,
    /// The last note for the resident (empty: none).
    pub note: String,
    pub updated_at_ms: i64,
}

/// One move of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportUpdate {
    pub at_ms: i64,
    pub staff: String,
    pub status: String,
    pub note: String,
}

/// Which reports a list shows, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// Only reports in this status.
    pub status: Option<String>,
    /// Only reports still open (received, assigned, in progress).
    pub open_only: bool,
    /// Only reports from this place (its id).
    pub place: Option<String>,
    /// Only reports received before this (older than an age).
    pub received_before_ms: Option<i64>,
    /// Only overdue reports: not assigned before the first moment, or open before the second.
    pub overdue_before_ms: Option<(i64, i64)>,
    /// The page after this report (its received time and tracking number).
    pub after: Option<(i64, String)>,
    pub limit: u32,
}

/// What became of a move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportMove {
    Moved,
    NotFound,
    /// Someone moved it meanwhile: its status now.
    Changed(String),
}

/// A name pair as stored (a JSON array), read back; anything else reads as empty.
pub(super) fn name_pair(json: &str) -> (String, String) {
    serde_json::from_str(json).unwrap_or_default()
}

const OPEN: &str = "('received', 'assigned', 'in_progress')";

pub(super) const SQLITE_SCHEMA: &str = const_str_concat!(
    r#"
CREATE TABLE IF NOT EXISTS reports (
    tracking_number TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, received_at_ms INTEGER NOT NULL,
    reported_at_ms INTEGER NOT NULL, category TEXT NOT NULL, category_name TEXT NOT NULL, place TEXT NOT NULL,
    place_name TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'received', note TEXT NOT NULL DEFAULT '',
    updated_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_by_age ON reports (received_at_ms, tracking_number);
CREATE INDEX IF NOT EXISTS reports_by_status ON reports (status, received_at_ms);
CREATE INDEX IF NOT EXISTS reports_by_place ON reports (place, received_at_ms);
CREATE TABLE IF NOT EXISTS report_updates (
    tracking_number TEXT NOT NULL, at_ms INTEGER NOT NULL, staff TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS report_updates_by_report ON report_updates (tracking_number, at_ms);
CREATE TRIGGER IF NOT EXISTS file_report AFTER INSERT ON transactions
WHEN NEW.kind = '"#,
    kinds::ISSUE_REPORT,
    r#"' AND json_extract(NEW.payload, '$.tracking_number') IS NOT NULL
BEGIN
    INSERT INTO reports (tracking_number, kiosk_id, received_at_ms, reported_at_ms, category, category_name, place,
                         place_name, updated_at_ms)
    SELECT json_extract(NEW.payload, '$.tracking_number'), p.kiosk_id, NEW.received_at_ms, NEW.created_at_ms,
           COALESCE(json_extract(NEW.payload, '$.category'), ''),
           COALESCE(json_extract(NEW.payload, '$.category_name'), '[]'),
           COALESCE(json_extract(NEW.payload, '$.place'), ''), COALESCE(json_extract(NEW.payload, '$.place_name'), '[]'),
           NEW.received_at_ms
    FROM kiosk_progress p WHERE p.kiosk = NEW.kiosk
    ON CONFLICT DO NOTHING;
END;
-- Reports stored before the table was: filed once, when it is new.
INSERT INTO reports (tracking_number, kiosk_id, received_at_ms, reported_at_ms, category, category_name, place,
                     place_name, updated_at_ms)
SELECT json_extract(t.payload, '$.tracking_number'), p.kiosk_id, t.received_at_ms, t.created_at_ms,
       COALESCE(json_extract(t.payload, '$.category'), ''), COALESCE(json_extract(t.payload, '$.category_name'), '[]'),
       COALESCE(json_extract(t.payload, '$.place'), ''), COALESCE(json_extract(t.payload, '$.place_name'), '[]'),
       t.received_at_ms
FROM transactions t JOIN kiosk_progress p ON p.kiosk = t.kiosk
WHERE t.kind = '"#,
    kinds::ISSUE_REPORT,
    r#"' AND json_extract(t.payload, '$.tracking_number') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reports)
ON CONFLICT DO NOTHING;
"#
);

pub(super) const POSTGRES_SCHEMA: &str = const_str_concat!(
    r#"
CREATE TABLE IF NOT EXISTS reports (
    tracking_number TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, received_at_ms BIGINT NOT NULL,
    reported_at_ms BIGINT NOT NULL, category TEXT NOT NULL, category_name TEXT NOT NULL, place TEXT NOT NULL,
    place_name TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'received', note TEXT NOT NULL DEFAULT '',
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_by_age ON reports (received_at_ms, tracking_number);
CREATE INDEX IF NOT EXISTS reports_by_status ON reports (status, received_at_ms);
CREATE INDEX IF NOT EXISTS reports_by_place ON reports (place, received_at_ms);
CREATE TABLE IF NOT EXISTS report_updates (
    tracking_number TEXT NOT NULL, at_ms BIGINT NOT NULL, staff TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS report_updates_by_report ON report_updates (tracking_number, at_ms);
CREATE OR REPLACE FUNCTION citizen_window_file_report() RETURNS trigger LANGUAGE plpgsql AS $file$
DECLARE
    body jsonb := NEW.payload::jsonb;
BEGIN
    IF body ->> 'tracking_number' IS NOT NULL THEN
        INSERT INTO reports (tracking_number, kiosk_id, received_at_ms, reported_at_ms, category, category_name, place,
                             place_name, updated_at_ms)
        VALUES (body ->> 'tracking_number', NEW.kiosk_id, NEW.received_at_ms, NEW.created_at_ms,
                COALESCE(body ->> 'category', ''), COALESCE(body -> 'category_name', '[]')::text,
                COALESCE(body ->> 'place', ''), COALESCE(body -> 'place_name', '[]')::text, NEW.received_at_ms)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$file$;
DROP TRIGGER IF EXISTS file_report ON transactions;
CREATE TRIGGER file_report AFTER INSERT ON transactions FOR EACH ROW WHEN (NEW.kind = '"#,
    kinds::ISSUE_REPORT,
    r#"')
    EXECUTE FUNCTION citizen_window_file_report();
INSERT INTO reports (tracking_number, kiosk_id, received_at_ms, reported_at_ms, category, category_name, place,
                     place_name, updated_at_ms)
SELECT payload::jsonb ->> 'tracking_number', kiosk_id, received_at_ms, created_at_ms,
       COALESCE(payload::jsonb ->> 'category', ''), COALESCE(payload::jsonb -> 'category_name', '[]')::text,
       COALESCE(payload::jsonb ->> 'place', ''), COALESCE(payload::jsonb -> 'place_name', '[]')::text, received_at_ms
FROM transactions
WHERE kind = '"#,
    kinds::ISSUE_REPORT,
    r#"' AND payload::jsonb ->> 'tracking_number' IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reports)
ON CONFLICT DO NOTHING;
"#
);

/// The columns of a [`ReportRow`].
pub(super) const REPORT_COLUMNS: &str = "SELECT tracking_number, kiosk_id, received_at_ms, reported_at_ms, category,
    category_name, place, place_name, status, note, updated_at_ms FROM reports";

/// A page of reports: `?1` status, `?2` open only, `?3` place, `?4` received before, `?5`/`?6`
/// overdue (not assigned before, open before), `?7`/`?8` after (received, tracking number), `?9`
/// how many.
pub(super) const SQLITE_REPORT_PAGE: &str = const_str_concat!(
    REPORT_COLUMNS,
    " WHERE (?1 IS NULL OR status = ?1) AND (?2 = 0 OR status IN ",
    OPEN,
    ") AND (?3 IS NULL OR place = ?3) AND (?4 IS NULL OR received_at_ms < ?4)
    AND (?5 IS NULL OR (status = 'received' AND received_at_ms < ?5) OR (status IN ",
    OPEN,
    " AND received_at_ms < ?6))
    AND (?7 IS NULL OR (received_at_ms, tracking_number) < (?7, ?8))
    ORDER BY received_at_ms DESC, tracking_number DESC LIMIT ?9"
);

pub(super) const POSTGRES_REPORT_PAGE: &str = const_str_concat!(
    REPORT_COLUMNS,
    " WHERE ($1::TEXT IS NULL OR status = $1) AND (NOT $2::BOOL OR status IN ",
    OPEN,
    ") AND ($3::TEXT IS NULL OR place = $3) AND ($4::BIGINT IS NULL OR received_at_ms < $4)
    AND ($5::BIGINT IS NULL OR (status = 'received' AND received_at_ms < $5) OR (status IN ",
    OPEN,
    " AND received_at_ms < $6::BIGINT))
    AND ($7::BIGINT IS NULL OR (received_at_ms, tracking_number) < ($7, $8::TEXT))
    ORDER BY received_at_ms DESC, tracking_number DESC LIMIT $9"
);

/// How many reports are in each status (both databases).
pub(super) const REPORT_COUNTS: &str = "SELECT status, COUNT(*) FROM reports GROUP BY status ORDER BY status";

/// How many reports are overdue: not assigned before `$1`, or open before `$2` (both databases).
pub(super) const OVERDUE_COUNT: &str = const_str_concat!(
    "SELECT COUNT(*) FROM reports WHERE (status = 'received' AND received_at_ms < $1) OR (status IN ",
    OPEN,
    " AND received_at_ms < $2)"
);

/// Each place reports came from, with its name (both databases).
pub(super) const REPORT_PLACES: &str = "SELECT place, MIN(place_name) FROM reports GROUP BY place ORDER BY place";
