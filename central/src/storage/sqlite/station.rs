//! SQLite storage of the station's slot capacities, bookings and tickets (`storage::station`).

use super::super::StorageError;
use super::super::station::{
    BookingRow, SET_CAPACITY, SQLITE_BOOKED_COUNTS, SQLITE_BOOKINGS, SQLITE_CAPACITIES, SQLITE_TICKETS, TicketCount,
};
use super::SqliteStorage;
use rusqlite::params;
use std::collections::HashMap;

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).expect("strings serialise")
}

impl SqliteStorage {
    pub async fn slot_capacities(&self, slot_ids: &[String]) -> Result<HashMap<String, u32>, StorageError> {
        let list = json_list(slot_ids);
        self.with(move |c| {
            let mut stmt = c.prepare_cached(SQLITE_CAPACITIES)?;
            let rows = stmt.query_map(params![list], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u32)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub async fn booked_counts(&self, slot_ids: &[String]) -> Result<HashMap<String, u32>, StorageError> {
        let list = json_list(slot_ids);
        self.with(move |c| {
            let mut stmt = c.prepare_cached(SQLITE_BOOKED_COUNTS)?;
            let rows = stmt.query_map(params![list], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u32)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub async fn set_slot_capacity(&self, slot_id: &str, capacity: u32) -> Result<(), StorageError> {
        let slot_id = slot_id.to_string();
        self.with(move |c| {
            c.execute(SET_CAPACITY, params![slot_id, capacity])?;
            Ok(())
        })
        .await
    }

    pub async fn bookings(&self, slot_ids: &[String]) -> Result<Vec<BookingRow>, StorageError> {
        let list = json_list(slot_ids);
        self.with(move |c| {
            let mut stmt = c.prepare_cached(SQLITE_BOOKINGS)?;
            let rows = stmt.query_map(params![list], |r| {
                Ok(BookingRow {
                    slot_id: r.get(0)?,
                    appointment_id: r.get(1)?,
                    kiosk_id: r.get(2)?,
                    resident: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub async fn tickets_by_day(&self, days: &[String]) -> Result<Vec<TicketCount>, StorageError> {
        let list = json_list(days);
        self.with(move |c| {
            let mut stmt = c.prepare_cached(SQLITE_TICKETS)?;
            let rows = stmt.query_map(params![list], |r| {
                Ok(TicketCount {
                    day: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    window: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    tickets: r.get::<_, i64>(2)? as u64,
                    last_number: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
