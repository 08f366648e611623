//! The kiosk's screens as plain Rust: which page shows, with what, for whom. The controller gets
//! taps and the current time, and hands out a [`Screen`] that the Slint adapter (`crate::ui`)
//! copies into the UI; it never sees a Slint type, so every rule is unit-tested without a window.

mod controller;
pub mod messages;
mod request_numbers;
#[cfg(any(test, feature = "developer"))]
pub(crate) mod samples;
mod screen;
pub mod service_policy;
pub mod text_pages;
pub mod wall_clock;

pub use controller::{KioskController, ListRows, REPRINT_OFFERED};
pub use screen::*;

#[cfg(test)]
mod tests;
