//! Citizen Window (市民之窗), the kiosk program: the resident UI and its session, content, the
//! journal and sync, technician commands and the demo, built on the device layer in the
//! `citizen-window-hardware` crate.

pub mod config;
pub mod console_lockdown;
pub mod content;
pub mod content_store;
pub mod control;
#[cfg(feature = "developer")]
pub mod demo;
pub mod devices;
pub mod journal;
pub mod kiosk;
pub mod records;
pub mod resident_key;
pub mod run;
pub mod runtime;
pub mod service_manager;
pub mod session;
pub mod sync;
pub mod technician;
pub mod ui;
pub mod voice;
