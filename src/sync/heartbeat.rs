//! The heartbeat the kiosk sends: device states, sync backlog, content and software versions,
//! free disk. Built from what the caller knows; the free-disk figure is read here.

use crate::journal::SyncStatus;
use citizen_window_protocol::heartbeat::{ContentReport, DeviceReport, Heartbeat};
use std::path::Path;

/// Bytes available to the kiosk on the filesystem holding `path`.
pub fn free_disk_bytes(path: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(path).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

pub fn build(
    now_ms: i64,
    sync: &SyncStatus,
    devices: Vec<DeviceReport>,
    content: Option<(Option<u64>, Vec<String>, ContentReport)>,
    state_dir: &Path,
) -> Heartbeat {
    let (content_version, rejected_bundles, content) = match content {
        Some((version, refused, report)) => (version, refused, Some(report)),
        None => (None, Vec::new(), None),
    };
    Heartbeat {
        sent_at_ms: now_ms,
        devices,
        backlog: sync.pending,
        oldest_pending_ms: sync.oldest_pending_ms,
        content_version,
        software_version: env!("CARGO_PKG_VERSION").to_string(),
        free_disk_bytes: free_disk_bytes(state_dir),
        rejected_bundles,
        content,
        refused_records: sync.refused,
    }
}

/// Builds a heartbeat from the journal's sync status and sends it.
pub async fn send(
    client: &super::server_client::ServerClient,
    journal: &super::uploader::SharedJournal,
    devices: Vec<DeviceReport>,
    content: Option<(Option<u64>, Vec<String>, ContentReport)>,
    state_dir: &Path,
) -> Result<(), super::SyncError> {
    let status = super::uploader::with_journal(journal, |j| j.sync_status()).await?;
    let heartbeat = build(crate::journal::now_ms(), &status, devices, content, state_dir);
    client.heartbeat(&heartbeat).await.map(|_| ())
}
