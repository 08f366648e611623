//! What tells the console's live view that a kiosk changed (a heartbeat, a revocation, a new
//! label). On SQLite, where one instance serves, the instance that made the change rings the bell
//! itself; on PostgreSQL the database tells every instance ([`crate::storage::FLEET_CHANNEL`],
//! sent in the transaction that made the change), so that a heartbeat arriving at one instance
//! shows on a console served by another.

use crate::pg_listen::{self, Heard};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FleetChange {
    /// This kiosk.
    Kiosk(String),
    /// Anything may have: look at every kiosk again.
    Everything,
}

/// Changes not yet taken by a slow listener; past this it is told [`FleetChange::Everything`].
const WAITING_CHANGES: usize = 4096;

pub struct FleetBell {
    changes: broadcast::Sender<FleetChange>,
    /// Whether the database tells of changes (PostgreSQL), not the instance that made them.
    told_by_database: bool,
}

impl FleetBell {
    pub fn new(told_by_database: bool) -> Self {
        Self { changes: broadcast::channel(WAITING_CHANGES).0, told_by_database }
    }

    /// Says that this instance changed `kiosk_id` (on PostgreSQL the database has said it already).
    pub fn ring(&self, kiosk_id: &str) {
        if !self.told_by_database {
            let _ = self.changes.send(FleetChange::Kiosk(kiosk_id.to_string()));
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<FleetChange> {
        self.changes.subscribe()
    }

    /// Passes on what the PostgreSQL at `url` tells of the fleet, until `shutdown`.
    pub fn listen_to_postgres(&self, url: String, shutdown: CancellationToken) {
        let (told, mut heard) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(pg_listen::listen(url, crate::storage::FLEET_CHANNEL, told, shutdown));
        let changes = self.changes.clone();
        tokio::spawn(async move {
            while let Some(heard) = heard.recv().await {
                let change = match heard {
                    Heard::Notification(kiosk_id) => FleetChange::Kiosk(kiosk_id),
                    Heard::MayHaveMissed => FleetChange::Everything,
                };
                let _ = changes.send(change);
            }
        });
    }
}
