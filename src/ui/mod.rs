//! The Slint UI (ui/*.slint, compiled by build.rs) and the adapter that binds it to the
//! controller: callbacks in (`callbacks`), screens out (`views`, one module per Slint global). The
//! UI thread only calls the controller, which does no IO; devices, journal and network reach it
//! from their own threads through the kiosk runtime, which the UI's tick pumps.

/// The code Slint generates from ui/app.slint.
#[allow(clippy::all)]
mod generated {
    slint::include_modules!();
}

pub use generated::*;

mod adapter;
#[cfg(feature = "developer")]
pub mod by_label;
mod callbacks;
mod memory;
#[cfg(feature = "developer")]
pub mod screenshot;
mod views;

pub use adapter::{Clock, KioskUi};
pub use views::app_view::page_name;
