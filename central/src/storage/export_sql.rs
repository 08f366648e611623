//! A period's transactions read a page at a time for the console's export, in each database's
//! own key order (so that every page is a walk along an index, whatever the table's size), with
//! no resident: the export holds no personal data.

use serde::Serialize;

/// Where the next page starts: after this kiosk key (the database's own: SQLite's kiosk number,
/// PostgreSQL's kiosk id) and sequence number. Opaque to callers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportCursor {
    pub(super) kiosk: String,
    pub(super) seq: i64,
}

/// One exported transaction: what a spreadsheet of the period needs, no resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedTransaction {
    pub kiosk_id: String,
    pub seq: i64,
    pub id: String,
    pub kind: String,
    pub created_at_ms: i64,
    pub received_at_ms: i64,
    /// The payload as the kiosk wrote it (JSON text).
    pub payload: String,
}

pub(super) const SQLITE_EXPORT_PAGE: &str = "SELECT p.kiosk_id, t.seq, t.id, t.kind, t.created_at_ms, t.received_at_ms,
        t.payload, t.kiosk
    FROM transactions t JOIN kiosk_progress p ON p.kiosk = t.kiosk
    WHERE (t.kiosk, t.seq) > (?1, ?2) AND t.created_at_ms >= ?3 AND t.created_at_ms < ?4
    ORDER BY t.kiosk, t.seq LIMIT ?5";

pub(super) const POSTGRES_EXPORT_PAGE: &str = "SELECT kiosk_id, seq, id, kind, created_at_ms, received_at_ms, payload
    FROM transactions
    WHERE (kiosk_id, seq) > ($1, $2) AND created_at_ms >= $3 AND created_at_ms < $4
    ORDER BY kiosk_id, seq LIMIT $5";
