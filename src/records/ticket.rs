//! Queue tickets: one letter per window and a number that counts up from 1 each day. Numbered by
//! the kiosk alone, so that tickets work offline; the server reconciles them once synced.

pub use citizen_window_protocol::station::Window;
use serde::{Deserialize, Serialize};

/// A queue ticket as journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketPayload {
    pub window: Window,
    /// As printed and called out: the window's letter and three digits, "A017".
    pub number: String,
    /// The day it counts for, in China Standard Time: YYYY-MM-DD.
    pub day: String,
}

/// The next ticket for `window` on `day`, given the tickets already journaled (any day, any window).
pub fn next_ticket_number<'a>(
    window: Window,
    day: &str,
    journaled: impl IntoIterator<Item = &'a TicketPayload>,
) -> String {
    let highest = journaled
        .into_iter()
        .filter(|t| t.window == window && t.day == day)
        .filter_map(|t| t.number.get(1..)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{}{:03}", window.letter(), highest + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(window: Window, number: &str, day: &str) -> TicketPayload {
        TicketPayload { window, number: number.into(), day: day.into() }
    }

    #[test]
    fn numbers_count_per_window_and_start_again_each_day() {
        let day = "2026-11-27";
        let journaled = [
            ticket(Window::SocialInsurance, "A001", day),
            ticket(Window::SocialInsurance, "A002", day),
            ticket(Window::LegalAid, "D001", day),
            ticket(Window::SocialInsurance, "A041", "2026-11-26"),
        ];
        assert_eq!(next_ticket_number(Window::SocialInsurance, day, &journaled), "A003");
        assert_eq!(next_ticket_number(Window::LegalAid, day, &journaled), "D002");
        assert_eq!(next_ticket_number(Window::HealthStation, day, &journaled), "E001");
        assert_eq!(next_ticket_number(Window::SocialInsurance, "2026-11-28", &journaled), "A001");
    }

    #[test]
    fn a_number_past_999_keeps_counting() {
        let day = "2026-11-27";
        let journaled = [ticket(Window::CivilAffairs, "B999", day)];
        assert_eq!(next_ticket_number(Window::CivilAffairs, day, &journaled), "B1000");
    }
}
