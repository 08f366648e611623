//! The station's windows as the community office sees them: each appointment slot's capacity
//! (the office may change it; the default otherwise), the bookings of some slots, and the queue
//! tickets kiosks issued per window and day. Tables and SQL both databases share.

use super::kind_sql::const_str_concat;
use citizen_window_protocol::record_rules::kinds;
use serde::Serialize;

/// One booked appointment as the console lists it: the resident only as their keyed pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingRow {
    pub slot_id: String,
    pub appointment_id: String,
    pub kiosk_id: String,
    pub resident: String,
}

/// Tickets issued at one window on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketCount {
    /// YYYY-MM-DD, China time.
    pub day: String,
    pub window: String,
    pub tickets: u64,
    /// The highest number issued ("A017").
    pub last_number: String,
}

const KIND_IS_TICKET: &str = const_str_concat!("kind = '", kinds::QUEUE_TICKET, "'");

pub(super) const SQLITE_SCHEMA: &str = const_str_concat!(
    r#"
CREATE TABLE IF NOT EXISTS slot_capacities (slot_id TEXT PRIMARY KEY, capacity INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS appointments_by_slot ON appointments (slot_id);
CREATE INDEX IF NOT EXISTS tickets_by_day ON transactions (json_extract(payload, '$.day')) WHERE "#,
    KIND_IS_TICKET,
    ";\n"
);

pub(super) const POSTGRES_SCHEMA: &str = const_str_concat!(
    r#"
CREATE TABLE IF NOT EXISTS slot_capacities (slot_id TEXT PRIMARY KEY, capacity BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS appointments_by_slot ON appointments (slot_id);
CREATE INDEX IF NOT EXISTS tickets_by_day ON transactions ((payload::jsonb ->> 'day')) WHERE "#,
    KIND_IS_TICKET,
    ";\n"
);

/// The slots of a JSON array `?1` (SQLite reads the list with `json_each`).
pub(super) const SQLITE_CAPACITIES: &str =
    "SELECT slot_id, capacity FROM slot_capacities WHERE slot_id IN (SELECT value FROM json_each(?1))";
pub(super) const POSTGRES_CAPACITIES: &str = "SELECT slot_id, capacity FROM slot_capacities WHERE slot_id = ANY($1)";

pub(super) const SQLITE_BOOKED_COUNTS: &str =
    "SELECT slot_id, COUNT(*) FROM appointments WHERE slot_id IN (SELECT value FROM json_each(?1)) GROUP BY slot_id";
pub(super) const POSTGRES_BOOKED_COUNTS: &str =
    "SELECT slot_id, COUNT(*) FROM appointments WHERE slot_id = ANY($1) GROUP BY slot_id";

pub(super) const SQLITE_BOOKINGS: &str = "SELECT slot_id, appointment_id, kiosk_id, resident FROM appointments
    WHERE slot_id IN (SELECT value FROM json_each(?1)) ORDER BY slot_id, appointment_id";
pub(super) const POSTGRES_BOOKINGS: &str = "SELECT slot_id, appointment_id, kiosk_id, resident FROM appointments
    WHERE slot_id = ANY($1) ORDER BY slot_id, appointment_id";

pub(super) const SQLITE_TICKETS: &str = const_str_concat!(
    "SELECT CAST(json_extract(payload, '$.day') AS TEXT), CAST(json_extract(payload, '$.window') AS TEXT), COUNT(*),
        MAX(CAST(json_extract(payload, '$.number') AS TEXT))
    FROM transactions WHERE ",
    KIND_IS_TICKET,
    " AND json_extract(payload, '$.day') IN (SELECT value FROM json_each(?1)) GROUP BY 1, 2 ORDER BY 1 DESC, 2"
);
pub(super) const POSTGRES_TICKETS: &str = const_str_concat!(
    "SELECT payload::jsonb ->> 'day', payload::jsonb ->> 'window', COUNT(*), MAX(payload::jsonb ->> 'number')
    FROM transactions WHERE ",
    KIND_IS_TICKET,
    " AND payload::jsonb ->> 'day' = ANY($1) GROUP BY 1, 2 ORDER BY 1 DESC, 2"
);

pub(super) const SET_CAPACITY: &str = "INSERT INTO slot_capacities (slot_id, capacity) VALUES ($1, $2)
    ON CONFLICT (slot_id) DO UPDATE SET capacity = excluded.capacity";
