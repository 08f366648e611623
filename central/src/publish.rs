//! `citizen-central publish`: a content folder checked by the kiosks' own validator
//! (`citizen-window-content`), signed with the fleet's content key as the next version, and kept
//! under `<dir>/content/bundles/<version>/` (its `manifest.json` and `files/`) for kiosks to fetch.

use anyhow::{Context, Result, bail};
use citizen_window_content::Content;
use citizen_window_protocol::content_bundle::{MAX_FILES, Manifest, ManifestFile, SignedManifest, is_safe_path};
use std::path::{Path, PathBuf};

/// How long a bundle stays appliable by default: a kiosk offline longer gets the next one.
pub const DEFAULT_VALID_DAYS: u32 = 365;

/// What was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub version: u64,
    pub files: usize,
    pub bytes: u64,
    pub folder: PathBuf,
}

/// Where the published bundles of the server in `dir` are kept.
pub fn bundles_dir(dir: &Path) -> PathBuf {
    dir.join("content").join("bundles")
}

/// The highest version published from `dir`, 0 before the first.
pub fn latest_version(dir: &Path) -> u64 {
    std::fs::read_dir(bundles_dir(dir))
        .map(|entries| entries.flatten().filter_map(|e| e.file_name().to_str()?.parse::<u64>().ok()).max().unwrap_or(0))
        .unwrap_or(0)
}

/// The newest bundle for every kiosk (or, without one, the newest), its version and groups.
pub fn newest_for_every_kiosk(dir: &Path) -> Result<(u64, Vec<String>)> {
    let bundles = bundles_dir(dir);
    let mut versions: Vec<u64> = std::fs::read_dir(&bundles)
        .map(|entries| entries.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default();
    versions.sort_unstable_by(|a, b| b.cmp(a));
    let mut newest = None;
    for version in versions {
        let text = std::fs::read(bundles.join(version.to_string()).join("manifest.json"))?;
        let signed: SignedManifest = serde_json::from_slice(&text)?;
        let groups = serde_json::from_str::<Manifest>(&signed.manifest)?.groups;
        if groups.is_empty() {
            return Ok((version, groups));
        }
        newest.get_or_insert((version, groups));
    }
    newest.context("no content has been published yet: publish the station's content first (citizen-central publish)")
}

/// Holds the server folder's bundles for one publisher at a time (publish, a rollout's step), in
/// this process and any other on the same folder; let go when dropped.
pub struct BundlesLock {
    _locked: std::fs::File,
}

impl BundlesLock {
    pub fn take(dir: &Path) -> Result<Self> {
        let bundles = bundles_dir(dir);
        std::fs::create_dir_all(&bundles).with_context(|| format!("cannot create {}", bundles.display()))?;
        let path = bundles.join(".lock");
        let file = std::fs::File::create(&path).with_context(|| format!("cannot open {}", path.display()))?;
        file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(Self { _locked: file })
    }
}

/// Checks `content` as a kiosk will, signs it as the next version for `groups` (empty: every
/// kiosk), valid for `valid_days`, and keeps it under the server's `dir`.
pub fn publish(dir: &Path, content: &Path, groups: &[String], valid_days: u32, now_ms: i64) -> Result<Published> {
    let lock = BundlesLock::take(dir)?;
    publish_locked(&lock, dir, content, groups, valid_days, now_ms)
}

/// [`publish`], with the bundles already held.
pub fn publish_locked(
    _held: &BundlesLock,
    dir: &Path,
    content: &Path,
    groups: &[String],
    valid_days: u32,
    now_ms: i64,
) -> Result<Published> {
    for group in groups {
        let plain = !group.is_empty()
            && group.len() <= 32
            && group.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plain {
            bail!("the group {group:?} is not one a kiosk can have: up to 32 letters, digits, '-' or '_'");
        }
    }
    Content::load(content).with_context(|| format!("{} cannot be published", content.display()))?;
    let files = folder_files(content)?;
    let key_pem = std::fs::read_to_string(dir.join(crate::pki::CONTENT_SIGNING_KEY)).with_context(|| {
        format!("cannot read the content-signing key: run `citizen-central init --dir {}` first", dir.display())
    })?;
    let key = rcgen::KeyPair::from_pem(&key_pem).context("the content-signing key is not a PEM key")?;
    let version = latest_version(dir) + 1;
    let manifest = Manifest {
        version,
        signed_at_ms: now_ms,
        expires_at_ms: now_ms + i64::from(valid_days) * 86_400_000,
        groups: groups.to_vec(),
        files: files.iter().map(|(path, bytes)| ManifestFile::of(path, bytes)).collect(),
    };
    let signed = SignedManifest::sign(&manifest, &key.serialize_der()).map_err(anyhow::Error::msg)?;
    // Written whole under a temporary name, then renamed: a kiosk never sees half a bundle.
    let folder = bundles_dir(dir).join(version.to_string());
    let partial = bundles_dir(dir).join(format!("{version}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    for (path, bytes) in &files {
        let target = partial.join("files").join(path);
        std::fs::create_dir_all(target.parent().expect("a file has a folder"))?;
        std::fs::write(&target, bytes).with_context(|| format!("cannot write {}", target.display()))?;
    }
    std::fs::write(partial.join("manifest.json"), serde_json::to_vec_pretty(&signed)?)?;
    std::fs::rename(&partial, &folder).with_context(|| format!("cannot publish into {}", folder.display()))?;
    let bytes = files.iter().map(|(_, b)| b.len() as u64).sum();
    Ok(Published { version, files: files.len(), bytes, folder })
}

/// Every regular file under `root`, by its bundle path; a name a kiosk would refuse is refused
/// here first, with the file.
fn folder_files(root: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                bail!("{} is a symbolic link: put the file itself in the content folder", path.display());
            }
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).expect("under the root");
            let name = relative.to_str().map(|s| s.replace(std::path::MAIN_SEPARATOR, "/"));
            let Some(name) = name.filter(|n| is_safe_path(n)) else {
                bail!("{} has a name kiosks refuse: use letters, digits, '-', '_' and '.' only", path.display());
            };
            files.push((name, std::fs::read(&path)?));
        }
    }
    if files.len() > MAX_FILES {
        bail!("the folder holds {} files, more than the {MAX_FILES} a bundle may", files.len());
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use citizen_window_protocol::content_bundle::SignedManifest;

    fn fleet() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        crate::pki::init_fleet(dir.path(), &["localhost".to_string()]).unwrap();
        dir
    }

    fn copy_example(to: &Path) {
        let example = Content::example_dir();
        for entry in walk(&example) {
            let target = to.join(entry.strip_prefix(&example).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, target).unwrap();
        }
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.path().is_dir() { out.extend(walk(&entry.path())) } else { out.push(entry.path()) }
        }
        out
    }

    #[test]
    fn a_valid_folder_is_signed_as_the_next_version_and_verifies_with_the_fleet_key() {
        let server = fleet();
        let public = crate::pki::Fleet::load(server.path()).unwrap().content_signing_public_key_hex;
        let first = publish(server.path(), &Content::example_dir(), &[], 30, 1_000).unwrap();
        assert_eq!(first.version, 1);
        let second = publish(server.path(), &Content::example_dir(), &["district-a".into()], 30, 2_000).unwrap();
        assert_eq!(second.version, 2);
        let signed: SignedManifest =
            serde_json::from_slice(&std::fs::read(second.folder.join("manifest.json")).unwrap()).unwrap();
        let manifest = signed.verify(&public).unwrap();
        assert_eq!((manifest.version, manifest.groups.clone()), (2, vec!["district-a".to_string()]));
        assert_eq!(manifest.expires_at_ms, 2_000 + 30 * 86_400_000);
        for file in &manifest.files {
            file.check(&std::fs::read(second.folder.join("files").join(&file.path)).unwrap()).unwrap();
        }
        assert!(manifest.file("station.toml").is_some() && manifest.file("images/community.png").is_some());
    }

    #[test]
    fn a_folder_a_kiosk_would_refuse_is_not_published() {
        let server = fleet();
        let content = tempfile::tempdir().unwrap();
        copy_example(content.path());
        std::fs::write(content.path().join("windows.toml"), "[[window]]\nid = \"Bad Id\"").unwrap();
        let refused = format!("{:#}", publish(server.path(), content.path(), &[], 30, 0).unwrap_err());
        assert!(refused.contains("windows.toml"), "names the file: {refused}");
        copy_example(content.path());
        std::fs::write(content.path().join("images").join("图片.png"), b"x").unwrap();
        let refused = format!("{:#}", publish(server.path(), content.path(), &[], 30, 0).unwrap_err());
        assert!(refused.contains("name kiosks refuse"), "{refused}");
        let refused = publish(server.path(), &Content::example_dir(), &["east gate".into()], 30, 0).unwrap_err();
        assert!(refused.to_string().contains("not one a kiosk can have"), "{refused}");
        assert_eq!(latest_version(server.path()), 0, "nothing was published");
    }
}
