//! Reading the journal for the technician (`kioskctl journal list|show|export`): records in
//! sequence order from a moment on, in pages, each with its receipt's fate and whether the
//! server has it; one record's receipt history.

use super::receipts::receipt_state_of;
use super::*;
use rusqlite::params;

/// Where a record stands with the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Not acknowledged yet: the link sends it.
    Pending,
    Acknowledged,
    /// Refused by the server for good, kept aside (`kioskctl sync status`).
    Refused,
}

/// A record with what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordStanding {
    pub record: JournalRecord,
    pub receipt: ReceiptState,
    pub delivery: Delivery,
}

impl Journal {
    /// How many records were created at or after `since_ms`.
    pub fn count_since(&mut self, since_ms: i64) -> Result<u64, JournalError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM transactions WHERE created_at_ms >= ?1", params![since_ms], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| self.fail(e))
    }

    /// Up to `limit` records after the sequence `after` created at or after `since_ms`, in
    /// sequence order, with their receipt's fate and delivery.
    pub fn standings(&mut self, since_ms: i64, after: u64, limit: usize) -> Result<Vec<RecordStanding>, JournalError> {
        let acknowledged = self.acknowledged_through()?;
        let result = (|| {
            let mut stmt = self.conn.prepare_cached(
                "SELECT t.seq, t.id, t.kind, t.payload, t.payload_hash, t.resident, t.created_at_ms, t.receipt_needed,
                        (SELECT event FROM receipt_events e WHERE e.seq = t.seq ORDER BY e.rowid DESC LIMIT 1),
                        EXISTS (SELECT 1 FROM sync_refusals r WHERE r.seq = t.seq)
                 FROM transactions t WHERE t.seq > ?1 AND t.created_at_ms >= ?2 ORDER BY t.seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![after as i64, since_ms, limit as i64], |row| {
                let record = row_to_record(row)?;
                let receipt = receipt_state_of(row.get(7)?, row.get::<_, Option<String>>(8)?.as_deref());
                let delivery = if row.get::<_, bool>(9)? {
                    Delivery::Refused
                } else if record.seq <= acknowledged {
                    Delivery::Acknowledged
                } else {
                    Delivery::Pending
                };
                Ok(RecordStanding { record, receipt, delivery })
            })?;
            rows.collect::<Result<Vec<_>, _>>()
        })();
        result.map_err(|e| self.fail(e))
    }

    /// One record with its standing.
    pub fn standing(&mut self, seq: u64) -> Result<RecordStanding, JournalError> {
        let found = self.standings(i64::MIN, seq.saturating_sub(1), 1)?;
        found.into_iter().find(|s| s.record.seq == seq).ok_or(JournalError::NoSuchRecord(seq))
    }

    /// What happened to a record's receipt, oldest first: (event, when).
    pub fn receipt_history(&mut self, seq: u64) -> Result<Vec<(String, i64)>, JournalError> {
        let result = (|| {
            let mut stmt =
                self.conn.prepare_cached("SELECT event, at_ms FROM receipt_events WHERE seq = ?1 ORDER BY rowid")?;
            let rows = stmt.query_map(params![seq as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<Vec<_>, _>>()
        })();
        result.map_err(|e| self.fail(e))
    }
}
