//! The server's storage: SQLite by default (one file, no set-up), PostgreSQL when a district runs
//! several server instances. Both keep transactions with the permanent unique key (kiosk, id),
//! and answer uploads with the highest contiguous sequence number per kiosk.

/// Forwards one async call to whichever backend is in use.
macro_rules! dispatch {
    ($self:ident, $method:ident ( $($arg:expr),* )) => {
        match $self {
            Storage::Sqlite(s) => s.$method($($arg),*).await,
            Storage::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

pub mod ballots;
mod export_sql;
mod help_calls;
mod kind_sql;
mod kiosk_history;
mod office;
mod postgres;
pub mod postgres_tls;
mod postgres_uploads;
mod ratings;
mod reports;
mod sqlite;
mod station;
mod votes;

use citizen_window_protocol::heartbeat::Heartbeat;
use citizen_window_protocol::record_rules;
use citizen_window_protocol::services::{Appointment, PaymentOrder, PaymentStatus};
use citizen_window_protocol::sync::{BatchAck, Refusal, TransactionRecord, UploadBatch};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

pub use export_sql::{ExportCursor, ExportedTransaction};
/// The PostgreSQL notification channel of content publications (`content_bell`); the payload is
/// the version.
pub const CONTENT_CHANNEL: &str = "citizen_window_content";

pub use kiosk_history::{FLEET_CHANNEL, HISTORY_KEPT_MS, HeartbeatArrival, HistoryEntry, OFFLINE_CONDITION};
use kiosk_history::{KIOSK_HISTORY, PRUNE_KIOSK_HISTORY, history_entries};
pub use postgres::{POSTGRES_ISSUE_REPORT_BY_TRACKING_NUMBER, PostgresStorage};
pub use ratings::RatingGroup;
pub use reports::{ReportFilter, ReportMove, ReportRow, ReportUpdate};
pub use sqlite::{SQLITE_ISSUE_REPORT_BY_TRACKING_NUMBER, SqliteStorage};
pub use station::{BookingRow, TicketCount};
pub use votes::{ProposalRow, VoteGroup};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("record {seq} ({id}) is malformed: {reason}")]
    BadRecord { id: uuid::Uuid, seq: u64, reason: String },
    #[error("{0}")]
    Refused(String),
    /// The resident already holds what they asked for (an appointment at that window that day).
    #[error("{0}")]
    AlreadyBooked(String),
    #[error("storage failed: {0}")]
    Backend(String),
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Backend(e.to_string())
    }
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(e: tokio_postgres::Error) -> Self {
        StorageError::Backend(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for StorageError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StorageError::Backend(e.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KioskRow {
    pub kiosk_id: String,
    pub label: Option<String>,
    pub enrolled_at_ms: i64,
    pub last_heartbeat_ms: Option<i64>,
    pub last_heartbeat: Option<Heartbeat>,
    pub highest_contiguous_seq: u64,
    /// When the operator revoked it, if they did.
    pub revoked_at_ms: Option<i64>,
    /// When the certificate it last connected with ends (seen at its heartbeats).
    pub certificate_ends_ms: Option<i64>,
    /// Its unanswered call for staff, if it has one: the call's id and when it came.
    pub help_call: Option<(String, i64)>,
}

/// The columns of a [`KioskRow`], and the joins they come from (the same in both databases).
const KIOSK_ROWS: &str = "SELECT k.kiosk_id, k.label, k.enrolled_at_ms, h.received_at_ms, h.body,
        COALESCE(p.contiguous, 0), r.revoked_at_ms, c.not_after_ms,
        (SELECT hc.call_id FROM help_calls hc WHERE hc.kiosk_id = k.kiosk_id AND hc.answered_by IS NULL
            ORDER BY hc.called_at_ms DESC LIMIT 1),
        (SELECT MAX(hc.called_at_ms) FROM help_calls hc WHERE hc.kiosk_id = k.kiosk_id AND hc.answered_by IS NULL)
    FROM kiosks k LEFT JOIN heartbeats h ON h.kiosk_id = k.kiosk_id
    LEFT JOIN kiosk_progress p ON p.kiosk_id = k.kiosk_id
    LEFT JOIN revoked_kiosks r ON r.kiosk_id = k.kiosk_id
    LEFT JOIN kiosk_certificates c ON c.kiosk_id = k.kiosk_id";

/// The longest kiosk label kept, in characters.
pub const MAX_LABEL_CHARS: usize = 64;

/// A label for a kiosk, or why it cannot be one: at most [`MAX_LABEL_CHARS`]
/// characters, no control characters.
pub fn check_label(label: &str) -> Result<(), String> {
    if label.chars().count() > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(format!(
            "a kiosk label is at most {MAX_LABEL_CHARS} characters, without control characters: shorten it"
        ));
    }
    Ok(())
}

/// A staff member of the community office, who signs in to the console.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffRow {
    pub name: String,
    /// `admin` or `staff` (`console::staff::Role`).
    pub role: String,
    /// Argon2id, as a PHC string; never shown.
    #[serde(skip)]
    pub password_hash: String,
    pub created_at_ms: i64,
    pub disabled_at_ms: Option<i64>,
}

/// A console session: the hash of its cookie's token, whose it is, its forms' CSRF token.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub token_hash: String,
    pub name: String,
    pub csrf: String,
    pub created_at_ms: i64,
    pub last_seen_ms: i64,
}

/// One change a staff member (or the operator at the command line) made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub at_ms: i64,
    pub staff: String,
    pub action: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredTransaction {
    pub kiosk_id: String,
    pub received_at_ms: i64,
    #[serde(flatten)]
    pub record: TransactionRecord,
}

/// Checks a record before a backend stores it: its hash must be 64 lowercase hex digits (the one
/// spelling both sides write) and its sequence number in range. Returns the hash as bytes, as
/// SQLite stores it. That the hash is the payload's SHA-256 was checked once already, by the record
/// rules in [`Storage::insert_upload`], the only way records reach a backend.
pub fn check_record(record: &TransactionRecord) -> Result<[u8; 32], StorageError> {
    let bad = |reason: &str| StorageError::BadRecord { id: record.id, seq: record.seq, reason: reason.into() };
    let mut claimed = [0u8; 32];
    let not_lowercase_hex = || bad("the payload hash is not 64 lowercase hex digits");
    if record.payload_hash.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(not_lowercase_hex());
    }
    hex::decode_to_slice(&record.payload_hash, &mut claimed).map_err(|_| not_lowercase_hex())?;
    if record.seq == 0 || record.seq > i64::MAX as u64 {
        return Err(bad("sequence numbers run from 1 to 2^63 - 1"));
    }
    Ok(claimed)
}

/// Every enrolled kiosk and when it was revoked, if it was (the same SQL in both databases).
const KIOSK_STANDINGS: &str =
    "SELECT k.kiosk_id, r.revoked_at_ms FROM kiosks k LEFT JOIN revoked_kiosks r ON r.kiosk_id = k.kiosk_id";

/// A declared floor as the databases store sequence numbers.
fn floor_value(starts_after: u64) -> Result<i64, StorageError> {
    i64::try_from(starts_after)
        .map_err(|_| StorageError::Refused("starts_after is beyond the largest sequence number (2^63 - 1)".into()))
}

/// Puts a note in place of each record that breaks the record rules
/// ([`record_rules::record_refusal`]): same id and sequence number, kind `refused`, the reason as
/// its payload. The note is the same whenever the record comes again, so a replay is a duplicate,
/// and the kiosk's watermark passes the refused record instead of stopping at it for ever.
pub fn set_aside_refused(records: &mut [TransactionRecord]) -> Vec<Refusal> {
    let mut refused = Vec::new();
    for record in records.iter_mut() {
        let Some(reason) = record_rules::record_refusal(record) else { continue };
        refused.push(set_aside(record, reason, None));
    }
    refused
}

/// Replaces `record` by the note that stands for it once refused (same id and sequence number,
/// kind `refused`, the reason and code as its payload, no resident).
pub(crate) fn set_aside(record: &mut TransactionRecord, reason: String, code: Option<String>) -> Refusal {
    let note = match &code {
        Some(code) => serde_json::json!({ "reason": reason, "code": code }),
        None => serde_json::json!({ "reason": reason }),
    };
    let payload = citizen_window_protocol::sync::Payload::from_value(&note);
    record.kind = record_rules::kinds::REFUSED.into();
    record.payload_hash = payload.hash();
    record.payload = payload;
    record.resident = None;
    record.created_at_ms = record.created_at_ms.max(0);
    Refusal { id: record.id, seq: record.seq, reason, code }
}

/// A stored payload read back; a damaged one is an error, never a silent null.
fn stored_payload(text: String) -> Result<citizen_window_protocol::sync::Payload, StorageError> {
    citizen_window_protocol::sync::Payload::from_text(text)
        .map_err(|e| StorageError::Backend(format!("a stored payload is not valid JSON: {e}")))
}

/// A record whose id or sequence number is already stored: a duplicate (same id, same seq,
/// same hash) or a conflict to report.
pub(super) fn classify_existing(
    record: &TransactionRecord,
    stored_id: &str,
    stored_seq: u64,
    stored_hash: &str,
) -> Option<citizen_window_protocol::sync::Conflict> {
    let same_id = stored_id == record.id.to_string();
    let reason = if same_id && stored_seq == record.seq && stored_hash == record.payload_hash {
        return None;
    } else if same_id && stored_hash != record.payload_hash {
        "the server holds this transaction id with a different payload; the stored one is kept".to_string()
    } else if same_id {
        format!("the server holds this transaction id under sequence number {stored_seq}")
    } else {
        format!("sequence number {} is already used by transaction {stored_id}", record.seq)
    };
    Some(citizen_window_protocol::sync::Conflict { id: record.id, seq: record.seq, reason })
}

/// How long a payment order can be paid. A kiosk cancels an unpaid order after a few minutes
/// itself; this closes the ones whose cancel never arrived (a kiosk that lost power meanwhile).
pub const PAYMENT_ORDER_LIFETIME_MS: i64 = 15 * 60 * 1000;

fn is_past_lifetime(order: &PaymentOrder, now_ms: i64) -> bool {
    now_ms.saturating_sub(order.created_at_ms) >= PAYMENT_ORDER_LIFETIME_MS
}

/// What a pending order becomes when it is closed as `to` at `now_ms`.
fn closing_status(order: &PaymentOrder, to: PaymentStatus, now_ms: i64) -> PaymentStatus {
    if is_past_lifetime(order, now_ms) { PaymentStatus::Expired } else { to }
}

/// The part of a slot id naming its window and day (`si-20261130` of `si-20261130-0930`): a
/// resident may book one slot of each.
pub fn window_day(slot_id: &str) -> &str {
    slot_id.rsplit_once('-').map_or(slot_id, |(window_day, _)| window_day)
}

/// What a resident who already booked at that window that day is told.
const ALREADY_BOOKED: &str =
    "this resident already has an appointment at this window on that day: one a day at each window";

/// Hashes an enrolment token for storage: the token itself is never stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

pub enum Storage {
    Sqlite(SqliteStorage),
    Postgres(PostgresStorage),
}

impl Storage {
    /// `database` is a `postgres://` URL or a SQLite file path.
    pub async fn open(database: &str, base_dir: &Path) -> Result<Self, StorageError> {
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            Ok(Storage::Postgres(PostgresStorage::connect(database).await?))
        } else {
            let path = base_dir.join(database);
            Ok(Storage::Sqlite(SqliteStorage::open(&path)?))
        }
    }

    pub async fn create_enrol_token(&self, token_hash: &str, expires_at_ms: i64) -> Result<(), StorageError> {
        dispatch!(self, create_enrol_token(token_hash, expires_at_ms))
    }

    /// Whether a token could be used now (known, unused, unexpired), without using it up.
    pub async fn enrol_token_usable(&self, token_hash: &str, now_ms: i64) -> Result<bool, StorageError> {
        dispatch!(self, enrol_token_usable(token_hash, now_ms))
    }

    /// Uses up a valid token and registers the kiosk, atomically, with its short number in the
    /// fleet (given out in order from 1, never twice); `None` if the token is unknown, used or
    /// expired.
    pub async fn enrol_kiosk(
        &self,
        token_hash: &str,
        kiosk_id: &str,
        label: Option<&str>,
        now_ms: i64,
    ) -> Result<Option<u32>, StorageError> {
        dispatch!(self, enrol_kiosk(token_hash, kiosk_id, label, now_ms))
    }

    /// Stores a batch; records that break the record rules are refused for good, a note stored
    /// in their place ([`set_aside_refused`]) and listed in the answer.
    pub async fn insert_batch(
        &self,
        kiosk_id: &str,
        records: Vec<TransactionRecord>,
        now_ms: i64,
    ) -> Result<BatchAck, StorageError> {
        self.insert_upload(kiosk_id, UploadBatch::of(records), now_ms, None).await
    }

    /// Stores an upload: as [`Storage::insert_batch`], the kiosk's watermark first raised to the
    /// floor the kiosk declares (`starts_after`: a kiosk enrolled again, or one whose server was
    /// restored from a backup, has nothing to send below it).
    /// Votes are keyed with `residents` and a resident's second ballot on a proposal is set
    /// aside ([`ballots`]); without `residents` every vote is set aside.
    pub async fn insert_upload(
        &self,
        kiosk_id: &str,
        batch: UploadBatch,
        now_ms: i64,
        residents: Option<&crate::residents::ResidentKeys>,
    ) -> Result<BatchAck, StorageError> {
        let UploadBatch { mut records, starts_after } = batch;
        let mut refused = set_aside_refused(&mut records);
        refused.extend(ballots::key_votes(&mut records, kiosk_id, residents));
        let cast_now = ballots::ballots_in(&records);
        if !cast_now.is_empty() {
            let cast_before = dispatch!(self, ballots_cast(&cast_now))?;
            refused.extend(ballots::set_aside_second_votes(&mut records, &cast_before));
        }
        let mut ack = dispatch!(self, insert_batch(kiosk_id, records, starts_after, now_ms))?;
        ack.refused = refused;
        Ok(ack)
    }

    /// Keeps a kiosk's heartbeat as its last, notes its certificate's end, and adds to its history
    /// what changed ([`history_entries`]); on PostgreSQL, tells every server instance
    /// ([`FLEET_CHANNEL`]).
    pub async fn save_heartbeat(&self, arrival: &HeartbeatArrival<'_>) -> Result<(), StorageError> {
        dispatch!(self, save_heartbeat(arrival))
    }

    /// One kiosk as the fleet lists it, if it is enrolled.
    pub async fn kiosk(&self, kiosk_id: &str) -> Result<Option<KioskRow>, StorageError> {
        dispatch!(self, kiosk(kiosk_id))
    }

    /// A kiosk's history since `since_ms`, oldest first, starting with the entry in force then.
    pub async fn kiosk_history(&self, kiosk_id: &str, since_ms: i64) -> Result<Vec<HistoryEntry>, StorageError> {
        dispatch!(self, kiosk_history(kiosk_id, since_ms))
    }

    /// Gives a kiosk a new label (checked with [`check_label`]); false if no kiosk has this id.
    pub async fn rename_kiosk(&self, kiosk_id: &str, label: &str) -> Result<bool, StorageError> {
        check_label(label).map_err(StorageError::Refused)?;
        dispatch!(self, rename_kiosk(kiosk_id, label))
    }

    /// A fact about the fleet this database belongs to: the value stored under `name`, which is
    /// `first_value` if none was stored before.
    pub async fn fleet_fact(&self, name: &str, first_value: &str) -> Result<String, StorageError> {
        dispatch!(self, fleet_fact(name, first_value))
    }

    /// Every enrolled kiosk with the time it was revoked, if it was.
    pub async fn kiosk_standings(&self) -> Result<Vec<(String, Option<i64>)>, StorageError> {
        dispatch!(self, kiosk_standings())
    }

    /// One kiosk's standing: `None` if it is not enrolled, else when it was revoked, if it was.
    pub async fn kiosk_standing(&self, kiosk_id: &str) -> Result<Option<Option<i64>>, StorageError> {
        dispatch!(self, kiosk_standing(kiosk_id))
    }

    /// Revokes an enrolled kiosk; false if no kiosk has this id. Revoking again changes nothing.
    pub async fn revoke_kiosk(&self, kiosk_id: &str, now_ms: i64) -> Result<bool, StorageError> {
        dispatch!(self, revoke_kiosk(kiosk_id, now_ms))
    }

    /// Adds a staff member; false if the name is taken.
    pub async fn add_staff(&self, name: &str, role: &str, hash: &str, now_ms: i64) -> Result<bool, StorageError> {
        dispatch!(self, add_staff(name, role, hash, now_ms))
    }

    /// Replaces a staff member's password hash; false if there is no such name.
    pub async fn set_staff_password(&self, name: &str, hash: &str) -> Result<bool, StorageError> {
        dispatch!(self, set_staff_password(name, hash))
    }

    /// Disables a staff member (kept, for the audit log); false if there is no such name.
    pub async fn disable_staff(&self, name: &str, now_ms: i64) -> Result<bool, StorageError> {
        dispatch!(self, disable_staff(name, now_ms))
    }

    pub async fn staff_member(&self, name: &str) -> Result<Option<StaffRow>, StorageError> {
        dispatch!(self, staff_member(name))
    }

    pub async fn staff_list(&self) -> Result<Vec<StaffRow>, StorageError> {
        dispatch!(self, staff_list())
    }

    /// Counts a wrong password for `name` (those before `window_ms` ago forgotten); returns how
    /// many count now.
    pub async fn note_sign_in_failure(&self, name: &str, now_ms: i64, window_ms: i64) -> Result<u32, StorageError> {
        dispatch!(self, note_sign_in_failure(name, now_ms, window_ms))
    }

    /// The wrong passwords counted for `name` and when the last was; (0, 0) for none.
    pub async fn sign_in_failures(&self, name: &str) -> Result<(u32, i64), StorageError> {
        dispatch!(self, sign_in_failures(name))
    }

    pub async fn clear_sign_in_failures(&self, name: &str) -> Result<(), StorageError> {
        dispatch!(self, clear_sign_in_failures(name))
    }

    pub async fn open_session(&self, row: &SessionRow) -> Result<(), StorageError> {
        dispatch!(self, open_session(row))
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StorageError> {
        dispatch!(self, session(token_hash))
    }

    /// Notes a request on the session (it stays open [`crate::console::auth::IDLE_LIMIT`] more).
    pub async fn touch_session(&self, token_hash: &str, now_ms: i64) -> Result<(), StorageError> {
        dispatch!(self, touch_session(token_hash, now_ms))
    }

    pub async fn close_session(&self, token_hash: &str) -> Result<(), StorageError> {
        dispatch!(self, close_session(token_hash))
    }

    /// Deletes wrong-password counts last added before `failures_before`, and sessions idle since
    /// before `idle_before` or opened before `opened_before`; returns how many rows went.
    pub async fn prune_console(
        &self,
        failures_before: i64,
        idle_before: i64,
        opened_before: i64,
    ) -> Result<u64, StorageError> {
        dispatch!(self, prune_console(failures_before, idle_before, opened_before))
    }

    pub async fn audit(&self, entry: &AuditEntry) -> Result<(), StorageError> {
        dispatch!(self, audit(entry))
    }

    /// The newest `limit` entries of the audit log, newest first.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
        dispatch!(self, audit_log(limit))
    }

    pub async fn kiosks(&self) -> Result<Vec<KioskRow>, StorageError> {
        dispatch!(self, kiosks())
    }

    pub async fn export(&self, kiosk_id: Option<&str>) -> Result<Vec<StoredTransaction>, StorageError> {
        dispatch!(self, export(kiosk_id))
    }

    /// Creates a payment order, or returns the one already made with this idempotency key.
    pub async fn create_payment_order(
        &self,
        kiosk_id: &str,
        idempotency_key: &str,
        order: &PaymentOrder,
    ) -> Result<PaymentOrder, StorageError> {
        dispatch!(self, create_payment_order(kiosk_id, idempotency_key, order))
    }

    /// The order, if it exists and `owner` may see it. `owner` is `Some(kiosk)` for a kiosk, which
    /// sees only the orders it made, and `None` for the payer's page that the QR link opens. An
    /// order left pending past [`PAYMENT_ORDER_LIFETIME_MS`] is closed as expired first.
    pub async fn payment_order(
        &self,
        order_id: &str,
        owner: Option<&str>,
        now_ms: i64,
    ) -> Result<Option<PaymentOrder>, StorageError> {
        let order = dispatch!(self, payment_order(order_id, owner));
        match order? {
            Some(order) if order.status == PaymentStatus::Pending && is_past_lifetime(&order, now_ms) => {
                self.close_payment_order(order_id, owner, PaymentStatus::Expired, now_ms).await
            }
            order => Ok(order),
        }
    }

    /// Moves a pending order to `to` (paid, or cancelled by the kiosk) and returns it; an order
    /// that is no longer pending is returned as it is, so that a payment made just before the
    /// resident pressed cancel is never lost, and one past its lifetime becomes expired instead
    /// (a photographed code cannot be paid hours later). `owner` as for [`Storage::payment_order`].
    pub async fn close_payment_order(
        &self,
        order_id: &str,
        owner: Option<&str>,
        to: PaymentStatus,
        now_ms: i64,
    ) -> Result<Option<PaymentOrder>, StorageError> {
        dispatch!(self, close_payment_order(order_id, owner, to, now_ms))
    }

    /// Books a slot, or returns the booking already made with this idempotency key.
    pub async fn book_appointment(
        &self,
        kiosk_id: &str,
        idempotency_key: &str,
        appointment: &Appointment,
        resident: &str,
        capacity: u32,
    ) -> Result<Appointment, StorageError> {
        dispatch!(self, book_appointment(kiosk_id, idempotency_key, appointment, resident, capacity))
    }

    /// When the issue report with this tracking number arrived, if it did.
    pub async fn issue_report_received(&self, tracking_number: &str) -> Result<Option<i64>, StorageError> {
        dispatch!(self, issue_report_received(tracking_number))
    }
}
