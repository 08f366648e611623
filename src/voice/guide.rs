//! The voice on the UI thread: each new screen is read for its moment ([`cue_of`]); a new moment
//! is handed to the player as the prompts that say it (staff's own words to the synthesiser), in the session's language, at the volume
//! of the hour. Leaving a page hushes what it was saying. Nothing here waits.

use super::cues::{Cue, OWN_WORDS_INSTEAD, cue_of};
use super::player::{Order, Part, Utterance, VoicePlayer};
use crate::config::VoiceSetup;
use crate::content::Language;
use crate::content::voice::VoicePrompts;
use crate::kiosk::{Page, Screen};
use std::collections::BTreeSet;

/// The player and what it was last told.
pub struct VoiceGuide {
    player: VoicePlayer,
    setup: VoiceSetup,
    /// The page, moment and language last seen.
    last: Option<(&'static str, Option<Cue>, Language)>,
    /// Prompts found missing from the content, each logged once.
    missing: BTreeSet<(Language, String)>,
}

impl VoiceGuide {
    pub fn new(player: VoicePlayer, setup: VoiceSetup) -> Self {
        Self { player, setup, last: None, missing: BTreeSet::new() }
    }

    pub fn set_setup(&mut self, setup: VoiceSetup) {
        self.setup = setup;
    }

    /// `screen` is shown: says its moment if it is a new one (cutting off the last), hushes when
    /// the page changed to one with nothing to say or the resident turned the voice off.
    pub fn show(&mut self, screen: &Screen, prompts: &VoicePrompts) {
        let speaking = screen.voice_on && screen.page != Page::Attract;
        let language = if screen.english { Language::En } else { Language::Zh };
        let cue = if speaking { cue_of(screen) } else { None };
        let seen = (screen.page.name(), cue, language);
        let before = self.last.replace(seen.clone());
        let (page, cue, language) = seen;
        match cue {
            Some(cue) => {
                if before.is_none_or(|(_, old, old_language)| old.as_ref() != Some(&cue) || old_language != language) {
                    let order = match self.utterance(&cue, language, prompts, &screen.header.time) {
                        Some(utterance) => Order::Say(utterance),
                        None => Order::Hush,
                    };
                    self.player.tell(order);
                }
            }
            None => {
                if before.is_some_and(|(old_page, old, _)| old.is_some() && (old_page != page || !speaking)) {
                    self.player.tell(Order::Hush);
                }
            }
        }
    }

    /// The files that say `cue` (staff's own words to the synthesiser), or `None` (and a line
    /// in the log, once) if the content lacks one: half a sentence or half a number is worse than
    /// none.
    fn utterance(&mut self, cue: &Cue, language: Language, prompts: &VoicePrompts, clock: &str) -> Option<Utterance> {
        let mut parts = Vec::new();
        for key in cue.prompts(language) {
            let Some(file) = prompts.file(language, &key) else {
                if self.missing.insert((language, key.clone())) {
                    tracing::warn!(
                        "the content has no voice prompt voice/{}/{key}.wav: that moment is not spoken",
                        language.code()
                    );
                }
                return None;
            };
            let file = file.to_path_buf();
            parts.push(match cue.own_words() {
                Some(words) if key == OWN_WORDS_INSTEAD => Part::Words { text: words.to_string(), instead: file },
                _ => Part::Recorded(file),
            });
        }
        Some(Utterance { parts, volume: self.setup.volume_at(clock) })
    }
}
