//! Receipt outcomes after the intent recorded with a transaction: printed, unconfirmed,
//! reprinted; what a restart cut off; what can be offered for reprint.

use super::*;
use rusqlite::{OptionalExtension, params};

impl Journal {
    fn receipt_event(&mut self, seq: u64, event: &str, now_ms: i64) -> Result<(), JournalError> {
        self.get(seq)?;
        self.conn
            .execute(
                "INSERT INTO receipt_events (seq, event, at_ms) VALUES (?1, ?2, ?3)",
                params![seq as i64, event, now_ms],
            )
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    pub fn receipt_printed(&mut self, seq: u64, now_ms: i64) -> Result<(), JournalError> {
        self.receipt_event(seq, "printed", now_ms)
    }

    pub fn receipt_unconfirmed(&mut self, seq: u64, now_ms: i64) -> Result<(), JournalError> {
        self.receipt_event(seq, "unconfirmed", now_ms)
    }

    /// A copy was printed and confirmed after an unconfirmed receipt.
    pub fn receipt_reprinted(&mut self, seq: u64, now_ms: i64) -> Result<(), JournalError> {
        self.receipt_event(seq, "reprinted", now_ms)
    }

    pub fn receipt_state(&mut self, seq: u64) -> Result<ReceiptState, JournalError> {
        let result = self
            .conn
            .query_row(
                "SELECT t.receipt_needed,
                        (SELECT event FROM receipt_events e WHERE e.seq = t.seq ORDER BY e.rowid DESC LIMIT 1)
                 FROM transactions t WHERE t.seq = ?1",
                params![seq as i64],
                |r| Ok((r.get::<_, bool>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .optional();
        let (needed, event) = result.map_err(|e| self.fail(e))?.ok_or(JournalError::NoSuchRecord(seq))?;
        Ok(receipt_state_of(needed, event.as_deref()))
    }

    /// At start-up: every receipt that was intended but has no outcome was cut off by a crash or a
    /// power cut; it becomes unconfirmed, to be offered for reprint. Returns their sequence numbers.
    pub fn recover_unconfirmed_receipts(&mut self, now_ms: i64) -> Result<Vec<u64>, JournalError> {
        let result = (|| {
            let tx = self.conn.transaction()?;
            let seqs: Vec<u64> = {
                let mut stmt = tx.prepare(
                    "SELECT seq FROM transactions t WHERE receipt_needed = 1
                     AND NOT EXISTS (SELECT 1 FROM receipt_events e WHERE e.seq = t.seq) ORDER BY seq",
                )?;
                stmt.query_map([], |r| r.get::<_, i64>(0).map(|v| v as u64))?.collect::<Result<_, _>>()?
            };
            for seq in &seqs {
                tx.execute(
                    "INSERT INTO receipt_events (seq, event, at_ms) VALUES (?1, 'unconfirmed', ?2)",
                    params![*seq as i64, now_ms],
                )?;
            }
            tx.commit()?;
            Ok(seqs)
        })();
        result.map_err(|e| self.fail(e))
    }

    /// Records whose receipt is unconfirmed now, for the reprint (补打) list.
    pub fn unconfirmed_receipts(&mut self) -> Result<Vec<JournalRecord>, JournalError> {
        let result = (|| {
            let mut stmt = self.conn.prepare(
                "SELECT seq, id, kind, payload, payload_hash, resident, created_at_ms FROM transactions t
                 WHERE receipt_needed = 1
                 AND (SELECT event FROM receipt_events e WHERE e.seq = t.seq ORDER BY e.rowid DESC LIMIT 1) = 'unconfirmed'
                 ORDER BY seq",
            )?;
            let rows = stmt.query_map([], row_to_record)?;
            rows.collect::<Result<Vec<_>, _>>()
        })();
        result.map_err(|e| self.fail(e))
    }
}

/// A receipt's state from whether one was intended and its latest event.
pub(super) fn receipt_state_of(needed: bool, latest_event: Option<&str>) -> ReceiptState {
    match (needed, latest_event) {
        (false, _) => ReceiptState::NotNeeded,
        (true, None) => ReceiptState::Intended,
        (true, Some("printed")) => ReceiptState::Printed,
        (true, Some("reprinted")) => ReceiptState::Reprinted,
        (true, Some(_)) => ReceiptState::Unconfirmed,
    }
}
