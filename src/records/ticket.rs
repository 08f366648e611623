//! Queue tickets: one letter per window and a number that counts up from 1 each day. Numbered by
//! the kiosk alone, so that tickets work offline; the server reconciles them once synced. The
//! windows, their letters, numbers and names, are the station's content.

pub use citizen_window_protocol::station::WindowId;
use serde::{Deserialize, Serialize};

/// A window of the station as a ticket or an appointment records it: its id, the number on its
/// sign and its name (Chinese, English), so that a reprint reads the same whatever the content
/// says later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceWindow {
    pub id: WindowId,
    pub number: u32,
    pub name: (String, String),
}

/// A queue ticket as journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketPayload {
    pub window: WindowId,
    /// The number on the window's sign.
    #[serde(default)]
    pub window_number: u32,
    /// The window's name when the ticket was taken, Chinese then English.
    #[serde(default)]
    pub window_name: (String, String),
    /// As printed and called out: the window's letter and three digits, "A017".
    pub number: String,
    /// The day it counts for, in China Standard Time: YYYY-MM-DD.
    pub day: String,
}

impl TicketPayload {
    pub fn service_window(&self) -> ServiceWindow {
        ServiceWindow { id: self.window, number: self.window_number, name: self.window_name.clone() }
    }
}

/// The next ticket for `window` (its tickets start with `letter`) on `day`, given the tickets
/// already journaled (any day, any window).
pub fn next_ticket_number<'a>(
    window: WindowId,
    letter: char,
    day: &str,
    journaled: impl IntoIterator<Item = &'a TicketPayload>,
) -> String {
    let highest = journaled
        .into_iter()
        .filter(|t| t.window == window && t.day == day)
        .filter_map(|t| t.number.get(1..)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{letter}{:03}", highest + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOCIAL: WindowId = WindowId::fixed("social_insurance");
    const LEGAL: WindowId = WindowId::fixed("legal_aid");

    fn ticket(window: WindowId, number: &str, day: &str) -> TicketPayload {
        TicketPayload {
            window,
            window_number: 1,
            window_name: ("社保".into(), "Social insurance".into()),
            number: number.into(),
            day: day.into(),
        }
    }

    #[test]
    fn numbers_count_per_window_and_start_again_each_day() {
        let day = "2026-11-27";
        let journaled = [
            ticket(SOCIAL, "A001", day),
            ticket(SOCIAL, "A002", day),
            ticket(LEGAL, "D001", day),
            ticket(SOCIAL, "A041", "2026-11-26"),
        ];
        assert_eq!(next_ticket_number(SOCIAL, 'A', day, &journaled), "A003");
        assert_eq!(next_ticket_number(LEGAL, 'D', day, &journaled), "D002");
        assert_eq!(next_ticket_number(WindowId::fixed("health"), 'E', day, &journaled), "E001");
        assert_eq!(next_ticket_number(SOCIAL, 'A', "2026-11-28", &journaled), "A001");
    }

    #[test]
    fn a_number_past_999_keeps_counting() {
        let day = "2026-11-27";
        let journaled = [ticket(SOCIAL, "A999", day)];
        assert_eq!(next_ticket_number(SOCIAL, 'A', day, &journaled), "A1000");
    }

    #[test]
    fn a_ticket_journaled_before_windows_had_names_still_reads() {
        let old = r#"{"window":"legal_aid","number":"D007","day":"2026-11-27"}"#;
        let ticket: TicketPayload = serde_json::from_str(old).unwrap();
        assert_eq!(ticket.service_window().id, LEGAL);
        assert_eq!(ticket.window_number, 0);
    }
}
