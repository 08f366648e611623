//! Where delivery starts under the kiosk's current identity. The server's watermark can be below
//! the journal's: a server restored from a backup has lost records it once acknowledged, and a
//! kiosk enrolled again is a new kiosk to the server. So the uploader sends from the server's
//! value, and tells the server the floor below which nothing will ever come under this identity:
//! records delivered under an earlier one, or acknowledged and pruned here.

use super::{Journal, JournalError, JournalRecord, row_to_record};
use rusqlite::{OptionalExtension, params};

impl Journal {
    /// Up to `limit` records after sequence number `after`, in order.
    pub fn records_after(&mut self, after: u64, limit: usize) -> Result<Vec<JournalRecord>, JournalError> {
        let result = (|| {
            let mut stmt = self.conn.prepare_cached(
                "SELECT seq, id, kind, payload, payload_hash, resident, created_at_ms
                 FROM transactions WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after as i64, limit as i64], row_to_record)?;
            rows.collect::<Result<Vec<_>, _>>()
        })();
        result.map_err(|e| self.fail(e))
    }

    /// The highest sequence number that will never be sent under `kiosk_id`: the watermark when
    /// this identity was first used if it is a new one (what came before went under an earlier
    /// identity), or below the oldest record still held (the rest were acknowledged and pruned),
    /// whichever is higher. An identity is new when `made_since_recorded` (its enrolment was
    /// recorded with a time) or another identity was used before it; otherwise it is the one that
    /// made the acknowledgements already in the journal, and starts from 0.
    pub fn delivery_floor(&mut self, kiosk_id: &str, made_since_recorded: bool) -> Result<u64, JournalError> {
        let watermark = self.acknowledged_through()?;
        let last = self.last_seq()?;
        let result = (|| {
            let others: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM identity_bases WHERE kiosk_id <> ?1)",
                params![kiosk_id],
                |r| r.get(0),
            )?;
            let base = if made_since_recorded || others { watermark } else { 0 };
            self.conn.execute(
                "INSERT INTO identity_bases (kiosk_id, base_seq) VALUES (?1, ?2) ON CONFLICT (kiosk_id) DO NOTHING",
                params![kiosk_id, base as i64],
            )?;
            let base: i64 = self.conn.query_row(
                "SELECT base_seq FROM identity_bases WHERE kiosk_id = ?1",
                params![kiosk_id],
                |r| r.get(0),
            )?;
            // Records the server refused are kept here for ever: they say nothing about what was pruned.
            let oldest: Option<i64> = self
                .conn
                .query_row(
                    "SELECT MIN(seq) FROM transactions WHERE seq NOT IN (SELECT seq FROM sync_refusals)",
                    [],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let held_from = oldest.map_or(last, |seq| (seq as u64).saturating_sub(1));
            Ok((base as u64).max(held_from.min(watermark)))
        })();
        result.map_err(|e: rusqlite::Error| self.fail(e))
    }
}
