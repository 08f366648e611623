//! The Slint UI (ui/*.slint, compiled by build.rs) and the adapter that binds it to the
//! [`KioskController`]: callbacks in, [`Screen`]s out. The UI thread only calls the controller,
//! which does no IO; devices, journal and network reach it from their own threads through the
//! event loop.

/// The code Slint generates from ui/app.slint.
#[allow(clippy::all)]
mod generated {
    slint::include_modules!();
}

pub use generated::*;

mod adapter;
pub mod by_label;
mod memory;
pub mod screenshot;

pub use adapter::{Clock, KioskUi};
