//! `central.toml` in the server's folder: where the database is and the address kiosks and
//! phones use to reach the server. Written by `init`, checked when loaded.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const CONFIG_FILE: &str = "central.toml";

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_show() {
        assert_eq!(
            super::redacted("postgres://citizen:s3cr@t@db.example/fleet"),
            "postgres://citizen:***@db.example/fleet"
        );
        assert_eq!(super::redacted("postgres://citizen@db.example/fleet"), "postgres://citizen@db.example/fleet");
        assert_eq!(super::redacted("central.sqlite"), "central.sqlite");
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentralConfig {
    /// A SQLite file name inside the folder, or a `postgres://` URL.
    pub database: String,
    /// The base URL kiosks and phones use, e.g. "https://central.example.gov.cn:8443".
    pub public_url: String,
    /// How many days ahead appointments may be booked (from tomorrow), 1 to 365.
    #[serde(default = "default_horizon")]
    pub appointment_horizon_days: u32,
    /// How long a kiosk's certificate is valid, in days (30 to 3650); kiosks renew theirs when a
    /// third of it is left.
    #[serde(default = "default_certificate_days")]
    pub kiosk_certificate_days: u32,
    /// The kiosks' heartbeat interval in seconds, as they send them (30); the console counts a
    /// kiosk offline after 1.5 of them without one. 1 to 600.
    #[serde(default = "default_heartbeat_interval")]
    pub heartbeat_interval_seconds: u32,
}

/// Kiosks send a heartbeat every 30 s while online (docs/SYNC.md).
pub const DEFAULT_HEARTBEAT_INTERVAL_SECONDS: u32 = 30;

fn default_heartbeat_interval() -> u32 {
    DEFAULT_HEARTBEAT_INTERVAL_SECONDS
}

/// A kiosk's certificate is valid for a year unless central.toml says otherwise.
pub const DEFAULT_KIOSK_CERTIFICATE_DAYS: u32 = 365;

fn default_certificate_days() -> u32 {
    DEFAULT_KIOSK_CERTIFICATE_DAYS
}

/// Appointments up to a month ahead unless central.toml says otherwise.
pub const DEFAULT_APPOINTMENT_HORIZON_DAYS: u32 = 30;

fn default_horizon() -> u32 {
    DEFAULT_APPOINTMENT_HORIZON_DAYS
}

/// A database setting as it may be shown in a message or a log: a PostgreSQL URL's password
/// replaced by `***`.
pub fn redacted(database: &str) -> String {
    let Some((scheme, rest)) = database.split_once("://") else { return database.to_string() };
    let Some((credentials, host)) = rest.rsplit_once('@') else { return database.to_string() };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => database.to_string(),
    }
}

impl CentralConfig {
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!("cannot read {}: run `citizen-central init --dir {}` first", path.display(), dir.display())
        })?;
        let config: CentralConfig =
            toml::from_str(&text).with_context(|| format!("{} is not a valid server configuration", path.display()))?;
        if !config.public_url.starts_with("https://") {
            bail!("{}: public_url = {:?} must start with https://", path.display(), config.public_url);
        }
        if !(30..=3650).contains(&config.kiosk_certificate_days) {
            bail!(
                "{}: kiosk_certificate_days = {} is not allowed: give a number of days from 30 to 3650",
                path.display(),
                config.kiosk_certificate_days
            );
        }
        if !(1..=600).contains(&config.heartbeat_interval_seconds) {
            bail!(
                "{}: heartbeat_interval_seconds = {} is not allowed: give the kiosks' heartbeat interval, from 1 to 600 seconds",
                path.display(),
                config.heartbeat_interval_seconds
            );
        }
        if !(1..=365).contains(&config.appointment_horizon_days) {
            bail!(
                "{}: appointment_horizon_days = {} is not allowed: give a number of days from 1 to 365",
                path.display(),
                config.appointment_horizon_days
            );
        }
        Ok(config)
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        // Private: a PostgreSQL URL may carry its password.
        crate::pki::write_secret(&dir.join(CONFIG_FILE), toml::to_string(self)?.as_bytes())?;
        Ok(())
    }
}
