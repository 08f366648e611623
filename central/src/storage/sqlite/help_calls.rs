//! SQLite storage of the calls for staff (`storage::help_calls`).

use super::super::StorageError;
use super::super::help_calls::{
    SQLITE_ANSWER as ANSWER, SQLITE_NEW_CALL as NEW_CALL, SQLITE_ONE_CALL as ONE_CALL, SQLITE_OPEN_CALL as OPEN_CALL,
    SQLITE_SUPERSEDE as SUPERSEDE,
};
use super::SqliteStorage;
use citizen_window_protocol::help::HelpCall;
use rusqlite::{OptionalExtension, params};

fn call(r: &rusqlite::Row) -> rusqlite::Result<HelpCall> {
    Ok(HelpCall { call_id: r.get(0)?, called_at_ms: r.get(1)?, reply: r.get(2)?, answered_at_ms: r.get(3)? })
}

impl SqliteStorage {
    pub async fn call_for_help(
        &self,
        kiosk_id: &str,
        new_id: &str,
        now_ms: i64,
        open_since_ms: i64,
    ) -> Result<HelpCall, StorageError> {
        let (kiosk_id, new_id) = (kiosk_id.to_string(), new_id.to_string());
        self.with(move |c| {
            // Immediate: it reads, then writes; a deferred transaction that another writer
            // overtook between the two would fail with "busy" instead of waiting its turn.
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let open = tx.prepare_cached(OPEN_CALL)?.query_row(params![kiosk_id, open_since_ms], call).optional()?;
            let found = match open {
                Some(open) => open,
                None => {
                    tx.execute(SUPERSEDE, params![kiosk_id, now_ms])?;
                    tx.execute(NEW_CALL, params![new_id, kiosk_id, now_ms])?;
                    HelpCall { call_id: new_id, called_at_ms: now_ms, reply: None, answered_at_ms: None }
                }
            };
            tx.commit()?;
            Ok(found)
        })
        .await
    }

    pub async fn help_call(&self, kiosk_id: &str, call_id: &str) -> Result<Option<HelpCall>, StorageError> {
        let (kiosk_id, call_id) = (kiosk_id.to_string(), call_id.to_string());
        self.with(move |c| Ok(c.prepare_cached(ONE_CALL)?.query_row(params![kiosk_id, call_id], call).optional()?))
            .await
    }

    pub async fn answer_help_call(
        &self,
        call_id: &str,
        reply: &str,
        staff: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StorageError> {
        let (call_id, reply, staff) = (call_id.to_string(), reply.to_string(), staff.to_string());
        self.with(move |c| {
            let mut stmt = c.prepare_cached(ANSWER)?;
            Ok(stmt.query_row(params![call_id, reply, staff, now_ms], |r| r.get(0)).optional()?)
        })
        .await
    }
}
