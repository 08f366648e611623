//! A kiosk's history of problems: what a heartbeat's arrival adds to it (an offline spell after a
//! silence, a changed condition), the SQL both databases read and prune it with, and the
//! PostgreSQL channel on which changes to the fleet are announced.

use citizen_window_protocol::heartbeat::Heartbeat;
use serde::Serialize;

/// The PostgreSQL notification channel of changes to the fleet's kiosks (a heartbeat, a revocation,
/// a new label); the payload is the kiosk's id.
pub const FLEET_CHANNEL: &str = "citizen_window_fleet";

/// A heartbeat as it arrives, with what the server makes of it.
#[derive(Debug, Clone)]
pub struct HeartbeatArrival<'a> {
    pub kiosk_id: &'a str,
    pub heartbeat: &'a Heartbeat,
    /// The heartbeat's problems, as `kiosk_condition::history_text` writes them.
    pub condition: String,
    /// When the certificate the kiosk connected with ends.
    pub certificate_ends_ms: Option<i64>,
    pub at_ms: i64,
    /// How long after a heartbeat the kiosk counts as offline: a longer gap before this one goes
    /// into the kiosk's history as an offline spell.
    pub offline_after_ms: i64,
}

/// One change in a kiosk's history: from `at_ms` on, its problems were `condition` (codes,
/// comma-separated; empty: all well).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at_ms: i64,
    pub condition: String,
}

/// A kiosk's history is kept this long (the console shows 30 days), and the entry in force at its
/// start.
pub const HISTORY_KEPT_MS: i64 = 31 * 86_400_000;

/// The history's condition of a kiosk that went silent.
pub const OFFLINE_CONDITION: &str = "offline";

/// The entries a heartbeat adds to its kiosk's history, given when the one before it came and the
/// last entry's condition: an offline spell if the gap was longer than the kiosk may be silent
/// (from when it counted as offline), then the new condition if it differs from the last.
pub(super) fn history_entries(
    previous_beat_ms: Option<i64>,
    last_condition: Option<String>,
    condition: &str,
    at_ms: i64,
    offline_after_ms: i64,
) -> Vec<HistoryEntry> {
    let mut entries = Vec::new();
    let mut last = last_condition;
    if let Some(previous) = previous_beat_ms
        && at_ms - previous > offline_after_ms
    {
        let offline = OFFLINE_CONDITION.to_string();
        entries.push(HistoryEntry { at_ms: previous + offline_after_ms, condition: offline.clone() });
        last = Some(offline);
    }
    if last.as_deref() != Some(condition) {
        entries.push(HistoryEntry { at_ms, condition: condition.to_string() });
    }
    entries
}

/// A kiosk's history since a moment, with the entry in force then (`?1`/`$1`: the kiosk, `?2`/`$2`:
/// the moment; the same in both databases, but for the placeholders' spelling).
pub(super) const KIOSK_HISTORY: &str = "SELECT at_ms, condition FROM kiosk_history WHERE kiosk_id = $1
    AND at_ms >= COALESCE((SELECT MAX(at_ms) FROM kiosk_history WHERE kiosk_id = $1 AND at_ms <= $2), $2)
    ORDER BY at_ms";

/// Deletes a kiosk's history entries older than `$2`, but the last of them (in force at `$2`).
pub(super) const PRUNE_KIOSK_HISTORY: &str = "DELETE FROM kiosk_history WHERE kiosk_id = $1
    AND at_ms < (SELECT MAX(at_ms) FROM kiosk_history WHERE kiosk_id = $1 AND at_ms < $2)";
