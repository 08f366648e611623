//! The configuration file as `kioskctl config` changes it: values read and written by key with
//! the file's comments and order kept, every change checked as a whole file before it is written,
//! and the write atomic (a crash leaves the old file or the new one, never half of either).

use super::keys::{self, Kind};
use super::{Config, ConfigError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the kiosk and `kioskctl` look for the file: `$CITIZEN_WINDOW_CONFIG`, else
/// /etc/citizen-window/kiosk.toml.
pub fn default_config_path() -> PathBuf {
    std::env::var_os("CITIZEN_WINDOW_CONFIG").map_or_else(|| "/etc/citizen-window/kiosk.toml".into(), PathBuf::from)
}

/// The file's text, as `kioskctl config` reads and changes it.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    document: toml_edit::DocumentMut,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Invalid(#[from] ConfigError),
    #[error("there is no key {key:?}{hint}: `kioskctl config keys` lists them all")]
    UnknownKey { key: String, hint: String },
    #[error("{key} = {value}: not a whole number; {allowed}")]
    NotANumber { key: &'static str, value: String, allowed: String },
    #[error("cannot write {path} ({source}): check the disk (`df`) and that you are root")]
    Write { path: PathBuf, source: std::io::Error },
}

impl ConfigFile {
    /// Reads the file; a missing file is an empty one (every key at its default).
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(ConfigError::Unreadable { path: path.to_path_buf(), source }),
        };
        let document = text.parse::<toml_edit::DocumentMut>().map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        Ok(Self { path: path.to_path_buf(), document })
    }

    /// The whole file checked, as the kiosk would read it.
    pub fn check(&self) -> Result<Config, ConfigError> {
        Config::parse(&self.document.to_string(), &self.path)
    }

    /// The value the file writes for `key`, as TOML; `None` where the default applies.
    pub fn written(&self, key: &str) -> Result<Option<String>, EditError> {
        let spec = known_key(key)?;
        let (section, name) = spec.section_and_name();
        let table = if section.is_empty() { Some(self.document.as_table()) } else { self.section(section) };
        Ok(table.and_then(|t| t.get(name)).and_then(|item| item.as_value()).map(|v| v.to_string().trim().to_string()))
    }

    /// Every key with its value: as written, or its default, marked so.
    pub fn show(&self) -> String {
        let width = keys::KEYS.iter().map(|spec| spec.key.len()).max().unwrap_or(0);
        let mut out = String::new();
        for spec in keys::KEYS {
            let value = match self.written(spec.key).ok().flatten() {
                Some(value) => value,
                None => format!("{}  (default)", spec.default),
            };
            out.push_str(&format!("{:width$} = {value}\n", spec.key));
        }
        out
    }

    /// Sets each `(key, value)`, then checks the whole file: on any refusal nothing changes. A
    /// value is read by its key's kind: `60`, `/dev/kiosk-printer`, `zh,en`.
    pub fn set(&mut self, changes: &[(String, String)]) -> Result<Config, EditError> {
        let mut changed = self.document.clone();
        for (key, value) in changes {
            let spec = known_key(key)?;
            let item = match spec.kind {
                Kind::Number => value.trim().parse::<i64>().map(toml_edit::value).map_err(|_| {
                    EditError::NotANumber { key: spec.key, value: value.clone(), allowed: spec.refusal() }
                })?,
                Kind::Text => toml_edit::value(value.as_str()),
                Kind::Words => {
                    let words: toml_edit::Array = value.split(',').map(str::trim).filter(|w| !w.is_empty()).collect();
                    toml_edit::value(words)
                }
            };
            let (section, name) = spec.section_and_name();
            if section.is_empty() {
                changed[name] = item;
            } else {
                if !changed.contains_table(section) {
                    changed[section] = toml_edit::table();
                }
                changed[section][name] = item;
            }
        }
        let config = Config::parse(&changed.to_string(), &self.path)?;
        self.document = changed;
        Ok(config)
    }

    /// Takes each key out of the file (its default applies again), or a whole section such as
    /// `reader` (the device is taken out), then checks the whole file.
    pub fn unset(&mut self, keys_or_sections: &[String]) -> Result<Config, EditError> {
        let mut changed = self.document.clone();
        for key in keys_or_sections {
            let is_section = keys::KEYS.iter().any(|spec| spec.section_and_name().0 == key);
            if is_section {
                changed.remove(key);
                continue;
            }
            let (section, name) = known_key(key)?.section_and_name();
            if section.is_empty() {
                changed.remove(name);
            } else if let Some(table) = changed.get_mut(section).and_then(|item| item.as_table_mut()) {
                table.remove(name);
                if table.is_empty() {
                    changed.remove(section);
                }
            }
        }
        let config = Config::parse(&changed.to_string(), &self.path)?;
        self.document = changed;
        Ok(config)
    }

    /// Writes the file atomically: a new file beside it, flushed to disk, renamed over it, and
    /// the folder flushed; the old file's permissions are kept (0644 for a new one).
    pub fn write(&self) -> Result<(), EditError> {
        write_atomically(&self.path, self.document.to_string().as_bytes())
            .map_err(|source| EditError::Write { path: self.path.clone(), source })
    }

    fn section(&self, name: &str) -> Option<&toml_edit::Table> {
        self.document.get(name).and_then(|item| item.as_table())
    }
}

fn known_key(key: &str) -> Result<&'static keys::KeySpec, EditError> {
    keys::spec(key).ok_or_else(|| {
        let name = key.rsplit('.').next().unwrap_or(key);
        let close: Vec<&str> =
            keys::KEYS.iter().map(|s| s.key).filter(|k| k.rsplit('.').next() == Some(name)).collect();
        let hint = if close.is_empty() { String::new() } else { format!(" (did you mean {}?)", close.join(" or ")) };
        EditError::UnknownKey { key: key.to_string(), hint }
    })
}

/// `bytes` to `path` in one step: the file at `path` is the old one or the new one whatever
/// happens, power loss included.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mode = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o644);
    let name = path.file_name().map_or("kiosk.toml".into(), |n| n.to_string_lossy().into_owned());
    let temporary = folder.join(format!(".{name}.{}.new", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).open(&temporary)?;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written?;
    std::fs::File::open(folder)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(text: &str) -> (tempfile::TempDir, ConfigFile) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, text).unwrap();
        let file = ConfigFile::read(&path).unwrap();
        (dir, file)
    }

    #[test]
    fn a_change_keeps_the_comments_and_is_checked_as_a_whole_file() {
        let (_dir, mut file) =
            file_with("# the hall kiosk\n[session]\n# residents here are slow\nidle_timeout_seconds = 90\n");
        let config = file.set(&[("session.idle_timeout_seconds".into(), "120".into())]).unwrap();
        assert_eq!(config.session.idle_timeout.as_secs(), 120);
        file.write().unwrap();
        let text = std::fs::read_to_string(&file.path).unwrap();
        assert!(text.contains("# the hall kiosk") && text.contains("# residents here are slow"), "{text}");
        assert!(text.contains("idle_timeout_seconds = 120"), "{text}");

        let refused = file.set(&[("session.countdown_seconds".into(), "500".into())]).unwrap_err().to_string();
        assert!(refused.contains("session.countdown_seconds = 500") && refused.contains("less than the idle"));
        assert_eq!(file.written("session.countdown_seconds").unwrap(), None, "nothing changed");
        let refused = file.set(&[("session.idle_timeout_seconds".into(), "soon".into())]).unwrap_err().to_string();
        assert!(refused.contains("not a whole number") && refused.contains("20 to 600"), "{refused}");
        let refused = file.set(&[("idle_timeout_seconds".into(), "60".into())]).unwrap_err().to_string();
        assert!(refused.contains("did you mean session.idle_timeout_seconds"), "{refused}");
    }

    #[test]
    fn a_device_is_added_with_both_keys_at_once_and_taken_out_by_unset() {
        let (_dir, mut file) = file_with("");
        let refused = file.set(&[("reader.port".into(), "/dev/kiosk-reader".into())]).unwrap_err();
        assert!(refused.to_string().contains("protocol"), "{refused}");
        let config = file
            .set(&[("reader.port".into(), "/dev/kiosk-reader".into()), ("reader.protocol".into(), "sam".into())])
            .unwrap();
        assert_eq!(config.reader.unwrap().port, PathBuf::from("/dev/kiosk-reader"));
        let config = file.set(&[("display.languages".into(), "en, zh".into())]).unwrap();
        assert_eq!(config.languages, vec![crate::content::Language::En, crate::content::Language::Zh]);
        assert_eq!(file.written("display.languages").unwrap().as_deref(), Some("[\"en\", \"zh\"]"));
        file.unset(&["reader.protocol".into()]).unwrap_err();
        assert!(file.unset(&["reader".into()]).unwrap().reader.is_none());
        assert!(file.unset(&["display.languages".into()]).unwrap().languages.len() == 2);
        let show = file.show();
        assert!(show.contains("session.idle_timeout_seconds") && show.contains("60  (default)"), "{show}");
    }

    #[test]
    fn the_atomic_write_keeps_the_permissions_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, file) = file_with("[session]\nidle_timeout_seconds = 60\n");
        std::fs::set_permissions(&file.path, std::fs::Permissions::from_mode(0o640)).unwrap();
        file.write().unwrap();
        let mode = std::fs::metadata(&file.path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("kiosk.toml")]);
    }
}
