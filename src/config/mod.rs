//! The kiosk's configuration file (docs/CONFIG.md): TOML read into a raw struct that refuses
//! unknown keys, then checked into a typed [`Config`]. Every refusal names the key, the value and
//! what is allowed, in the words of the key table (`keys`), which docs/CONFIG.md's table also
//! comes from. `file` reads and changes the file itself for `kioskctl config`.

pub mod file;
pub mod keys;
mod voice;

pub use voice::VoiceSetup;

use crate::content::Language;
use crate::session::SessionTiming;
use citizen_window_hardware::printer::{PrinterDriver, PrinterProfile};
use citizen_window_hardware::scanner::COMMON_BAUDS;
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
    /// The QR/barcode scanner, if the kiosk has one.
    pub scanner: Option<ScannerConfig>,
    /// How long records the server acknowledged stay in the journal (and receipts that did not
    /// come out stay reprintable, within the reprint window); then they are pruned.
    pub journal_keep_acknowledged: Duration,
    /// Every receipt in Chinese and English (`[receipts] language = "both"`), rather than in the
    /// session's language.
    pub receipts_bilingual: bool,
    /// How signed content from the server is taken (`[content]`).
    pub content_updates: ContentUpdates,
    /// The languages residents may use; the first greets every session.
    pub languages: Vec<Language>,
    /// The technicians' control socket (`[control]`).
    pub control: ControlSetup,
    /// How long a call for staff waits for the office's answer before the station's phone is
    /// given instead (`[help] answer_timeout_seconds`).
    pub help_answer_timeout: Duration,
    /// The voice prompts' sound device, volume and quiet hours (`[voice]`).
    pub voice: VoiceSetup,
}

/// The bounds of `help.answer_timeout_seconds`: at most as long as any wait holds a session
/// (`kiosk::WAIT_HOLDS_AT_MOST`, 240 s), so the resident still sees the answer or the phone.
pub const HELP_ANSWER_TIMEOUT_SECONDS: std::ops::RangeInclusive<u64> = 30..=240;

/// Where the kiosk serves `kioskctl` while it runs, and who may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSetup {
    pub socket: PathBuf,
    /// The group besides root allowed to use the socket; empty: root only.
    pub group: String,
}

pub const DEFAULT_CONTROL_SOCKET: &str = "/run/citizen-window/control.sock";
pub const DEFAULT_CONTROL_GROUP: &str = "citizen-tech";

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

/// Where the code scanner is and at what speed it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerConfig {
    pub port: PathBuf,
    pub baud: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration file {path} cannot be read ({source}): check the path given with --config")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("the configuration file {path} is not valid TOML or has an unknown key: {message}. See docs/CONFIG.md")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: {key} = {value}: {allowed}. See docs/CONFIG.md or `kioskctl config keys`")]
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
    scanner: Option<RawScanner>,
    #[serde(default)]
    journal: RawJournal,
    #[serde(default)]
    receipts: RawReceipts,
    #[serde(default)]
    content: RawContent,
    #[serde(default)]
    control: RawControl,
    #[serde(default)]
    help: RawHelp,
    #[serde(default)]
    voice: voice::RawVoice,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHelp {
    answer_timeout_seconds: Option<u64>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    socket: Option<PathBuf>,
    group: Option<String>,
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

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScanner {
    port: PathBuf,
    baud: Option<u32>,
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
    languages: Option<Vec<String>>,
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
        let value_error = |key, value: String| refusal(path, key, value, None);
        let defaults = SessionTiming::default();
        let idle = raw.session.idle_timeout_seconds.map_or(defaults.idle_timeout, Duration::from_secs);
        if !(20..=600).contains(&idle.as_secs()) {
            return Err(value_error("session.idle_timeout_seconds", idle.as_secs().to_string()));
        }
        let large_print_idle = raw
            .session
            .large_print_idle_timeout_seconds
            .map_or(defaults.large_print_idle_timeout.max(idle), Duration::from_secs);
        if large_print_idle < idle || large_print_idle.as_secs() > 600 {
            return Err(value_error(
                "session.large_print_idle_timeout_seconds",
                large_print_idle.as_secs().to_string(),
            ));
        }
        let countdown = raw.session.countdown_seconds.map_or(defaults.countdown, Duration::from_secs);
        if countdown.as_secs() < 5 || countdown >= idle {
            return Err(value_error("session.countdown_seconds", countdown.as_secs().to_string()));
        }
        let window_size = match raw.display.size.as_deref() {
            None | Some("fullscreen") => None,
            Some(text) => Some(parse_size(text).ok_or_else(|| value_error("display.size", format!("{text:?}")))?),
        };
        let languages = languages(raw.display.languages, path)?;
        let reader = match raw.reader {
            None => None,
            Some(RawReader { port, protocol }) => Some(ReaderConfig {
                port,
                protocol: protocol.parse().map_err(|_| value_error("reader.protocol", format!("{protocol:?}")))?,
            }),
        };
        let printer = match raw.printer {
            None => None,
            Some(RawPrinter { port, profile }) => {
                let name = profile.unwrap_or_else(|| PrinterProfile::default_profile().name);
                let profile = PrinterProfile::load(&name)
                    .map_err(|e| refusal(path, "printer.profile", format!("{name:?}"), Some(e.to_string())))?;
                Some(PrinterSetup { port, profile })
            }
        };
        let scanner = match raw.scanner {
            None => None,
            Some(RawScanner { port, baud }) => {
                let baud = baud.unwrap_or(COMMON_BAUDS[0]);
                if !COMMON_BAUDS.contains(&baud) {
                    return Err(value_error("scanner.baud", baud.to_string()));
                }
                Some(ScannerConfig { port, baud })
            }
        };
        let keep_days = raw.journal.keep_acknowledged_days.unwrap_or(DEFAULT_KEEP_ACKNOWLEDGED_DAYS);
        if !KEEP_ACKNOWLEDGED_DAYS.contains(&keep_days) {
            return Err(value_error("journal.keep_acknowledged_days", keep_days.to_string()));
        }
        let receipts_bilingual = match raw.receipts.language.as_deref() {
            None | Some("session") => false,
            Some("both") => true,
            Some(other) => return Err(value_error("receipts.language", format!("{other:?}"))),
        };
        let help_seconds = raw.help.answer_timeout_seconds.unwrap_or(180);
        if !HELP_ANSWER_TIMEOUT_SECONDS.contains(&help_seconds) {
            return Err(value_error("help.answer_timeout_seconds", help_seconds.to_string()));
        }
        let content_updates = content_updates(raw.content, path)?;
        let control = control(raw.control, path)?;
        for (key, dir) in [("state_dir", &raw.state_dir), ("content_dir", &raw.content_dir)] {
            if let Some(dir) = dir.as_ref().filter(|dir| !dir.is_absolute()) {
                return Err(value_error(key, format!("{:?}", dir.display().to_string())));
            }
        }
        let voice = voice::voice(raw.voice, path)?;
        Ok(Config {
            voice,
            help_answer_timeout: Duration::from_secs(help_seconds),
            languages,
            control,
            content_updates,
            receipts_bilingual,
            journal_keep_acknowledged: Duration::from_secs(keep_days * 86_400),
            reader,
            printer,
            scanner,
            state_dir: raw.state_dir.unwrap_or_else(|| DEFAULT_STATE_DIR.into()),
            content_dir: raw.content_dir.unwrap_or_else(|| DEFAULT_CONTENT_DIR.into()),
            session: SessionTiming { idle_timeout: idle, large_print_idle_timeout: large_print_idle, countdown },
            window_size,
        })
    }
}

/// The `[content]` section checked: each value within its bounds, the group a plain name.
fn content_updates(raw: RawContent, path: &Path) -> Result<ContentUpdates, ConfigError> {
    let value_error = |key, value: String| refusal(path, key, value, None);
    let defaults = ContentUpdates::default();
    let group = raw.group.unwrap_or_default();
    let plain = group.len() <= 32 && group.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !plain {
        return Err(value_error("content.group", format!("{group:?}")));
    }
    let bounded = |key: &'static str, value: Option<u64>, default: u64, range: std::ops::RangeInclusive<u64>| {
        let value = value.unwrap_or(default);
        if range.contains(&value) { Ok(value) } else { Err(value_error(key, value.to_string())) }
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

/// `[display] languages`: zh and/or en, each once, in the order residents meet them.
fn languages(raw: Option<Vec<String>>, path: &Path) -> Result<Vec<Language>, ConfigError> {
    let Some(words) = raw else { return Ok(vec![Language::Zh, Language::En]) };
    let mut languages = Vec::new();
    for word in &words {
        let language = match word.as_str() {
            "zh" => Language::Zh,
            "en" => Language::En,
            _ => None.ok_or_else(|| refusal(path, "display.languages", format!("{words:?}"), None))?,
        };
        if languages.contains(&language) {
            return Err(refusal(path, "display.languages", format!("{words:?}"), Some(format!("{word} twice"))));
        }
        languages.push(language);
    }
    if languages.is_empty() {
        return Err(refusal(path, "display.languages", "[]".into(), Some("no language".into())));
    }
    Ok(languages)
}

/// `[control]`: an absolute socket path, a plain group name.
fn control(raw: RawControl, path: &Path) -> Result<ControlSetup, ConfigError> {
    let socket = raw.socket.unwrap_or_else(|| DEFAULT_CONTROL_SOCKET.into());
    if !socket.is_absolute() || socket.file_name().is_none() {
        return Err(refusal(path, "control.socket", format!("{:?}", socket.display().to_string()), None));
    }
    let group = raw.group.unwrap_or_else(|| DEFAULT_CONTROL_GROUP.into());
    let plain = group.len() <= 32 && group.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !plain {
        return Err(refusal(path, "control.group", format!("{group:?}"), None));
    }
    Ok(ControlSetup { socket, group })
}

/// A refusal of `key = value`, with what the key table allows and, when there is one, why.
fn refusal(path: &Path, key: &'static str, value: String, why: Option<String>) -> ConfigError {
    let allowed = keys::known(key).refusal();
    let allowed = match why {
        Some(why) => format!("{why}; {allowed}"),
        None => allowed,
    };
    ConfigError::Value { path: path.to_path_buf(), key, value, allowed }
}

/// "1080x1920" → (1080, 1920), each side from 320 to 7680 pixels.
pub fn parse_size(text: &str) -> Option<(u32, u32)> {
    let (w, h) = text.split_once(['x', 'X'])?;
    let (w, h): (u32, u32) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    ((320..=7680).contains(&w) && (320..=7680).contains(&h)).then_some((w, h))
}

#[cfg(test)]
mod tests;
