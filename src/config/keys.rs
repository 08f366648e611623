//! Every configuration key in one table: its default, what is allowed, what kind of value it takes
//! and whether a change reaches the running kiosk. The checker's refusals, `kioskctl config` and
//! the table in docs/CONFIG.md all come from here, so they cannot disagree.

/// What kind of value a key takes, which decides how `kioskctl config set KEY VALUE` reads VALUE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number.
    Number,
    /// Text (a path, a name, a word).
    Text,
    /// A list of words, written `zh,en` on the command line.
    Words,
}

/// Whether a changed value reaches the running kiosk without a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// At once (a session in progress keeps what it started with where that matters).
    Live,
    /// At the next start (`kioskctl restart`).
    Restart,
}

#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// `section.name`, or `name` at the top.
    pub key: &'static str,
    pub kind: Kind,
    /// The value used when the file does not give one, as the file would write it.
    pub default: &'static str,
    /// What values are allowed, in a phrase that completes "allowed: ...".
    pub allowed: &'static str,
    pub applies: Applies,
}

impl KeySpec {
    /// The end of a refusal: what is allowed and the default.
    pub fn refusal(&self) -> String {
        format!("allowed: {} (default {})", self.allowed, self.default)
    }

    /// The key's section and name (`""` for a top-level key).
    pub fn section_and_name(&self) -> (&'static str, &'static str) {
        self.key.split_once('.').unwrap_or(("", self.key))
    }
}

const fn key(key: &'static str, kind: Kind, default: &'static str, allowed: &'static str, applies: Applies) -> KeySpec {
    KeySpec { key, kind, default, allowed, applies }
}

use Applies::{Live, Restart};
use Kind::{Number, Text, Words};

pub const KEYS: &[KeySpec] = &[
    key("state_dir", Text, "\"/var/lib/citizen-window\"", "an absolute folder path", Restart),
    key("content_dir", Text, "\"/var/lib/citizen-window/content\"", "an absolute folder path", Restart),
    key("session.idle_timeout_seconds", Number, "60", "20 to 600 seconds", Live),
    key("session.large_print_idle_timeout_seconds", Number, "120", "the idle timeout to 600 seconds", Live),
    key("session.countdown_seconds", Number, "15", "5 seconds to less than the idle timeout", Live),
    key("display.size", Text, "\"fullscreen\"", "\"fullscreen\" or WIDTHxHEIGHT, each side 320 to 7680", Restart),
    key(
        "display.languages",
        Words,
        "[\"zh\", \"en\"]",
        "\"zh\", \"en\" or both, each once; the first greets every session, a single one hides the switch",
        Live,
    ),
    key("reader.port", Text, "(none: no reader)", "a serial device's path, such as \"/dev/kiosk-reader\"", Live),
    key("reader.protocol", Text, "(required with a port)", "sam, rdm6300 or magstripe", Live),
    key("printer.port", Text, "(none: no printer)", "a serial device's path, such as \"/dev/kiosk-printer\"", Live),
    key(
        "printer.profile",
        Text,
        "\"generic-58mm\"",
        "generic-58mm, generic-58mm-raster-qr, generic-80mm or a profile file's path",
        Live,
    ),
    key("scanner.port", Text, "(none: no scanner)", "a serial device's path, such as \"/dev/kiosk-scanner\"", Live),
    key("scanner.baud", Number, "9600", "9600 or 115200, as the scanner module is set", Live),
    key(
        "help.answer_timeout_seconds",
        Number,
        "180",
        "30 to 240 seconds a call for staff waits before the station's phone is given",
        Live,
    ),
    key(
        "voice.device",
        Text,
        "\"default\"",
        "an ALSA playback device (`aplay -L`: letters, digits, _ : , . = -); empty: no sound",
        Live,
    ),
    key("voice.volume", Number, "80", "0 to 100 percent of the prompts' loudness", Live),
    key(
        "voice.quiet_hours",
        Text,
        "\"22:00-07:00\"",
        "\"HH:MM-HH:MM\" in China time, when prompts play at voice.quiet_volume; empty: none",
        Live,
    ),
    key("voice.quiet_volume", Number, "30", "0 to 100 percent, during the quiet hours", Live),
    key("journal.keep_acknowledged_days", Number, "90", "1 to 3650 days", Restart),
    key("receipts.language", Text, "\"session\"", "\"session\" (the resident's language) or \"both\"", Live),
    key("content.group", Text, "\"\"", "up to 32 letters, digits, '-' or '_'; empty: no group", Restart),
    key("content.poll_seconds", Number, "300", "10 to 86400 seconds", Restart),
    key("content.check_files_hours", Number, "4", "1 to 168 hours", Restart),
    key("content.max_file_mib", Number, "8", "1 to 64 MiB", Restart),
    key(
        "control.socket",
        Text,
        "\"/run/citizen-window/control.sock\"",
        "an absolute path; its folder must exist",
        Restart,
    ),
    key("control.group", Text, "\"citizen-tech\"", "a group's name, or empty for root only", Restart),
];

/// The key's line in the table; `None` for a key the kiosk does not know.
pub fn spec(key: &str) -> Option<&'static KeySpec> {
    KEYS.iter().find(|spec| spec.key == key)
}

/// The table of every key, as docs/CONFIG.md shows it between its markers.
pub fn markdown_table() -> String {
    let mut table = String::from("| key | default | allowed | a change applies |\n|---|---|---|---|\n");
    for spec in KEYS {
        let applies = match spec.applies {
            Live => "at once",
            Restart => "at restart",
        };
        let cell = |text: &str| text.replace('|', "\\|");
        table.push_str(&format!(
            "| `{}` | `{}` | {} | {applies} |\n",
            spec.key,
            cell(spec.default),
            cell(spec.allowed)
        ));
    }
    table
}

/// Looks up a key that the checker refuses with: every key the checker names is in the table.
pub(super) fn known(key: &'static str) -> &'static KeySpec {
    spec(key).unwrap_or_else(|| panic!("{key} is missing from config::keys::KEYS"))
}
