//! `central.toml` in the server's folder: where the database is and the address kiosks and
//! phones use to reach the server. Written by `init`, checked when loaded.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const CONFIG_FILE: &str = "central.toml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentralConfig {
    /// A SQLite file name inside the folder, or a `postgres://` URL.
    pub database: String,
    /// The base URL kiosks and phones use, e.g. "https://central.example.gov.cn:8443".
    pub public_url: String,
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
        Ok(config)
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::write(dir.join(CONFIG_FILE), toml::to_string(self)?)?;
        Ok(())
    }
}
