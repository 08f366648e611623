//! SQLite storage: one file, WAL, `synchronous=FULL` (an acknowledged record is on disk), one
//! connection behind a mutex, used from blocking threads. Uploads go to a writer thread of their
//! own (`group_commit`), checkpoints to another (`checkpoints`).

mod appointments;
mod checkpoints;
mod connection;
mod group_commit;
mod help_calls;
mod kiosks;
mod lookups;
mod payment_orders;
mod ratings;
mod reports;
mod schema;
mod staff;
mod station;
mod uploads;
mod votes;

pub use lookups::SQLITE_ISSUE_REPORT_BY_TRACKING_NUMBER;

use super::StorageError;
use connection::open_connection;
use group_commit::InsertJob;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    /// Uploads go to one writer thread that commits many kiosks' batches in one transaction:
    /// one fsync for a group instead of one per request.
    writer: std::sync::mpsc::Sender<InsertJob>,
    /// Dropped with the last clone: the checkpoint thread then makes a last checkpoint and ends.
    _checkpoint_stop: std::sync::mpsc::Sender<()>,
}

impl SqliteStorage {
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        let mut conn = open_connection(path)?;
        schema::create_or_migrate(&mut conn)?;
        let writer_conn = open_connection(path)?;
        let (writer, jobs) = std::sync::mpsc::channel();
        let cannot_start = |e: std::io::Error| StorageError::Backend(format!("cannot start the database writer: {e}"));
        std::thread::Builder::new()
            .name("sqlite-group-commit".into())
            .spawn(move || group_commit::group_commit_loop(writer_conn, jobs))
            .map_err(cannot_start)?;
        let checkpoint_conn = open_connection(path)?;
        let (checkpoint_stop, stop) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoints::checkpoint_loop(checkpoint_conn, stop))
            .map_err(cannot_start)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)), writer, _checkpoint_stop: checkpoint_stop })
    }

    /// Runs `f` with the connection on a blocking thread.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(|e| StorageError::Backend(e.to_string()))?
    }
}
