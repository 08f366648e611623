//! SQLite storage of the fleet's kiosks: enrolment tokens, enrolled kiosks and their revocation,
//! their last heartbeats, histories and certificates' ends, the kiosk register and its listing; the
//! fleet's facts.

use super::super::kind_sql::const_str_concat;
use super::super::{
    HISTORY_KEPT_MS, HeartbeatArrival, HistoryEntry, KIOSK_HISTORY, KIOSK_ROWS, KIOSK_STANDINGS, KioskRow,
    PRUNE_KIOSK_HISTORY, StorageError, history_entries,
};
use super::SqliteStorage;
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

    pub async fn save_heartbeat(&self, arrival: &HeartbeatArrival<'_>) -> Result<(), StorageError> {
        let arrival = OwnedArrival::from(arrival);
        self.with(move |c| {
            let a = &arrival;
            let tx = c.transaction()?;
            let previous: Option<i64> = tx
                .query_row("SELECT received_at_ms FROM heartbeats WHERE kiosk_id = ?1", params![a.kiosk_id], |r| {
                    r.get(0)
                })
                .optional()?;
            let last: Option<String> = tx
                .query_row(
                    "SELECT condition FROM kiosk_history WHERE kiosk_id = ?1 ORDER BY at_ms DESC LIMIT 1",
                    params![a.kiosk_id],
                    |r| r.get(0),
                )
                .optional()?;
            let entries = history_entries(previous, last, &a.condition, a.at_ms, a.offline_after_ms);
            for entry in &entries {
                tx.execute(
                    "INSERT INTO kiosk_history (kiosk_id, at_ms, condition) VALUES (?1, ?2, ?3)",
                    params![a.kiosk_id, entry.at_ms, entry.condition],
                )?;
            }
            if !entries.is_empty() {
                tx.execute(PRUNE_KIOSK_HISTORY, params![a.kiosk_id, a.at_ms - HISTORY_KEPT_MS])?;
            }
            tx.execute(
                "INSERT INTO heartbeats (kiosk_id, received_at_ms, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kiosk_id) DO UPDATE SET received_at_ms = excluded.received_at_ms, body = excluded.body",
                params![a.kiosk_id, a.at_ms, a.body],
            )?;
            if let Some(end) = a.certificate_ends_ms {
                tx.execute(
                    "INSERT INTO kiosk_certificates (kiosk_id, not_after_ms) VALUES (?1, ?2)
                     ON CONFLICT (kiosk_id) DO UPDATE SET not_after_ms = excluded.not_after_ms
                     WHERE kiosk_certificates.not_after_ms <> excluded.not_after_ms",
                    params![a.kiosk_id, end],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub async fn kiosk(&self, kiosk_id: &str) -> Result<Option<KioskRow>, StorageError> {
        let kiosk_id = kiosk_id.to_string();
        self.with(move |c| {
            let mut stmt = c.prepare_cached(const_str_concat!(KIOSK_ROWS, " WHERE k.kiosk_id = ?1"))?;
            Ok(stmt.query_row(params![kiosk_id], kiosk_row).optional()?)
        })
        .await
    }

    pub async fn kiosk_history(&self, kiosk_id: &str, since_ms: i64) -> Result<Vec<HistoryEntry>, StorageError> {
        let kiosk_id = kiosk_id.to_string();
        self.with(move |c| {
            let mut stmt = c.prepare_cached(KIOSK_HISTORY)?;
            let rows = stmt.query_map(params![kiosk_id, since_ms], |r| {
                Ok(HistoryEntry { at_ms: r.get(0)?, condition: r.get(1)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub async fn rename_kiosk(&self, kiosk_id: &str, label: &str) -> Result<bool, StorageError> {
        let (kiosk_id, label) = (kiosk_id.to_string(), label.to_string());
        self.with(move |c| {
            Ok(c.execute("UPDATE kiosks SET label = ?2 WHERE kiosk_id = ?1", params![kiosk_id, label])? == 1)
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
            let mut stmt = c.prepare(const_str_concat!(KIOSK_ROWS, " ORDER BY k.kiosk_id"))?;
            let rows = stmt.query_map([], kiosk_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}

/// A [`KioskRow`] from the columns of [`KIOSK_ROWS`].
fn kiosk_row(r: &rusqlite::Row) -> rusqlite::Result<KioskRow> {
    let body: Option<String> = r.get(4)?;
    Ok(KioskRow {
        kiosk_id: r.get(0)?,
        label: r.get(1)?,
        enrolled_at_ms: r.get(2)?,
        last_heartbeat_ms: r.get(3)?,
        last_heartbeat: body.and_then(|b| serde_json::from_str(&b).ok()),
        highest_contiguous_seq: r.get::<_, i64>(5)? as u64,
        revoked_at_ms: r.get(6)?,
        certificate_ends_ms: r.get(7)?,
        help_call: r.get::<_, Option<String>>(8)?.zip(r.get::<_, Option<i64>>(9)?),
    })
}

/// A heartbeat's arrival as the blocking thread takes it.
struct OwnedArrival {
    kiosk_id: String,
    body: String,
    condition: String,
    certificate_ends_ms: Option<i64>,
    at_ms: i64,
    offline_after_ms: i64,
}

impl OwnedArrival {
    fn from(a: &HeartbeatArrival) -> Self {
        Self {
            kiosk_id: a.kiosk_id.to_string(),
            body: serde_json::to_string(a.heartbeat).expect("serialises"),
            condition: a.condition.clone(),
            certificate_ends_ms: a.certificate_ends_ms,
            at_ms: a.at_ms,
            offline_after_ms: a.offline_after_ms,
        }
    }
}
