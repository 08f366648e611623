//! Citizen Window (市民之窗), the kiosk program: the journal, technician commands and the demo,
//! built on the device layer in the `citizen-window-hardware` crate.

pub mod demo;
pub mod journal;
pub mod resident_key;
pub mod sync;
pub mod technician;
