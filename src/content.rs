//! The kiosk's content: the shared crate `citizen-window-content` (types and the one validator
//! the central server uses too, docs/CONTENT.md), seen from the kiosk as `crate::content`.

pub use citizen_window_content::*;
