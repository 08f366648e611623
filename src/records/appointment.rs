//! Appointments at the station's windows: booked at the server (the slots are shared by every
//! kiosk), then recorded and printed here like a ticket, with the booking's number.

use super::ticket::Window;
use serde::{Deserialize, Serialize};

/// A booked appointment as journaled; the resident is in the journal's resident column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentPayload {
    pub appointment_id: String,
    pub window: Window,
    /// "2026-11-28 09:30", as the server gives it.
    pub starts_at: String,
}

impl Window {
    /// The window as the server's appointment slots name it.
    pub fn from_server_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.printed_name().0 == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_window_names_are_known() {
        for (name, window) in [("社保", Window::SocialInsurance), ("卫生服务站", Window::HealthStation)] {
            assert_eq!(Window::from_server_name(name), Some(window));
        }
        assert_eq!(Window::from_server_name("税务"), None);
    }
}
