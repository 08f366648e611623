//! SQLite storage of the fleet's kiosks: enrolment tokens, enrolled kiosks and their revocation,
//! their last heartbeats, the kiosk register and its listing; the fleet's facts.

use super::super::{KIOSK_STANDINGS, KioskRow, StorageError};
use super::SqliteStorage;
use citizen_window_protocol::heartbeat::Heartbeat;
use rusqlite::{OptionalExtension, params};

impl SqliteStorage {
    pub async fn fleet_fact(&self, name: &str, first_value: &str) -> Result<String, StorageError> {
        let (name, first_value) = (name.to_string(), first_value.to_string());
        self.with(move |c| {
            c.execute(
                "INSERT INTO fleet_facts (name, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![name, first_value],
            )?;
            Ok(c.query_row("SELECT value FROM fleet_facts WHERE name = ?1", params![name], |r| r.get(0))?)
        })
        .await
    }

    pub async fn create_enrol_token(&self, token_hash: &str, expires_at_ms: i64) -> Result<(), StorageError> {
        let token_hash = token_hash.to_string();
        self.with(move |c| {
            c.execute(
                "INSERT INTO enrol_tokens (token_hash, expires_at_ms) VALUES (?1, ?2)",
                params![token_hash, expires_at_ms],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn enrol_token_usable(&self, token_hash: &str, now_ms: i64) -> Result<bool, StorageError> {
        let token_hash = token_hash.to_string();
        self.with(move |c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM enrol_tokens WHERE token_hash = ?1 AND used_by IS NULL AND expires_at_ms > ?2)",
                params![token_hash, now_ms],
                |r| r.get(0),
            )?)
        })
        .await
    }

    pub async fn enrol_kiosk(
        &self,
        token_hash: &str,
        kiosk_id: &str,
        label: Option<&str>,
        now_ms: i64,
    ) -> Result<Option<u32>, StorageError> {
        let (token_hash, kiosk_id, label) = (token_hash.to_string(), kiosk_id.to_string(), label.map(str::to_string));
        self.with(move |c| {
            let tx = c.transaction()?;
            let used = tx.execute(
                "UPDATE enrol_tokens SET used_by = ?1 WHERE token_hash = ?2 AND used_by IS NULL AND expires_at_ms > ?3",
                params![kiosk_id, token_hash, now_ms],
            )?;
            if used != 1 {
                return Ok(None);
            }
            tx.execute(
                "INSERT INTO kiosks (kiosk_id, label, enrolled_at_ms) VALUES (?1, ?2, ?3)",
                params![kiosk_id, label, now_ms],
            )?;
            // Kiosks are never deleted (revoked ones stay), so the rowid counts them in order.
            let number = tx.last_insert_rowid();
            tx.commit()?;
            Ok(Some(number as u32))
        })
        .await
    }

    pub async fn save_heartbeat(&self, kiosk_id: &str, heartbeat: &Heartbeat, now_ms: i64) -> Result<(), StorageError> {
        let (kiosk_id, body) = (kiosk_id.to_string(), serde_json::to_string(heartbeat).expect("serialises"));
        self.with(move |c| {
            c.execute(
                "INSERT INTO heartbeats (kiosk_id, received_at_ms, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kiosk_id) DO UPDATE SET received_at_ms = excluded.received_at_ms, body = excluded.body",
                params![kiosk_id, now_ms, body],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn kiosk_standings(&self) -> Result<Vec<(String, Option<i64>)>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(KIOSK_STANDINGS)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub async fn kiosk_standing(&self, kiosk_id: &str) -> Result<Option<Option<i64>>, StorageError> {
        let kiosk_id = kiosk_id.to_string();
        self.with(move |c| {
            Ok(c.query_row(
                "SELECT r.revoked_at_ms FROM kiosks k LEFT JOIN revoked_kiosks r ON r.kiosk_id = k.kiosk_id WHERE k.kiosk_id = ?1",
                params![kiosk_id],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    pub async fn revoke_kiosk(&self, kiosk_id: &str, now_ms: i64) -> Result<bool, StorageError> {
        let kiosk_id = kiosk_id.to_string();
        self.with(move |c| {
            Ok(c.execute(
                "INSERT INTO revoked_kiosks (kiosk_id, revoked_at_ms) SELECT kiosk_id, ?2 FROM kiosks WHERE kiosk_id = ?1
                 ON CONFLICT (kiosk_id) DO NOTHING",
                params![kiosk_id, now_ms],
            )? == 1
                || c.query_row("SELECT EXISTS (SELECT 1 FROM revoked_kiosks WHERE kiosk_id = ?1)", params![kiosk_id], |r| {
                    r.get(0)
                })?)
        })
        .await
    }

    pub async fn kiosks(&self) -> Result<Vec<KioskRow>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT k.kiosk_id, k.label, k.enrolled_at_ms, h.received_at_ms, h.body, COALESCE(p.contiguous, 0),
                        r.revoked_at_ms
                 FROM kiosks k LEFT JOIN heartbeats h ON h.kiosk_id = k.kiosk_id
                 LEFT JOIN kiosk_progress p ON p.kiosk_id = k.kiosk_id
                 LEFT JOIN revoked_kiosks r ON r.kiosk_id = k.kiosk_id ORDER BY k.kiosk_id",
            )?;
            let rows = stmt.query_map([], |r| {
                let body: Option<String> = r.get(4)?;
                Ok(KioskRow {
                    kiosk_id: r.get(0)?,
                    label: r.get(1)?,
                    enrolled_at_ms: r.get(2)?,
                    last_heartbeat_ms: r.get(3)?,
                    last_heartbeat: body.and_then(|b| serde_json::from_str(&b).ok()),
                    highest_contiguous_seq: r.get::<_, i64>(5)? as u64,
                    revoked_at_ms: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
