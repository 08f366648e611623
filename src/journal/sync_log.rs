//! What sync left in the journal for the technician: attempts, conflicts, refusals, and the
//! status `kioskctl sync status` shows.

use super::*;
use rusqlite::{OptionalExtension, params};

impl Journal {
    /// Notes a sync attempt for the status command; old attempts are trimmed.
    pub fn record_sync_attempt(&mut self, ok: bool, message: &str, now_ms: i64) -> Result<(), JournalError> {
        let result = (|| {
            let tx = self.conn.transaction()?;
            tx.execute(
                "INSERT INTO sync_events (at_ms, ok, message) VALUES (?1, ?2, ?3)",
                params![now_ms, ok, message],
            )?;
            tx.execute(
                "DELETE FROM sync_events WHERE rowid <= (SELECT MAX(rowid) FROM sync_events) - ?1",
                params![SYNC_EVENTS_KEPT],
            )?;
            tx.commit()
        })();
        result.map_err(|e| self.fail(e))
    }

    pub fn record_conflict(&mut self, seq: u64, id: &Uuid, reason: &str, now_ms: i64) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO sync_conflicts (seq, id, reason, at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![seq as i64, id.to_string(), reason, now_ms],
            )
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Sets aside a record the server refused for good: kept, never pruned, never sent again
    /// (the server holds a note in its place). Noting it twice changes nothing.
    pub fn record_refusal(&mut self, seq: u64, id: &Uuid, reason: &str, now_ms: i64) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO sync_refusals (seq, id, reason, at_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (seq) DO NOTHING",
                params![seq as i64, id.to_string(), reason, now_ms],
            )
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    pub fn sync_status(&mut self) -> Result<SyncStatus, JournalError> {
        let through = self.acknowledged_through()?;
        let last_seq = self.last_seq()?;
        let result = (|| {
            let oldest_pending_ms: Option<i64> = self.conn.query_row(
                "SELECT MIN(created_at_ms) FROM transactions WHERE seq > ?1",
                params![through as i64],
                |r| r.get(0),
            )?;
            let pending: i64 = self.conn.query_row(
                "SELECT COUNT(*) FROM transactions WHERE seq > ?1",
                params![through as i64],
                |r| r.get(0),
            )?;
            let last_success_ms: Option<i64> =
                self.conn.query_row("SELECT MAX(at_ms) FROM sync_events WHERE ok = 1", [], |r| r.get(0))?;
            let last_error: Option<(i64, String)> = self
                .conn
                .query_row(
                    "SELECT at_ms, message FROM sync_events WHERE ok = 0 AND at_ms >= COALESCE(?1, 0)
                     ORDER BY rowid DESC LIMIT 1",
                    params![last_success_ms],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let refused: i64 = self.conn.query_row("SELECT COUNT(*) FROM sync_refusals", [], |r| r.get(0))?;
            let last_refusal: Option<(i64, String)> = self
                .conn
                .query_row("SELECT seq, reason FROM sync_refusals ORDER BY at_ms DESC, seq DESC LIMIT 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            Ok(SyncStatus {
                last_seq,
                acknowledged_through: through,
                pending: pending as u64,
                oldest_pending_ms,
                last_success_ms,
                last_error,
                refused: refused as u64,
                last_refusal: last_refusal.map(|(seq, reason)| (seq as u64, reason)),
            })
        })();
        result.map_err(|e| self.fail(e))
    }
}
