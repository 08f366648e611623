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
    /// The kiosk's label, if it has one.
    pub kiosk_label: Option<String>,
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
-- The open reports, newest first, however many are closed (the condition is OPEN's words).
CREATE INDEX IF NOT EXISTS reports_open ON reports (received_at_ms, tracking_number)
    WHERE status IN ('received', 'assigned', 'in_progress');
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
-- The open reports, newest first, however many are closed (the condition is OPEN's words).
CREATE INDEX IF NOT EXISTS reports_open ON reports (received_at_ms, tracking_number)
    WHERE status IN ('received', 'assigned', 'in_progress');
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
    category_name, place, place_name, status, note, updated_at_ms,
    (SELECT label FROM kiosks k WHERE k.kiosk_id = reports.kiosk_id) FROM reports";

/// A value a page's query binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Bound {
    Text(String),
    Int(i64),
}

/// The query of a page of reports, with only the conditions `f` asks for (so that each database
/// walks the index that fits: by status, by place or by age), and its values in order;
/// `placeholder(n)` spells the n-th (`?n` or `$n`). SQLite's planner is told to walk the open
/// reports' index for the open reports alone (it would rather sort every open report).
pub(super) fn report_page_sql(
    f: &ReportFilter,
    placeholder: fn(usize) -> String,
    sqlite: bool,
) -> (String, Vec<Bound>) {
    let mut values = Vec::new();
    let mut next = |value: Bound| {
        values.push(value);
        placeholder(values.len())
    };
    let mut conditions = Vec::new();
    if let Some(status) = &f.status {
        conditions.push(format!("status = {}", next(Bound::Text(status.clone()))));
    }
    if f.open_only {
        conditions.push(format!("status IN {OPEN}"));
    }
    if let Some(place) = &f.place {
        conditions.push(format!("place = {}", next(Bound::Text(place.clone()))));
    }
    if let Some(before) = f.received_before_ms {
        conditions.push(format!("received_at_ms < {}", next(Bound::Int(before))));
    }
    if let Some((not_assigned, open)) = f.overdue_before_ms {
        let (a, b) = (next(Bound::Int(not_assigned)), next(Bound::Int(open)));
        conditions.push(format!(
            "((status = 'received' AND received_at_ms < {a}) OR (status IN {OPEN} AND received_at_ms < {b}))"
        ));
    }
    if let Some((ms, number)) = &f.after {
        let (ms, number) = (next(Bound::Int(*ms)), next(Bound::Text(number.clone())));
        conditions.push(format!("(received_at_ms, tracking_number) < ({ms}, {number})"));
    }
    let limit = next(Bound::Int(i64::from(f.limit)));
    let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let mut columns = REPORT_COLUMNS.to_string();
    if sqlite && f.open_only && f.status.is_none() && f.place.is_none() {
        columns.push_str(" INDEXED BY reports_open");
    }
    (format!("{columns}{filter} ORDER BY received_at_ms DESC, tracking_number DESC LIMIT {limit}"), values)
}

/// How many reports are in each status (both databases).
pub(super) const REPORT_COUNTS: &str = "SELECT status, COUNT(*) FROM reports GROUP BY status ORDER BY status";

/// How many reports are overdue: not assigned before `$1`, or still open (assigned, in
/// progress) before `$2`: each a range of the `reports_by_status` index (both databases).
pub(super) const OVERDUE_COUNT: &str = "SELECT
    (SELECT COUNT(*) FROM reports WHERE status = 'received' AND received_at_ms < $1)
  + (SELECT COUNT(*) FROM reports WHERE status = 'assigned' AND received_at_ms < $2)
  + (SELECT COUNT(*) FROM reports WHERE status = 'in_progress' AND received_at_ms < $2)";

/// Each place reports came from, with its name: the index by place walked from one place to the
/// next, so that it costs the places, not the reports (both databases).
pub(super) const REPORT_PLACES: &str = "WITH RECURSIVE places (place) AS (
        SELECT MIN(place) FROM reports
        UNION ALL
        SELECT (SELECT MIN(r.place) FROM reports r WHERE r.place > places.place) FROM places WHERE places.place IS NOT NULL
    )
    SELECT place, (SELECT place_name FROM reports r WHERE r.place = places.place LIMIT 1) FROM places
    WHERE place IS NOT NULL";
