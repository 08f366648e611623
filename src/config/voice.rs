//! The `[voice]` section: which sound device the prompts play on, how loud, and the quiet hours
//! (for instance 22:00–07:00) when they play softer.

use super::{ConfigError, refusal};
use std::path::Path;

/// How the kiosk speaks, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceSetup {
    /// The ALSA playback device; `None`: the kiosk has no sound.
    pub device: Option<String>,
    /// Percent of the recordings' loudness, 0 to 100.
    pub volume: u8,
    /// The quiet hours, as minutes of the day in China (start, end; end before start spans
    /// midnight), and the volume then.
    pub quiet_hours: Option<(u16, u16)>,
    pub quiet_volume: u8,
}

impl Default for VoiceSetup {
    fn default() -> Self {
        Self { device: Some("default".into()), volume: 80, quiet_hours: Some((22 * 60, 7 * 60)), quiet_volume: 30 }
    }
}

impl VoiceSetup {
    /// The volume at `clock` ("HH:MM" in China); the normal one while the time is not known.
    pub fn volume_at(&self, clock: &str) -> u8 {
        let quiet = match (self.quiet_hours, minutes(clock)) {
            (Some((start, end)), Some(now)) if start <= end => (start..end).contains(&now),
            (Some((start, end)), Some(now)) => now >= start || now < end,
            _ => false,
        };
        if quiet { self.quiet_volume } else { self.volume }
    }
}

/// "22:00" → minutes since midnight.
fn minutes(clock: &str) -> Option<u16> {
    let (hours, minutes) = clock.trim().split_once(':')?;
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVoice {
    device: Option<String>,
    volume: Option<u64>,
    quiet_hours: Option<String>,
    quiet_volume: Option<u64>,
}

/// The `[voice]` section checked.
pub(super) fn voice(raw: RawVoice, path: &Path) -> Result<VoiceSetup, ConfigError> {
    let defaults = VoiceSetup::default();
    let device = match raw.device {
        None => defaults.device,
        Some(device) if device.is_empty() => None,
        Some(device) => {
            // A card's name and its parameters ("plughw:CARD=USB,DEV=0"), nothing more: ALSA
            // device strings can name plugins that write files or run commands.
            let plain = device.len() <= 64
                && device.chars().all(|c| c.is_ascii_alphanumeric() || "_:,.=-".contains(c))
                && !device.starts_with(['-', ':', '=']);
            if !plain {
                return Err(refusal(path, "voice.device", format!("{device:?}"), None));
            }
            Some(device)
        }
    };
    let percent = |key: &'static str, value: Option<u64>, default: u8| match value {
        None => Ok(default),
        Some(value @ 0..=100) => Ok(value as u8),
        Some(value) => Err(refusal(path, key, value.to_string(), None)),
    };
    let quiet_hours = match raw.quiet_hours.as_deref() {
        None => defaults.quiet_hours,
        Some("") => None,
        Some(text) => {
            let hours = text.split_once('-').and_then(|(start, end)| Some((minutes(start)?, minutes(end)?)));
            match hours {
                Some((start, end)) if start != end => Some((start, end)),
                _ => return Err(refusal(path, "voice.quiet_hours", format!("{text:?}"), None)),
            }
        }
    };
    Ok(VoiceSetup {
        device,
        volume: percent("voice.volume", raw.volume, defaults.volume)?,
        quiet_hours,
        quiet_volume: percent("voice.quiet_volume", raw.quiet_volume, defaults.quiet_volume)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(section: &str) -> Result<VoiceSetup, ConfigError> {
        let raw: RawVoice = toml::from_str(section).unwrap();
        voice(raw, Path::new("kiosk.toml"))
    }

    #[test]
    fn quiet_hours_lower_the_volume_across_midnight_and_within_a_day() {
        let setup = parsed("quiet_hours = \"22:00-07:00\"\nvolume = 90\nquiet_volume = 20").unwrap();
        assert_eq!(setup.volume_at("21:59"), 90);
        assert_eq!(setup.volume_at("22:00"), 20);
        assert_eq!(setup.volume_at("03:10"), 20);
        assert_eq!(setup.volume_at("07:00"), 90);
        assert_eq!(setup.volume_at(""), 90, "until the kiosk knows the time");
        let lunch = parsed("quiet_hours = \"12:00-13:30\"").unwrap();
        assert_eq!((lunch.volume_at("12:45"), lunch.volume_at("13:30")), (30, 80));
        assert_eq!(parsed("quiet_hours = \"\"").unwrap().volume_at("23:00"), 80);
        assert_eq!(parsed("device = \"\"").unwrap().device, None, "an empty device: no sound");
    }

    #[test]
    fn a_wrong_voice_value_is_refused_with_what_is_allowed() {
        for (section, key) in [
            ("volume = 101", "voice.volume"),
            ("quiet_volume = 300", "voice.quiet_volume"),
            ("quiet_hours = \"22-7\"", "voice.quiet_hours"),
            ("quiet_hours = \"22:00-22:00\"", "voice.quiet_hours"),
            ("quiet_hours = \"25:00-07:00\"", "voice.quiet_hours"),
            ("device = \"hw:0\\u0000\"", "voice.device"),
            ("device = \"file:'|sh'\"", "voice.device"),
            ("device = \"file:/tmp/x\"", "voice.device"),
        ] {
            let error = parsed(section).unwrap_err().to_string();
            assert!(error.contains(key), "{section}: {error}");
        }
    }
}
