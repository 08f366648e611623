//! Appointments at the station's windows: booked at the server (the slots are shared by every
//! kiosk), then recorded and printed here like a ticket, with the booking's number.

use super::ticket::{ServiceWindow, WindowId};
use serde::{Deserialize, Serialize};

/// A booked appointment as journaled; the resident is in the journal's resident column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentPayload {
    pub appointment_id: String,
    pub window: WindowId,
    /// The number on the window's sign.
    #[serde(default)]
    pub window_number: u32,
    /// The window's name when booked, Chinese then English.
    #[serde(default)]
    pub window_name: (String, String),
    /// "2026-11-28 09:30", as the server gives it.
    pub starts_at: String,
}

impl AppointmentPayload {
    pub fn service_window(&self) -> ServiceWindow {
        ServiceWindow { id: self.window, number: self.window_number, name: self.window_name.clone() }
    }
}
