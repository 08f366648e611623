//! Which kiosks may be served: enrolled and not revoked. A certificate signed by the fleet CA is
//! not enough on its own: the operator can revoke a kiosk (a stolen one) or remove it, and from
//! then on it is refused on every request. The register is read from the database at most once a
//! second per server instance, so that checking costs a lookup in memory; a kiosk it does not know
//! yet (enrolled through another instance a moment ago) is looked up on its own.

use crate::storage::{Storage, StorageError};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How stale the register may be: a revocation reaches every instance within this.
pub const REGISTER_REFRESH: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Active,
    /// Revoked by the operator at this time (milliseconds since 1970).
    Revoked(i64),
    /// Not enrolled (never, or removed).
    Unknown,
}

fn standing_of(revoked_at: Option<i64>) -> Standing {
    revoked_at.map_or(Standing::Active, Standing::Revoked)
}

/// Each enrolled kiosk and when it was revoked, if it was.
type Register = Arc<HashMap<String, Option<i64>>>;

pub struct KioskRegister {
    /// The register and when it was read (never, at first).
    kiosks: RwLock<(Option<Instant>, Register)>,
    refreshing: tokio::sync::Mutex<()>,
}

impl Default for KioskRegister {
    fn default() -> Self {
        Self { kiosks: RwLock::new((None, Arc::new(HashMap::new()))), refreshing: tokio::sync::Mutex::new(()) }
    }
}

impl KioskRegister {
    pub async fn standing(&self, storage: &Storage, kiosk_id: &str) -> Result<Standing, StorageError> {
        let (loaded_at, kiosks) = self.kiosks.read().unwrap_or_else(|e| e.into_inner()).clone();
        let kiosks = match loaded_at {
            Some(at) if at.elapsed() < REGISTER_REFRESH => kiosks,
            // Stale: one request reads it again, the others go on with what they have.
            Some(_) => match self.refreshing.try_lock() {
                Ok(_only_one) => self.load(storage).await?,
                Err(_) => kiosks,
            },
            // Never read (a burst at start): everyone waits for the one read, rather than each
            // asking the database about itself.
            None => {
                let _only_one = self.refreshing.lock().await;
                let current = self.kiosks.read().unwrap_or_else(|e| e.into_inner()).clone();
                match current {
                    (Some(_), kiosks) => kiosks,
                    (None, _) => self.load(storage).await?,
                }
            }
        };
        match kiosks.get(kiosk_id) {
            Some(revoked_at) => Ok(standing_of(*revoked_at)),
            None => Ok(storage.kiosk_standing(kiosk_id).await?.map_or(Standing::Unknown, standing_of)),
        }
    }

    /// Forgets what was read, so that the next request reads the register again: this instance
    /// revoked a kiosk, which is refused from that moment.
    pub fn forget(&self) {
        self.kiosks.write().unwrap_or_else(|e| e.into_inner()).0 = None;
    }

    /// Reads the register from the database (the caller holds `refreshing`).
    async fn load(&self, storage: &Storage) -> Result<Register, StorageError> {
        let kiosks: Register = Arc::new(storage.kiosk_standings().await?.into_iter().collect());
        *self.kiosks.write().unwrap_or_else(|e| e.into_inner()) = (Some(Instant::now()), kiosks.clone());
        Ok(kiosks)
    }
}
