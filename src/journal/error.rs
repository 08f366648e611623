//! Journal failures as the UI and the technician see them: each says what happened, that nothing
//! already recorded is lost, and what to do.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    #[error(
        "the journal's disk is full ({path}): new transactions are refused until space is freed; nothing already recorded is lost. Free space (kioskctl status shows the disk) and try again"
    )]
    DiskFull { path: PathBuf },
    #[error(
        "the journal ({path}) is on a read-only filesystem: new transactions are refused; nothing already recorded is lost. Check the storage (dmesg) and remount it read-write"
    )]
    ReadOnly { path: PathBuf },
    #[error(
        "the journal ({path}) is damaged: new transactions are refused. Stop the kiosk, keep a copy of the file, and call a technician (kioskctl sync status shows what was already sent)"
    )]
    Corrupt { path: PathBuf },
    #[error("the journal ({path}) cannot be opened: {message}; check the path and its permissions")]
    CannotOpen { path: PathBuf, message: String },
    #[error("the journal ({path}) is busy: another program holds it; retry in a moment")]
    Busy { path: PathBuf },
    #[error(
        "the transaction's payload is {bytes} bytes, more than the {limit} a record may hold: it was not recorded. This is a program error: report it"
    )]
    PayloadTooLarge { bytes: usize, limit: usize },
    #[error("the transaction was not recorded: {reason}. This is a program error: report it")]
    BreaksRecordRules { reason: String },
    #[error("no transaction with sequence number {0} in the journal")]
    NoSuchRecord(u64),
    #[error("the journal ({path}) failed: {message}")]
    Other { path: PathBuf, message: String },
}

impl JournalError {
    /// Maps an SQLite error to what it means for the kiosk.
    pub fn from_sqlite(path: &Path, error: &rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match error.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => JournalError::DiskFull { path },
            Some(ErrorCode::ReadOnly) => JournalError::ReadOnly { path },
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => JournalError::Corrupt { path },
            Some(ErrorCode::CannotOpen) => JournalError::CannotOpen { path, message: error.to_string() },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => JournalError::Busy { path },
            // SQLite reports a full disk during a WAL write as an I/O error with ENOSPC.
            Some(ErrorCode::SystemIoFailure) if error.to_string().contains("full") => JournalError::DiskFull { path },
            _ => JournalError::Other { path, message: error.to_string() },
        }
    }

    /// Refines a vague failure (SQLite says "unable to open" or "I/O error" where the real cause
    /// is a read-only filesystem) by trying to open the file for writing.
    pub fn refine(self) -> Self {
        let (JournalError::CannotOpen { path, .. } | JournalError::Other { path, .. }) = &self else {
            return self;
        };
        let probe = std::fs::OpenOptions::new().append(true).open(path);
        match probe {
            Err(e) if e.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {
                JournalError::ReadOnly { path: path.clone() }
            }
            Err(e) if e.kind() == std::io::ErrorKind::StorageFull => JournalError::DiskFull { path: path.clone() },
            _ => self,
        }
    }

    /// Whether the journal must refuse every new transaction until a technician acts.
    pub fn is_permanent(&self) -> bool {
        matches!(self, JournalError::ReadOnly { .. } | JournalError::Corrupt { .. })
    }
}
