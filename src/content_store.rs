//! The content versions on the kiosk's disk, and how a signed bundle becomes the current one:
//! never half applied, never older than the highest accepted.
//!
//! ```text
//! state_dir/content/
//!   highest              the highest version accepted, written and synced before any switch
//!   staging/<v>/         a bundle being fetched (kept, so that a broken download resumes)
//!   versions/<v>/        each whole version: its files and manifest.json (the signed manifest)
//!   current -> versions/<v>, previous -> versions/<u>   (symlinks, switched by rename; one
//!                        older version is kept besides, for a session still showing it)
//!   refused              the last bundles refused, newest first: "<ms> <version> <why>" a line
//!   held_back            a technician's rollback: versions up to this one are not shown again
//!   overrides.log        each rollback: when, from which version to which
//! ```
//!
//! Applying: the manifest's signature, group, version and expiry are checked; each file is
//! fetched into the staging folder (a file already there and matching is kept, one the version
//! shown has unchanged is copied from it), checked against
//! its size and SHA-256, and the whole folder is validated as content; then the new highest
//! version is synced to disk, the staging folder becomes a version, and `current` is switched in
//! one rename. A kill at any moment leaves `current` pointing at a whole version; at the next
//! open a version accepted but not yet switched to is finished (its files checked again).

use crate::content::Content;
use citizen_window_protocol::content_bundle::{BundleError, Manifest, ManifestFile, SignedManifest};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

const HIGHEST: &str = "highest";
const CURRENT: &str = "current";
const PREVIOUS: &str = "previous";
const STAGING: &str = "staging";
const VERSIONS: &str = "versions";
const MANIFEST: &str = "manifest.json";
const REFUSED: &str = "refused";
const HELD_BACK: &str = "held_back";
const OVERRIDES: &str = "overrides.log";

/// How many refusals the store remembers.
const REFUSALS_KEPT: usize = 5;

/// How far behind the manifest's signing the kiosk's clock may be before the kiosk says its
/// clock is wrong (it still applies the bundle: the signature, not the clock, says who made it).
pub const CLOCK_SLACK_MS: i64 = 5 * 60_000;

/// Why a bundle was not applied; the content on screen is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error("version {offered} is not newer than version {highest}, the highest this kiosk accepted")]
    NotNewer { offered: u64, highest: u64 },
    #[error("version {0} was accepted before with other files: a version is never reused")]
    SameVersionOtherFiles(u64),
    #[error("the bundle expired at {expired_at_ms} (ms since the epoch); ask the office to publish it again")]
    Expired { expired_at_ms: i64 },
    #[error("the bundle is for the groups {groups:?}, not for this kiosk's group {group:?}")]
    NotForThisKiosk { groups: Vec<String>, group: String },
    #[error("the bundle's content is not valid: {0}")]
    InvalidContent(String),
    #[error("the file {path} could not be fetched: {message}")]
    Fetch { path: String, message: String },
    #[error("the content folder {path} cannot be written ({source}): check the disk")]
    Disk { path: PathBuf, source: std::io::Error },
}

/// What the kiosk holds, for its status and heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreStatus {
    pub current: Option<u64>,
    pub previous: Option<u64>,
    pub highest: u64,
    /// The kiosk's clock was behind the newest manifest's signing by more than [`CLOCK_SLACK_MS`].
    pub clock_behind: bool,
    /// A technician rolled back from this version (`kioskctl content rollback`): it and those
    /// before it are not shown again; a newer one is.
    pub held_back: Option<u64>,
    /// The last bundles refused, newest first: when (ms), which version, why.
    pub refused: Vec<(i64, u64, String)>,
}

/// Where a kiosk whose state is in `state_dir` keeps the server's content versions.
pub fn store_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("content")
}

/// The content versions under one folder.
pub struct ContentStore {
    root: PathBuf,
    public_key_hex: String,
    group: String,
    max_file_bytes: u64,
    clock_behind: bool,
}

impl ContentStore {
    /// Opens (or creates) the store under `root`, and finishes a version accepted but not yet
    /// switched to by a run that was killed.
    pub fn open(root: &Path, public_key_hex: &str, group: &str, max_file_bytes: u64) -> Result<Self, Refusal> {
        for dir in [root.to_path_buf(), root.join(STAGING), root.join(VERSIONS)] {
            fs::create_dir_all(&dir).map_err(|source| Refusal::Disk { path: dir.clone(), source })?;
        }
        let store = Self {
            root: root.to_path_buf(),
            public_key_hex: public_key_hex.to_string(),
            group: group.to_string(),
            max_file_bytes,
            clock_behind: false,
        };
        store.finish_interrupted_apply()?;
        Ok(store)
    }

    pub fn status(&self) -> StoreStatus {
        StoreStatus {
            current: self.link_version(CURRENT),
            previous: self.link_version(PREVIOUS),
            highest: self.highest(),
            clock_behind: self.clock_behind,
            held_back: self.held_back(),
            refused: self.refusals(),
        }
    }

    /// The folder of the newest whole version: the current one if every file matches its
    /// manifest, else the previous one if it is whole (the current one is repaired meanwhile).
    pub fn whole_dir(&self) -> Option<PathBuf> {
        let current = self.link_version(CURRENT);
        // A previous version a technician rolled back from is never shown instead.
        let rolled_back = |v: u64| current.is_some_and(|c| v > c) && self.held_back().is_some_and(|h| v <= h);
        let previous = self.link_version(PREVIOUS).filter(|v| !rolled_back(*v));
        [current, previous].into_iter().flatten().find_map(|version| {
            let dir = self.version_dir(version);
            let (_, manifest) = self.stored_manifest(&dir)?;
            check_files(&dir, &manifest).is_empty().then_some(dir)
        })
    }

    /// The files of the current version that do not match its manifest, with the version.
    pub fn damaged_files(&self) -> Option<(u64, Vec<ManifestFile>)> {
        let version = self.link_version(CURRENT)?;
        let dir = self.version_dir(version);
        let (_, manifest) = self.stored_manifest(&dir)?;
        let damaged: Vec<ManifestFile> = manifest
            .files
            .into_iter()
            .filter(|file| fs::read(dir.join(&file.path)).map_or(true, |bytes| file.check(&bytes).is_err()))
            .collect();
        (!damaged.is_empty()).then_some((version, damaged))
    }

    /// Puts a damaged file of `version` right with `bytes` fetched again, checked first.
    pub fn replace_file(&self, version: u64, file: &ManifestFile, bytes: &[u8]) -> Result<(), Refusal> {
        file.check(bytes)?;
        let target = self.version_dir(version).join(&file.path);
        let disk = |source| Refusal::Disk { path: target.clone(), source };
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(disk)?;
        }
        write_synced_atomically(&target, bytes).map_err(disk)
    }

    /// Remembers that `version` was refused and why (the last few, for the status and heartbeat).
    pub fn record_refusal(&self, now_ms: i64, version: u64, why: &str) {
        let mut refused = self.refusals();
        refused.retain(|(_, v, w)| !(*v == version && w == why));
        refused.insert(0, (now_ms, version, why.replace('\n', " ")));
        refused.truncate(REFUSALS_KEPT);
        let text: String = refused.iter().map(|(at, v, why)| format!("{at} {v} {why}\n")).collect();
        if let Err(e) = write_synced_atomically(&self.root.join(REFUSED), text.as_bytes()) {
            tracing::warn!("cannot keep the content refusal on disk: {e}");
        }
    }

    /// Refusals of `version` or older are over once `version` is applied.
    fn forget_refusals_up_to(&self, version: u64) {
        let refused = self.refusals();
        if refused.iter().any(|(_, v, _)| *v <= version) {
            let kept: String = refused
                .iter()
                .filter(|(_, v, _)| *v > version)
                .map(|(at, v, why)| format!("{at} {v} {why}\n"))
                .collect();
            let _ = write_synced_atomically(&self.root.join(REFUSED), kept.as_bytes());
        }
    }

    fn refusals(&self) -> Vec<(i64, u64, String)> {
        let text = fs::read_to_string(self.root.join(REFUSED)).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let mut parts = line.splitn(3, ' ');
                Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.to_string()))
            })
            .collect()
    }

    /// A technician's override: the previous version is shown again, the current one becomes the
    /// previous, and neither it nor any version before it is shown again by itself (a newer
    /// version is). Recorded in `overrides.log` with `who` and the time. Returns (from, to).
    pub fn roll_back(&self, now_ms: i64, who: &str) -> Result<(u64, u64), String> {
        let current = self.link_version(CURRENT).ok_or("no content from the server is shown: nothing to roll back")?;
        let previous = self.link_version(PREVIOUS).ok_or("there is no previous version to roll back to")?;
        if previous > current {
            return Err(format!(
                "version {current} is already a rollback from version {previous}, and the kiosk keeps no older one: wait for the office to publish a newer version"
            ));
        }
        let io = |e: std::io::Error| format!("the content folder {} cannot be written: {e}", self.root.display());
        let held = self.held_back().unwrap_or(0).max(current).max(self.highest());
        write_synced_atomically(&self.root.join(HELD_BACK), held.to_string().as_bytes()).map_err(io)?;
        self.switch_link(CURRENT, previous).map_err(io)?;
        self.switch_link(PREVIOUS, current).map_err(io)?;
        let line = format!("{now_ms} rolled back from version {current} to {previous} by {who}\n");
        let mut log = fs::OpenOptions::new().create(true).append(true).open(self.root.join(OVERRIDES)).map_err(io)?;
        log.write_all(line.as_bytes()).and_then(|()| log.sync_all()).map_err(io)?;
        Ok((current, previous))
    }

    fn held_back(&self) -> Option<u64> {
        fs::read_to_string(self.root.join(HELD_BACK)).ok()?.trim().parse().ok()
    }

    /// The folder of the version on screen, if any.
    pub fn current_dir(&self) -> Option<PathBuf> {
        self.link_version(CURRENT).map(|v| self.version_dir(v))
    }

    /// Applies the bundle of `signed`, fetching each file with `fetch` (the bytes of one file of
    /// the manifest); returns the version now current. `now_ms` is the kiosk's clock.
    pub fn apply(
        &mut self,
        signed: &SignedManifest,
        now_ms: i64,
        mut fetch: impl FnMut(&ManifestFile) -> Result<Vec<u8>, String>,
    ) -> Result<u64, Refusal> {
        let manifest = signed.verify(&self.public_key_hex)?;
        self.check_offer(signed, &manifest, now_ms)?;
        let version = manifest.version;
        if self.link_version(CURRENT) == Some(version) {
            return Ok(version);
        }
        if let Some(current) = self.link_version(CURRENT).filter(|_| self.held_back().is_some_and(|h| version <= h)) {
            // A technician rolled this version back: it waits for a newer one.
            return Ok(current);
        }
        let staging = self.root.join(STAGING).join(version.to_string());
        let disk = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Refusal::Disk { path, source }
        };
        fs::create_dir_all(&staging).map_err(disk(&staging))?;
        let shown = self.link_version(CURRENT).map(|current| self.version_dir(current));
        for file in &manifest.files {
            if file.size > self.max_file_bytes {
                let (path, size, limit) = (file.path.clone(), file.size, self.max_file_bytes);
                return Err(BundleError::FileTooLarge { path, size, limit }.into());
            }
            let target = staging.join(&file.path);
            if fs::read(&target).is_ok_and(|bytes| file.check(&bytes).is_ok()) {
                continue; // fetched whole before: a broken download resumes here
            }
            // A file the version shown has unchanged (a voice prompt, a picture) is not fetched
            // again: a publish costs the kiosk's link only what changed.
            let unchanged = shown.as_ref().and_then(|dir| fs::read(dir.join(&file.path)).ok());
            let bytes = match unchanged.filter(|bytes| file.check(bytes).is_ok()) {
                Some(bytes) => bytes,
                None => fetch(file).map_err(|message| Refusal::Fetch { path: file.path.clone(), message })?,
            };
            file.check(&bytes)?;
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(disk(parent))?;
            }
            write_synced(&target, &bytes).map_err(disk(&target))?;
        }
        let manifest_text = serde_json::to_vec(signed).expect("a signed manifest serialises");
        write_synced(&staging.join(MANIFEST), &manifest_text).map_err(disk(&staging))?;
        Content::load(&staging).map_err(|e| Refusal::InvalidContent(e.to_string()))?;
        // The order that makes a rollback impossible: the highest version on disk first.
        write_synced_atomically(&self.root.join(HIGHEST), version.to_string().as_bytes()).map_err(disk(&self.root))?;
        self.install(version)?;
        self.forget_refusals_up_to(version);
        Ok(version)
    }

    /// Checks every file of the current version against its manifest; the files that fail.
    pub fn verify_current(&self) -> Vec<BundleError> {
        let Some(version) = self.link_version(CURRENT) else { return Vec::new() };
        match self.stored_manifest(&self.version_dir(version)) {
            Some((_, manifest)) => check_files(&self.version_dir(version), &manifest),
            None => vec![BundleError::Malformed(format!("version {version} has no readable manifest"))],
        }
    }

    fn check_offer(&mut self, signed: &SignedManifest, manifest: &Manifest, now_ms: i64) -> Result<(), Refusal> {
        if !manifest.is_for(&self.group) {
            return Err(Refusal::NotForThisKiosk { groups: manifest.groups.clone(), group: self.group.clone() });
        }
        let highest = self.highest();
        if manifest.version < highest {
            return Err(Refusal::NotNewer { offered: manifest.version, highest });
        }
        if manifest.version == highest && highest > 0 {
            // Accepted before: the same manifest may finish (or find done) what it started,
            // other files under the same version never.
            let known = [self.version_dir(highest), self.root.join(STAGING).join(highest.to_string())]
                .iter()
                .find_map(|dir| self.stored_manifest(dir));
            match known {
                Some((text, _)) if text == signed.manifest => {}
                Some(_) => return Err(Refusal::SameVersionOtherFiles(highest)),
                None => return Err(Refusal::NotNewer { offered: manifest.version, highest }),
            }
        }
        // A clock behind the signing is wrong (nothing is signed in the future): the bundle is
        // judged at its signing time, and the kiosk says its clock is behind.
        self.clock_behind = now_ms + CLOCK_SLACK_MS < manifest.signed_at_ms;
        let judged_at = now_ms.max(manifest.signed_at_ms);
        if judged_at > manifest.expires_at_ms {
            return Err(Refusal::Expired { expired_at_ms: manifest.expires_at_ms });
        }
        Ok(())
    }

    /// Makes the accepted `version` (staged or already a version) the current one.
    fn install(&self, version: u64) -> Result<(), Refusal> {
        let staging = self.root.join(STAGING).join(version.to_string());
        let target = self.version_dir(version);
        let disk = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Refusal::Disk { path, source }
        };
        if staging.exists() {
            if target.exists() {
                fs::remove_dir_all(&target).map_err(disk(&target))?;
            }
            fs::rename(&staging, &target).map_err(disk(&staging))?;
            sync_dir(&self.root.join(VERSIONS)).map_err(disk(&self.root))?;
        }
        let old = self.link_version(CURRENT).filter(|v| *v != version);
        if let Some(old) = old {
            self.switch_link(PREVIOUS, old).map_err(disk(&self.root))?;
        }
        self.switch_link(CURRENT, version).map_err(disk(&self.root))?;
        self.prune();
        Ok(())
    }

    /// A version accepted (`highest`) but not switched to when the last run was killed.
    fn finish_interrupted_apply(&self) -> Result<(), Refusal> {
        let highest = self.highest();
        let rolled_back = self.held_back().is_some_and(|held| held >= highest);
        if highest == 0 || self.link_version(CURRENT) == Some(highest) || rolled_back {
            return Ok(());
        }
        let candidates = [self.root.join(STAGING).join(highest.to_string()), self.version_dir(highest)];
        for dir in candidates {
            let Some((_, manifest)) = self.stored_manifest(&dir) else { continue };
            if check_files(&dir, &manifest).is_empty() {
                tracing::warn!(version = highest, "finishing a content version accepted before a restart");
                return self.install(highest);
            }
        }
        Ok(())
    }

    /// Removes the versions no longer needed: all but `current`, `previous` and the newest other
    /// one (a resident's session may still show it, its pictures read from it, after two quick
    /// publishes), and staged downloads not newer than the highest.
    fn prune(&self) {
        let linked = [self.link_version(CURRENT), self.link_version(PREVIOUS)];
        let installed = fs::read_dir(self.root.join(VERSIONS)).into_iter().flatten().flatten();
        let one_more = installed
            .filter_map(|e| e.file_name().to_str()?.parse::<u64>().ok())
            .filter(|v| !linked.contains(&Some(*v)))
            .max();
        let keep = [linked[0], linked[1], one_more];
        for dir in [VERSIONS, STAGING] {
            let Ok(entries) = fs::read_dir(self.root.join(dir)) else { continue };
            for entry in entries.flatten() {
                let version = entry.file_name().to_str().and_then(|n| n.parse::<u64>().ok());
                let keep_it = match dir {
                    VERSIONS => keep.contains(&version),
                    // A download of a version newer than the highest may be resumed later.
                    _ => version.is_some_and(|v| v > self.highest()),
                };
                if !keep_it {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
    }

    fn highest(&self) -> u64 {
        fs::read_to_string(self.root.join(HIGHEST)).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0)
    }

    fn version_dir(&self, version: u64) -> PathBuf {
        self.root.join(VERSIONS).join(version.to_string())
    }

    fn link_version(&self, link: &str) -> Option<u64> {
        let target = fs::read_link(self.root.join(link)).ok()?;
        target.file_name()?.to_str()?.parse().ok()
    }

    /// Points `link` at `version` in one rename, then syncs the folder.
    fn switch_link(&self, link: &str, version: u64) -> std::io::Result<()> {
        let temporary = self.root.join(format!("{link}.new"));
        let _ = fs::remove_file(&temporary);
        std::os::unix::fs::symlink(Path::new(VERSIONS).join(version.to_string()), &temporary)?;
        fs::rename(&temporary, self.root.join(link))?;
        sync_dir(&self.root)
    }

    /// The signed manifest kept in `dir`, its text and what it says (not re-verified: only a
    /// verified manifest is ever written there).
    fn stored_manifest(&self, dir: &Path) -> Option<(String, Manifest)> {
        let signed: SignedManifest = serde_json::from_slice(&fs::read(dir.join(MANIFEST)).ok()?).ok()?;
        let manifest = signed.verify(&self.public_key_hex).ok()?;
        Some((signed.manifest, manifest))
    }
}

/// The files of `dir` that do not match `manifest` (missing, wrong size, wrong hash).
fn check_files(dir: &Path, manifest: &Manifest) -> Vec<BundleError> {
    let mut failed = Vec::new();
    for file in &manifest.files {
        match fs::read(dir.join(&file.path)) {
            Ok(bytes) => {
                if let Err(e) = file.check(&bytes) {
                    failed.push(e);
                }
            }
            Err(_) => failed.push(BundleError::WrongSize { path: file.path.clone(), expected: file.size, actual: 0 }),
        }
    }
    failed
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn write_synced_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension("new");
    write_synced(&temporary, bytes)?;
    fs::rename(&temporary, path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests;
