//! Device states in the words of CEN XFS4IoT and UnifiedPOS, shared by every device, the UI, the
//! technician tools and the server; every error names the action that fixes it.

use serde::Serialize;
use std::fmt;

/// Overall state of one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    Online,
    Offline,
    NoDevice,
    HardwareError,
    /// A person can fix it: cover open, paper out.
    UserError,
    Busy,
}

/// Paper supply of a printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperStatus {
    Ok,
    Low,
    Out,
    Jammed,
    Unknown,
}

/// Whether a card is in a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaStatus {
    Present,
    NotPresent,
    Jammed,
    Unknown,
}

/// What has to happen before the device works again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredAction {
    None,
    /// Trying again may succeed by itself.
    Retry,
    /// Staff can fix it on site: load paper, close the cover.
    Clear,
    /// Needs a technician.
    Maintenance,
    /// The device must be reset.
    Reset,
}

impl fmt::Display for DeviceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceStatus::Online => "online",
            DeviceStatus::Offline => "offline",
            DeviceStatus::NoDevice => "no_device",
            DeviceStatus::HardwareError => "hardware_error",
            DeviceStatus::UserError => "user_error",
            DeviceStatus::Busy => "busy",
        })
    }
}

impl fmt::Display for PaperStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PaperStatus::Ok => "ok",
            PaperStatus::Low => "low",
            PaperStatus::Out => "out",
            PaperStatus::Jammed => "jammed",
            PaperStatus::Unknown => "unknown",
        })
    }
}

impl fmt::Display for RequiredAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequiredAction::None => "none",
            RequiredAction::Retry => "retry",
            RequiredAction::Clear => "clear",
            RequiredAction::Maintenance => "maintenance",
            RequiredAction::Reset => "reset",
        })
    }
}
