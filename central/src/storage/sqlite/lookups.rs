//! Reads of the stored transactions in SQLite: the export, the ballots already cast, and when an
//! issue report arrived.

use super::super::export_sql::SQLITE_EXPORT_PAGE;
use super::super::kind_sql::{KIND_IS_ISSUE_REPORT, KIND_IS_VOTE, const_str_concat};
use super::super::{ExportCursor, ExportedTransaction, StorageError, StoredTransaction, stored_payload};
use super::SqliteStorage;
use citizen_window_protocol::sync::TransactionRecord;
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;

/// When an issue report arrived, found through the `transactions_tracking_number` index.
pub const SQLITE_ISSUE_REPORT_BY_TRACKING_NUMBER: &str = const_str_concat!(
    "SELECT received_at_ms FROM transactions
    WHERE ",
    KIND_IS_ISSUE_REPORT,
    " AND json_extract(payload, '$.tracking_number') = ?1 LIMIT 1",
);

/// The record holding a ballot, found through the `one_ballot` index.
const BALLOT_HOLDER: &str =
    const_str_concat!("SELECT id FROM transactions WHERE ", KIND_IS_VOTE, " AND resident = ?1 LIMIT 1");

impl SqliteStorage {
    pub async fn export(&self, kiosk_id: Option<&str>) -> Result<Vec<StoredTransaction>, StorageError> {
        let kiosk_id = kiosk_id.map(str::to_string);
        self.with(move |c| {
            let mut stmt = c.prepare(
                "SELECT p.kiosk_id, t.id, t.seq, t.kind, t.payload, t.payload_hash, t.resident, t.created_at_ms, t.received_at_ms
                 FROM transactions t JOIN kiosk_progress p ON p.kiosk = t.kiosk
                 WHERE (?1 IS NULL OR p.kiosk_id = ?1) ORDER BY p.kiosk_id, t.seq",
            )?;
            let mut rows = stmt.query(params![kiosk_id])?;
            let mut stored = Vec::new();
            while let Some(r) = rows.next()? {
                let id: Vec<u8> = r.get(1)?;
                let hash: Vec<u8> = r.get(5)?;
                stored.push(StoredTransaction {
                    kiosk_id: r.get(0)?,
                    received_at_ms: r.get(8)?,
                    record: TransactionRecord {
                        id: uuid::Uuid::from_slice(&id)
                            .map_err(|e| StorageError::Backend(format!("a stored transaction id is damaged: {e}")))?,
                        seq: r.get::<_, i64>(2)? as u64,
                        kind: r.get(3)?,
                        payload: stored_payload(r.get(4)?)?,
                        payload_hash: hex::encode(hash),
                        resident: r.get(6)?,
                        created_at_ms: r.get(7)?,
                    },
                });
            }
            Ok(stored)
        })
        .await
    }

    pub async fn export_page(
        &self,
        from_ms: i64,
        to_ms: i64,
        cursor: &ExportCursor,
        limit: u32,
    ) -> Result<(Vec<ExportedTransaction>, Option<ExportCursor>), StorageError> {
        let after_kiosk: i64 = cursor.kiosk.parse().unwrap_or(i64::MIN);
        let after_seq = cursor.seq;
        self.with(move |c| {
            let mut stmt = c.prepare_cached(SQLITE_EXPORT_PAGE)?;
            let mut rows = stmt.query(params![after_kiosk, after_seq, from_ms, to_ms, limit])?;
            let (mut page, mut last) = (Vec::new(), None);
            while let Some(r) = rows.next()? {
                let id: Vec<u8> = r.get(2)?;
                let seq: i64 = r.get(1)?;
                page.push(ExportedTransaction {
                    kiosk_id: r.get(0)?,
                    seq,
                    id: uuid::Uuid::from_slice(&id).map(|u| u.to_string()).unwrap_or_default(),
                    kind: r.get(3)?,
                    created_at_ms: r.get(4)?,
                    received_at_ms: r.get(5)?,
                    payload: r.get(6)?,
                });
                last = Some(ExportCursor { kiosk: r.get::<_, i64>(7)?.to_string(), seq });
            }
            let next = if page.len() as u32 == limit { last } else { None };
            Ok((page, next))
        })
        .await
    }

    /// Which of these ballots are cast, and by which record.
    pub async fn ballots_cast(&self, ballots: &[String]) -> Result<HashMap<String, uuid::Uuid>, StorageError> {
        let ballots = ballots.to_vec();
        self.with(move |c| {
            let mut holder = c.prepare_cached(BALLOT_HOLDER)?;
            let mut cast = HashMap::new();
            for ballot in ballots {
                let id: Option<Vec<u8>> = holder.query_row(params![ballot], |r| r.get(0)).optional()?;
                if let Some(id) = id.and_then(|id| uuid::Uuid::from_slice(&id).ok()) {
                    cast.insert(ballot, id);
                }
            }
            Ok(cast)
        })
        .await
    }

    pub async fn issue_report_received(&self, tracking_number: &str) -> Result<Option<i64>, StorageError> {
        let tracking_number = tracking_number.to_string();
        self.with(move |c| {
            Ok(c.query_row(SQLITE_ISSUE_REPORT_BY_TRACKING_NUMBER, params![tracking_number], |r| r.get(0))
                .optional()?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::{BALLOT_HOLDER, SQLITE_ISSUE_REPORT_BY_TRACKING_NUMBER};
    use rusqlite::Connection;

    /// The lookups name the kind as the partial indexes' conditions do, so the planner can use them.
    #[test]
    fn lookups_go_through_their_partial_indexes() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::create_or_migrate(&mut conn).unwrap();
        let plan = |query: &str| -> String {
            let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {query}")).unwrap();
            let steps: Vec<String> = explain.query_map(["x"], |r| r.get(3)).unwrap().collect::<Result<_, _>>().unwrap();
            steps.join("; ")
        };
        let ballot = plan(BALLOT_HOLDER);
        assert!(ballot.contains("USING INDEX one_ballot"), "{ballot}");
        let tracking = plan(SQLITE_ISSUE_REPORT_BY_TRACKING_NUMBER);
        assert!(tracking.contains("USING INDEX transactions_tracking_number"), "{tracking}");
    }
}
