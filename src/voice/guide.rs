//! The voice on the UI thread: each new screen is read for its moments (the page's and the
//! countdown's, `voice::cues`); a new moment is handed to the player as the prompts that say it
//! (staff's own words to the synthesiser), in the session's language, at the volume of the hour.
//! Leaving a page, or a touch that ends the countdown, hushes what was being said (the page's
//! moment is not said again). Nothing here waits.

use super::cues::{Cue, OWN_WORDS_INSTEAD, countdown_cue, page_cue};
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
    /// What the last screen had to say.
    last: Option<Seen>,
    /// The page's moment last handed to the player, in its language: what the page says is said
    /// once, however often the countdown comes and goes over it.
    said: Option<(Cue, Language)>,
    /// Prompts found missing from the content, each logged once.
    missing: BTreeSet<(Language, String)>,
}

/// What one screen has to say: its page's moment and the countdown's, apart, so that a touch
/// that ends the countdown stops its words without saying the page's again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    page: &'static str,
    page_cue: Option<Cue>,
    countdown: Option<Cue>,
    language: Language,
    speaking: bool,
}

impl VoiceGuide {
    pub fn new(player: VoicePlayer, setup: VoiceSetup) -> Self {
        Self { player, setup, last: None, said: None, missing: BTreeSet::new() }
    }

    pub fn set_setup(&mut self, setup: VoiceSetup) {
        self.setup = setup;
    }

    /// `screen` is shown: says its moment if it is a new one (cutting off the last); hushes when
    /// the page changes, the countdown ends, or the resident turns the voice off.
    pub fn show(&mut self, screen: &Screen, prompts: &VoicePrompts) {
        let speaking = screen.voice_on && screen.page != Page::Attract;
        let seen = Seen {
            page: screen.page.name(),
            page_cue: if speaking { page_cue(screen) } else { None },
            countdown: if speaking { countdown_cue(screen) } else { None },
            language: if screen.english { Language::En } else { Language::Zh },
            speaking,
        };
        let before = self.last.replace(seen.clone());
        if before.as_ref() == Some(&seen) {
            return;
        }
        if before.as_ref().is_some_and(|b| b.page != seen.page) || !seen.speaking {
            // A new page's moment is said even if the last page said the same.
            self.said = None;
        }
        let language_changed = before.as_ref().is_some_and(|b| b.language != seen.language);
        let order = match (&seen.countdown, &seen.page_cue) {
            (Some(countdown), _) => {
                let new = language_changed || before.as_ref().is_none_or(|b| b.countdown.as_ref() != Some(countdown));
                new.then_some(countdown)
            }
            (None, Some(page)) => {
                let new = self.said.as_ref() != Some(&(page.clone(), seen.language));
                new.then_some(page)
            }
            (None, None) => None,
        };
        if let Some(cue) = order {
            if seen.countdown.is_none() {
                self.said = Some((cue.clone(), seen.language));
            }
            let order = match self.utterance(cue, seen.language, prompts, &screen.header.time) {
                Some(utterance) => Order::Say(utterance),
                None => Order::Hush,
            };
            self.player.tell(order);
        } else if let Some(before) = before {
            let was_talking = before.countdown.is_some() || before.page_cue.is_some();
            let moved_on = before.countdown.is_some() || before.page != seen.page || !seen.speaking;
            if was_talking && moved_on && seen.countdown.is_none() {
                self.player.tell(Order::Hush);
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
