//! The content's part of a screen into `ContentAdapter`: home tiles, the attract slide, notices
//! and the service directory, paged.

use super::model_rows::*;
use crate::kiosk::{NoticeRow, Screen};
use crate::ui::{AppWindow, ContentAdapter, EntryView, NoticeView, SlideView, TileView};
use slint::ComponentHandle;

/// Copies the content's part of `screen`.
pub fn apply(window: &AppWindow, screen: &Screen) {
    let content = window.global::<ContentAdapter>();
    content.set_tiles(model(
        screen
            .tiles
            .iter()
            .map(|t| TileView {
                service: t.service.id().into(),
                title: t.title.as_str().into(),
                subtitle: t.subtitle.as_str().into(),
                usable: t.usable,
            })
            .collect(),
    ));
    content.set_tile_title_ems(screen.tiles.iter().map(|t| ems(&t.title)).fold(0.0, f32::max));
    let picture = screen.slide.image.as_deref().and_then(picture);
    content.set_slide(SlideView {
        title: screen.slide.title.as_str().into(),
        body: screen.slide.body.as_str().into(),
        has_picture: picture.is_some(),
        picture: picture.unwrap_or_default(),
    });
    content.set_has_urgent(screen.urgent.is_some());
    content.set_urgent(screen.urgent.as_ref().map(notice_view).unwrap_or_default());
    content.set_notices(model(screen.notices.items.iter().map(notice_view).collect()));
    content.set_notices_page(screen.notices.page as i32);
    content.set_notices_pages(screen.notices.pages as i32);
    content.set_notice(notice_view(&screen.notice));
    content.set_notice_part(screen.notice_part.0 as i32);
    content.set_notice_parts(screen.notice_part.1 as i32);
    content.set_directory(model(
        screen
            .directory
            .items
            .iter()
            .map(|e| EntryView {
                id: e.id.as_str().into(),
                name: e.name.as_str().into(),
                location: e.location.as_str().into(),
                hours: e.hours.as_str().into(),
                phone: e.phone.as_str().into(),
            })
            .collect(),
    ));
    content.set_directory_page(screen.directory.page as i32);
    content.set_directory_pages(screen.directory.pages as i32);
}

/// The most pictures kept decoded: each content version's pictures have paths of their own, so
/// that the cache starts again rather than keep every version's.
const PICTURES_KEPT: usize = 32;

/// A slide's or notice's picture, decoded once and kept (the content's few pictures, on the UI
/// thread).
fn picture(path: &std::path::Path) -> Option<slint::Image> {
    thread_local! {
        static PICTURES: std::cell::RefCell<std::collections::HashMap<std::path::PathBuf, slint::Image>> =
            Default::default();
    }
    PICTURES.with(|pictures| {
        if let Some(image) = pictures.borrow().get(path) {
            return Some(image.clone());
        }
        match slint::Image::load_from_path(path) {
            Ok(image) => {
                let mut pictures = pictures.borrow_mut();
                if pictures.len() >= PICTURES_KEPT {
                    pictures.clear();
                }
                pictures.insert(path.to_path_buf(), image.clone());
                Some(image)
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), "a content picture cannot be decoded: {e:?}");
                None
            }
        }
    })
}

fn notice_view(n: &NoticeRow) -> NoticeView {
    let picture = n.image.as_deref().and_then(picture);
    NoticeView {
        has_picture: picture.is_some(),
        picture: picture.unwrap_or_default(),
        id: n.id.as_str().into(),
        title: n.title.as_str().into(),
        date: n.date.as_str().into(),
        category: n.category.into(),
        body: n.body.as_str().into(),
    }
}

/// About how wide `text` is in bold, in ems: a Chinese character (or any wide one) is one em; a
/// Latin letter or digit is taken as 0.62, a little more than Noto Sans Bold's average, so that
/// a title judged to fit does.
pub fn ems(text: &str) -> f32 {
    text.chars()
        .map(|c| {
            if (c as u32) >= 0x2E80 {
                1.0
            } else if c == ' ' {
                0.3
            } else {
                0.62
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::ems;

    #[test]
    fn chinese_is_an_em_a_character_and_latin_about_two_thirds() {
        assert_eq!(ems("社区公告"), 4.0);
        assert!((ems("Pay a bill") - (8.0 * 0.62 + 2.0 * 0.3)).abs() < 1e-4);
    }
}
