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
    /// The content bundles this kiosk refused, newest first (at most a few): version and why.
    pub rejected_bundles: Vec<String>,
    /// The content push stream's state, apart from the heartbeat's own success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentReport>,
    /// Journal records the server refused for good, kept aside on the kiosk.
    #[serde(default)]
    pub refused_records: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HeartbeatAck {
    pub server_time_ms: i64,
}

/// What a kiosk says of its content: the versions it holds and its push stream.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ContentReport {
    /// The kiosk's group, as configured (empty: none).
    pub group: String,
    pub previous_version: Option<u64>,
    /// The highest version ever accepted (a technician's rollback shows below it).
    pub highest_version: u64,
    /// `connected`, `connecting` or `down` (with why in `stream_detail`).
    pub stream: String,
    /// Since when the stream has been in that state (ms since the epoch).
    pub stream_since_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_detail: Option<String>,
    /// The kiosk's clock was found behind a manifest's signing time.
    pub clock_behind: bool,
    /// Files found damaged on disk and fetched again since the kiosk started.
    pub repaired_files: u64,
}
