//! Calls for staff from kiosks (呼叫工作人员, `protocol::help`): one open call per kiosk at a time,
//! answered once by staff; a kiosk's new call closes its older unanswered one (marked superseded,
//! with no answer), so the console shows the call the resident is waiting on. Tables and SQL both
//! databases share; the calls are kept for the record (who answered what, when).

use super::{Storage, StorageError};
use citizen_window_protocol::help::HelpCall;

pub(super) const SQLITE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS help_calls (
    call_id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, called_at_ms INTEGER NOT NULL,
    reply TEXT, answered_by TEXT, answered_at_ms INTEGER
);
CREATE INDEX IF NOT EXISTS help_calls_by_kiosk ON help_calls (kiosk_id, called_at_ms);
CREATE INDEX IF NOT EXISTS help_calls_waiting ON help_calls (kiosk_id, called_at_ms) WHERE answered_by IS NULL;
";

pub(super) const POSTGRES_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS help_calls (
    call_id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, called_at_ms BIGINT NOT NULL,
    reply TEXT, answered_by TEXT, answered_at_ms BIGINT
);
CREATE INDEX IF NOT EXISTS help_calls_by_kiosk ON help_calls (kiosk_id, called_at_ms);
CREATE INDEX IF NOT EXISTS help_calls_waiting ON help_calls (kiosk_id, called_at_ms) WHERE answered_by IS NULL;
";

// The same statements for each database: SQLite's numbered parameters are ?N.
/// The kiosk's newest unanswered call made since `$2`.
pub(super) const POSTGRES_OPEN_CALL: &str = "SELECT call_id, called_at_ms, reply, answered_at_ms FROM help_calls
    WHERE kiosk_id = $1 AND answered_by IS NULL AND called_at_ms >= $2 ORDER BY called_at_ms DESC LIMIT 1";
pub(super) const POSTGRES_NEW_CALL: &str =
    "INSERT INTO help_calls (call_id, kiosk_id, called_at_ms) VALUES ($1, $2, $3)";
/// Closes the kiosk `$1`'s unanswered calls, superseded at `$2` by its new one.
pub(super) const POSTGRES_SUPERSEDE: &str = "UPDATE help_calls SET answered_by = '(superseded)', answered_at_ms = $2
    WHERE kiosk_id = $1 AND answered_by IS NULL";
/// A call of the kiosk `$1`, by its id `$2`.
pub(super) const POSTGRES_ONE_CALL: &str = "SELECT call_id, called_at_ms, reply, answered_at_ms FROM help_calls
    WHERE kiosk_id = $1 AND call_id = $2";
/// Answers a call not yet answered; the kiosk it came from comes back.
pub(super) const POSTGRES_ANSWER: &str = "UPDATE help_calls SET reply = $2, answered_by = $3, answered_at_ms = $4
    WHERE call_id = $1 AND answered_by IS NULL RETURNING kiosk_id";

/// The kiosk's newest unanswered call made since `?2`.
pub(super) const SQLITE_OPEN_CALL: &str = "SELECT call_id, called_at_ms, reply, answered_at_ms FROM help_calls
    WHERE kiosk_id = ?1 AND answered_by IS NULL AND called_at_ms >= ?2 ORDER BY called_at_ms DESC LIMIT 1";
pub(super) const SQLITE_NEW_CALL: &str = "INSERT INTO help_calls (call_id, kiosk_id, called_at_ms) VALUES (?1, ?2, ?3)";
/// Closes the kiosk `?1`'s unanswered calls, superseded at `?2` by its new one.
pub(super) const SQLITE_SUPERSEDE: &str = "UPDATE help_calls SET answered_by = '(superseded)', answered_at_ms = ?2
    WHERE kiosk_id = ?1 AND answered_by IS NULL";
/// A call of the kiosk `?1`, by its id `?2`.
pub(super) const SQLITE_ONE_CALL: &str = "SELECT call_id, called_at_ms, reply, answered_at_ms FROM help_calls
    WHERE kiosk_id = ?1 AND call_id = ?2";
/// Answers a call not yet answered; the kiosk it came from comes back.
pub(super) const SQLITE_ANSWER: &str = "UPDATE help_calls SET reply = ?2, answered_by = ?3, answered_at_ms = ?4
    WHERE call_id = ?1 AND answered_by IS NULL RETURNING kiosk_id";

impl Storage {
    /// The kiosk's unanswered call made since `open_since_ms`, or a new one (`new_id`, at `now_ms`).
    pub async fn call_for_help(
        &self,
        kiosk_id: &str,
        new_id: &str,
        now_ms: i64,
        open_since_ms: i64,
    ) -> Result<HelpCall, StorageError> {
        dispatch!(self, call_for_help(kiosk_id, new_id, now_ms, open_since_ms))
    }

    /// The kiosk's call `call_id`, if it made one.
    pub async fn help_call(&self, kiosk_id: &str, call_id: &str) -> Result<Option<HelpCall>, StorageError> {
        dispatch!(self, help_call(kiosk_id, call_id))
    }

    /// Answers call `call_id` with `reply`; the kiosk it came from, or `None` if there is no such
    /// unanswered call (answered meanwhile by someone else, or never made).
    pub async fn answer_help_call(
        &self,
        call_id: &str,
        reply: &str,
        staff: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StorageError> {
        dispatch!(self, answer_help_call(call_id, reply, staff, now_ms))
    }
}
