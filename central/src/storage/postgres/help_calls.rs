//! PostgreSQL storage of the calls for staff (`storage::help_calls`); a new call and an answer are
//! announced on the fleet channel, so that every instance's console shows them at once.

use super::super::StorageError;
use super::super::help_calls::{
    POSTGRES_ANSWER as ANSWER, POSTGRES_NEW_CALL as NEW_CALL, POSTGRES_ONE_CALL as ONE_CALL,
    POSTGRES_OPEN_CALL as OPEN_CALL, POSTGRES_SUPERSEDE as SUPERSEDE,
};
use super::PostgresStorage;
use super::fleet::tell_instances;
use citizen_window_protocol::help::HelpCall;

fn call(r: &tokio_postgres::Row) -> HelpCall {
    HelpCall { call_id: r.get(0), called_at_ms: r.get(1), reply: r.get(2), answered_at_ms: r.get(3) }
}

impl PostgresStorage {
    pub async fn call_for_help(
        &self,
        kiosk_id: &str,
        new_id: &str,
        now_ms: i64,
        open_since_ms: i64,
    ) -> Result<HelpCall, StorageError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // One kiosk's calls one at a time: two taps at once make one call.
        tx.execute("SELECT pg_advisory_xact_lock(727275, hashtext($1))", &[&kiosk_id]).await?;
        let found = match tx.query_opt(OPEN_CALL, &[&kiosk_id, &open_since_ms]).await? {
            Some(open) => call(&open),
            None => {
                tx.execute(SUPERSEDE, &[&kiosk_id, &now_ms]).await?;
                tx.execute(NEW_CALL, &[&new_id, &kiosk_id, &now_ms]).await?;
                tell_instances(&tx, kiosk_id).await?;
                HelpCall { call_id: new_id.to_string(), called_at_ms: now_ms, reply: None, answered_at_ms: None }
            }
        };
        tx.commit().await?;
        Ok(found)
    }

    pub async fn help_call(&self, kiosk_id: &str, call_id: &str) -> Result<Option<HelpCall>, StorageError> {
        let client = self.pool.get().await?;
        Ok(client.query_opt(ONE_CALL, &[&kiosk_id, &call_id]).await?.as_ref().map(call))
    }

    pub async fn answer_help_call(
        &self,
        call_id: &str,
        reply: &str,
        staff: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StorageError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let kiosk: Option<String> = tx.query_opt(ANSWER, &[&call_id, &reply, &staff, &now_ms]).await?.map(|r| r.get(0));
        if let Some(kiosk_id) = &kiosk {
            tell_instances(&tx, kiosk_id).await?;
        }
        tx.commit().await?;
        Ok(kiosk)
    }
}
