//! The content's voice prompts (语音播报): one WAV file per prompt and language,
//! `voice/zh/<key>.wav` and `voice/en/<key>.wav`, checked when the content is loaded (PCM, 16
//! bits, mono, a rate the kiosk plays, short enough), so that a bad recording is refused by the
//! server before it is signed and never reaches a kiosk. The folder is optional: without it the
//! kiosk is silent.

use crate::Language;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder of the prompts, inside the content folder.
pub const VOICE_DIR: &str = "voice";

/// The longest prompt, in seconds.
pub const PROMPT_MAX_SECONDS: u32 = 10;

/// The largest prompt file: ten seconds at 44 100 Hz, 16-bit mono, and its header.
pub const PROMPT_MAX_BYTES: u64 = 1024 * 1024;

/// The sample rates a prompt may be recorded at (what the kiosk's sound output is opened at).
pub const PROMPT_RATES: [u32; 4] = [8_000, 16_000, 22_050, 44_100];

/// The prompts of one content set: for each language, each prompt's key and its checked file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoicePrompts {
    zh: BTreeMap<String, PathBuf>,
    en: BTreeMap<String, PathBuf>,
}

impl VoicePrompts {
    /// The file of prompt `key` in `language`, if the content has it.
    pub fn file(&self, language: Language, key: &str) -> Option<&Path> {
        self.of(language).get(key).map(PathBuf::as_path)
    }

    /// The prompts' keys in `language`.
    pub fn keys(&self, language: Language) -> impl Iterator<Item = &str> {
        self.of(language).keys().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }

    fn of(&self, language: Language) -> &BTreeMap<String, PathBuf> {
        match language {
            Language::Zh => &self.zh,
            Language::En => &self.en,
        }
    }

    /// Reads and checks `dir/voice/`: every file is a prompt (`<key>.wav`, the key in lowercase
    /// letters, digits and `_`) that [`check_prompt`] accepts.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let mut prompts = Self::default();
        let voice = dir.join(VOICE_DIR);
        if !voice.exists() {
            return Ok(prompts);
        }
        for language in [Language::Zh, Language::En] {
            let folder = voice.join(language.code());
            let Ok(entries) = std::fs::read_dir(&folder) else { continue };
            let map = match language {
                Language::Zh => &mut prompts.zh,
                Language::En => &mut prompts.en,
            };
            for entry in entries {
                let entry = entry.map_err(|e| format!("{} cannot be read ({e})", folder.display()))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(key) = name.strip_suffix(".wav").filter(|key| is_prompt_key(key)) else {
                    return Err(format!(
                        "voice/{}/{name} is not a prompt: each file is named <key>.wav, the key in lowercase \
                         letters, digits and _ (docs/CONTENT.md, \"Voice prompts\")",
                        language.code()
                    ));
                };
                let path = entry.path();
                check_prompt(&path).map_err(|why| format!("voice/{}/{name}: {why}", language.code()))?;
                map.insert(key.to_string(), path);
            }
        }
        Ok(prompts)
    }
}

/// A prompt's key: 1 to 40 lowercase letters, digits and `_`.
pub fn is_prompt_key(key: &str) -> bool {
    (1..=40).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// What a prompt file must be: a WAV file of at most [`PROMPT_MAX_BYTES`], 16-bit PCM, one
/// channel, at one of [`PROMPT_RATES`], with sound, at most [`PROMPT_MAX_SECONDS`] long, and whole
/// (every sample its header promises is read, so a truncated file is refused here, not mid-word).
pub fn check_prompt(path: &Path) -> Result<(), String> {
    let size = std::fs::metadata(path).map_err(|e| format!("cannot be read ({e})"))?.len();
    if size > PROMPT_MAX_BYTES {
        return Err(format!("{size} bytes, more than the {PROMPT_MAX_BYTES} a prompt may have"));
    }
    let reader = hound::WavReader::open(path).map_err(|e| format!("not a WAV file the kiosk plays ({e})"))?;
    let spec = reader.spec();
    let fix = "record or convert it as 16-bit PCM mono, for instance `sox in.wav -b 16 -c 1 -r 22050 out.wav`";
    if spec.sample_format != hound::SampleFormat::Int || spec.bits_per_sample != 16 || spec.channels != 1 {
        return Err(format!(
            "{} channel(s) of {}-bit {:?} samples: {fix}",
            spec.channels, spec.bits_per_sample, spec.sample_format
        ));
    }
    if !PROMPT_RATES.contains(&spec.sample_rate) {
        return Err(format!("recorded at {} Hz, not one of {PROMPT_RATES:?}: {fix}", spec.sample_rate));
    }
    if reader.len() == 0 {
        return Err("holds no sound".into());
    }
    if reader.duration() > PROMPT_MAX_SECONDS * spec.sample_rate {
        return Err(format!("longer than {PROMPT_MAX_SECONDS} seconds: a prompt is one short sentence"));
    }
    let mut reader = reader;
    if let Some(Err(e)) = reader.samples::<i16>().find(Result::is_err) {
        return Err(format!("cut short or damaged ({e}): record or convert it again"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(path: &Path, spec: hound::WavSpec, samples: usize) {
        let mut writer = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..samples {
            match spec.bits_per_sample {
                16 => writer.write_sample((i % 100) as i16).unwrap(),
                _ => writer.write_sample((i % 100) as i32).unwrap(),
            }
        }
        writer.finalize().unwrap();
    }

    fn mono16(rate: u32) -> hound::WavSpec {
        hound::WavSpec { channels: 1, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int }
    }

    #[test]
    fn a_folder_of_good_prompts_loads_by_language_and_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("voice/zh")).unwrap();
        std::fs::create_dir_all(dir.path().join("voice/en")).unwrap();
        wav(&dir.path().join("voice/zh/place_card.wav"), mono16(22_050), 1000);
        wav(&dir.path().join("voice/en/place_card.wav"), mono16(16_000), 1000);
        let prompts = VoicePrompts::load(dir.path()).unwrap();
        assert!(prompts.file(Language::Zh, "place_card").is_some());
        assert!(prompts.file(Language::En, "place_card").is_some());
        assert!(prompts.file(Language::Zh, "ticket").is_none());
        assert!(VoicePrompts::load(&dir.path().join("nothing")).unwrap().is_empty());
    }

    #[test]
    fn a_prompt_the_kiosk_cannot_play_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let zh = dir.path().join("voice/zh");
        std::fs::create_dir_all(&zh).unwrap();
        let stereo = hound::WavSpec { channels: 2, ..mono16(22_050) };
        wav(&zh.join("a.wav"), stereo, 1000);
        assert!(VoicePrompts::load(dir.path()).unwrap_err().contains("sox"));
        std::fs::remove_file(zh.join("a.wav")).unwrap();
        wav(&zh.join("a.wav"), mono16(12_345), 1000);
        assert!(VoicePrompts::load(dir.path()).unwrap_err().contains("12345 Hz"));
        std::fs::remove_file(zh.join("a.wav")).unwrap();
        wav(&zh.join("a.wav"), hound::WavSpec { bits_per_sample: 24, ..mono16(22_050) }, 1000);
        assert!(VoicePrompts::load(dir.path()).unwrap_err().contains("24-bit"));
        std::fs::remove_file(zh.join("a.wav")).unwrap();
        wav(&zh.join("a.wav"), mono16(22_050), 0);
        assert!(VoicePrompts::load(dir.path()).unwrap_err().contains("no sound"));
        std::fs::remove_file(zh.join("a.wav")).unwrap();
        std::fs::write(zh.join("a.wav"), b"RIFF\x10\0\0\0WAVEjunkjunk").unwrap();
        assert!(VoicePrompts::load(dir.path()).unwrap_err().contains("not a WAV file"));
        std::fs::remove_file(zh.join("a.wav")).unwrap();
        wav(&zh.join("a.wav"), mono16(8_000), 8_000 * 11);
        assert!(VoicePrompts::load(dir.path()).unwrap_err().contains("longer than 10 seconds"));
        std::fs::remove_file(zh.join("a.wav")).unwrap();
        wav(&zh.join("a.wav"), mono16(44_100), PROMPT_MAX_BYTES as usize);
        assert!(VoicePrompts::load(dir.path()).unwrap_err().contains("more than the"));
        std::fs::remove_file(zh.join("a.wav")).unwrap();
        wav(&zh.join("a.wav"), mono16(16_000), 16_000);
        let whole = std::fs::read(zh.join("a.wav")).unwrap();
        std::fs::write(zh.join("a.wav"), &whole[..whole.len() - 1001]).unwrap();
        assert!(VoicePrompts::load(dir.path()).unwrap_err().contains("cut short"));
        std::fs::remove_file(zh.join("a.wav")).unwrap();
        wav(&zh.join("Place Card.wav"), mono16(22_050), 100);
        assert!(VoicePrompts::load(dir.path()).unwrap_err().contains("<key>.wav"));
    }
}
