//! The journal: every transaction the kiosk confirms to a resident, in a SQLite file (WAL,
//! `synchronous=FULL`), committed before the UI shows success or the printer starts. Records are
//! never updated in place: acknowledgements, receipt outcomes and sync attempts are new rows.
//! Time comes in as an argument (milliseconds since the Unix epoch).

mod acknowledgements;
mod browsing;
mod delivery;
mod error;
mod receipts;
mod recording;
mod schema;
mod sync_log;

pub use browsing::{Delivery, RecordStanding};
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
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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

    pub fn last_seq(&mut self) -> Result<u64, JournalError> {
        // sqlite_sequence survives pruning, so this is the last number ever given out.
        self.conn
            .query_row("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'transactions'), 0)", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|v| v as u64)
            .map_err(|e| self.fail(e))
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

/// Where the kiosk keeps its journal in its state folder.
pub fn journal_path(state_dir: &Path) -> std::path::PathBuf {
    state_dir.join("journal.sqlite")
}

/// SQLite's own check of the journal at `path` (`PRAGMA integrity_check`), read-only: what it
/// found wrong, if anything (`kioskctl doctor`).
pub fn integrity_check(path: &Path) -> Result<(), String> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open it: {e}"))?;
    conn.busy_timeout(std::time::Duration::from_secs(2)).map_err(|e| e.to_string())?;
    let mut statement = conn.prepare("PRAGMA integrity_check").map_err(|e| e.to_string())?;
    let found: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| e.to_string())?;
    if found == ["ok"] { Ok(()) } else { Err(found.into_iter().take(5).collect::<Vec<_>>().join("; ")) }
}

/// Milliseconds since the Unix epoch, for callers at the edge that read the clock.
pub use citizen_window_protocol::china_time::unix_now_ms as now_ms;

#[cfg(test)]
mod tests;
