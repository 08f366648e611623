//! Everything a resident taps is within a seated resident's reach: on an upright screen, in its
//! lower 60 % (the top of a 1920-pixel portrait screen stands about 1.7 m above the floor; forward
//! reach from a wheelchair ends near 1.2 m). Every page, both languages, both print sizes.

#[path = "support/long_content.rs"]
mod long_content;

use citizen_window::content::{Content, Language};
use citizen_window::ui::screenshot::{PAGES, Shot, kiosk_on_page};
use i_slint_backend_testing::{AccessibleRole, ElementQuery};

/// The upright sizes the kiosk is tested at (tests/kiosk_ui_screenshots.rs has all of them).
const UPRIGHT: [(u32, u32); 2] = [(1080, 1920), (800, 1280)];

#[test]
fn every_control_is_in_the_lower_sixty_percent_of_an_upright_screen() {
    controls_within_reach(Content::load(&Content::example_dir()).unwrap());
}

#[test]
fn with_the_longest_content_every_control_is_still_within_reach() {
    let (_dir, content) = long_content::long_content();
    controls_within_reach(content);
}

fn controls_within_reach(content: Content) {
    let mut out_of_reach = Vec::new();
    for (width, height) in UPRIGHT {
        let reach_top = height as f32 * 0.4;
        for language in [Language::Zh, Language::En] {
            for elderly in [false, true] {
                for page in PAGES {
                    let shot = Shot { page: page.into(), language, elderly, width, height };
                    let ui = kiosk_on_page(content.clone(), &shot).unwrap();
                    let mut controls = 0;
                    for element in ElementQuery::from_root(&ui.window).match_descendants().find_all() {
                        if element.accessible_role() != Some(AccessibleRole::Button) || element.size().height == 0.0 {
                            continue;
                        }
                        controls += 1;
                        let top = element.absolute_position().y;
                        // The attract screen is one button, the whole screen: a tap anywhere.
                        if top < reach_top - 0.5 && page != "attract" {
                            out_of_reach.push(format!(
                                "{page} {language:?} elderly={elderly} {width}x{height}: {:?} at y={top}",
                                element.accessible_label().unwrap_or_default()
                            ));
                        }
                    }
                    assert!(controls > 0, "{page}: no control found (is the UI built with debug info?)");
                }
            }
        }
    }
    assert!(out_of_reach.is_empty(), "out of reach (above 40 % of the height):\n{}", out_of_reach.join("\n"));
}
