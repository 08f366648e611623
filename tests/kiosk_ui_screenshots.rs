//! Every page, at each supported screen size, in both languages, rendered with the software
//! renderer: not blank, nothing laid out beyond the screen, and Chinese drawn as real glyphs,
//! never as tofu boxes.

#[path = "support/long_content.rs"]
mod long_content;

use citizen_window::content::{Content, Language};
use citizen_window::ui::screenshot::{PAGES, Shot, kiosk_on_page, snapshot};
use i_slint_backend_testing::{ElementHandle, ElementQuery};
use long_content::long_content;
use slint::{ComponentHandle, Rgba8Pixel, SharedPixelBuffer};

const SIZES: [(u32, u32); 3] = [(1080, 1920), (1920, 1080), (800, 1280)];

fn shot(page: &str, language: Language, elderly: bool, (width, height): (u32, u32)) -> Shot {
    Shot { page: page.into(), language, elderly, width, height }
}

fn dark_pixels(pixels: &SharedPixelBuffer<Rgba8Pixel>, x0: u32, y0: u32, w: u32, h: u32) -> Vec<bool> {
    let width = pixels.width();
    let data = pixels.as_slice();
    let mut cells = Vec::with_capacity((w * h) as usize);
    for y in y0..(y0 + h).min(pixels.height()) {
        for x in x0..(x0 + w).min(width) {
            let p = data[(y * width + x) as usize];
            cells.push(u32::from(p.r) + u32::from(p.g) + u32::from(p.b) < 300);
        }
    }
    cells
}

#[test]
fn every_page_renders_at_every_size_within_the_screen() {
    every_page_within_the_screen(Content::load(&Content::example_dir()).unwrap());
}

#[test]
fn the_longest_content_allowed_is_shown_whole_at_every_size() {
    let (dir, content) = long_content();
    // To look at it: `citizen-window screenshot --content` on the folder this names.
    if let Some(keep) = std::env::var_os("CITIZEN_WINDOW_KEEP_LONG_CONTENT") {
        std::fs::create_dir_all(&keep).unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap().flatten().filter(|e| e.path().is_file()) {
            std::fs::copy(entry.path(), std::path::Path::new(&keep).join(entry.file_name())).unwrap();
        }
        let images = std::path::Path::new(&keep).join("images");
        std::fs::create_dir_all(&images).unwrap();
        for entry in std::fs::read_dir(dir.path().join("images")).unwrap().flatten() {
            std::fs::copy(entry.path(), images.join(entry.file_name())).unwrap();
        }
    }
    every_page_within_the_screen(content);
}

fn every_page_within_the_screen(content: Content) {
    for size in SIZES {
        for language in [Language::Zh, Language::En] {
            for elderly in [false, true] {
                for page in PAGES {
                    let what = format!("{page} {language:?} elderly={elderly} {}x{}", size.0, size.1);
                    let ui = kiosk_on_page(content.clone(), &shot(page, language, elderly, size)).unwrap();
                    let pixels = snapshot(&ui).unwrap();
                    assert_eq!((pixels.width(), pixels.height()), size, "{what}");
                    let dark = dark_pixels(&pixels, 0, 0, size.0, size.1).iter().filter(|d| **d).count();
                    assert!(
                        dark > (size.0 * size.1 / 400) as usize,
                        "{what}: almost nothing drawn ({dark} dark pixels)"
                    );
                    // Nothing of the page reaches under the bottom bar or above the header.
                    if page != "attract" {
                        let area = ElementHandle::find_by_element_id(&ui.window, "AppWindow::page-area")
                            .next()
                            .expect("the page area");
                        let (top, bottom) =
                            (area.absolute_position().y, area.absolute_position().y + area.size().height);
                        for element in area.query_descendants().find_all() {
                            let (p, s) = (element.absolute_position(), element.size());
                            let inside = p.y >= top - 0.5 && p.y + s.height <= bottom + 0.5;
                            assert!(
                                inside || s.width == 0.0 || s.height == 0.0,
                                "{what}: {:?} ({:?}) at y {} to {} leaves the page area ({top} to {bottom})",
                                element.accessible_label(),
                                element.type_name(),
                                p.y,
                                p.y + s.height
                            );
                        }
                    }
                    for element in ElementQuery::from_root(&ui.window).match_descendants().find_all() {
                        let (p, s) = (element.absolute_position(), element.size());
                        let inside = p.x >= -0.5
                            && p.y >= -0.5
                            && p.x + s.width <= size.0 as f32 + 0.5
                            && p.y + s.height <= size.1 as f32 + 0.5;
                        assert!(
                            inside || s.width == 0.0 || s.height == 0.0,
                            "{what}: {:?} ({:?}) is laid out beyond the screen at {p:?} size {s:?}",
                            element.accessible_label(),
                            element.type_name()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn chinese_text_is_drawn_with_real_glyphs_not_tofu() {
    let content = Content::load(&Content::example_dir()).unwrap();
    let ui = kiosk_on_page(content, &shot("notice", Language::Zh, false, (1080, 1920))).unwrap();
    let pixels = snapshot(&ui).unwrap();
    let title = ElementHandle::find_by_accessible_label(&ui.window, "停水通知：12月3日9时至15时")
        .next()
        .expect("the notice title is on screen");
    let position = title.absolute_position();
    let font = ui.window.global::<citizen_window::ui::Theme>().get_heading_size();
    // Each CJK glyph takes one em: 停, 水, 通, 知 side by side. Missing glyphs would all be the
    // same box; real ones differ from each other, and each has ink.
    let cell = |i: u32| {
        dark_pixels(&pixels, position.x as u32 + i * font as u32, position.y as u32, font as u32, (font * 1.4) as u32)
    };
    let cells: Vec<_> = (0..4).map(cell).collect();
    for (i, c) in cells.iter().enumerate() {
        let ink = c.iter().filter(|d| **d).count();
        assert!(ink > 20, "glyph {i} of the title has no ink ({ink} dark pixels)");
    }
    for i in 0..4 {
        for j in i + 1..4 {
            assert_ne!(cells[i], cells[j], "glyphs {i} and {j} of 停水通知 render the same: tofu boxes");
        }
    }
}
