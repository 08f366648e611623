//! The server's acknowledgements (a watermark over the sequence), what is still pending, and
//! pruning what was acknowledged long enough ago.

use super::*;
use rusqlite::params;

impl Journal {
    /// The highest sequence number the server has acknowledged (0 before the first).
    pub fn acknowledged_through(&mut self) -> Result<u64, JournalError> {
        self.conn
            .query_row("SELECT COALESCE(MAX(through_seq), 0) FROM acknowledgements", [], |r| r.get::<_, i64>(0))
            .map(|v| v as u64)
            .map_err(|e| self.fail(e))
    }

    /// Up to `limit` unacknowledged records, in sequence order.
    pub fn pending(&mut self, limit: usize) -> Result<Vec<JournalRecord>, JournalError> {
        let through = self.acknowledged_through()?;
        self.records_after(through, limit)
    }

    /// Raises the watermark to `seq`. A server claiming more than the journal ever recorded is
    /// lying or confused: that is refused, so nothing unsent is ever taken as delivered.
    pub fn acknowledge_through(&mut self, seq: u64, now_ms: i64) -> Result<bool, JournalError> {
        let last = self.last_seq()?;
        if seq > last {
            return Err(JournalError::Other {
                path: self.path.clone(),
                message: format!(
                    "the server acknowledged up to {seq} but the journal has only {last}: acknowledgement ignored"
                ),
            });
        }
        if seq <= self.acknowledged_through()? {
            return Ok(false);
        }
        self.conn
            .execute(
                "INSERT INTO acknowledgements (through_seq, acked_at_ms) VALUES (?1, ?2)",
                params![seq as i64, now_ms],
            )
            .map_err(|e| self.fail(e))?;
        Ok(true)
    }

    /// Deletes acknowledged records created before `cutoff_ms`, with their receipt outcomes and
    /// once-keys (but a vote's). Unacknowledged records are never pruned, however old, and neither
    /// are records the server refused.
    pub fn prune_acknowledged(&mut self, cutoff_ms: i64) -> Result<usize, JournalError> {
        let through = self.acknowledged_through()?;
        let result = (|| {
            let tx = self.conn.transaction()?;
            tx.execute(
                "DELETE FROM receipt_events WHERE seq IN
                 (SELECT seq FROM transactions WHERE seq <= ?1 AND created_at_ms < ?2
                  AND seq NOT IN (SELECT seq FROM sync_refusals))",
                params![through as i64, cutoff_ms],
            )?;
            let pruned = tx.execute(
                "DELETE FROM transactions WHERE seq <= ?1 AND created_at_ms < ?2
                 AND seq NOT IN (SELECT seq FROM sync_refusals)",
                params![through as i64, cutoff_ms],
            )?;
            // A paid order or a booking is not reported again months later: its key goes with its
            // record. A vote's key stays, so that a resident votes once per proposal here however
            // long the proposal stays open.
            tx.execute(
                "DELETE FROM once_keys WHERE key NOT LIKE 'vote:%' AND seq <= ?1
                 AND seq NOT IN (SELECT seq FROM transactions)",
                params![through as i64],
            )?;
            tx.commit()?;
            Ok(pruned)
        })();
        result.map_err(|e| self.fail(e))
    }
}
