//! Printer profiles: what differs between printer models (speed, encoding, QR support, cut, paper
//! width), loaded from TOML data files and checked before use.
//!
//! The profile lives here, below the encoder, because it is the encoder's input; the printer
//! driver sits above both and re-exports `PrinterProfile` and `ProfileError`.

use super::command::CutCommand;
use super::text_encoding::{FontCoverage, TextEncoding};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Profiles shipped with the kiosk, compiled in from hardware/profiles/.
const BUILT_IN: &[(&str, &str)] = &[
    ("generic-58mm", include_str!("../../profiles/generic-58mm.toml")),
    ("generic-80mm", include_str!("../../profiles/generic-80mm.toml")),
    ("generic-58mm-raster-qr", include_str!("../../profiles/generic-58mm-raster-qr.toml")),
];

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "generic-58mm";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterProfile {
    pub name: String,
    pub description: String,
    pub baud: u32,
    pub encoding: TextEncoding,
    pub font_coverage: FontCoverage,
    pub chinese_mode_command: bool,
    pub native_qr: bool,
    pub cut: CutCommand,
    pub cut_feed_lines: u8,
    pub columns: usize,
    pub dots_per_line: usize,
    pub raster_band_rows: usize,
    pub supports_clear_buffers: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("unknown printer profile {name:?}: use one of {known}, or a path to a profile file")]
    Unknown { name: String, known: String },
    #[error("cannot read printer profile {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("printer profile {origin} is not valid TOML for a profile: {message}")]
    Parse { origin: String, message: String },
    #[error("printer profile {origin}: {key} = {value} is not allowed: {allowed}")]
    Invalid { origin: String, key: &'static str, value: String, allowed: &'static str },
}

impl PrinterProfile {
    pub fn built_in_names() -> impl Iterator<Item = &'static str> {
        BUILT_IN.iter().map(|(name, _)| *name)
    }

    /// A built-in profile by name, or a profile file if `name_or_path` names an existing file.
    pub fn load(name_or_path: &str) -> Result<Self, ProfileError> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
            return Self::parse(text, name_or_path);
        }
        let path = Path::new(name_or_path);
        if path.is_file() {
            let text = std::fs::read_to_string(path)
                .map_err(|source| ProfileError::Read { path: name_or_path.into(), source })?;
            return Self::parse(&text, name_or_path);
        }
        Err(ProfileError::Unknown {
            name: name_or_path.into(),
            known: Self::built_in_names().collect::<Vec<_>>().join(", "),
        })
    }

    pub fn default_profile() -> Self {
        Self::load(DEFAULT_PROFILE).expect("built-in profiles are valid")
    }

    pub fn parse(text: &str, origin: &str) -> Result<Self, ProfileError> {
        let profile: PrinterProfile = toml::from_str(text)
            .map_err(|e| ProfileError::Parse { origin: origin.into(), message: e.message().to_string() })?;
        profile.validate(origin)?;
        Ok(profile)
    }

    fn validate(&self, origin: &str) -> Result<(), ProfileError> {
        let invalid =
            |key, value: String, allowed| Err(ProfileError::Invalid { origin: origin.into(), key, value, allowed });
        const BAUDS: [u32; 8] = [2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400];
        if !BAUDS.contains(&self.baud) {
            return invalid(
                "baud",
                self.baud.to_string(),
                "one of 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400",
            );
        }
        if !(16..=80).contains(&self.columns) {
            return invalid("columns", self.columns.to_string(), "16 to 80 half-width columns");
        }
        if !(128..=832).contains(&self.dots_per_line) || !self.dots_per_line.is_multiple_of(8) {
            return invalid("dots_per_line", self.dots_per_line.to_string(), "a multiple of 8 from 128 to 832");
        }
        if self.dots_per_line / self.columns < 8 {
            return invalid("columns", self.columns.to_string(), "at most dots_per_line / 8 columns");
        }
        if !(8..=2048).contains(&self.raster_band_rows) {
            return invalid("raster_band_rows", self.raster_band_rows.to_string(), "8 to 2048 rows");
        }
        if self.cut_feed_lines > 20 {
            return invalid("cut_feed_lines", self.cut_feed_lines.to_string(), "0 to 20 lines");
        }
        Ok(())
    }

    /// Dots across one half-width column (12 on both 58 mm and 80 mm paper).
    pub fn dots_per_column(&self) -> usize {
        self.dots_per_line / self.columns
    }

    /// Seconds the bytes take on the wire at this profile's speed (10 bits a byte: start, 8, stop).
    pub fn wire_seconds(&self, bytes: usize) -> f64 {
        bytes as f64 * 10.0 / f64::from(self.baud)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_profiles_load() {
        for name in PrinterProfile::built_in_names() {
            let p = PrinterProfile::load(name).unwrap();
            assert_eq!(p.name, name);
            assert_eq!(p.dots_per_column(), 12);
        }
        let p80 = PrinterProfile::load("generic-80mm").unwrap();
        assert_eq!((p80.columns, p80.dots_per_line), (48, 576));
        let p58 = PrinterProfile::default_profile();
        assert_eq!((p58.columns, p58.dots_per_line), (32, 384));
    }

    #[test]
    fn bad_values_name_the_key_and_what_is_allowed() {
        let text = include_str!("../../profiles/generic-58mm.toml").replace("baud = 9600", "baud = 9601");
        let err = PrinterProfile::parse(&text, "test.toml").unwrap_err().to_string();
        assert!(err.contains("baud = 9601") && err.contains("one of"), "{err}");
        let text = include_str!("../../profiles/generic-58mm.toml").replace("columns = 32", "colums = 32");
        let err = PrinterProfile::parse(&text, "test.toml").unwrap_err().to_string();
        assert!(err.contains("colums"), "{err}");
        let err = PrinterProfile::load("no-such-printer").unwrap_err().to_string();
        assert!(err.contains("generic-58mm"), "{err}");
    }
}
