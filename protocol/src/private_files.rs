//! Files both sides keep from other users: SQLite databases (the kiosk's journal, the server's
//! file) at mode 0600 in folders at 0700, made so before SQLite first opens them (its WAL and
//! shared-memory files take the database file's mode), and closed up where an older version left
//! them readable by all.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Creates `dir` and any missing parents at mode 0700.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Makes the SQLite database at `path` private: its folder is created at 0700 if missing, the
/// file at 0600 if missing, and the file and its `-wal` and `-shm` companions are set to 0600 if
/// others could read them. Setting the mode is best effort (a read-only filesystem is left to
/// SQLite to report, with what to do).
pub fn keep_sqlite_private(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        create_private_dir(dir)?;
    }
    if !path.exists() {
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    }
    let with_suffix = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    for file in [path.to_path_buf(), with_suffix("-wal"), with_suffix("-shm")] {
        let open_to_others = std::fs::metadata(&file).is_ok_and(|m| m.permissions().mode() & 0o077 != 0);
        if open_to_others {
            let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_database_and_its_folder_are_private_and_an_old_open_one_is_closed_up() {
        let root = std::env::temp_dir().join(format!("citizen-private-{}", std::process::id()));
        let path = root.join("state").join("journal.sqlite");
        keep_sqlite_private(&path).unwrap();
        assert_eq!((mode(&path), mode(path.parent().unwrap())), (0o600, 0o700));
        let wal = root.join("state").join("journal.sqlite-wal");
        std::fs::write(&wal, b"").unwrap();
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        keep_sqlite_private(&path).unwrap();
        assert_eq!((mode(&path), mode(&wal)), (0o600, 0o600));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
