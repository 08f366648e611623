//! What kiosk and server share about the service station: how a window is named when it travels
//! (the windows themselves, numbers and names, come from the station's content), and the
//! resident services a kiosk offers. Each travels by its id; names are for screens and receipts.

use serde::{Deserialize, Serialize};

/// A window of the station, as it travels: its id from the station's content
/// (`social_insurance`), never a display name. The station's content says which windows exist,
/// their numbers and names; an id is 1 to [`WindowId::MAX_LEN`] lowercase letters, digits, `_`
/// or `-`, held inline so that it copies like a number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WindowId {
    len: u8,
    bytes: [u8; WindowId::MAX_LEN],
}

impl WindowId {
    pub const MAX_LEN: usize = 24;

    /// The id, if `id` is one.
    pub const fn new(id: &str) -> Option<Self> {
        let given = id.as_bytes();
        if given.is_empty() || given.len() > Self::MAX_LEN {
            return None;
        }
        let mut bytes = [0u8; Self::MAX_LEN];
        let mut i = 0;
        while i < given.len() {
            let b = given[i];
            if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-') {
                return None;
            }
            bytes[i] = b;
            i += 1;
        }
        Some(Self { len: given.len() as u8, bytes })
    }

    /// An id written in the program itself (demo data, tests); panics if it is not one.
    pub const fn fixed(id: &'static str) -> Self {
        match Self::new(id) {
            Some(window) => window,
            None => panic!("not a window id"),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or_default()
    }

    /// What an id must look like, for error messages and the API's schema.
    pub const RULE: &'static str = "1 to 24 lowercase letters, digits, _ or -";
}

impl std::fmt::Debug for WindowId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WindowId({:?})", self.as_str())
    }
}

impl std::fmt::Display for WindowId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for WindowId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WindowId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        WindowId::new(&text).ok_or_else(|| {
            let shown: String = text.chars().take(32).collect();
            serde::de::Error::custom(format!("{shown:?} is not a window id ({})", WindowId::RULE))
        })
    }
}

impl schemars::JsonSchema for WindowId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WindowId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[a-z0-9_-]{1,24}$" })
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
    fn window_ids_are_checked_and_travel_as_their_text() {
        let window = WindowId::new("legal_aid").unwrap();
        assert_eq!(window.as_str(), "legal_aid");
        assert_eq!(serde_json::to_string(&window).unwrap(), "\"legal_aid\"");
        assert_eq!(serde_json::from_str::<WindowId>("\"legal_aid\"").unwrap(), window);
        for bad in ["", "Legal", "法律援助", "a b", &"x".repeat(WindowId::MAX_LEN + 1)] {
            assert_eq!(WindowId::new(bad), None, "{bad:?}");
        }
        let refused = serde_json::from_str::<WindowId>("\"../etc\"").unwrap_err().to_string();
        assert!(refused.contains("not a window id"), "{refused}");
        assert!(WindowId::new(&"x".repeat(WindowId::MAX_LEN)).is_some());
    }

    #[test]
    fn service_ids_are_what_travels() {
        for service in [Service::Notices, Service::SocialInsurance, Service::Reprint] {
            assert_eq!(serde_json::to_string(&service).unwrap(), format!("\"{}\"", service.id()));
        }
    }
}
