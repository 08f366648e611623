//! The identified resident into `ResidentAdapter`: the name and the masked ID number while a
//! resident is identified, emptied (not merely hidden) when not.

use crate::kiosk::Screen;
use crate::ui::{AppWindow, ResidentAdapter};
use slint::{ComponentHandle, SharedString};

/// Copies the resident of `screen`.
pub fn apply(window: &AppWindow, screen: &Screen) {
    // Personal data: set when identified, and emptied (not merely hidden) when not.
    let resident = window.global::<ResidentAdapter>();
    let (name, masked_id) = screen.resident.as_ref().map_or(("", ""), |r| (r.name.as_str(), r.masked_id.as_str()));
    resident.set_identified(screen.resident.is_some());
    resident.set_name(SharedString::from(name));
    resident.set_masked_id(SharedString::from(masked_id));
}
