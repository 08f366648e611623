//! Content bundles: a content folder and its manifest (a version that only grows, when it was
//! signed, when it expires, the kiosk groups it is for, and each file's path, size and SHA-256),
//! signed with Ed25519 by the fleet's content key. The signature covers the manifest's exact
//! JSON text, so that nothing is re-serialised before it is checked; the files are checked
//! against the manifest, one by one, before any of them is used.

use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// The most files a bundle may hold.
pub const MAX_FILES: usize = 512;
/// The server's push stream says something at least this often (a keep-alive comment if
/// nothing else): a kiosk that hears nothing for three times as long takes the stream for dead.
pub const KEEP_ALIVE_SECONDS: u64 = 20;
/// The longest manifest text accepted (512 files with their paths and hashes fit easily).
pub const MAX_MANIFEST_BYTES: usize = 256 * 1024;
/// The longest path of a file in a bundle.
pub const MAX_PATH_CHARS: usize = 128;

/// What a bundle holds, as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Only grows: a kiosk never applies a version at or below the highest it accepted.
    pub version: u64,
    /// When it was signed, and after when no kiosk applies it (milliseconds since the epoch).
    pub signed_at_ms: i64,
    pub expires_at_ms: i64,
    /// The kiosk groups it is for; empty: every kiosk.
    pub groups: Vec<String>,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// A relative path inside the bundle, with `/` between its parts (`images/slide.png`).
    pub path: String,
    pub size: u64,
    /// 64 lowercase hex digits.
    pub sha256: String,
}

/// A manifest as it travels and is kept: its JSON text and the signature over that text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedManifest {
    pub manifest: String,
    /// 128 lowercase hex digits: the Ed25519 signature of `manifest`'s bytes.
    pub signature: String,
}

/// Why a manifest or a file is not taken. Each says what is wrong in words a technician can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("the manifest is {0} bytes, more than the {MAX_MANIFEST_BYTES} allowed")]
    ManifestTooLarge(usize),
    #[error(
        "the manifest's signature does not verify with the fleet's content key (tampered, or signed by another key)"
    )]
    BadSignature,
    #[error("the fleet's content key from enrolment is not a 32-byte hex key: enrol the kiosk again")]
    BadPublicKey,
    #[error("the manifest is not valid JSON of the expected shape: {0}")]
    Malformed(String),
    #[error("the manifest lists {0} files, more than the {MAX_FILES} allowed")]
    TooManyFiles(usize),
    #[error("the path {0:?} is not a plain relative path inside the bundle")]
    UnsafePath(String),
    #[error("the path {0:?} is listed twice")]
    DuplicatePath(String),
    #[error("the file {path} should have {expected} bytes and has {actual}")]
    WrongSize { path: String, expected: u64, actual: u64 },
    #[error("the file {0} does not match its SHA-256 in the manifest")]
    WrongHash(String),
    #[error("the file {path} has {size} bytes, more than the {limit} a kiosk takes")]
    FileTooLarge { path: String, size: u64, limit: u64 },
}

impl SignedManifest {
    /// Signs `manifest` with the content key (PKCS#8 DER of an Ed25519 key, as `citizen-central
    /// init` writes it).
    pub fn sign(manifest: &Manifest, pkcs8_der: &[u8]) -> Result<Self, String> {
        let key = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8_der)
            .map_err(|e| format!("the content-signing key is not an Ed25519 PKCS#8 key: {e}"))?;
        let text = serde_json::to_string(manifest).expect("a manifest serialises");
        let signature = hex::encode(key.sign(text.as_bytes()).as_ref());
        Ok(Self { manifest: text, signature })
    }

    /// The manifest, if its signature verifies with `public_key_hex` and its paths are safe.
    pub fn verify(&self, public_key_hex: &str) -> Result<Manifest, BundleError> {
        if self.manifest.len() > MAX_MANIFEST_BYTES {
            return Err(BundleError::ManifestTooLarge(self.manifest.len()));
        }
        let public_key = hex::decode(public_key_hex.trim()).map_err(|_| BundleError::BadPublicKey)?;
        if public_key.len() != 32 {
            return Err(BundleError::BadPublicKey);
        }
        let signature_bytes = hex::decode(&self.signature).map_err(|_| BundleError::BadSignature)?;
        UnparsedPublicKey::new(&signature::ED25519, &public_key)
            .verify(self.manifest.as_bytes(), &signature_bytes)
            .map_err(|_| BundleError::BadSignature)?;
        let manifest: Manifest =
            serde_json::from_str(&self.manifest).map_err(|e| BundleError::Malformed(e.to_string()))?;
        manifest.check_paths()?;
        Ok(manifest)
    }
}

impl Manifest {
    /// Every path plain and relative, none twice, no more than [`MAX_FILES`].
    pub fn check_paths(&self) -> Result<(), BundleError> {
        if self.files.len() > MAX_FILES {
            return Err(BundleError::TooManyFiles(self.files.len()));
        }
        let mut seen = std::collections::HashSet::new();
        for file in &self.files {
            if !is_safe_path(&file.path) {
                return Err(BundleError::UnsafePath(file.path.clone()));
            }
            if !seen.insert(file.path.as_str()) {
                return Err(BundleError::DuplicatePath(file.path.clone()));
            }
        }
        Ok(())
    }

    /// The manifest's entry for `path`.
    pub fn file(&self, path: &str) -> Option<&ManifestFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Whether a kiosk in `group` takes this bundle.
    pub fn is_for(&self, group: &str) -> bool {
        self.groups.is_empty() || self.groups.iter().any(|g| g == group)
    }
}

impl ManifestFile {
    /// The entry for `bytes` at `path`.
    pub fn of(path: &str, bytes: &[u8]) -> Self {
        Self { path: path.to_string(), size: bytes.len() as u64, sha256: sha256_hex(bytes) }
    }

    /// Whether `bytes` are this file, by size and hash.
    pub fn check(&self, bytes: &[u8]) -> Result<(), BundleError> {
        if bytes.len() as u64 != self.size {
            return Err(BundleError::WrongSize {
                path: self.path.clone(),
                expected: self.size,
                actual: bytes.len() as u64,
            });
        }
        if sha256_hex(bytes) != self.sha256 {
            return Err(BundleError::WrongHash(self.path.clone()));
        }
        Ok(())
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A relative path of plain names (letters, digits, `-`, `_`, `.`; no name that is only dots)
/// joined by `/`: nothing that could leave the bundle's folder on any system.
pub fn is_safe_path(path: &str) -> bool {
    let plain = |name: &str| {
        !name.is_empty()
            && !name.chars().all(|c| c == '.')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    !path.is_empty() && path.chars().count() <= MAX_PATH_CHARS && path.split('/').all(plain)
}

/// The public key (hex) of a PKCS#8 Ed25519 key, as kiosks receive it at enrolment.
pub fn public_key_hex(pkcs8_der: &[u8]) -> Result<String, String> {
    let key = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8_der).map_err(|e| e.to_string())?;
    Ok(hex::encode(key.public_key().as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Vec<u8> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref().to_vec()
    }

    fn manifest() -> Manifest {
        Manifest {
            version: 7,
            signed_at_ms: 1_000,
            expires_at_ms: 2_000,
            groups: vec![],
            files: vec![ManifestFile::of("station.toml", b"community = 1"), ManifestFile::of("images/a.png", b"png")],
        }
    }

    #[test]
    fn a_signed_manifest_verifies_with_its_key_only() {
        let (key, other) = (key(), key());
        let signed = SignedManifest::sign(&manifest(), &key).unwrap();
        assert_eq!(signed.verify(&public_key_hex(&key).unwrap()).unwrap(), manifest());
        assert_eq!(signed.verify(&public_key_hex(&other).unwrap()), Err(BundleError::BadSignature));
        let mut tampered = signed.clone();
        tampered.manifest = tampered.manifest.replace("\"version\":7", "\"version\":8");
        assert_eq!(tampered.verify(&public_key_hex(&key).unwrap()), Err(BundleError::BadSignature));
        assert_eq!(signed.verify("abcd"), Err(BundleError::BadPublicKey));
    }

    #[test]
    fn paths_that_could_leave_the_bundle_are_refused() {
        for bad in ["../x", "/etc/passwd", "a/../b", "a//b", "a\\b", ".", "..", "a/./b", "", "c:x", "名字.toml"] {
            assert!(!is_safe_path(bad), "{bad:?}");
        }
        for good in ["station.toml", "images/slide-1.png", ".hidden_ok"] {
            assert!(is_safe_path(good), "{good:?}");
        }
        let key = key();
        let mut m = manifest();
        m.files.push(ManifestFile::of("../escape", b"x"));
        let signed = SignedManifest::sign(&m, &key).unwrap();
        assert_eq!(signed.verify(&public_key_hex(&key).unwrap()), Err(BundleError::UnsafePath("../escape".into())));
        let mut m = manifest();
        m.files.push(m.files[0].clone());
        let signed = SignedManifest::sign(&m, &key).unwrap();
        assert!(matches!(signed.verify(&public_key_hex(&key).unwrap()), Err(BundleError::DuplicatePath(_))));
    }

    #[test]
    fn a_file_is_checked_by_size_then_hash() {
        let entry = ManifestFile::of("a", b"hello");
        assert_eq!(entry.check(b"hello"), Ok(()));
        assert!(matches!(entry.check(b"hell"), Err(BundleError::WrongSize { expected: 5, actual: 4, .. })));
        assert_eq!(entry.check(b"jello"), Err(BundleError::WrongHash("a".into())));
    }
}
