//! Appointments in SQLite: one booking per kiosk and idempotency key, one a day at each window
//! per resident, and no more in a slot than its capacity.

use super::super::{ALREADY_BOOKED, StorageError, window_day};
use super::SqliteStorage;
use citizen_window_protocol::services::Appointment;
use rusqlite::{OptionalExtension, params};

impl SqliteStorage {
    pub async fn book_appointment(
        &self,
        kiosk_id: &str,
        idempotency_key: &str,
        appointment: &Appointment,
        resident: &str,
        capacity: u32,
    ) -> Result<Appointment, StorageError> {
        let (kiosk_id, key, appointment, resident) =
            (kiosk_id.to_string(), idempotency_key.to_string(), appointment.clone(), resident.to_string());
        self.with(move |c| {
            let tx = c.transaction()?;
            let previous: Option<String> = tx
                .query_row(
                    "SELECT body FROM appointments WHERE kiosk_id = ?1 AND idempotency_key = ?2",
                    params![kiosk_id, key],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(body) = previous {
                return serde_json::from_str(&body).map_err(|e| StorageError::Backend(e.to_string()));
            }
            let same_day: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM appointments WHERE resident = ?1 AND substr(slot_id, 1, length(?2) + 1) = ?2 || '-')",
                params![resident, window_day(&appointment.slot.slot_id)],
                |r| r.get(0),
            )?;
            if same_day {
                return Err(StorageError::AlreadyBooked(ALREADY_BOOKED.into()));
            }
            let booked: i64 =
                tx.query_row("SELECT COUNT(*) FROM appointments WHERE slot_id = ?1", params![appointment.slot.slot_id], |r| r.get(0))?;
            if booked as u32 >= capacity {
                return Err(StorageError::Refused("this time slot is full: choose another one".into()));
            }
            tx.execute(
                "INSERT INTO appointments (appointment_id, kiosk_id, idempotency_key, slot_id, resident, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    appointment.appointment_id,
                    kiosk_id,
                    key,
                    appointment.slot.slot_id,
                    resident,
                    serde_json::to_string(&appointment).expect("serialises")
                ],
            )?;
            tx.commit()?;
            Ok(appointment)
        })
        .await
    }
}
