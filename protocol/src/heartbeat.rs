//! The kiosk's heartbeat: the server keeps the last one per kiosk for the fleet view.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeviceReport {
    pub device: String,
    /// XFS4IoT / UnifiedPOS word: online, offline, no_device, hardware_error, user_error, busy.
    pub status: String,
    /// A printer's paper: ok, low, out, jammed, unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Heartbeat {
    pub sent_at_ms: i64,
    pub devices: Vec<DeviceReport>,
    pub backlog: u64,
    pub oldest_pending_ms: Option<i64>,
    pub content_version: Option<u64>,
    pub software_version: String,
    pub free_disk_bytes: Option<u64>,
    /// Content bundles that failed a check since the last heartbeat.
    pub rejected_bundles: Vec<String>,
    /// Journal records the server refused for good, kept aside on the kiosk.
    #[serde(default)]
    pub refused_records: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HeartbeatAck {
    pub server_time_ms: i64,
}
