//! A sound output that plays nothing and notes what it was given, when: each prompt started, each
//! cut, each end. It takes samples at the pace a sound card plays them, so that a prompt lasts as
//! long as it would and a cut falls where it would. Tests and the benchmark use it where the
//! machine has no sound card.

use super::sound_output::{SoundError, SoundOutput};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the output was told, with when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A prompt began: its language and key, "zh/place_card".
    Started(String),
    /// What was playing was cut off.
    Cut,
    /// The prompts played out.
    Finished,
}

/// The notes, shared with whoever reads them.
#[derive(Debug, Clone, Default)]
pub struct Notes(Arc<Mutex<Vec<(Instant, Heard)>>>);

impl Notes {
    pub fn all(&self) -> Vec<(Instant, Heard)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The prompts started, in order ("zh/place_card").
    pub fn started(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .filter_map(|(_, heard)| match heard {
                Heard::Started(key) => Some(key),
                _ => None,
            })
            .collect()
    }

    fn note(&self, heard: Heard) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push((Instant::now(), heard));
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Notes prompts; plays at `speed` times real time (1: as a sound card would).
pub struct RecordingOutput {
    notes: Notes,
    rate: u32,
    speed: u32,
}

impl RecordingOutput {
    pub fn new(notes: Notes, speed: u32) -> Self {
        Self { notes, rate: 22_050, speed: speed.max(1) }
    }
}

impl SoundOutput for RecordingOutput {
    fn describe(&self) -> String {
        "a recording output".into()
    }

    fn ready(&mut self) -> Result<(), SoundError> {
        Ok(())
    }

    fn start_prompt(&mut self, prompt: &std::path::Path, rate: u32) -> Result<(), SoundError> {
        self.rate = rate.max(1);
        let name = |path: Option<&std::path::Path>| {
            path.and_then(|p| p.file_stem()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        };
        self.notes.note(Heard::Started(format!("{}/{}", name(prompt.parent()), name(Some(prompt)))));
        Ok(())
    }

    fn write(&mut self, samples: &[i16]) -> Result<(), SoundError> {
        let micros = samples.len() as u64 * 1_000_000 / u64::from(self.rate) / u64::from(self.speed);
        std::thread::sleep(Duration::from_micros(micros));
        Ok(())
    }

    fn cut(&mut self) {
        self.notes.note(Heard::Cut);
    }

    fn finish(&mut self) {
        self.notes.note(Heard::Finished);
    }
}
