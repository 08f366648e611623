//! PostgreSQL storage, for districts that run several server instances behind a load balancer:
//! the same answers as SQLite (its tables keep the first, text keys; see docs/BENCHMARKS.md);
//! uploads are group-committed (`postgres_uploads`), each kiosk's progress advanced under a row
//! lock, so that concurrent uploads through different instances stay exact.

mod export;
mod fleet;
mod help_calls;
mod ratings;
mod reports;
mod staff;
mod station;
mod votes;

use super::kind_sql::{KIND_IS_ISSUE_REPORT, KIND_IS_VOTE, const_str_concat};
use super::postgres_uploads::{UPLOAD_WRITERS, UploadJob, start_writer};
use super::{
    ALREADY_BOOKED, KIOSK_STANDINGS, StorageError, StoredTransaction, check_record, closing_status, floor_value,
    stored_payload, window_day,
};
use citizen_window_protocol::services::{Appointment, PaymentOrder, PaymentStatus};
use citizen_window_protocol::sync::{BatchAck, TransactionRecord};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::HashMap;

const SCHEMA: &str = const_str_concat!(
    r#"
CREATE TABLE IF NOT EXISTS transactions (
    kiosk_id       TEXT   NOT NULL,
    id             TEXT   NOT NULL,
    seq            BIGINT NOT NULL,
    kind           TEXT   NOT NULL,
    payload        TEXT   NOT NULL,
    payload_hash   TEXT   NOT NULL,
    resident       TEXT,
    created_at_ms  BIGINT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    PRIMARY KEY (kiosk_id, id),
    UNIQUE (kiosk_id, seq)
);
CREATE TABLE IF NOT EXISTS kiosk_progress (kiosk_id TEXT PRIMARY KEY, contiguous BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS enrol_tokens (token_hash TEXT PRIMARY KEY, expires_at_ms BIGINT NOT NULL, used_by TEXT);
CREATE TABLE IF NOT EXISTS kiosks (kiosk_id TEXT PRIMARY KEY, label TEXT, enrolled_at_ms BIGINT NOT NULL);
-- Each kiosk's short number in the fleet, which starts its receipt numbers: given out in order,
-- never twice (a database from before numbers numbers its kiosks once, in no particular order).
CREATE SEQUENCE IF NOT EXISTS kiosk_numbers;
ALTER TABLE kiosks ADD COLUMN IF NOT EXISTS kiosk_number BIGINT NOT NULL DEFAULT nextval('kiosk_numbers');
CREATE TABLE IF NOT EXISTS revoked_kiosks (kiosk_id TEXT PRIMARY KEY, revoked_at_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS heartbeats (kiosk_id TEXT PRIMARY KEY, received_at_ms BIGINT NOT NULL, body TEXT NOT NULL);
-- Each kiosk's history of problems (kiosk_condition), a row whenever they change, kept 31 days.
CREATE TABLE IF NOT EXISTS kiosk_history (kiosk_id TEXT NOT NULL, at_ms BIGINT NOT NULL, condition TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS kiosk_history_by_kiosk ON kiosk_history (kiosk_id, at_ms);
-- When the certificate each kiosk last connected with ends.
CREATE TABLE IF NOT EXISTS kiosk_certificates (kiosk_id TEXT PRIMARY KEY, not_after_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS payment_orders (
    order_id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, body TEXT NOT NULL,
    UNIQUE (kiosk_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS appointments (
    appointment_id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, slot_id TEXT NOT NULL,
    resident TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (kiosk_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS slot_locks (slot_id TEXT PRIMARY KEY);
-- Facts about the fleet the database was made with (the residents' keys' fingerprint).
CREATE TABLE IF NOT EXISTS fleet_facts (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- The community office's console: its staff, wrong passwords by name, and who changed what.
CREATE TABLE IF NOT EXISTS staff (
    name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('admin', 'staff')), password_hash TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL, disabled_at_ms BIGINT
);
CREATE TABLE IF NOT EXISTS sign_in_failures (name TEXT PRIMARY KEY, failures BIGINT NOT NULL, last_at_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_log (
    id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, staff TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS console_sessions (
    token_hash TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL, created_at_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
-- One counted ballot per resident and proposal, fleet-wide (a vote's resident is its ballot
-- pseudonym, keyed per proposal).
CREATE UNIQUE INDEX IF NOT EXISTS one_ballot ON transactions (resident) WHERE "#,
    KIND_IS_VOTE,
    r#";
-- Issue-report status lookups by tracking number; only issue reports are in it.
CREATE INDEX IF NOT EXISTS transactions_tracking_number
    ON transactions ((payload::jsonb ->> 'tracking_number')) WHERE "#,
    KIND_IS_ISSUE_REPORT,
    r#";
"#
);

/// When an issue report arrived, found through the `transactions_tracking_number` index.
pub const POSTGRES_ISSUE_REPORT_BY_TRACKING_NUMBER: &str = const_str_concat!(
    "SELECT received_at_ms FROM transactions
    WHERE ",
    KIND_IS_ISSUE_REPORT,
    " AND payload::jsonb ->> 'tracking_number' = $1 LIMIT 1",
);

/// The records holding any of some ballots, found through the `one_ballot` index.
const BALLOT_HOLDERS: &str =
    const_str_concat!("SELECT resident, id FROM transactions WHERE ", KIND_IS_VOTE, " AND resident = ANY($1::text[])");

#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
    /// Uploads go to this instance's group-commit writer (`postgres_uploads`).
    uploads: tokio::sync::mpsc::UnboundedSender<UploadJob>,
}

impl PostgresStorage {
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let (config, tls, verification) = super::postgres_tls::connection(url)?;
        if verification != super::postgres_tls::Verification::ChainAndName {
            tracing::warn!(
                "the database's certificate is not verified (sslmode is not verify-full): on any network but this \
                 machine, add sslmode=verify-full&sslrootcert=<the database's CA file> to the URL"
            );
        }
        let pool_of = |size: usize| {
            let manager = Manager::from_config(
                config.clone(),
                tls.clone(),
                ManagerConfig { recycling_method: RecyclingMethod::Fast },
            );
            Pool::builder(manager).max_size(size).build().map_err(|e| StorageError::Backend(e.to_string()))
        };
        let pool = pool_of(16)?;
        let client = pool.get().await?;
        // Several instances may start at once: serialise schema creation on an advisory lock.
        client.execute("SELECT pg_advisory_lock(727274)", &[]).await?;
        let mut created = Ok(());
        let parts = [
            SCHEMA,
            super::reports::POSTGRES_SCHEMA,
            super::votes::POSTGRES_SCHEMA,
            super::station::POSTGRES_SCHEMA,
            super::ratings::POSTGRES_SCHEMA,
            super::help_calls::POSTGRES_SCHEMA,
        ];
        for part in parts {
            created = client.batch_execute(part).await;
            if created.is_err() {
                break;
            }
        }
        client.execute("SELECT pg_advisory_unlock(727274)", &[]).await?;
        created?;
        // Uploads have connections of their own: a group's statements carry thousands of rows, and
        // a connection keeps buffers the size of the largest message it sent or read.
        let uploads = start_writer(pool_of(UPLOAD_WRITERS)?);
        Ok(Self { pool, uploads })
    }

    pub async fn create_enrol_token(&self, token_hash: &str, expires_at_ms: i64) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO enrol_tokens (token_hash, expires_at_ms) VALUES ($1, $2)",
                &[&token_hash, &expires_at_ms],
            )
            .await?;
        Ok(())
    }

    pub async fn enrol_token_usable(&self, token_hash: &str, now_ms: i64) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM enrol_tokens WHERE token_hash = $1 AND used_by IS NULL AND expires_at_ms > $2)",
                &[&token_hash, &now_ms],
            )
            .await?;
        Ok(row.get(0))
    }

    pub async fn enrol_kiosk(
        &self,
        token_hash: &str,
        kiosk_id: &str,
        label: Option<&str>,
        now_ms: i64,
    ) -> Result<Option<u32>, StorageError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let used = tx
            .execute(
                "UPDATE enrol_tokens SET used_by = $1 WHERE token_hash = $2 AND used_by IS NULL AND expires_at_ms > $3",
                &[&kiosk_id, &token_hash, &now_ms],
            )
            .await?;
        if used != 1 {
            return Ok(None);
        }
        let row = tx
            .query_one(
                "INSERT INTO kiosks (kiosk_id, label, enrolled_at_ms) VALUES ($1, $2, $3) RETURNING kiosk_number",
                &[&kiosk_id, &label, &now_ms],
            )
            .await?;
        let number: i64 = row.get(0);
        tx.commit().await?;
        Ok(Some(number as u32))
    }

    /// Queues the batch for this instance's group-commit writer and waits for its commit.
    pub async fn insert_batch(
        &self,
        kiosk_id: &str,
        records: Vec<TransactionRecord>,
        starts_after: u64,
        now_ms: i64,
    ) -> Result<BatchAck, StorageError> {
        for record in &records {
            check_record(record)?;
        }
        let starts_after = floor_value(starts_after)?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let stopped = || StorageError::Backend("the database writer has stopped".into());
        self.uploads
            .send(UploadJob { kiosk_id: kiosk_id.to_string(), records, starts_after, now_ms, reply })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    pub async fn kiosk_standings(&self) -> Result<Vec<(String, Option<i64>)>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(KIOSK_STANDINGS, &[]).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    pub async fn kiosk_standing(&self, kiosk_id: &str) -> Result<Option<Option<i64>>, StorageError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT r.revoked_at_ms FROM kiosks k LEFT JOIN revoked_kiosks r ON r.kiosk_id = k.kiosk_id WHERE k.kiosk_id = $1",
                &[&kiosk_id],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    pub async fn revoke_kiosk(&self, kiosk_id: &str, now_ms: i64) -> Result<bool, StorageError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO revoked_kiosks (kiosk_id, revoked_at_ms) SELECT kiosk_id, $2 FROM kiosks WHERE kiosk_id = $1
                 ON CONFLICT (kiosk_id) DO NOTHING",
                &[&kiosk_id, &now_ms],
            )
            .await?;
        let row =
            client.query_one("SELECT EXISTS (SELECT 1 FROM revoked_kiosks WHERE kiosk_id = $1)", &[&kiosk_id]).await?;
        let revoked: bool = row.get(0);
        if revoked {
            fleet::tell_instances(&client, kiosk_id).await?;
        }
        Ok(revoked)
    }

    pub async fn export(&self, kiosk_id: Option<&str>) -> Result<Vec<StoredTransaction>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT kiosk_id, id, seq, kind, payload, payload_hash, resident, created_at_ms, received_at_ms
                 FROM transactions WHERE ($1::TEXT IS NULL OR kiosk_id = $1) ORDER BY kiosk_id, seq",
                &[&kiosk_id],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.get(1);
                Ok(StoredTransaction {
                    kiosk_id: r.get(0),
                    received_at_ms: r.get(8),
                    record: TransactionRecord {
                        id: id.parse().unwrap_or_default(),
                        seq: r.get::<_, i64>(2) as u64,
                        kind: r.get(3),
                        payload: stored_payload(r.get(4))?,
                        payload_hash: r.get(5),
                        resident: r.get(6),
                        created_at_ms: r.get(7),
                    },
                })
            })
            .collect()
    }

    pub async fn create_payment_order(
        &self,
        kiosk_id: &str,
        idempotency_key: &str,
        order: &PaymentOrder,
    ) -> Result<PaymentOrder, StorageError> {
        let client = self.pool.get().await?;
        let body = serde_json::to_string(order).expect("serialises");
        client
            .execute(
                "INSERT INTO payment_orders (order_id, kiosk_id, idempotency_key, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&order.order_id, &kiosk_id, &idempotency_key, &body],
            )
            .await?;
        let stored: String = client
            .query_one(
                "SELECT body FROM payment_orders WHERE kiosk_id = $1 AND idempotency_key = $2",
                &[&kiosk_id, &idempotency_key],
            )
            .await?
            .get(0);
        serde_json::from_str(&stored).map_err(|e| StorageError::Backend(e.to_string()))
    }

    pub async fn payment_order(
        &self,
        order_id: &str,
        owner: Option<&str>,
    ) -> Result<Option<PaymentOrder>, StorageError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT body FROM payment_orders WHERE order_id = $1 AND ($2::text IS NULL OR kiosk_id = $2)",
                &[&order_id, &owner],
            )
            .await?;
        Ok(row.and_then(|r| serde_json::from_str(&r.get::<_, String>(0)).ok()))
    }

    pub async fn close_payment_order(
        &self,
        order_id: &str,
        owner: Option<&str>,
        to: PaymentStatus,
        now_ms: i64,
    ) -> Result<Option<PaymentOrder>, StorageError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT body FROM payment_orders WHERE order_id = $1 AND ($2::text IS NULL OR kiosk_id = $2) FOR UPDATE",
                &[&order_id, &owner],
            )
            .await?;
        let Some(mut order) = row.and_then(|r| serde_json::from_str::<PaymentOrder>(&r.get::<_, String>(0)).ok())
        else {
            return Ok(None);
        };
        if order.status == PaymentStatus::Pending {
            order.status = closing_status(&order, to, now_ms);
            let body = serde_json::to_string(&order).expect("serialises");
            tx.execute("UPDATE payment_orders SET body = $1 WHERE order_id = $2", &[&body, &order_id]).await?;
        }
        tx.commit().await?;
        Ok(Some(order))
    }

    pub async fn book_appointment(
        &self,
        kiosk_id: &str,
        idempotency_key: &str,
        appointment: &Appointment,
        resident: &str,
        capacity: u32,
    ) -> Result<Appointment, StorageError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let slot_id = &appointment.slot.slot_id;
        // One lock per window and day: the slot's places and the resident's one booking that day
        // are both checked under it.
        let lock = window_day(slot_id);
        tx.execute("INSERT INTO slot_locks (slot_id) VALUES ($1) ON CONFLICT DO NOTHING", &[&lock]).await?;
        tx.execute("SELECT slot_id FROM slot_locks WHERE slot_id = $1 FOR UPDATE", &[&lock]).await?;
        let previous = tx
            .query_opt(
                "SELECT body FROM appointments WHERE kiosk_id = $1 AND idempotency_key = $2",
                &[&kiosk_id, &idempotency_key],
            )
            .await?;
        if let Some(row) = previous {
            return serde_json::from_str(&row.get::<_, String>(0)).map_err(|e| StorageError::Backend(e.to_string()));
        }
        let same_day: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM appointments WHERE resident = $1 AND slot_id LIKE $2 || '-%')",
                &[&resident, &lock],
            )
            .await?
            .get(0);
        if same_day {
            return Err(StorageError::AlreadyBooked(ALREADY_BOOKED.into()));
        }
        let booked: i64 =
            tx.query_one("SELECT COUNT(*) FROM appointments WHERE slot_id = $1", &[slot_id]).await?.get(0);
        if booked as u32 >= capacity {
            return Err(StorageError::Refused("this time slot is full: choose another one".into()));
        }
        let body = serde_json::to_string(appointment).expect("serialises");
        tx.execute(
            "INSERT INTO appointments (appointment_id, kiosk_id, idempotency_key, slot_id, resident, body) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&appointment.appointment_id, &kiosk_id, &idempotency_key, slot_id, &resident, &body],
        )
        .await?;
        tx.commit().await?;
        Ok(appointment.clone())
    }

    pub async fn fleet_fact(&self, name: &str, first_value: &str) -> Result<String, StorageError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO fleet_facts (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&name, &first_value],
            )
            .await?;
        Ok(client.query_one("SELECT value FROM fleet_facts WHERE name = $1", &[&name]).await?.get(0))
    }

    /// Which of these ballots are cast, and by which record.
    pub async fn ballots_cast(&self, ballots: &[String]) -> Result<HashMap<String, uuid::Uuid>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(BALLOT_HOLDERS, &[&ballots]).await?;
        Ok(rows
            .iter()
            .filter_map(|row| Some((row.get::<_, String>(0), uuid::Uuid::parse_str(row.get::<_, &str>(1)).ok()?)))
            .collect())
    }

    pub async fn issue_report_received(&self, tracking_number: &str) -> Result<Option<i64>, StorageError> {
        let client = self.pool.get().await?;
        let row = client.query_opt(POSTGRES_ISSUE_REPORT_BY_TRACKING_NUMBER, &[&tracking_number]).await?;
        Ok(row.map(|r| r.get(0)))
    }
}
