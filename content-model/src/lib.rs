//! Citizen Window's content: the station, home-screen tiles, attract-screen slides, notices, the
//! service directory, opinion proposals, the places and categories of issue reports, the
//! station's windows, the reasons offered with a low rating and the voice prompts, read from a
//! content folder of TOML and WAV files (docs/CONTENT.md). Loading is separate from showing: the
//! UI gets a validated [`Content`], whoever delivered the folder. The kiosk shows it; the central
//! server checks a folder with the same code before it signs it.

pub mod limits;
mod model;
pub mod voice;

pub use model::*;

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("the content file {path} cannot be read ({source}): check that the content folder is complete")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("the content file {path} is not valid: {message}. See docs/CONTENT.md for the format")]
    Invalid { path: PathBuf, message: String },
}

/// Every file of a content folder, with its part of [`Content`].
const FILES: [&str; 9] = [
    "station.toml",
    "tiles.toml",
    "slides.toml",
    "notices.toml",
    "directory.toml",
    "proposals.toml",
    "places.toml",
    "windows.toml",
    "issue_categories.toml",
];

/// The optional file of the reasons offered with a low rating.
pub const RATING_REASONS: &str = "rating_reasons.toml";

impl Content {
    /// Reads and checks a content folder; nothing is returned unless all of it is valid.
    pub fn load(dir: &Path) -> Result<Self, ContentError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map(|text| (path.clone(), text))
                .map_err(|source| ContentError::Unreadable { path, source })
        };
        let [station, tiles, slides, notices, directory, proposals, places, windows, categories] = FILES.map(read);
        let content = Content {
            station: parse::<Station>(station?)?,
            tiles: parse::<TileFile>(tiles?)?.tile,
            slides: parse::<SlideFile>(slides?)?.slide,
            notices: parse::<NoticeFile>(notices?)?.notice,
            directory: parse::<DirectoryFile>(directory?)?.entry,
            proposals: parse::<ProposalFile>(proposals?)?.proposal,
            places: parse::<PlaceFile>(places?)?.place,
            windows: parse::<WindowFile>(windows?)?.window,
            issue_categories: parse::<CategoryFile>(categories?)?.category,
            rating_reasons: match read(RATING_REASONS) {
                Ok(file) => parse::<RatingReasonFile>(file)?.reason,
                Err(ContentError::Unreadable { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                    Vec::new()
                }
                Err(e) => return Err(e),
            },
            voice: voice::VoicePrompts::load(dir)
                .map_err(|message| ContentError::Invalid { path: dir.join(voice::VOICE_DIR), message })?,
        };
        let mut content = content;
        content.check().map_err(|(file, message)| ContentError::Invalid { path: dir.join(file), message })?;
        limits::check(&content).map_err(|(file, message)| ContentError::Invalid { path: dir.join(file), message })?;
        for notice in &mut content.notices {
            let invalid = |message: String| ContentError::Invalid { path: dir.join("notices.toml"), message };
            let moment = |key: &str, text: &Option<String>| match text {
                None => Ok(None),
                Some(text) => citizen_window_protocol::china_time::parse_date_time(text).map(Some).ok_or_else(|| {
                    invalid(format!("notice {}: {key} = {text:?} is not \"YYYY-MM-DD HH:MM\" (China time)", notice.id))
                }),
            };
            notice.starts_at_ms = moment("starts", &notice.starts)?;
            notice.ends_at_ms = moment("ends", &notice.ends)?;
            if let (Some(starts), Some(ends)) = (notice.starts_at_ms, notice.ends_at_ms)
                && ends <= starts
            {
                return Err(invalid(format!("notice {}: it ends before it starts", notice.id)));
            }
            if let Some(image) = &notice.image {
                notice.image_path = Some(checked_image(dir, image).map_err(invalid)?);
            }
        }
        for slide in &mut content.slides {
            if let Some(image) = &slide.image {
                slide.image_path = Some(
                    checked_image(dir, image)
                        .map_err(|message| ContentError::Invalid { path: dir.join("slides.toml"), message })?,
                );
            }
        }
        Ok(content)
    }

    /// The example content set shipped with the program (the demo, screenshots, tests).
    pub fn example_dir() -> PathBuf {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the crate is in the workspace");
        workspace.join("content/example")
    }

    /// Rules TOML alone cannot state: unique ids, every service tile known, no empty text.
    fn check(&self) -> Result<(), (&'static str, String)> {
        let dialable =
            |number: &str| (3..=20).contains(&number.len()) && number.chars().all(|c| c.is_ascii_digit() || c == '-');
        for (key, number) in [("phone", &self.station.phone), ("hotline", &self.station.hotline)] {
            if !dialable(number) {
                return Err((
                    "station.toml",
                    format!("{key} {number:?} is not a number to dial (3 to 20 digits and dashes)"),
                ));
            }
        }
        unique("tiles.toml", self.tiles.iter().map(|t| t.service.id()))?;
        unique("notices.toml", self.notices.iter().map(|n| n.id.as_str()))?;
        unique("directory.toml", self.directory.iter().map(|e| e.id.as_str()))?;
        unique("proposals.toml", self.proposals.iter().map(|p| p.id.as_str()))?;
        unique("places.toml", self.places.iter().map(|p| p.id.as_str()))?;
        if self.tiles.is_empty() {
            return Err(("tiles.toml", "the home screen needs at least one tile".into()));
        }
        let offers = |service| self.tiles.iter().any(|t| t.service == service);
        if self.places.is_empty() && offers(Service::Reports) {
            return Err(("places.toml", "the reports tile needs at least one place to report at".into()));
        }
        if self.issue_categories.is_empty() && offers(Service::Reports) {
            return Err(("issue_categories.toml", "the reports tile needs at least one category of problem".into()));
        }
        if self.windows.is_empty() && offers(Service::Appointments) {
            return Err(("windows.toml", "the appointments tile needs at least one window".into()));
        }
        unique("issue_categories.toml", self.issue_categories.iter().map(|c| c.id.as_str()))?;
        unique(RATING_REASONS, self.rating_reasons.iter().map(|r| r.id.as_str()))?;
        unique("windows.toml", self.windows.iter().map(|w| w.id.as_str()))?;
        let numbers: Vec<String> = self.windows.iter().map(|w| w.number.to_string()).collect();
        unique("windows.toml", numbers.iter().map(|n| n.as_str())).map_err(|(file, _)| {
            (file, "two windows have the same number: each window's number is the one on its sign".to_string())
        })?;
        let letters: Vec<String> = self.windows.iter().map(|w| w.letter.to_string()).collect();
        unique("windows.toml", letters.iter().map(|l| l.as_str())).map_err(|(file, _)| {
            (file, "two windows have the same letter: tickets of different windows would share numbers".to_string())
        })?;
        for window in &self.windows {
            if !window.letter.is_ascii_uppercase() {
                let letter = window.letter;
                return Err((
                    "windows.toml",
                    format!("window {}'s letter {letter:?} is not a capital letter A to Z", window.id),
                ));
            }
            if !(1..=99).contains(&window.number) {
                let number = window.number;
                return Err(("windows.toml", format!("window {}'s number {number} is not from 1 to 99", window.id)));
            }
        }
        for proposal in &self.proposals {
            if proposal.phrases.is_empty() {
                return Err(("proposals.toml", format!("proposal {} has no comment phrases", proposal.id)));
            }
        }
        Ok(())
    }
}

/// The largest picture a content folder may carry: a full-screen picture, well compressed.
pub const IMAGE_MAX_BYTES: u64 = 1024 * 1024;

/// A picture's file inside the content folder: a relative path that stays inside it, an
/// existing PNG or JPEG file (by its first bytes) of at most [`IMAGE_MAX_BYTES`].
fn checked_image(dir: &Path, image: &str) -> Result<PathBuf, String> {
    let relative = Path::new(image);
    let inside = relative.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside || image.is_empty() {
        return Err(format!(
            "the picture {image:?} must be a path inside the content folder, such as images/slide.png"
        ));
    }
    let path = dir.join(relative);
    let size = std::fs::metadata(&path).map_err(|e| format!("the picture {image:?} cannot be read ({e})"))?.len();
    if size > IMAGE_MAX_BYTES {
        return Err(format!("the picture {image:?} has {size} bytes, more than the {IMAGE_MAX_BYTES} allowed"));
    }
    let mut head = [0u8; 8];
    let mut file = std::fs::File::open(&path).map_err(|e| format!("the picture {image:?} cannot be read ({e})"))?;
    let read = std::io::Read::read(&mut file, &mut head).unwrap_or(0);
    let png = read == 8 && head == *b"\x89PNG\r\n\x1a\n";
    let jpeg = read >= 3 && head[..3] == [0xff, 0xd8, 0xff];
    if !png && !jpeg {
        return Err(format!("the picture {image:?} is neither PNG nor JPEG"));
    }
    Ok(path)
}

fn parse<T: serde::de::DeserializeOwned>((path, text): (PathBuf, String)) -> Result<T, ContentError> {
    toml::from_str(&text).map_err(|e| ContentError::Invalid { path, message: e.to_string().trim().replace('\n', " ") })
}

fn unique<'a>(file: &'static str, ids: impl Iterator<Item = &'a str>) -> Result<(), (&'static str, String)> {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err((file, format!("the id {id:?} is used twice")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
