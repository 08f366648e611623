//! PostgreSQL storage of the kiosks' heartbeats, histories, certificates' ends and labels; each
//! change is announced on [`FLEET_CHANNEL`], so that every server instance's console shows it.

use super::super::kind_sql::const_str_concat;
use super::super::{
    FLEET_CHANNEL, HISTORY_KEPT_MS, HeartbeatArrival, HistoryEntry, KIOSK_HISTORY, KIOSK_ROWS, KioskRow,
    PRUNE_KIOSK_HISTORY, StorageError, history_entries,
};
use super::PostgresStorage;

/// Tells every server instance on the database that `kiosk_id` changed.
pub(super) async fn tell_instances(
    client: &impl deadpool_postgres::GenericClient,
    kiosk_id: &str,
) -> Result<(), StorageError> {
    client.execute("SELECT pg_notify($1, $2)", &[&FLEET_CHANNEL, &kiosk_id]).await?;
    Ok(())
}

fn kiosk_row(r: &tokio_postgres::Row) -> KioskRow {
    let body: Option<String> = r.get(4);
    KioskRow {
        kiosk_id: r.get(0),
        label: r.get(1),
        enrolled_at_ms: r.get(2),
        last_heartbeat_ms: r.get(3),
        last_heartbeat: body.and_then(|b| serde_json::from_str(&b).ok()),
        highest_contiguous_seq: r.get::<_, i64>(5) as u64,
        revoked_at_ms: r.get(6),
        certificate_ends_ms: r.get(7),
        help_call: r.get::<_, Option<String>>(8).zip(r.get::<_, Option<i64>>(9)),
    }
}

impl PostgresStorage {
    pub async fn save_heartbeat(&self, a: &HeartbeatArrival<'_>) -> Result<(), StorageError> {
        let body = serde_json::to_string(a.heartbeat).expect("serialises");
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let previous = tx
            .query_opt("SELECT received_at_ms FROM heartbeats WHERE kiosk_id = $1 FOR UPDATE", &[&a.kiosk_id])
            .await?
            .map(|r| r.get::<_, i64>(0));
        let last = tx
            .query_opt(
                "SELECT condition FROM kiosk_history WHERE kiosk_id = $1 ORDER BY at_ms DESC LIMIT 1",
                &[&a.kiosk_id],
            )
            .await?
            .map(|r| r.get::<_, String>(0));
        let entries = history_entries(previous, last, &a.condition, a.at_ms, a.offline_after_ms);
        for entry in &entries {
            tx.execute(
                "INSERT INTO kiosk_history (kiosk_id, at_ms, condition) VALUES ($1, $2, $3)",
                &[&a.kiosk_id, &entry.at_ms, &entry.condition],
            )
            .await?;
        }
        if !entries.is_empty() {
            tx.execute(PRUNE_KIOSK_HISTORY, &[&a.kiosk_id, &(a.at_ms - HISTORY_KEPT_MS)]).await?;
        }
        tx.execute(
            "INSERT INTO heartbeats (kiosk_id, received_at_ms, body) VALUES ($1, $2, $3)
             ON CONFLICT (kiosk_id) DO UPDATE SET received_at_ms = excluded.received_at_ms, body = excluded.body",
            &[&a.kiosk_id, &a.at_ms, &body],
        )
        .await?;
        if let Some(end) = a.certificate_ends_ms {
            tx.execute(
                "INSERT INTO kiosk_certificates (kiosk_id, not_after_ms) VALUES ($1, $2)
                 ON CONFLICT (kiosk_id) DO UPDATE SET not_after_ms = excluded.not_after_ms
                 WHERE kiosk_certificates.not_after_ms <> excluded.not_after_ms",
                &[&a.kiosk_id, &end],
            )
            .await?;
        }
        // Delivered when the transaction commits, and only then.
        tell_instances(&tx, a.kiosk_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn kiosk(&self, kiosk_id: &str) -> Result<Option<KioskRow>, StorageError> {
        let client = self.pool.get().await?;
        let statement = client.prepare_cached(const_str_concat!(KIOSK_ROWS, " WHERE k.kiosk_id = $1")).await?;
        Ok(client.query_opt(&statement, &[&kiosk_id]).await?.as_ref().map(kiosk_row))
    }

    pub async fn kiosks(&self) -> Result<Vec<KioskRow>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(const_str_concat!(KIOSK_ROWS, " ORDER BY k.kiosk_id"), &[]).await?;
        Ok(rows.iter().map(kiosk_row).collect())
    }

    pub async fn kiosk_history(&self, kiosk_id: &str, since_ms: i64) -> Result<Vec<HistoryEntry>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(KIOSK_HISTORY, &[&kiosk_id, &since_ms]).await?;
        Ok(rows.iter().map(|r| HistoryEntry { at_ms: r.get(0), condition: r.get(1) }).collect())
    }

    pub async fn rename_kiosk(&self, kiosk_id: &str, label: &str) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        let renamed =
            client.execute("UPDATE kiosks SET label = $2 WHERE kiosk_id = $1", &[&kiosk_id, &label]).await? == 1;
        if renamed {
            tell_instances(&client, kiosk_id).await?;
        }
        Ok(renamed)
    }
}
