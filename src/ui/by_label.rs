//! Finding things on screen by their accessible labels, the way a resident reads them: the
//! demo's scripted walk and the UI tests both drive the kiosk this way. Needs the UI built with
//! debug info (build.rs turns it on).

use super::AppWindow;
use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};

/// Every label, value and description on screen, one a line.
pub fn screen_text(window: &AppWindow) -> String {
    let mut text = String::new();
    for element in ElementQuery::from_root(window).match_descendants().find_all() {
        for part in [element.accessible_label(), element.accessible_value(), element.accessible_description()]
            .into_iter()
            .flatten()
        {
            text.push_str(&part);
            text.push('\n');
        }
    }
    text
}

/// What a tap on `label` reaches: the button with that label before its own text, which carries
/// the same label.
pub fn labelled(window: &AppWindow, label: &str) -> Option<ElementHandle> {
    buttons_first(ElementHandle::find_by_accessible_label(window, label).collect())
}

/// Like [`labelled`], for a label that holds `part` among more (a list row: title, date, ...).
pub fn containing(window: &AppWindow, part: &str) -> Option<ElementHandle> {
    let found = ElementQuery::from_root(window)
        .match_descendants()
        .find_all()
        .into_iter()
        .filter(|e| e.accessible_label().is_some_and(|l| l.contains(part)))
        .collect();
    buttons_first(found)
}

fn buttons_first(mut found: Vec<ElementHandle>) -> Option<ElementHandle> {
    // A stable sort: among buttons, and among the rest, the first on screen stays first.
    found.sort_by_key(|e| e.accessible_role() != Some(AccessibleRole::Button));
    found.into_iter().next()
}
