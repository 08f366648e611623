//! Opening a connection to the SQLite file, with the settings every connection needs: the file
//! private to the server's user, WAL, a commit on disk before it is acknowledged, and no
//! checkpoint inside a commit.

use super::super::StorageError;
use rusqlite::Connection;
use std::path::Path;

pub(super) fn open_connection(path: &Path) -> Result<Connection, StorageError> {
    citizen_window_protocol::private_files::keep_sqlite_private(path)
        .map_err(|e| StorageError::Backend(format!("cannot create {}: {e}", path.display())))?;
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))?;
    // An acknowledged record must survive a power cut: the kiosk may prune it afterwards.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Checkpoints run on their own thread (see `checkpoints`), not inside a commit.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(conn)
}
