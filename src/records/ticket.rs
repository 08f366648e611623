//! Queue tickets: one letter per window and a number that counts up from 1 each day. Numbered by
//! the kiosk alone, so that tickets work offline; the server reconciles them once synced.

use serde::{Deserialize, Serialize};

/// The station's windows that hand out tickets (docs/SERVICES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    SocialInsurance,
    CivilAffairs,
    FamilyPlanning,
    LegalAid,
    HealthStation,
}

impl Window {
    pub const ALL: [Window; 5] = [
        Window::SocialInsurance,
        Window::CivilAffairs,
        Window::FamilyPlanning,
        Window::LegalAid,
        Window::HealthStation,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Window::SocialInsurance => "social_insurance",
            Window::CivilAffairs => "civil_affairs",
            Window::FamilyPlanning => "family_planning",
            Window::LegalAid => "legal_aid",
            Window::HealthStation => "health_station",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.id() == id)
    }

    /// The letter that starts its ticket numbers, and the window number on the sign.
    pub fn letter(self) -> char {
        match self {
            Window::SocialInsurance => 'A',
            Window::CivilAffairs => 'B',
            Window::FamilyPlanning => 'C',
            Window::LegalAid => 'D',
            Window::HealthStation => 'E',
        }
    }

    pub fn window_number(self) -> u32 {
        Self::ALL.iter().position(|w| *w == self).map_or(0, |i| i as u32 + 1)
    }

    /// The name as printed on the ticket, Chinese then English.
    pub fn printed_name(self) -> (&'static str, &'static str) {
        match self {
            Window::SocialInsurance => ("社保", "Social insurance"),
            Window::CivilAffairs => ("民政事务", "Civil affairs"),
            Window::FamilyPlanning => ("计生服务", "Family planning"),
            Window::LegalAid => ("法律援助", "Legal aid"),
            Window::HealthStation => ("卫生服务站", "Health station"),
        }
    }
}

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

    #[test]
    fn window_ids_round_trip() {
        for window in Window::ALL {
            assert_eq!(Window::from_id(window.id()), Some(window));
        }
        assert_eq!(Window::from_id("nope"), None);
    }
}
