//! `kioskctl config show|get|set|unset|validate|keys`: the configuration file read and changed
//! by key, every change checked before it is written, and written atomically. The running kiosk
//! is then told (`control::client`), and applies what it can at once.

use super::CommandFailed;
use crate::config::file::ConfigFile;
use crate::config::{Config, keys};
use std::path::Path;

fn failed(e: impl std::fmt::Display) -> CommandFailed {
    CommandFailed(e.to_string())
}

/// Every key with its value, the defaults marked.
pub fn show(path: &Path) -> Result<String, CommandFailed> {
    let file = ConfigFile::read(path).map_err(failed)?;
    let mut out = format!("# {}\n{}", path.display(), file.show());
    if let Err(e) = file.check() {
        out.push_str(&format!("# NOT VALID: {e}\n"));
    }
    Ok(out)
}

/// One key's value: as written, or its default.
pub fn get(path: &Path, key: &str) -> Result<String, CommandFailed> {
    let file = ConfigFile::read(path).map_err(failed)?;
    let written = file.written(key).map_err(failed)?;
    let default = keys::spec(key).map_or("", |spec| spec.default);
    Ok(format!("{}\n", written.unwrap_or_else(|| format!("{default}  (default)"))))
}

/// Sets `changes` together and writes the file; the new configuration, for the running kiosk
/// to be told (`control::client::tell_running_kiosk`).
pub fn set(path: &Path, changes: &[(String, String)]) -> Result<Config, CommandFailed> {
    let mut file = ConfigFile::read(path).map_err(failed)?;
    let config = file.set(changes).map_err(failed)?;
    file.write().map_err(failed)?;
    Ok(config)
}

/// Takes keys (or whole sections, such as `reader`) out and writes the file.
pub fn unset(path: &Path, keys: &[String]) -> Result<Config, CommandFailed> {
    let mut file = ConfigFile::read(path).map_err(failed)?;
    let config = file.unset(keys).map_err(failed)?;
    file.write().map_err(failed)?;
    Ok(config)
}

/// Checks a file as the kiosk would read it.
pub fn validate(path: &Path) -> Result<String, CommandFailed> {
    if !path.exists() {
        return Err(CommandFailed(format!("there is no file {}", path.display())));
    }
    Config::load(path).map_err(failed)?;
    Ok(format!("{} is valid\n", path.display()))
}

/// Every key, its default, what is allowed and when a change applies.
pub fn keys_table() -> String {
    keys::markdown_table()
}
