//! The kiosk's devices on their own threads: each worker owns its driver and sends what happened
//! as [`KioskEvent`]s; the UI takes them on its tick, so the UI thread never waits on a port.

mod reader_worker;

pub use reader_worker::{ReaderWorker, today_in_china};

use crate::session::Resident;

/// What a device reports to the kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KioskEvent {
    /// A valid ID card was read.
    Identified(Resident),
    /// A card was presented and refused, or could not be read.
    CardRefused(CardProblem),
    /// The reader reports the card gone.
    CardRemoved,
    /// Whether the reader answers; while it does not, cards cannot identify anyone.
    ReaderAvailable(bool),
}

/// Why a card did not identify a resident; the UI says it in the resident's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardProblem {
    /// Presented, but not read: place it again.
    ReadFailed,
    /// An expired ID card; the last day it was valid.
    Expired(String),
    /// Not a resident ID card (a community or bank card where an ID card is needed).
    NotAnIdCard,
}
