//! The published content bundles as the server serves them (`publish` writes them under
//! `<dir>/content/bundles/`): the newest signed manifest for a kiosk's group, the files its
//! manifest lists, and the doorbell that rings every stream when a newer version appears.
//!
//! The shelf looks at the folder again when told ([`ContentShelf::rescan`]): on PostgreSQL's
//! notification from `publish` (every instance hears it, `content_bell`), and on a timer besides.

use citizen_window_protocol::content_bundle::{MAX_MANIFEST_BYTES, Manifest, SignedManifest};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// One published version, as read from its folder.
struct Shelved {
    version: u64,
    groups: Vec<String>,
    signed_at_ms: i64,
    expires_at_ms: i64,
    /// The signed manifest's JSON, served as it is.
    signed: Arc<[u8]>,
    /// Each listed file's size.
    files: HashMap<String, u64>,
}

/// What `content list` says of a published version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublishedVersion {
    pub version: u64,
    /// Empty: every kiosk.
    pub groups: Vec<String>,
    pub signed_at_ms: i64,
    pub expires_at_ms: i64,
    pub files: usize,
    pub bytes: u64,
}

/// The published versions, newest first.
pub struct ContentShelf {
    /// The server's folder, whose bundles these are.
    server_dir: PathBuf,
    bundles: PathBuf,
    shelved: RwLock<Vec<Arc<Shelved>>>,
    bell: watch::Sender<u64>,
    /// Versions whose manifest could not be read, with its modification time then: read (and
    /// logged) again only once it changes.
    unreadable: std::sync::Mutex<HashMap<u64, Option<std::time::SystemTime>>>,
}

impl ContentShelf {
    /// The shelf of the server in `dir`, read once now.
    pub fn open(dir: &Path) -> Self {
        let shelf = Self {
            server_dir: dir.to_path_buf(),
            bundles: crate::publish::bundles_dir(dir),
            shelved: RwLock::new(Vec::new()),
            bell: watch::Sender::new(0),
            unreadable: Default::default(),
        };
        shelf.rescan();
        shelf
    }

    /// The server's folder, whose bundles these are (the console publishes there too).
    pub fn server_dir(&self) -> &Path {
        &self.server_dir
    }

    /// Reads the versions published since the last look, if any, and rings the doorbell with the
    /// newest. A version whose manifest cannot be read is skipped and logged.
    pub fn rescan(&self) {
        let Ok(entries) = std::fs::read_dir(&self.bundles) else { return };
        let mut on_disk: Vec<u64> =
            entries.flatten().filter_map(|e| e.file_name().to_str()?.parse::<u64>().ok()).collect();
        on_disk.sort_unstable_by(|a, b| b.cmp(a));
        let changed = |version: u64| {
            let manifest = self.bundles.join(version.to_string()).join("manifest.json");
            std::fs::metadata(manifest).and_then(|m| m.modified()).ok()
        };
        let mut unreadable = self.unreadable.lock().unwrap_or_else(|e| e.into_inner());
        on_disk.retain(|v| unreadable.get(v).is_none_or(|seen| *seen != changed(*v)));
        let known: Vec<u64> = self.read().iter().map(|s| s.version).collect();
        if on_disk == known {
            return;
        }
        let mut shelved = Vec::new();
        for version in on_disk {
            if let Some(kept) = self.read().iter().find(|s| s.version == version) {
                shelved.push(kept.clone());
                continue;
            }
            match read_version(&self.bundles.join(version.to_string()), version) {
                Ok(read) => {
                    unreadable.remove(&version);
                    shelved.push(Arc::new(read));
                }
                Err(why) => {
                    tracing::error!(version, "a published content version cannot be served (publish it again): {why}");
                    unreadable.insert(version, changed(version));
                }
            }
        }
        let newest = shelved.first().map_or(0, |s| s.version);
        *self.shelved.write().unwrap_or_else(|e| e.into_inner()) = shelved;
        self.bell.send_if_modified(|latest| {
            let newer = newest > *latest;
            if newer {
                tracing::info!(version = newest, "content version published: ringing the kiosks");
                *latest = newest;
            }
            newer
        });
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<Shelved>>> {
        self.shelved.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The newest version for `group` (a bundle for no group is for every kiosk): its version and
    /// signed manifest.
    pub fn newest_for(&self, group: &str) -> Option<(u64, Arc<[u8]>)> {
        let shelved = self.read();
        let found = shelved.iter().find(|s| s.groups.is_empty() || s.groups.iter().any(|g| g == group))?;
        Some((found.version, found.signed.clone()))
    }

    /// Where the file `path` of `version` is, and its size, if that version's manifest lists it.
    pub fn file(&self, version: u64, path: &str) -> Option<(PathBuf, u64)> {
        let shelved = self.read();
        let size = *shelved.iter().find(|s| s.version == version)?.files.get(path)?;
        Some((self.bundles.join(version.to_string()).join("files").join(path), size))
    }

    /// Every version published, newest first.
    pub fn versions(&self) -> Vec<PublishedVersion> {
        self.read()
            .iter()
            .map(|s| PublishedVersion {
                version: s.version,
                groups: s.groups.clone(),
                signed_at_ms: s.signed_at_ms,
                expires_at_ms: s.expires_at_ms,
                files: s.files.len(),
                bytes: s.files.values().sum(),
            })
            .collect()
    }

    /// The newest version published, and each change of it.
    pub fn doorbell(&self) -> watch::Receiver<u64> {
        self.bell.subscribe()
    }
}

fn read_version(folder: &Path, version: u64) -> Result<Shelved, String> {
    let path = folder.join("manifest.json");
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() > MAX_MANIFEST_BYTES + 1024 {
        return Err(format!("{} is larger than a manifest may be", path.display()));
    }
    let signed: SignedManifest = serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest: Manifest = serde_json::from_str(&signed.manifest).map_err(|e| format!("{}: {e}", path.display()))?;
    if manifest.version != version {
        return Err(format!("{} says version {}, its folder {version}", path.display(), manifest.version));
    }
    Ok(Shelved {
        version,
        groups: manifest.groups,
        signed_at_ms: manifest.signed_at_ms,
        expires_at_ms: manifest.expires_at_ms,
        signed: bytes.into(),
        files: manifest.files.into_iter().map(|f| (f.path, f.size)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use citizen_window_content::Content;

    #[test]
    fn the_newest_version_for_a_group_is_served_and_the_bell_rings_once_per_version() {
        let server = tempfile::tempdir().unwrap();
        crate::pki::init_fleet(server.path(), &["localhost".to_string()]).unwrap();
        let shelf = ContentShelf::open(server.path());
        assert!(shelf.newest_for("").is_none());
        let mut bell = shelf.doorbell();
        let example = Content::example_dir();
        crate::publish::publish(server.path(), &example, &[], 30, 1_000).unwrap();
        crate::publish::publish(server.path(), &example, &["district-b".into()], 30, 2_000).unwrap();
        shelf.rescan();
        assert!(bell.has_changed().unwrap());
        assert_eq!(*bell.borrow_and_update(), 2);
        shelf.rescan();
        assert!(!bell.has_changed().unwrap(), "nothing new: no ring");
        // A folder that is no bundle is set aside once, not read (and logged) at every look.
        let broken = crate::publish::bundles_dir(server.path()).join("9");
        std::fs::create_dir_all(&broken).unwrap();
        std::fs::write(broken.join("manifest.json"), b"not json").unwrap();
        shelf.rescan();
        assert!(shelf.unreadable.lock().unwrap().contains_key(&9));
        assert_eq!(shelf.newest_for("").unwrap().0, 1, "the versions served are kept");
        assert_eq!(shelf.newest_for("district-a").unwrap().0, 1);
        assert_eq!(shelf.newest_for("district-b").unwrap().0, 2);
        assert!(shelf.file(1, "station.toml").is_some_and(|(path, size)| path.is_file() && size > 0));
        assert!(shelf.file(1, "../central.toml").is_none() && shelf.file(9, "station.toml").is_none());
    }
}
