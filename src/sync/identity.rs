//! The kiosk's identity on disk, under its state folder: its private key (0600), its certificate,
//! the fleet CA it trusts, what enrolment told it, and the secret the kiosk keys its own resident
//! pseudonyms with (made here, never sent). Nothing here holds a resident's data.

use super::SyncError;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub const KEY_FILE: &str = "kiosk.key";
pub const CERT_FILE: &str = "kiosk.pem";
pub const CA_FILE: &str = "fleet-ca.pem";
pub const ENROLMENT_FILE: &str = "enrolment.json";
/// The kiosk's own secret for its residents' vote once-keys (`resident_key`): made on the kiosk,
/// kept across enrolments, never sent.
pub const LOCAL_RESIDENT_SECRET_FILE: &str = "resident-local.secret";
/// A renewed key and certificate, in one file so that they are replaced together; preferred over
/// the key and certificate from enrolment when present.
pub const RENEWED_FILE: &str = "kiosk-renewed.pem";

/// Where the kiosk keeps its state unless told otherwise.
pub const DEFAULT_STATE_DIR: &str = "/var/lib/citizen-window";
/// Environment variable naming another state folder (tests, the demo, a second kiosk).
pub const STATE_DIR_ENV: &str = "CITIZEN_WINDOW_STATE";

pub fn default_state_dir() -> PathBuf {
    std::env::var_os(STATE_DIR_ENV).map_or_else(|| PathBuf::from(DEFAULT_STATE_DIR), PathBuf::from)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub kiosk_id: String,
    pub server_url: String,
    pub content_signing_public_key_hex: String,
    /// The server's public key residents' ID numbers are sealed to (empty in an enrolment made
    /// before sealing: cards then identify nobody until the kiosk is enrolled again).
    #[serde(default)]
    pub resident_seal_public_key_hex: String,
    /// When this identity was made. An identity from before this was recorded may have
    /// delivered the journal's acknowledged records itself; one made since starts where the
    /// journal's watermark stood when it was first used (see `Journal::delivery_floor`).
    #[serde(default)]
    pub enrolled_at_ms: Option<i64>,
    /// The kiosk's short number in the fleet, the first digits of its receipt numbers (absent in
    /// an enrolment made before numbers: its receipts start with 0000).
    #[serde(default)]
    pub kiosk_number: Option<u32>,
    /// The name the technician gave the kiosk at enrolment, printed on its receipts.
    #[serde(default)]
    pub label: Option<String>,
}

/// The enrolled kiosk's files, loaded.
#[derive(Clone)]
pub struct KioskIdentity {
    pub enrolment: Enrolment,
    pub key_pem: String,
    pub cert_pem: String,
    pub ca_pem: String,
}

impl std::fmt::Debug for KioskIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KioskIdentity").field("enrolment", &self.enrolment).finish_non_exhaustive()
    }
}

/// The private key and the certificate of a renewed identity's file.
fn split_key_and_certificate(both: &str) -> Option<(String, String)> {
    let at = both.find("-----BEGIN CERTIFICATE-----")?;
    let (key, cert) = both.split_at(at);
    key.contains("PRIVATE KEY-----").then(|| (key.trim_end().to_string() + "\n", cert.to_string()))
}

pub fn identity_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("identity")
}

/// Writes `contents` so that only the owner can read it, replacing the file atomically.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&partial)?;
    file.write_all(contents)?;
    file.sync_all()?;
    std::fs::rename(&partial, path)
}

impl KioskIdentity {
    pub fn load(state_dir: &Path) -> Result<Self, SyncError> {
        let dir = identity_dir(state_dir);
        let read = |file: &str| {
            std::fs::read_to_string(dir.join(file))
                .map_err(|e| SyncError::NotEnrolled(format!("{}: {e}", dir.join(file).display())))
        };
        let enrolment: Enrolment = serde_json::from_str(&read(ENROLMENT_FILE)?)
            .map_err(|e| SyncError::NotEnrolled(format!("{} is damaged: {e}", dir.join(ENROLMENT_FILE).display())))?;
        let (key_pem, cert_pem) = match std::fs::read_to_string(dir.join(RENEWED_FILE)) {
            Ok(renewed) => split_key_and_certificate(&renewed).ok_or_else(|| {
                SyncError::NotEnrolled(format!(
                    "{} is damaged: remove it to go back to the enrolment's certificate",
                    dir.join(RENEWED_FILE).display()
                ))
            })?,
            Err(_) => (read(KEY_FILE)?, read(CERT_FILE)?),
        };
        Ok(Self { enrolment, key_pem, cert_pem, ca_pem: read(CA_FILE)? })
    }

    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        let dir = identity_dir(state_dir);
        citizen_window_protocol::private_files::create_private_dir(&dir)?;
        write_private(&dir.join(KEY_FILE), self.key_pem.as_bytes())?;
        write_private(&dir.join(CERT_FILE), self.cert_pem.as_bytes())?;
        write_private(&dir.join(CA_FILE), self.ca_pem.as_bytes())?;
        let enrolment = serde_json::to_vec_pretty(&self.enrolment).expect("serialises");
        write_private(&dir.join(ENROLMENT_FILE), &enrolment)?;
        // A new enrolment: a certificate renewed under the previous one no longer applies.
        match std::fs::remove_file(dir.join(RENEWED_FILE)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Stores a renewed key and certificate, both at once (one file, replaced atomically).
    pub fn save_renewed(&self, state_dir: &Path) -> std::io::Result<()> {
        let both = format!("{}\n{}", self.key_pem.trim_end(), self.cert_pem);
        write_private(&identity_dir(state_dir).join(RENEWED_FILE), both.as_bytes())
    }
}

/// The kiosk's own resident secret, made the first time it is asked for (32 random bytes, 0600).
/// The key of this kiosk's receipt numbers' check digits, from its own secret: the same across
/// restarts, so that a receipt's number reads back; never sent anywhere.
pub fn receipt_number_key(state_dir: &Path) -> std::io::Result<zeroize::Zeroizing<[u8; 32]>> {
    use hmac::{KeyInit, Mac};
    let secret = local_resident_secret(state_dir)?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret).expect("HMAC takes any key");
    mac.update(b"citizen-window receipt number key");
    Ok(zeroize::Zeroizing::new(mac.finalize().into_bytes().into()))
}

pub fn local_resident_secret(state_dir: &Path) -> std::io::Result<zeroize::Zeroizing<Vec<u8>>> {
    let dir = identity_dir(state_dir);
    let path = dir.join(LOCAL_RESIDENT_SECRET_FILE);
    if !path.exists() {
        citizen_window_protocol::private_files::create_private_dir(&dir)?;
        let mut secret = zeroize::Zeroizing::new([0u8; 32]);
        aws_lc_rs::rand::fill(&mut *secret).map_err(|_| std::io::Error::other("the system random generator failed"))?;
        write_private(&path, hex::encode(*secret).as_bytes())?;
    }
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(&path)?);
    hex::decode(text.trim()).map(zeroize::Zeroizing::new).map_err(|_| {
        std::io::Error::other(format!(
            "{} is damaged: remove it (a new one is made; residents may then vote again here on open proposals, the server still counts one)",
            path.display()
        ))
    })
}
