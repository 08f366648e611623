//! PostgreSQL storage of the station's slot capacities, bookings and tickets (`storage::station`).

use super::super::StorageError;
use super::super::station::{
    BookingRow, POSTGRES_BOOKED_COUNTS, POSTGRES_BOOKINGS, POSTGRES_CAPACITIES, POSTGRES_TICKETS, SET_CAPACITY,
    TicketCount,
};
use super::PostgresStorage;
use std::collections::HashMap;

impl PostgresStorage {
    pub async fn slot_capacities(&self, slot_ids: &[String]) -> Result<HashMap<String, u32>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(POSTGRES_CAPACITIES, &[&slot_ids]).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get::<_, i64>(1) as u32)).collect())
    }

    pub async fn booked_counts(&self, slot_ids: &[String]) -> Result<HashMap<String, u32>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(POSTGRES_BOOKED_COUNTS, &[&slot_ids]).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get::<_, i64>(1) as u32)).collect())
    }

    pub async fn set_slot_capacity(&self, slot_id: &str, capacity: u32) -> Result<(), StorageError> {
        let client = self.pool.get().await?;
        client.execute(SET_CAPACITY, &[&slot_id, &i64::from(capacity)]).await?;
        Ok(())
    }

    pub async fn bookings(&self, slot_ids: &[String]) -> Result<Vec<BookingRow>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(POSTGRES_BOOKINGS, &[&slot_ids]).await?;
        Ok(rows
            .iter()
            .map(|r| BookingRow { slot_id: r.get(0), appointment_id: r.get(1), kiosk_id: r.get(2), resident: r.get(3) })
            .collect())
    }

    pub async fn tickets_by_day(&self, days: &[String]) -> Result<Vec<TicketCount>, StorageError> {
        let client = self.pool.get().await?;
        let rows = client.query(POSTGRES_TICKETS, &[&days]).await?;
        Ok(rows
            .iter()
            .map(|r| TicketCount {
                day: r.get::<_, Option<String>>(0).unwrap_or_default(),
                window: r.get::<_, Option<String>>(1).unwrap_or_default(),
                tickets: r.get::<_, i64>(2) as u64,
                last_number: r.get::<_, Option<String>>(3).unwrap_or_default(),
            })
            .collect())
    }
}
