//! The checkpoint thread, which copies the WAL back into the SQLite file on a timer.

use rusqlite::Connection;

/// How often the WAL is copied back into the database file.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);

/// Copies the WAL into the database file beside the writers (a passive checkpoint waits for no
/// one and blocks no one), so that the group-commit writer spends its time on commits. Ends with
/// a last checkpoint once the storage is dropped.
pub(super) fn checkpoint_loop(conn: Connection, stop: std::sync::mpsc::Receiver<()>) {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        let stopping = matches!(stop.recv_timeout(CHECKPOINT_INTERVAL), Err(RecvTimeoutError::Disconnected));
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "WAL checkpoint failed; it is tried again");
        }
        if stopping {
            return;
        }
    }
}
