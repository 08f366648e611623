//! Voice guidance (语音播报): the kiosk speaks its key moments from the content's recorded
//! prompts. `cues` reads the moment off the screen, `spoken_numbers` says numbers and amounts
//! from recorded digits and units, `guide` decides on the UI thread what to say and when to stop,
//! and `player` plays it on its own thread through a [`SoundOutput`] (ALSA on the board, a
//! recording one in tests); `synthesiser` speaks staff's own words, which no recording says.

pub mod cues;
pub mod guide;
pub mod player;
pub mod recording_output;
pub mod sound_output;
pub mod spoken_numbers;
pub mod synthesiser;

pub use guide::VoiceGuide;
pub use player::VoicePlayer;
pub use sound_output::{AlsaOutput, SoundOutput};

#[cfg(test)]
mod tests;
