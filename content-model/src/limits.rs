//! What a kiosk screen can show of each text and list, so that content that cannot be shown is
//! refused when it is loaded, with the file, the item and the limit, rather than cut off on a
//! screen. Lengths count characters; an English text may be three times as long as a Chinese one
//! (a Latin letter takes half the width of a Chinese character, and English says in three words
//! what Chinese says in four characters).

use super::{Content, Text};

/// How many times longer an English text may be than the Chinese limit.
pub const ENGLISH_FACTOR: usize = 3;

// The most characters of each text in Chinese.
pub const COMMUNITY: usize = 12;
pub const STATION: usize = 16;
pub const TILE_TITLE: usize = 8;
pub const TILE_SUBTITLE: usize = 16;
pub const SLIDE_TITLE: usize = 24;
pub const SLIDE_BODY: usize = 120;
pub const NOTICE_TITLE: usize = 24;
/// A long notice is paged on screen; this bounds the pages.
pub const NOTICE_BODY: usize = 3000;
pub const ENTRY_NAME: usize = 12;
pub const ENTRY_DETAIL: usize = 16;
pub const PROPOSAL_TITLE: usize = 18;
pub const PROPOSAL_BODY: usize = 80;
pub const PHRASE: usize = 16;
pub const PLACE_NAME: usize = 8;
pub const WINDOW_NAME: usize = 8;
pub const CATEGORY_NAME: usize = 8;
pub const RATING_REASON_NAME: usize = 10;

/// The most items of each list.
pub const SLIDES: usize = 12;
pub const NOTICES: usize = 200;
pub const ENTRIES: usize = 200;
pub const PROPOSALS: usize = 20;
pub const PHRASES: usize = 6;
pub const PLACES: usize = 64;
pub const WINDOWS: usize = 12;
pub const CATEGORIES: usize = 12;
pub const RATING_REASONS: usize = 8;

type Refusal = (&'static str, String);

/// The first text or list of `content` that is longer than a screen can show.
pub fn check(content: &Content) -> Result<(), Refusal> {
    let s = &content.station;
    text("station.toml", "community", &s.community, COMMUNITY)?;
    text("station.toml", "station", &s.station, STATION)?;
    for tile in &content.tiles {
        let item = format!("the {} tile's", tile.service.id());
        text("tiles.toml", &format!("{item} title"), &tile.title, TILE_TITLE)?;
        text("tiles.toml", &format!("{item} subtitle"), &tile.subtitle, TILE_SUBTITLE)?;
    }
    count("slides.toml", "slides", content.slides.len(), SLIDES)?;
    for (i, slide) in content.slides.iter().enumerate() {
        text("slides.toml", &format!("slide {}'s title", i + 1), &slide.title, SLIDE_TITLE)?;
        text("slides.toml", &format!("slide {}'s body", i + 1), &slide.body, SLIDE_BODY)?;
    }
    count("notices.toml", "notices", content.notices.len(), NOTICES)?;
    for notice in &content.notices {
        text("notices.toml", &format!("notice {}'s title", notice.id), &notice.title, NOTICE_TITLE)?;
        text("notices.toml", &format!("notice {}'s body", notice.id), &notice.body, NOTICE_BODY)?;
    }
    count("directory.toml", "entries", content.directory.len(), ENTRIES)?;
    for entry in &content.directory {
        text("directory.toml", &format!("entry {}'s name", entry.id), &entry.name, ENTRY_NAME)?;
        text("directory.toml", &format!("entry {}'s location", entry.id), &entry.location, ENTRY_DETAIL)?;
        text("directory.toml", &format!("entry {}'s hours", entry.id), &entry.hours, ENTRY_DETAIL)?;
    }
    count("proposals.toml", "proposals", content.proposals.len(), PROPOSALS)?;
    for proposal in &content.proposals {
        text("proposals.toml", &format!("proposal {}'s title", proposal.id), &proposal.title, PROPOSAL_TITLE)?;
        text("proposals.toml", &format!("proposal {}'s body", proposal.id), &proposal.body, PROPOSAL_BODY)?;
        count("proposals.toml", &format!("proposal {}'s phrases", proposal.id), proposal.phrases.len(), PHRASES)?;
        for phrase in &proposal.phrases {
            text("proposals.toml", &format!("a phrase of proposal {}", proposal.id), phrase, PHRASE)?;
        }
    }
    count("places.toml", "places", content.places.len(), PLACES)?;
    for place in &content.places {
        text("places.toml", &format!("place {}'s name", place.id), &place.name, PLACE_NAME)?;
    }
    count("windows.toml", "windows", content.windows.len(), WINDOWS)?;
    for window in &content.windows {
        text("windows.toml", &format!("window {}'s name", window.id), &window.name, WINDOW_NAME)?;
    }
    count("issue_categories.toml", "categories", content.issue_categories.len(), CATEGORIES)?;
    for category in &content.issue_categories {
        let what = format!("category {}'s name", category.id);
        text("issue_categories.toml", &what, &category.name, CATEGORY_NAME)?;
    }
    count("rating_reasons.toml", "reasons", content.rating_reasons.len(), RATING_REASONS)?;
    for reason in &content.rating_reasons {
        let what = format!("reason {}'s name", reason.id);
        text("rating_reasons.toml", &what, &reason.name, RATING_REASON_NAME)?;
    }
    Ok(())
}

fn text(file: &'static str, what: &str, text: &Text, most: usize) -> Result<(), Refusal> {
    let zh = text.zh.chars().count();
    if zh > most {
        return Err((file, format!("{what} has {zh} characters in Chinese; a screen shows at most {most}")));
    }
    if let Some(en) = text.en.as_deref() {
        let en = en.chars().count();
        if en > most * ENGLISH_FACTOR {
            let most = most * ENGLISH_FACTOR;
            return Err((file, format!("{what} has {en} characters in English; a screen shows at most {most}")));
        }
    }
    Ok(())
}

fn count(file: &'static str, what: &str, count: usize, most: usize) -> Result<(), Refusal> {
    if count > most {
        return Err((file, format!("{count} {what}; a kiosk shows at most {most}")));
    }
    Ok(())
}
