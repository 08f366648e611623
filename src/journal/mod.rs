//! The journal: every transaction the kiosk confirms to a resident, in a SQLite file (WAL,
//! `synchronous=FULL`), committed before the UI shows success or the printer starts. Records are
//! never updated in place: acknowledgements, receipt outcomes and sync attempts are new rows.
//! Time comes in as an argument (milliseconds since the Unix epoch).

mod delivery;
mod error;
mod schema;

pub use error::JournalError;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use uuid::Uuid;

/// Whether the transaction promises a printed receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptPlan {
    NotNeeded,
    /// The intent is journaled with the transaction; the outcome follows in its own commit.
    Intended,
}

/// A transaction to record. The payload must hold no ID number, name or address; a vote's
/// resident is their ID number sealed for the server (`resident_key`), nothing else is.
#[derive(Debug, Clone)]
pub struct NewTransaction<'a> {
    pub kind: &'a str,
    pub payload: &'a serde_json::Value,
    pub resident: Option<&'a str>,
    pub receipt: ReceiptPlan,
}

/// What the caller gets back, only once the commit is durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub id: Uuid,
    pub seq: u64,
    pub payload_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalRecord {
    pub seq: u64,
    pub id: Uuid,
    pub kind: String,
    /// The JSON text exactly as journaled and hashed.
    pub payload: Payload,
    pub payload_hash: String,
    pub resident: Option<String>,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptState {
    NotNeeded,
    /// Printing was intended and no outcome is known yet.
    Intended,
    Printed,
    /// The printer did not confirm: offer a reprint marked as a copy.
    Unconfirmed,
    Reprinted,
}

/// What `kioskctl sync status` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncStatus {
    pub last_seq: u64,
    pub acknowledged_through: u64,
    pub pending: u64,
    pub oldest_pending_ms: Option<i64>,
    pub last_success_ms: Option<i64>,
    pub last_error: Option<(i64, String)>,
    /// Records the server refused for good, kept aside; with the latest reason.
    pub refused: u64,
    pub last_refusal: Option<(u64, String)>,
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
    /// Set after a failure that must stop new transactions until a technician acts.
    refusing: Option<JournalError>,
}

/// How long a writer waits for another process (kioskctl) holding the database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Sync attempts kept for the status command.
const SYNC_EVENTS_KEPT: i64 = 500;

pub use citizen_window_protocol::sync::{MAX_PAYLOAD_BYTES, Payload, payload_hash};

impl Journal {
    /// Opens (creating if needed) the journal at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let fail = |e: rusqlite::Error| JournalError::from_sqlite(path, &e).refine();
        // Readable by the kiosk's user alone, even where an older version left it open.
        citizen_window_protocol::private_files::keep_sqlite_private(path)
            .map_err(|e| JournalError::CannotOpen { path: path.to_path_buf(), message: e.to_string() })?;
        let conn = Connection::open(path).map_err(fail)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(JournalError::Other {
                path: path.to_path_buf(),
                message: format!("journal_mode is {mode}, not WAL"),
            });
        }
        // Set explicitly, not left to the build's default: a commit reaches the disk before it returns.
        conn.pragma_update(None, "synchronous", "FULL").map_err(fail)?;
        let synchronous: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).map_err(fail)?;
        if synchronous != 2 {
            return Err(JournalError::Other {
                path: path.to_path_buf(),
                message: format!("synchronous is {synchronous}, not FULL"),
            });
        }
        let mut journal = Self { conn, path: path.to_path_buf(), refusing: None };
        journal.migrate()?;
        Ok(journal)
    }

    fn fail(&mut self, e: rusqlite::Error) -> JournalError {
        let error = JournalError::from_sqlite(&self.path, &e).refine();
        if error.is_permanent() {
            tracing::error!(%error, "journal refuses new transactions");
            self.refusing = Some(error.clone());
        }
        error
    }

    fn migrate(&mut self) -> Result<(), JournalError> {
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.fail(e))?;
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let tx = self.conn.transaction().map_err(|e| JournalError::from_sqlite(&self.path, &e))?;
            tx.execute_batch(sql).map_err(|e| JournalError::from_sqlite(&self.path, &e))?;
            tx.pragma_update(None, "user_version", index as i64 + 1)
                .map_err(|e| JournalError::from_sqlite(&self.path, &e))?;
            tx.commit().map_err(|e| JournalError::from_sqlite(&self.path, &e))?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `None` when the journal takes transactions; otherwise why it refuses them.
    pub fn refusal(&self) -> Option<&JournalError> {
        self.refusing.as_ref()
    }

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

    /// The highest sequence number the server has acknowledged (0 before the first).
    pub fn acknowledged_through(&mut self) -> Result<u64, JournalError> {
        self.conn
            .query_row("SELECT COALESCE(MAX(through_seq), 0) FROM acknowledgements", [], |r| r.get::<_, i64>(0))
            .map(|v| v as u64)
            .map_err(|e| self.fail(e))
    }

    pub fn last_seq(&mut self) -> Result<u64, JournalError> {
        // sqlite_sequence survives pruning, so this is the last number ever given out.
        self.conn
            .query_row("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'transactions'), 0)", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|v| v as u64)
            .map_err(|e| self.fail(e))
    }

    /// Up to `limit` unacknowledged records, in sequence order.
    pub fn pending(&mut self, limit: usize) -> Result<Vec<JournalRecord>, JournalError> {
        let through = self.acknowledged_through()?;
        self.records_after(through, limit)
    }

    pub fn get(&mut self, seq: u64) -> Result<JournalRecord, JournalError> {
        let result = self
            .conn
            .query_row(
                "SELECT seq, id, kind, payload, payload_hash, resident, created_at_ms FROM transactions WHERE seq = ?1",
                params![seq as i64],
                row_to_record,
            )
            .optional();
        result.map_err(|e| self.fail(e))?.ok_or(JournalError::NoSuchRecord(seq))
    }

    /// The records of one kind created at or after `since_ms`, in sequence order (today's queue
    /// tickets, for the next number).
    pub fn records_of_kind_since(&mut self, kind: &str, since_ms: i64) -> Result<Vec<JournalRecord>, JournalError> {
        let result = (|| {
            let mut stmt = self.conn.prepare_cached(
                "SELECT seq, id, kind, payload, payload_hash, resident, created_at_ms
                 FROM transactions WHERE kind = ?1 AND created_at_ms >= ?2 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![kind, since_ms], row_to_record)?;
            rows.collect::<Result<Vec<_>, _>>()
        })();
        result.map_err(|e| self.fail(e))
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
        Ok(match (needed, event.as_deref()) {
            (false, _) => ReceiptState::NotNeeded,
            (true, None) => ReceiptState::Intended,
            (true, Some("printed")) => ReceiptState::Printed,
            (true, Some("reprinted")) => ReceiptState::Reprinted,
            (true, Some(_)) => ReceiptState::Unconfirmed,
        })
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

    /// Deletes acknowledged records created before `cutoff_ms`. Unacknowledged records are never
    /// pruned, however old, and neither are records the server refused.
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
            tx.commit()?;
            Ok(pruned)
        })();
        result.map_err(|e| self.fail(e))
    }

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

fn row_to_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<JournalRecord> {
    let id_text: String = row.get(1)?;
    let payload_text: String = row.get(3)?;
    let conversion = |e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e)
    };
    Ok(JournalRecord {
        seq: row.get::<_, i64>(0)? as u64,
        id: Uuid::parse_str(&id_text).map_err(|e| conversion(Box::new(e)))?,
        kind: row.get(2)?,
        payload: Payload::from_text(payload_text).map_err(|e| conversion(Box::new(e)))?,
        payload_hash: row.get(4)?,
        resident: row.get(5)?,
        created_at_ms: row.get(6)?,
    })
}

/// A UUIDv7 for the time given (random low bits), so that ids sort by creation.
fn uuid_v7(now_ms: i64) -> Uuid {
    let ms = now_ms.max(0) as u64;
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, ((ms % 1000) * 1_000_000) as u32);
    Uuid::new_v7(ts)
}

/// Milliseconds since the Unix epoch, for callers at the edge that read the clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests;
