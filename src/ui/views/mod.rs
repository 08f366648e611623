//! One view module per Slint global: each copies its part of the controller's `Screen` into
//! its global, and decides nothing.

pub mod app_view;
pub mod content_view;
mod model_rows;
pub mod online_view;
pub mod resident_view;
pub mod services_view;

use crate::kiosk::Screen;
use crate::ui::AppWindow;

/// Copies a whole screen into the UI; `previous` is the one shown before, if any.
pub fn apply(window: &AppWindow, screen: &Screen, previous: Option<&Screen>, qr: &online_view::QrCache) {
    app_view::apply(window, screen, previous);
    content_view::apply(window, screen);
    services_view::apply(window, screen);
    online_view::apply(window, &screen.online, screen.english, qr);
    resident_view::apply(window, screen);
}
