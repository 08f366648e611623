//! SQLite storage of the console's staff accounts, their wrong passwords, their sessions, and
//! the audit log.

use super::super::{AuditEntry, SessionRow, StaffRow, StorageError};
use super::SqliteStorage;
use rusqlite::{OptionalExtension, params};

fn staff_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StaffRow> {
    Ok(StaffRow {
        name: r.get(0)?,
        role: r.get(1)?,
        password_hash: r.get(2)?,
        created_at_ms: r.get(3)?,
        disabled_at_ms: r.get(4)?,
    })
}

const STAFF_COLUMNS: &str = "SELECT name, role, password_hash, created_at_ms, disabled_at_ms FROM staff";

impl SqliteStorage {
    pub async fn add_staff(&self, name: &str, role: &str, hash: &str, now_ms: i64) -> Result<bool, StorageError> {
        let (name, role, hash) = (name.to_string(), role.to_string(), hash.to_string());
        self.with(move |c| {
            Ok(c.execute(
                "INSERT INTO staff (name, role, password_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO NOTHING",
                params![name, role, hash, now_ms],
            )? == 1)
        })
        .await
    }

    pub async fn set_staff_password(&self, name: &str, hash: &str) -> Result<bool, StorageError> {
        let (name, hash) = (name.to_string(), hash.to_string());
        self.with(move |c| {
            Ok(c.execute("UPDATE staff SET password_hash = ?2 WHERE name = ?1", params![name, hash])? == 1)
        })
        .await
    }

    pub async fn disable_staff(&self, name: &str, now_ms: i64) -> Result<bool, StorageError> {
        let name = name.to_string();
        self.with(move |c| {
            Ok(c.execute(
                "UPDATE staff SET disabled_at_ms = COALESCE(disabled_at_ms, ?2) WHERE name = ?1",
                params![name, now_ms],
            )? == 1)
        })
        .await
    }

    pub async fn staff_member(&self, name: &str) -> Result<Option<StaffRow>, StorageError> {
        let name = name.to_string();
        self.with(move |c| {
            Ok(c.query_row(&format!("{STAFF_COLUMNS} WHERE name = ?1"), params![name], staff_row).optional()?)
        })
        .await
    }

    pub async fn staff_list(&self) -> Result<Vec<StaffRow>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!("{STAFF_COLUMNS} ORDER BY name"))?;
            let rows = stmt.query_map([], staff_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    pub async fn note_sign_in_failure(&self, name: &str, now_ms: i64, window_ms: i64) -> Result<u32, StorageError> {
        let name = name.to_string();
        self.with(move |c| {
            let failures: i64 = c.query_row(
                "INSERT INTO sign_in_failures (name, failures, last_at_ms) VALUES (?1, 1, ?2)
                 ON CONFLICT (name) DO UPDATE SET
                     failures = CASE WHEN sign_in_failures.last_at_ms <= ?2 - ?3 THEN 1
                                     ELSE sign_in_failures.failures + 1 END,
                     last_at_ms = ?2
                 RETURNING failures",
                params![name, now_ms, window_ms],
                |r| r.get(0),
            )?;
            Ok(failures as u32)
        })
        .await
    }

    pub async fn sign_in_failures(&self, name: &str) -> Result<(u32, i64), StorageError> {
        let name = name.to_string();
        self.with(move |c| {
            let found = c
                .query_row("SELECT failures, last_at_ms FROM sign_in_failures WHERE name = ?1", params![name], |r| {
                    Ok((r.get::<_, i64>(0)? as u32, r.get(1)?))
                })
                .optional()?;
            Ok(found.unwrap_or((0, 0)))
        })
        .await
    }

    pub async fn clear_sign_in_failures(&self, name: &str) -> Result<(), StorageError> {
        let name = name.to_string();
        self.with(move |c| {
            c.execute("DELETE FROM sign_in_failures WHERE name = ?1", params![name])?;
            Ok(())
        })
        .await
    }

    pub async fn open_session(&self, row: &SessionRow) -> Result<(), StorageError> {
        let row = row.clone();
        self.with(move |c| {
            c.execute(
                "INSERT INTO console_sessions (token_hash, name, csrf, created_at_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![row.token_hash, row.name, row.csrf, row.created_at_ms, row.last_seen_ms],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StorageError> {
        let token_hash = token_hash.to_string();
        self.with(move |c| {
            Ok(c.query_row(
                "SELECT token_hash, name, csrf, created_at_ms, last_seen_ms FROM console_sessions WHERE token_hash = ?1",
                params![token_hash],
                |r| {
                    Ok(SessionRow {
                        token_hash: r.get(0)?,
                        name: r.get(1)?,
                        csrf: r.get(2)?,
                        created_at_ms: r.get(3)?,
                        last_seen_ms: r.get(4)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    pub async fn touch_session(&self, token_hash: &str, now_ms: i64) -> Result<(), StorageError> {
        let token_hash = token_hash.to_string();
        self.with(move |c| {
            c.execute(
                "UPDATE console_sessions SET last_seen_ms = MAX(last_seen_ms, ?2) WHERE token_hash = ?1",
                params![token_hash, now_ms],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn close_session(&self, token_hash: &str) -> Result<(), StorageError> {
        let token_hash = token_hash.to_string();
        self.with(move |c| {
            c.execute("DELETE FROM console_sessions WHERE token_hash = ?1", params![token_hash])?;
            Ok(())
        })
        .await
    }

    pub async fn prune_console(
        &self,
        failures_before: i64,
        idle_before: i64,
        opened_before: i64,
    ) -> Result<u64, StorageError> {
        self.with(move |c| {
            let failures = c.execute("DELETE FROM sign_in_failures WHERE last_at_ms < ?1", params![failures_before])?;
            let sessions = c.execute(
                "DELETE FROM console_sessions WHERE last_seen_ms < ?1 OR created_at_ms < ?2",
                params![idle_before, opened_before],
            )?;
            Ok((failures + sessions) as u64)
        })
        .await
    }

    pub async fn audit(&self, entry: &AuditEntry) -> Result<(), StorageError> {
        let entry = entry.clone();
        self.with(move |c| {
            c.execute(
                "INSERT INTO audit_log (at_ms, staff, action, detail) VALUES (?1, ?2, ?3, ?4)",
                params![entry.at_ms, entry.staff, entry.action, entry.detail],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
        self.with(move |c| {
            let mut stmt =
                c.prepare("SELECT at_ms, staff, action, detail FROM audit_log ORDER BY rowid DESC LIMIT ?1")?;
            let rows = stmt.query_map(params![limit], |r| {
                Ok(AuditEntry { at_ms: r.get(0)?, staff: r.get(1)?, action: r.get(2)?, detail: r.get(3)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
