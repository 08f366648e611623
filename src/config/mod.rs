//! The kiosk's configuration file (docs/CONFIG.md): TOML read into a raw struct that refuses
//! unknown keys, then checked into a typed [`Config`]. Every refusal names the key, the value and
//! what is allowed.

use crate::session::SessionTiming;
use citizen_window_hardware::printer::{PrinterDriver, PrinterProfile};
use citizen_window_hardware::serial_link::SerialPortOpener;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the journal and the identity live.
    pub state_dir: PathBuf,
    pub content_dir: PathBuf,
    pub session: SessionTiming,
    /// `None` shows the UI in a window; on the board the kiosk fills the display.
    pub window_size: Option<(u32, u32)>,
    /// The card reader, if the kiosk has one.
    pub reader: Option<ReaderConfig>,
    /// The receipt printer, if the kiosk has one.
    pub printer: Option<PrinterSetup>,
    /// How long records the server acknowledged stay in the journal (and receipts that did not
    /// come out stay reprintable, within the reprint window); then they are pruned.
    pub journal_keep_acknowledged: Duration,
    /// Every receipt in Chinese and English (`[receipts] language = "both"`), rather than in the
    /// session's language.
    pub receipts_bilingual: bool,
    /// How signed content from the server is taken (`[content]`).
    pub content_updates: ContentUpdates,
}

/// How the kiosk takes signed content from the server (docs/CONFIG.md, `[content]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentUpdates {
    /// The kiosk's group for staged publishing; empty: only bundles for every kiosk.
    pub group: String,
    /// How often the manifest is asked for when the push stream says nothing.
    pub poll: Duration,
    /// How often the files on disk are checked against their manifest.
    pub check_files_every: Duration,
    /// The largest file a bundle may carry.
    pub max_file_bytes: u64,
}

impl Default for ContentUpdates {
    fn default() -> Self {
        Self {
            group: String::new(),
            poll: Duration::from_secs(300),
            check_files_every: Duration::from_secs(4 * 3600),
            max_file_bytes: 8 << 20,
        }
    }
}

/// Where the receipt printer is and what it is.
#[derive(Debug, Clone)]
pub struct PrinterSetup {
    pub port: PathBuf,
    pub profile: PrinterProfile,
}

impl PrinterSetup {
    /// The driver for this printer on its serial port.
    pub fn driver(&self) -> PrinterDriver<SerialPortOpener> {
        PrinterDriver::new(SerialPortOpener::new(&self.port, self.profile.baud), self.profile.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderConfig {
    pub port: PathBuf,
    pub protocol: citizen_window_hardware::card_reader::ReaderProtocol,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration file {path} cannot be read ({source}): check the path given with --config")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("the configuration file {path} is not valid TOML or has an unknown key: {message}. See docs/CONFIG.md")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: {key} = {value}: {allowed}. See docs/CONFIG.md")]
    Value { path: PathBuf, key: &'static str, value: String, allowed: String },
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    state_dir: Option<PathBuf>,
    #[serde(default)]
    content_dir: Option<PathBuf>,
    #[serde(default)]
    session: RawSession,
    #[serde(default)]
    display: RawDisplay,
    #[serde(default)]
    reader: Option<RawReader>,
    #[serde(default)]
    printer: Option<RawPrinter>,
    #[serde(default)]
    journal: RawJournal,
    #[serde(default)]
    receipts: RawReceipts,
    #[serde(default)]
    content: RawContent,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContent {
    group: Option<String>,
    poll_seconds: Option<u64>,
    check_files_hours: Option<u64>,
    max_file_mib: Option<u64>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReceipts {
    /// "session" (the default) or "both".
    language: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJournal {
    keep_acknowledged_days: Option<u64>,
}

/// How long acknowledged records are kept by default, and the bounds.
pub const DEFAULT_KEEP_ACKNOWLEDGED_DAYS: u64 = 90;
const KEEP_ACKNOWLEDGED_DAYS: std::ops::RangeInclusive<u64> = 1..=3650;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrinter {
    port: PathBuf,
    /// A built-in profile's name or a profile file's path.
    profile: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReader {
    port: PathBuf,
    /// sam, rdm6300 or magstripe.
    protocol: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSession {
    idle_timeout_seconds: Option<u64>,
    large_print_idle_timeout_seconds: Option<u64>,
    countdown_seconds: Option<u64>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisplay {
    /// "WIDTHxHEIGHT" for a window, or "fullscreen".
    size: Option<String>,
}

pub const DEFAULT_STATE_DIR: &str = "/var/lib/citizen-window";
pub const DEFAULT_CONTENT_DIR: &str = "/var/lib/citizen-window/content";

impl Config {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Unreadable { path: path.to_path_buf(), source })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        let value_error = |key, value: String, allowed: &str| ConfigError::Value {
            path: path.to_path_buf(),
            key,
            value,
            allowed: allowed.to_string(),
        };
        let defaults = SessionTiming::default();
        let idle = raw.session.idle_timeout_seconds.map_or(defaults.idle_timeout, Duration::from_secs);
        if !(20..=600).contains(&idle.as_secs()) {
            return Err(value_error(
                "session.idle_timeout_seconds",
                idle.as_secs().to_string(),
                "allowed from 20 to 600 seconds (60 is the default)",
            ));
        }
        let large_print_idle = raw
            .session
            .large_print_idle_timeout_seconds
            .map_or(defaults.large_print_idle_timeout.max(idle), Duration::from_secs);
        if large_print_idle < idle || large_print_idle.as_secs() > 600 {
            return Err(value_error(
                "session.large_print_idle_timeout_seconds",
                large_print_idle.as_secs().to_string(),
                "allowed from the idle timeout to 600 seconds (120 is the default)",
            ));
        }
        let countdown = raw.session.countdown_seconds.map_or(defaults.countdown, Duration::from_secs);
        if countdown.as_secs() < 5 || countdown >= idle {
            return Err(value_error(
                "session.countdown_seconds",
                countdown.as_secs().to_string(),
                "allowed from 5 seconds to less than the idle timeout (15 is the default)",
            ));
        }
        let window_size = match raw.display.size.as_deref() {
            None | Some("fullscreen") => None,
            Some(text) => Some(parse_size(text).ok_or_else(|| {
                value_error(
                    "display.size",
                    format!("{text:?}"),
                    "write \"fullscreen\" or WIDTHxHEIGHT, such as \"1080x1920\"",
                )
            })?),
        };
        let reader = match raw.reader {
            None => None,
            Some(RawReader { port, protocol }) => Some(ReaderConfig {
                port,
                protocol: protocol.parse().map_err(|_| {
                    value_error("reader.protocol", format!("{protocol:?}"), "use sam, rdm6300 or magstripe")
                })?,
            }),
        };
        let printer = match raw.printer {
            None => None,
            Some(RawPrinter { port, profile }) => {
                let name = profile.unwrap_or_else(|| PrinterProfile::default_profile().name);
                let profile = PrinterProfile::load(&name).map_err(|e| {
                    let names: Vec<&str> = PrinterProfile::built_in_names().collect();
                    value_error(
                        "printer.profile",
                        format!("{name:?}"),
                        &format!("{e}; use one of {} or a profile file's path", names.join(", ")),
                    )
                })?;
                Some(PrinterSetup { port, profile })
            }
        };
        let keep_days = raw.journal.keep_acknowledged_days.unwrap_or(DEFAULT_KEEP_ACKNOWLEDGED_DAYS);
        if !KEEP_ACKNOWLEDGED_DAYS.contains(&keep_days) {
            return Err(value_error(
                "journal.keep_acknowledged_days",
                keep_days.to_string(),
                "allowed from 1 to 3650 days (90 is the default)",
            ));
        }
        let receipts_bilingual = match raw.receipts.language.as_deref() {
            None | Some("session") => false,
            Some("both") => true,
            Some(other) => {
                return Err(value_error(
                    "receipts.language",
                    format!("{other:?}"),
                    "write \"session\" (the resident's language, the default) or \"both\" (Chinese and English)",
                ));
            }
        };
        let content_updates = content_updates(raw.content, path)?;
        Ok(Config {
            content_updates,
            receipts_bilingual,
            journal_keep_acknowledged: Duration::from_secs(keep_days * 86_400),
            reader,
            printer,
            state_dir: raw.state_dir.unwrap_or_else(|| DEFAULT_STATE_DIR.into()),
            content_dir: raw.content_dir.unwrap_or_else(|| DEFAULT_CONTENT_DIR.into()),
            session: SessionTiming { idle_timeout: idle, large_print_idle_timeout: large_print_idle, countdown },
            window_size,
        })
    }
}

/// The `[content]` section checked: each value within its bounds, the group a plain name.
fn content_updates(raw: RawContent, path: &Path) -> Result<ContentUpdates, ConfigError> {
    let value_error = |key, value: String, allowed: &str| ConfigError::Value {
        path: path.to_path_buf(),
        key,
        value,
        allowed: allowed.to_string(),
    };
    let defaults = ContentUpdates::default();
    let group = raw.group.unwrap_or_default();
    let plain = group.len() <= 32 && group.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !plain {
        return Err(value_error(
            "content.group",
            format!("{group:?}"),
            "a group is up to 32 letters, digits, '-' or '_' (as given to citizen-central publish --group)",
        ));
    }
    let bounded = |key: &'static str, value: Option<u64>, default: u64, range: std::ops::RangeInclusive<u64>| {
        let value = value.unwrap_or(default);
        if range.contains(&value) {
            Ok(value)
        } else {
            let allowed = format!("allowed from {} to {} ({default} is the default)", range.start(), range.end());
            Err(value_error(key, value.to_string(), &allowed))
        }
    };
    let poll = bounded("content.poll_seconds", raw.poll_seconds, defaults.poll.as_secs(), 10..=86_400)?;
    let check = bounded("content.check_files_hours", raw.check_files_hours, 4, 1..=168)?;
    let max_mib = bounded("content.max_file_mib", raw.max_file_mib, defaults.max_file_bytes >> 20, 1..=64)?;
    Ok(ContentUpdates {
        group,
        poll: Duration::from_secs(poll),
        check_files_every: Duration::from_secs(check * 3600),
        max_file_bytes: max_mib << 20,
    })
}

/// "1080x1920" → (1080, 1920), each side from 320 to 7680 pixels.
pub fn parse_size(text: &str) -> Option<(u32, u32)> {
    let (w, h) = text.split_once(['x', 'X'])?;
    let (w, h): (u32, u32) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    ((320..=7680).contains(&w) && (320..=7680).contains(&h)).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("kiosk.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn the_content_section_is_checked_value_by_value() {
        let config = parse("[content]\ngroup = \"district-a\"\npoll_seconds = 60\n").unwrap();
        assert_eq!((config.content_updates.group.as_str(), config.content_updates.poll.as_secs()), ("district-a", 60));
        assert_eq!(parse("").unwrap().content_updates, ContentUpdates::default());
        for (text, key) in [
            ("group = \"a b\"", "content.group"),
            ("poll_seconds = 1", "content.poll_seconds"),
            ("check_files_hours = 0", "content.check_files_hours"),
            ("max_file_mib = 65", "content.max_file_mib"),
        ] {
            let refused = parse(&format!("[content]\n{text}\n")).unwrap_err();
            assert!(
                refused.contains(key) && refused.contains("allowed") || refused.contains("a group is"),
                "{refused}"
            );
        }
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config.session, SessionTiming::default());
        assert_eq!(config.state_dir, PathBuf::from(DEFAULT_STATE_DIR));
        assert_eq!(config.window_size, None);
        assert!(!config.receipts_bilingual, "receipts speak the session's language");
    }

    #[test]
    fn every_key_is_read() {
        let config = parse(
            "state_dir = \"/tmp/s\"\ncontent_dir = \"/tmp/c\"\n[session]\nidle_timeout_seconds = 90\nlarge_print_idle_timeout_seconds = 150\ncountdown_seconds = 20\n[display]\nsize = \"800x1280\"\n[receipts]\nlanguage = \"both\"\n",
        )
        .unwrap();
        assert!(config.receipts_bilingual);
        assert_eq!(config.session.idle_timeout, Duration::from_secs(90));
        assert_eq!(config.session.countdown, Duration::from_secs(20));
        assert_eq!(config.session.large_print_idle_timeout, Duration::from_secs(150));
        let longer = parse("[session]\nidle_timeout_seconds = 300").unwrap().session;
        assert_eq!(longer.large_print_idle_timeout, Duration::from_secs(300), "never shorter than the standard one");
        assert_eq!(config.window_size, Some((800, 1280)));
        assert_eq!(config.content_dir, PathBuf::from("/tmp/c"));
        let config = parse("[reader]\nport = \"/dev/ttyUSB0\"\nprotocol = \"sam\"").unwrap();
        assert_eq!(config.reader.map(|r| r.port), Some(PathBuf::from("/dev/ttyUSB0")));
        let config = parse("[printer]\nport = \"/dev/ttyS1\"").unwrap();
        let printer = config.printer.unwrap();
        assert_eq!((printer.port, printer.profile.name), (PathBuf::from("/dev/ttyS1"), "generic-58mm".to_string()));
        let config = parse("[journal]\nkeep_acknowledged_days = 30").unwrap();
        assert_eq!(config.journal_keep_acknowledged, Duration::from_secs(30 * 86_400));
        assert_eq!(parse("").unwrap().journal_keep_acknowledged, Duration::from_secs(90 * 86_400));
    }

    #[test]
    fn wrong_values_name_the_key_the_value_and_what_is_allowed() {
        let check = |text: &str, parts: &[&str]| {
            let err = parse(text).unwrap_err();
            for part in parts {
                assert!(err.contains(part), "{err:?} lacks {part:?}");
            }
        };
        check("[session]\nidle_timeout_seconds = 5", &["session.idle_timeout_seconds = 5", "20 to 600"]);
        check(
            "[session]\nlarge_print_idle_timeout_seconds = 30",
            &["session.large_print_idle_timeout_seconds = 30", "from the idle timeout to 600"],
        );
        check("[session]\ncountdown_seconds = 60", &["session.countdown_seconds = 60", "less than the idle timeout"]);
        check("[display]\nsize = \"big\"", &["display.size", "\"big\"", "WIDTHxHEIGHT"]);
        check("[journal]\nkeep_acknowledged_days = 0", &["journal.keep_acknowledged_days = 0", "1 to 3650"]);
        check("[sesion]\nidle_timeout_seconds = 60", &["sesion", "docs/CONFIG.md"]);
        check("[receipts]\nlanguage = \"zh\"", &["receipts.language = \"zh\"", "\"session\"", "\"both\""]);
        check("state_dir = 5", &["state_dir", "kiosk.toml"]);
        check("[reader]\nport = \"/dev/ttyUSB0\"\nprotocol = \"nfc\"", &["reader.protocol", "\"nfc\"", "sam, rdm6300"]);
        check("[reader]\nprotocol = \"sam\"", &["port"]);
        check(
            "[printer]\nport = \"/dev/ttyS1\"\nprofile = \"laser\"",
            &["printer.profile", "\"laser\"", "generic-58mm"],
        );
    }
}
