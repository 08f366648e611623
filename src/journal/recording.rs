//! Recording a transaction: checked against the record rules, committed durably, once per
//! once-key where one is given.

use super::*;
use rusqlite::params;

impl Journal {
    /// Records a transaction; returns only after the commit is durable.
    pub fn record(&mut self, new: &NewTransaction<'_>, now_ms: i64) -> Result<Committed, JournalError> {
        Ok(self.record_inner(new, None, now_ms)?.expect("without a once key nothing is refused"))
    }

    /// Records a transaction that may happen only once per `once_key` (one resident's vote on one
    /// proposal): `None`, and nothing recorded, if the key was recorded before. The key is kept
    /// when records are pruned.
    pub fn record_once(
        &mut self,
        new: &NewTransaction<'_>,
        once_key: &str,
        now_ms: i64,
    ) -> Result<Option<Committed>, JournalError> {
        self.record_inner(new, Some(once_key), now_ms)
    }

    fn record_inner(
        &mut self,
        new: &NewTransaction<'_>,
        once_key: Option<&str>,
        now_ms: i64,
    ) -> Result<Option<Committed>, JournalError> {
        if let Some(error) = &self.refusing {
            return Err(error.clone());
        }
        let payload_text = serde_json::to_string(new.payload).expect("JSON values serialise");
        if payload_text.len() > MAX_PAYLOAD_BYTES {
            return Err(JournalError::PayloadTooLarge { bytes: payload_text.len(), limit: MAX_PAYLOAD_BYTES });
        }
        // What the server would refuse is never recorded: it could not be delivered.
        let resident = new.resident;
        if let Some(reason) = citizen_window_protocol::record_rules::content_refusal(new.kind, &payload_text, resident)
        {
            return Err(JournalError::BreaksRecordRules { reason });
        }
        let hash = payload_hash(&payload_text);
        let id = uuid_v7(now_ms);
        let result = (|| {
            let tx = self.conn.transaction()?;
            tx.execute(
                "INSERT INTO transactions (id, kind, payload, payload_hash, resident, created_at_ms, receipt_needed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id.to_string(),
                    new.kind,
                    payload_text,
                    hash,
                    new.resident,
                    now_ms,
                    new.receipt == ReceiptPlan::Intended
                ],
            )?;
            let seq = tx.last_insert_rowid() as u64;
            if let Some(key) = once_key {
                let inserted =
                    tx.execute("INSERT OR IGNORE INTO once_keys (key, seq) VALUES (?1, ?2)", params![key, seq as i64])?;
                if inserted == 0 {
                    // Dropping the transaction rolls the record back and gives its number back.
                    return Ok(None);
                }
            }
            tx.commit()?;
            Ok(Some(seq))
        })();
        let seq = result.map_err(|e| self.fail(e))?;
        Ok(seq.map(|seq| Committed { id, seq, payload_hash: hash }))
    }

    /// The record that took `once_key`, if one did.
    pub fn once_key_seq(&mut self, once_key: &str) -> Result<Option<u64>, JournalError> {
        self.conn
            .query_row("SELECT seq FROM once_keys WHERE key = ?1", params![once_key], |r| r.get::<_, i64>(0))
            .optional()
            .map(|seq| seq.map(|seq| seq as u64))
            .map_err(|e| self.fail(e))
    }
}
