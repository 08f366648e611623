//! PostgreSQL storage of the console's staff accounts, their wrong passwords, their sessions, and
//! the audit log:
//! the same answers as SQLite's (`sqlite/staff.rs`).

use super::super::{AuditEntry, SessionRow, StaffRow, StorageError};
use super::PostgresStorage;

fn staff_row(r: &tokio_postgres::Row) -> StaffRow {
    StaffRow {
        name: r.get(0),
        role: r.get(1),
        password_hash: r.get(2),
        created_at_ms: r.get(3),
        disabled_at_ms: r.get(4),
    }
}

const STAFF_COLUMNS: &str = "SELECT name, role, password_hash, created_at_ms, disabled_at_ms FROM staff";

impl PostgresStorage {
    pub async fn add_staff(&self, name: &str, role: &str, hash: &str, now_ms: i64) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        let added = client
            .execute(
                "INSERT INTO staff (name, role, password_hash, created_at_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name) DO NOTHING",
                &[&name, &role, &hash, &now_ms],
            )
            .await?;
        Ok(added == 1)
    }

    pub async fn set_staff_password(&self, name: &str, hash: &str) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        Ok(client.execute("UPDATE staff SET password_hash = $2 WHERE name = $1", &[&name, &hash]).await? == 1)
    }

    pub async fn disable_staff(&self, name: &str, now_ms: i64) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        let changed = client
            .execute(
                "UPDATE staff SET disabled_at_ms = COALESCE(disabled_at_ms, $2) WHERE name = $1",
                &[&name, &now_ms],
            )
            .await?;
        Ok(changed == 1)
    }

    pub async fn staff_member(&self, name: &str) -> Result<Option<StaffRow>, StorageError> {
        let client = self.pool.get().await?;
        let row = client.query_opt(&format!("{STAFF_COLUMNS} WHERE name = $1"), &[&name]).await?;
        Ok(row.as_ref().map(staff_row))
    }

    pub async fn staff_list(&self) -> Result<Vec<StaffRow>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(&format!("{STAFF_COLUMNS} ORDER BY name"), &[]).await?;
        Ok(rows.iter().map(staff_row).collect())
    }

    pub async fn note_sign_in_failure(&self, name: &str, now_ms: i64, window_ms: i64) -> Result<u32, StorageError> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "INSERT INTO sign_in_failures (name, failures, last_at_ms) VALUES ($1, 1, $2)
                 ON CONFLICT (name) DO UPDATE SET
                     failures = CASE WHEN sign_in_failures.last_at_ms <= $2 - $3 THEN 1
                                     ELSE sign_in_failures.failures + 1 END,
                     last_at_ms = $2
                 RETURNING failures",
                &[&name, &now_ms, &window_ms],
            )
            .await?;
        Ok(row.get::<_, i64>(0) as u32)
    }

    pub async fn sign_in_failures(&self, name: &str) -> Result<(u32, i64), StorageError> {
        let client = self.pool.get().await?;
        let row =
            client.query_opt("SELECT failures, last_at_ms FROM sign_in_failures WHERE name = $1", &[&name]).await?;
        Ok(row.map_or((0, 0), |r| (r.get::<_, i64>(0) as u32, r.get(1))))
    }

    pub async fn clear_sign_in_failures(&self, name: &str) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client.execute("DELETE FROM sign_in_failures WHERE name = $1", &[&name]).await?;
        Ok(())
    }

    pub async fn open_session(&self, row: &SessionRow) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO console_sessions (token_hash, name, csrf, created_at_ms, last_seen_ms) VALUES ($1, $2, $3, $4, $5)",
                &[&row.token_hash, &row.name, &row.csrf, &row.created_at_ms, &row.last_seen_ms],
            )
            .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StorageError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT token_hash, name, csrf, created_at_ms, last_seen_ms FROM console_sessions WHERE token_hash = $1",
                &[&token_hash],
            )
            .await?;
        Ok(row.map(|r| SessionRow {
            token_hash: r.get(0),
            name: r.get(1),
            csrf: r.get(2),
            created_at_ms: r.get(3),
            last_seen_ms: r.get(4),
        }))
    }

    pub async fn touch_session(&self, token_hash: &str, now_ms: i64) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE console_sessions SET last_seen_ms = GREATEST(last_seen_ms, $2) WHERE token_hash = $1",
                &[&token_hash, &now_ms],
            )
            .await?;
        Ok(())
    }

    pub async fn close_session(&self, token_hash: &str) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client.execute("DELETE FROM console_sessions WHERE token_hash = $1", &[&token_hash]).await?;
        Ok(())
    }

    pub async fn prune_console(
        &self,
        failures_before: i64,
        idle_before: i64,
        opened_before: i64,
    ) -> Result<u64, StorageError> {
        let client = self.pool.get().await?;
        let failures =
            client.execute("DELETE FROM sign_in_failures WHERE last_at_ms < $1", &[&failures_before]).await?;
        let sessions = client
            .execute(
                "DELETE FROM console_sessions WHERE last_seen_ms < $1 OR created_at_ms < $2",
                &[&idle_before, &opened_before],
            )
            .await?;
        Ok(failures + sessions)
    }

    pub async fn audit(&self, entry: &AuditEntry) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO audit_log (at_ms, staff, action, detail) VALUES ($1, $2, $3, $4)",
                &[&entry.at_ms, &entry.staff, &entry.action, &entry.detail],
            )
            .await?;
        Ok(())
    }

    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client
            .query("SELECT at_ms, staff, action, detail FROM audit_log ORDER BY id DESC LIMIT $1", &[&i64::from(limit)])
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry { at_ms: r.get(0), staff: r.get(1), action: r.get(2), detail: r.get(3) })
            .collect())
    }
}
