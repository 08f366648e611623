//! The service station's own lists, shared by kiosk and server: its windows and the resident
//! services a kiosk offers. Each travels by its id; names are for screens and receipts.

use serde::{Deserialize, Serialize};

/// The station's windows, which hand out tickets and take appointments (docs/SERVICES.md). They
/// travel by their ids (`social_insurance`), never by a display name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
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

/// The resident services the kiosk provides; a tile of the content names one of them by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Notices,
    Directory,
    Opinions,
    Bills,
    SocialInsurance,
    Appointments,
    Reports,
    Reprint,
}

impl Service {
    pub fn id(self) -> &'static str {
        match self {
            Service::Notices => "notices",
            Service::Directory => "directory",
            Service::Opinions => "opinions",
            Service::Bills => "bills",
            Service::SocialInsurance => "social_insurance",
            Service::Appointments => "appointments",
            Service::Reports => "reports",
            Service::Reprint => "reprint",
        }
    }

    /// Whether the service needs the resident identified by a card first (docs/SERVICES.md).
    pub fn needs_card(self) -> bool {
        matches!(self, Service::Opinions | Service::SocialInsurance)
    }

    /// Whether the service works without the server (docs/SERVICES.md).
    pub fn works_offline(self) -> bool {
        !matches!(self, Service::Bills | Service::SocialInsurance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_ids_round_trip_and_are_what_travels() {
        for window in Window::ALL {
            assert_eq!(Window::from_id(window.id()), Some(window));
            assert_eq!(serde_json::to_string(&window).unwrap(), format!("\"{}\"", window.id()));
        }
        assert_eq!(Window::from_id("nope"), None);
        assert_eq!(Window::LegalAid.window_number(), 4);
    }

    #[test]
    fn service_ids_are_what_travels() {
        for service in [Service::Notices, Service::SocialInsurance, Service::Reprint] {
            assert_eq!(serde_json::to_string(&service).unwrap(), format!("\"{}\"", service.id()));
        }
    }
}
